"""Instance-level evaluation: COCO bbox AP/AR, pycocotools-exact.

    >>> from vernier.instance import Bbox, CocoDataset, Evaluator
    >>> gt = CocoDataset.from_json(gt_bytes)                  # doctest: +SKIP
    >>> summary = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(gt, dt_bytes)  # doctest: +SKIP
    >>> summary.stats[0]                                      # doctest: +SKIP
"""
from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from . import _lowlevel as _ll
from ._errors import InvalidConfigError, SchemaError

__all__ = ["Bbox", "Segm", "Boundary", "Keypoints", "CocoDataset", "Evaluator", "Summary",
           "PARITY_MODES"]

PARITY_MODES = ("strict", "corrected")
AREA_RANGE_LABELS = ("all", "small", "medium", "large")


@dataclass(frozen=True)
class Bbox:
    """Box IoU (pycocotools iouType="bbox")."""

    name = "bbox"


@dataclass(frozen=True)
class Segm:
    """Mask IoU (pycocotools iouType="segm").

    Ground truth: polygons (rasterised at their image's height and width),
    uncompressed or compressed RLEs.  Results: compressed RLEs; in a result
    list whose first entry has a ``bbox``, also polygons and uncompressed
    RLEs, and a result without ``segmentation`` uses its box's rectangle."""

    name = "segm"


@dataclass(frozen=True)
class Boundary:
    """Boundary IoU (Cheng et al., boundary-iou-api): the minimum of mask IoU
    and the IoU of the masks' boundary bands against non-crowd ground truth,
    mask IoU against crowd ground truth.  The band is ``dilation_ratio`` x
    the image diagonal wide (0.02: COCO; 0.008: LVIS)."""

    dilation_ratio: float = 0.02
    name = "boundary"

    def __post_init__(self):
        r = self.dilation_ratio
        if isinstance(r, bool) or not isinstance(r, (int, float)) or not (0 < r <= 1):
            raise InvalidConfigError(f"dilation_ratio must be a number in (0, 1], got {r!r}")
        object.__setattr__(self, "dilation_ratio", float(r))


class Keypoints:
    """Object keypoint similarity (pycocotools iouType="keypoints").

    ``sigmas`` maps a category id to its per-keypoint sigmas; a category not
    in the mapping uses COCO's 17 person sigmas (pycocotools' literals
    divided by 10.0).  A sequence of sigmas must have as many values as the
    category has keypoint names; it is checked when evaluating."""

    __slots__ = ("_sigmas",)
    name = "keypoints"

    def __init__(self, sigmas: Mapping[int, Sequence[float]] | None = None):
        table = {}
        for cat, values in (sigmas or {}).items():
            if isinstance(cat, bool) or not isinstance(cat, (int, np.integer)):
                raise InvalidConfigError(f"sigmas keys must be category ids (int), got {cat!r}")
            try:
                vals = tuple(float(v) for v in values)
            except (TypeError, ValueError):
                raise InvalidConfigError(f"sigmas[{cat}] must be a sequence of numbers") from None
            if not vals or not all(math.isfinite(v) and v > 0 for v in vals):
                raise InvalidConfigError(
                    f"sigmas[{cat}] must be a non-empty sequence of finite values > 0")
            table[int(cat)] = vals
        self._sigmas = table

    @property
    def sigmas(self) -> dict:
        """The per-category overrides (a copy)."""
        return dict(self._sigmas)

    def __eq__(self, other):
        return isinstance(other, Keypoints) and other._sigmas == self._sigmas

    def __hash__(self):
        return hash(tuple(sorted(self._sigmas.items())))

    def __repr__(self):
        return f"Keypoints(sigmas={self._sigmas!r})" if self._sigmas else "Keypoints()"


_IOU_KINDS = (Bbox, Segm, Boundary, Keypoints)


def _ladder(name, values, lo=0.0, hi=1.0):
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise InvalidConfigError(f"{name} must be a sequence of numbers, got {values!r}")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise InvalidConfigError(f"{name} values must be numbers, got {v!r}")
        v = float(v)
        if not (math.isfinite(v) and lo <= v <= hi):
            raise InvalidConfigError(f"{name} values must be finite and in [{lo}, {hi}], got {v!r}")
        out.append(v)
    if not out:
        raise InvalidConfigError(f"{name} must not be empty")
    if any(b <= a for a, b in zip(out, out[1:])):
        raise InvalidConfigError(f"{name} must be sorted ascending without duplicates: {out!r}")
    return tuple(out)


