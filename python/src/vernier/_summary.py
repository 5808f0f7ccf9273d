"""Summary: the outcome of one evaluation (stats, arrays, per-image records),
and the per-class table built from it."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class StatDescriptor(NamedTuple):
    """What one summary statistic measures (the facts its printed line
    shows), from the C library's ``vernier_eval_stat_info``.

    ``metric``
        ``"AP"`` (average precision) or ``"AR"`` (average recall);
    ``all_ious``
        True when averaged over every IoU threshold of the evaluation
        (``iou_lo`` the first, ``iou_hi`` the last: 0.50:0.95 by default),
        False at the one threshold ``iou_lo == iou_hi``;
    ``iou_lo``, ``iou_hi``
        the IoU threshold range;
    ``area``
        the area range's label (``"all"``, ``"small"``, ...);
    ``max_dets``
        the max-detection cap;
    ``value``
        the statistic (``Summary.stats[i]``)."""

    metric: str
    all_ious: bool
    iou_lo: float
    iou_hi: float
    area: str
    max_dets: int
    value: float


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

    # a dict: help() shows each public attribute's documentation
    __slots__ = {
        "_ev": None, "_lines": None, "_descriptors": None, "_dims": None, "_cache": None,
        "stats": "The 12 numbers of pycocotools' COCOeval.stats, a list of float: AP, AP50, "
                 "AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl (-1 where undefined "
                 "or not on the grid; empty with fewer than three max-detection caps).",
        "iou_thresholds": "The IoU thresholds (T axis of precision, recall and scores).",
        "recall_thresholds": "The recall thresholds (R axis of precision and scores).",
        "category_ids": "The category ids (K axis), ascending; [-1] when categories are "
                        "pooled (use_cats=False).",
        "max_dets": "The max-detection caps (M axis), ascending, a tuple of int.",
        "area_ranges": "The area-range labels (A axis), a tuple of str.",
        "parity_mode": "The mode that produced these numbers: \"strict\" (pycocotools "
                       "2.0.11 bit for bit) or \"corrected\".",
    }

    def __init__(self, ev, parity_mode: str):
        # ev: the _lowlevel.Eval handle the arrays are copied out of
        self._ev = ev
        self.parity_mode = parity_mode
        self._dims = ev.dims()
        t, r, k, a, m = self._dims
        self.stats = ev.stats()
        self._lines = ev.summary_lines()
        self._descriptors = tuple(StatDescriptor(**d) for d in ev.stat_infos())
        self._cache = {}
        self.iou_thresholds = ev.iou_thresholds(t)
        self.recall_thresholds = ev.recall_thresholds(r)
        self.category_ids = ev.category_ids(k)
        self.max_dets = tuple(ev.max_dets(m))
        self.area_ranges = tuple(ev.area_labels(a))

    def _array(self, name, copy_fn, shape):
        arr = self._cache.get(name)
        if arr is None:
            arr = copy_fn(shape)
            arr.setflags(write=False)
            self._cache[name] = arr
        return arr

    @property
    def precision(self) -> np.ndarray:
        """T x R x K x A x M precision (-1 where undefined), read-only."""
        t, r, k, a, m = self._dims
        return self._array("precision", self._ev.precision, (t, r, k, a, m))

    @property
    def recall(self) -> np.ndarray:
        """T x K x A x M recall (-1 where undefined), read-only."""
        t, r, k, a, m = self._dims
        return self._array("recall", self._ev.recall, (t, k, a, m))

    @property
    def scores(self) -> np.ndarray:
        """T x R x K x A x M score at each recall threshold, read-only."""
        t, r, k, a, m = self._dims
        return self._array("scores", self._ev.scores, (t, r, k, a, m))

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
            recs = self._ev.records(self._dims[0])
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
        rng = self._ev.area_ranges(self._dims[3])
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
                # pycocotools: np.array of the _ignore ints (int64), or of
                # nothing (float64) for a cell without ground truth
                "gtIgnore": (recs["gt_ignore"][g0:g0 + ng].astype(np.int64) if ng
                             else np.array([])),
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

    def stat_descriptors(self) -> list[StatDescriptor]:
        """One :class:`StatDescriptor` per entry of ``stats``, in order:
        the metric, IoU threshold(s), area label and max-detection cap each
        statistic reads (the fields of its ``pretty_lines()`` line)."""
        return list(self._descriptors)

    def __str__(self) -> str:
        return "\n".join(self._lines)

    def __repr__(self) -> str:
        return f"Summary(parity_mode={self.parity_mode!r}, stats={self.stats!r})"

    # -- curves (vernier._curves holds the logic and the definitions) --------

    def pr_curve(self, iou=0.5, category=None, area="all", max_dets=100):
        """The precision-recall curve at IoU threshold ``iou``, for one
        category id or (``None``) the mean over categories with ground truth
        at each recall point: a ``PRCurve(recall, precision)`` of numpy
        arrays, recall being ``recall_thresholds`` and precision
        pycocotools' interpolated precision (-1 where undefined).  See
        :func:`vernier._curves.pr_curve` for the exact definition."""
        from ._curves import pr_curve
        return pr_curve(self, iou=iou, category=category, area=area, max_dets=max_dets)

    def score_sweep(self, iou=0.5, category=None, area="all", max_dets=100, thresholds=None):
        """Precision, recall and F1 against a score threshold, read from
        ``scores`` and ``precision`` at each recall threshold: a
        ``ScoreSweep(score, precision, recall, f1)`` of numpy arrays.  See
        :func:`vernier._curves.score_sweep` for the exact definition."""
        from ._curves import score_sweep
        return score_sweep(self, iou=iou, category=category, area=area, max_dets=max_dets,
                           thresholds=thresholds)


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
