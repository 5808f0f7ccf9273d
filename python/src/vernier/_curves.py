"""Curves read from an accumulated evaluation: precision-recall curves,
score-threshold sweeps and per-class AP.

Everything here reads the arrays a :class:`~vernier.instance.Summary`
already holds (``precision``, ``recall`` and ``scores``, laid out as
pycocotools' ``COCOeval.eval``); nothing is re-matched.  The definitions
are written out in the docstrings, and in docs/reference/python-api.md.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["PRCurve", "ScoreSweep", "pr_curve", "score_sweep"]


class PRCurve(NamedTuple):
    """A precision-recall curve: ``recall`` is the evaluation's recall
    thresholds (pycocotools' ``recThrs``, 101 points by default) and
    ``precision`` the interpolated precision at each of them."""

    recall: np.ndarray
    precision: np.ndarray


class ScoreSweep(NamedTuple):
    """Precision, recall and F1 of the detections whose score is at least
    ``score[i]``, for each score threshold (ascending)."""

    score: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray


def _iou_index(summary, iou) -> int:
    ious = np.asarray(summary.iou_thresholds, dtype=np.float64)
    # pycocotools' summarize() finds a threshold by ==; 1e-12 also accepts a
    # value typed by hand for one of np.linspace's (0.75 and the like)
    hit = np.flatnonzero(np.abs(ious - float(iou)) < 1e-12)
    if hit.size == 0:
        raise ValueError(f"iou={iou!r} is not one of the evaluation's IoU thresholds "
                         f"{[float(x) for x in ious]}")
    return int(hit[0])


def _area_index(summary, area) -> int:
    labels = list(summary.area_ranges)
    if area is None:
        return 0
    if area not in labels:
        raise ValueError(f"area={area!r} is not one of the evaluation's area ranges {labels}")
    return labels.index(area)


def _cap_index(summary, max_dets) -> int:
    caps = list(summary.max_dets)
    if max_dets is None:
        return len(caps) - 1
    if isinstance(max_dets, bool) or max_dets not in caps:
        raise ValueError(f"max_dets={max_dets!r} is not one of the evaluation's caps {caps}")
    return caps.index(max_dets)


def _category_index(summary, category) -> int:
    ids = [int(c) for c in summary.category_ids]
    if isinstance(category, bool) or not isinstance(category, (int, np.integer)) \
            or int(category) not in ids:
        raise ValueError(f"category={category!r} is not one of the evaluation's category ids")
    return ids.index(int(category))


def _mean_defined(v: np.ndarray) -> float:
    """The mean of the cells > -1 (pycocotools' summarize()), -1 if none."""
    v = v[v > -1]
    return float(np.mean(v)) if v.size else -1.0


def pr_curve(summary, iou=0.5, category=None, area="all", max_dets=100) -> PRCurve:
    """The precision-recall curve at one IoU threshold, area range and cap.

    ``recall`` is a copy of ``summary.recall_thresholds``; ``precision[r]``
    is ``summary.precision[t, r, k, a, m]`` (pycocotools' interpolated
    precision: the highest precision at any recall >= the threshold, 0 past
    the highest recall reached) for ``category`` (an id), or, for
    ``category=None``, the mean over categories of the cells > -1 at recall
    point ``r`` (categories without ground truth are -1 and left out); -1
    where no category has ground truth.  ``area=None`` is the first area
    range, ``max_dets=None`` the largest cap.  The mean of ``precision`` over the
    points > -1 is the AP at that threshold up to the order of the sums
    (for a category, exactly the AP pycocotools' summarize() would give)."""
    t = _iou_index(summary, iou)
    a = _area_index(summary, area)
    m = _cap_index(summary, max_dets)
    p = summary.precision
    recall = np.array(summary.recall_thresholds, dtype=np.float64)
    if category is not None:
        return PRCurve(recall, np.array(p[t, :, _category_index(summary, category), a, m],
                                        dtype=np.float64))
    cells = p[t, :, :, a, m]  # R x K
    prec = np.array([_mean_defined(cells[r]) for r in range(cells.shape[0])], dtype=np.float64)
    return PRCurve(recall, prec)


def _category_steps(summary, t, k, a, m):
    """The reached recall thresholds of one category: (scores, recall
    thresholds, precision), in recall order; None without ground truth."""
    max_recall = float(summary.recall[t, k, a, m])
    if max_recall <= -1:
        return None
    rec_thrs = np.asarray(summary.recall_thresholds, dtype=np.float64)
    # pycocotools fills q and ss for the thresholds its searchsorted reaches,
    # those <= the highest recall; the others stay 0
    reached = rec_thrs <= max_recall
    scores = np.asarray(summary.scores[t, :, k, a, m], dtype=np.float64)
    if max_recall == 0 and scores[0] == 0:
        # no detection at all (or only false ones scored 0): no step
        reached[:] = False
    return (scores[reached], rec_thrs[reached],
            np.asarray(summary.precision[t, :, k, a, m], dtype=np.float64)[reached])


def _at_thresholds(steps, thresholds):
    """Recall, precision and F1 of one category at each score threshold."""
    scores, rec_thrs, prec = steps
    # scores are non-increasing along recall: the points kept at threshold s
    # are a prefix, and the last of it is the one that applies
    n_kept = np.searchsorted(-scores, -thresholds, side="right")
    recall = np.zeros(thresholds.shape, dtype=np.float64)
    precision = np.full(thresholds.shape, np.nan, dtype=np.float64)
    has = n_kept > 0
    recall[has] = rec_thrs[n_kept[has] - 1]
    precision[has] = prec[n_kept[has] - 1]
    f1 = np.zeros(thresholds.shape, dtype=np.float64)
    pos = has & (recall + precision > 0)
    f1[pos] = 2 * precision[pos] * recall[pos] / (precision[pos] + recall[pos])
    return recall, precision, f1


def score_sweep(summary, iou=0.5, category=None, area="all", max_dets=100,
                thresholds=None) -> ScoreSweep:
    """Precision, recall and F1 against a score threshold, read from the
    accumulated arrays (no re-matching).

    For one category, each recall threshold ``R`` that pycocotools' accumulate
    reaches (``R <= recall[t, k, a, m]``) gives one step: keeping the
    detections with score >= ``s = scores[t, r, k, a, m]`` (the score of the
    detection at which recall first reaches ``R``) gives recall ``R`` (a lower
    bound: the recall there is in ``[R, next threshold)``) and precision
    ``precision[t, r, k, a, m]`` (interpolated).  At a score threshold ``x``
    the step with the smallest ``s >= x`` applies; above the highest score
    recall is 0 and precision undefined (NaN).  A category with ground truth
    but no detection (recall 0 and score 0 at the first threshold) has no
    step: recall 0, precision NaN, F1 0 at every threshold.  F1 is ``2PR / (P + R)``, 0
    where recall is 0.

    ``thresholds`` (ascending) defaults to the distinct step scores.  For
    ``category=None``, recall, precision and F1 are the means over the
    categories with ground truth of each category's values at the same
    thresholds (precision over the categories where it is defined, NaN
    where none is)."""
    t = _iou_index(summary, iou)
    a = _area_index(summary, area)
    m = _cap_index(summary, max_dets)
    ks = (range(len(summary.category_ids)) if category is None
          else [_category_index(summary, category)])
    steps = [s for s in (_category_steps(summary, t, k, a, m) for k in ks) if s is not None]
    if thresholds is None:
        thresholds = (np.unique(np.concatenate([s[0] for s in steps]))
                      if steps else np.zeros(0, dtype=np.float64))
    thresholds = np.array(thresholds, dtype=np.float64).reshape(-1)
    if thresholds.size > 1 and np.any(np.diff(thresholds) < 0):
        raise ValueError("thresholds must be ascending")
    if not steps:
        nan = np.full(thresholds.shape, np.nan)
        return ScoreSweep(thresholds, nan, nan.copy(), nan.copy())
    per = [_at_thresholds(s, thresholds) for s in steps]
    recall = np.mean([r for r, _, _ in per], axis=0)
    f1 = np.mean([f for _, _, f in per], axis=0)
    precs = np.array([p for _, p, _ in per])
    n_def = np.sum(~np.isnan(precs), axis=0)
    precision = np.full(thresholds.shape, np.nan, dtype=np.float64)
    some = n_def > 0
    precision[some] = np.nansum(precs[:, some], axis=0) / n_def[some]
    return ScoreSweep(thresholds, precision, recall, f1)


def _per_class_ap(summary, area=None, max_dets=None) -> dict:
    """AP (mean over the IoU thresholds and recall points) per category:
    the mean over ``summary.precision[:, :, k, a, m]``'s cells > -1, -1
    where the category has no ground truth (pycocotools' convention).
    ``area`` defaults to the first area range, ``max_dets`` to the largest
    cap.  Returns ``{"category_id": int64 array, "ap": float64 array}``.

    The one place per-class AP is read for the plots: it can switch to the
    C per-class table without touching them."""
    a = _area_index(summary, area)
    m = _cap_index(summary, max_dets)
    p = summary.precision
    ids = np.asarray(summary.category_ids, dtype=np.int64)
    ap = np.array([_mean_defined(p[:, :, k, a, m]) for k in range(len(ids))], dtype=np.float64)
    return {"category_id": ids, "ap": ap}
