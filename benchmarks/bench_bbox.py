"""val2017-scale bbox evaluation, JSON bytes -> stats: vernier vs pycocotools.

Run with ``make bench``.  The workload (5,000 images, ~36k GT, ~180k
detections; ``parity.generate.make_val2017_scale``) is generated once per
session.  Both benchmarks start from the JSON bytes in memory, so file I/O is
excluded; parsing is included.  pycocotools takes about a minute, so it runs
a single round.  For peers, wall time over fresh processes and peak memory,
see ``benchmarks/compare.py``.
"""

from __future__ import annotations

import pytest

from benchmarks.evaluators import pycocotools_from_bytes, vernier_from_bytes

GROUP = "bbox val2017-scale: JSON bytes -> stats"


@pytest.fixture(scope="module")
def workload_bytes(val2017_files):
    gt_path, dt_path = val2017_files
    return gt_path.read_bytes(), dt_path.read_bytes()


def test_vernier_json_bytes_to_stats(benchmark, workload_bytes):
    """vernier: JSON bytes -> stats (strict mode)."""
    import vernier.instance  # noqa: F401  (import cost is not part of the measurement)

    benchmark.group = GROUP
    benchmark.name = "vernier: JSON bytes -> stats"
    stats = benchmark.pedantic(vernier_from_bytes, args=workload_bytes,
                               rounds=5, iterations=1, warmup_rounds=1)
    assert len(stats) == 12


def test_pycocotools_json_bytes_to_stats(benchmark, workload_bytes):
    """pycocotools: json.loads + createIndex, loadRes, evaluate, accumulate, summarize."""
    import pycocotools.cocoeval  # noqa: F401

    benchmark.group = GROUP
    benchmark.name = "pycocotools: JSON bytes -> stats"
    stats = benchmark.pedantic(pycocotools_from_bytes, args=workload_bytes,
                               rounds=1, iterations=1)
    assert len(stats) == 12
