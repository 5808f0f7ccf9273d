"""``vernier.COCOeval``: pycocotools' ``COCOeval`` surface, computed by
vernier's C core.

``evaluate()`` runs the whole evaluation in C (matching, accumulation,
summary) with the settings read from ``params``; ``accumulate()`` and
``summarize()`` publish what it computed in pycocotools' shapes: ``evalImgs``
(built on first access), ``eval`` (params, counts, date, precision, recall,
scores), ``stats`` and the printed summary.  ``parity_mode="strict"`` (the
default) equals pycocotools 2.0.11 bit for bit.

Every field of ``params`` is honoured or refused with a typed error:
``imgIds`` / ``catIds`` subsets (images / categories outside them are not
evaluated), ``iouThrs``, ``recThrs``, ``maxDets``, ``areaRng`` with
``areaRngLbl``, ``useCats``, ``kpt_oks_sigmas`` (keypoints), ``iouType`` and
the deprecated ``useSegm``.
"""
from __future__ import annotations

import copy
import datetime
import time
from collections import defaultdict

import numpy as np

from ._errors import InvalidArgumentError, InvalidConfigError
from . import _lowlevel as _ll
from ._evaluator import Evaluator
from ._kernels import COCO_SIGMAS, PARITY_MODES, Bbox, Boundary, Keypoints, Segm
from ._summary import Summary

__all__ = ["COCOeval", "Params"]

_COCO_SIGMAS = np.array(COCO_SIGMAS)  # pycocotools' literals / 10.0
_IOU_TYPES = ("bbox", "segm", "keypoints", "boundary")
_FIELDS = {"imgIds", "catIds", "iouThrs", "recThrs", "maxDets", "areaRng", "areaRngLbl",
           "useCats", "kpt_oks_sigmas", "iouType", "useSegm"}


def _thresholds(lo, hi, step):
    return np.linspace(lo, hi, int(np.round((hi - lo) / step)) + 1, endpoint=True)


class Params:
    """pycocotools' ``Params``: the evaluation settings, with the same
    defaults (``bbox``, ``segm`` and ``boundary`` share the detection ones)."""

    def setDetParams(self):
        self.imgIds = []
        self.catIds = []
        self.iouThrs = _thresholds(.5, 0.95, .05)
        self.recThrs = _thresholds(.0, 1.00, .01)
        self.maxDets = [1, 10, 100]
        self.areaRng = [[0 ** 2, 1e5 ** 2], [0 ** 2, 32 ** 2], [32 ** 2, 96 ** 2],
                        [96 ** 2, 1e5 ** 2]]
        self.areaRngLbl = ["all", "small", "medium", "large"]
        self.useCats = 1

    def setKpParams(self):
        self.imgIds = []
        self.catIds = []
        self.iouThrs = _thresholds(.5, 0.95, .05)
        self.recThrs = _thresholds(.0, 1.00, .01)
        self.maxDets = [20]
        self.areaRng = [[0 ** 2, 1e5 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e5 ** 2]]
        self.areaRngLbl = ["all", "medium", "large"]
        self.useCats = 1
        self.kpt_oks_sigmas = _COCO_SIGMAS.copy()

    def __init__(self, iouType="segm"):
        if iouType in ("segm", "bbox", "boundary"):
            self.setDetParams()
        elif iouType == "keypoints":
            self.setKpParams()
        else:
            raise InvalidConfigError(f"iouType not supported: {iouType!r} (one of "
                                     f"{', '.join(_IOU_TYPES)})")
        self.iouType = iouType
        self.useSegm = None  # deprecated, as in pycocotools


def _freeze(v):
    """A comparable, immutable copy of one setting's value."""
    if isinstance(v, np.ndarray):
        return ("ndarray", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, (list, tuple)):
        if len(v) > 16:
            # long id lists (imgIds of a whole dataset): one array, not an
            # object per element
            arr = np.asarray(v) if all(isinstance(x, (int, float, np.number)) and
                                       not isinstance(x, bool) for x in v) else None
            if arr is not None and arr.ndim == 1 and arr.dtype.kind in "iuf":
                return (type(v).__name__, arr.dtype.str, arr.tobytes())
        return (type(v).__name__,) + tuple(_freeze(x) for x in v)
    if isinstance(v, np.generic):
        return v.item()
    return v


