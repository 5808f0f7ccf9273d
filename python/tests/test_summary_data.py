"""Summary as data: named metrics, to_dict / to_json, category names, the
tables' writers (CSV, Markdown, pandas / pyarrow imported lazily), pickling
of Summary and CocoDataset (also across a 'spawn' process pool).

The numbers of the tables are checked against pycocotools in
parity/test_tables.py; here the shapes, names and round trips."""
import csv
import io
import json
import multiprocessing
import pickle
import sys

import numpy as np
import pytest

import vernier
from vernier.instance import Bbox, CocoDataset, Evaluator, Keypoints

from conftest import as_bytes, tiny_dt, tiny_gt

DETECTION_NAMES = ("AP", "AP50", "AP75", "APs", "APm", "APl",
                   "AR1", "AR10", "AR100", "ARs", "ARm", "ARl")


@pytest.fixture(scope="module")
def sample(sample_bytes):
    gt_bytes, dt_bytes = sample_bytes
    ds = CocoDataset.from_json(gt_bytes)
    return ds, dt_bytes, Evaluator(iou=Bbox(), parity_mode="strict").evaluate(
        ds, dt_bytes, keep_records=True)


def test_metrics_by_name(sample):
    _, _, s = sample
    assert s.metric_names == DETECTION_NAMES
    assert list(s.metrics) == list(DETECTION_NAMES)
    assert list(s.metrics.values()) == s.stats
    assert s["AP"] == s.stats[0] and s["ARl"] == s.stats[11]
    assert "AP50" in s and "AP40" not in s
    with pytest.raises(KeyError, match="'AP40' is not a metric.*AP, AP50"):
        s["AP40"]


def test_metric_names_follow_the_grid():
    gt, dt = as_bytes(tiny_gt()), tiny_dt()
    s = Evaluator(iou=Bbox(), max_dets=(2, 5, 50)).evaluate(gt, dt)
    assert s.metric_names[6:9] == ("AR2", "AR5", "AR50")
    d = s.stat_descriptors()
    assert [x.max_dets for x in d[6:9]] == [2, 5, 50]


def test_keypoint_metric_names(loaded):
    _, ds, dt, iou = loaded("keypoints")
    s = Evaluator(iou=iou, parity_mode="strict").evaluate(ds, dt)
    assert s.metric_names == ("AP", "AP50", "AP75", "APm", "APl",
                              "AR", "AR50", "AR75", "ARm", "ARl")
    assert s.per_class().columns[2:12] == s.metric_names


def test_category_names_and_ids(sample):
    ds, dt_bytes, s = sample
    names = s.category_names
    assert names[1] == "person" and names[90] == "toothbrush"
    table = s.per_class()
    assert table["category_id"].tolist() == list(s.category_ids)
    assert table["name"][0] == "person"
    # ground truth given as bytes: the same names
    s2 = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(
        ds._source_bytes(), dt_bytes)
    assert s2.category_names == names == ds.category_names
    # a category without a string name, a repeated id, escapes
    gt = tiny_gt(categories=[{"id": 1, "name": "a\u00e9\"b"}, {"id": 2, "name": 7},
                             {"id": 2, "name": "two"}, {"id": 3}])
    s3 = Evaluator(iou=Bbox()).evaluate(as_bytes(gt), tiny_dt())
    assert s3.category_names == {1: 'a\u00e9"b', 2: "two", 3: ""}
    assert s3.per_class()["name"].tolist() == ['a\u00e9"b', "two", ""]


def test_image_ids_and_per_image_need_no_records(sample):
    ds, dt_bytes, s = sample
    assert s.image_ids.tolist() == sorted(s.image_ids.tolist())
    assert len(s.image_ids) == ds.num_images
    bare = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(ds, dt_bytes)
    # the per-image table comes with every evaluation, the same as with records
    assert bare.image_ids.tolist() == s.image_ids.tolist()
    assert bare.per_image() == s.per_image()
    assert pickle.loads(pickle.dumps(bare)).per_image() == s.per_image()
    with pytest.raises(vernier.StateError):
        bare.per_detection()
    with pytest.raises(vernier.StateError):
        bare.per_gt()
    # the per-class table needs no records
    assert len(bare.per_class()) == len(bare.category_ids)


