"""Corrupt segmentations: a typed vernier error naming the culprit, never a crash.

pycocotools has no good answer for any of these (it hangs on RLEs whose
runs do not cover the image and on NaN polygon coordinates, reads past the
end of a string cut off mid-number, garbles characters outside its
alphabet), so nothing here is compared with it except where it does run.

* results: compressed RLE strings with a bad character, runs summing to
  more or less than h*w, a negative run, a number cut off, an empty string,
  non-ASCII text, counts of the wrong type, a missing size; uncompressed
  counts (bbox branch) with a wrong sum or a negative run.  Each must raise
  ``vernier.RLEError`` or ``vernier.SchemaError`` whose message names the
  result (``[k]``), with the results as JSON bytes and as a list of dicts,
  with and without ``bbox``.
* ground truth: NaN or Infinity coordinates, a crowd RLE whose runs do not
  cover the image, a compressed crowd RLE with a bad character.  Segm and
  Boundary evaluations must raise a typed error naming ``annotations[i]``;
  a bbox evaluation of the same file (which reads no segmentation) still
  runs where pycocotools' does.
* a GT polygon with an odd number of coordinates is not corrupt to
  pycocotools (it drops the last value): strict mode must match it bit for
  bit, corrected mode must refuse it naming the annotation (K1).
* fuzz: 2,400 random RLE strings and run lists in a result, evaluated in a
  child process (``parity.rle_fuzz``): each gives a typed error or exactly
  pycocotools' answer; the process must not crash or hang.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from parity.checks import (assert_matches_oracle, decode_counts, encode_counts, rle_counts_valid,
                           run_vernier)
from parity.generate import make_segm_workload
from parity.oracle import run_pycocotools

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------
# Corrupt results
# ---------------------------------------------------------------------------

def _replace_char(s: str, ch: str) -> str:
    i = len(s) // 2
    return s[:i] + ch + s[i + 1:]


def _with_runs(s: str, change) -> str:
    counts = decode_counts(s)
    assert counts is not None
    return encode_counts(change(list(counts)))


def _add_to_last(c, d):
    c[-1] += d
    return c


def _negative_inside(c):
    # [.., a, b, ..] -> [.., a + 5, -5, b, ..]: still sums to h*w, but a run is negative
    i = max(1, len(c) // 2)
    return c[:i - 1] + [c[i - 1] + 5, -5] + c[i:]


RESULT_CORRUPTIONS = {
    "char-tilde": lambda seg: {**seg, "counts": _replace_char(seg["counts"], "~")},
    "char-space": lambda seg: {**seg, "counts": _replace_char(seg["counts"], " ")},
    "char-p": lambda seg: {**seg, "counts": _replace_char(seg["counts"], "p")},       # just past 'o'
    "char-slash": lambda seg: {**seg, "counts": _replace_char(seg["counts"], "/")},   # just before '0'
    "non-ascii": lambda seg: {**seg, "counts": _replace_char(seg["counts"], "\u00e9")},
    "sum-too-large": lambda seg: {**seg, "counts": _with_runs(seg["counts"], lambda c: _add_to_last(c, 7))},
    "sum-too-small": lambda seg: {**seg, "counts": _with_runs(seg["counts"], lambda c: _add_to_last(c, -7))},
    "extra-run": lambda seg: {**seg, "counts": _with_runs(seg["counts"], lambda c: c + [3])},
    "negative-run": lambda seg: {**seg, "counts": _with_runs(seg["counts"], _negative_inside)},
    "cut-mid-number": lambda seg: {**seg, "counts": seg["counts"] + "P"},   # 'P': continuation bit set
    "empty-string": lambda seg: {**seg, "counts": ""},
    "counts-number": lambda seg: {**seg, "counts": 12},
    "size-missing": lambda seg: {"counts": seg["counts"]},
}
UNCOMPRESSED_CORRUPTIONS = {
    "uncompressed-sum-too-large": lambda c: _add_to_last(c, 7),
    "uncompressed-sum-too-small": lambda c: _add_to_last(c, -7),
    "uncompressed-negative-run": _negative_inside,
}


def _corrupt_result_workload(result_bbox: bool):
    gt, dt = make_segm_workload(8, 404, result_bbox=result_bbox)
    k = len(dt) // 2
    assert k >= 3 and isinstance(dt[k]["segmentation"]["counts"], str)
    seg = dt[k]["segmentation"]
    h, w = seg["size"]
    assert rle_counts_valid(decode_counts(seg["counts"]), h, w)
    return gt, dt, k


def _assert_names_result(err, k: int, vernier):
    assert isinstance(err, (vernier.RLEError, vernier.SchemaError)), f"{type(err).__name__}: {err}"
    assert isinstance(err, ValueError)
    assert f"[{k}]" in str(err), f"the message does not name result [{k}]: {err}"


@pytest.mark.parametrize("dt_form", ["bytes", "list"])
@pytest.mark.parametrize("result_bbox", [False, True], ids=["nobbox", "bbox"])
@pytest.mark.parametrize("name", list(RESULT_CORRUPTIONS))
def test_corrupt_result_rle(name, result_bbox, dt_form, vernier):
    gt, dt, k = _corrupt_result_workload(result_bbox)
    dt[k]["segmentation"] = RESULT_CORRUPTIONS[name](dt[k]["segmentation"])
    gt_bytes = json.dumps(gt).encode()
    dt_in = json.dumps(dt).encode() if dt_form == "bytes" else dt
    for iou in ("segm", "boundary"):
        with pytest.raises(vernier.VernierError) as info:
            run_vernier(gt_bytes, dt_in, iou=iou)
        _assert_names_result(info.value, k, vernier)


@pytest.mark.parametrize("name", list(UNCOMPRESSED_CORRUPTIONS))
def test_corrupt_uncompressed_result(name, vernier):
    """Uncompressed-RLE results (readable by pycocotools in its bbox branch only)."""
    from pycocotools import mask as mask_utils

    gt, dt, k = _corrupt_result_workload(True)
    seg = dt[k]["segmentation"]
    counts = decode_counts(seg["counts"])
    # the untouched uncompressed form is fine for both (a control)
    dt[k]["segmentation"] = {"size": seg["size"], "counts": counts}
    ref = run_pycocotools(gt, dt, "segm")
    assert_matches_oracle(run_vernier(json.dumps(gt).encode(), dt, iou="segm"), ref, label="control")
    assert mask_utils.frPyObjects(dt[k]["segmentation"], *seg["size"])["counts"].decode() == seg["counts"]

    dt[k]["segmentation"] = {"size": seg["size"], "counts": UNCOMPRESSED_CORRUPTIONS[name](list(counts))}
    for dt_in in (json.dumps(dt).encode(), dt):
        with pytest.raises(vernier.VernierError) as info:
            run_vernier(json.dumps(gt).encode(), dt_in, iou="segm")
        _assert_names_result(info.value, k, vernier)


# ---------------------------------------------------------------------------
# Corrupt ground truth
# ---------------------------------------------------------------------------

def _gt_workload():
    gt, dt = make_segm_workload(10, 405, crowd_rate=0.2, crowd_compressed_rate=0.5)
    anns = gt["annotations"]
    poly = next(i for i in range(len(anns) // 2, len(anns)) if not anns[i]["iscrowd"])
    crowd_u = next(i for i, a in enumerate(anns) if a["iscrowd"] and isinstance(a["segmentation"]["counts"], list))
    crowd_c = next(i for i, a in enumerate(anns) if a["iscrowd"] and isinstance(a["segmentation"]["counts"], str))
    assert min(poly, crowd_u, crowd_c) >= 1
    return gt, dt, {"poly": poly, "crowd_u": crowd_u, "crowd_c": crowd_c}


def _odd_trailing(gt, i):
    gt["annotations"][i]["segmentation"][0].append(7.5)


def _odd_five(gt, i):
    gt["annotations"][i]["segmentation"][-1] = [10.0, 10.0, 30.0, 12.0, 20.0]


def _nan(gt, i):
    gt["annotations"][i]["segmentation"][0][3] = float("nan")


def _inf(gt, i):
    gt["annotations"][i]["segmentation"][0][2] = float("inf")


def _crowd_sum(gt, i):
    gt["annotations"][i]["segmentation"]["counts"][-1] += 11


def _crowd_char(gt, i):
    seg = gt["annotations"][i]["segmentation"]
    seg["counts"] = _replace_char(seg["counts"], "{")


GT_CORRUPTIONS = {
    # name: (mutation, which annotation, bbox evaluation still runs in both)
    "nan-coordinate": (_nan, "poly", False),          # NaN is not JSON: refused when read (ADR 0004)
    "infinite-coordinate": (_inf, "poly", False),
    "crowd-runs-sum": (_crowd_sum, "crowd_u", True),
    "crowd-bad-character": (_crowd_char, "crowd_c", True),
}


@pytest.mark.parametrize("gt_form", ["bytes", "dataset"])
@pytest.mark.parametrize("name", list(GT_CORRUPTIONS))
def test_corrupt_ground_truth(name, gt_form, vernier):
    from vernier.instance import CocoDataset

    gt, dt, where = _gt_workload()
    mutate, which, bbox_runs = GT_CORRUPTIONS[name]
    i = where[which]
    mutate(gt, i)
    gt_bytes = json.dumps(gt).encode()          # NaN / Infinity literals for the non-finite cases
    dt_bytes = json.dumps(dt).encode()
    allowed = (vernier.RLEError, vernier.SchemaError, vernier.JSONError)

    for iou in ("segm", "boundary"):
        with pytest.raises(vernier.VernierError) as info:
            gt_in = gt_bytes if gt_form == "bytes" else CocoDataset.from_json(gt_bytes)
            run_vernier(gt_in, dt_bytes, iou=iou)
        err = info.value
        assert isinstance(err, allowed) and isinstance(err, ValueError), f"{type(err).__name__}: {err}"
        if not bbox_runs:
            assert isinstance(err, (vernier.JSONError, vernier.SchemaError)), type(err).__name__
        assert f"annotations[{i}]" in str(err), f"{iou}: the message does not name annotations[{i}]: {err}"

    if bbox_runs:
        # the GT segmentation is not read by a bbox evaluation, in pycocotools or in vernier
        gt_in = gt_bytes if gt_form == "bytes" else CocoDataset.from_json(gt_bytes)
        dt_boxes = make_segm_workload(10, 405, crowd_rate=0.2, crowd_compressed_rate=0.5,
                                      result_bbox=True)[1]
        ref = run_pycocotools(gt_bytes, dt_boxes, "bbox")
        assert_matches_oracle(run_vernier(gt_in, dt_boxes), ref, label=f"bbox with {name}")


ODD_POLYGONS = {"trailing": _odd_trailing, "five-values": _odd_five}


def test_pycocotools_drops_an_odd_trailing_coordinate():
    """What pycocotools itself does with an odd coordinate count: frPoly
    reads int(len/2) vertices, so the last value is ignored and the
    evaluation runs as if it were not there."""
    gt, dt, where = _gt_workload()
    plain = run_pycocotools(gt, dt, "segm")
    _odd_trailing(gt, where["poly"])
    odd = run_pycocotools(gt, dt, "segm")
    assert plain.stats.tolist() == odd.stats.tolist()


@pytest.mark.parametrize("name", list(ODD_POLYGONS))
def test_odd_coordinate_count_strict(name, vernier):
    """A GT polygon with an odd number of coordinates is something pycocotools
    evaluates (it drops the last value; a 5-value list is a 2-vertex
    polygon), so strict mode must give pycocotools' (and the boundary
    oracle's) numbers bit for bit -- reference-semantics K1: only the
    corrected mode refuses it."""
    from parity.oracle import run_boundary_oracle

    gt, dt, where = _gt_workload()
    ODD_POLYGONS[name](gt, where["poly"])
    gt_bytes, dt_bytes = json.dumps(gt).encode(), json.dumps(dt).encode()
    assert_matches_oracle(run_vernier(gt_bytes, dt_bytes, iou="segm"),
                          run_pycocotools(gt_bytes, dt_bytes, "segm"), label=f"segm {name}")
    assert_matches_oracle(run_vernier(gt_bytes, dt_bytes, iou="boundary"),
                          run_boundary_oracle(gt_bytes, dt_bytes), label=f"boundary {name}")


@pytest.mark.parametrize("iou", ["segm", "boundary"])
@pytest.mark.parametrize("name", list(ODD_POLYGONS))
def test_odd_coordinate_count_corrected(name, iou, vernier):
    """parity_mode="corrected" refuses the polygon (K1), naming the annotation."""
    from vernier.instance import Evaluator

    from parity.checks import vernier_iou

    gt, dt, where = _gt_workload()
    i = where["poly"]
    ODD_POLYGONS[name](gt, i)
    ev = Evaluator(iou=vernier_iou(iou), parity_mode="corrected")
    with pytest.raises(vernier.VernierError) as info:
        ev.evaluate(json.dumps(gt).encode(), dt)
    err = info.value
    assert isinstance(err, (vernier.SchemaError, vernier.RLEError)), f"{type(err).__name__}: {err}"
    assert f"annotations[{i}]" in str(err), f"the message does not name annotations[{i}]: {err}"


# ---------------------------------------------------------------------------
# Fuzz: random RLE strings in results (child process)
# ---------------------------------------------------------------------------

FUZZ_COUNT = 4000


def test_codec_helpers_match_pycocotools():
    """checks.encode_counts / decode_counts (used to build and judge corrupt
    strings) agree with pycocotools' own codec on random masks."""
    import numpy as np
    from pycocotools import mask as mask_utils

    from parity.generate import _uncompressed_counts

    rng = np.random.default_rng(7)
    for _ in range(500):
        h, w = (int(v) for v in rng.integers(1, 50, 2))
        m = (rng.random((h, w)) < rng.random()).astype(np.uint8)
        s = mask_utils.encode(np.asfortranarray(m))["counts"].decode("ascii")
        runs = _uncompressed_counts(m)
        assert decode_counts(s) == runs
        assert encode_counts(runs) == s
        assert rle_counts_valid(runs, h, w)
    assert decode_counts("0P") is None and decode_counts("0~") is None
    assert not rle_counts_valid(decode_counts(encode_counts([5, -1, 2])), 2, 3)