def _area_ranges(values):
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
        raise InvalidConfigError(
            "area_ranges must be a non-empty sequence of (label, lo, hi), "
            f"got {values!r}")
    out, seen = [], set()
    for item in values:
        try:
            label, lo, hi = item
        except (TypeError, ValueError):
            raise InvalidConfigError(f"area range {item!r} is not (label, lo, hi)") from None
        if not isinstance(label, str) or not label or len(label.encode()) > 31:
            raise InvalidConfigError(f"area label {label!r} must be a non-empty str of <= 31 bytes")
        if label in seen:
            raise InvalidConfigError(f"area label {label!r} is used twice")
        seen.add(label)
        try:
            lo, hi = float(lo), float(hi)
        except (TypeError, ValueError):
            raise InvalidConfigError(f"area range {label!r}: bounds must be numbers") from None
        if not (math.isfinite(lo) and math.isfinite(hi) and 0 <= lo <= hi):
            raise InvalidConfigError(f"area range {label!r}: need 0 <= lo <= hi, finite")
        out.append((label, lo, hi))
    return tuple(out)


class CocoDataset:
    """COCO ground truth, parsed once by the C library.

    Build it with :meth:`from_json`; pass it to :meth:`Evaluator.evaluate`
    any number of times.  The handle is immutable and may be shared between
    threads.  :meth:`close` (or ``with``) frees it at once; otherwise it is
    freed when garbage-collected.
    """

    __slots__ = ("_handle", "_lock", "__weakref__")

    def __init__(self, _handle):
        self._handle = _handle
        self._lock = threading.Lock()

    @classmethod
    def from_json(cls, data: bytes, *, source: str | None = None) -> "CocoDataset":
        """Parse COCO ground-truth JSON bytes (``images``, ``categories``,
        ``annotations``).  ``source`` (e.g. the file name) is quoted in
        error messages.  Raises :class:`~vernier.JSONError` or
        :class:`~vernier.SchemaError` naming the location of bad input."""
        return cls(_ll.dataset_load_json(data, source=source))

    @classmethod
    def from_file(cls, path) -> "CocoDataset":
        """Read and parse a ground-truth JSON file."""
        with open(path, "rb") as f:
            data = f.read()
        return cls.from_json(data, source=str(path))

    def _h(self):
        if self._handle is None:
            raise ValueError("CocoDataset is closed")
        return self._handle

    @property
    def num_images(self) -> int:
        """Entries of ``images`` (as read, duplicates included)."""
        return int(_ll.lib.vernier_dataset_num_images(self._h()))

    @property
    def num_annotations(self) -> int:
        """Entries of ``annotations``."""
        return int(_ll.lib.vernier_dataset_num_annotations(self._h()))

    @property
    def num_categories(self) -> int:
        """Entries of ``categories``."""
        return int(_ll.lib.vernier_dataset_num_categories(self._h()))

    @property
    def segm_cache_len(self) -> int:
        """Ground-truth masks derived and kept by earlier mask evaluations."""
        return int(_ll.lib.vernier_dataset_cache_len(self._h(), _ll.lib.VERNIER_CACHE_MASKS))

    @property
    def boundary_cache_len(self) -> int:
        """Boundary bands kept (all dilation ratios together)."""
        return int(_ll.lib.vernier_dataset_cache_len(self._h(), _ll.lib.VERNIER_CACHE_BANDS))

    def clear_cache(self) -> None:
        """Drop the derived masks and bands (the next mask evaluation derives
        them again).  Raises :class:`~vernier.StateError` while an evaluation
        on another thread is using this dataset."""
        rc = _ll.lib.vernier_dataset_clear_cache(self._h())
        _ll._errors.check(rc, None, _ll.ffi, _ll.lib)

    def close(self) -> None:
        """Free the C dataset now.  Idempotent."""
        with self._lock:
            h, self._handle = self._handle, None
        if h is not None:
            _ll.ffi.release(h)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        if self._handle is None:
            return "CocoDataset(closed)"
        return (f"CocoDataset(num_images={self.num_images}, "
                f"num_annotations={self.num_annotations}, num_categories={self.num_categories})")


def _json_default(obj):
    # numpy scalars and arrays of exact types convert losslessly
    if isinstance(obj, (np.integer, np.bool_)):
        return obj.item()
    if isinstance(obj, np.floating):
        if obj.dtype != np.float64:
            raise TypeError(f"{obj.dtype} values are not accepted: convert to float64 first "
                            "(pycocotools would compute areas in that precision)")
        return obj.item()
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f" and obj.dtype != np.float64:
            raise TypeError(f"{obj.dtype} arrays are not accepted: convert to float64 first")
        return obj.tolist()
    if isinstance(obj, bytes):
        return obj.decode("ascii")
    raise TypeError(f"object of type {type(obj).__name__} is not JSON serialisable")


