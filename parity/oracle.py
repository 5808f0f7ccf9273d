"""The reference: pycocotools 2.0.11, run on in-memory data.

``run_pycocotools`` is the only place the parity suite gets expected values
from (besides the shipped ``fixtures/expected_pycocotools.json``).  It calls
pycocotools exactly as a user would -- ``COCO`` / ``loadRes`` / ``COCOeval``
with default parameters except the ones passed in -- and returns the full
accumulated arrays, not only the 12 summary numbers.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
from dataclasses import dataclass, field
from importlib.metadata import version as _dist_version

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

REFERENCE_VERSION = "2.0.11"


@dataclass
class OracleResult:
    """What pycocotools computed for one evaluation."""

    stats: np.ndarray          # COCOeval.stats (12 values for bbox/segm, 10 for keypoints)
    precision: np.ndarray      # eval['precision']  T x R x K x A x M
    recall: np.ndarray         # eval['recall']     T x K x A x M
    scores: np.ndarray         # eval['scores']     T x R x K x A x M
    eval_imgs: list            # COCOeval.evalImgs (flat list, None for empty cells)
    lines: list[str]           # what summarize() printed, one string per line
    params: object = field(repr=False, default=None)   # COCOeval.params after evaluate()
    summarize_error: str | None = None   # what summarize() raised (only for < 3 caps, bbox/segm)
    coco_eval: object = field(repr=False, default=None)  # the COCOeval itself (ious, _gts, ...)


def _load(data, what: str):
    """bytes/str JSON -> fresh Python object; dict/list -> deep copy.

    pycocotools mutates what it is given (loadRes adds ``id``/``area``/
    ``iscrowd``/``segmentation`` to results, evaluate adds ``ignore`` and
    ``_ignore`` to GT annotations), so the caller's objects are never passed in.
    """
    if isinstance(data, (bytes, bytearray, memoryview, str)):
        return json.loads(bytes(data) if not isinstance(data, str) else data)
    if isinstance(data, (dict, list)):
        return copy.deepcopy(data)
    raise TypeError(f"{what}: expected JSON bytes/str or a parsed object, got {type(data).__name__}")


def _coco_from_dict(dataset: dict) -> COCO:
    coco = COCO()                 # no file: nothing printed, empty index
    coco.dataset = dataset
    coco.createIndex()
    return coco


def _no_detections(coco_gt: COCO) -> COCO:
    """The results object for an empty result list.

    pycocotools' ``loadRes([])`` crashes (``IndexError`` on ``anns[0]``), so
    pycocotools itself has no answer for "no detections".  The parity suite
    defines it as the results object loadRes would build for a non-empty bbox
    list, minus the annotations: ``info`` deep-copied, the GT ``images`` list,
    the GT ``categories`` deep-copied, and ``annotations = []``.  Evaluating
    against it gives what pycocotools' own code computes when every cell has
    no detection (precision 0 where a category has GT, -1 where it has none).
    """
    return _coco_from_dict({
        "info": copy.deepcopy(coco_gt.dataset.get("info", {})),
        "images": [img for img in coco_gt.dataset["images"]],
        "categories": copy.deepcopy(coco_gt.dataset["categories"]),
        "annotations": [],
    })


def check_reference_version() -> None:
    """Raise unless the installed pycocotools is the parity reference."""
    found = _dist_version("pycocotools")
    if found != REFERENCE_VERSION:
        raise RuntimeError(f"the parity reference is pycocotools {REFERENCE_VERSION}, found {found}")


def set_params(params, *, max_dets=None, use_cats: bool = True, kpt_oks_sigmas=None,
               iou_thrs=None, rec_thrs=None, area_rng=None) -> None:
    """Set a ``COCOeval.params`` the way the parity suite does (the arguments of
    :func:`run_pycocotools`); None keeps pycocotools' default."""
    if max_dets is not None:
        params.maxDets = [int(m) for m in max_dets]
    params.useCats = int(bool(use_cats))
    if kpt_oks_sigmas is not None:
        params.kpt_oks_sigmas = np.array(kpt_oks_sigmas, dtype=np.float64)
    if iou_thrs is not None:
        params.iouThrs = np.array([float(t) for t in iou_thrs], dtype=np.float64)
    if rec_thrs is not None:
        params.recThrs = np.array([float(r) for r in rec_thrs], dtype=np.float64)
    if area_rng is not None:
        params.areaRng = [[lo, hi] for _, lo, hi in area_rng]
        params.areaRngLbl = [label for label, _, _ in area_rng]