def test_match_iou_and_crowd_columns():
    """A box matched at IoU 1/2 (so at the 0.5 threshold only), one on a
    crowd region (crowd IoU: intersection over the detection's area, 1 at
    every threshold) and an unmatched one (-1.0 throughout); the crowd flag
    besides the ignore flag."""
    gt = {"images": [{"id": 1, "width": 100, "height": 100}], "categories": [{"id": 1}],
          "annotations": [
              {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100,
               "iscrowd": 0},
              {"id": 2, "image_id": 1, "category_id": 1, "bbox": [50, 50, 20, 20], "area": 400,
               "iscrowd": 1}]}
    dt = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 5], "score": 0.9},
          {"image_id": 1, "category_id": 1, "bbox": [50, 50, 10, 10], "score": 0.8},
          {"image_id": 1, "category_id": 1, "bbox": [80, 0, 5, 5], "score": 0.7}]
    s = Evaluator(iou=Bbox()).evaluate(json.dumps(gt).encode(), dt, keep_records=True)
    thr = [f"{t:g}" for t in range(50, 100, 5)]
    det = s.per_detection()
    assert det["dt_id"].tolist() == [1, 2, 3]
    assert det["iou50"].dtype == np.float64
    assert [det["iou" + p][0] for p in thr] == [0.5] + [-1.0] * 9
    assert [det["iou" + p][1] for p in thr] == [1.0] * 10
    assert [det["iou" + p][2] for p in thr] == [-1.0] * 10
    g = s.per_gt()
    assert g["gt_id"].tolist() == [1, 2]   # not ignored first
    assert g["crowd"].tolist() == [False, True] and g["ignored"].tolist() == [False, True]
    assert g["crowd"].dtype == np.bool_
    assert [g["iou" + p][0] for p in thr] == [0.5] + [-1.0] * 9
    assert [g["iou" + p][1] for p in thr] == [1.0] * 10
    assert [g["dt" + p][1] for p in thr] == [2] * 10


def test_per_class_columns_and_pooled(sample):
    _, _, s = sample
    t = s.per_class()
    assert t.columns == ("category_id", "name") + DETECTION_NAMES + ("n_gt", "n_dt")
    assert t["n_gt"].sum() == sum(s.per_image()["n_gt"])
    assert t["n_dt"].sum() == sum(s.per_image()["n_dt"])
    gt, dt = as_bytes(tiny_gt()), tiny_dt()
    pooled = Evaluator(iou=Bbox(), use_cats=False, parity_mode="strict").evaluate(gt, dt)
    row = pooled.per_class().rows()
    assert len(row) == 1 and row[0]["category_id"] == -1
    assert [row[0][m] for m in DETECTION_NAMES] == pooled.stats


def test_absent_class_is_minus_one():
    gt = tiny_gt()
    gt["categories"].append({"id": 3, "name": "c"})
    ds = CocoDataset.from_json(as_bytes(gt))
    s = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(ds, tiny_dt())
    row = s.per_class().rows()[2]
    assert (row["category_id"], row["name"], row["n_gt"], row["n_dt"]) == (3, "c", 0, 0)
    assert all(row[m] == -1.0 for m in DETECTION_NAMES)


def test_to_dict_is_the_cli_schema(sample, tmp_path):
    ds, dt_bytes, s = sample
    d = s.to_dict()
    assert d["schema"] == "vernier.eval/1"
    assert d["metrics"] == s.metrics
    gt_path, dt_path = tmp_path / "gt.json", tmp_path / "dt.json"
    gt_path.write_bytes(ds._source_bytes())
    dt_path.write_bytes(dt_bytes)
    out = io.BytesIO()
    from vernier import cli
    assert cli.main(["eval", "--gt", str(gt_path), "--dt", str(dt_path),
                             "--iou-type", "bbox", "--emit", "json", "-q"],
                            stdout=out, stderr=io.StringIO()) == 0
    cli = json.loads(out.getvalue())
    for key in cli:
        assert d[key] == cli[key], key
    back = json.loads(s.to_json(per_class=True))
    assert back["per_class"][0]["name"] == "person"
    assert back["per_class"][0]["AP"] == s.per_class()["AP"][0]


def test_csv_and_markdown(sample, tmp_path):
    _, _, s = sample
    t = s.per_class()
    text = t.to_csv()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(t)
    assert float(rows[0]["AP"]) == t["AP"][0]  # shortest round-trip form
    assert rows[0]["name"] == "person"
    path = tmp_path / "per_class.csv"
    assert t.to_csv(path) is None
    assert path.read_text() == text
    md = t.to_markdown().splitlines()
    assert md[0].startswith("| category_id | name | AP |")
    assert len(md) == len(t) + 2
    det = s.per_detection().to_csv().splitlines()
    assert det[0].startswith("dt_id,image_id,category_id,score,gt50,gt55,")
    assert ",matched50,matched55," in det[0] and ",ignored90,ignored95,iou50," in det[0]
    assert det[0].endswith(",iou90,iou95")
    assert det[1].split(",")[14] in ("0", "1")


def test_pandas_and_arrow_are_optional(sample, monkeypatch):
    _, _, s = sample
    t = s.per_class()
    monkeypatch.setitem(sys.modules, "pandas", None)   # import pandas -> ImportError
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match="pip install pandas") as e:
        t.to_pandas()
    assert isinstance(e.value, vernier.MissingDependencyError) and e.value.extra == "pandas"
    with pytest.raises(ImportError, match="pip install pyarrow"):
        t.to_arrow()