def _results_bytes(dt) -> bytes:
    if isinstance(dt, (bytes, bytearray, memoryview)):
        return dt
    if isinstance(dt, (list, tuple)):
        try:
            return json.dumps(dt, default=_json_default, separators=(",", ":")).encode("utf-8")
        except (TypeError, ValueError) as e:
            raise SchemaError(f"result list cannot be read: {e}") from None
    raise TypeError("detections must be loadRes-shaped JSON bytes or a list of result dicts, "
                    f"not {type(dt).__name__}")


class Summary:
    """The outcome of one evaluation.

    ``stats``
        the 12 numbers of pycocotools' ``COCOeval.stats`` (AP, AP50, AP75,
        APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl);
    ``precision``, ``recall``, ``scores``
        numpy arrays laid out as pycocotools' ``COCOeval.eval`` dict:
        precision and scores are T x R x K x A x M, recall T x K x A x M;
    ``iou_thresholds``, ``recall_thresholds``, ``category_ids``,
    ``area_ranges``, ``max_dets``
        the axes of those arrays.
    """

    __slots__ = ("_ev", "stats", "_lines", "_dims", "_cache", "iou_thresholds",
                 "recall_thresholds", "category_ids", "max_dets", "area_ranges")

    def __init__(self, ev):
        self._ev = ev
        self._dims = _ll.eval_dims(ev)
        t, r, k, a, m = self._dims
        self.stats = _ll.eval_stats(ev)
        self._lines = _ll.eval_summary_lines(ev)
        self._cache = {}
        self.iou_thresholds = _ll.copy_f64(_ll.lib.vernier_eval_iou_thresholds(ev), (t,))
        self.recall_thresholds = _ll.copy_f64(_ll.lib.vernier_eval_recall_thresholds(ev), (r,))
        self.category_ids = _ll.copy_i64(_ll.lib.vernier_eval_category_ids(ev), k)
        self.max_dets = tuple(_ll.copy_i64(_ll.lib.vernier_eval_max_dets(ev), m))
        self.area_ranges = tuple(
            _ll.ffi.string(_ll.lib.vernier_eval_area_label(ev, i)).decode() for i in range(a))

    def _array(self, name, copy_fn, shape):
        arr = self._cache.get(name)
        if arr is None:
            arr = _ll.copy_array(self._ev, copy_fn, shape)
            arr.setflags(write=False)
            self._cache[name] = arr
        return arr

    @property
    def precision(self) -> np.ndarray:
        """T x R x K x A x M precision (-1 where undefined), read-only."""
        t, r, k, a, m = self._dims
        return self._array("precision", _ll.lib.vernier_eval_copy_precision, (t, r, k, a, m))

    @property
    def recall(self) -> np.ndarray:
        """T x K x A x M recall (-1 where undefined), read-only."""
        t, r, k, a, m = self._dims
        return self._array("recall", _ll.lib.vernier_eval_copy_recall, (t, k, a, m))

    @property
    def scores(self) -> np.ndarray:
        """T x R x K x A x M score at each recall threshold, read-only."""
        t, r, k, a, m = self._dims
        return self._array("scores", _ll.lib.vernier_eval_copy_scores, (t, r, k, a, m))

    def pretty_lines(self) -> list[str]:
        """The lines pycocotools' ``summarize()`` prints, character for
        character (without newlines)."""
        return list(self._lines)

    def __str__(self) -> str:
        return "\n".join(self._lines)

    def __repr__(self) -> str:
        return f"Summary(stats={self.stats!r})"