def evaluate_accumulate(eval_cls, gt, dt, iou_type: str, **params):
    """``eval_cls`` (``COCOeval`` or a subclass) on fresh copies of ``gt``/``dt``,
    parameters set by :func:`set_params`, after ``evaluate()`` and
    ``accumulate()``, everything they print swallowed.  An empty result list
    is "no detections" (:func:`_no_detections`)."""
    gt_data = _load(gt, "gt")
    dt_data = _load(dt, "dt")

    chatter = io.StringIO()       # createIndex/loadRes/evaluate/accumulate progress lines
    with contextlib.redirect_stdout(chatter):
        coco_gt = _coco_from_dict(gt_data)
        if isinstance(dt_data, list) and len(dt_data) == 0:
            coco_dt = _no_detections(coco_gt)
        else:
            coco_dt = coco_gt.loadRes(dt_data)
        ev = eval_cls(coco_gt, coco_dt, iou_type)
        set_params(ev.params, **params)
        ev.evaluate()
        ev.accumulate()
    return ev


def run_pycocotools(gt, dt, iou_type: str = "bbox", max_dets=None, use_cats: bool = True,
                    kpt_oks_sigmas=None, iou_thrs=None, rec_thrs=None,
                    area_rng=None) -> OracleResult:
    """Evaluate ``dt`` against ``gt`` with pycocotools and return everything it computed.

    gt:  GT JSON (bytes/str) or a parsed COCO dict.
    dt:  results JSON (bytes/str, a loadRes-shaped array) or a list of result dicts.
         An empty list means "no detections" (see ``_no_detections``).
    iou_type: "bbox", "segm" or "keypoints".
    max_dets: sequence of ints for ``params.maxDets`` (None keeps the default).
    use_cats: ``params.useCats``.
    kpt_oks_sigmas: optional sigmas for keypoints (None keeps the COCO ones).
    iou_thrs, rec_thrs: optional sequences of floats for ``params.iouThrs`` /
         ``params.recThrs`` (set as float64 numpy arrays, the type pycocotools'
         own Params uses; None keeps the linspace defaults).
    area_rng: optional sequence of ``(label, lo, hi)`` triples (vernier's
         ``area_ranges`` form) for ``params.areaRng`` (``[[lo, hi], ...]``)
         and ``params.areaRngLbl`` (the labels).

    With fewer than three max-detection caps, bbox/segm ``summarize()``
    raises IndexError (it reads ``maxDets[2]``).  That is the only error
    caught here: the result then has empty ``stats`` and ``lines`` (what
    vernier reports for such a ladder, ADR 0010) and ``summarize_error``
    says what pycocotools raised.

    Errors raised by pycocotools (AssertionError for results on unknown
    images, KeyError for missing fields, ...) propagate unchanged.  Everything
    pycocotools prints is swallowed except summarize()'s lines, which are
    returned in ``lines``.
    """
    check_reference_version()
    ev = evaluate_accumulate(COCOeval, gt, dt, iou_type, max_dets=max_dets, use_cats=use_cats,
                             kpt_oks_sigmas=kpt_oks_sigmas, iou_thrs=iou_thrs, rec_thrs=rec_thrs,
                             area_rng=area_rng)

    printed = io.StringIO()
    summarize_error = None
    with contextlib.redirect_stdout(printed):
        try:
            ev.summarize()
        except IndexError as exc:
            if iou_type == "keypoints" or len(ev.params.maxDets) >= 3:
                raise
            summarize_error = f"IndexError: {exc}"
    if summarize_error is None:
        stats, lines = np.array(ev.stats, dtype=np.float64), printed.getvalue().splitlines()
    else:
        stats, lines = np.zeros(0, dtype=np.float64), []

    return OracleResult(
        stats=stats,
        precision=ev.eval["precision"],
        recall=ev.eval["recall"],
        scores=ev.eval["scores"],
        eval_imgs=ev.evalImgs,
        lines=lines,
        params=ev.params,
        summarize_error=summarize_error,
        coco_eval=ev,
    )


def run_boundary_oracle(gt, dt, dilation_ratio: float = 0.02, max_dets=None,
                        use_cats: bool = True) -> OracleResult:
    """Boundary IoU evaluation by the reference re-statement of boundary-iou-api
    (``parity.boundary_oracle.evaluate_boundary``), as an :class:`OracleResult`.

    Same inputs as :func:`run_pycocotools` (the oracle deep-copies or parses
    them itself).  Strict parity means pycocotools 2.0.11's matching with the
    Boundary IoU kernel, so the oracle uses 2.0.11's ``ignore`` rule
    (``ignore = iscrowd``), not the boundary-iou-api fork's
    (docs/explanation/boundary-iou.md).  ``eval_imgs``/``params`` are not exposed by the boundary
    oracle and are left empty.  The printed lines are summarize()'s own.
    """
    from parity.boundary_oracle import evaluate_boundary   # needs OpenCV

    check_reference_version()
    res = evaluate_boundary(gt, dt, dilation_ratio=dilation_ratio, max_dets=max_dets,
                            use_cats=use_cats, pycocotools_ignore=True)
    return OracleResult(
        stats=np.asarray(res.stats, dtype=np.float64),
        precision=res.precision,
        recall=res.recall,
        scores=res.scores,
        eval_imgs=[],
        lines=list(res.lines),
    )
