"""Arrays straight into C (issue 18): Detections dicts go to
vernier_results_from_columns and CocoDataset.from_arrays to
vernier_dataset_from_columns, without JSON and without a Python object per
detection.  The column path must build what the JSON path builds: the same
dataset digest and bit-for-bit the same evaluation, on every fixture pair of
the parity suite whose content arrays can carry, and on generated
workloads; binary masks encoded in C must equal pycocotools' strings."""
from __future__ import annotations

import json
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import vernier
from vernier import _lowlevel as ll
from vernier._convert import results_input
from vernier.instance import Bbox, CocoDataset, Evaluator, Keypoints, Segm

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from parity.checks import expected_pairs, load_pair, pair_id, summary_difference  # noqa: E402
from parity.generate import (make_keypoint_workload, make_segm_workload,  # noqa: E402
                             make_workload)

KERNELS = {"bbox": Bbox(), "segm": Segm(), "keypoints": Keypoints()}


# ---- JSON content as arrays ---------------------------------------------------------

class Unrepresentable(Exception):
    """JSON content that columns cannot carry as the JSON loader reads it
    (an optional key on some annotations only, ...)."""


def _int(v):
    if isinstance(v, bool) or not float(v).is_integer():
        raise Unrepresentable(f"id {v!r}")
    return int(v)


def _column(rows, key, conv, *, absent=None, required=False):
    """One column of a JSON table: None when no row has the key; every row
    must have it otherwise (or ``absent`` stands in, when the JSON loader
    reads a missing key as that value)."""
    have = [key in r for r in rows]
    if not any(have):
        if required:
            raise Unrepresentable(f"no {key}")
        return None
    if not all(have) and absent is None:
        raise Unrepresentable(f"{key} on some rows only")
    return [conv(r[key]) if key in r else absent for r in rows]


def gt_tables(gt: dict) -> dict:
    images, cats, anns = gt["images"], gt["categories"], gt["annotations"]
    nonneg = lambda v: _int(v)  # noqa: E731
    img = {"id": np.array([_int(i["id"]) for i in images], np.int64).reshape(-1),
           "width": _column(images, "width", nonneg, absent=-1),
           "height": _column(images, "height", nonneg, absent=-1)}
    cat = {"id": np.array([_int(c["id"]) for c in cats], np.int64).reshape(-1),
           "keypoints": [c.get("keypoints") if isinstance(c.get("keypoints"), list) else None
                         for c in cats]}
    if any(isinstance(c.get("keypoints"), (dict, str, int, float)) for c in cats):
        raise Unrepresentable("keypoint names that are not a list")
    ann = {"id": np.array([_int(a["id"]) for a in anns], np.int64).reshape(-1)}
    for key in ("image_id", "category_id"):
        ann[key] = np.array(_column(anns, key, _int, required=True), np.int64).reshape(-1)

    def box(b):
        if len(b) != 4:
            raise Unrepresentable("bbox")
        return [float(x) for x in b]

    for key, conv, dtype in (("bbox", box, np.float64), ("area", float, np.float64),
                             ("iscrowd", int, np.int64), ("ignore", lambda v: int(v != 0), np.int64),
                             ("num_keypoints", _int, np.int64)):
        col = _column(anns, key, conv)
        if col is not None:
            ann[key] = np.array(col, dtype).reshape((len(anns), 4) if key == "bbox" else -1)
    if any("segmentation" in a for a in anns):
        for a in anns:
            s = a.get("segmentation")
            if s is not None and not isinstance(s, (list, dict)):
                raise Unrepresentable("a segmentation of another type")
            if isinstance(s, list) and not all(isinstance(p, list) and
                                               all(isinstance(x, (int, float)) for x in p)
                                               for p in s):
                raise Unrepresentable("polygons with other values")
            if isinstance(s, dict) and not ({"size", "counts"} <= set(s) and
                                            isinstance(s["counts"], (str, list))):
                raise Unrepresentable("an RLE of another shape")
        ann["segmentation"] = [a.get("segmentation") for a in anns]
    if any("keypoints" in a for a in anns):
        if any(a.get("keypoints") == [] for a in anns):
            raise Unrepresentable("an empty keypoints list")
        ann["keypoints"] = [a.get("keypoints") for a in anns]
    return {"images": img, "categories": cat, "annotations": ann}


