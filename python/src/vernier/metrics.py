"""Training-loop metrics: torchvision-style predictions and targets straight
into vernier, with torchmetrics' key names and numbers.

    >>> from vernier.metrics import MeanAveragePrecision
    >>> metric = MeanAveragePrecision(iou_type="bbox", box_format="xyxy")
    >>> metric.update(preds, targets)          # doctest: +SKIP  (each step)
    >>> metric.compute()["map"]                # doctest: +SKIP  (at the end)

:func:`coco_inputs` turns one or more batches into a :class:`CocoDataset`
and ``Detections`` dicts (arrays, no JSON); :class:`MeanAveragePrecision`
accumulates batches and evaluates them in C.  Neither imports torch: a
tensor is read through ``__dlpack__`` / ``__array__`` (CPU memory only).
"""
from __future__ import annotations

import sys
from typing import Any, Sequence

import numpy as np

from ._convert import _to_numpy
from ._dataset import CocoDataset
from ._errors import SchemaError, StateError
from ._evaluator import Evaluator
from ._kernels import Bbox, Segm

__all__ = ["coco_inputs", "MeanAveragePrecision"]

BOX_FORMATS = ("xywh", "xyxy", "cxcywh")
_KERNELS = {"bbox": Bbox, "segm": Segm}


def _arr(item, key, where, *, ndim=None):
    a = _to_numpy(item[key], f'{where}["{key}"]')
    if ndim is not None and a.ndim != ndim and not (a.size == 0 and ndim == 2):
        raise SchemaError(f'{where}["{key}"] must have {ndim} dimensions, got shape {a.shape}',
                          path=f'{where}["{key}"]')
    return a


def _xywh(boxes: np.ndarray, box_format: str) -> np.ndarray:
    """Boxes in ``box_format`` as float64 x, y, w, h: converted in their own
    dtype, operation for operation as torchvision's box_convert does (so a
    float32 box gives the float32 width torchmetrics computes), then widened
    exactly."""
    b = boxes.reshape(-1, 4)
    if b.dtype.kind != "f":
        b = b.astype(np.float64)
    if box_format == "xyxy":
        b = np.stack([b[:, 0], b[:, 1], b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], 1)
    elif box_format == "cxcywh":
        half = b.dtype.type(0.5)
        x1, y1 = b[:, 0] - half * b[:, 2], b[:, 1] - half * b[:, 3]
        x2, y2 = b[:, 0] + half * b[:, 2], b[:, 1] + half * b[:, 3]
        b = np.stack([x1, y1, x2 - x1, y2 - y1], 1)
    return b.astype(np.float64)


def _masks(item, where, n):
    m = _arr(item, "masks", where)
    if m.ndim != 3 or m.shape[0] != n:
        raise SchemaError(f'{where}["masks"] must have shape ({n}, H, W), got {m.shape}',
                          path=f'{where}["masks"]')
    return m.view(np.uint8) if m.dtype == np.bool_ else m.astype(np.uint8, copy=False)


