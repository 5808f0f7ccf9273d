"""Evaluator: the immutable evaluation configuration and its entry points
(one-shot evaluation, partials for distributed evaluation)."""
from __future__ import annotations

import functools
import inspect
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import numpy as np

from . import _lowlevel as _ll
from ._convert import hint_ground_truth_as_results, relocate, results_input
from ._dataset import CocoDataset, _gt_and_results, _gt_dataset
from ._errors import InvalidArgumentError, InvalidConfigError, VernierError
from ._kernels import (COCO_SIGMAS, PARITY_MODES, _IOU_BY_NAME, _IOU_KINDS, Bbox, Boundary, Keypoints, Segm, _area_ranges,
                       _ladder, _memory_budget, _num_threads)
from ._summary import Summary

if TYPE_CHECKING:
    from ._background import BackgroundEvaluator

__all__ = ["Evaluator", "partial_info"]


class _class_or_instance:
    """A method that receives both the class and the instance it was looked
    up on (None when called on the class)."""

    def __init__(self, fn):
        self._fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.__wrapped__ = fn

    def __get__(self, obj, cls=None):
        fn = self._fn
        owner = cls if cls is not None else type(obj)

        @functools.wraps(fn)
        def bound(*args, **kwargs):
            return fn(owner, obj, *args, **kwargs)

        sig = inspect.signature(fn)
        bound.__signature__ = sig.replace(parameters=list(sig.parameters.values())[2:])
        return bound


def _slice_ids(slices) -> dict:
    """``{name: sorted unique image ids}`` from :meth:`Evaluator.evaluate_slices`'
    ``slices`` argument, checked."""
    if not isinstance(slices, Mapping):
        raise InvalidArgumentError(
            f"slices must be a mapping {{name: image ids}}, got {type(slices).__name__}")
    out = {}
    for name, ids in slices.items():
        if not isinstance(name, str):
            raise InvalidArgumentError(f"slice names must be str, got {name!r}")
        if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable):
            raise InvalidArgumentError(
                f"slice {name!r}: image ids must be an iterable of ints, got {type(ids).__name__}")
        values = set()
        for v in (ids.tolist() if isinstance(ids, np.ndarray) else ids):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise InvalidArgumentError(f"slice {name!r}: image ids must be ints, got {v!r}")
            if not -2 ** 63 <= int(v) < 2 ** 63:
                raise InvalidArgumentError(f"slice {name!r}: image id {v!r} is not an int64")
            values.add(int(v))
        out[name] = sorted(values)
    return out


def _partial_blobs(partials) -> list:
    """The ``partials`` argument as a non-empty list of bytes-like objects."""
    if isinstance(partials, (bytes, bytearray, memoryview, str)):
        raise TypeError("partials must be a sequence of partials (bytes), not one partial")
    blobs = []
    for i, b in enumerate(partials):
        if not isinstance(b, (bytes, bytearray, memoryview)):
            raise TypeError(f"partials[{i}] must be bytes, not {type(b).__name__}")
        blobs.append(b)
    if not blobs:
        raise InvalidArgumentError(
            "no partials to merge: pass at least one (a rank that evaluated nothing "
            "still returns an empty partial)")
    return blobs


_PARAMS_AT = 168          # header size (docs/reference/partial-format.md)
_LEN_PARAMS_AT = 144      # header field: bytes of the parameters section


