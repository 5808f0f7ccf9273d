"""Summary: the outcome of one evaluation (stats, arrays, per-image records),
its named metrics and its tables (per class, per image, per detection, per
ground truth)."""
from __future__ import annotations

import json
from typing import NamedTuple

import numpy as np

from ._errors import StateError
from ._tables import Table

JSON_SCHEMA = "vernier.eval/1"


def _pct(x: float) -> str:
    """0.5 -> "50", 0.625 -> "62.5": an IoU threshold in a column name."""
    return f"{round(x * 100, 6):g}"


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
        "_names": None, "_area_rng": None, "_mnames": None,
        "iou_type": "The kernel that produced it: \"bbox\", \"segm\", \"boundary\" or "
                    "\"keypoints\" (None when not known).",
        "dilation_ratio": "The boundary kernel's dilation ratio (None for the other "
                          "kernels).",
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

    def __init__(self, ev, parity_mode: str, iou=None, names=None):
        # ev: the _lowlevel.Eval handle the arrays are copied out of; iou:
        # the evaluator's kernel (for iou_type); names: {category id: name}
        # of the ground truth (_lowlevel.Dataset.category_names)
        self._ev = ev
        self.parity_mode = parity_mode
        self.iou_type = getattr(iou, "name", None)
        self.dilation_ratio = getattr(iou, "dilation_ratio", None)
        self._names = dict(names) if names is not None else {}
        self._dims = ev.dims()
        t, r, k, a, m = self._dims
        self.stats = ev.stats()
        self._lines = ev.summary_lines()
        infos = ev.stat_infos()
        self._mnames = tuple(d.pop("name") for d in infos)
        self._descriptors = tuple(StatDescriptor(**d) for d in infos)
        self._cache = {}
        self.iou_thresholds = ev.iou_thresholds(t)
        self.recall_thresholds = ev.recall_thresholds(r)
        self.category_ids = ev.category_ids(k)
        self.max_dets = tuple(ev.max_dets(m))
        self.area_ranges = tuple(ev.area_labels(a))
        self._area_rng = ev.area_ranges(a)

    def _array(self, name, copy_fn, shape):
        arr = self._cache.get(name)
        if arr is None:
            arr = copy_fn(self._live(), shape)
            arr.setflags(write=False)
            self._cache[name] = arr
        return arr

    @property
    def precision(self) -> np.ndarray:
        """T x R x K x A x M precision (-1 where undefined), read-only."""
        t, r, k, a, m = self._dims
        return self._array("precision", _ll_copy("precision"), (t, r, k, a, m))

    @property
    def recall(self) -> np.ndarray:
        """T x K x A x M recall (-1 where undefined), read-only."""
        t, r, k, a, m = self._dims
        return self._array("recall", _ll_copy("recall"), (t, k, a, m))

    @property
    def scores(self) -> np.ndarray:
        """T x R x K x A x M score at each recall threshold, read-only."""
        t, r, k, a, m = self._dims
        return self._array("scores", _ll_copy("scores"), (t, r, k, a, m))

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
            if self._ev is None:
                raise StateError("this Summary was unpickled without per-image records "
                                 "(evaluate(..., keep_records=True) keeps them)")
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
        rng = self._area_rng
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

    def _live(self):
        if self._ev is None:  # unpickled: everything was captured
            raise StateError("this Summary was unpickled: the C evaluation is not available")
        return self._ev

    # -- named metrics ---------------------------------------------------------

    @property
    def metric_names(self) -> tuple:
        """The names of ``stats``, in order (``AP``, ``AP50``, ``AP75``,
        ``APs``, ``APm``, ``APl``, ``AR1``, ``AR10``, ``AR100``, ``ARs``,
        ``ARm``, ``ARl``; keypoints ``AP``, ``AP50``, ``AP75``, ``APm``,
        ``APl``, ``AR``, ``AR50``, ``AR75``, ``ARm``, ``ARl``; the AR caps
        follow a custom max-detection ladder), as the C library names them
        (``vernier_stat_info.name``)."""
        return self._mnames

    @property
    def metrics(self) -> dict:
        """The summary statistics by name, in ``stats`` order (a new dict
        each time): ``summary.metrics["AP50"]``."""
        return dict(zip(self.metric_names, self.stats))

    def __getitem__(self, name: str) -> float:
        """``summary["AP"]``: the statistic of that name (KeyError naming the
        known ones otherwise)."""
        m = self.metrics
        if name not in m:
            raise KeyError(f"{name!r} is not a metric of this summary (it has "
                           f"{', '.join(m) or 'none'})")
        return m[name]

    def __contains__(self, name) -> bool:
        return name in self.metric_names

    # -- categories and images ---------------------------------------------------

    @property
    def category_names(self) -> dict:
        """``{category id: name}`` of the ground truth's ``categories`` (""
        for a category without a string ``name``; ``{}`` for a Summary
        made without them)."""
        return dict(self._names)

    @property
    def image_ids(self) -> np.ndarray:
        """The image ids of the evaluation's image axis, ascending (the
        per-image table's ``image_id``; any evaluation)."""
        return self.per_image()["image_id"]

    # -- tables ------------------------------------------------------------------

    def _class_data(self):
        got = self._cache.get("class")
        if got is None:
            ev = self._live()
            k, a = len(self.category_ids), len(self.area_ranges)
            got = (ev.class_stats(k, len(self.stats)),) + ev.class_counts(k, a)
            self._cache["class"] = got
        return got

    def per_class(self) -> Table:
        """The per-class table, one row per category (``category_ids``
        order; one row, id -1, when categories are pooled).  Columns:
        ``category_id``, ``name`` ("" when unknown), one per metric
        (``metric_names``: each the summary statistic restricted to the
        category -- in strict mode pycocotools' mean over
        ``eval["precision"][..., k, a, m]`` cells > -1 bit for bit, -1 when
        no cell is defined), ``n_gt`` (ground truths not ignored in the
        first area range, "all") and ``n_dt`` (detections taken part, each
        image's cut to the largest cap).  Computed in C; the same whether
        the evaluation was one-shot, background or merged."""
        stats, n_gt, n_dt = self._class_data()
        names = self._names
        cols = {"category_id": np.asarray(self.category_ids, np.int64),
                "name": np.array([names.get(c, "") for c in self.category_ids], dtype=object)}
        for i, m in enumerate(self.metric_names):
            cols[m] = stats[:, i]
        cols["n_gt"] = n_gt[:, 0] if n_gt.size else np.zeros(len(self.category_ids), np.int64)
        cols["n_dt"] = n_dt
        return Table("per_class", cols)

    def _thr_names(self) -> list:
        return [_pct(t) for t in self.iou_thresholds]

    def _record_table(self, name, fetch):
        got = self._cache.get(name)
        if got is None:
            got = fetch(self._live())
            for v in got.values():
                v.setflags(write=False)
            self._cache[name] = got
        return got

    def per_image(self) -> Table:
        """The per-image table of any evaluation (one-shot with or without
        records, background, merged partials: the same counts whichever
        path), one row per
        image of the evaluation, ascending ids, over every category, in the
        first area range ("all") at the largest cap: ``image_id``, ``n_gt``
        (ground truths not ignored), ``n_dt`` (detections), then ``tp50``,
        ``tp55``, ..., ``tp95``, ``fp50``, ..., ``fn50``, ... per IoU
        threshold (matched and not ignored; unmatched and not ignored;
        ``n_gt - tp``: the counts pycocotools' accumulate() reads, so in
        strict mode a match to a ground truth of id 0 counts as
        unmatched).  Computed in C from the matching's outcomes, where
        the precision arrays are accumulated."""
        t = self._dims[0]
        raw = self._record_table(
            "per_image", lambda ev: ev.image_table(ev.n_images(), t))
        cols = {"image_id": raw["image_id"], "n_gt": raw["n_gt"], "n_dt": raw["n_dt"]}
        for c in ("tp", "fp", "fn"):
            for j, p in enumerate(self._thr_names()):
                cols[c + p] = raw[c][:, j]
        return Table("per_image", cols)

    def per_detection(self) -> Table:
        """The per-detection table (needs ``keep_records=True``), one row
        per detection that took part, in pycocotools' evalImgs order
        (category, image, rank; cut to the largest cap), first area range:
        ``dt_id`` (loadRes id: position in the result list + 1),
        ``image_id``, ``category_id``, ``score``, then per IoU threshold
        ``gt50``, ``gt55``, ... (the matched ground truth's annotation id, 0
        for none), ``matched50``, ... (False: no match), ``ignored50``,
        ... (pycocotools' dtIgnore) and ``iou50``, ... (the IoU -- OKS for
        keypoints -- with the matched ground truth, pycocotools'
        ``ious[d, g]``; -1.0 for none, as 0 can be a match's IoU under a
        threshold of 0).  Computed in C from the records."""
        t = self._dims[0]
        raw = self._record_table(
            "per_detection", lambda ev: ev.detection_table(ev.table_sizes()[1], t))
        cols = {k: raw[k] for k in ("dt_id", "image_id", "category_id", "score")}
        thr = self._thr_names()
        for j, p in enumerate(thr):
            cols["gt" + p] = raw["gt_id"][:, j]
        for j, p in enumerate(thr):
            cols["matched" + p] = raw["matched"][:, j].view(np.bool_)
        for j, p in enumerate(thr):
            cols["ignored" + p] = raw["ignored"][:, j].view(np.bool_)
        for j, p in enumerate(thr):
            cols["iou" + p] = raw["iou"][:, j]
        return Table("per_detection", cols)

    def per_gt(self) -> Table:
        """The per-ground-truth table (needs ``keep_records=True``), one row
        per ground truth of a cell that took part, first area range (within
        a cell, not ignored ones first): ``gt_id``, ``image_id``,
        ``category_id``, ``ignored`` (pycocotools' gtIgnore: crowd, ignore
        flag or outside the area range), ``crowd`` (the annotation's
        iscrowd), then per IoU threshold ``dt50``, ... (the loadRes id of
        the detection matched to it, the last one for a crowd, 0 for none),
        ``matched50``, ... and ``iou50``, ... (that detection's IoU with
        it, -1.0 for none).  Computed in C from the records."""
        t = self._dims[0]
        raw = self._record_table(
            "per_gt", lambda ev: ev.gt_table(ev.table_sizes()[2], t))
        cols = {k: raw[k] for k in ("gt_id", "image_id", "category_id")}
        cols["ignored"] = raw["ignored"].view(np.bool_)
        cols["crowd"] = raw["crowd"].view(np.bool_)
        thr = self._thr_names()
        for j, p in enumerate(thr):
            cols["dt" + p] = raw["dt_id"][:, j]
        for j, p in enumerate(thr):
            cols["matched" + p] = raw["matched"][:, j].view(np.bool_)
        for j, p in enumerate(thr):
            cols["iou" + p] = raw["iou"][:, j]
        return Table("per_gt", cols)

    # -- as data -----------------------------------------------------------------

    def to_dict(self, *, per_class: bool = False) -> dict:
        """The summary as the command line's ``vernier.eval/1`` document
        (docs/reference/cli.md): schema, vernier_version, iou_type,
        parity_mode, use_cats, max_dets, dilation_ratio, lines, stats, and
        ``metrics`` (name -> value); with ``per_class=True`` also
        ``per_class``, one object per category (the :meth:`per_class`
        columns)."""
        from ._lowlevel import version
        lines = []
        for d, v in zip(self._descriptors, self.stats):
            iou = f"{d.iou_lo:0.2f}:{d.iou_hi:0.2f}" if d.all_ious else f"{d.iou_lo:0.2f}"
            lines.append({"metric": d.metric, "iou": iou, "area": d.area,
                          "max_dets": d.max_dets, "value": v})
        out = {"schema": JSON_SCHEMA, "vernier_version": version(),
               "iou_type": self.iou_type, "parity_mode": self.parity_mode,
               "use_cats": list(self.category_ids) != [-1],
               "max_dets": list(self.max_dets),
               "dilation_ratio": (self.dilation_ratio if self.iou_type == "boundary" else None),
               "lines": lines, "stats": list(self.stats), "metrics": self.metrics}
        if per_class:
            out["per_class"] = self.per_class().rows()
        return out

    def to_json(self, *, per_class: bool = False, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(per_class=per_class), indent=indent)

    # -- pickling and equality -----------------------------------------------------

    def __getstate__(self) -> dict:
        """Plain data: the arrays, statistics, lines, axes, per-class figures,
        category names, the per-image table, and the per-image records when
        kept; the C handle is not pickled."""
        state = {"parity_mode": self.parity_mode, "iou_type": self.iou_type,
                 "dilation_ratio": self.dilation_ratio, "stats": list(self.stats),
                 "lines": list(self._lines), "descriptors": [tuple(d) for d in self._descriptors],
                 "metric_names": self._mnames,
                 "dims": tuple(self._dims), "iou_thresholds": self.iou_thresholds,
                 "recall_thresholds": self.recall_thresholds,
                 "category_ids": list(self.category_ids), "max_dets": tuple(self.max_dets),
                 "area_ranges": tuple(self.area_ranges), "area_rng": self._area_rng,
                 "names": self.category_names,
                 "precision": self.precision, "recall": self.recall, "scores": self.scores,
                 "class": self._class_data()}
        try:  # every live evaluation has its per-image table
            self.per_image()
            state["per_image"] = self._cache["per_image"]
        except StateError:
            pass
        try:
            state["records"] = self.image_records()
            for name in ("per_detection", "per_gt"):
                getattr(self, name)()
                state[name] = self._cache[name]
        except StateError:
            pass
        return state

    def __setstate__(self, state: dict) -> None:
        self._ev = None
        self.parity_mode = state["parity_mode"]
        self.iou_type = state["iou_type"]
        self.dilation_ratio = state["dilation_ratio"]
        self.stats = list(state["stats"])
        self._lines = list(state["lines"])
        self._descriptors = tuple(StatDescriptor(*d) for d in state["descriptors"])
        self._mnames = tuple(state["metric_names"])
        self._dims = tuple(state["dims"])
        self.iou_thresholds = state["iou_thresholds"]
        self.recall_thresholds = state["recall_thresholds"]
        self.category_ids = list(state["category_ids"])
        self.max_dets = tuple(state["max_dets"])
        self.area_ranges = tuple(state["area_ranges"])
        self._area_rng = state["area_rng"]
        self._names = dict(state["names"])
        self._cache = {}
        for name in ("precision", "recall", "scores", "records", "per_image", "per_detection",
                     "per_gt"):
            if name in state:
                v = state[name]
                for a in (v.values() if isinstance(v, dict) else [v]):
                    if isinstance(a, np.ndarray):
                        a.setflags(write=False)
                self._cache[name] = v
        self._cache["class"] = tuple(state["class"])

    def __eq__(self, other) -> bool:
        """Equal: the same configuration (parity mode, kernel, axes), the
        same statistics and the same accumulated arrays, exactly; the
        per-image records when both kept them."""
        if not isinstance(other, Summary):
            return NotImplemented
        if (self.parity_mode, self.iou_type, self.dilation_ratio, list(self.stats),
                list(self.category_ids), tuple(self.max_dets), tuple(self.area_ranges),
                self._dims) != (other.parity_mode, other.iou_type, other.dilation_ratio,
                                list(other.stats), list(other.category_ids),
                                tuple(other.max_dets), tuple(other.area_ranges), other._dims):
            return False
        if not (np.array_equal(self.iou_thresholds, other.iou_thresholds)
                and np.array_equal(self.recall_thresholds, other.recall_thresholds)
                and np.array_equal(self.precision, other.precision)
                and np.array_equal(self.recall, other.recall)
                and np.array_equal(self.scores, other.scores)):
            return False
        mine, theirs = self._records_or_none(), other._records_or_none()
        if mine is None or theirs is None:
            return True
        return all(np.array_equal(mine[k], theirs[k]) if isinstance(mine[k], np.ndarray)
                   else mine[k] == theirs[k] for k in mine)

    __hash__ = None

    def _records_or_none(self):
        try:
            return self.image_records()
        except StateError:
            return None

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

    def calibration(self, iou=0.5, bins=10, category=None):
        """Score calibration at IoU threshold ``iou``: expected calibration
        error and reliability-diagram data, overall and per class, as a
        :class:`~vernier._calibration.Calibration` (``ece``, ``bin_edges``,
        ``mean_score``, ``tp_fraction``, ``count``, ``n_detections``,
        ``per_class``).  Read from :meth:`per_detection` (needs
        ``keep_records=True``, else :class:`~vernier.StateError`): every
        detection that took part (each image's cut to the largest cap, area
        range "all") is a true positive when matched at ``iou``; detections
        pycocotools ignores (``ignored`` at ``iou``: matched to a crowd or
        ignored ground truth) are left out.  ``bins`` equal-width bins on
        [0, 1]; ``category`` (an id of ``category_ids``) restricts it to
        one class."""
        from ._calibration import calibration
        return calibration(self, iou=iou, bins=bins, category=category)


def _ll_copy(name):
    """The _lowlevel.Eval method copying array ``name``, as fn(ev, shape)."""
    return lambda ev, shape: getattr(ev, name)(shape)


def _per_class_table(summary: "Summary") -> dict:
    """BackgroundEvaluator.finalize_with_tables' per-class dict, read from
    the C per-class table: AP (IoU .50:.95), AP50 and AR at the largest cap
    per category, first area range; -1 where undefined (pycocotools'
    convention)."""
    t = summary.per_class()
    names = summary.metric_names
    ar_name = [n for n, d in zip(names, summary.stat_descriptors())
               if d.metric == "AR" and d.all_ious and d.area == "all"]
    ar_name = max(ar_name, key=lambda n: summary.stat_descriptors()[names.index(n)].max_dets,
                  default=None)
    k_n = len(summary.category_ids)
    return {
        "category_id": np.asarray(summary.category_ids, np.int64),
        "ap": np.array(t["AP"]) if "AP" in names else np.full(k_n, -1.0),
        "ap50": np.array(t["AP50"]) if "AP50" in names else np.full(k_n, -1.0),
        "ar": np.array(t[ar_name]) if ar_name else np.full(k_n, -1.0),
    }