def coco_inputs(predictions: Sequence, targets: Sequence, *, box_format: str = "xywh",
                iou_type: str = "bbox") -> tuple:
    """``(CocoDataset, detections)`` from torchvision-style lists of dicts,
    one dict per image in each list: predictions with ``boxes``,
    ``scores``, ``labels`` (and ``masks`` (N, H, W) for ``iou_type="segm"``),
    targets with ``boxes``, ``labels`` and optionally ``iscrowd``, ``area``,
    ``masks``, ``image_id``.  ``detections`` is a list of ``Detections``
    dicts (arrays) for :meth:`Evaluator.evaluate` or
    :meth:`BackgroundEvaluator.submit`.

    The decisions made for you, each tested (python/tests/test_metrics.py):

    - **ids from 1**: image i of the lists (0-based) gets image id i + 1
      unless its target has ``image_id``; annotation ids are 1, 2, ... in
      order (pycocotools reads an annotation id 0 as "unmatched");
    - **every image is in the dataset**, with or without targets, so that
      detections on an image without ground truth count as false
      positives;
    - **iscrowd is widened before it can wrap**: any integer or bool dtype
      is read as int64 and must be 0..255 (a value that would wrap in uint8
      is refused, never wrapped);
    - **area**: a target's ``area`` when given and > 0 (as torchmetrics);
      otherwise the mask's pixel count for ``segm`` and the box's w * h for
      ``bbox``;
    - **the box format is never guessed**: ``box_format`` says it
      (``"xywh"``, ``"xyxy"``, ``"cxcywh"``), converted as torchvision's
      box_convert does, in the boxes' own dtype, then widened to float64
      exactly (float32 -> float64 loses nothing);
    - categories are the labels seen in predictions and targets, sorted;
      for ``segm`` an image's height and width come from its masks."""
    if box_format not in BOX_FORMATS:
        raise ValueError(f"box_format must be one of {BOX_FORMATS}, got {box_format!r}")
    if iou_type not in _KERNELS:
        raise ValueError(f"iou_type must be 'bbox' or 'segm', got {iou_type!r}")
    if len(predictions) != len(targets):
        raise ValueError(f"predictions and targets must have one dict per image each, got "
                         f"{len(predictions)} and {len(targets)}")
    segm = iou_type == "segm"
    img_ids, widths, heights = [], [], []
    gt = {k: [] for k in ("image_id", "category_id", "bbox", "area", "iscrowd")}
    gt_masks, dets, labels_seen = [], [], []
    for i, (p, t) in enumerate(zip(predictions, targets)):
        tw, pw = f"targets[{i}]", f"predictions[{i}]"
        image_id = int(_to_numpy(t["image_id"], f'{tw}["image_id"]').reshape(-1)[0]) \
            if "image_id" in t else i + 1
        img_ids.append(image_id)
        labels = _arr(t, "labels", tw).reshape(-1).astype(np.int64)
        n = len(labels)
        boxes = _xywh(_arr(t, "boxes", tw), box_format) if "boxes" in t or not segm \
            else np.zeros((n, 4))
        if len(boxes) != n:
            raise SchemaError(f'{tw}: boxes and labels must have the same length',
                              path=f'{tw}["boxes"]')
        crowd = _arr(t, "iscrowd", tw).reshape(-1) if "iscrowd" in t else np.zeros(n, np.int64)
        if crowd.dtype.kind not in "iub":
            raise SchemaError(f'{tw}["iscrowd"] must be integers or bools, not {crowd.dtype}',
                              path=f'{tw}["iscrowd"]')
        crowd = crowd.astype(np.int64)
        if crowd.size and (crowd.min() < 0 or crowd.max() > 255):
            raise SchemaError(f'{tw}["iscrowd"] holds a value outside 0..255',
                              path=f'{tw}["iscrowd"]')
        if segm:
            m = _masks(t, tw, n)
            pm = _masks(p, pw, len(_arr(p, "scores", pw).reshape(-1)))
            hw = m.shape[1:] if n else pm.shape[1:]
            heights.append(int(hw[0]))
            widths.append(int(hw[1]))
            derived = m.reshape(n, -1).sum(1, dtype=np.int64).astype(np.float64)
            gt_masks.append(m)
        else:
            heights.append(-1)
            widths.append(-1)
            derived = boxes[:, 2] * boxes[:, 3]
        area = derived
        if "area" in t:
            given = _arr(t, "area", tw).reshape(-1).astype(np.float64)
            area = np.where(given > 0, given, derived)
        gt["image_id"].append(np.full(n, image_id, np.int64))
        gt["category_id"].append(labels)
        gt["bbox"].append(boxes)
        gt["area"].append(area)
        gt["iscrowd"].append(crowd)
        d = _detections(p, image_id, box_format, segm, pw, masks=pm if segm else None)
        dets.append(d)
        labels_seen += [labels, d["labels"]]
    cat = np.unique(np.concatenate(labels_seen)) if labels_seen else np.zeros(0, np.int64)
    anns = {k: np.concatenate(v) if v else np.zeros((0, 4) if k == "bbox" else 0)
            for k, v in gt.items()}
    anns["id"] = np.arange(1, len(anns["image_id"]) + 1, dtype=np.int64)
    if segm:
        anns["segmentation"] = [m for ms in gt_masks for m in _split(ms)]
        anns.pop("bbox")
    images = {"id": np.array(img_ids, np.int64), "width": np.array(widths, np.int64),
              "height": np.array(heights, np.int64)}
    ds = CocoDataset.from_arrays(images=images, categories={"id": cat}, annotations=anns)
    return ds, dets


def _detections(p, image_id: int, box_format: str, segm: bool, where: str, masks=None) -> dict:
    """One image's prediction dict as a Detections dict of arrays."""
    labels = _arr(p, "labels", where).reshape(-1).astype(np.int64)
    d = {"image_id": np.full(len(labels), image_id, np.int64), "labels": labels,
         "scores": _arr(p, "scores", where).reshape(-1).astype(np.float64)}
    if segm:
        d["masks"] = masks if masks is not None else _masks(p, where, len(labels))
    else:
        d["boxes"] = _xywh(_arr(p, "boxes", where), box_format)
    return d


def _split(masks: np.ndarray):
    """An (N, H, W) mask array as N compressed RLE dicts (encoded in C)."""
    from . import _lowlevel as _ll
    _, h, w = masks.shape
    return [{"size": [h, w], "counts": _ll.mask_encode_string(np.ascontiguousarray(m.T), h, w)}
            for m in masks]


