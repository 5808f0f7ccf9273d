"""Plots of an evaluation: precision-recall curves, per-class small
multiples, precision / recall / F1 against the score threshold, and a
per-class AP bar chart.

matplotlib is an optional extra (``pip install 'libvernier[plot]'``), imported
the first time a plot is drawn.  The figures are plain
``matplotlib.figure.Figure`` objects drawn by the Agg canvas: no pyplot, no
display, no global state touched.  Every function returns the Figure and,
given ``path``, saves it there too (the format follows the suffix:
``.png``, ``.svg``, ...) at :data:`DPI` dots per inch, so a PNG's size in
pixels is the one given in each function's documentation.

Every function takes ``area`` (an area-range label; default the first,
``"all"``) and ``max_dets`` (a cap; default the largest).  Category names
come from ``names`` (a mapping category id -> name), else the summary's
``category_names`` when it has them, else the ids.  Numbers drawn on a
figure are read from the summary's arrays (see :mod:`vernier._curves`) and
the title says the parity mode that produced them.
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from . import _curves

__all__ = ["DPI", "pr_curves", "per_class_pr", "f1_vs_score", "per_class_ap", "save_all"]

#: Resolution of saved figures (dots per inch).
DPI = 100

# sizes in pixels: multiples of 25, so that inches (px / DPI) are exact
# binary fractions and the PNG has exactly this size
_CURVE_PX = (700, 500)
_PANEL_PX = (250, 200)
_PANEL_EXTRA_PX = 75
_BAR_PX = 25
_BAR_EXTRA_PX = 125
_MAX_COLS = 6


def _figure(width_px: int, height_px: int, layout="constrained"):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:  # pragma: no cover - exercised without matplotlib only
        raise ImportError("vernier.plot needs matplotlib: pip install 'libvernier[plot]' "
                          "(or pip install matplotlib)") from e
    fig = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def _finish(fig, path):
    if path is not None:
        fig.savefig(os.fspath(path), dpi=DPI)
    return fig


def _name_of(summary, names):
    if names is None:
        # the summary's own names, when it carries them: a mapping id -> name,
        # or a sequence in category_ids order (a method returning either)
        names = getattr(summary, "category_names", None)
        if callable(names):
            names = names()
        if names is not None and not isinstance(names, Mapping):
            names = dict(zip((int(c) for c in summary.category_ids), names))

    def name(cid) -> str:
        cid = int(cid)
        if cid == -1 and list(summary.category_ids) == [-1]:
            return "all categories (pooled)"
        if names is not None:
            try:
                given = str(names[cid])
            except (KeyError, IndexError, TypeError):
                given = ""
            if given:
                return given
        return f"category {cid}"
    return name


def _where(summary, area, max_dets) -> str:
    a = summary.area_ranges[_curves._area_index(summary, area)]
    m = summary.max_dets[_curves._cap_index(summary, max_dets)]
    return f"area {a}, maxDets {m}, {summary.parity_mode} mode"


def _masked(v):
    v = np.array(v, dtype=np.float64)
    v[v <= -1] = np.nan
    return v


def _style_pr(ax):
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)


def pr_curves(summary, category=None, area=None, max_dets=None, ious=None, names=None,
              path=None):
    """Precision-recall curves, one per IoU threshold (``ious``, default all
    of the evaluation's), from :meth:`Summary.pr_curve`: for one category
    id, or for ``category=None`` the mean over categories at each recall
    point.  Each legend entry gives the threshold and the AP there (the
    mean of ``precision[t, :, k, a, m]``'s cells > -1, over every category
    for ``category=None``: pycocotools' AP at that threshold).

    Axes: x ``Recall``, y ``Precision``, both 0 to 1.  Size 700 x 500
    pixels."""
    ious = list(summary.iou_thresholds) if ious is None else list(ious)
    a = _curves._area_index(summary, area)
    m = _curves._cap_index(summary, max_dets)
    label = ("all categories" if category is None
             else _name_of(summary, names)(category))
    fig = _figure(*_CURVE_PX)
    ax = fig.add_subplot()
    cmap = _colormap("viridis")
    for i, iou in enumerate(ious):
        t = _curves._iou_index(summary, iou)
        curve = _curves.pr_curve(summary, iou=iou, category=category, area=summary.area_ranges[a],
                                 max_dets=summary.max_dets[m])
        k = (slice(None) if category is None else _curves._category_index(summary, category))
        ap = _curves._mean_defined(summary.precision[t, :, k, a, m])
        colour = cmap(i / max(len(ious) - 1, 1) * 0.9)
        ax.plot(curve.recall, _masked(curve.precision), color=colour, linewidth=1.5,
                label=f"IoU {float(summary.iou_thresholds[t]):.2f}: AP {ap:.3f}")
    _style_pr(ax)
    ax.set_xlabel("Recall")
    ax.set_ylabel("Precision")
    ax.set_title(f"Precision-recall, {label} ({_where(summary, area, max_dets)})")
    ax.legend(loc="lower left", fontsize="small")
    return _finish(fig, path)


def per_class_pr(summary, categories=None, ious=(0.5, 0.75), area=None, max_dets=None,
                 names=None, path=None):
    """Small multiples: one panel per category (``categories``, ids in the
    order given; default every category with ground truth, by id) with its
    precision-recall curves at ``ious`` (the thresholds of the evaluation
    among them).  Each panel's title is the category's name and its AP over
    every IoU threshold (:func:`vernier._curves._per_class_ap`).

    Axes: x ``Recall`` (bottom row), y ``Precision`` (left column), 0 to 1.
    Size: ``cols = min(6, n)`` panels across, ``rows = ceil(n / cols)``;
    ``250 * cols`` x ``200 * rows + 75`` pixels."""
    a = _curves._area_index(summary, area)
    m = _curves._cap_index(summary, max_dets)
    table = _curves._per_class_ap(summary, area=summary.area_ranges[a],
                                  max_dets=summary.max_dets[m])
    ap_of = dict(zip(table["category_id"].tolist(), table["ap"].tolist()))
    if categories is None:
        categories = [c for c, ap in ap_of.items() if ap > -1]
    categories = [int(c) for c in categories]
    for c in categories:
        _curves._category_index(summary, c)
    ious = [i for i in ious if np.any(np.abs(np.asarray(summary.iou_thresholds) - i) < 1e-12)]
    n = max(len(categories), 1)
    cols = min(_MAX_COLS, n)
    rows = math.ceil(n / cols)
    width, height = _PANEL_PX[0] * cols, _PANEL_PX[1] * rows + _PANEL_EXTRA_PX
    # a fixed layout: the constrained one takes seconds for dozens of panels
    fig = _figure(width, height, layout=None)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True,
                        gridspec_kw={"left": 60 / width, "right": 1 - 15 / width,
                                     "bottom": 45 / height, "top": 1 - 75 / height,
                                     "wspace": 0.12, "hspace": 0.5})
    name = _name_of(summary, names)
    cmap = _colormap("viridis")
    for i, ax in enumerate(axes.flat):
        if i >= len(categories):
            ax.set_visible(False)
            continue
        c = categories[i]
        for j, iou in enumerate(ious):
            curve = _curves.pr_curve(summary, iou=iou, category=c,
                                     area=summary.area_ranges[a], max_dets=summary.max_dets[m])
            # the first curve widest, so that a curve on top of it leaves it visible
            ax.plot(curve.recall, _masked(curve.precision), linewidth=2.4 if j == 0 else 1.2,
                    color=cmap(j / max(len(ious) - 1, 1) * 0.9), label=f"IoU {iou:.2f}")
        ap = ap_of[c]
        ax.set_title(f"{name(c)}\nAP {ap:.3f}" if ap > -1 else f"{name(c)}\nno ground truth",
                     fontsize="small")
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize="x-small")
        if i // cols == rows - 1 or i + cols >= len(categories):
            ax.set_xlabel("Recall", fontsize="small")
            ax.xaxis.set_tick_params(labelbottom=True)
        if i % cols == 0:
            ax.set_ylabel("Precision", fontsize="small")
        if i == 0 and ious:
            ax.legend(loc="lower left", fontsize="x-small")
    # the axes are shared: one call sets every panel's limits (one per panel
    # would propagate to all panels each time)
    _style_pr(axes.flat[0])
    axes.flat[0].set_xticks([0, 0.5, 1])
    axes.flat[0].set_yticks([0, 0.5, 1])
    fig.suptitle(f"Precision-recall per category ({_where(summary, area, max_dets)})")
    return _finish(fig, path)


def f1_vs_score(summary, iou=0.5, category=None, area=None, max_dets=None, names=None,
                path=None):
    """Precision, recall and F1 against the score threshold, from
    :meth:`Summary.score_sweep` (the definitions are there), for one
    category id or the mean over categories; a dashed line marks the
    threshold with the best F1 (the highest such threshold on a tie).

    Axes: x ``Score threshold``, y ``Precision / recall / F1`` (0 to 1).
    Size 700 x 500 pixels."""
    sweep = _curves.score_sweep(summary, iou=iou, category=category,
                                area=summary.area_ranges[_curves._area_index(summary, area)],
                                max_dets=summary.max_dets[_curves._cap_index(summary, max_dets)])
    label = ("all categories" if category is None
             else _name_of(summary, names)(category))
    fig = _figure(*_CURVE_PX)
    ax = fig.add_subplot()
    ax.plot(sweep.score, sweep.precision, drawstyle="steps-pre", label="precision")
    ax.plot(sweep.score, sweep.recall, drawstyle="steps-pre", label="recall")
    ax.plot(sweep.score, sweep.f1, drawstyle="steps-pre", label="F1", linewidth=2)
    if sweep.f1.size and np.any(sweep.f1 > 0):
        best = int(np.flatnonzero(sweep.f1 == np.max(sweep.f1))[-1])
        ax.axvline(sweep.score[best], color="grey", linestyle="--", linewidth=1,
                   label=f"best F1 {sweep.f1[best]:.3f} at score {sweep.score[best]:.3f}")
    ax.set_ylim(0, 1.02)
    if sweep.score.size and sweep.score.min() >= 0 and sweep.score.max() <= 1:
        ax.set_xlim(0, 1)
    ax.grid(True, alpha=0.3)
    ax.set_xlabel("Score threshold")
    ax.set_ylabel("Precision / recall / F1")
    ax.set_title(f"IoU {float(summary.iou_thresholds[_curves._iou_index(summary, iou)]):.2f}, "
                 f"{label} ({_where(summary, area, max_dets)})")
    ax.legend(loc="best", fontsize="small")
    return _finish(fig, path)


def per_class_ap(summary, area=None, max_dets=None, names=None, path=None):
    """A horizontal bar per category with ground truth: its AP over every
    IoU threshold (:func:`vernier._curves._per_class_ap`, the mean of
    ``precision[:, :, k, a, m]``'s cells > -1), lowest at the top, with the
    value at the end of the bar; the title counts the categories left out
    for having no ground truth.

    Axes: x ``AP (IoU 0.50:0.95)`` (with the evaluation's first and last
    threshold), 0 to 1; y ``Category``.  Size 700 x ``25 * n + 125`` pixels
    for ``n`` bars."""
    table = _curves._per_class_ap(summary, area=area, max_dets=max_dets)
    keep = table["ap"] > -1
    ids, aps = table["category_id"][keep], table["ap"][keep]
    order = np.argsort(-aps, kind="stable")      # bottom to top: best to worst
    ids, aps = ids[order], aps[order]
    name = _name_of(summary, names)
    fig = _figure(_CURVE_PX[0], _BAR_PX * max(len(ids), 1) + _BAR_EXTRA_PX)
    ax = fig.add_subplot()
    y = np.arange(len(ids))
    ax.barh(y, aps, color=_colormap("viridis")(0.45), height=0.7)
    ax.set_yticks(y, [name(c) for c in ids.tolist()], fontsize="small")
    for yi, v in zip(y, aps):
        ax.text(min(v + 0.01, 0.9), yi, f"{v:.3f}", va="center", fontsize="x-small")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, max(len(ids), 1) - 0.4)
    ious = summary.iou_thresholds
    ax.set_xlabel(f"AP (IoU {float(ious[0]):.2f}:{float(ious[-1]):.2f})")
    ax.set_ylabel("Category")
    left_out = int(np.sum(~keep))
    ax.set_title(f"AP per category ({_where(summary, area, max_dets)})"
                 + (f"\n{left_out} categories without ground truth not shown" if left_out else ""),
                 fontsize="medium")
    ax.grid(True, axis="x", alpha=0.3)
    return _finish(fig, path)


def _colormap(name):
    from matplotlib import colormaps
    return colormaps[name]


#: The file stems :func:`save_all` writes, one per plot type.
_ALL = ("pr_curves", "per_class_pr", "f1_vs_score", "per_class_ap")


def _figures(summary, names=None, area=None, max_dets=None) -> dict:
    """{file stem: Figure} for every plot type with its defaults."""
    return {
        "pr_curves": pr_curves(summary, area=area, max_dets=max_dets, names=names),
        "per_class_pr": per_class_pr(summary, area=area, max_dets=max_dets, names=names),
        "f1_vs_score": f1_vs_score(summary, area=area, max_dets=max_dets, names=names),
        "per_class_ap": per_class_ap(summary, area=area, max_dets=max_dets, names=names),
    }


def save_all(summary, directory, names=None, area=None, max_dets=None, fmt="png") -> list:
    """Draw every plot type with its defaults and save them into
    ``directory`` (created if missing) as ``pr_curves``, ``per_class_pr``,
    ``f1_vs_score`` and ``per_class_ap`` with the suffix ``fmt``; returns
    the paths written, in that order."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for stem, fig in _figures(summary, names=names, area=area, max_dets=max_dets).items():
        p = directory / f"{stem}.{fmt}"
        fig.savefig(os.fspath(p), dpi=DPI)
        out.append(p)
    return out
