"""Negative controls: the parity suite has teeth.

For each deliberately broken evaluator of ``parity.negative_controls``
(drop crowd handling, box area instead of ``area``, reversed tie order,
GT ids renumbered from 0) on a workload that triggers the bug:

* unbroken vernier passes the suite's own comparison
  (``parity.checks.assert_matches_oracle`` against pycocotools run here), and
* the broken variant fails that same comparison.

``test_switch_fails_the_suite`` runs a slice of the real suite in a child
pytest with ``--negative-control=NAME`` (and once through the environment
variable) and checks that it fails with a parity mismatch, while the same
slice passes without it.  ``make parity PYTEST_ADDOPTS=--negative-control=NAME``
runs the whole suite that way (docs/explanation/parity.md).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from parity import negative_controls as nc
from parity.checks import assert_matches_oracle, vernier_inputs
from parity.checks import run_vernier as run_vernier_unbroken   # never the patched name
from parity.generate import adversarial_tied_scores, make_segm_workload, make_workload
from parity.oracle import run_pycocotools

ROOT = Path(__file__).resolve().parent.parent
MISMATCH = "vernier differs from pycocotools"


def _workload(name: str):
    """(gt, dt, iou) on which the variant ``name`` must make a difference."""
    if name == "drop_crowd":
        gt, dt = make_workload(40, 301, crowd_rate=0.1)
        assert sum(a["iscrowd"] for a in gt["annotations"]) >= 5
        return gt, dt, "bbox"
    if name == "box_area":
        gt, dt = make_workload(40, 302, polygon_area_rate=0.3)
        assert sum(a["area"] != a["bbox"][2] * a["bbox"][3] for a in gt["annotations"]) >= 20
        return gt, dt, "bbox"
    if name == "reverse_ties":
        gt, dt = adversarial_tied_scores()
        return gt, dt, "bbox"
    if name == "renumber_gt_ids":
        # the first annotation (which the variant numbers 0) is detected
        # exactly by the top-scored result
        gt, dt = make_workload(30, 303)
        anns = gt["annotations"]
        first = next(i for i, a in enumerate(anns) if not a["iscrowd"])
        anns.insert(0, anns.pop(first))
        assert all(a["id"] != 0 for a in anns)
        a = anns[0]
        dt = [{"image_id": a["image_id"], "category_id": a["category_id"],
               "bbox": list(a["bbox"]), "score": 2.0}] + dt
        return gt, dt, "bbox"
    raise AssertionError(name)


def _kwargs(iou: str) -> dict:
    return {} if iou == "bbox" else {"iou": iou}


@pytest.mark.parametrize("name", sorted(nc.VARIANTS))
def test_control_fails_the_comparison(name, vernier):
    gt, dt, iou = _workload(name)
    gt_bytes, dt_bytes = json.dumps(gt).encode(), json.dumps(dt).encode()
    ref = run_pycocotools(gt_bytes, dt_bytes, iou)
    broken = nc.broken(name, run_vernier_unbroken)
    for form in ("bytes/bytes", "bytes/list"):
        good = run_vernier_unbroken(*vernier_inputs(gt_bytes, dt_bytes, form), **_kwargs(iou))
        assert_matches_oracle(good, ref, label=f"unbroken {form}")
        bad = broken(*vernier_inputs(gt_bytes, dt_bytes, form), **_kwargs(iou))
        with pytest.raises(AssertionError, match=MISMATCH):
            assert_matches_oracle(bad, ref, label=f"{name} {form}")


def test_control_mutations_do_what_they_say():
    gt, dt = make_segm_workload(4, 304, crowd_rate=0.2)
    dt = dt[:6]
    dt[2]["score"] = dt[4]["score"] = dt[5]["score"] = 0.5
    for r in dt[2:6]:
        r["image_id"], r["category_id"] = dt[2]["image_id"], dt[2]["category_id"]
    out = {}
    for name in nc.VARIANTS:
        g, d = nc.mutate(name, json.dumps(gt).encode(), copy.deepcopy(dt))
        out[name] = (json.loads(g), d)
    assert all(a["iscrowd"] == 0 for a in out["drop_crowd"][0]["annotations"])
    assert all(a["area"] == a["bbox"][2] * a["bbox"][3] for a in out["box_area"][0]["annotations"])
    assert [a["id"] for a in out["renumber_gt_ids"][0]["annotations"]] == \
        list(range(len(gt["annotations"])))
    assert out["reverse_ties"][1] == [dt[0], dt[1], dt[5], dt[3], dt[4], dt[2]]
    # nothing else changes
    assert out["reverse_ties"][0] == gt and out["drop_crowd"][1] == dt


def _run_slice(extra_args, env_extra=None):
    env = dict(os.environ)
    env.pop(nc.ENV_VAR, None)
    env.pop("PYTEST_ADDOPTS", None)
    env.update(env_extra or {})
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
           "parity/test_bbox_adversarial.py", "-k",
           "test_adversarial and cats and not nocats", *extra_args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_switch_fails_the_suite():
    """The switch swaps the variant into the suite's evaluator: the real
    tests fail on a parity mismatch (not on an error of the harness); the
    same slice passes without the switch."""
    clean = _run_slice([])
    assert clean.returncode == 0, clean.stdout[-3000:] + clean.stderr[-3000:]
    runs = {name: _run_slice([f"--negative-control={name}"]) for name in sorted(nc.VARIANTS)}
    runs["env:drop_crowd"] = _run_slice([], {nc.ENV_VAR: "drop_crowd"})
    for name, proc in runs.items():
        out = proc.stdout + proc.stderr
        assert proc.returncode == 1, f"{name}: exit {proc.returncode}\n{out[-3000:]}"
        assert MISMATCH in out, f"{name}: failed, but not on a parity mismatch\n{out[-3000:]}"
