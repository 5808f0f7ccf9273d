"""Bbox parity on adversarial workloads, each aimed at one decision of pycocotools.

See the builders in ``parity.generate`` for what each one exercises.  Each is
compared bit for bit against pycocotools run in the test (with ``use_cats``
on and off, and several ``max_dets`` where the cut matters), or -- for
results on an unknown image -- must raise the typed error.
"""

from __future__ import annotations

import json
import math

import pytest

from parity import generate as g
from parity.checks import assert_matches_oracle, cached_workload, run_vernier, vernier_inputs
from parity.oracle import run_pycocotools

BUILDERS = {
    "iou_thresholds": g.adversarial_iou_thresholds,
    "area_boundaries": g.adversarial_area_boundaries,
    "tied_scores": g.adversarial_tied_scores,
    "many_detections": g.adversarial_many_detections,
    "absent_categories": g.adversarial_absent_categories,
    "images_without_detections": g.adversarial_images_without_detections,
}
MAX_DETS = [None, (1, 10, 100), (1, 5, 50), (100, 10, 1), (1, 10, 101), (1, 100, 300)]


def _compare(gt, dt, *, form="bytes/bytes", max_dets=None, use_cats=True, label=""):
    gt_bytes, dt_bytes = json.dumps(gt).encode(), json.dumps(dt).encode()
    ref = run_pycocotools(gt_bytes, dt_bytes, "bbox", max_dets=max_dets, use_cats=use_cats)
    summary = run_vernier(*vernier_inputs(gt_bytes, dt_bytes, form),
                          max_dets=max_dets, use_cats=use_cats)
    assert_matches_oracle(summary, ref, label=label)
    return ref


@pytest.mark.parametrize("use_cats", [True, False], ids=["cats", "nocats"])
@pytest.mark.parametrize("name", list(BUILDERS))
def test_adversarial(name, use_cats, vernier):
    gt, dt = cached_workload(BUILDERS[name])
    for form in ("bytes/bytes", "dataset/list"):
        _compare(gt, dt, form=form, use_cats=use_cats, label=f"{name} {form}")


@pytest.mark.parametrize("max_dets", MAX_DETS, ids=lambda m: "default" if m is None else "-".join(map(str, m)))
def test_many_detections_max_dets(max_dets, vernier):
    gt, dt = cached_workload(g.adversarial_many_detections)
    _compare(gt, dt, max_dets=max_dets, form="bytes/list", label=f"maxDets={max_dets}")


def test_iou_threshold_cases_are_exact():
    """The builder really puts detections on (and 1 ulp around) every threshold,
    by pycocotools' own IoU formula (checked against maskUtils.iou itself)."""
    from pycocotools import mask as mask_utils

    gt, dt = cached_workload(g.adversarial_iou_thresholds)
    gt_by_image = {}
    for a in gt["annotations"]:
        gt_by_image.setdefault(a["image_id"], []).append(a)
    hits = {t: set() for t in g.IOU_THRESHOLDS}
    for d in dt:
        for a in gt_by_image[d["image_id"]]:
            ours = g.bbox_iou(d["bbox"], a["bbox"], bool(a["iscrowd"]))
            theirs = float(mask_utils.iou([d["bbox"]], [a["bbox"]], [a["iscrowd"]])[0, 0])
            assert ours == theirs
            for t in g.IOU_THRESHOLDS:
                for tag, v in (("at", t), ("below", math.nextafter(t, 0.0)),
                               ("above", math.nextafter(t, 1.0))):
                    if ours == v:
                        hits[t].add(tag)
    assert all(hits[t] == {"at", "below", "above"} for t in g.IOU_THRESHOLDS), hits


def test_area_boundary_cases_are_exact():
    gt, dt = g.adversarial_area_boundaries()
    areas = {a["area"] for a in gt["annotations"]}
    assert {1024.0, 9216.0} <= areas
    dt_areas = {d["bbox"][2] * d["bbox"][3] for d in dt}     # what loadRes computes
    assert {1024.0, 9216.0} <= dt_areas


@pytest.mark.parametrize("dt_form", ["bytes", "list"])
@pytest.mark.parametrize("use_cats", [True, False], ids=["cats", "nocats"])
def test_empty_result_list(dt_form, use_cats, vernier):
    """An empty result list is "no detections" (oracle._no_detections)."""
    gt, dt = g.adversarial_empty_results()
    assert dt == []
    gt_bytes = json.dumps(gt).encode()
    ref = run_pycocotools(gt_bytes, [], "bbox", use_cats=use_cats)
    summary = run_vernier(gt_bytes, b"[]" if dt_form == "bytes" else [], use_cats=use_cats)
    assert_matches_oracle(summary, ref, label=f"empty results as {dt_form}")


def test_pycocotools_cannot_load_empty_results():
    """Why the oracle special-cases []: loadRes([]) itself crashes."""
    from pycocotools.coco import COCO

    gt, _ = g.adversarial_empty_results()
    coco = COCO()
    coco.dataset = gt
    coco.createIndex()
    with pytest.raises(IndexError):
        coco.loadRes([])


@pytest.mark.parametrize("form", ["bytes/bytes", "dataset/list", "bytes/list", "dataset/bytes"])
def test_results_on_unknown_image(form, vernier):
    gt, dt, unknown = g.adversarial_unknown_image()
    gt_bytes, dt_bytes = json.dumps(gt).encode(), json.dumps(dt).encode()
    with pytest.raises(AssertionError, match="Results do not correspond"):
        run_pycocotools(gt_bytes, dt_bytes, "bbox")
    with pytest.raises(vernier.UnknownImageError) as info:
        run_vernier(*vernier_inputs(gt_bytes, dt_bytes, form))
    assert isinstance(info.value, vernier.VernierError)
    assert isinstance(info.value, ValueError)
    assert str(unknown) in str(info.value)