def detections_of(dt: list) -> dict:
    """A loadRes result list as one Detections dict of arrays."""
    if not dt:
        raise Unrepresentable("an empty result list")
    keys = set().union(*dt)
    d = {"image_id": np.array([_int(r["image_id"]) for r in dt], np.int64),
         "labels": np.array([_int(r["category_id"]) for r in dt], np.int64),
         "scores": np.array([float(r["score"]) for r in dt], np.float64)}
    for key in ("bbox", "segmentation", "keypoints"):
        if key in keys and not all(key in r for r in dt):
            raise Unrepresentable(f"{key} on some results only")
    if "bbox" in keys:
        if not all(len(r["bbox"]) == 4 for r in dt):
            raise Unrepresentable("a bbox without 4 values")
        d["boxes"] = np.array([r["bbox"] for r in dt], np.float64)
    if "segmentation" in keys:
        d["segmentation"] = [r["segmentation"] for r in dt]
    if "keypoints" in keys:
        lens = {len(r["keypoints"]) for r in dt}
        if len(lens) != 1 or 0 in lens or next(iter(lens)) % 3:
            raise Unrepresentable("keypoint lists of different lengths")
        d["keypoints"] = np.array([r["keypoints"] for r in dt], np.float64).reshape(
            len(dt), -1, 3)
    return d


def _outcome(fn):
    try:
        return fn(), None
    except vernier.VernierError as e:
        return None, e


def _pairs():
    out = []
    for iou in ("bbox", "segm", "keypoints"):
        for entry in expected_pairs(iou):
            gt_b, dt_b = load_pair(entry)
            try:
                tables = gt_tables(json.loads(gt_b))
                dets = detections_of(json.loads(dt_b))
            except Unrepresentable:
                continue
            out.append(pytest.param(iou, gt_b, dt_b, tables, dets,
                                    id=f"{iou}:{pair_id(entry)}"))
    return out


PAIRS = _pairs()


def test_most_fixture_pairs_are_representable():
    # the filter above must not quietly empty the parametrisation
    total = sum(len(expected_pairs(i)) for i in ("bbox", "segm", "keypoints"))
    assert len(PAIRS) >= 0.9 * total, (len(PAIRS), total)


def check_same(iou, gt_json, dt_json, gt_cols, dets, *, cast=False):
    """JSON path and column path: same digest, and the same summary or the
    same error."""
    ds_json = CocoDataset.from_json(gt_json)
    ds_cols = gt_cols if isinstance(gt_cols, CocoDataset) else CocoDataset.from_arrays(**gt_cols)
    assert ds_cols.digest == ds_json.digest
    ev = Evaluator(iou=KERNELS[iou], parity_mode="strict", cast_inputs=cast)
    a, ea = _outcome(lambda: ev.evaluate(ds_json, dt_json))
    b, eb = _outcome(lambda: ev.evaluate(ds_cols, dets))
    if ea is not None or eb is not None:
        assert type(ea) is type(eb), (ea, eb)
        assert ea.code == eb.code and ea.reason == eb.reason, (ea, eb)
        return
    diff = summary_difference(a, b)
    assert diff is None, diff


@pytest.mark.parametrize("iou, gt_b, dt_b, tables, dets", PAIRS)
def test_fixture_pair_column_path_equals_json_path(iou, gt_b, dt_b, tables, dets):
    data, _ = results_input(dets)
    # the column path is taken unless a segmentation is not a compressed RLE
    # (polygons, uncompressed counts: those go through JSON, read the same)
    rle_only = all(isinstance(r, dict) and isinstance(r.get("counts"), str)
                   for r in dets.get("segmentation", []))
    assert isinstance(data, ll.Columns) == rle_only
    check_same(iou, gt_b, dt_b, tables, dets)


