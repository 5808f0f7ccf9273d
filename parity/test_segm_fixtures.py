"""Segm parity on every shipped segm fixture pair (see fixtures/INDEX.md).

For each ``segm`` entry of ``fixtures/expected_pycocotools.json``:

* pycocotools is run in the test (``oracle.run_pycocotools(..., "segm")``)
  and must reproduce the shipped stats exactly -- this guards the oracle and
  the fixture copies;
* vernier (strict, ``Segm()``) is run on the same inputs, as raw JSON bytes
  and as a CocoDataset plus a list of result dicts, and must equal
  pycocotools bit for bit: stats, precision, recall, scores, printed lines;
* the one entry pycocotools cannot evaluate (``segm_rle_gt``: a non-crowd GT
  whose ``segmentation`` is ``[]`` makes ``frPyObjects`` raise IndexError)
  must make vernier raise ``vernier.SchemaError`` naming that annotation.
"""

from __future__ import annotations

import json

import pytest

from parity.checks import (assert_matches_oracle, expected_pairs, load_pair, pair_id,
                           run_vernier, vernier_inputs)
from parity.oracle import run_pycocotools

SEGM_PAIRS = expected_pairs("segm")
OK_PAIRS = [p for p in SEGM_PAIRS if "error" not in p]
ERROR_PAIRS = [p for p in SEGM_PAIRS if "error" in p]

EMPTY_POLYGON_LIST = "IndexError: list index out of range"
FORMS = ("bytes/bytes", "dataset/list", "bytes/list", "dataset/bytes")


def test_fixture_inventory():
    """The suite covers what the expected file promises (a guard against a truncated copy)."""
    assert len(SEGM_PAIRS) == 11
    assert len(OK_PAIRS) == 10
    assert [(p["gt"], p["error"]) for p in ERROR_PAIRS] == [
        ("hotcoco/adversarial_fixtures/segm_rle_gt.json", EMPTY_POLYGON_LIST)]


@pytest.mark.parametrize("entry", OK_PAIRS, ids=[pair_id(p) for p in OK_PAIRS])
def test_segm_fixture_matches_pycocotools(entry, vernier):
    gt_bytes, dt_bytes = load_pair(entry)

    ref = run_pycocotools(gt_bytes, dt_bytes, "segm")
    assert ref.stats.tolist() == entry["stats"], "pycocotools no longer reproduces the shipped stats"

    for form in FORMS:
        summary = run_vernier(*vernier_inputs(gt_bytes, dt_bytes, form), iou="segm")
        assert_matches_oracle(summary, ref, label=form)
        assert [float(v) for v in summary.stats] == entry["stats"]


def _empty_segmentation_annotations(gt_bytes: bytes) -> list[tuple[int, int]]:
    """(index in ``annotations``, id) of every non-crowd GT whose segmentation is ``[]``."""
    anns = json.loads(gt_bytes)["annotations"]
    return [(i, a["id"]) for i, a in enumerate(anns)
            if not a.get("iscrowd") and a.get("segmentation") == []]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("entry", ERROR_PAIRS, ids=[pair_id(p) for p in ERROR_PAIRS])
def test_segm_fixture_error(entry, form, vernier):
    assert entry["error"] == EMPTY_POLYGON_LIST
    gt_bytes, dt_bytes = load_pair(entry)

    with pytest.raises(IndexError):
        run_pycocotools(gt_bytes, dt_bytes, "segm")
    # it is the annotation that breaks pycocotools: the bbox evaluation of the same pair runs
    run_pycocotools(gt_bytes, dt_bytes, "bbox")

    bad = _empty_segmentation_annotations(gt_bytes)
    assert bad == [(1, 2)]
    index, ann_id = bad[0]

    with pytest.raises(vernier.SchemaError) as info:
        run_vernier(*vernier_inputs(gt_bytes, dt_bytes, form), iou="segm")
    err = info.value
    assert isinstance(err, vernier.VernierError) and isinstance(err, ValueError)
    message = str(err)
    assert f"annotations[{index}]" in message, \
        f"{form}: the message does not name annotations[{index}] (id {ann_id}): {message}"
    assert err.path is not None and err.path.startswith(f"annotations[{index}]"), \
        f"{form}: SchemaError.path is {err.path!r}, expected annotations[{index}]..."


def test_segm_fixture_error_does_not_break_bbox(vernier):
    """The same GT is fine for a bbox evaluation (the segmentation is not read)."""
    entry = ERROR_PAIRS[0]
    gt_bytes, dt_bytes = load_pair(entry)
    ref = run_pycocotools(gt_bytes, dt_bytes, "bbox")
    assert_matches_oracle(run_vernier(gt_bytes, dt_bytes), ref, label="bbox on segm_rle_gt")
