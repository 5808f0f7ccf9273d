"""BackgroundEvaluator: submit overhead and end-to-end throughput.

Run with ``make bench`` (or ``pytest benchmarks/bench_background.py
--benchmark-only``).  The workload is the val2017-scale bbox set
(``parity.generate.make_val2017_scale``: 5,000 images).

* submit latency: ``submit`` of a 100-detection batch (JSON bytes), measured
  call by call into a queue large enough never to fill; the median and p99
  are printed and recorded in the benchmark's ``extra_info``.
* throughput: the whole workload split into ~600 batches of whole images,
  submitted with back-pressure (``timeout``) and finalized, against one
  ``Evaluator.evaluate`` call on the same detections (both from bytes
  already in memory; the ground truth is parsed once, outside the timing).
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

GROUP = "background bbox val2017-scale"
N_BATCHES = 600


@pytest.fixture(scope="module")
def workload(val2017_files):
    from vernier.instance import CocoDataset, Evaluator

    gt_path, dt_path = val2017_files
    gt = CocoDataset.from_json(gt_path.read_bytes())
    dt_bytes = dt_path.read_bytes()
    dets = json.loads(dt_bytes)
    by_image = {}
    for d in dets:
        by_image.setdefault(d["image_id"], []).append(d)
    ids = sorted(by_image)
    batches = [json.dumps([d for i in ids[j::N_BATCHES] for d in by_image[i]]).encode()
               for j in range(N_BATCHES)]
    # 100-detection batches of whole images, for the latency measurement
    small, cur = [], []
    for i in ids:
        cur.extend(by_image[i])
        if len(cur) >= 100:
            small.append(json.dumps(cur[:100]).encode())
            cur = []
    return gt, Evaluator(parity_mode="strict"), dt_bytes, batches, small


def test_submit_latency_100_detections(benchmark, workload):
    gt, ev, _, _, small = workload
    small = small[:1000]
    times = []

    def run():
        times.clear()
        with ev.background(gt, queue_capacity=len(small)) as bg:
            for b in small:
                t0 = time.perf_counter()
                bg.submit(b)
                times.append(time.perf_counter() - t0)
            bg.finalize()

    benchmark.group = GROUP
    benchmark.name = "submit x1000 (100-detection JSON batches)"
    benchmark.pedantic(run, rounds=3, iterations=1)
    us = np.array(times) * 1e6
    benchmark.extra_info["submit_median_us"] = float(np.median(us))
    benchmark.extra_info["submit_p99_us"] = float(np.percentile(us, 99))
    print(f"\nsubmit latency, 100 detections: median {np.median(us):.1f} us, "
          f"p99 {np.percentile(us, 99):.1f} us")


def test_background_end_to_end(benchmark, workload):
    gt, ev, _, batches, _ = workload

    def run():
        with ev.background(gt, queue_capacity=4) as bg:
            for b in batches:
                bg.submit(b, timeout=60)
            return bg.finalize().stats

    benchmark.group = GROUP
    benchmark.name = f"BackgroundEvaluator: {N_BATCHES} batches -> stats"
    stats = benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    assert len(stats) == 12


def test_evaluate_one_shot(benchmark, workload):
    gt, ev, dt_bytes, _, _ = workload
    benchmark.group = GROUP
    benchmark.name = "Evaluator.evaluate: all detections -> stats"
    stats = benchmark.pedantic(lambda: ev.evaluate(gt, dt_bytes).stats, rounds=5, iterations=1,
                               warmup_rounds=1)
    assert len(stats) == 12
