"""Sliced evaluation (ADR 0024) against pycocotools with ``params.imgIds``.

``Evaluator.evaluate_slices`` (and ``Evaluator.evaluate(..., slices=...)``)
evaluates one image subset per slice.  Each slice's Summary must equal, bit
for bit (strict mode), pycocotools run on the whole ground truth and results
with ``params.imgIds`` set to that slice: ``stats``, ``precision``,
``recall`` and ``scores``.  Checked on the shipped sample and on a generated
workload, with slices that partition the images (by image attribute and by
a random draw), plus a slice covering every image (equal to the plain
evaluation), an overlapping slice and slices with ids the ground truth
lacks or no ids at all.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
from importlib import resources

from pathlib import Path

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

import vernier
from parity.generate import make_workload

FIX = Path(__file__).resolve().parent / "fixtures"
STRICT = vernier.Evaluator(iou=vernier.Bbox(), parity_mode="strict")


@functools.lru_cache(maxsize=None)
def sample() -> tuple[bytes, bytes]:
    data = resources.files("vernier") / "data"
    return ((data / "instances_val2014_100.json").read_bytes(),
            (data / "instances_val2014_fakebbox100_results.json").read_bytes())


@functools.lru_cache(maxsize=None)
def generated() -> tuple[bytes, bytes]:
    gt, dt = make_workload(90, 2101, crowded_image_rate=0.1)
    return json.dumps(gt).encode(), json.dumps(dt).encode()


WORKLOADS = {"sample": sample, "generated": generated}


def pycocotools_subset(gt: bytes, dt: bytes, img_ids, iou_type: str = "bbox") -> dict:
    """pycocotools' evaluation restricted to ``img_ids`` (params.imgIds)."""
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = json.loads(gt)
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(json.loads(dt))
        ev = COCOeval(coco_gt, coco_dt, iou_type)
        ev.params.imgIds = list(img_ids)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return {"stats": np.array(ev.stats, dtype=np.float64), "precision": ev.eval["precision"],
            "recall": ev.eval["recall"], "scores": ev.eval["scores"]}


def assert_same(summary: vernier.Summary, ref: dict, where: str) -> None:
    stats = np.asarray(summary.stats, dtype=np.float64)
    assert stats.tobytes() == ref["stats"].tobytes(), (where, stats, ref["stats"])
    for name in ("precision", "recall", "scores"):
        ours = getattr(summary, name)
        assert ours.shape == ref[name].shape, (where, name)
        assert np.array_equal(ours, ref[name]), (where, name)
        # bit for bit, not just ==
        assert ours.tobytes() == np.ascontiguousarray(ref[name], dtype=np.float64).tobytes(), \
            (where, name)


def image_ids(gt: bytes) -> list[int]:
    return sorted(img["id"] for img in json.loads(gt)["images"])


def partitions(gt: bytes) -> dict[str, dict[str, list[int]]]:
    ids = image_ids(gt)
    data = json.loads(gt)
    n_anns = {i: 0 for i in ids}
    for ann in data["annotations"]:
        n_anns[ann["image_id"]] += 1
    rng = np.random.default_rng(21)
    draw = rng.integers(0, 4, len(ids))
    return {
        # an image attribute: how crowded the image is
        "crowding": {"empty": [i for i in ids if n_anns[i] == 0],
                     "few": [i for i in ids if 0 < n_anns[i] <= 5],
                     "many": [i for i in ids if n_anns[i] > 5]},
        "random4": {f"part{k}": [i for i, d in zip(ids, draw) if d == k] for k in range(4)},
    }


@pytest.mark.parametrize("workload", sorted(WORKLOADS))
@pytest.mark.parametrize("scheme", ["crowding", "random4"])
def test_partition_slices_equal_pycocotools_subsets(workload, scheme):
    gt, dt = WORKLOADS[workload]()
    slices = partitions(gt)[scheme]
    covered = sorted(i for ids in slices.values() for i in ids)
    assert covered == image_ids(gt)          # a partition of the images
    assert sum(1 for ids in slices.values() if ids) >= 2
    out = STRICT.evaluate_slices(gt, dt, slices)
    assert list(out) == list(slices)
    for name, ids in slices.items():
        assert_same(out[name], pycocotools_subset(gt, dt, ids), f"{workload}/{scheme}/{name}")


@pytest.mark.parametrize("workload", sorted(WORKLOADS))
def test_evaluate_with_slices_argument(workload):
    gt, dt = WORKLOADS[workload]()
    ids = image_ids(gt)
    slices = {"all": ids, "odd": [i for i in ids if i % 2], "first": ids[: len(ids) // 3],
              "overlap": ids[len(ids) // 4: len(ids) // 2] + ids[len(ids) // 4: len(ids) // 3]}
    out = STRICT.evaluate(gt, dt, slices=slices)
    assert set(out) == set(slices)
    whole = STRICT.evaluate(gt, dt)
    assert out["all"] == whole
    for name, subset in slices.items():
        assert_same(out[name], pycocotools_subset(gt, dt, sorted(set(subset))),
                    f"{workload}/{name}")
    # a slice is not the whole evaluation
    assert not np.array_equal(out["odd"].precision, whole.precision)


def test_slice_with_unknown_ids_and_empty_slice():
    gt, dt = sample()
    ids = image_ids(gt)
    unknown = max(ids) + 1000
    slices = {"with-unknown": ids[:10] + [unknown], "empty": [],
              "numpy": np.array(ids[10:30], dtype=np.int64)}
    out = STRICT.evaluate_slices(gt, dt, slices)
    assert_same(out["with-unknown"], pycocotools_subset(gt, dt, ids[:10] + [unknown]),
                "with-unknown")
    assert_same(out["numpy"], pycocotools_subset(gt, dt, ids[10:30]), "numpy")
    assert np.all(out["empty"].precision == -1) and np.all(out["empty"].recall == -1)
    assert_same(out["empty"], pycocotools_subset(gt, dt, []), "empty")


def test_slices_keep_records_and_dataset_reuse():
    gt, dt = sample()
    ds = vernier.CocoDataset.from_json(gt)
    ids = image_ids(gt)
    out = STRICT.evaluate_slices(ds, dt, {"a": ids[:50], "b": ids[50:]}, keep_records=True)
    for name, subset in (("a", ids[:50]), ("b", ids[50:])):
        assert_same(out[name], pycocotools_subset(gt, dt, subset), name)
        seen = set(out[name].per_detection()["image_id"].tolist())
        assert seen and seen <= set(subset)


@pytest.mark.parametrize("bad, message", [
    ([1, 2], "mapping"),
    ({1: [1]}, "names must be str"),
    ({"a": "123"}, "iterable of ints"),
    ({"a": [1.5]}, "must be ints"),
    ({"a": [True]}, "must be ints"),
    ({"a": [2 ** 63]}, "int64"),
])
def test_bad_slices_refused(bad, message):
    gt, dt = sample()
    with pytest.raises(vernier.InvalidArgumentError, match=message):
        STRICT.evaluate_slices(gt, dt, bad)


def test_segm_slices_and_threads():
    gt = sample()[0]
    dt = (FIX / "cocoapi" / "instances_val2014_fakesegm100_results.json").read_bytes()
    ids = image_ids(gt)
    slices = {"low": ids[:40], "high": ids[40:]}
    segm = vernier.Evaluator(iou=vernier.Segm(), parity_mode="strict")
    out = segm.evaluate_slices(gt, dt, slices, num_threads=2)
    for name, subset in slices.items():
        assert_same(out[name], pycocotools_subset(gt, dt, subset, "segm"), f"segm/{name}")