def _torch_linspace(start: float, end: float, steps: int) -> np.ndarray:
    """torchmetrics' default thresholds: ``torch.linspace(...).tolist()``,
    float32 values widened.  Taken from torch when it is loaded (as it is
    wherever torchmetrics is); otherwise the float32 computation torch's
    CPU kernel does (start + step * i up to half way, end - step * (steps -
    1 - i) after)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        return np.array(torch.linspace(start, end, steps).tolist(), np.float64)
    f = np.float32
    step = (f(end) - f(start)) / f(steps - 1)
    i = np.arange(steps)
    lo = f(start) + step * i.astype(f)
    hi = f(end) - step * (steps - 1 - i).astype(f)
    return np.where(i < steps // 2, lo, hi).astype(np.float64)


class MeanAveragePrecision:
    """torchmetrics' ``MeanAveragePrecision`` on vernier: the same
    arguments (``iou_type`` "bbox" or "segm", ``box_format``,
    ``class_metrics``, ``iou_thresholds``, ``rec_thresholds``,
    ``max_detection_thresholds``), the same key names from
    :meth:`compute` (``map``, ``map_50``, ``map_75``, ``map_small``,
    ``map_medium``, ``map_large``, ``mar_1``, ``mar_10``, ``mar_100``,
    ``mar_small``, ``mar_medium``, ``mar_large``, ``map_per_class``,
    ``mar_100_per_class``, ``classes``) and the same numbers (pycocotools'
    in strict mode, with torchmetrics' float32 default thresholds), as
    float32 values: torch tensors when torch is loaded, numpy otherwise.

    One difference, on purpose: for ``iou_type="segm"`` torchmetrics leaves
    images without target masks out of the ground truth, so that
    detections on them count for nothing; here every image is in it and
    such detections are false positives, as both do for ``"bbox"``.

    :meth:`update` converts a batch to arrays at once (no Python object per
    detection, no JSON) and keeps them; :meth:`compute` builds the dataset
    and evaluates in C.  Inputs follow :func:`coco_inputs`.  Distributed:
    :meth:`state` / :meth:`merge_state` carry the kept arrays between ranks
    (gather them with ``torch.distributed.all_gather_object``).

    ``dataset``: the ground truth, when it is known before the loop (a
    :class:`CocoDataset` whose image ids the targets' ``image_id`` name).
    :meth:`update` then hands each batch's predictions to a
    :class:`BackgroundEvaluator`, so that matching overlaps the next forward
    pass (the targets' ``labels`` only count towards ``classes``), and
    :meth:`compute` finalizes it: the evaluation covers every image of the
    dataset, as a COCO evaluation does.  :meth:`state` is not available in
    that mode (merge per-rank partials with :mod:`vernier.distributed`)."""

    def __init__(self, iou_type: str = "bbox", box_format: str = "xyxy",
                 class_metrics: bool = False, iou_thresholds=None, rec_thresholds=None,
                 max_detection_thresholds=None, dataset: CocoDataset | None = None):
        if iou_type not in _KERNELS:
            raise ValueError(f"iou_type must be 'bbox' or 'segm', got {iou_type!r}")
        if box_format not in BOX_FORMATS:
            raise ValueError(f"box_format must be one of {BOX_FORMATS}, got {box_format!r}")
        self.iou_type, self.box_format, self.class_metrics = iou_type, box_format, class_metrics
        self.iou_thresholds = np.asarray(iou_thresholds, np.float64) \
            if iou_thresholds is not None else _torch_linspace(0.5, 0.95, 10)
        self.rec_thresholds = np.asarray(rec_thresholds, np.float64) \
            if rec_thresholds is not None else _torch_linspace(0.0, 1.0, 101)
        self.max_detection_thresholds = tuple(sorted(int(m) for m in (
            max_detection_thresholds or (1, 10, 100))))
        if dataset is not None and not isinstance(dataset, CocoDataset):
            raise TypeError(f"dataset must be a CocoDataset, not {type(dataset).__name__}")
        self.dataset = dataset
        self._bg = None
        self.reset()

    def _evaluator(self) -> Evaluator:
        return Evaluator(iou=_KERNELS[self.iou_type](), parity_mode="strict",
                         max_dets=self.max_detection_thresholds,
                         iou_thresholds=self.iou_thresholds,
                         recall_thresholds=self.rec_thresholds)

    def reset(self) -> None:
        """Forget every batch."""
        self._preds: list = []
        self._targets: list = []
        self._labels: list = []
        self._done = None  # dataset mode: the finalized evaluation
        if self._bg is not None:
            self._bg.close()
        self._bg = None

    def _submit(self, preds, target) -> None:
        if self._done is not None:
            raise StateError("compute() has finalized this metric's evaluation: call reset() "
                             "before the next update()")
        if self._bg is None:
            self._bg = self._evaluator().background(self.dataset)
        dets = []
        for i, (p, t) in enumerate(zip(preds, target)):
            where = f"target[{i}]"
            if "image_id" not in t:
                raise SchemaError(f"{where} lacks \"image_id\": with a dataset given, the "
                                  "targets name their images", path=where)
            image_id = int(_to_numpy(t["image_id"], f'{where}["image_id"]').reshape(-1)[0])
            d = _detections(p, image_id, self.box_format, self.iou_type == "segm",
                            f"preds[{i}]")
            dets.append(d)
            self._labels += [d["labels"], _arr(t, "labels", where).reshape(-1).astype(np.int64)]
        if dets:
            self._bg.submit(dets, timeout=3600.0)  # waits while the queue is full

    def update(self, preds: Sequence[dict], target: Sequence[dict]) -> None:
        """Keep one batch (a list of prediction dicts and one of target
        dicts, one per image), converted to host numpy arrays now."""
        if len(preds) != len(target):
            raise ValueError(f"preds and target must have the same length, got {len(preds)} "
                             f"and {len(target)}")
        if self.dataset is not None:
            return self._submit(preds, target)
        for p, t in zip(preds, target):
            self._preds.append({k: np.array(_to_numpy(v, k)) for k, v in p.items()})
            self._targets.append({k: np.array(_to_numpy(v, k)) for k, v in t.items()})

    def state(self) -> tuple:
        """This rank's batches, to gather on every rank."""
        if self.dataset is not None:
            raise TypeError("state() needs the batches kept: with a dataset given, merge "
                            "per-rank partials with vernier.distributed instead")
        return self._preds, self._targets

    def merge_state(self, states) -> None:
        """Replace the batches by the concatenation of gathered
        :meth:`state` s (rank order)."""
        self._preds = [p for s in states for p in s[0]]
        self._targets = [t for s in states for t in s[1]]

    def compute(self) -> dict:
        """Evaluate every batch kept; torchmetrics' keys and values."""
        m = self.max_detection_thresholds
        labels = self._labels + [p["labels"].reshape(-1) for p in self._preds] + \
            [t["labels"].reshape(-1) for t in self._targets]
        classes = np.unique(np.concatenate(labels)).astype(np.int64) if labels else \
            np.zeros(0, np.int64)
        keys = ["map", "map_50", "map_75", "map_small", "map_medium", "map_large",
                f"mar_{m[0]}", f"mar_{m[1]}", f"mar_{m[2]}", "mar_small", "mar_medium",
                "mar_large"]
        per_class = np.array([-1.0]), np.array([-1.0])
        summary = None
        if self._bg is not None:  # dataset mode: the worker's evaluation
            bg, self._bg = self._bg, None
            try:
                self._done = bg.finalize()
            finally:
                bg.close()
        if self._done is not None:
            summary = self._done
        elif self._preds:
            ds, dets = coco_inputs(self._preds, self._targets, box_format=self.box_format,
                                   iou_type=self.iou_type)
            summary = self._evaluator().evaluate(ds, dets)
        if summary is None:
            stats = [-1.0] * 12
        else:
            stats = [float(s) for s in summary.stats]
            if self.class_metrics:
                per_class = _per_class(summary, classes)
        out = {k: _out(np.float32(v)) for k, v in zip(keys, stats)}
        out["map_per_class"] = _out(per_class[0].astype(np.float32))
        out[f"mar_{m[2]}_per_class"] = _out(per_class[1].astype(np.float32))
        out["classes"] = _out(classes.astype(np.int32))
        return out


def _per_class(summary, classes):
    """COCOeval's stats[0] and stats[8] with params.catIds = [k], for each
    class: the same slices of the full evaluation's arrays, averaged as
    summarize does (mean of the entries > -1, -1 when there is none)."""
    prec, rec = np.asarray(summary.precision), np.asarray(summary.recall)
    cat_ids = list(summary.category_ids)
    aps, ars = [], []
    for k in classes:
        if int(k) not in cat_ids:  # a label the ground truth has no category for
            aps.append(-1.0)
            ars.append(-1.0)
            continue
        j = cat_ids.index(int(k))
        p, r = prec[:, :, j, 0, -1], rec[:, j, 0, -1]
        aps.append(np.mean(p[p > -1]) if (p > -1).any() else -1.0)
        ars.append(np.mean(r[r > -1]) if (r > -1).any() else -1.0)
    return np.array(aps, np.float64), np.array(ars, np.float64)


def _out(a) -> Any:
    torch = sys.modules.get("torch")
    if torch is None:
        return a
    return torch.from_numpy(np.array(a)) if np.ndim(a) else torch.tensor(float(a),
                                                                         dtype=torch.float32)
