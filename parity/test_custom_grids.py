"""Custom evaluation grids (ADR 0010) against pycocotools with the same params.

For bbox, segm and keypoints, vernier (strict) is run with custom
``iou_thresholds``, ``recall_thresholds``, ``max_dets`` and ``area_ranges``
and pycocotools with the same ``params`` (``iouThrs`` / ``recThrs`` as
float64 numpy arrays, ``maxDets``, ``areaRng`` + ``areaRngLbl``) on one
generated workload per kernel.  Required bit for bit:

* ``precision``, ``recall`` and ``scores`` on every grid, and the grid axes
  vernier reports (``Summary.iou_thresholds``, ...);
* ``stats`` and the printed lines where the grid is the default one (given
  explicitly).  A separate test pins ADR 0010's promise that the statistics
  are computed like ``summarize()`` on custom grids too (-1 where a slot is
  missing, none at all for fewer than three caps in bbox/segm).

Invalid grids are refused when the ``Evaluator`` is built, with
``vernier.InvalidConfigError``.
"""

from __future__ import annotations

import functools
import json
import math

import numpy as np
import pytest

from parity.checks import (PRECISION_AXES, RECALL_AXES, array_difference, lines_difference,
                           stats_difference)
from parity.generate import make_keypoint_workload, make_segm_workload, make_workload
from parity.oracle import run_pycocotools

KINDS = ("bbox", "segm", "keypoints")


@functools.lru_cache(maxsize=None)
def workload(kind: str) -> tuple[bytes, bytes]:
    """One mid-sized generated workload per kernel, as JSON bytes."""
    if kind == "bbox":
        gt, dt = make_workload(60, 31, crowded_image_rate=0.2)
    elif kind == "segm":
        gt, dt = make_segm_workload(40, 32, crowded_image_rate=0.2)
    else:
        gt, dt = make_keypoint_workload(80, 33, crowded_image_rate=0.3)
    return json.dumps(gt).encode(), json.dumps(dt).encode()


def _random_thresholds(seed: int, n: int) -> tuple[float, ...]:
    rng = np.random.default_rng(seed)
    values = sorted(set(float(v) for v in rng.random(n)))
    assert len(values) == n and 0.0 < values[0] and values[-1] < 1.0
    return tuple(values)


AREA_5 = (("all", 0.0, 1e10), ("xs", 0.0, 16.0 ** 2), ("small", 16.0 ** 2, 32.0 ** 2),
          ("medium", 32.0 ** 2, 96.0 ** 2), ("large", 96.0 ** 2, 1e10))

GRIDS = {
    "iou-0.5": {"iou_thresholds": (0.5,)},
    "iou-0.3-0.5-0.7-0.9": {"iou_thresholds": (0.3, 0.5, 0.7, 0.9)},
    "iou-random10": {"iou_thresholds": _random_thresholds(10, 10)},
    "iou-random10-b": {"iou_thresholds": _random_thresholds(11, 10)},
    "rec-11": {"recall_thresholds": tuple(float(r) for r in np.linspace(0.0, 1.0, 11))},
    "rec-41": {"recall_thresholds": tuple(float(r) for r in np.linspace(0.0, 1.0, 41))},
    "rec-random": {"recall_thresholds": (0.0,) + _random_thresholds(12, 7) + (1.0,)},
    "md-1-10-100": {"max_dets": (1, 10, 100)},
    "md-5-300": {"max_dets": (5, 300)},
    "md-1-20-100": {"max_dets": (1, 20, 100)},
    "area-2": {"area_ranges": (("all", 0.0, 1e10), ("tiny", 0.0, 16.0 ** 2))},
    "area-5": {"area_ranges": AREA_5},
    "area-odd": {"area_ranges": (("everything", 0.0, 1e10), ("mid", 500.0, 20000.5),
                                 ("exactly-1024", 1024.0, 1024.0), ("also-everything", 0.0, 1e10))},
    "all-custom": {"iou_thresholds": (0.35, 0.5, 0.65, 0.75, 0.85),
                   "recall_thresholds": tuple(float(r) for r in np.linspace(0.0, 1.0, 41)),
                   "max_dets": (5, 300), "area_ranges": AREA_5},
    "all-custom-3caps": {"iou_thresholds": _random_thresholds(13, 10),
                         "recall_thresholds": tuple(float(r) for r in np.linspace(0.0, 1.0, 11)),
                         "max_dets": (2, 20, 50), "area_ranges": AREA_5[:3]},
}