@pytest.mark.parametrize("iou, builder, seed", [
    ("bbox", make_workload, 0), ("bbox", make_workload, 1), ("bbox", make_workload, 2),
    ("segm", make_segm_workload, 0), ("segm", make_segm_workload, 1),
    ("keypoints", make_keypoint_workload, 0), ("keypoints", make_keypoint_workload, 1)])
def test_generated_workload_column_path_equals_json_path(iou, builder, seed):
    gt, dt = builder(30, seed)
    dets = detections_of(dt)
    data, _ = results_input(dets)
    assert isinstance(data, ll.Columns)
    check_same(iou, json.dumps(gt).encode(), json.dumps(dt).encode(), gt_tables(gt), dets)


def _random_masks(rng, n, h, w):
    masks = np.zeros((n, h, w), np.bool_)
    for i in range(n):
        y0, x0 = rng.integers(0, h - 2), rng.integers(0, w - 2)
        masks[i, y0:rng.integers(y0 + 1, h), x0:rng.integers(x0 + 1, w)] = True
        masks[i] ^= rng.random((h, w)) < 0.05
    return masks


def test_binary_masks_encoded_in_c_equal_pycocotools_strings():
    from pycocotools import mask as pcm
    rng = np.random.default_rng(5)
    h, w = 23, 31
    gt_masks = _random_masks(rng, 12, h, w)
    images = {"id": np.array([1, 2, 3]), "width": np.full(3, w), "height": np.full(3, h)}
    gt_img = np.repeat([1, 2, 3], 4)
    gt_rles = [pcm.encode(np.asfortranarray(m.astype(np.uint8))) for m in gt_masks]
    gt_json = {"images": [{"id": i, "width": w, "height": h} for i in (1, 2, 3)],
               "categories": [{"id": 1}, {"id": 2}],
               "annotations": [{"id": k + 1, "image_id": int(gt_img[k]), "category_id": k % 2 + 1,
                                "iscrowd": int(k == 5), "area": float(pcm.area(r)),
                                "bbox": [float(x) for x in pcm.toBbox(r)],
                                "segmentation": {"size": [h, w],
                                                 "counts": r["counts"].decode()}}
                               for k, r in enumerate(gt_rles)]}
    gt_cols = {"images": images, "categories": {"id": np.array([1, 2])},
               "annotations": {"id": np.arange(1, 13), "image_id": gt_img,
                               "category_id": np.arange(12) % 2 + 1,
                               "iscrowd": (np.arange(12) == 5).astype(np.uint8),
                               "area": np.array([float(pcm.area(r)) for r in gt_rles]),
                               "bbox": np.array([pcm.toBbox(r) for r in gt_rles]),
                               "segmentation": gt_masks}}
    dt_masks = _random_masks(rng, 20, h, w)
    dt_img = rng.integers(1, 4, 20)
    labels = rng.integers(1, 3, 20)
    scores = rng.random(20)
    dt_json = [{"image_id": int(i), "category_id": int(c), "score": float(s),
                "segmentation": {"size": [h, w], "counts": pcm.encode(
                    np.asfortranarray(m.astype(np.uint8)))["counts"].decode()}}
               for i, c, s, m in zip(dt_img, labels, scores, dt_masks)]
    dets = {"image_id": dt_img, "labels": labels, "scores": scores, "masks": dt_masks}
    check_same("segm", json.dumps(gt_json).encode(), json.dumps(dt_json).encode(), gt_cols,
               dets)
    # a sequence of dicts with masks of different sizes: per-row sizes
    small = _random_masks(rng, 3, 7, 9)
    seq = [dets, {"image_id": np.int64(9), "labels": np.array([1, 1, 2]),
                  "scores": np.array([0.1, 0.2, 0.3]), "masks": small}]
    data, _ = results_input(seq)
    assert isinstance(data, ll.Columns) and "mask_offsets" in data.arrays
    dt_json2 = dt_json + [{"image_id": 9, "category_id": c, "score": s, "segmentation": {
        "size": [7, 9], "counts": pcm.encode(np.asfortranarray(m.astype(np.uint8)))["counts"]
        .decode()}} for c, s, m in zip([1, 1, 2], [0.1, 0.2, 0.3], small)]
    r1 = ll.results_load_json(json.dumps(dt_json2).encode())
    r2 = ll.Results(ll.ffi.gc(ll._results_parse(data), ll.lib.vernier_results_free))
    assert r1.count() == r2.count() == 23


