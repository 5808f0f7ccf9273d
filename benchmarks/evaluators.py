"""How each evaluator goes from COCO JSON to the 12 bbox stats.

Each adapter does what a user of that library would do, with the library's
default parameters, and returns the stats as a list of floats.  Progress
output is the caller's business (the benchmarks silence it).

* ``vernier`` and ``pycocotools`` start from JSON bytes already in memory
  ("JSON bytes -> stats"), so file reading is not part of their timing in
  ``bench_bbox.py``; ``compare.py`` reads the files inside the timed region.
* The peers are given file paths, their own fastest entry point (hotcoco and
  ultrafast-pycocotools parse JSON natively from a path).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path


def vernier_from_bytes(gt_bytes: bytes, dt_bytes: bytes) -> list[float]:
    from vernier.instance import Bbox, Evaluator

    return list(Evaluator(iou=Bbox(), parity_mode="strict").evaluate(gt_bytes, dt_bytes).stats)


def pycocotools_from_bytes(gt_bytes: bytes, dt_bytes: bytes) -> list[float]:
    """COCO built from the parsed bytes (json.loads + createIndex), then the usual calls."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = json.loads(gt_bytes)
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(json.loads(dt_bytes))
        ev = COCOeval(coco_gt, coco_dt, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return [float(v) for v in ev.stats]


def _vernier(gt: Path, dt: Path) -> list[float]:
    return vernier_from_bytes(gt.read_bytes(), dt.read_bytes())


def _pycocotools(gt: Path, dt: Path) -> list[float]:
    return pycocotools_from_bytes(gt.read_bytes(), dt.read_bytes())


def _faster_coco_eval(gt: Path, dt: Path) -> list[float]:
    from faster_coco_eval import COCO, COCOeval_faster

    coco_gt = COCO(str(gt))
    coco_dt = coco_gt.loadRes(str(dt))
    ev = COCOeval_faster(coco_gt, coco_dt, "bbox")
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    return [float(v) for v in ev.stats[:12]]


def _hotcoco(gt: Path, dt: Path) -> list[float]:
    from hotcoco import COCO, COCOeval

    coco_gt = COCO(str(gt))
    coco_dt = coco_gt.loadRes(str(dt))
    ev = COCOeval(coco_gt, coco_dt, "bbox")
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    return [float(v) for v in ev.stats[:12]]


def _ultrafast(gt: Path, dt: Path) -> list[float]:
    from ultrafast_pycocotools import COCO, COCOeval

    coco_gt = COCO(str(gt), verbose=False)
    coco_dt = coco_gt.loadRes(str(dt))
    ev = COCOeval(coco_gt, coco_dt, "bbox")
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    return [float(v) for v in ev.stats[:12]]


# name -> (module imported before timing starts, distribution name for the version, adapter)
EVALUATORS = {
    "vernier": ("vernier.instance", "vernier", _vernier),
    "pycocotools": ("pycocotools.cocoeval", "pycocotools", _pycocotools),
    "faster_coco_eval": ("faster_coco_eval", "faster-coco-eval", _faster_coco_eval),
    "hotcoco": ("hotcoco", "hotcoco", _hotcoco),
    "ultrafast_pycocotools": ("ultrafast_pycocotools", "ultrafast-pycocotools", _ultrafast),
}
