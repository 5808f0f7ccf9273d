"""val2017-person-scale keypoint evaluation: vernier vs pycocotools.

Run with ``make bench`` (or ``pytest benchmarks/bench_keypoints.py --benchmark-only``).
The workload (``parity.generate.make_keypoint_val2017_scale``: 5,000 images,
~2,700 with persons, ~11k person GT of which ~6k with keypoints, >= 50k
results of 51 floats without ``bbox``) is generated once per module, in
about ten seconds.  Group ``keypoints: JSON bytes -> stats``:

* vernier ``Keypoints()`` (strict, COCO sigmas, maxDets 20) from JSON bytes
  in memory: 3 rounds after a warm-up;
* pycocotools (iouType "keypoints"): ``json.loads`` + ``createIndex``,
  ``loadRes``, ``evaluate``, ``accumulate``, ``summarize``, from the same
  bytes: 1 round (computeOks is a Python loop over every GT x result pair).

Both must print the same 10 stats; the parity suite checks every array bit
for bit (``parity/test_keypoints_generated.py``), this only times them.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest

GROUP = "keypoints val2017-person-scale: JSON bytes -> stats"


@pytest.fixture(scope="module")
def keypoint_bytes():
    from parity.generate import make_keypoint_val2017_scale

    gt, dt = make_keypoint_val2017_scale()
    return json.dumps(gt).encode(), json.dumps(dt).encode()


def vernier_keypoints(gt_bytes: bytes, dt_bytes: bytes) -> list[float]:
    from vernier.instance import Evaluator, Keypoints

    return list(Evaluator(iou=Keypoints(), parity_mode="strict").evaluate(gt_bytes, dt_bytes).stats)


def pycocotools_keypoints(gt_bytes: bytes, dt_bytes: bytes) -> list[float]:
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = json.loads(gt_bytes)
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(json.loads(dt_bytes))
        ev = COCOeval(coco_gt, coco_dt, "keypoints")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return [float(v) for v in ev.stats]


_STATS: dict[str, list[float]] = {}


def test_vernier_keypoints_json_bytes_to_stats(benchmark, keypoint_bytes):
    """vernier Keypoints(): JSON bytes -> stats (strict)."""
    import vernier.instance  # noqa: F401  (import cost is not part of the measurement)

    benchmark.group = GROUP
    benchmark.name = "vernier keypoints: JSON bytes -> stats"
    stats = benchmark.pedantic(vernier_keypoints, args=keypoint_bytes,
                               rounds=3, iterations=1, warmup_rounds=1)
    assert len(stats) == 10
    _STATS["vernier"] = stats
    if "pycocotools" in _STATS:
        assert [v.hex() for v in stats] == [v.hex() for v in _STATS["pycocotools"]]


def test_pycocotools_keypoints_json_bytes_to_stats(benchmark, keypoint_bytes):
    """pycocotools: json.loads + createIndex, loadRes, evaluate, accumulate, summarize (1 round)."""
    import pycocotools.cocoeval  # noqa: F401

    benchmark.group = GROUP
    benchmark.name = "pycocotools keypoints: JSON bytes -> stats"
    stats = benchmark.pedantic(pycocotools_keypoints, args=keypoint_bytes, rounds=1, iterations=1)
    assert len(stats) == 10
    _STATS["pycocotools"] = stats
    if "vernier" in _STATS:
        assert [v.hex() for v in stats] == [v.hex() for v in _STATS["vernier"]]