def test_column_errors_name_the_array_and_row():
    gt = CocoDataset.from_arrays(images={"id": [1, 2]}, categories={"id": [1]},
                                 annotations={"id": [1], "image_id": [1], "category_id": [1],
                                              "bbox": np.ones((1, 4)), "area": [1.0]})
    scores = np.linspace(0.1, 0.9, 20)
    scores[17] = np.nan
    dets = {"image_id": np.ones(20, np.int64), "labels": np.ones(20, np.int64),
            "scores": scores, "boxes": np.ones((20, 4))}
    with pytest.raises(vernier.SchemaError) as ei:
        Evaluator().evaluate(gt, dets)
    e = ei.value
    assert e.path == 'Detections["scores"][17]' and e.index == 17
    assert str(e) == 'Detections["scores"][17]: is NaN' and e.line is None
    masks = np.zeros((2, 3, 4), np.uint8)
    masks[1, 2, 3] = 7
    with pytest.raises(vernier.SchemaError) as ei:
        Evaluator(iou=Segm()).evaluate(gt, {"image_id": np.array([1, 2]),
                                            "labels": np.ones(2, np.int64), "scores": np.ones(2),
                                            "masks": masks})
    assert ei.value.path == 'Detections["masks"][1]'
    assert "holds 7 at row 2, column 3" in str(ei.value)
    with pytest.raises(vernier.SchemaError) as ei:
        CocoDataset.from_arrays(images={"id": [1]}, categories={"id": [1]},
                                annotations={"id": [5], "image_id": [1], "category_id": [1],
                                             "bbox": np.array([[1, 2, np.inf, 3]])})
    assert ei.value.path == "boxes[0][2]" and "+inf" in str(ei.value)
    assert ei.value.annotation_id == 5


class _FakeDevice:
    """An array on a device as DLPack describes it (no torch needed)."""

    def __init__(self, a, device_type):
        self._a, self._t = a, device_type

    def __dlpack_device__(self):
        return (self._t, 0)

    def __dlpack__(self, **kw):
        return self._a.__dlpack__(**kw)


def test_dlpack_and_array_interfaces_without_torch():
    gt = CocoDataset.from_arrays(images={"id": [1]}, categories={"id": [1]},
                                 annotations={"id": [1], "image_id": [1], "category_id": [1],
                                              "bbox": np.array([[1.0, 1, 4, 4]]), "area": [16.0],
                                              "iscrowd": [0]})
    boxes = np.array([[1.0, 1, 4, 4], [0, 0, 2, 2]])
    base = {"image_id": np.array([1, 1]), "labels": np.array([1, 1]),
            "scores": np.array([0.9, 0.5]), "boxes": boxes}
    want = Evaluator().evaluate(gt, base).stats

    class ArrayOnly:
        def __array__(self, dtype=None, copy=None):
            return boxes

    got = Evaluator().evaluate(gt, base | {"boxes": _FakeDevice(boxes, 1)})
    assert list(got.stats) == list(want)
    assert list(Evaluator().evaluate(gt, base | {"boxes": ArrayOnly()}).stats) == list(want)
    with pytest.raises(vernier.SchemaError, match=r"\.cpu\(\)") as ei:
        Evaluator().evaluate(gt, base | {"boxes": _FakeDevice(boxes, 2)})
    assert ei.value.path == 'Detections["boxes"]'


def test_float32_is_widened_exactly_with_cast_inputs():
    gt, dt = make_workload(10, 7)
    d = detections_of(dt)
    d32 = d | {"boxes": d["boxes"].astype(np.float32), "scores": d["scores"].astype(np.float32),
               "labels": d["labels"].astype(np.int32), "image_id": d["image_id"].astype(np.int32)}
    widened = [r | {"bbox": [float(np.float32(x)) for x in r["bbox"]],
                    "score": float(np.float32(r["score"]))} for r in dt]
    check_same("bbox", json.dumps(gt).encode(), json.dumps(widened).encode(), gt_tables(gt), d32,
               cast=True)


