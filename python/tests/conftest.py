"""Shared fixtures and helpers of the binding tests (imported as ``conftest``)."""
import contextlib
import copy
import functools
import io
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "parity" / "fixtures"
VAL100 = FIX / "faster_coco_eval" / "dataset" / "cocoapi" / "instances_val2014_100.json"
# kind -> (GT file, results file, name of the vernier kernel): COCO val2014's
# 100 images with cocoapi's fake results, xtcocoapi's keypoint example.
CASES = {
    "bbox": (VAL100, FIX / "cocoapi" / "instances_val2014_fakebbox100_results.json", "bbox"),
    "segm": (VAL100, FIX / "cocoapi" / "instances_val2014_fakesegm100_results.json", "segm"),
    "boundary": (VAL100, FIX / "cocoapi" / "instances_val2014_fakesegm100_results.json",
                 "boundary"),
    "keypoints": (FIX / "xtcocoapi" / "example_coco_val.json",
                  FIX / "xtcocoapi" / "example_coco_preds.json", "keypoints"),
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "heavy: a binding test that takes many seconds or extra processes (the torch "
        "distributed ranks, the largest differential sweeps); `make check` deselects them "
        "with -m 'not heavy', `make test` runs everything")


@pytest.fixture(scope="session")
def sample_bytes():
    """The shipped sample: COCO val2014 100-image GT and cocoapi's bbox results."""
    data = resources.files("vernier") / "data"
    return ((data / "instances_val2014_100.json").read_bytes(),
            (data / "instances_val2014_fakebbox100_results.json").read_bytes())


def tiny_gt(**overrides):
    """A two-image ground truth built in the test, as a dict."""
    gt = {
        "images": [{"id": 1, "width": 100, "height": 100}, {"id": 2, "width": 100, "height": 100}],
        "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "area": 400,
             "iscrowd": 0},
            {"id": 2, "image_id": 2, "category_id": 2, "bbox": [0, 0, 50, 40], "area": 2000,
             "iscrowd": 0},
        ],
    }
    gt.update(overrides)
    return gt


def tiny_dt():
    return [
        {"image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "score": 0.9},
        {"image_id": 2, "category_id": 2, "bbox": [5, 0, 50, 40], "score": 0.8},
        {"image_id": 2, "category_id": 1, "bbox": [60, 60, 10, 10], "score": 0.3},
    ]


def as_bytes(obj) -> bytes:
    return json.dumps(obj).encode()


def kernel(name: str):
    """The vernier kernel object with its defaults: Bbox(), Segm(), Boundary(), Keypoints()."""
    from vernier.instance import Bbox, Boundary, Keypoints, Segm

    return {"bbox": Bbox, "segm": Segm, "boundary": Boundary, "keypoints": Keypoints}[name]()


@pytest.fixture(scope="module")
def loaded():
    """``loaded(kind)`` -> (GT bytes, CocoDataset, results list, kernel) of ``CASES[kind]``,
    read once per test module."""
    from vernier.instance import CocoDataset

    cache = {}

    def get(kind):
        if kind not in cache:
            gt_path, dt_path, iou = CASES[kind]
            gt_bytes = gt_path.read_bytes()
            cache[kind] = (gt_bytes, CocoDataset.from_json(gt_bytes),
                           json.loads(dt_path.read_bytes()), kernel(iou))
        return cache[kind]
    return get


def assert_same(a, b):
    """Two vernier summaries equal: stats and the three arrays."""
    assert a.stats == b.stats
    for name in ("precision", "recall", "scores"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def pycocotools_eval(gt, dt, iou_type="bbox", **params):
    """pycocotools' COCOeval on copies of ``gt`` (a dict) and ``dt`` (a list), each
    ``params`` item set on ``ev.params``, after evaluate/accumulate/summarize
    (everything it prints swallowed)."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO()
        coco.dataset = copy.deepcopy(gt)
        coco.createIndex()
        ev = COCOeval(coco, coco.loadRes(copy.deepcopy(dt)), iou_type)
        for k, v in params.items():
            setattr(ev.params, k, v)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev


@functools.lru_cache(maxsize=None)
def case_reference(kind: str):
    """:func:`pycocotools_eval` on ``CASES[kind]`` (not "boundary"), computed once per
    session: several test modules compare against it.  Read it, never change it."""
    gt_path, dt_path, _ = CASES[kind]
    return pycocotools_eval(json.loads(gt_path.read_bytes()), json.loads(dt_path.read_bytes()),
                            kind)
