"""IoU kernels (Bbox, Segm, Boundary, Keypoints) and the validation of the
evaluation grid (threshold ladders, area ranges, thread count)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from . import _lowlevel as _ll
from ._errors import InvalidConfigError

PARITY_MODES = ("strict", "corrected")
AREA_RANGE_LABELS = ("all", "small", "medium", "large")
# COCO's person keypoints (pycocotools' default sigmas have this many)
COCO_NUM_KEYPOINTS = 17
# ... and their sigmas: pycocotools' literals divided by 10.0, as the C core
# computes them (the values a partial records for "COCO's sigmas")
COCO_SIGMAS = tuple(v / 10.0 for v in (.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62,
                                       1.07, 1.07, .87, .87, .89, .89))


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

    ``sigmas`` is either a mapping from category id to that category's
    per-keypoint sigmas (a category not in it uses COCO's 17
    (``COCO_NUM_KEYPOINTS``) person sigmas, pycocotools' literals divided by
    10.0), or one sequence of sigmas for every category, as pycocotools'
    ``params.kpt_oks_sigmas`` (``Keypoints(sigmas=[...17 floats...])``).  A
    category's sigmas must have as many values as it has keypoint names;
    that is checked when evaluating."""

    __slots__ = ("_sigmas", "_all")
    name = "keypoints"

    def __init__(self, sigmas: Mapping[int, Sequence[float]] | Sequence[float] | None = None):
        table = {}
        self._all = None
        if sigmas is not None and not isinstance(sigmas, Mapping):
            if isinstance(sigmas, (str, bytes)) or not hasattr(sigmas, "__iter__"):
                raise InvalidConfigError("sigmas must be a mapping {category id: sigmas} or one "
                                         f"sequence of sigmas, got {type(sigmas).__name__}")
            try:
                vals = tuple(float(v) for v in sigmas)
            except (TypeError, ValueError):
                raise InvalidConfigError("sigmas must be a sequence of numbers") from None
            if not vals or not all(math.isfinite(v) and v > 0 for v in vals):
                raise InvalidConfigError("sigmas must be a non-empty sequence of finite values > 0")
            self._all = vals
            sigmas = None
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
        """The per-category overrides (a copy; empty when one sequence of
        sigmas applies to every category, see :attr:`all_sigmas`)."""
        return dict(self._sigmas)

    @property
    def all_sigmas(self) -> tuple | None:
        """The sigmas given for every category (a tuple), or None: COCO's
        person sigmas, or the per-category mapping."""
        return self._all

    def __eq__(self, other):
        return (isinstance(other, Keypoints) and other._sigmas == self._sigmas
                and other._all == self._all)

    def __hash__(self):
        return hash((tuple(sorted(self._sigmas.items())), self._all))

    def __repr__(self):
        if self._all is not None:
            return f"Keypoints(sigmas={list(self._all)!r})"
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
        if not isinstance(label, str) or not label or len(label.encode()) > _ll.MAX_AREA_LABEL:
            raise InvalidConfigError(f"area label {label!r} must be a non-empty str of "
                                     f"<= {_ll.MAX_AREA_LABEL} bytes")
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


_IOU_BY_NAME = {"bbox": Bbox, "segm": Segm, "boundary": Boundary, "keypoints": Keypoints}


def _num_threads(n) -> int:
    """The C option for ``num_threads=n`` (None: 1, sequential)."""
    if n is None:
        return 1
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= _ll.MAX_THREADS:
        raise InvalidConfigError("num_threads must be None or an int from 0 (auto) to "
                                 f"{_ll.MAX_THREADS}, got {n!r}")
    return n


def _memory_budget(value) -> int | None:
    """A ``memory_budget_bytes`` argument: None (unlimited) or an int >= 1."""
    if value is not None and (isinstance(value, bool)
                              or not isinstance(value, (int, np.integer)) or value < 1):
        raise InvalidConfigError(
            f"memory_budget_bytes must be None or an int >= 1, got {value!r}")
    return None if value is None else int(value)
