"""The peer harness's own logic (benchmarks/peers.py), on fake results.

No peer, no workload generation and no network here: the harness is given a
prepared cache (workload meta + reference stats) and a fake cell runner, and
the tests check what it decides and writes: the run order (interleaved,
rotating), the stats check that refuses to time an implementation whose
numbers differ from the reference by even one ulp, and the table / plot /
docs writer.  The full run (`make bench-peers`) is not part of the tests.
"""

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def peers():
    spec = importlib.util.spec_from_file_location("bench_peers_under_test", ROOT / "benchmarks" / "peers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module         # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


REFERENCE = [0.5, 0.75, 0.5625, 0.25, 0.5, 0.625, 0.375, 0.5, 0.5, 0.25, 0.5, 0.75]


def _cache(peers, tmp_path, workloads):
    """A cache in which both workloads are 'already generated' and have a
    reference, so the harness spawns nothing."""
    for i, w in enumerate(workloads):
        d = tmp_path / w
        d.mkdir()
        recipe = peers.WORKLOADS[w].recipe()
        (d / "meta.json").write_text(json.dumps({
            "recipe": recipe, "images": 10, "gt": 70, "categories": 80,
            "detections": 1000 * (i + 1), "gt_mib": 0.1, "dt_mib": 0.2}))
        (d / "reference.json").write_text(json.dumps({
            "by": peers.WORKLOADS[w].reference, "recipe": recipe, "stats": REFERENCE, "seconds": 1.0}))
    return tmp_path


def test_interleaved_rotates_the_start_and_visits_each_cell_once_per_round(peers):
    order = peers.interleaved(["a", "b", "c"], 4)
    assert order == ["a", "b", "c", "b", "c", "a", "c", "a", "b", "a", "b", "c"]
    for r in range(4):
        assert sorted(order[3 * r:3 * r + 3]) == ["a", "b", "c"]
    assert peers.interleaved([], 3) == []


def test_stats_verdict_is_bit_exact(peers):
    assert peers.stats_verdict(list(REFERENCE), REFERENCE) == "same"
    one_ulp = list(REFERENCE)
    one_ulp[3] = math.nextafter(one_ulp[3], 1.0)
    verdict = peers.stats_verdict(one_ulp, REFERENCE)
    assert verdict != "same" and verdict.startswith("1 of 12 stats differ")
    assert peers.stats_verdict(REFERENCE[:10], REFERENCE) == "10 stats vs 12"
    assert peers.stats_verdict(None, REFERENCE) == "no stats"


def _fake_runner(calls, seconds):
    """vernier / hotcoco return the reference; ultrafast is one ulp off on
    AP; faster-coco-eval fails.  Times come from ``seconds``."""
    def run(impl, workload, threads, cache):
        calls.append((impl, workload, threads))
        if impl == "faster-coco-eval":
            return {"status": "error", "detail": "RuntimeError: boom"}
        stats = list(REFERENCE)
        if impl == "ultrafast-pycocotools":
            stats[0] = math.nextafter(stats[0], 0.0)
        n = sum(1 for c in calls if c == (impl, workload, threads))
        return {"status": "ok", "seconds": seconds[impl] * threads ** -0.5 + 0.01 * n, "stats": stats,
                "version": "9.9", "peak_kib": 1024.0 * (100 if impl == "vernier" else 150),
                "baseline_kib": 1024.0 * 40}
    return run


IMPLS = ["vernier", "ultrafast-pycocotools", "hotcoco", "faster-coco-eval"]
SECONDS = {"vernier": 1.0, "ultrafast-pycocotools": 0.5, "hotcoco": 2.0, "faster-coco-eval": 3.0}


def _run(peers, tmp_path, rounds=3):
    workloads = ["quick-bbox", "quick-segm"]
    cache = _cache(peers, tmp_path, workloads)
    calls = []
    result = peers.run_harness(IMPLS, workloads, [1, 2], rounds, cache,
                               runner=_fake_runner(calls, SECONDS), log=lambda m: None)
    return result, calls


def test_harness_refuses_to_time_a_differing_implementation(peers, tmp_path):
    result, calls = _run(peers, tmp_path)
    cells = result["cells"]
    off = cells["ultrafast-pycocotools|quick-bbox|1"]
    assert off["status"] == "differs" and off["runs"] == []
    assert off["verdict"].startswith("1 of 12 stats differ")
    # checked once (the warm-up), never run again
    assert calls.count(("ultrafast-pycocotools", "quick-bbox", 1)) == 1
    assert cells["faster-coco-eval|quick-segm|2"]["status"] == "error"
    assert calls.count(("faster-coco-eval", "quick-segm", 2)) == 1
    ok = cells["hotcoco|quick-segm|2"]
    assert ok["status"] == "ok" and len(ok["runs"]) == 3
    assert calls.count(("hotcoco", "quick-segm", 2)) == 4      # warm-up + 3 rounds
    # the warm-up is not among the timed runs
    assert ok["warmup"] not in ok["runs"]


def test_harness_runs_warmups_first_then_interleaved_rounds(peers, tmp_path):
    result, calls = _run(peers, tmp_path, rounds=2)
    n_cells = len(IMPLS) * 2 * 2
    warmups, timed = calls[:n_cells], calls[n_cells:]
    assert len(set(warmups)) == n_cells
    good = [c for c in warmups if c[0] in ("vernier", "hotcoco")]
    assert timed == peers.interleaved(good, 2)
    assert timed[:len(good)] != timed[len(good):]      # the second round starts elsewhere


def test_table_speedup_differs_and_rss(peers, tmp_path):
    result, _ = _run(peers, tmp_path)
    table = peers.render_table(result, IMPLS)
    lines = table.splitlines()
    row = next(line for line in lines if line.startswith("| quick-bbox | 1 |"))
    cols = [c.strip() for c in row.strip("|").split("|")]
    # vernier: 1.0 + 0.02, 0.03, 0.04 over the timed runs -> median 1.03, min 1.02
    assert cols[2] == "1.03 (1.02)"
    assert cols[3] == "(differs)"                 # ultrafast is not timed
    assert cols[4] == "2.03 (2.02)"               # hotcoco, the fastest timed peer
    assert cols[5] == "(error)"
    assert cols[6] == f"{2.03 / 1.03:.2f}x"
    rss_row = next(line for line in lines if line.startswith("| quick-bbox | 100 |"))
    assert "| 150 |" in rss_row
    assert "ultrafast-pycocotools, quick-bbox, 1 thread(s): differs" in table


def test_docs_block_is_replaced_between_markers(peers, tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nProse before.\n")
    peers.write_docs(doc, "first table\n")
    text = doc.read_text()
    assert text.startswith("# Performance\n\nProse before.\n")
    assert peers.BEGIN in text and "first table" in text
    doc.write_text(text + "\nProse after.\n")
    peers.write_docs(doc, "second table\n")
    text = doc.read_text()
    assert "first table" not in text and "second table" in text
    assert text.count(peers.BEGIN) == 1 and text.count(peers.END) == 1
    assert text.startswith("# Performance\n\nProse before.\n") and text.endswith("\nProse after.\n")
    fresh = tmp_path / "new.md"
    peers.write_docs(fresh, "only table\n")
    assert fresh.read_text() == f"{peers.BEGIN}\nonly table\n{peers.END}\n"


def test_plot_is_a_png(peers, tmp_path):
    result, _ = _run(peers, tmp_path)
    path = tmp_path / "plot.png"
    peers.render_plot(result, IMPLS, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 5000


def test_a_slow_cell_is_timed_once(peers, tmp_path):
    workloads = ["quick-bbox"]
    cache = _cache(peers, tmp_path, workloads)
    calls = []
    slow = dict(SECONDS, hotcoco=30.0)
    result = peers.run_harness(["vernier", "hotcoco"], workloads, [1], 3, cache,
                               runner=_fake_runner(calls, slow), log=lambda m: None, slow_seconds=10.0)
    assert len(result["cells"]["hotcoco|quick-bbox|1"]["runs"]) == 1
    assert len(result["cells"]["vernier|quick-bbox|1"]["runs"]) == 3
    assert calls.count(("hotcoco", "quick-bbox", 1)) == 2          # warm-up + one timed run
    row = next(line for line in peers.render_table(result, ["vernier", "hotcoco"]).splitlines()
               if line.startswith("| quick-bbox | 1 |"))
    assert "30.0 (1 run)" in row