def _partial_settings(blob) -> dict:
    """The Evaluator settings a partial records in its parameters section
    (docs/reference/partial-format.md), after :func:`partial_info` checked
    the partial's framing, checksum and structure."""
    info = _ll.partial_info(blob)
    data = bytes(blob)
    (n_params,) = struct.unpack_from("<Q", data, _LEN_PARAMS_AT)
    params = data[_PARAMS_AT:_PARAMS_AT + n_params]
    pos = 0

    def take(fmt):
        nonlocal pos
        values = struct.unpack_from("<" + fmt, params, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    take("4B")  # iou type, parity mode, use_cats: as the header (info) says
    (dilation,) = take("d")
    (t,) = take("I")
    iou_thresholds = take(f"{t}d")
    (r,) = take("I")
    recall_thresholds = take(f"{r}d")
    (a,) = take("I")
    area_ranges = []
    for _ in range(a):
        lo, hi, n = take("ddB")
        area_ranges.append((params[pos:pos + n].decode("utf-8"), lo, hi))
        pos += n
    (m,) = take("I")
    max_dets = take(f"{m}Q")
    (n_default,) = take("I")
    default_sigmas = take(f"{n_default}d")  # COCO's unless one list was given for all
    (n_over,) = take("I")
    overrides = {}
    for _ in range(n_over):
        cat, n = take("qI")
        overrides[cat] = take(f"{n}d")
    kind = _IOU_BY_NAME[info["iou_type"]]
    if kind is Boundary:
        iou = Boundary(dilation)
    elif kind is Keypoints:
        if overrides or default_sigmas == COCO_SIGMAS:
            iou = Keypoints(overrides)
        else:
            iou = Keypoints(list(default_sigmas))
    else:
        iou = kind()
    return {"iou": iou, "parity_mode": info["parity_mode"], "use_cats": info["use_cats"],
            "max_dets": max_dets, "iou_thresholds": iou_thresholds,
            "recall_thresholds": recall_thresholds, "area_ranges": tuple(area_ranges)}


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
    ``cast_inputs``
        ``False`` (the default) refuses ``float32`` / ``float16`` values in
        detections (pycocotools would compute areas in their precision) and
        integer ids held in a float array; ``True`` widens the floats to
        float64 and converts integral float ids (docs/reference/input-format.md,
        "numpy values").  Not recorded in partials.

    The same object configures every way of evaluating: :meth:`evaluate`,
    :meth:`evaluate_to_partial`, :meth:`merge_partials` /
    :meth:`from_partials` and a :class:`BackgroundEvaluator`
    (:meth:`background`, or ``BackgroundEvaluator(gt, evaluator=...)``).

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
            if len(self.iou_thresholds) > _ll.MAX_IOU_THRESHOLDS:
                raise InvalidConfigError(
                    f"iou_thresholds: at most {_ll.MAX_IOU_THRESHOLDS} values")
        if self.recall_thresholds is not None:
            object.__setattr__(self, "recall_thresholds",
                               _ladder("recall_thresholds", self.recall_thresholds))
            if len(self.recall_thresholds) > _ll.MAX_RECALL_THRESHOLDS:
                raise InvalidConfigError(
                    f"recall_thresholds: at most {_ll.MAX_RECALL_THRESHOLDS} values")
        if self.area_ranges is not None:
            object.__setattr__(self, "area_ranges", _area_ranges(self.area_ranges))
            if len(self.area_ranges) > _ll.MAX_AREA_RANGES:
                raise InvalidConfigError(f"area_ranges: at most {_ll.MAX_AREA_RANGES} ranges")
        if not isinstance(self.cast_inputs, bool):
            raise InvalidConfigError(f"cast_inputs must be a bool, got {self.cast_inputs!r}")

    def evaluate(self, gt: CocoDataset | bytes, dt: Any, *, keep_records: bool = False,
                 num_threads: int | None = None,
                 slices: Mapping | None = None) -> Summary | dict[str, Summary]:
        """Evaluate detections ``dt`` against ground truth ``gt``.

        ``gt`` is a :class:`CocoDataset` (parsed once, reusable) or COCO
        JSON bytes.  ``dt`` is loadRes-shaped JSON bytes, a list of result
        dicts (``image_id``, ``category_id``, ``bbox``, ``score``), a
        ``Detections`` dict of numpy arrays or a sequence of them (see
        :meth:`BackgroundEvaluator.submit`).
        Raises :class:`~vernier.UnknownImageError` for a result on an image
        the ground truth lacks, and JSON/schema errors for bad input.

        ``num_threads``: threads for the work (None or 1: the calling
        thread only; 0: one per online CPU; n: n threads): a ground truth
        given as bytes or a path is parsed while the results are, and cells
        are matched and categories accumulated on the threads.  The numbers
        do not depend on it.

        ``keep_records=True`` also keeps the per-image match records
        (pycocotools' ``evalImgs``), read with :meth:`Summary.eval_imgs` and
        :meth:`Summary.image_records`.

        ``slices``: a mapping ``{name: image ids}``; when given the result
        is :meth:`evaluate_slices`'s ``{name: Summary}`` instead of one
        Summary (ADR 0024)."""
        if slices is not None:
            return self.evaluate_slices(gt, dt, slices, keep_records=keep_records,
                                        num_threads=num_threads)
        threads = _num_threads(num_threads)
        data, locate = results_input(dt, cast_inputs=self.cast_inputs)
        try:
            with _gt_and_results(gt, data, parallel=threads != 1) as (ds, res):
                opts = self._options(keep_records=keep_records, num_threads=threads)
                ev = _ll.evaluate(ds, res, opts)
                names = ds.category_names()
        except VernierError as e:
            relocate(e, locate)  # name the Python object, not vernier's serialisation
            hint_ground_truth_as_results(e, data)
            raise
        return Summary(ev, self.parity_mode, self.iou, names)

    def evaluate_slices(self, gt: CocoDataset | bytes, dt: Any, slices: Mapping, *,
                        keep_records: bool = False,
                        num_threads: int | None = None) -> dict[str, Summary]:
        """Evaluate ``dt`` against ``gt`` once per slice of the images.

        ``slices`` maps a name (str) to the image ids of that slice (any
        iterable of ints; order and repeats do not matter).  Returns
        ``{name: Summary}`` in the mapping's order, each Summary equal bit
        for bit to evaluating that image subset alone -- pycocotools with
        ``params.imgIds`` set to the slice (strict mode).  Results on images
        outside a slice take no part in it; an id the ground truth lacks is
        an image with nothing to evaluate; an empty slice gives -1 in every
        precision and recall cell, as pycocotools does.  Slices need not be
        disjoint nor cover the images.  The ground truth and the results are
        parsed once for all the slices (ADR 0024).  Other arguments as
        :meth:`evaluate`."""
        subsets = _slice_ids(slices)
        threads = _num_threads(num_threads)
        data, locate = results_input(dt, cast_inputs=self.cast_inputs)
        out = {}
        try:
            with _gt_and_results(gt, data, parallel=threads != 1) as (ds, res):
                names = ds.category_names()
                for name, ids in subsets.items():
                    opts = self._options(keep_records=keep_records, num_threads=threads,
                                         image_ids=ids)
                    out[name] = Summary(_ll.evaluate(ds, res, opts), self.parity_mode,
                                        self.iou, names)
        except VernierError as e:
            relocate(e, locate)
            hint_ground_truth_as_results(e, data)
            raise
        return out

    def _options(self, **extra) -> _ll.Options:
        return _ll.eval_options(
            iou=self.iou, parity_mode=PARITY_MODES.index(self.parity_mode),
            use_cats=bool(self.use_cats), max_dets=self.max_dets,
            iou_thresholds=self.iou_thresholds, recall_thresholds=self.recall_thresholds,
            area_ranges=self.area_ranges, **extra)

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
        data, locate = results_input(dt, cast_inputs=self.cast_inputs)
        try:
            with _gt_dataset(gt) as ds:
                res = _ll.results_load_json(data)
                try:
                    return _ll.evaluate_to_partial(ds, res, self._options(), rank_id)
                finally:
                    res.close()
        except VernierError as e:
            relocate(e, locate)
            hint_ground_truth_as_results(e, data)
            raise

    def merge_partials(self, gt: CocoDataset | bytes, partials, *,
                       memory_budget_bytes: int | None = None) -> Summary:
        """Merge partials produced with this evaluator's configuration into
        the :class:`Summary` of the whole evaluation.

        The configuration is checked against the one every partial records:
        a real difference (another kernel, parity mode, cap ladder, grid,
        sigmas, ...; a ladder given in another order is not one) raises
        :class:`~vernier.PartialMismatchError` whose ``field`` names it.
        Errors as :meth:`from_partials`."""
        blobs = _partial_blobs(partials)
        budget = _memory_budget(memory_budget_bytes)
        with _gt_dataset(gt) as ds:
            ev = _ll.merge_partials(ds, self._options(), blobs, budget or 0)
            names = ds.category_names()
        return Summary(ev, self.parity_mode, self.iou, names)

    @_class_or_instance
    def from_partials(cls, self, gt: CocoDataset | bytes, partials, *, iou=None,
                      parity_mode: str | None = None, max_dets=None, use_cats: bool | None = None,
                      iou_thresholds=None, recall_thresholds=None, area_ranges=None,
                      memory_budget_bytes: int | None = None) -> Summary:
        """Merge the ranks' partials (from :meth:`evaluate_to_partial` or
        :meth:`BackgroundEvaluator.finalize_to_partial`, in any order) into
        the :class:`Summary` of the whole evaluation.

        Every partial records the configuration it was made with, and that
        is what the merge uses:

        * called on the class (``Evaluator.from_partials(gt, parts)``), the
          configuration is read from the partials; a setting given here
          (``iou``, ``parity_mode``, ``max_dets``, ``use_cats``, the grids)
          is checked against it;
        * called on an evaluator (``ev.from_partials(gt, parts)``), that
          evaluator's configuration is checked against the partials' (as
          :meth:`merge_partials`); settings may not be given as well.

        Only a real difference is refused: :class:`~vernier.PartialMismatchError`
        naming the partial, its rank and the first differing setting
        (``field``).  A partial made against other ground truth raises
        :class:`~vernier.PartialDatasetMismatchError`; a damaged one
        :class:`~vernier.PartialCorruptError`; two covering the same image
        :class:`~vernier.PartialOverlapError`; no partial at all
        :class:`~vernier.InvalidArgumentError` (there is nothing to merge:
        an empty evaluation is not a result).  ``memory_budget_bytes``
        bounds the merge's retained state (checked before allocating)."""
        given = {k: v for k, v in (("iou", iou), ("parity_mode", parity_mode),
                                   ("max_dets", max_dets), ("use_cats", use_cats),
                                   ("iou_thresholds", iou_thresholds),
                                   ("recall_thresholds", recall_thresholds),
                                   ("area_ranges", area_ranges)) if v is not None}
        blobs = _partial_blobs(partials)
        if self is not None:
            if given:
                raise TypeError("from_partials called on an evaluator takes its configuration "
                                f"from it: do not pass {', '.join(sorted(given))} as well")
            return self.merge_partials(gt, blobs, memory_budget_bytes=memory_budget_bytes)
        settings = _partial_settings(blobs[0])
        settings.update(given)
        evaluator = cls(**settings)
        return evaluator.merge_partials(gt, blobs, memory_budget_bytes=memory_budget_bytes)

    def background(self, gt: CocoDataset | bytes, *, queue_capacity: int = 4,
                   memory_budget_bytes: int | None = None,
                   rank_id: int = 0) -> "BackgroundEvaluator":
        """A :class:`BackgroundEvaluator` with this evaluator's settings (iou,
        parity_mode, max_dets, use_cats, cast_inputs and the custom grid).
        A :class:`CocoDataset` is reused, derivation cache included.
        ``rank_id`` is recorded by :meth:`BackgroundEvaluator.finalize_to_partial`."""
        from ._background import BackgroundEvaluator

        return BackgroundEvaluator._start(self, gt, queue_capacity=queue_capacity,
                                          memory_budget_bytes=memory_budget_bytes,
                                          rank_id=rank_id)


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
