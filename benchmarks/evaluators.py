"""How each evaluator goes from COCO JSON to the 12 stats (bbox, segm or boundary).

Each adapter does what a user of that library would do, with the library's
default parameters, and returns the stats as a list of floats.  Progress
output is the caller's business (the benchmarks silence it).

* ``vernier`` and ``pycocotools`` start from JSON bytes already in memory
  ("JSON bytes -> stats"), so file reading is not part of their timing in
  ``bench_bbox.py``; ``compare.py`` reads the files inside the timed region.
* The peers are given file paths, their own fastest entry point (hotcoco and
  ultrafast-pycocotools parse JSON natively from a path).
* ``threads``: None leaves each library at its default; a number sets the
  library's own knob where it has one in the call (vernier and vernier-rs:
  ``num_threads``; faster-coco-eval: ``rle_iou_max_workers`` and
  ``boundary_cpu_count``).  hotcoco and ultrafast-pycocotools size their
  rayon pools from the environment (``RAYON_NUM_THREADS``), which the caller
  sets before the process starts (``benchmarks/peers.py`` does).
* Keypoints return 10 stats (pycocotools' keypoint summary), the others 12.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path


IOU_TYPES = ("bbox", "segm", "boundary", "keypoints")
BOUNDARY_DILATION_RATIO = 0.02      # COCO's; every adapter below uses it for "boundary"


def _n_stats(iou_type: str) -> int:
    return 10 if iou_type == "keypoints" else 12


def vernier_from_bytes(gt_bytes: bytes, dt_bytes: bytes, iou_type: str = "bbox",
                       threads: int | None = None) -> list[float]:
    from vernier.instance import Bbox, Boundary, Evaluator, Keypoints, Segm

    iou = {"bbox": Bbox, "segm": Segm, "keypoints": Keypoints,
           "boundary": lambda: Boundary(dilation_ratio=BOUNDARY_DILATION_RATIO)}[iou_type]()
    return list(Evaluator(iou=iou, parity_mode="strict").evaluate(gt_bytes, dt_bytes,
                                                                  num_threads=threads).stats)


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


def faster_coco_eval_from_files(gt: Path, dt: Path, iou_type: str = "bbox",
                                threads: int | None = None) -> list[float]:
    """faster-coco-eval: its COCO/loadRes and COCOeval_faster; "boundary" is
    its own iouType (``boundary_dilation_ratio``, boundary bands computed in
    C++ on up to 4 processes)."""
    from faster_coco_eval import COCO, COCOeval_faster

    coco_gt = COCO(str(gt))
    coco_dt = coco_gt.loadRes(str(dt))
    kw = {"boundary_dilation_ratio": BOUNDARY_DILATION_RATIO} if iou_type == "boundary" else {}
    if threads is not None:
        kw.update(rle_iou_max_workers=threads, boundary_cpu_count=threads)
    ev = COCOeval_faster(coco_gt, coco_dt, iou_type, **kw)
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    return [float(v) for v in ev.stats[:_n_stats(iou_type)]]


def _vernier(gt: Path, dt: Path, iou_type: str = "bbox", threads: int | None = None) -> list[float]:
    return vernier_from_bytes(gt.read_bytes(), dt.read_bytes(), iou_type, threads)


def _pycocotools(gt: Path, dt: Path, iou_type: str = "bbox", threads: int | None = None) -> list[float]:
    return pycocotools_from_bytes(gt.read_bytes(), dt.read_bytes(), iou_type)


def _faster_coco_eval(gt: Path, dt: Path, iou_type: str = "bbox",
                      threads: int | None = None) -> list[float]:
    return faster_coco_eval_from_files(gt, dt, iou_type, threads)


def _hotcoco(gt: Path, dt: Path, iou_type: str = "bbox", threads: int | None = None) -> list[float]:
    from hotcoco import COCO, COCOeval

    coco_gt = COCO(str(gt))
    coco_dt = coco_gt.loadRes(str(dt))
    ev = COCOeval(coco_gt, coco_dt, iou_type)
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    return [float(v) for v in ev.stats[:_n_stats(iou_type)]]


def _ultrafast(gt: Path, dt: Path, iou_type: str = "bbox", threads: int | None = None) -> list[float]:
    from ultrafast_pycocotools import COCO, COCOeval

    coco_gt = COCO(str(gt), verbose=False)
    coco_dt = coco_gt.loadRes(str(dt))
    ev = COCOeval(coco_gt, coco_dt, iou_type)
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    return [float(v) for v in ev.stats[:_n_stats(iou_type)]]


def _vernier_rs(gt: Path, dt: Path, iou_type: str = "bbox", threads: int | None = None) -> list[float]:
    """The Rust-based PyPI ``vernier`` (vernier-rs; same import name as ours,
    so it only ever runs from its own virtual environment): JSON bytes in,
    strict parity mode, ``num_threads`` (None or 1: sequential)."""
    from vernier.instance import Bbox, Boundary, Evaluator, Keypoints, Segm

    iou = {"bbox": Bbox, "segm": Segm, "keypoints": Keypoints,
           "boundary": lambda: Boundary(dilation_ratio=BOUNDARY_DILATION_RATIO)}[iou_type]()
    summary = Evaluator(iou=iou, parity_mode="strict").evaluate(gt.read_bytes(), dt.read_bytes(),
                                                                num_threads=threads)
    return [float(v) for v in summary.stats][:_n_stats(iou_type)]


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

# Only in benchmarks/peers.py, which runs it from .venv-vernier-rs (never
# importable next to this project's vernier).
VERNIER_RS = ("vernier.instance", "vernier", _vernier_rs)
