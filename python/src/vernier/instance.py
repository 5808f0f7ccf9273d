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
from ._errors import DuplicateImageError, OutOfBudgetError, QueueFullError, StateError
from ._errors import (PartialCorruptError, PartialDatasetMismatchError, PartialError,
                      PartialMismatchError, PartialOverlapError, PartialVersionError)

__all__ = ["Bbox", "Segm", "Boundary", "Keypoints", "CocoDataset", "Evaluator", "Summary",
           "BackgroundEvaluator", "OutOfBudgetError", "QueueFullError", "DuplicateImageError",
           "StateError", "PartialError", "PartialCorruptError", "PartialVersionError",
           "PartialMismatchError", "PartialDatasetMismatchError", "PartialOverlapError",
           "partial_info",
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

    __slots__ = ("_handle", "_lock", "_pins", "__weakref__")

    def __init__(self, _handle):
        self._handle = _handle
        self._lock = threading.Lock()
        self._pins = 0  # BackgroundEvaluators using the handle

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

    @property
    def digest(self) -> str:
        """The SHA-256 (hex) of the parsed ground truth's canonical encoding,
        as recorded in partials: formatting (whitespace, key order, number
        spelling, unknown keys) does not change it; any value the
        evaluation reads, or the order of an array, does."""
        return _ll.dataset_digest(self._h()).hex()

    def clear_cache(self) -> None:
        """Drop the derived masks and bands (the next mask evaluation derives
        them again).  Raises :class:`~vernier.StateError` while an evaluation
        on another thread is using this dataset."""
        rc = _ll.lib.vernier_dataset_clear_cache(self._h())
        _ll._errors.check(rc, None, _ll.ffi, _ll.lib)

    def close(self) -> None:
        """Free the C dataset now.  Idempotent.  Raises
        :class:`~vernier.StateError` while a :class:`BackgroundEvaluator`
        built on this dataset is open."""
        with self._lock:
            if self._pins and self._handle is not None:
                raise StateError("a BackgroundEvaluator still uses this dataset: finalize or "
                                 "close it first")
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


def _num_threads(n) -> int:
    """The C option for ``num_threads=n`` (None: 1, sequential)."""
    if n is None:
        return 1
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 256:
        raise InvalidConfigError(f"num_threads must be None or an int from 0 (auto) to 256, got {n!r}")
    return n


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
        the axes of those arrays;
    ``parity_mode``
        the mode that produced it: ``"strict"`` or ``"corrected"``.
    """

    __slots__ = ("_ev", "stats", "_lines", "_dims", "_cache", "iou_thresholds",
                 "recall_thresholds", "category_ids", "max_dets", "area_ranges", "parity_mode")

    def __init__(self, ev, parity_mode: str):
        self._ev = ev
        self.parity_mode = parity_mode
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

    def image_records(self) -> dict:
        """The per-image match records as columnar numpy arrays (needs
        ``evaluate(..., keep_records=True)``, else :class:`~vernier.StateError`).

        ``records`` is an ``n x 7`` int64 table, one row per entry of
        pycocotools' ``evalImgs`` that is not None, in ``evalImgs`` order:
        (evalImgs index, image id, category id or -1 when pooled, area-range
        index, maxDet, n_dt, n_gt).  The rows' detections follow one another
        in ``dt_id`` (loadRes id: position in the result list + 1),
        ``dt_score``, ``dt_match`` (n x T: position of the matched ground
        truth within the record, -1 for none) and ``dt_ignore`` (n x T); the
        rows' ground truths (non-ignored first) in ``gt_id``, ``gt_ignore``
        and ``gt_match`` (n x T: position of the last detection matched to
        it, -1 for none).  ``n_eval_imgs`` is the length of ``evalImgs``."""
        recs = self._cache.get("records")
        if recs is None:
            recs = _ll.copy_records(self._ev, self._dims[0])
            for v in recs.values():
                if isinstance(v, np.ndarray):
                    v.setflags(write=False)
            self._cache["records"] = recs
        return recs

    def eval_imgs(self) -> list:
        """pycocotools' ``COCOeval.evalImgs``: a list of K * A * I entries
        (category-major, then area range, then image in ascending id order),
        None where pycocotools has None, else a dict with pycocotools' keys
        and value types: ``image_id``, ``category_id``, ``aRng``, ``maxDet``,
        ``dtIds``, ``gtIds``, ``dtMatches`` and ``gtMatches`` (T x n float
        arrays of the matched ids, 0 for none), ``dtScores``, ``gtIgnore``,
        ``dtIgnore`` (T x n_dt bool).  Two more keys, ``dtMatchIndex`` and
        ``gtMatchIndex`` (int arrays, -1 for none), give the matches by
        position, which stays unambiguous when an annotation id is 0 (a real
        id in corrected mode).  Needs ``keep_records=True``."""
        recs = self.image_records()
        rng = _ll.copy_f64(_ll.lib.vernier_eval_area_ranges(self._ev), (self._dims[3], 2))
        out = [None] * recs["n_eval_imgs"]
        d0 = g0 = 0
        for row in recs["records"].tolist():
            idx, img, cat, a, max_det, nd, ng = row
            dm = recs["dt_match"][d0:d0 + nd].T.astype(np.int64)
            gm = recs["gt_match"][g0:g0 + ng].T.astype(np.int64)
            dt_ids = recs["dt_id"][d0:d0 + nd]
            gt_ids = recs["gt_id"][g0:g0 + ng]
            dt_matches = np.where(dm >= 0, gt_ids[np.maximum(dm, 0)] if ng else 0, 0)
            gt_matches = np.where(gm >= 0, dt_ids[np.maximum(gm, 0)] if nd else 0, 0)
            out[idx] = {
                "image_id": img,
                "category_id": cat,
                "aRng": [float(rng[a][0]), float(rng[a][1])],
                "maxDet": max_det,
                "dtIds": dt_ids.tolist(),
                "gtIds": gt_ids.tolist(),
                "dtMatches": dt_matches.astype(np.float64),
                "gtMatches": gt_matches.astype(np.float64),
                "dtScores": recs["dt_score"][d0:d0 + nd].tolist(),
                "gtIgnore": recs["gt_ignore"][g0:g0 + ng].astype(np.int64),
                "dtIgnore": recs["dt_ignore"][d0:d0 + nd].T.astype(bool),
                "dtMatchIndex": dm,
                "gtMatchIndex": gm,
            }
            d0 += nd
            g0 += ng
        return out

    def pretty_lines(self) -> list[str]:
        """The lines pycocotools' ``summarize()`` prints, character for
        character (without newlines)."""
        return list(self._lines)

    def __str__(self) -> str:
        return "\n".join(self._lines)

    def __repr__(self) -> str:
        return f"Summary(parity_mode={self.parity_mode!r}, stats={self.stats!r})"


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
    cast_inputs: bool = False

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
        if not isinstance(self.cast_inputs, bool):
            raise InvalidConfigError(f"cast_inputs must be a bool, got {self.cast_inputs!r}")

    def evaluate(self, gt: CocoDataset | bytes, dt: Any, *, keep_records: bool = False,
                 num_threads: int | None = None) -> Summary:
        """Evaluate detections ``dt`` against ground truth ``gt``.

        ``gt`` is a :class:`CocoDataset` (parsed once, reusable) or COCO
        JSON bytes.  ``dt`` is loadRes-shaped JSON bytes, a list of result
        dicts (``image_id``, ``category_id``, ``bbox``, ``score``), a
        ``Detections`` dict of numpy arrays or a sequence of them (see
        :meth:`BackgroundEvaluator.submit`).
        Raises :class:`~vernier.UnknownImageError` for a result on an image
        the ground truth lacks, and JSON/schema errors for bad input.

        ``num_threads``: threads that match cells (None or 1: the calling
        thread only; 0: one per online CPU; n: n threads).  The numbers do
        not depend on it.

        ``keep_records=True`` also keeps the per-image match records
        (pycocotools' ``evalImgs``), read with :meth:`Summary.eval_imgs` and
        :meth:`Summary.image_records`."""
        if isinstance(gt, CocoDataset):
            ds = gt._h()
        elif isinstance(gt, (bytes, bytearray, memoryview)):
            ds = _ll.dataset_load_json(gt)
        else:
            raise TypeError(f"gt must be a CocoDataset or JSON bytes, not {type(gt).__name__}")
        res = _ll.results_load_json(_detections_bytes(dt, cast_inputs=self.cast_inputs))
        try:
            ev = _ll.evaluate(ds, res, iou=self.iou,
                              parity_mode=PARITY_MODES.index(self.parity_mode),
                              use_cats=bool(self.use_cats), max_dets=self.max_dets,
                              iou_thresholds=self.iou_thresholds,
                              recall_thresholds=self.recall_thresholds,
                              area_ranges=self.area_ranges,
                              keep_records=keep_records,
                              num_threads=_num_threads(num_threads))
        finally:
            _ll.ffi.release(res)
            if not isinstance(gt, CocoDataset):
                _ll.ffi.release(ds)
        return Summary(ev, self.parity_mode)

    def _options(self):
        return _ll.eval_options(
            iou=self.iou, parity_mode=PARITY_MODES.index(self.parity_mode),
            use_cats=bool(self.use_cats), max_dets=self.max_dets,
            iou_thresholds=self.iou_thresholds, recall_thresholds=self.recall_thresholds,
            area_ranges=self.area_ranges)

    def evaluate_to_partial(self, gt: CocoDataset | bytes, dt: Any, *, rank_id: int = 0) -> bytes:
        """This rank's share of a distributed evaluation, as a partial.

        Matches ``dt`` (every form :meth:`evaluate` accepts) against ``gt``
        like :meth:`evaluate` and returns the compact per-image state --
        scores and match outcomes of the kept detections, never the raw
        detections -- as a self-describing byte string (format:
        docs/reference/partial-format.md).  Merge the ranks' partials with
        :meth:`from_partials`; the result equals :meth:`evaluate` on all the
        ranks' detections bit for bit, provided each image was evaluated by
        one rank.  ``rank_id`` is recorded and named in merge errors.
        Custom grids are carried."""
        rank_id = _ll.check_rank_id(rank_id)
        if isinstance(gt, CocoDataset):
            ds = gt._h()
        elif isinstance(gt, (bytes, bytearray, memoryview)):
            ds = _ll.dataset_load_json(gt)
        else:
            raise TypeError(f"gt must be a CocoDataset or JSON bytes, not {type(gt).__name__}")
        res = _ll.results_load_json(_detections_bytes(dt, cast_inputs=self.cast_inputs))
        opts, keep = self._options()
        try:
            return _ll.evaluate_to_partial(ds, res, opts, rank_id)
        finally:
            del keep
            _ll.ffi.release(res)
            if not isinstance(gt, CocoDataset):
                _ll.ffi.release(ds)

    def merge_partials(self, gt: CocoDataset | bytes, partials, *,
                       memory_budget_bytes: int | None = None) -> Summary:
        """Merge partials produced with this configuration (see
        :meth:`from_partials`, which builds the evaluator first)."""
        if isinstance(partials, (bytes, bytearray, memoryview, str)):
            raise TypeError("partials must be a sequence of partials (bytes), not one partial")
        blobs = []
        for i, b in enumerate(partials):
            if not isinstance(b, (bytes, bytearray, memoryview)):
                raise TypeError(f"partials[{i}] must be bytes, not {type(b).__name__}")
            blobs.append(b)
        if memory_budget_bytes is not None and (
                isinstance(memory_budget_bytes, bool)
                or not isinstance(memory_budget_bytes, (int, np.integer))
                or memory_budget_bytes < 1):
            raise InvalidConfigError(
                f"memory_budget_bytes must be None or an int >= 1, got {memory_budget_bytes!r}")
        if isinstance(gt, CocoDataset):
            ds = gt._h()
        elif isinstance(gt, (bytes, bytearray, memoryview)):
            ds = _ll.dataset_load_json(gt)
        else:
            raise TypeError(f"gt must be a CocoDataset or JSON bytes, not {type(gt).__name__}")
        opts, keep = self._options()
        try:
            ev = _ll.merge_partials(ds, opts, blobs, int(memory_budget_bytes or 0))
        finally:
            del keep
            if not isinstance(gt, CocoDataset):
                _ll.ffi.release(ds)
        return Summary(ev, self.parity_mode)

    @classmethod
    def from_partials(cls, gt: CocoDataset | bytes, partials, *, iou=Bbox(),
                      parity_mode: str = "corrected", max_dets=None, use_cats: bool = True,
                      iou_thresholds=None, recall_thresholds=None, area_ranges=None,
                      memory_budget_bytes: int | None = None) -> Summary:
        """Merge the ranks' partials (from :meth:`evaluate_to_partial` or
        :meth:`BackgroundEvaluator.finalize_to_partial`, in any order) into
        the :class:`Summary` of the whole evaluation.

        The configuration must be the one the ranks used: a partial made
        with another kernel, parity mode or parameter raises
        :class:`~vernier.PartialMismatchError` naming the partial, its rank
        and the first differing setting; one made against other ground
        truth :class:`~vernier.PartialDatasetMismatchError`; a damaged one
        :class:`~vernier.PartialCorruptError`; two covering the same image
        :class:`~vernier.PartialOverlapError`.  ``memory_budget_bytes``
        bounds the merge's retained state (checked before allocating)."""
        evaluator = cls(iou=iou, parity_mode=parity_mode, max_dets=max_dets, use_cats=use_cats,
                        iou_thresholds=iou_thresholds, recall_thresholds=recall_thresholds,
                        area_ranges=area_ranges)
        return evaluator.merge_partials(gt, partials, memory_budget_bytes=memory_budget_bytes)

    def background(self, gt: CocoDataset | bytes, *, queue_capacity: int = 4,
                   memory_budget_bytes: int | None = None,
                   rank_id: int = 0) -> "BackgroundEvaluator":
        """A :class:`BackgroundEvaluator` with this evaluator's settings (iou,
        parity_mode, max_dets, use_cats, cast_inputs and the custom grid).
        A :class:`CocoDataset` is reused, derivation cache included.
        ``rank_id`` is recorded by :meth:`BackgroundEvaluator.finalize_to_partial`."""
        return BackgroundEvaluator._start(self, gt, queue_capacity=queue_capacity,
                                          memory_budget_bytes=memory_budget_bytes,
                                          rank_id=rank_id)


# ---- detections in every accepted form -> loadRes JSON bytes -----------------

def _json_default_cast(obj):
    # cast_inputs=True: narrower numpy types are widened instead of refused
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.astype(np.float64).tolist() if obj.dtype.kind == "f" else obj.tolist()
    return _json_default(obj)


def _det_array(d, name, want, cast):
    """Field `name` of a Detections dict as an int64 (want "i") or float64
    (want "f") array; narrower numpy dtypes are refused unless `cast`."""
    value = d[name]
    a = np.asarray(value)
    ok = (a.dtype == np.int64 or a.dtype.kind == "b") if want == "i" else \
        a.dtype in (np.float64, np.int64)
    if isinstance(value, np.ndarray) and not ok and a.dtype.kind in "fiub":
        if not cast:
            need = "int64" if want == "i" else "float64"
            raise TypeError(f"Detections[{name!r}] has dtype {a.dtype}; pass {need} arrays "
                            "(or set cast_inputs=True to convert)")
    if a.dtype.kind not in "fiub":
        raise TypeError(f"Detections[{name!r}] must be numeric, not {a.dtype}")
    if want == "i":
        if a.dtype.kind == "f":
            if not cast:
                raise TypeError(f"Detections[{name!r}] must hold integers (int64), not "
                                f"{a.dtype}")
            if not np.all(np.isfinite(a)) or not np.all(a == np.round(a)):
                raise SchemaError(f"Detections[{name!r}] has non-integer values")
        return a.astype(np.int64)
    return a.astype(np.float64)


def _detections_records(d: Mapping, cast: bool) -> list:
    """A Detections dict of arrays as loadRes result dicts."""
    for key in ("image_id", "scores", "labels"):
        if key not in d:
            raise SchemaError(f"Detections dict lacks {key!r} (needs image_id, scores, labels "
                              "and boxes, segmentation or keypoints)")
    scores = _det_array(d, "scores", "f", cast)
    labels = _det_array(d, "labels", "i", cast)
    image_id = _det_array(d, "image_id", "i", cast)
    if scores.ndim != 1 or labels.shape != scores.shape:
        raise SchemaError(f"Detections: scores and labels must both have shape (N,), got "
                          f"{scores.shape} and {labels.shape}")
    n = scores.shape[0]
    if image_id.ndim == 0:
        image_id = np.full(n, int(image_id), np.int64)
    elif image_id.shape != (n,):
        raise SchemaError(f"Detections['image_id'] must be a scalar or have shape ({n},), got "
                          f"{image_id.shape}")
    cols = {"image_id": image_id.tolist(), "category_id": labels.tolist(),
            "score": scores.tolist()}
    if "boxes" in d:
        boxes = _det_array(d, "boxes", "f", cast)
        if boxes.shape != (n, 4):
            raise SchemaError(f"Detections['boxes'] must have shape ({n}, 4) (x, y, w, h), got "
                              f"{boxes.shape}")
        cols["bbox"] = boxes.tolist()
    seg = d.get("segmentation", d.get("masks"))
    if seg is not None:
        if len(seg) != n:
            raise SchemaError(f"Detections['segmentation'] must have {n} entries, got {len(seg)}")
        cols["segmentation"] = list(seg)
    if "keypoints" in d:
        kps = _det_array(d, "keypoints", "f", cast)
        if kps.ndim != 3 or kps.shape[0] != n or kps.shape[2] != 3:
            raise SchemaError(f"Detections['keypoints'] must have shape ({n}, K, 3), got "
                              f"{kps.shape}")
        cols["keypoints"] = kps.reshape(n, -1).tolist()
    if len(cols) == 3:
        raise SchemaError("Detections dict needs boxes, segmentation or keypoints")
    keys = list(cols)
    return [dict(zip(keys, row)) for row in zip(*(cols[k] for k in keys))]


def _is_detections(obj) -> bool:
    return isinstance(obj, Mapping) and "scores" in obj


def _detections_bytes(dt, *, cast_inputs: bool = False) -> bytes:
    """loadRes JSON bytes from any accepted form of detections: JSON bytes,
    a list of loadRes result dicts, a Detections dict of arrays, or a
    sequence of Detections dicts."""
    if isinstance(dt, (bytes, bytearray, memoryview)):
        return dt
    if _is_detections(dt):
        dt = _detections_records(dt, cast_inputs)
    elif isinstance(dt, (list, tuple)) and dt and all(_is_detections(x) for x in dt):
        dt = [r for x in dt for r in _detections_records(x, cast_inputs)]
    elif not isinstance(dt, (list, tuple)):
        raise TypeError("detections must be loadRes-shaped JSON bytes, a list of result dicts, "
                        f"a Detections dict or a sequence of them, not {type(dt).__name__}")
    default = _json_default_cast if cast_inputs else _json_default
    try:
        return json.dumps(dt, default=default, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise SchemaError(f"result list cannot be read: {e}") from None


# ---- background evaluation ---------------------------------------------------

_IOU_BY_NAME = {"bbox": Bbox, "segm": Segm, "boundary": Boundary, "keypoints": Keypoints}


def _per_class_table(summary: "Summary") -> dict:
    """AP (IoU .50:.95), AP50 and AR per category, from the accumulated
    arrays: first area range, largest max-detection cap; -1 where undefined
    (pycocotools' convention)."""
    p, r = summary.precision, summary.recall
    ious = np.asarray(summary.iou_thresholds)
    t50 = np.flatnonzero(np.abs(ious - 0.5) < 1e-12)

    def mean(v):
        v = v[v > -1]
        return float(np.mean(v)) if v.size else -1.0

    k_n = len(summary.category_ids)
    return {
        "category_id": np.asarray(summary.category_ids, np.int64),
        "ap": np.array([mean(p[:, :, k, 0, -1]) for k in range(k_n)]),
        "ap50": np.array([mean(p[t50, :, k, 0, -1]) if t50.size else -1.0
                          for k in range(k_n)]),
        "ar": np.array([mean(r[:, k, 0, -1]) for k in range(k_n)]),
    }


class BackgroundEvaluator:
    """Evaluation on a background thread: :meth:`submit` batches of
    detections as they are produced, :meth:`finalize` at the end.

    The worker thread, its bounded queue and the memory accounting live in
    the C library (``vernier_worker``, ADR 0014).  Batches are parsed and
    validated on the calling thread, matched on the worker; the GIL is
    released while ``submit`` waits and while the worker runs.  The result
    equals :meth:`Evaluator.evaluate` on all the submitted detections, bit
    for bit, whatever the split into batches and their order, provided each
    image's detections arrive in one batch.

    Build it with :meth:`Evaluator.background` (carries every setting and
    reuses a :class:`CocoDataset`) or directly::

        BackgroundEvaluator(gt, iou_type="bbox", parity_mode="corrected",
                            max_dets=None, use_cats=True, cast_inputs=False,
                            queue_capacity=4, memory_budget_bytes=None)

    ``gt`` is COCO JSON bytes or a :class:`CocoDataset` (which then cannot
    be closed until this evaluator is finalized or closed).
    """

    def __init__(self, gt: CocoDataset | bytes, iou_type: str = "bbox", *,
                 parity_mode: str = "corrected", max_dets=None, use_cats: bool = True,
                 cast_inputs: bool = False, queue_capacity: int = 4,
                 memory_budget_bytes: int | None = None, rank_id: int = 0):
        if iou_type not in _IOU_BY_NAME:
            raise InvalidConfigError(
                f"iou_type must be one of {tuple(_IOU_BY_NAME)}, got {iou_type!r}")
        evaluator = Evaluator(iou=_IOU_BY_NAME[iou_type](), parity_mode=parity_mode,
                              max_dets=max_dets, use_cats=use_cats, cast_inputs=cast_inputs)
        self._open(evaluator, gt, queue_capacity, memory_budget_bytes, rank_id)

    @classmethod
    def _start(cls, evaluator, gt, *, queue_capacity, memory_budget_bytes, rank_id=0):
        self = cls.__new__(cls)
        self._open(evaluator, gt, queue_capacity, memory_budget_bytes, rank_id)
        return self

    def _open(self, evaluator, gt, queue_capacity, memory_budget_bytes, rank_id=0):
        self._w = None
        self._rank_id = _ll.check_rank_id(rank_id)
        self._dataset = None
        self._state = "open"
        self._final = None
        self._lock = threading.Lock()
        if (isinstance(queue_capacity, bool) or not isinstance(queue_capacity, (int, np.integer))
                or queue_capacity < 1):
            raise InvalidConfigError(f"queue_capacity must be an int >= 1, got {queue_capacity!r}")
        if memory_budget_bytes is not None and (
                isinstance(memory_budget_bytes, bool)
                or not isinstance(memory_budget_bytes, (int, np.integer))
                or memory_budget_bytes < 1):
            raise InvalidConfigError(
                f"memory_budget_bytes must be None or an int >= 1, got {memory_budget_bytes!r}")
        self._evaluator = evaluator
        self._capacity = int(queue_capacity)
        self._budget = None if memory_budget_bytes is None else int(memory_budget_bytes)
        if isinstance(gt, CocoDataset):
            handle = gt._h()
        elif isinstance(gt, (bytes, bytearray, memoryview)):
            handle = _ll.dataset_load_json(gt)
        else:
            raise TypeError(f"gt must be a CocoDataset or JSON bytes, not {type(gt).__name__}")
        ev = evaluator
        opts, keep = _ll.eval_options(
            iou=ev.iou, parity_mode=PARITY_MODES.index(ev.parity_mode),
            use_cats=bool(ev.use_cats), max_dets=ev.max_dets, iou_thresholds=ev.iou_thresholds,
            recall_thresholds=ev.recall_thresholds, area_ranges=ev.area_ranges)
        # the worker's destructor keeps the dataset handle alive: the C
        # dataset is freed only after the thread was joined
        self._w = _ll.worker_new(handle, opts, queue_capacity=self._capacity,
                                 memory_budget_bytes=self._budget or 0, keepalive=(handle,))
        del keep
        if isinstance(gt, CocoDataset):
            with gt._lock:
                gt._pins += 1
            self._dataset = gt

    # -- lifecycle --------------------------------------------------------------

    def _live(self):
        w = self._w
        if w is None:
            what = "finalized" if self._state == "finalized" else "closed"
            raise StateError(f"this BackgroundEvaluator was already {what}")
        return w

    def _release(self, state: str) -> None:
        with self._lock:
            w, self._w = self._w, None
            ds, self._dataset = self._dataset, None
            if self._state == "open":
                self._state = state
        if w is not None:
            if self._final is None:
                self._final = self._counters(w)
            _ll.ffi.release(w)  # vernier_worker_free: drops the queue, joins
        if ds is not None:
            with ds._lock:
                ds._pins -= 1

    def submit(self, detections: Any, *, timeout: float | None = None) -> None:
        """Enqueue a batch of detections and return at once.

        ``detections``: loadRes-shaped JSON bytes, a list of loadRes result
        dicts, a ``Detections`` dict of numpy arrays (``image_id`` (N,) or a
        scalar, ``boxes`` (N, 4) x, y, w, h float64, ``scores`` (N,)
        float64, ``labels`` (N,) int64 category ids, and for the other
        kernels ``segmentation`` (N RLE dicts or polygons) or ``keypoints``
        (N, K, 3)), or a sequence of such dicts.  Each image's detections
        must all be in one batch.

        Parsing and validation happen here, on the calling thread, and raise
        here.  ``timeout=None`` never waits: a full queue raises
        :class:`~vernier.QueueFullError` at once; ``timeout=t`` waits up to
        ``t`` seconds for room (the GIL is released meanwhile), then raises.
        A failure of an earlier batch on the worker (repeated image,
        :class:`~vernier.OutOfBudgetError`, ...) is raised by the next
        ``submit`` instead of enqueuing.  A batch whose ``submit`` raised was
        not enqueued: submit it again if you want it evaluated."""
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or \
                    not (timeout >= 0) or timeout != timeout:
                raise ValueError(f"timeout must be None or a number >= 0, got {timeout!r}")
            timeout = float(timeout)
        data = _detections_bytes(detections, cast_inputs=self._evaluator.cast_inputs)
        w = self._live()
        res = _ll.results_parse(data)
        try:
            _ll.worker_submit(w, res, timeout)
        except BaseException:
            _ll.lib.vernier_results_free(res)
            raise

    def _finalize(self, tables: bool):
        w = self._live()
        ev = _ll.worker_finalize(w)  # drains, joins; raises unreported errors
        table = _ll.session_image_table(_ll.lib.vernier_worker_session(w)) if tables else None
        self._final = self._counters(w)
        self._release("finalized")
        return Summary(ev, self._evaluator.parity_mode), table

    def finalize(self) -> Summary:
        """Drain the queue, join the worker and return the :class:`Summary`
        of every batch accepted.  A worker error not yet raised by
        ``submit`` is raised here instead; call ``finalize()`` again for the
        summary of what was accepted.  After success, further calls raise
        :class:`~vernier.StateError`."""
        return self._finalize(False)[0]

    def finalize_with_tables(self) -> tuple:
        """:meth:`finalize`, plus two tables as dicts of numpy columns:

        per image (one row per ground-truth image, ascending id):
            ``image_id``; ``n_gt`` (ground truths on the image, crowd and
            ignored included); ``n_dt`` (detections kept: each category cut
            to the largest max-detection cap); ``tp`` (of those, true
            positives at the first IoU threshold, 0.5 by default, first area
            range); ``seen`` (a batch covered the image).
        per class (one row per category of the summary):
            ``category_id``; ``ap`` (mean precision over IoU thresholds and
            recall thresholds), ``ap50`` (at IoU 0.5, -1 when not on the
            grid) and ``ar`` (mean recall over IoU thresholds), all at the
            first area range and the largest cap, -1 where undefined.

        Returns ``(summary, per_image, per_class)``."""
        summary, per_image = self._finalize(True)
        return summary, per_image, _per_class_table(summary)

    def finalize_to_partial(self, *, rank_id: int | None = None) -> bytes:
        """Drain the queue, join the worker and return its state as a
        partial (bytes) for :meth:`Evaluator.from_partials` on the head
        rank, instead of a :class:`Summary` (distributed evaluation, see
        docs/how-to/distributed-eval.md).  ``rank_id`` (default: the one
        given at construction, else 0) is recorded in the partial.  Errors
        and the finalized state as :meth:`finalize`."""
        rank = self._rank_id if rank_id is None else _ll.check_rank_id(rank_id)
        w = self._live()
        blob = _ll.worker_finalize_to_partial(w, rank)
        self._final = self._counters(w)
        self._release("finalized")
        return blob

    def close(self) -> None:
        """Stop without finalizing: queued batches are dropped, the batch
        being matched is cancelled, the thread is joined.  Idempotent."""
        self._release("closed")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None and self._state == "open":
            try:
                self.finalize()  # drain and join; surfaces unreported errors
            finally:
                self.close()
        else:
            self.close()  # never raises over the original exception
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # -- counters ---------------------------------------------------------------

    @staticmethod
    def _counters(w) -> dict:
        lib = _ll.lib
        usage = _ll.ffi.new("vernier_memory_usage *")
        lib.vernier_worker_memory(w, usage)
        return {"images_seen": int(lib.vernier_worker_images_seen(w)),
                "detections_seen": int(lib.vernier_worker_detections_seen(w)),
                "queue_depth": int(lib.vernier_worker_queue_depth(w)),
                "memory_used_bytes": int(usage.used),
                "breakdown": _ll.memory_dict(usage)}

    def _counter(self, name):
        w = self._w
        if w is not None:
            return self._counters(w)[name]
        return self._final[name] if self._final is not None else 0

    @property
    def images_seen(self) -> int:
        """Images covered by the batches the worker has committed."""
        return self._counter("images_seen")

    @property
    def detections_seen(self) -> int:
        """Detections in the batches the worker has committed."""
        return self._counter("detections_seen")

    @property
    def queue_depth(self) -> int:
        """Batches waiting in the queue (not counting the one being matched)."""
        return self._counter("queue_depth")

    @property
    def memory_used_bytes(self) -> int:
        """Budgeted bytes held (ADR 0012): the ground-truth index and the
        committed per-cell records, scores and outcomes."""
        return self._counter("memory_used_bytes")

    @property
    def memory_breakdown(self) -> dict:
        """``memory_used_bytes`` by bucket, plus the unbudgeted ``queued`` and
        ``scratch_peak`` figures."""
        return dict(self._counter("breakdown"))

    @property
    def queue_capacity(self) -> int:
        """The queue's capacity, fixed at construction."""
        return self._capacity

    @property
    def memory_budget_bytes(self) -> int | None:
        """The budget (``None``: unlimited)."""
        return self._budget

    def __repr__(self) -> str:
        return (f"BackgroundEvaluator({self._evaluator.iou.name!r}, state={self._state!r}, "
                f"images_seen={self.images_seen}, queue_capacity={self._capacity})")


def partial_info(partial) -> dict:
    """What a partial's header says, after checking its framing, checksum
    and structure: ``format_version``, ``rank_id``, ``iou_type``,
    ``parity_mode``, ``use_cats``, ``num_images`` (image ids covered),
    ``num_records``, ``num_detections`` (kept), ``size`` (bytes),
    ``dataset_digest`` and ``params_digest`` (hex SHA-256).  Raises
    :class:`~vernier.PartialCorruptError` or
    :class:`~vernier.PartialVersionError`."""
    if not isinstance(partial, (bytes, bytearray, memoryview)):
        raise TypeError(f"a partial is bytes, not {type(partial).__name__}")
    return _ll.partial_info(partial)
