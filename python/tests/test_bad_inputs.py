"""The bad-input corpus (parity/bad_inputs/cases.json) through every front end.

Each case is a small GT/results pair that must be refused with one typed
error, the same in all of:

* the C API, through build/tests/bad_input_driver (one process per case,
  under an address-space limit: a claimed 4e9 x 4e9 mask must not be
  allocated), which also checks that the dataset handle still evaluates a
  good result list exactly as a fresh one;
* the Python API (CocoDataset.from_json + Evaluator.evaluate): the exception
  class, its code and path, and -- after the failure -- the same CocoDataset
  giving the same statistics as a fresh one on a good result list;
* the C CLI (build/vernier) and the Python CLI (vernier.cli.main): exit
  status 1, the message on stderr, nothing on stdout, no crash.

The manifest says, per case, the stage that refuses the input (gt / dt /
eval), the C status, the exception and a substring the message must contain
(usually the JSON path).  parity/bad_inputs/make_cases.py writes it.
"""
from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

import vernier
from vernier import cli as pycli
from vernier.instance import Bbox, Boundary, CocoDataset, Evaluator, Keypoints, Segm

ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = ROOT / "parity" / "bad_inputs"
MANIFEST = json.loads((CASES_DIR / "cases.json").read_text())
CASES = MANIFEST["cases"]
DRIVER = ROOT / "build" / "tests" / "bad_input_driver"
C_CLI = ROOT / "build" / "vernier"
IOU = {"bbox": Bbox, "segm": Segm, "boundary": Boundary, "keypoints": Keypoints}
ADDRESS_LIMIT = 2 << 30  # bytes of address space for the C processes


# The C programs run without the parent's LD_PRELOAD (under `make
# asan-python` it preloads libasan, whose shadow memory needs far more
# address space than the limit allows).
C_ENV = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_LIMIT, ADDRESS_LIMIT))


@pytest.fixture(scope="module")
def c_programs():
    subprocess.run(["make", "-s", "-C", str(ROOT), "cli", "build/tests/bad_input_driver"],
                   check=True, env=C_ENV)
    return DRIVER, C_CLI


def read(rel):
    return (CASES_DIR / rel).read_bytes()


def ids(cases):
    return [c["name"] for c in cases]


def test_manifest_is_complete():
    assert len(CASES) >= 50
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names)
    for c in CASES:
        assert c["stage"] in ("gt", "dt", "eval")
        assert c["exit_code"] == 1
        assert c["message_contains"]
        assert (CASES_DIR / c["gt"]).is_file() and (CASES_DIR / c["dt"]).is_file()
        exc = getattr(vernier, c["exception"])
        assert issubclass(exc, vernier.VernierError)
        # every file is small: the corpus is about shapes, not sizes
        assert (CASES_DIR / c["gt"]).stat().st_size < 200_000


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_c_api(case, c_programs):
    driver, _ = c_programs
    args = [str(driver), case["gt"], case["dt"], case["iou_type"], case["parity_mode"]]
    if "good_dt" in case:
        args.append(case["good_dt"])
    p = subprocess.run(args, cwd=CASES_DIR, capture_output=True, timeout=60,
                       preexec_fn=_limit_memory, env=C_ENV)
    out = dict(line.split(" ", 1) if " " in line else (line, "")
               for line in p.stdout.decode("utf-8", "replace").splitlines())
    assert p.returncode == 1, (p.returncode, out, p.stderr[-500:])
    assert out["stage"] == case["stage"], out
    assert int(out["status"]) == case["code"], out
    assert case["message_contains"] in out["message"], out
    assert out["message"].strip(), out
    if "good_dt" in case:
        assert out.get("reuse") == "ok", out


def _stats(summary):
    return [float(x) for x in summary.stats]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_python_api(case):
    exc_type = getattr(vernier, case["exception"])
    ev = Evaluator(iou=IOU[case["iou_type"]](), parity_mode=case["parity_mode"])
    gt, dt = read(case["gt"]), read(case["dt"])
    if case["stage"] == "gt":
        with pytest.raises(vernier.VernierError) as info:
            CocoDataset.from_json(gt)
    else:
        ds = CocoDataset.from_json(gt)
        with pytest.raises(vernier.VernierError) as info:
            ev.evaluate(ds, dt)
    e = info.value
    assert type(e) is exc_type, (type(e), str(e))
    assert e.code == case["code"]
    assert case["message_contains"] in str(e), str(e)
    if case["stage"] == "gt":
        return
    if "good_dt" in case:
        # the handle is unchanged: a good list evaluates as on a fresh dataset
        good = read(case["good_dt"])
        again = ev.evaluate(ds, good)
        fresh = ev.evaluate(CocoDataset.from_json(gt), good)
        assert _stats(again) == _stats(fresh)
        assert len(again.stats) in (10, 12)
    else:
        # the ground truth itself is at fault: the same error every time
        with pytest.raises(exc_type) as info2:
            ev.evaluate(ds, dt)
        assert str(info2.value) == str(e)
    ds.close()


def _cli_args(case):
    return ["eval", "--gt", case["gt"], "--dt", case["dt"], "--iou-type", case["iou_type"],
            "--parity-mode", case["parity_mode"], "--quiet"]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_c_cli(case, c_programs):
    _, cli = c_programs
    p = subprocess.run([str(cli), *_cli_args(case)], cwd=CASES_DIR, capture_output=True,
                       timeout=60, preexec_fn=_limit_memory, env=C_ENV)
    err = p.stderr.decode("utf-8", "replace")
    assert p.returncode == case["exit_code"], (p.returncode, err)
    assert p.stdout == b""
    assert case["message_contains"] in err, err
    assert "error:" in err


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_python_cli(case, monkeypatch):
    monkeypatch.chdir(CASES_DIR)
    out, err = io.BytesIO(), io.StringIO()
    rc = pycli.main(_cli_args(case), stdout=out, stderr=err)
    assert rc == case["exit_code"], err.getvalue()
    assert out.getvalue() == b""
    assert case["message_contains"] in err.getvalue(), err.getvalue()
    assert "Traceback" not in err.getvalue()


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is Linux's")
def test_huge_claimed_masks_fit_in_a_small_address_space(c_programs):
    """The 4e9 x 4e9 RLE cases are refused within 256 MiB of address space."""
    driver, _ = c_programs
    for case in CASES:
        if "huge_size" not in case["name"]:
            continue

        def small():
            resource.setrlimit(resource.RLIMIT_AS, (256 << 20, 256 << 20))
        p = subprocess.run([str(driver), case["gt"], case["dt"], case["iou_type"],
                            case["parity_mode"]], cwd=CASES_DIR, capture_output=True,
                           timeout=60, preexec_fn=small, env=C_ENV)
        assert p.returncode == 1 and b"status -7" in p.stdout, (case["name"], p.stdout)
