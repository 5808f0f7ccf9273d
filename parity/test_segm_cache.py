"""The CocoDataset derivation cache (ADR 0020) never changes an answer.

A CocoDataset keeps the GT masks (and boundary bands) that mask evaluations
derived.  These tests evaluate repeatedly against one dataset -- with the
cache cold, warm, cleared, shared between Segm and Boundary and between
different result sets and parameters -- and require every answer to be
bit-identical to pycocotools' (or the boundary oracle's) and to a fresh,
uncached evaluation from JSON bytes.
"""

from __future__ import annotations

import json

import pytest

from parity.checks import as_dataset, assert_matches_oracle, assert_same_summary, run_vernier
from parity.generate import make_segm_workload
from parity.oracle import run_boundary_oracle, run_pycocotools


def _workload(n=40, seed=211, **knobs):
    gt, dt = make_segm_workload(n, seed, crowd_rate=0.05, **knobs)
    return json.dumps(gt).encode(), json.dumps(dt).encode()


def test_second_segm_evaluation_identical(vernier):
    gt_bytes, dt_bytes = _workload()
    ref = run_pycocotools(gt_bytes, dt_bytes, "segm")
    ds = as_dataset(gt_bytes)
    assert ds.segm_cache_len == 0

    first = run_vernier(ds, dt_bytes, iou="segm")
    cached = ds.segm_cache_len
    assert 0 < cached <= ds.num_annotations
    assert_matches_oracle(first, ref, label="cold cache")

    second = run_vernier(ds, json.loads(dt_bytes), iou="segm")
    assert ds.segm_cache_len == cached, "a second evaluation of the same GT derived more masks"
    assert_matches_oracle(second, ref, label="warm cache")
    assert_same_summary(first, second, "cold vs warm")

    ds.clear_cache()
    assert ds.segm_cache_len == 0
    assert ds.boundary_cache_len == 0
    third = run_vernier(ds, dt_bytes, iou="segm")
    assert ds.segm_cache_len == cached
    assert_matches_oracle(third, ref, label="after clear_cache")
    assert_same_summary(first, third, "cold vs after clear_cache")


def test_cache_does_not_carry_results_or_parameters(vernier):
    """Different result sets and parameters on one dataset give what a fresh
    evaluation gives (the cache holds GT derivations only)."""
    gt_bytes, dt_a = _workload(seed=212)
    gt_b, dt_b = make_segm_workload(40, 212, crowd_rate=0.05, result_bbox=True,
                                    result_polygon_rate=0.2, result_uncompressed_rate=0.2)
    assert json.dumps(gt_b).encode() == gt_bytes
    dt_b = json.dumps(dt_b).encode()
    ds = as_dataset(gt_bytes)
    runs = [
        (dt_a, {}),
        (dt_b, {}),
        (dt_a, {"use_cats": False}),
        (dt_b, {"max_dets": (1, 5, 50)}),
        (dt_a, {"max_dets": (100, 10, 1), "use_cats": False}),
        (dt_a, {}),
    ]
    for i, (dt, kw) in enumerate(runs):
        label = f"run {i} {kw}"
        on_dataset = run_vernier(ds, dt, iou="segm", **kw)
        fresh = run_vernier(gt_bytes, dt, iou="segm", **kw)
        assert_same_summary(on_dataset, fresh, label)
        assert_matches_oracle(on_dataset, run_pycocotools(gt_bytes, dt, "segm", **kw), label=label)


def test_bbox_evaluation_derives_no_masks(vernier):
    gt_bytes, dt_bytes = _workload(n=20, seed=213, result_bbox=True)
    ds = as_dataset(gt_bytes)
    assert_matches_oracle(run_vernier(ds, dt_bytes), run_pycocotools(gt_bytes, dt_bytes, "bbox"))
    assert ds.segm_cache_len == 0 and ds.boundary_cache_len == 0


@pytest.mark.parametrize("ratio", (0.02, 0.008))
def test_second_boundary_evaluation_identical(ratio, vernier):
    gt_bytes, dt_bytes = _workload(n=30, seed=214)
    ref = run_boundary_oracle(gt_bytes, dt_bytes, dilation_ratio=ratio)
    ds = as_dataset(gt_bytes)

    first = run_vernier(ds, dt_bytes, iou="boundary", dilation_ratio=ratio)
    bands = ds.boundary_cache_len
    assert 0 < bands <= ds.num_annotations
    assert_matches_oracle(first, ref, label="cold cache")

    second = run_vernier(ds, dt_bytes, iou="boundary", dilation_ratio=ratio)
    assert ds.boundary_cache_len == bands
    assert_matches_oracle(second, ref, label="warm cache")
    assert_same_summary(first, second, "cold vs warm")

    ds.clear_cache()
    assert ds.boundary_cache_len == 0 and ds.segm_cache_len == 0
    third = run_vernier(ds, dt_bytes, iou="boundary", dilation_ratio=ratio)
    assert ds.boundary_cache_len == bands
    assert_same_summary(first, third, "cold vs after clear_cache")


def test_segm_and_boundary_share_a_dataset(vernier):
    """Interleaved Segm / Boundary(0.02) / Boundary(0.008) evaluations on one
    dataset: bands of both ratios are kept side by side, every answer stays
    the reference's."""
    gt_bytes, dt_bytes = _workload(n=30, seed=215)
    refs = {
        "segm": run_pycocotools(gt_bytes, dt_bytes, "segm"),
        0.02: run_boundary_oracle(gt_bytes, dt_bytes, dilation_ratio=0.02),
        0.008: run_boundary_oracle(gt_bytes, dt_bytes, dilation_ratio=0.008),
    }
    ds = as_dataset(gt_bytes)
    assert_matches_oracle(run_vernier(ds, dt_bytes, iou="segm"), refs["segm"], label="segm 1")
    masks = ds.segm_cache_len
    assert masks > 0 and ds.boundary_cache_len == 0

    assert_matches_oracle(run_vernier(ds, dt_bytes, iou="boundary", dilation_ratio=0.02),
                          refs[0.02], label="boundary 0.02")
    one_ratio = ds.boundary_cache_len
    assert one_ratio > 0
    assert_matches_oracle(run_vernier(ds, dt_bytes, iou="boundary", dilation_ratio=0.008),
                          refs[0.008], label="boundary 0.008")
    assert ds.boundary_cache_len > one_ratio, "bands of the second ratio were not kept beside the first"
    assert ds.segm_cache_len == masks

    assert_matches_oracle(run_vernier(ds, dt_bytes, iou="segm"), refs["segm"], label="segm 2")
    assert_matches_oracle(run_vernier(ds, dt_bytes, iou="boundary", dilation_ratio=0.02),
                          refs[0.02], label="boundary 0.02 again")
    ds.clear_cache()
    assert ds.segm_cache_len == 0 and ds.boundary_cache_len == 0
    assert_matches_oracle(run_vernier(ds, dt_bytes, iou="boundary", dilation_ratio=0.008),
                          refs[0.008], label="boundary 0.008 after clear_cache")
