"""The Boundary IoU reference: boundary-iou-api's semantics in numpy + OpenCV.

Boundary IoU (Cheng et al., CVPR 2021) is defined by the code of
bowenc0221/boundary-iou-api; this module re-states that code so the test
suite can compute expected values in-process, independently of vernier:

* ``mask_to_boundary`` is boundary_iou/utils/boundary_utils.py's function of
  the same name, line for line: d = max(1, int(round(ratio * sqrt(h^2 +
  w^2)))), ``cv2.copyMakeBorder`` with one zero pixel on every side,
  ``cv2.erode`` with a 3x3 kernel of ones ``d`` times, crop, subtract.
* ``boundary_rle`` is what augment_annotations_with_boundary_single_core
  stores in ``ann['boundary']``: ``pycocotools.mask.encode`` of that band.
* ``boundary_ious`` is boundary_iou/coco_instance_api/cocoeval.py's
  ``computeBoundaryIoU`` on already-sorted, already-truncated lists: mask IoU
  and boundary IoU both through ``pycocotools.mask.iou`` (box prefilter and
  crowd rule included), combined by an element-wise minimum on the non-crowd
  GT columns only; crowd columns keep the mask IoU.
* ``evaluate_boundary`` runs a whole COCO evaluation the way boundary-iou-api's
  COCOeval(iouType="boundary") does, on top of pycocotools 2.0.11's COCOeval
  (whose evaluateImg/accumulate/summarize the fork shares).

See docs/explanation/boundary-iou.md for the sources and the details.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
from dataclasses import dataclass

import cv2
import numpy as np
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


# --------------------------------------------------------------------------
# boundary_iou/utils/boundary_utils.py


def dilation_of(h: int, w: int, dilation_ratio: float = 0.02) -> int:
    """The erosion depth mask_to_boundary uses for an h x w mask.

    ``np.sqrt`` of the exact integer h**2 + w**2 (a float64), times the ratio
    (float64 product), Python's ``round`` (half to even), ``int``, at least 1.
    """
    img_diag = np.sqrt(h ** 2 + w ** 2)
    dilation = int(round(dilation_ratio * img_diag))
    if dilation < 1:
        dilation = 1
    return dilation


def mask_to_boundary_d(mask: np.ndarray, dilation: int) -> np.ndarray:
    """The body of mask_to_boundary for a given erosion depth ``dilation``."""
    h, w = mask.shape
    # Pad so that a mask truncated by the image border is also boundary.
    new_mask = cv2.copyMakeBorder(mask, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    kernel = np.ones((3, 3), dtype=np.uint8)
    new_mask_erode = cv2.erode(new_mask, kernel, iterations=dilation)
    mask_erode = new_mask_erode[1: h + 1, 1: w + 1]
    return mask - mask_erode


def mask_to_boundary(mask: np.ndarray, dilation_ratio: float = 0.02) -> np.ndarray:
    """boundary-iou-api's mask_to_boundary: the band of a uint8 0/1 mask."""
    h, w = mask.shape
    return mask_to_boundary_d(mask, dilation_of(h, w, dilation_ratio))


def encode_mask(mask: np.ndarray) -> dict:
    """pycocotools RLE (compressed counts, bytes) of a 2-D uint8 0/1 mask,
    encoded as augment_annotations_with_boundary_single_core does."""
    return mask_utils.encode(np.array(mask[:, :, None], order="F", dtype="uint8"))[0]


def decode_rle(rle: dict) -> np.ndarray:
    """The h x w uint8 mask of one RLE (what COCO.annToMask returns)."""
    return mask_utils.decode(rle)


def boundary_rle_d(rle: dict, dilation: int) -> dict:
    """RLE of the band of an RLE mask for a given erosion depth."""
    return encode_mask(mask_to_boundary_d(decode_rle(rle), dilation))


def boundary_rle(rle: dict, dilation_ratio: float = 0.02) -> dict:
    """``ann['boundary']`` as boundary-iou-api computes it from the mask."""
    return encode_mask(mask_to_boundary(decode_rle(rle), dilation_ratio))


# --------------------------------------------------------------------------
# boundary_iou/coco_instance_api/cocoeval.py: computeBoundaryIoU


def boundary_ious(dt_rles, gt_rles, iscrowd, dilation_ratio: float = 0.02):
    """D x G Boundary IoU matrix of detections against ground truths.

    dt_rles / gt_rles: pycocotools RLE dicts (already in the order and number
    computeBoundaryIoU would use: detections sorted by score and cut at
    maxDets[-1]).  iscrowd: one flag per GT.  Returns what computeBoundaryIoU
    returns: a D x G float64 array, or an empty array when either side is
    empty (np.minimum of the two [] that pycocotools.mask.iou returns).
    """
    iscrowd = [int(c) for c in iscrowd]
    d_b = [boundary_rle(r, dilation_ratio) for r in dt_rles]
    g_b = [boundary_rle(r, dilation_ratio) for r in gt_rles]
    mask_ious = np.array(mask_utils.iou(list(dt_rles), list(gt_rles), iscrowd))
    b_ious = np.array(mask_utils.iou(d_b, g_b, iscrowd))
    crowd = np.array(iscrowd)
    ious = mask_ious
    if len(gt_rles) and len(dt_rles):
        ious[:, crowd == 0] = np.minimum(mask_ious[:, crowd == 0], b_ious[:, crowd == 0])
    else:
        ious = np.minimum(mask_ious, b_ious)
    return ious


# --------------------------------------------------------------------------
# a whole evaluation


