"""How each evaluator goes from COCO JSON to the 12 stats (bbox, segm or boundary).

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


IOU_TYPES = ("bbox", "segm", "boundary")
BOUNDARY_DILATION_RATIO = 0.02      # COCO's; every adapter below uses it for "boundary"


def vernier_from_bytes(gt_bytes: bytes, dt_bytes: bytes, iou_type: str = "bbox") -> list[float]:
    from vernier.instance import Bbox, Boundary, Evaluator, Segm

    iou = {"bbox": Bbox, "segm": Segm,
           "boundary": lambda: Boundary(dilation_ratio=BOUNDARY_DILATION_RATIO)}[iou_type]()
    return list(Evaluator(iou=iou, parity_mode="strict").evaluate(gt_bytes, dt_bytes).stats)


def pycocotools_from_bytes(gt_bytes: bytes, dt_bytes: bytes, iou_type: str = "bbox") -> list[float]:
    """COCO built from the parsed bytes (json.loads + createIndex), then the usual calls.

    pycocotools has no Boundary IoU: for "boundary" this is the parity
    suite's re-statement of boundary-iou-api on top of pycocotools
    (``parity.boundary_oracle``), the reference vernier is checked against.
    """
    if iou_type == "boundary":
        from parity.boundary_oracle import evaluate_boundary

        return [float(v) for v in evaluate_boundary(gt_bytes, dt_bytes,
                                                    dilation_ratio=BOUNDARY_DILATION_RATIO).stats]
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = json.loads(gt_bytes)
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(json.loads(dt_bytes))
        ev = COCOeval(coco_gt, coco_dt, iou_type)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return [float(v) for v in ev.stats]


def faster_coco_eval_from_files(gt: Path, dt: Path, iou_type: str = "bbox") -> list[float]:
    """faster-coco-eval: its COCO/loadRes and COCOeval_faster; "boundary" is
    its own iouType (``boundary_dilation_ratio``, boundary bands computed in
    C++ on up to 4 processes)."""
    from faster_coco_eval import COCO, COCOeval_faster

    coco_gt = COCO(str(gt))
    coco_dt = coco_gt.loadRes(str(dt))
    kw = {"boundary_dilation_ratio": BOUNDARY_DILATION_RATIO} if iou_type == "boundary" else {}
    ev = COCOeval_faster(coco_gt, coco_dt, iou_type, **kw)
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    return [float(v) for v in ev.stats[:12]]


def _vernier(gt: Path, dt: Path, iou_type: str = "bbox") -> list[float]:
    return vernier_from_bytes(gt.read_bytes(), dt.read_bytes(), iou_type)


def _pycocotools(gt: Path, dt: Path, iou_type: str = "bbox") -> list[float]:
    return pycocotools_from_bytes(gt.read_bytes(), dt.read_bytes(), iou_type)


def _faster_coco_eval(gt: Path, dt: Path, iou_type: str = "bbox") -> list[float]:
    return faster_coco_eval_from_files(gt, dt, iou_type)


def _hotcoco(gt: Path, dt: Path, iou_type: str = "bbox") -> list[float]:
    from hotcoco import COCO, COCOeval

    coco_gt = COCO(str(gt))
    coco_dt = coco_gt.loadRes(str(dt))
    ev = COCOeval(coco_gt, coco_dt, iou_type)
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    return [float(v) for v in ev.stats[:12]]


def _ultrafast(gt: Path, dt: Path, iou_type: str = "bbox") -> list[float]:
    from ultrafast_pycocotools import COCO, COCOeval

    coco_gt = COCO(str(gt), verbose=False)
    coco_dt = coco_gt.loadRes(str(dt))
    ev = COCOeval(coco_gt, coco_dt, iou_type)
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    return [float(v) for v in ev.stats[:12]]


# name -> (module imported before timing starts, distribution name for the version, adapter)
# Every adapter takes (gt path, dt path, iou_type) with iou_type in IOU_TYPES; a
# library without that iouType raises, and the report shows the error.
EVALUATORS = {
    "vernier": ("vernier.instance", "vernier", _vernier),
    "pycocotools": ("pycocotools.cocoeval", "pycocotools", _pycocotools),
    "faster_coco_eval": ("faster_coco_eval", "faster-coco-eval", _faster_coco_eval),
    "hotcoco": ("hotcoco", "hotcoco", _hotcoco),
    "ultrafast_pycocotools": ("ultrafast_pycocotools", "ultrafast-pycocotools", _ultrafast),
}
