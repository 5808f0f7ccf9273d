"""Boundary IoU parity: vernier ``Boundary(dilation_ratio)`` against the
boundary-iou-api re-statement in ``parity.boundary_oracle``, bit for bit.

The oracle runs in the test (``oracle.run_boundary_oracle``) on the same
inputs: every segm fixture pair pycocotools can evaluate and a few
generated segm workloads, each at dilation ratio 0.02 (COCO) and 0.008
(LVIS).  Compared: stats, precision, recall, scores and the printed lines.
The fixture pycocotools cannot read (a GT with ``segmentation: []``) must
make vernier raise ``vernier.SchemaError`` here too.
"""

from __future__ import annotations

import json
from typing import NamedTuple

import pytest

from parity.checks import (assert_matches_oracle, expected_pairs, load_pair, pair_id,
                           run_vernier, vernier_inputs)
from parity.generate import make_segm_workload
from parity.oracle import run_boundary_oracle

RATIOS = (0.02, 0.008)
SEGM_PAIRS = expected_pairs("segm")
OK_PAIRS = [p for p in SEGM_PAIRS if "error" not in p]
ERROR_PAIRS = [p for p in SEGM_PAIRS if "error" in p]


class Case(NamedTuple):
    n_images: int
    seed: int
    result_bbox: bool = False
    use_cats: bool = True
    max_dets: tuple | None = None
    form: str = "bytes/bytes"
    knobs: dict = {}

    @property
    def id(self) -> str:
        parts = [f"n{self.n_images}", f"s{self.seed}", "bbox" if self.result_bbox else "nobbox",
                 "cats" if self.use_cats else "nocats"]
        if self.max_dets is not None:
            parts.append("md" + "-".join(map(str, self.max_dets)))
        parts.append(self.form.replace("/", "-"))
        parts.extend(f"{k}={v}" for k, v in self.knobs.items())
        return "_".join(parts)


CASES = [
    Case(15, 101, knobs={"crowd_rate": 0.15, "edge_rate": 0.3}),
    Case(30, 102, result_bbox=True, form="dataset/list",
         knobs={"result_polygon_rate": 0.3, "result_uncompressed_rate": 0.2, "bbox_only_rate": 0.05}),
    Case(40, 103, use_cats=False, max_dets=(1, 5, 50), form="bytes/list",
         knobs={"morph_rate": 0.4, "integer_shift_rate": 0.2, "tiny_rate": 0.3}),
    Case(60, 104, result_bbox=True, max_dets=(100, 10, 1), form="dataset/bytes"),
    Case(100, 105, form="dataset/list"),
]


@pytest.mark.parametrize("ratio", RATIOS)
@pytest.mark.parametrize("entry", OK_PAIRS, ids=[pair_id(p) for p in OK_PAIRS])
def test_boundary_fixture_matches_oracle(entry, ratio, vernier):
    gt_bytes, dt_bytes = load_pair(entry)
    ref = run_boundary_oracle(gt_bytes, dt_bytes, dilation_ratio=ratio)
    for form in ("bytes/bytes", "dataset/list"):
        summary = run_vernier(*vernier_inputs(gt_bytes, dt_bytes, form), iou="boundary",
                              dilation_ratio=ratio)
        assert_matches_oracle(summary, ref, label=f"{form} dilation_ratio={ratio}")


@pytest.mark.parametrize("ratio", RATIOS)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_boundary_generated_matches_oracle(case: Case, ratio, vernier):
    gt, dt = make_segm_workload(case.n_images, case.seed, result_bbox=case.result_bbox, **case.knobs)
    gt_bytes, dt_bytes = json.dumps(gt).encode(), json.dumps(dt).encode()
    ref = run_boundary_oracle(gt_bytes, dt_bytes, dilation_ratio=ratio,
                              max_dets=case.max_dets, use_cats=case.use_cats)
    summary = run_vernier(*vernier_inputs(gt_bytes, dt_bytes, case.form), iou="boundary",
                          dilation_ratio=ratio, max_dets=case.max_dets, use_cats=case.use_cats)
    assert_matches_oracle(summary, ref, label=f"{case.id} dilation_ratio={ratio}")


@pytest.mark.parametrize("entry", ERROR_PAIRS, ids=[pair_id(p) for p in ERROR_PAIRS])
def test_boundary_fixture_error(entry, vernier):
    gt_bytes, dt_bytes = load_pair(entry)
    with pytest.raises(IndexError):
        run_boundary_oracle(gt_bytes, dt_bytes)
    for form in ("bytes/bytes", "dataset/list"):
        with pytest.raises(vernier.SchemaError) as info:
            run_vernier(*vernier_inputs(gt_bytes, dt_bytes, form), iou="boundary")
        assert "annotations[1]" in str(info.value), f"{form}: {info.value}"


def test_ratios_change_the_answer():
    """0.02 and 0.008 are different evaluations on these inputs (the ratio is not ignored)."""
    gt, dt = make_segm_workload(CASES[0].n_images, CASES[0].seed, **CASES[0].knobs)
    a = run_boundary_oracle(gt, dt, dilation_ratio=0.02)
    b = run_boundary_oracle(gt, dt, dilation_ratio=0.008)
    assert a.stats.tolist() != b.stats.tolist()


@pytest.mark.parametrize("ratio", RATIOS)
def test_boundary_differs_from_segm(ratio):
    """Boundary IoU is not mask IoU on a realistic workload (a guard against an
    oracle or a vernier kernel that silently falls back to segm)."""
    from parity.oracle import run_pycocotools

    gt, dt = make_segm_workload(CASES[-1].n_images, CASES[-1].seed)
    segm = run_pycocotools(gt, dt, "segm")
    boundary = run_boundary_oracle(gt, dt, dilation_ratio=ratio)
    assert boundary.stats[0] < segm.stats[0]
