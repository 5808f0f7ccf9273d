"""vernier.distributed over a real torch.distributed process group.

* 4 ranks, gloo backend on localhost, launched torchrun-style (one process
  per rank with RANK / WORLD_SIZE / MASTER_ADDR / MASTER_PORT): each
  evaluates its shard of a generated workload (interleaved, and uneven
  with an empty rank) with a BackgroundEvaluator ended by
  finalize_to_partial and with evaluate_to_partial; the summaries merged
  on the head rank (gather) and on every rank (all_gather) equal the
  single-process Evaluator.evaluate bit for bit, strict and corrected.
* The torchrun example of docs/how-to/distributed-eval.md runs with 2
  ranks and prints the single-process numbers.

Needs torch (python/requirements-torch.txt; `make test` installs it).  The
tests are skipped without it unless VERNIER_REQUIRE_TORCH=1 (set by
`make test`, so that CI cannot skip them silently).
"""
import json
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from vernier.instance import Bbox, CocoDataset, Evaluator

from conftest import REPO

if os.environ.get("VERNIER_REQUIRE_TORCH") != "1":
    pytest.importorskip("torch")

pytestmark = pytest.mark.heavy     # 4 torch processes: not in `make check`

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(script, world, args, cwd, timeout=600):
    """Runs `script` as `world` ranks (torchrun's environment); returns
    their outputs, failing on any non-zero exit."""
    port = free_port()
    procs = []
    for rank in range(world):
        env = dict(os.environ, RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank),
                   LOCAL_WORLD_SIZE=str(world), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port),
                   OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(
                       [HERE] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                                 if p]))
        procs.append(subprocess.Popen([sys.executable, str(script), *args], env=env, cwd=cwd,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    outs = []
    deadline = time.monotonic() + timeout
    try:
        for p in procs:
            out, _ = p.communicate(timeout=max(1.0, deadline - time.monotonic()))
            outs.append(out.decode(errors="replace"))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for rank, (p, out) in enumerate(zip(procs, outs)):
        assert p.returncode == 0, f"rank {rank} exited with {p.returncode}:\n{out}"
    return outs


def same(npz, prefix, ref):
    assert list(npz[prefix + "stats"]) == ref.stats, prefix
    for name in ("precision", "recall", "scores"):
        assert np.array_equal(npz[prefix + name], getattr(ref, name)), prefix + name


def test_four_gloo_ranks(tmp_path):
    sys.path.insert(0, str(REPO / "parity"))
    try:
        from generate import make_workload
    finally:
        sys.path.pop(0)
    gt, dt = make_workload(240, 2024)
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    (tmp_path / "dt.json").write_text(json.dumps(dt))
    ds = CocoDataset.from_json((tmp_path / "gt.json").read_bytes())
    refs = {mode: Evaluator(iou=Bbox(), parity_mode=mode).evaluate(ds, dt)
            for mode in ("strict", "corrected")}
    t0 = time.monotonic()
    launch(os.path.join(HERE, "dist_worker.py"), 4, [str(tmp_path)], cwd=tmp_path)
    elapsed = time.monotonic() - t0
    ranks = [np.load(tmp_path / f"rank{r}.npz") for r in range(4)]
    for how in ("interleaved", "uneven"):
        for mode, ref in refs.items():
            key = f"{how}_{mode}_"
            same(ranks[0], key + "bg_", ref)       # gathered on rank 0
            same(ranks[3], key + "once_", ref)     # gathered on rank 3
            for r in range(4):
                same(ranks[r], key + "all_", ref)  # all_gather: every rank
    # the uneven split leaves rank 3 without images: its partial is tiny
    assert ranks[3]["uneven_strict_size"][0] < ranks[0]["uneven_strict_size"][0]
    print(f"4-rank gloo run: {elapsed:.1f} s")


def test_howto_torchrun_example(tmp_path):
    """The how-to's script, as torchrun would start it with 2 ranks."""
    page = (REPO / "docs" / "how-to" / "distributed-eval.md").read_text()
    start = page.index("```python notest torchrun")
    body = page[page.index("\n", start) + 1:page.index("\n```", start)]
    script = tmp_path / "eval_ddp.py"
    script.write_text(body + "\n")
    outs = launch(script, 2, [], cwd=tmp_path)
    data = REPO / "python" / "src" / "vernier" / "data"
    ref = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(
        (data / "instances_val2014_100.json").read_bytes(),
        (data / "instances_val2014_fakebbox100_results.json").read_bytes())
    assert f"AP = {ref.stats[0]!r}" in outs[0], outs[0]
    assert "AP =" not in outs[1]