def test_to_pandas(sample):
    """pandas is installed in the test environment (requirements-dev.txt)."""
    import pandas as pd

    _, _, s = sample
    for t in (s.per_class(), s.per_image(), s.per_detection(), s.per_gt()):
        df = t.to_pandas()
        assert isinstance(df, pd.DataFrame)
        assert list(df.columns) == list(t.columns) and len(df) == len(t)
        for c in t.columns:
            assert np.array_equal(df[c].to_numpy(), t[c]), (t.name, c)
    df = s.per_class().to_pandas().set_index("name")
    assert df.loc["person", "AP"] == s.per_class()["AP"][0]


def test_structured_array(sample):
    _, _, s = sample
    t = s.per_detection()
    data = t.data
    assert data.dtype.names == t.columns and len(data) == len(t)
    assert not data.flags.writeable and not t["score"].flags.writeable
    assert np.array_equal(data["gt50"], t["gt50"]) and data["matched75"].dtype == np.bool_
    assert np.asarray(t).dtype == data.dtype


def test_summary_pickle_round_trip(sample):
    _, _, s = sample
    back = pickle.loads(pickle.dumps(s))
    assert back == s
    assert back.metrics == s.metrics and back.pretty_lines() == s.pretty_lines()
    assert back.per_class() == s.per_class()
    assert back.per_image() == s.per_image()
    assert back.per_detection() == s.per_detection()
    assert back.per_gt() == s.per_gt()
    assert back.category_names == s.category_names
    a, b = back.eval_imgs(), s.eval_imgs()
    assert len(a) == len(b)
    assert all((x is None) == (y is None) for x, y in zip(a, b))
    assert back.to_dict(per_class=True) == s.to_dict(per_class=True)


def test_summary_equality_is_exact(loaded):
    _, ds, dt, iou = loaded("bbox")
    strict = Evaluator(iou=iou, parity_mode="strict").evaluate(ds, dt)
    assert strict == Evaluator(iou=iou, parity_mode="strict").evaluate(ds, dt)
    assert strict != Evaluator(iou=iou, parity_mode="strict").evaluate(ds, dt[:-1])
    assert strict != Evaluator(iou=iou, parity_mode="corrected").evaluate(ds, dt)
    back = pickle.loads(pickle.dumps(strict))
    assert back == strict
    with pytest.raises(vernier.StateError):
        back.image_records()


def _evaluate_in_worker(args):
    gt_bytes, dt_bytes = args
    ds = CocoDataset.from_json(gt_bytes)
    return Evaluator(iou=Bbox(), parity_mode="strict").evaluate(ds, dt_bytes, keep_records=True)


def test_summary_from_a_spawn_worker(sample_bytes, sample):
    _, _, s = sample
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        got = pool.map(_evaluate_in_worker, [sample_bytes])[0]
    assert got == s
    assert got.per_class() == s.per_class()
    assert got["AP"] == s["AP"]
    assert str(got) == str(s)


def test_dataset_pickle(sample_bytes, tmp_path):
    gt_bytes, _ = sample_bytes
    ds = CocoDataset.from_json(gt_bytes)
    back = pickle.loads(pickle.dumps(ds))
    assert back == ds and back is not ds and hash(back) == hash(ds)
    assert back.num_annotations == ds.num_annotations
    path = tmp_path / "gt.json"
    path.write_bytes(gt_bytes)
    from_file = CocoDataset(path)
    assert pickle.loads(pickle.dumps(from_file)) == ds
    other = CocoDataset.from_json(as_bytes(tiny_gt()))
    assert other != ds
    # the file changed since it was parsed: pickling refuses
    path.write_bytes(as_bytes(tiny_gt()))
    with pytest.raises(ValueError, match="changed"):
        pickle.dumps(from_file)
    ds.close()
    with pytest.raises(ValueError, match="closed"):
        pickle.dumps(ds)


def test_dataset_pickle_checks_the_digest(sample_bytes):
    gt_bytes, _ = sample_bytes
    ds = CocoDataset.from_json(gt_bytes)
    fn, (data, digest) = ds.__reduce__()
    assert fn(data, digest) == ds
    with pytest.raises(ValueError, match="digest"):
        fn(as_bytes(tiny_gt()), digest)


def test_background_tables_come_from_the_per_class_table(loaded):
    _, ds, dt, iou = loaded("bbox")
    ev = Evaluator(iou=iou, parity_mode="strict")
    with ev.background(ds) as bg:
        bg.submit(dt, timeout=30)
        summary, _, per_class = bg.finalize_with_tables()
    t = summary.per_class()
    assert per_class["ap"].tolist() == t["AP"].tolist()
    assert per_class["ap50"].tolist() == t["AP50"].tolist()
    assert per_class["ar"].tolist() == t["AR100"].tolist()
    assert summary.category_names[1] == "person"