def _snapshot(p) -> dict:
    """A comparable copy of every setting (to notice changes after evaluate)."""
    return {k: _freeze(v) for k, v in vars(p).items()}


def _same(a: dict, b: dict) -> bool:
    return a == b


def _floats(name, values):
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidConfigError(f"params.{name} must be numbers, got {values!r}") from None
    if arr.ndim != 1:
        raise InvalidConfigError(f"params.{name} must be one-dimensional")
    return arr


class COCOeval:
    """pycocotools' ``COCOeval(cocoGt, cocoDt, iouType)`` on vernier's C
    core.  ``cocoGt`` is a :class:`vernier.COCO`, ``cocoDt`` one built by
    its ``loadRes``.  ``iouType`` is ``"bbox"``, ``"segm"``,
    ``"keypoints"`` or ``"boundary"`` (with ``dilation_ratio``, as
    boundary-iou-api's COCOeval); ``parity_mode`` ``"strict"`` (default,
    pycocotools bit for bit) or ``"corrected"``."""

    def __init__(self, cocoGt=None, cocoDt=None, iouType="segm", dilation_ratio=0.02, *,
                 parity_mode="strict"):
        if not iouType:
            print("iouType not specified. use default iouType segm")
            iouType = "segm"
        if parity_mode not in PARITY_MODES:
            raise InvalidConfigError(f"parity_mode must be one of {PARITY_MODES}, "
                                     f"got {parity_mode!r}")
        self.cocoGt = cocoGt
        self.cocoDt = cocoDt
        self.parity_mode = parity_mode
        self.dilation_ratio = dilation_ratio
        self._evalImgs = defaultdict(list)
        self.eval = {}
        self._gts = defaultdict(list)
        self._dts = defaultdict(list)
        self.params = Params(iouType=iouType)
        self._paramsEval = {}
        self.stats = []
        self._ious = None
        self._run = None      # (summary, evaluated params snapshot, dt id map, image ids, cat ids)
        if cocoGt is not None:
            self.params.imgIds = sorted(cocoGt.getImgIds())
            self.params.catIds = sorted(cocoGt.getCatIds())

    # ---- settings -----------------------------------------------------------

    def _evaluator(self, p, cat_ids) -> Evaluator:
        unknown = set(vars(p)) - _FIELDS
        if unknown:
            raise InvalidConfigError(
                f"params.{sorted(unknown)[0]} is not a COCOeval setting vernier knows; "
                "remove it (it would be ignored)")
        kind = p.iouType
        if kind not in _IOU_TYPES:
            raise InvalidConfigError(f"iouType not supported: {kind!r}")
        default = Params(kind)
        iou_thrs = _floats("iouThrs", p.iouThrs)
        rec_thrs = _floats("recThrs", p.recThrs)
        if len(p.areaRng) != len(p.areaRngLbl):
            raise InvalidConfigError("params.areaRng and params.areaRngLbl differ in length")
        try:
            max_dets = tuple(int(m) for m in p.maxDets)
        except (TypeError, ValueError):
            raise InvalidConfigError(f"params.maxDets must be integers, got {p.maxDets!r}") \
                from None
        if any(int(m) != m for m in p.maxDets):
            raise InvalidConfigError(f"params.maxDets must be integers, got {p.maxDets!r}")
        areas = [(str(lbl), float(r[0]), float(r[1])) for lbl, r in zip(p.areaRngLbl, p.areaRng)]
        default_areas = [(lbl, float(r[0]), float(r[1]))
                         for lbl, r in zip(default.areaRngLbl, default.areaRng)]
        if kind == "bbox":
            iou = Bbox()
        elif kind == "segm":
            iou = Segm()
        elif kind == "boundary":
            iou = Boundary(self.dilation_ratio)
        else:
            sig = _floats("kpt_oks_sigmas", p.kpt_oks_sigmas)
            if sig.shape == _COCO_SIGMAS.shape and np.array_equal(sig, _COCO_SIGMAS):
                iou = Keypoints()
            else:
                iou = Keypoints({int(c): sig.tolist() for c in cat_ids})
        return Evaluator(
            iou=iou, parity_mode=self.parity_mode, max_dets=max_dets,
            use_cats=bool(p.useCats),
            iou_thresholds=None if (iou_thrs.shape == default.iouThrs.shape and np.array_equal(
                iou_thrs, default.iouThrs)) else tuple(iou_thrs.tolist()),
            recall_thresholds=None if (rec_thrs.shape == default.recThrs.shape and np.array_equal(
                rec_thrs, default.recThrs)) else tuple(rec_thrs.tolist()),
            area_ranges=None if areas == default_areas else tuple(areas))

    # ---- evaluate / accumulate / summarize ----------------------------------

    def evaluate(self):
        """Run the evaluation (pycocotools' per-image matching, done in C
        together with the accumulation)."""
        tic = time.time()
        print("Running per image evaluation...")
        p = self.params
        if p.useSegm is not None:
            p.iouType = "segm" if p.useSegm == 1 else "bbox"
            print("useSegm (deprecated) is not None. Running {} evaluation".format(p.iouType))
        print("Evaluate annotation type *{}*".format(p.iouType))
        p.imgIds = list(np.unique(p.imgIds))
        if p.useCats:
            p.catIds = list(np.unique(p.catIds))
        p.maxDets = sorted(p.maxDets)
        self.params = p
        self._evalImgs = defaultdict(list)
        self.eval = {}
        self._ious = None
        self._run = None
        cat_ids = p.catIds if p.useCats else [-1]
        summary, id_map = self._run_c(p, keep_records=False)
        self._paramsEval = copy.deepcopy(self.params)
        self._run = (summary, _snapshot(p), id_map, list(p.imgIds), list(cat_ids))
        print("DONE (t={:0.2f}s).".format(time.time() - tic))

    def _run_c(self, p, keep_records):
        """Evaluate in C: the whole ground truth (parsed once per COCO
        object) and the results as loadRes read them; ``imgIds`` /
        ``catIds`` become the C options' subsets when they are not the
        whole ground truth's.  Returns the Summary and each C result's
        annotation id."""
        coco_gt, coco_dt = self.cocoGt, self.cocoDt
        if coco_gt is None or coco_dt is None:
            raise InvalidArgumentError("COCOeval needs cocoGt and cocoDt to evaluate")
        _, dt_raw, dt_ids = coco_dt._results(coco_gt.imgs)
        img_ids = [int(i) for i in p.imgIds]
        cat_ids = [int(c) for c in p.catIds]
        if not p.useCats and cat_ids != sorted(set(cat_ids)):
            # pooled, pycocotools concatenates the categories in this order
            raise InvalidConfigError(
                "params.catIds must be ascending and distinct when useCats=0 (pycocotools "
                "pools the categories in the order given; vernier pools them ascending)")
        all_imgs = sorted(set(coco_gt.getImgIds()))
        all_cats = sorted(set(coco_gt.getCatIds()))
        image_subset = None if img_ids == all_imgs else img_ids
        cat_subset = None if cat_ids == all_cats else cat_ids
        evaluator = self._evaluator(p, cat_ids)
        options = evaluator._options(keep_records=keep_records, image_ids=image_subset,
                                     category_ids=cat_subset)
        ds = coco_gt._gt_dataset()._h()
        res = _ll.results_load_json(dt_raw)
        try:
            ev = _ll.evaluate(ds, res, options)
        finally:
            res.close()
        return Summary(ev, self.parity_mode, evaluator.iou, ds.category_names()), dt_ids

    def _check_current(self, p=None):
        if self._run is None:
            return False
        if p is not None and p is not self.params and not _same(_snapshot(p), self._run[1]):
            raise InvalidConfigError(
                "accumulate(p): vernier accumulates with the params evaluate() ran with; "
                "set them on .params and call evaluate() again")
        if not _same(_snapshot(self.params), self._run[1]):
            raise InvalidConfigError(
                "params changed after evaluate(): call evaluate() again (vernier does not "
                "re-accumulate per-image results under other settings)")
        return True

    def accumulate(self, p=None):
        """Publish the accumulated arrays in ``eval`` (pycocotools' keys)."""
        print("Accumulating evaluation results...")
        tic = time.time()
        if self._run is None:
            print("Please run evaluate() first")
            raise InvalidArgumentError("accumulate() before evaluate(): nothing to accumulate")
        self._check_current(p)
        summary = self._run[0]
        if p is None:
            p = self.params
        if not p.useCats:
            p.catIds = [-1]
            self._run = self._run[:1] + (_snapshot(self.params),) + self._run[2:]
        t, r, k, a, m = summary._dims
        self.eval = {
            "params": p,
            "counts": [t, r, k, a, m],
            "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            "precision": np.array(summary.precision),
            "recall": np.array(summary.recall),
            "scores": np.array(summary.scores),
        }
        print("DONE (t={:0.2f}s).".format(time.time() - tic))

    def summarize(self):
        """Print pycocotools' summary lines and set ``stats``."""
        if not self.eval:
            raise Exception("Please run accumulate() first")  # pycocotools' type and text
        self._check_current()
        summary = self._run[0]
        lines = summary.pretty_lines()
        if not lines and self.params.iouType != "keypoints":
            raise IndexError("list index out of range")  # pycocotools with < 3 maxDets
        for line in lines:
            print(line)
        self.stats = np.array(summary.stats, dtype=np.float64)

    def __str__(self):
        self.summarize()
        return ""

    # ---- per-image views ----------------------------------------------------

    @property
    def evalImgs(self):
        """pycocotools' ``evalImgs`` (built from the C records on first access)."""
        if not self._evalImgs and self._run is not None:
            self._evalImgs = self._build_eval_imgs()
        return self._evalImgs

    @evalImgs.setter
    def evalImgs(self, value):
        self._evalImgs = value

    def _build_eval_imgs(self) -> list:
        summary, snap, id_map, img_ids, cat_ids = self._run
        p = self._paramsEval
        rngs = p.areaRng
        n_i, n_a = len(img_ids), len(rngs)
        # evaluate() keeps no per-image records (they cost as much as the
        # evaluation): the first read of evalImgs evaluates again, keeping
        # them, with the settings evaluate() used
        with_records, _ = self._run_c(p, keep_records=True)
        out = with_records.eval_imgs()
        max_det = p.maxDets[-1]
        for idx, e in enumerate(out):
            if e is None:
                continue
            e.pop("dtMatchIndex")
            e.pop("gtMatchIndex")
            k, rest = divmod(idx, n_a * n_i)
            a, i = divmod(rest, n_i)
            e["image_id"] = img_ids[i]
            e["category_id"] = cat_ids[k]
            e["aRng"] = rngs[a]
            e["maxDet"] = max_det
            if len(e["dtIds"]):
                ids = id_map[np.asarray(e["dtIds"], dtype=np.int64) - 1]
                e["dtIds"] = ids.tolist()
                gm = e["gtMatches"]
                hit = gm > 0
                if hit.any():
                    gm = gm.copy()
                    gm[hit] = id_map[gm[hit].astype(np.int64) - 1].astype(np.float64)
                    e["gtMatches"] = gm
        return out

    # ---- IoUs (computed on demand, pycocotools' layout) ---------------------

    def _prepared(self):
        """pycocotools' ``_gts`` / ``_dts`` for the evaluated settings
        (views of the COCO objects' annotations, never modified)."""
        p = self._paramsEval
        if p.useCats:
            gts = self.cocoGt.loadAnns(self.cocoGt.getAnnIds(imgIds=p.imgIds, catIds=p.catIds))
            dts = self.cocoDt.loadAnns(self.cocoDt.getAnnIds(imgIds=p.imgIds, catIds=p.catIds))
        else:
            gts = self.cocoGt.loadAnns(self.cocoGt.getAnnIds(imgIds=p.imgIds))
            dts = self.cocoDt.loadAnns(self.cocoDt.getAnnIds(imgIds=p.imgIds))
        self._gts, self._dts = defaultdict(list), defaultdict(list)
        for g in gts:
            self._gts[g["image_id"], g["category_id"]].append(g)
        for d in dts:
            self._dts[d["image_id"], d["category_id"]].append(d)

    @property
    def ious(self):
        """``{(imgId, catId): IoU matrix}`` as pycocotools' ``ious``
        (computed on first access)."""
        if self._ious is None:
            if self._run is None:
                return {}
            self._prepared()
            p = self._paramsEval
            cat_ids = p.catIds if p.useCats else [-1]
            fn = self.computeOks if p.iouType == "keypoints" else self.computeIoU
            self._ious = {(i, c): fn(i, c) for i in p.imgIds for c in cat_ids}
        return self._ious

    @ious.setter
    def ious(self, value):
        self._ious = value

    def _top_dets(self, dts, p):
        order = np.argsort([-d["score"] for d in dts], kind="mergesort")
        return [dts[i] for i in order][:p.maxDets[-1]]

    def computeIoU(self, imgId, catId):
        """pycocotools' ``computeIoU``: the IoU matrix (detections by
        descending score, cut to the largest cap, x ground truths) of one
        image and category; ``[]`` when both are empty."""
        p = self._paramsEval if self._run is not None else self.params
        if not self._gts and not self._dts:
            self._prepared()
        if p.useCats:
            gts, dts = self._gts[imgId, catId], self._dts[imgId, catId]
        else:
            gts = [g for c in p.catIds for g in self._gts[imgId, c]]
            dts = [d for c in p.catIds for d in self._dts[imgId, c]]
        if len(gts) == 0 and len(dts) == 0:
            return []
        dts = self._top_dets(dts, p)
        crowd = [int(g["iscrowd"]) for g in gts]
        if p.iouType == "bbox":
            return _box_iou([d["bbox"] for d in dts], [g["bbox"] for g in gts], crowd)
        if p.iouType == "segm":
            from .coco import _mask_module

            codec = _mask_module()
            g = [self.cocoGt.annToRLE(a) for a in gts]
            d = [self.cocoDt.annToRLE(a) for a in dts]
            return codec.iou(d, g, crowd)
        raise NotImplementedError(f"ious for iouType {p.iouType!r} are not available through "
                                  "the drop-in (the C core computes them internally)")

    def computeOks(self, imgId, catId):
        """pycocotools' ``computeOks``: the OKS matrix of one image and
        category (detections x ground truths); ``[]`` when either is empty."""
        p = self._paramsEval if self._run is not None else self.params
        if not self._gts and not self._dts:
            self._prepared()
        gts, dts = self._gts[imgId, catId], self._dts[imgId, catId]
        dts = self._top_dets(dts, p)
        if len(gts) == 0 or len(dts) == 0:
            return []
        sig = np.asarray(p.kpt_oks_sigmas)
        var = (sig * 2) ** 2
        out = np.zeros((len(dts), len(gts)))
        for j, g in enumerate(gts):
            kg = np.array(g["keypoints"])
            xg, yg, vg = kg[0::3], kg[1::3], kg[2::3]
            visible = np.count_nonzero(vg > 0)
            bx, by, bw, bh = g["bbox"]
            lo_x, hi_x = bx - bw, bx + bw * 2
            lo_y, hi_y = by - bh, by + bh * 2
            for i, d in enumerate(dts):
                kd = np.array(d["keypoints"])
                xd, yd = kd[0::3], kd[1::3]
                if visible > 0:
                    dx, dy = xd - xg, yd - yg
                else:
                    z = np.zeros(len(sig))
                    dx = np.max((z, lo_x - xd), axis=0) + np.max((z, xd - hi_x), axis=0)
                    dy = np.max((z, lo_y - yd), axis=0) + np.max((z, yd - hi_y), axis=0)
                e = (dx ** 2 + dy ** 2) / var / (g["area"] + np.spacing(1)) / 2
                if visible > 0:
                    e = e[vg > 0]
                out[i, j] = np.sum(np.exp(-e)) / e.shape[0]
        return out


def _box_iou(dt, gt, crowd):
    """pycocotools' box IoU (``maskUtils.iou`` on boxes): len(dt) x len(gt)."""
    if len(dt) == 0 or len(gt) == 0:
        return []
    d = np.asarray(dt, dtype=np.float64).reshape(-1, 4)
    g = np.asarray(gt, dtype=np.float64).reshape(-1, 4)
    d_area = d[:, 2] * d[:, 3]
    g_area = g[:, 2] * g[:, 3]
    w = (np.minimum((d[:, 2] + d[:, 0])[:, None], (g[:, 2] + g[:, 0])[None, :])
         - np.maximum(d[:, 0][:, None], g[:, 0][None, :]))
    h = (np.minimum((d[:, 3] + d[:, 1])[:, None], (g[:, 3] + g[:, 1])[None, :])
         - np.maximum(d[:, 1][:, None], g[:, 1][None, :]))
    inter = w * h
    union = np.where(np.asarray(crowd, dtype=bool)[None, :], d_area[:, None],
                     d_area[:, None] + g_area[None, :] - inter)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where((w > 0) & (h > 0), inter / union, 0.0)
    return out