def default_grid(kind: str) -> dict:
    """pycocotools' own default params for the kernel, written out explicitly."""
    grid = {"iou_thresholds": tuple(float(t) for t in np.linspace(0.5, 0.95, 10, endpoint=True)),
            "recall_thresholds": tuple(float(r) for r in np.linspace(0.0, 1.0, 101, endpoint=True))}
    if kind == "keypoints":
        grid["max_dets"] = (20,)
        grid["area_ranges"] = (("all", 0.0, 1e10), ("medium", 32.0 ** 2, 96.0 ** 2),
                               ("large", 96.0 ** 2, 1e10))
    else:
        grid["max_dets"] = (1, 10, 100)
        grid["area_ranges"] = (("all", 0.0, 1e10), ("small", 0.0, 32.0 ** 2),
                               ("medium", 32.0 ** 2, 96.0 ** 2), ("large", 96.0 ** 2, 1e10))
    return grid


def _evaluator(kind: str, grid: dict):
    from vernier.instance import Bbox, Evaluator, Keypoints, Segm

    iou = {"bbox": Bbox, "segm": Segm, "keypoints": Keypoints}[kind]()
    return Evaluator(iou=iou, parity_mode="strict", **grid)


def run_both(kind: str, grid: dict):
    gt_bytes, dt_bytes = workload(kind)
    ref = run_pycocotools(gt_bytes, dt_bytes, kind, max_dets=grid.get("max_dets"),
                          iou_thrs=grid.get("iou_thresholds"), rec_thrs=grid.get("recall_thresholds"),
                          area_rng=grid.get("area_ranges"))
    summary = _evaluator(kind, grid).evaluate(gt_bytes, dt_bytes)
    return summary, ref


@functools.lru_cache(maxsize=None)
def run_grid(kind: str, grid_name: str):
    """:func:`run_both` on ``GRIDS[grid_name]``, once per session (two tests read it)."""
    return run_both(kind, GRIDS[grid_name])


def array_problems(summary, ref) -> list[str]:
    """The arrays and the grid axes, bit for bit."""
    problems = [
        array_difference("precision", summary.precision, ref.precision, PRECISION_AXES),
        array_difference("recall", summary.recall, ref.recall, RECALL_AXES),
        array_difference("scores", summary.scores, ref.scores, PRECISION_AXES),
    ]
    p = ref.params
    if not np.array_equal(summary.iou_thresholds, p.iouThrs):
        problems.append(f"iou_thresholds {summary.iou_thresholds!r} != iouThrs {p.iouThrs!r}")
    if not np.array_equal(summary.recall_thresholds, p.recThrs):
        problems.append(f"recall_thresholds {summary.recall_thresholds!r} != recThrs {p.recThrs!r}")
    if tuple(summary.max_dets) != tuple(p.maxDets):
        problems.append(f"max_dets {summary.max_dets!r} != maxDets {p.maxDets!r}")
    if tuple(summary.area_ranges) != tuple(p.areaRngLbl):
        problems.append(f"area_ranges {summary.area_ranges!r} != areaRngLbl {p.areaRngLbl!r}")
    return [x for x in problems if x]


def _report(label: str, problems: list[str]) -> str:
    return f"[{label}] vernier differs from pycocotools:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("grid_name", list(GRIDS))
@pytest.mark.parametrize("kind", KINDS)
def test_custom_grid_arrays(kind, grid_name, vernier):
    grid = GRIDS[grid_name]
    summary, ref = run_grid(kind, grid_name)
    # the grid really is custom and really reached pycocotools
    assert ref.precision.shape[0] == len(grid.get("iou_thresholds", ref.params.iouThrs))
    assert ref.precision.shape[1] == len(grid.get("recall_thresholds", ref.params.recThrs))
    assert ref.precision.shape[3] == len(grid.get("area_ranges", ref.params.areaRngLbl))
    assert ref.precision.shape[4] == len(grid.get("max_dets", ref.params.maxDets))
    assert (ref.precision > 0).any(), "a workload where nothing matches tests little"
    problems = array_problems(summary, ref)
    assert not problems, _report(f"{kind} {grid_name}", problems)


@pytest.mark.parametrize("kind", KINDS)
def test_default_grid_given_explicitly(kind, vernier):
    """The default grid written out: arrays, stats and printed lines all equal
    pycocotools (and vernier's own default-grid evaluation)."""
    grid = default_grid(kind)
    summary, ref = run_both(kind, grid)
    problems = array_problems(summary, ref) + [
        stats_difference(summary.stats, ref.stats),
        lines_difference(summary.pretty_lines(), ref.lines),
    ]
    problems = [p for p in problems if p]
    assert not problems, _report(f"{kind} default grid", problems)
    assert len(summary.stats) == (10 if kind == "keypoints" else 12)

    implicit = _evaluator(kind, {}).evaluate(*workload(kind))
    for name in ("precision", "recall", "scores"):
        assert np.array_equal(getattr(implicit, name), getattr(summary, name))
    assert [float(v).hex() for v in implicit.stats] == [float(v).hex() for v in summary.stats]