@dataclass(frozen=True)
class Evaluator:
    """An immutable evaluation configuration.

    ``iou``
        the IoU kernel: ``Bbox()``, ``Segm()``, ``Boundary(dilation_ratio)``
        or ``Keypoints(sigmas)``.
    ``parity_mode``
        ``"strict"`` reproduces pycocotools 2.0.11 bit for bit, quirks
        included; ``"corrected"`` (the default) fixes the documented quirks
        listed in docs/explanation/quirks.md (ADR 0011).
    ``max_dets``
        the max-detections ladder (default ``(1, 10, 100)``); sorted
        ascending as pycocotools does; values must be distinct integers
        >= 0.  The 12 summary stats need at least three caps.
    ``use_cats``
        ``False`` pools all categories (pycocotools ``useCats=0``).
    ``iou_thresholds``, ``recall_thresholds``
        custom threshold ladders (values in [0, 1], ascending, distinct);
        ``None`` keeps pycocotools' ``linspace(.5, .95, 10)`` and
        ``linspace(0, 1, 101)``.
    ``area_ranges``
        custom area ranges as ``(label, lo, hi)`` triples (``None``: all,
        small, medium, large; keypoints: all, medium, large).

    With a custom grid the arrays follow it; the summary statistics look
    thresholds (0.5, 0.75), labels and caps up by value exactly as
    pycocotools' ``summarize()`` does, so a statistic whose slot is not on
    the grid is -1 (ADR 0010).
    """

    iou: Bbox | Segm | Boundary | Keypoints = Bbox()
    parity_mode: str = "corrected"
    max_dets: tuple | None = None
    use_cats: bool = True
    iou_thresholds: tuple | None = None
    recall_thresholds: tuple | None = None
    area_ranges: tuple | None = None

    def __post_init__(self):
        if not isinstance(self.iou, _IOU_KINDS):
            raise InvalidConfigError(
                f"iou must be Bbox(), Segm(), Boundary() or Keypoints(), got {self.iou!r}")
        if self.parity_mode not in PARITY_MODES:
            raise InvalidConfigError(
                f"parity_mode must be one of {PARITY_MODES}, got {self.parity_mode!r}")
        if not isinstance(self.use_cats, (bool, int)) or self.use_cats not in (0, 1):
            raise InvalidConfigError(f"use_cats must be a bool, got {self.use_cats!r}")
        if self.max_dets is not None:
            md = self.max_dets
            if isinstance(md, (str, bytes)) or not isinstance(md, Sequence):
                raise InvalidConfigError(f"max_dets must be a sequence of ints, got {md!r}")
            if len(md) == 0:
                raise InvalidConfigError("max_dets must not be empty")
            for v in md:
                if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                    raise InvalidConfigError(f"max_dets values must be ints >= 0, got {v!r}")
            if len(set(int(v) for v in md)) != len(md):
                raise InvalidConfigError(f"max_dets values must be distinct, got {md!r}")
            object.__setattr__(self, "max_dets", tuple(int(v) for v in md))
        if self.iou_thresholds is not None:
            object.__setattr__(self, "iou_thresholds",
                               _ladder("iou_thresholds", self.iou_thresholds))
            if len(self.iou_thresholds) > 32:
                raise InvalidConfigError("iou_thresholds: at most 32 values")
        if self.recall_thresholds is not None:
            object.__setattr__(self, "recall_thresholds",
                               _ladder("recall_thresholds", self.recall_thresholds))
            if len(self.recall_thresholds) > 1001:
                raise InvalidConfigError("recall_thresholds: at most 1001 values")
        if self.area_ranges is not None:
            object.__setattr__(self, "area_ranges", _area_ranges(self.area_ranges))
            if len(self.area_ranges) > 16:
                raise InvalidConfigError("area_ranges: at most 16 ranges")

    def evaluate(self, gt: CocoDataset | bytes, dt: Any) -> Summary:
        """Evaluate detections ``dt`` against ground truth ``gt``.

        ``gt`` is a :class:`CocoDataset` (parsed once, reusable) or COCO
        JSON bytes.  ``dt`` is loadRes-shaped JSON bytes or a list of result
        dicts (``image_id``, ``category_id``, ``bbox``, ``score``).
        Raises :class:`~vernier.UnknownImageError` for a result on an image
        the ground truth lacks, and JSON/schema errors for bad input."""
        if isinstance(gt, CocoDataset):
            ds = gt._h()
        elif isinstance(gt, (bytes, bytearray, memoryview)):
            ds = _ll.dataset_load_json(gt)
        else:
            raise TypeError(f"gt must be a CocoDataset or JSON bytes, not {type(gt).__name__}")
        res = _ll.results_load_json(_results_bytes(dt))
        try:
            ev = _ll.evaluate(ds, res, iou=self.iou,
                              parity_mode=PARITY_MODES.index(self.parity_mode),
                              use_cats=bool(self.use_cats), max_dets=self.max_dets,
                              iou_thresholds=self.iou_thresholds,
                              recall_thresholds=self.recall_thresholds,
                              area_ranges=self.area_ranges)
        finally:
            _ll.ffi.release(res)
            if not isinstance(gt, CocoDataset):
                _ll.ffi.release(ds)
        return Summary(ev)