class BoundaryCOCOeval(COCOeval):
    """pycocotools 2.0.11's COCOeval made to compute what boundary-iou-api's
    COCOeval(iouType="boundary") computes.

    Runs with ``params.iouType == "segm"`` (2.0.11's Params rejects
    "boundary"; the fork treats the two alike everywhere except in the IoU):
    _prepare turns every segmentation into an RLE exactly as the fork does,
    and summarize prints/derives the same twelve numbers.  Two methods differ:

    * computeIoU is the fork's computeBoundaryIoU.  The fork computes every
      annotation's boundary up front from ``annToMask(ann)``; that mask is
      ``decode(annToRLE(ann))``, the RLE _prepare stores in
      ``ann['segmentation']``, so computing it here from the prepared RLE is
      the same mask.
    * _prepare keeps a GT's own ``ignore`` flag (``ignore or iscrowd``), as
      the fork's _prepare does; pycocotools 2.0.11 overwrites it with
      ``iscrowd``.  ``pycocotools_ignore=True`` selects 2.0.11's rule instead.
    """

    def __init__(self, coco_gt, coco_dt, dilation_ratio=0.02, pycocotools_ignore=False):
        super().__init__(coco_gt, coco_dt, "segm")
        self.dilation_ratio = dilation_ratio
        self.pycocotools_ignore = pycocotools_ignore
        self._boundaries = {}
        # The fork's _prepare sets `gt['ignore'] = gt['ignore'] or iscrowd`;
        # keep the GT's own flags before 2.0.11's _prepare overwrites them.
        self._own_ignore = {i: a.get("ignore", 0) for i, a in coco_gt.anns.items()}

    def _prepare(self):
        super()._prepare()
        if self.pycocotools_ignore:
            return
        for gts in self._gts.values():
            for gt in gts:
                gt["ignore"] = self._own_ignore[gt["id"]] or ("iscrowd" in gt and gt["iscrowd"])

    def _boundary(self, which, ann):
        key = (which, ann["id"])
        b = self._boundaries.get(key)
        if b is None:
            b = boundary_rle(ann["segmentation"], self.dilation_ratio)
            self._boundaries[key] = b
        return b

    def computeIoU(self, imgId, catId):
        p = self.params
        if p.useCats:
            gt = self._gts[imgId, catId]
            dt = self._dts[imgId, catId]
        else:
            gt = [_ for cId in p.catIds for _ in self._gts[imgId, cId]]
            dt = [_ for cId in p.catIds for _ in self._dts[imgId, cId]]
        if len(gt) == 0 and len(dt) == 0:
            return []
        inds = np.argsort([-d["score"] for d in dt], kind="mergesort")
        dt = [dt[i] for i in inds]
        if len(dt) > p.maxDets[-1]:
            dt = dt[0:p.maxDets[-1]]

        g_m = [g["segmentation"] for g in gt]
        d_m = [d["segmentation"] for d in dt]
        g_b = [self._boundary("gt", g) for g in gt]
        d_b = [self._boundary("dt", d) for d in dt]

        iscrowd = [int(o["iscrowd"]) for o in gt]
        mask_ious = mask_utils.iou(d_m, g_m, iscrowd)
        b_ious = mask_utils.iou(d_b, g_b, iscrowd)
        mask_ious = np.array(mask_ious)
        b_ious = np.array(b_ious)
        iscrowd = np.array(iscrowd)
        ious = mask_ious
        if len(gt) and len(dt):
            ious[:, iscrowd == 0] = np.minimum(mask_ious[:, iscrowd == 0],
                                               b_ious[:, iscrowd == 0])
        else:
            ious = np.minimum(mask_ious, b_ious)
        return ious


@dataclass
class BoundaryResult:
    stats: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    scores: np.ndarray
    lines: list
    ious: dict


def _coco_from_dict(dataset: dict) -> COCO:
    coco = COCO()
    coco.dataset = dataset
    coco.createIndex()
    return coco


def evaluate_boundary(gt_dict, dt_list, dilation_ratio: float = 0.02, max_dets=None,
                      use_cats: bool = True, pycocotools_ignore: bool = False) -> BoundaryResult:
    """Boundary AP of ``dt_list`` against ``gt_dict`` as boundary-iou-api
    computes it (tools/coco_instance_evaluation.py: COCO, loadRes,
    COCOeval(iouType="boundary", dilation_ratio), evaluate, accumulate,
    summarize).

    gt_dict / dt_list: parsed COCO JSON or JSON bytes/str; they are
    deep-copied (pycocotools mutates its input).  An empty dt_list means "no
    detections" (loadRes itself crashes on it).
    """
    gt = json.loads(gt_dict) if isinstance(gt_dict, (bytes, str)) else copy.deepcopy(gt_dict)
    dt = json.loads(dt_list) if isinstance(dt_list, (bytes, str)) else copy.deepcopy(dt_list)
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        coco_gt = _coco_from_dict(gt)
        if len(dt) == 0:
            coco_dt = _coco_from_dict({
                "images": list(coco_gt.dataset["images"]),
                "categories": copy.deepcopy(coco_gt.dataset["categories"]),
                "annotations": [],
            })
        else:
            coco_dt = coco_gt.loadRes(dt)
        ev = BoundaryCOCOeval(coco_gt, coco_dt, dilation_ratio, pycocotools_ignore)
        if max_dets is not None:
            ev.params.maxDets = [int(m) for m in max_dets]
        ev.params.useCats = int(bool(use_cats))
        ev.evaluate()
        ev.accumulate()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        ev.summarize()
    return BoundaryResult(
        stats=np.array(ev.stats, dtype=np.float64),
        precision=ev.eval["precision"],
        recall=ev.eval["recall"],
        scores=ev.eval["scores"],
        lines=printed.getvalue().splitlines(),
        ious=ev.ious,
    )
