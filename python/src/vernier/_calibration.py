"""Score calibration from the per-detection table: expected calibration error
and reliability-diagram data (issue 21), behind :meth:`Summary.calibration`."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._errors import InvalidArgumentError, StateError

__all__ = ["Calibration", "calibration"]


class Calibration(NamedTuple):
    """Reliability-diagram data and expected calibration error.

    ``bin_edges`` (``bins + 1`` values, ``linspace(0, 1, bins + 1)``);
    per bin ``count`` (int64), ``mean_score`` and ``tp_fraction`` (NaN for
    an empty bin); ``ece`` = sum over bins of ``count / n * |tp_fraction -
    mean_score|`` (NaN when ``n`` is 0); ``n_detections`` = ``n``, the
    detections counted; ``per_class``: ``{category id: Calibration}``
    (each with an empty ``per_class``)."""

    ece: float
    bin_edges: np.ndarray
    mean_score: np.ndarray
    tp_fraction: np.ndarray
    count: np.ndarray
    n_detections: int
    per_class: dict


def _bins_arg(bins) -> int:
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise InvalidArgumentError(f"bins must be an int >= 1, got {bins!r}")
    return int(bins)


def reliability(scores: np.ndarray, tp: np.ndarray, bins: int) -> Calibration:
    """:class:`Calibration` (no ``per_class``) of detections with ``scores``
    and true-positive flags ``tp``, in ``bins`` equal-width bins on [0, 1]:
    bin i holds ``edges[i] <= score < edges[i + 1]``, the last bin also
    ``score == 1``; a score below 0 counts in the first bin, above 1 in the
    last."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    scores = np.asarray(scores, dtype=np.float64)
    tp = np.asarray(tp, dtype=bool)
    idx = np.clip(np.searchsorted(edges, scores, side="right") - 1, 0, bins - 1)
    count = np.bincount(idx, minlength=bins).astype(np.int64)
    score_sum = np.bincount(idx, weights=scores, minlength=bins)
    tp_sum = np.bincount(idx, weights=tp.astype(np.float64), minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_score = np.where(count > 0, score_sum / count, np.nan)
        tp_fraction = np.where(count > 0, tp_sum / count, np.nan)
    n = int(scores.size)
    if n == 0:
        ece = float("nan")
    else:
        full = count > 0
        ece = float(np.sum(count[full] / n * np.abs(tp_fraction[full] - mean_score[full])))
    return Calibration(ece, edges, mean_score, tp_fraction, count, n, {})


def calibration(summary, iou=0.5, bins=10, category=None) -> Calibration:
    """See :meth:`vernier.Summary.calibration`."""
    from ._curves import _iou_index
    bins = _bins_arg(bins)
    t = _iou_index(summary, iou)
    try:
        table = summary.per_detection()
    except StateError as e:
        raise StateError(f"Summary.calibration needs the per-detection records: {e}") from None
    p = summary._thr_names()[t]
    keep = ~np.asarray(table["ignored" + p], dtype=bool)
    scores = np.asarray(table["score"], dtype=np.float64)[keep]
    tp = np.asarray(table["matched" + p], dtype=bool)[keep]
    cats = np.asarray(table["category_id"], dtype=np.int64)[keep]
    known = [int(c) for c in summary.category_ids]
    if category is not None:
        if isinstance(category, bool) or not isinstance(category, (int, np.integer)) \
                or int(category) not in known:
            raise InvalidArgumentError(
                f"category={category!r} is not one of the evaluation's category ids")
        c = int(category)
        sel = cats == c
        one = reliability(scores[sel], tp[sel], bins)
        return one._replace(per_class={c: one})
    per_class = {}
    for c in known:
        sel = cats == c
        per_class[c] = reliability(scores[sel], tp[sel], bins)
    return reliability(scores, tp, bins)._replace(per_class=per_class)
