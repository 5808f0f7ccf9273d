"""The cost of the tables on the val2017-scale bbox workload, next to the
evaluation's own time.

Run with ``make bench`` (or ``pytest benchmarks/bench_tables.py
--benchmark-only``).  The target (issue 17): the tables of a val2017-scale
bbox evaluation cost under 20% of the evaluation itself.  Two numbers,
all in strict mode on a parsed dataset and the results' JSON bytes:

* the evaluation with ``keep_records=True`` (what the per-image,
  per-detection and per-GT tables need; the per-class figures are computed
  inside every evaluation, in C);
* ``per_class()`` + ``per_image()`` + ``per_detection()`` + ``per_gt()``
  of a fresh Summary each round (all four computed in C, from the kept
  per-class figures and the records).

The ratio of the minima is printed; it is not asserted (no time
thresholds in tests).
"""

from __future__ import annotations

import time

import pytest

GROUP = "bbox val2017-scale: tables"


@pytest.fixture(scope="module")
def parsed(val2017_files):
    from vernier.instance import CocoDataset

    gt_path, dt_path = val2017_files
    return CocoDataset(gt_path), dt_path.read_bytes()


def _evaluate(ds, dt):
    from vernier.instance import Bbox, Evaluator

    return Evaluator(iou=Bbox(), parity_mode="strict").evaluate(ds, dt, keep_records=True)


def _all_tables(summary):
    return (summary.per_class(), summary.per_image(), summary.per_detection(),
            summary.per_gt())


def test_evaluate_keep_records(benchmark, parsed):
    benchmark.group = GROUP
    benchmark.name = "evaluate(keep_records=True)"
    summary = benchmark.pedantic(_evaluate, args=parsed, rounds=5, iterations=1,
                                 warmup_rounds=1)
    assert len(summary.stats) == 12
    _MIN["evaluate"] = benchmark.stats.stats.min


def test_all_tables(benchmark, parsed):
    """The four tables of a fresh Summary (nothing cached)."""
    benchmark.group = GROUP
    benchmark.name = "per_class + per_image + per_detection + per_gt"
    summaries = [_evaluate(*parsed) for _ in range(6)]

    def setup():
        return (summaries.pop(),), {}

    tables = benchmark.pedantic(_all_tables, setup=setup, rounds=5, iterations=1,
                                warmup_rounds=1)
    assert len(tables[0]) == 80 and len(tables[2]) > 0
    t_tables = benchmark.stats.stats.min
    if "evaluate" not in _MIN:  # run alone: time the evaluation here
        _MIN["evaluate"] = min(_timed(_evaluate, *parsed) for _ in range(3))
    print(f"\ntables {t_tables * 1000:.1f} ms, evaluation {_MIN['evaluate'] * 1000:.1f} ms "
          f"(minima): {100 * t_tables / _MIN['evaluate']:.1f}% (target < 20%)")


_MIN: dict = {}


def _timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0