@pytest.mark.parametrize("grid_name", list(GRIDS))
@pytest.mark.parametrize("kind", KINDS)
def test_custom_grid_stats_follow_summarize(kind, grid_name, vernier):
    """ADR 0010: on a custom grid, stats and the printed lines are what
    pycocotools' summarize() gives for the same params (-1 for a slot not on
    the grid); with fewer than three caps bbox/segm summarize() raises
    IndexError and vernier has no statistics (an empty list, no lines)."""
    summary, ref = run_grid(kind, grid_name)
    if ref.summarize_error is not None:
        assert kind != "keypoints" and len(ref.params.maxDets) < 3, ref.summarize_error
        assert list(summary.stats) == [] and summary.pretty_lines() == []
        return
    problems = [stats_difference(summary.stats, ref.stats),
                lines_difference(summary.pretty_lines(), ref.lines)]
    problems = [p for p in problems if p]
    assert not problems, _report(f"{kind} {grid_name}", problems)


@pytest.mark.parametrize("thresholds", [(0.0,), (1.0,), (0.0, 0.5, 1.0)],
                         ids=["0", "1", "0-0.5-1"])
@pytest.mark.parametrize("kind", KINDS)
def test_iou_threshold_edges(kind, thresholds, vernier):
    """Thresholds on the ends of [0, 1] (both accepted by the validation).

    pycocotools skips a pair when ``iou < min(t, 1 - 1e-10)``: at t = 0 every
    pair of a detection and a GT in the same cell can match, IoU 0 included
    (non-overlapping boxes / masks: pycocotools computes their IoU, 0, and
    keeps it); t = 1 means IoU >= 1 - 1e-10."""
    summary, ref = run_both(kind, {"iou_thresholds": thresholds})
    problems = array_problems(summary, ref)
    assert not problems, _report(f"{kind} {thresholds}", problems)


# ---------------------------------------------------------------------------
# Validation at construction
# ---------------------------------------------------------------------------

BAD_THRESHOLDS = {
    "empty": (),
    "unsorted": (0.75, 0.5),
    "duplicate": (0.5, 0.5, 0.75),
    "nan": (0.5, math.nan),
    "above-1": (0.5, 1.0000000000000002),
    "1.5": (0.5, 1.5),
    "negative": (-0.1, 0.5),
    "inf": (0.5, math.inf),
    "string": "0.5",
    "not-numbers": ("0.5", "0.75"),
}

BAD_AREA_RANGES = {
    "empty": (),
    "lo-above-hi": (("all", 0.0, 1e10), ("upside-down", 9216.0, 1024.0)),
    "duplicate-label": (("all", 0.0, 1e10), ("all", 0.0, 1024.0)),
    "nan-bound": (("all", 0.0, math.nan),),
    "negative-lo": (("all", -1.0, 1e10),),
    "pair": (("all", 0.0),),
    "empty-label": (("", 0.0, 1e10),),
}


def _kernel(kind: str):
    from vernier.instance import Bbox, Keypoints, Segm

    return {"bbox": Bbox, "segm": Segm, "keypoints": Keypoints}[kind]()


@pytest.mark.parametrize("field", ["iou_thresholds", "recall_thresholds"])
@pytest.mark.parametrize("bad", list(BAD_THRESHOLDS))
@pytest.mark.parametrize("kind", KINDS)
def test_invalid_thresholds_are_refused_at_construction(kind, bad, field, vernier):
    from vernier.instance import Evaluator

    with pytest.raises(vernier.InvalidConfigError):
        Evaluator(iou=_kernel(kind), parity_mode="strict", **{field: BAD_THRESHOLDS[bad]})


@pytest.mark.parametrize("bad", list(BAD_AREA_RANGES))
@pytest.mark.parametrize("kind", KINDS)
def test_invalid_area_ranges_are_refused_at_construction(kind, bad, vernier):
    from vernier.instance import Evaluator

    with pytest.raises(vernier.InvalidConfigError):
        Evaluator(iou=_kernel(kind), parity_mode="strict", area_ranges=BAD_AREA_RANGES[bad])


@pytest.mark.parametrize("field", ["iou_thresholds", "recall_thresholds"])
def test_valid_edges_are_accepted(field, vernier):
    """The closed interval: 0 and 1 are valid thresholds; one value is a grid."""
    from vernier.instance import Evaluator

    for values in [(0.0,), (1.0,), (0.0, 1.0), (0.5,)]:
        ev = Evaluator(iou=_kernel("bbox"), parity_mode="strict", **{field: values})
        assert getattr(ev, field) == values