def test_random_rle_strings_never_crash(tmp_path, vernier):
    progress = tmp_path / "progress.json"
    cmd = [sys.executable, "-m", "parity.rle_fuzz", "--seed", "2026", "--count", str(FUZZ_COUNT),
           "--progress", str(progress)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    try:
        proc = subprocess.run(cmd, cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        last = progress.read_text() if progress.exists() else "(none)"
        pytest.fail(f"the fuzz run hung; last case started: {last}")
    if proc.returncode != 0:
        last = progress.read_text() if progress.exists() else "(none)"
        pytest.fail(f"the fuzz process died (exit {proc.returncode}); last case started: {last}\n"
                    f"stderr tail: {proc.stderr[-2000:]}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["cases"] == FUZZ_COUNT
    assert report["by_class"].get("valid", 0) >= 100, report["by_class"]
    assert report["by_class"].get("invalid", 0) >= 1500, report["by_class"]
    failures = report["failures"]
    assert not failures, (f"{len(failures)} of {FUZZ_COUNT} fuzz cases failed "
                          f"(outcomes {report['by_outcome']}); first ones:\n"
                          + "\n".join(json.dumps(f) for f in failures[:5]))


def test_fuzz_cases_are_deterministic():
    """The fuzz inputs are a function of the seed, cover every kind, and the
    valid ones are something pycocotools evaluates (with distinct answers:
    the fuzzed result matters)."""
    from parity import rle_fuzz

    a = rle_fuzz.make_cases(2026, 300)
    assert a == rle_fuzz.make_cases(2026, 300)
    kinds = {c["kind"] for c in a}
    assert kinds == {"alphabet", "printable", "latin1", "raw", "mutated", "valid", "uncompressed"}
    assert {"valid", "invalid"} <= {rle_fuzz.classify(c) for c in a}
    gt_bytes = json.dumps(rle_fuzz._ground_truth()).encode()
    answers = {tuple(run_pycocotools(gt_bytes, rle_fuzz._result_json(c), "segm").stats.tolist())
               for c in a if rle_fuzz.classify(c) == "valid"}
    assert len(answers) >= 3
