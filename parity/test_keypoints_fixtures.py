"""Keypoint parity on every shipped fixture pair (see fixtures/INDEX.md).

For each ``keypoints`` entry of ``fixtures/expected_pycocotools.json``:

* pycocotools (iouType "keypoints", the entry's ``kpt_oks_sigmas`` when it
  has them) is run in the test and must reproduce the shipped stats exactly;
* vernier (strict, ``Keypoints()`` -- or ``Keypoints(sigmas=...)`` with the
  entry's sigmas for every GT category, pycocotools having a single sigma
  array) is run on the same inputs, as raw JSON bytes and as a CocoDataset
  plus a list of result dicts, and must equal pycocotools bit for bit:
  stats, precision, recall, scores and the printed lines; its stats must
  also equal the shipped ones;
* the one entry pycocotools rejects -- a CrowdPose GT whose annotations
  have no ``area`` (KeyError) -- must make vernier raise a SchemaError that
  names ``area`` and the annotation.

The pairs: xtcocoapi's 4-image person set, val2017 image 139099 with model
predictions (faster_coco_eval), vernier's three keypoint toys (area-range
buckets, a GT without keypoints, visibility 0 everywhere) and hotcoco's
zero-keypoint single files (two with 3-point layouts and their own sigmas).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from parity.checks import (assert_keypoints_match, expected_pairs, keypoint_sigmas_for,
                           load_pair, pair_id, run_vernier, vernier_inputs)
from parity.oracle import run_pycocotools

KP_PAIRS = expected_pairs("keypoints")
OK_PAIRS = [p for p in KP_PAIRS if "error" not in p]
ERROR_PAIRS = [p for p in KP_PAIRS if "error" in p]

MISSING_AREA = "KeyError: 'area'"


def test_fixture_inventory():
    """The suite covers what the expected file ships (a guard against a truncated copy)."""
    assert len(KP_PAIRS) == 9
    assert len(ERROR_PAIRS) == 1 and ERROR_PAIRS[0]["error"] == MISSING_AREA
    with_sigmas = {p["gt"] for p in KP_PAIRS if "kpt_oks_sigmas" in p}
    assert with_sigmas == {"faster_coco_eval/dataset/example_crowdpose_val.json",
                           "hotcoco/adversarial_fixtures/kp_zero_keypoints.json",
                           "hotcoco/adversarial_fixtures/kpts_zero_keypoints.json"}


@pytest.mark.parametrize("entry", OK_PAIRS, ids=[pair_id(p) for p in OK_PAIRS])
def test_keypoints_fixture_matches_pycocotools(entry, vernier):
    gt_bytes, dt_bytes = load_pair(entry)
    sigmas = entry.get("kpt_oks_sigmas")

    ref = run_pycocotools(gt_bytes, dt_bytes, "keypoints", kpt_oks_sigmas=sigmas)
    assert ref.stats.tolist() == entry["stats"], "pycocotools no longer reproduces the shipped stats"
    assert len(ref.lines) == 10

    for form in ("bytes/bytes", "dataset/list"):
        summary = run_vernier(*vernier_inputs(gt_bytes, dt_bytes, form), iou="keypoints",
                              sigmas=keypoint_sigmas_for(gt_bytes, sigmas))
        assert_keypoints_match(summary, ref, label=form)
        assert [float(v) for v in summary.stats] == entry["stats"]


@pytest.mark.parametrize("entry", ERROR_PAIRS, ids=[pair_id(p) for p in ERROR_PAIRS])
def test_keypoints_fixture_missing_area(entry, vernier):
    """CrowdPose GT without ``area``: pycocotools' computeOks raises KeyError,
    vernier a SchemaError naming the field and the annotation."""
    assert entry["error"] == MISSING_AREA
    gt_bytes, dt_bytes = load_pair(entry)
    sigmas = entry["kpt_oks_sigmas"]
    anns = json.loads(gt_bytes)["annotations"]
    assert any("area" not in a for a in anns)

    with pytest.raises(KeyError, match="area"):
        run_pycocotools(gt_bytes, dt_bytes, "keypoints", kpt_oks_sigmas=sigmas)

    for form in ("bytes/bytes", "dataset/list"):
        with pytest.raises(vernier.SchemaError) as info:
            run_vernier(*vernier_inputs(gt_bytes, dt_bytes, form), iou="keypoints",
                        sigmas=keypoint_sigmas_for(gt_bytes, sigmas))
        err = info.value
        assert isinstance(err, vernier.VernierError) and isinstance(err, ValueError)
        text = str(err)
        assert "area" in text, f"{form}: SchemaError does not name `area`: {err}"
        # the annotation: by its position (path / index) and by its id
        assert err.index is not None and 0 <= err.index < len(anns), f"{form}: no annotation index: {err}"
        ann = anns[err.index]
        assert "area" not in ann, f"{form}: annotations[{err.index}] has an area: {err}"
        assert err.path == f"annotations[{err.index}].area", f"{form}: path {err.path!r}"
        assert str(ann["id"]) in text, f"{form}: message does not name annotation id {ann['id']}: {err}"


# ---------------------------------------------------------------------------
# Sigmas that do not fit the keypoint layout
# ---------------------------------------------------------------------------

THREE_POINT = next(p for p in OK_PAIRS if p["gt"].endswith("kp_zero_keypoints.json"))


def test_coco_sigmas_on_a_three_point_layout(vernier):
    """COCO's 17 sigmas against 3-point keypoints: pycocotools fails inside numpy
    (a ValueError from mixing 17- and 3-element arrays), vernier raises a typed
    error instead."""
    gt_bytes, dt_bytes = load_pair(THREE_POINT)
    with pytest.raises(ValueError):
        run_pycocotools(gt_bytes, dt_bytes, "keypoints")
    with pytest.raises(vernier.VernierError) as info:
        run_vernier(gt_bytes, dt_bytes, iou="keypoints")
    assert isinstance(info.value, ValueError)
    assert "keypoints" in str(info.value) or "sigma" in str(info.value)


@pytest.mark.parametrize("count", [1, 2, 4, 17])
def test_sigma_count_must_match_the_layout(vernier, count):
    """Keypoints(sigmas={cat: s}) with len(s) != the category's keypoint count
    is refused at evaluate time with a typed configuration error."""
    gt_bytes, dt_bytes = load_pair(THREE_POINT)
    cat = json.loads(gt_bytes)["categories"][0]
    assert len(cat["keypoints"]) == 3
    ev = vernier.instance.Evaluator(iou=vernier.instance.Keypoints(sigmas={cat["id"]: (0.05,) * count}),
                                    parity_mode="strict")
    with pytest.raises(vernier.VernierError) as info:
        ev.evaluate(gt_bytes, dt_bytes)
    err = info.value
    assert isinstance(err, vernier.InvalidConfigError), type(err)
    assert str(count) in str(err) and "3" in str(err), str(err)


def test_explicit_coco_sigmas_equal_the_default(vernier):
    """Keypoints(sigmas={1: COCO's 17}) is the default, to the bit."""
    from parity.generate import COCO_KEYPOINT_SIGMAS

    entry = next(p for p in OK_PAIRS if p["gt"].startswith("xtcocoapi/"))
    gt_bytes, dt_bytes = load_pair(entry)
    assert np.array_equal(np.array(COCO_KEYPOINT_SIGMAS),
                          run_pycocotools(gt_bytes, dt_bytes, "keypoints").params.kpt_oks_sigmas)
    default = run_vernier(gt_bytes, dt_bytes, iou="keypoints")
    explicit = run_vernier(gt_bytes, dt_bytes, iou="keypoints",
                           sigmas=keypoint_sigmas_for(gt_bytes, COCO_KEYPOINT_SIGMAS))
    for name in ("precision", "recall", "scores"):
        assert np.array_equal(getattr(default, name), getattr(explicit, name))
    assert [float(v) for v in explicit.stats] == entry["stats"]