def test_background_submit_of_arrays_equals_evaluate():
    gt, dt = make_workload(30, 3)
    ds = CocoDataset.from_arrays(**gt_tables(gt))
    d = detections_of(dt)
    want = Evaluator().evaluate(ds, json.dumps(dt).encode())
    with Evaluator().background(ds) as bg:
        for img in np.unique(d["image_id"]):
            keep = d["image_id"] == img
            bg.submit({k: v[keep] for k, v in d.items()}, timeout=60)
        got = bg.finalize()
    assert summary_difference(want, got) is None


def test_a_million_detections_allocate_no_python_object_each():
    n = 1_000_000
    rng = np.random.default_rng(0)
    dets = {"image_id": rng.integers(1, 5001, n), "labels": rng.integers(1, 81, n),
            "scores": rng.random(n), "boxes": rng.random((n, 4)) * 100}
    gt = CocoDataset.from_arrays(images={"id": np.arange(1, 5001)}, categories={"id": [1]},
                                 annotations={"id": [1], "image_id": [1], "category_id": [1],
                                              "bbox": np.ones((1, 4)), "area": [1.0]})
    tracemalloc.start()
    try:
        data, _ = results_input(dets)
        res = ll._results_parse(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    try:
        assert ll.lib.vernier_results_num_detections(res) == n
    finally:
        ll.lib.vernier_results_free(res)
    assert peak < 10 * 2 ** 20, peak
    del gt


def test_loadres_rows_array_equals_the_json_path():
    gt, dt = make_workload(15, 11)
    rows = np.array([[r["image_id"], *r["bbox"], r["score"], r["category_id"]] for r in dt],
                    np.float64)
    data, _ = results_input(rows)
    assert isinstance(data, ll.Columns)
    check_same("bbox", json.dumps(gt).encode(), json.dumps(dt).encode(), gt_tables(gt), rows)
    bad = rows.copy()
    bad[4, 0] += 0.5
    with pytest.raises(vernier.SchemaError) as ei:
        Evaluator().evaluate(json.dumps(gt).encode(), bad)
    assert ei.value.path == "results[4][0]" and ei.value.index == 4
    bad = rows.copy()
    bad[6, 3] = np.nan
    with pytest.raises(vernier.SchemaError) as ei:
        Evaluator().evaluate(json.dumps(gt).encode(), bad)
    assert ei.value.path == "results[6][3]" and ei.value.index == 6
    with pytest.raises(vernier.SchemaError, match="N x 7"):
        Evaluator().evaluate(json.dumps(gt).encode(), rows[:, :6])


def test_from_arrays_category_names_as_json():
    """Category names given as columns read back as the JSON loader's
    (a missing name as ""), and the digest is the JSON dataset's."""
    import json

    from vernier import CocoDataset

    gt = {"images": [{"id": 1, "width": 10, "height": 10}],
          "categories": [{"id": 1, "name": "cat"}, {"id": 2}, {"id": 3, "name": "dög"}],
          "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2],
                           "area": 4.0}]}
    from_json = CocoDataset.from_json(json.dumps(gt).encode())
    from_cols = CocoDataset.from_arrays(
        images={"id": [1], "width": [10], "height": [10]},
        categories={"id": [1, 2, 3], "name": ["cat", None, "dög"]},
        annotations={"id": [1], "image_id": [1], "category_id": [1], "bbox": [[0, 0, 2, 2]],
                     "area": [4.0]})
    assert from_cols.category_names == from_json.category_names == {1: "cat", 2: "", 3: "dög"}
    assert from_cols.digest == from_json.digest
    unnamed = CocoDataset.from_arrays(images={"id": [1]}, categories={"id": [1]},
                                      annotations={"id": [1], "image_id": [1],
                                                   "category_id": [1]})
    assert unnamed.category_names == {1: ""}
    with pytest.raises(vernier.SchemaError, match=r'categories\["name"\]'):
        CocoDataset.from_arrays(images={"id": [1]}, categories={"id": [1], "name": ["a", "b"]},
                                annotations={"id": [1], "image_id": [1], "category_id": [1]})
