"""Bbox parity on every shipped fixture pair (see fixtures/INDEX.md).

For each ``bbox`` entry of ``fixtures/expected_pycocotools.json``:

* pycocotools is run in the test (``oracle.run_pycocotools``) and must
  reproduce the shipped stats exactly -- this guards the oracle and the
  fixture copies;
* vernier (strict) is run on the same inputs, once as raw JSON bytes and once
  as a CocoDataset plus a list of result dicts, and must equal pycocotools
  bit for bit: stats, precision, recall, scores and the printed lines;
* entries where pycocotools raises (``error``) must make pycocotools raise
  that error again and vernier raise the matching typed error.
"""

from __future__ import annotations

import json

import pytest

from parity.checks import (assert_matches_oracle, expected_pairs, load_pair, pair_id,
                           run_vernier, vernier_inputs)
from parity.oracle import run_pycocotools

BBOX_PAIRS = expected_pairs("bbox")
OK_PAIRS = [p for p in BBOX_PAIRS if "error" not in p]
ERROR_PAIRS = [p for p in BBOX_PAIRS if "error" in p]

UNKNOWN_IMAGE = "AssertionError: Results do not correspond to current coco set"
MISSING_AREA = "KeyError: 'area'"


def test_fixture_inventory():
    """The suite covers what INDEX.md promises (a guard against a truncated copy)."""
    assert len(BBOX_PAIRS) == 89
    assert {p["error"] for p in ERROR_PAIRS} == {UNKNOWN_IMAGE, MISSING_AREA}
    assert len(ERROR_PAIRS) == 3


@pytest.mark.parametrize("entry", OK_PAIRS, ids=[pair_id(p) for p in OK_PAIRS])
def test_bbox_fixture_matches_pycocotools(entry, vernier):
    gt_bytes, dt_bytes = load_pair(entry)

    ref = run_pycocotools(gt_bytes, dt_bytes, "bbox")
    assert ref.stats.tolist() == entry["stats"], "pycocotools no longer reproduces the shipped stats"

    for form in ("bytes/bytes", "dataset/list"):
        summary = run_vernier(*vernier_inputs(gt_bytes, dt_bytes, form))
        assert_matches_oracle(summary, ref, label=form)
        assert [float(v) for v in summary.stats] == entry["stats"]


def _unknown_image_ids(gt_bytes: bytes, dt_bytes: bytes) -> set:
    """Result image ids that are not GT image ids (compared as pycocotools does: by ==)."""
    known = {img["id"] for img in json.loads(gt_bytes)["images"]}
    return {d["image_id"] for d in json.loads(dt_bytes)} - known


@pytest.mark.parametrize("entry", ERROR_PAIRS, ids=[pair_id(p) for p in ERROR_PAIRS])
def test_bbox_fixture_error(entry, vernier):
    gt_bytes, dt_bytes = load_pair(entry)
    kind = entry["error"]

    if kind == UNKNOWN_IMAGE:
        with pytest.raises(AssertionError, match="Results do not correspond"):
            run_pycocotools(gt_bytes, dt_bytes, "bbox")
        unknown = _unknown_image_ids(gt_bytes, dt_bytes)
        assert unknown
        bad_ids = [i for i, img in enumerate(json.loads(gt_bytes)["images"])
                   if isinstance(img["id"], (str, bool)) or not isinstance(img["id"], (int, float))]
        if bad_ids:
            # The ground truth itself has a non-integer image id (the string
            # "2299" here, which is why pycocotools' loadRes cannot match it).
            # vernier refuses such a file when it is read, naming the id's
            # JSON path (ADR 0004), instead of failing later on the results.
            with pytest.raises(vernier.SchemaError) as info:
                run_vernier(*vernier_inputs(gt_bytes, dt_bytes, "bytes/bytes"))
            assert info.value.path == f"images[{bad_ids[0]}].id"
            assert "integer" in str(info.value)
            return
        for form in ("bytes/bytes", "dataset/list"):
            with pytest.raises(vernier.UnknownImageError) as info:
                run_vernier(*vernier_inputs(gt_bytes, dt_bytes, form))
            err = info.value
            assert isinstance(err, vernier.VernierError) and isinstance(err, ValueError)
            assert any(str(i) in str(err) for i in unknown), \
                f"{form}: message does not name the unknown image id(s) {sorted(map(str, unknown))}: {err}"

    elif kind == MISSING_AREA:
        with pytest.raises(KeyError, match="area"):
            run_pycocotools(gt_bytes, dt_bytes, "bbox")
        for form in ("bytes/bytes", "dataset/list"):
            with pytest.raises(vernier.SchemaError) as info:
                run_vernier(*vernier_inputs(gt_bytes, dt_bytes, form))
            err = info.value
            assert isinstance(err, vernier.VernierError) and isinstance(err, ValueError)
            for attr in ("offset", "line", "column", "path", "index"):
                assert hasattr(err, attr), f"SchemaError has no .{attr}"
            assert "area" in str(err), f"{form}: SchemaError does not name `area`: {err}"

    else:
        pytest.fail(f"no expectation written for pycocotools error {kind!r}")
