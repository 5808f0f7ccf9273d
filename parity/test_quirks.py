"""Every row of the quirk catalogue (docs/explanation/quirks.md), in both parity modes.

Each test here is decorated with ``@quirk(ID, ...)`` (``parity.quirk_registry``)
for the rows it pins.  The fixes of corrected mode have their own tests in
``parity/test_corrected.py`` (D1, id 0, A1, L9, I2, J2, K1, H2, J1/E2/J3/J4),
decorated the same way; this file covers the other rows, most of which say
"corrected: same".  For each row the test builds input that triggers it
(and checks that it does, on pycocotools' own state where that is
observable) and then:

* strict mode must equal pycocotools 2.0.11, run in the same test, bit for
  bit (``parity.checks.assert_matches_oracle``) -- or, where pycocotools
  crashes, hangs or decodes garbage, raise the typed error the row names;
* corrected mode must equal ``parity.corrected_oracle`` (pycocotools with
  the ADR 0011 fixes) bit for bit and, where the row says "same" on input
  that triggers no fix (unique scores, no ``ignore`` flag, no id 0, the
  default ladder), equal strict bit for bit -- or raise the typed error
  the row names.

Rows whose pycocotools API has no counterpart in vernier ("n/a": D7, E3,
G6, H7, I5, I6, K4, L3) are pinned by ``test_no_counterpart``: it shows the
quirk in pycocotools and checks that vernier offers no such entry point in
either mode.  ``parity/test_quirk_catalogue.py`` checks that the catalogue
and the registry list the same IDs.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import io
import subprocess
import sys

import numpy as np
import pytest

from parity.checks import (assert_matches_oracle, cached_workload, compressed_rle, decode_counts,
                           encode_counts, evaluate_in_mode, mask_utils, summary_difference,
                           unique_scores)
from parity.corrected_oracle import run_corrected
from parity.generate import (_categories, _image, adversarial_absent_categories,
                             adversarial_area_boundaries, adversarial_images_without_detections,
                             adversarial_iou_thresholds, make_keypoint_workload,
                             make_segm_workload, make_workload)
from parity.oracle import _coco_from_dict, run_pycocotools
from parity.quirk_registry import quirk

EPS = float(np.spacing(1))


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def _both_modes(gt, dt, label: str, iou: str = "bbox", *, sigmas=None, max_dets=None,
                use_cats: bool = True, iou_thresholds=None, recall_thresholds=None,
                area_ranges=None, dt_as_list: bool = False, same: bool = True):
    """strict == pycocotools; corrected == the corrected oracle; with ``same``
    (the row's corrected column says "same" and the input triggers no fix)
    also corrected == strict.  Returns (strict, corrected, pycocotools)."""
    kps = None
    if sigmas is not None:
        kps = next(iter(sigmas.values()))
        assert all(tuple(v) == tuple(kps) for v in sigmas.values())
    grid = dict(max_dets=max_dets, use_cats=use_cats, iou_thrs=iou_thresholds,
                rec_thrs=recall_thresholds, area_rng=area_ranges)
    ref = run_pycocotools(gt, dt, iou, kpt_oks_sigmas=kps, **grid)
    vgrid = dict(sigmas=sigmas, max_dets=max_dets, use_cats=use_cats,
                 iou_thresholds=iou_thresholds, recall_thresholds=recall_thresholds,
                 area_ranges=area_ranges, dt_as_list=dt_as_list)
    strict = evaluate_in_mode(gt, dt, "strict", iou, **vgrid)
    assert_matches_oracle(strict, ref, label=f"{label} strict")
    corrected = evaluate_in_mode(gt, dt, "corrected", iou, **vgrid)
    assert_matches_oracle(corrected, run_corrected(gt, dt, iou, kpt_oks_sigmas=kps, **grid),
                          label=f"{label} corrected")
    if same:
        diff = summary_difference(strict, corrected)
        assert diff is None, f"[{label}] corrected differs from strict:\n  {diff}"
    return strict, corrected, ref


def _refused_in_both(gt, dt, iou: str, error, index: int | None, path: str | None, vernier,
                     dt_as_list: bool = False):
    """Both modes raise ``error`` (a vernier exception class) naming the entry."""
    for mode in ("strict", "corrected"):
        with pytest.raises(vernier.VernierError) as info:
            evaluate_in_mode(gt, dt, mode, iou, dt_as_list=dt_as_list)
        err = info.value
        assert isinstance(err, error), f"{mode}: {type(err).__name__}: {err}"
        if index is not None:
            assert err.index == index, f"{mode}: index {err.index}, expected {index}: {err}"
        if path is not None:
            assert err.path == path, f"{mode}: path {err.path!r}, expected {path!r}: {err}"


def _ann(ann_id, image_id, box, *, cat=1, area=None, iscrowd=0, **extra):
    x, y, w, h = box
    return {"id": ann_id, "image_id": image_id, "category_id": cat, "bbox": list(box),
            "area": float(w * h) if area is None else area, "iscrowd": iscrowd,
            "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]], **extra}


def _det(image_id, box, score, cat=1):
    return {"image_id": image_id, "category_id": cat, "bbox": list(box), "score": score}


def _gt(images, anns, cats=(1,)):
    return {"images": images, "annotations": anns, "categories": _categories(list(cats))}


def _eval_img(ref, cat_index: int, area_label: str, image_id: int):
    """pycocotools' evalImgs record of (category, area range, image)."""
    p = ref.params
    a = p.areaRngLbl.index(area_label)
    i = list(p.imgIds).index(image_id)
    return ref.eval_imgs[(cat_index * len(p.areaRng) + a) * len(p.imgIds) + i]


# ---------------------------------------------------------------------------
# A: orders and parameters
# ---------------------------------------------------------------------------

@quirk("A2")
def test_a2_unsorted_ladder():
    gt, dt = make_workload(30, 201)
    strict, corrected, ref = _both_modes(gt, unique_scores(dt), "A2", max_dets=(100, 10, 1))
    assert list(ref.params.maxDets) == [1, 10, 100]            # pycocotools sorted it
    assert strict.max_dets == corrected.max_dets == (1, 10, 100)


@quirk("A3")
def test_a3_parameters_frozen_for_one_evaluation():
    """pycocotools: changing params.areaRng between evaluate() and accumulate()
    silently reads other cells (here the 'medium' slot reads 'small' records).
    vernier: an Evaluator is frozen and one call does all three steps; it
    equals a consistent pycocotools run with the final parameters."""
    from pycocotools.cocoeval import COCOeval
    from vernier.instance import Evaluator

    gt, dt = make_workload(30, 202)
    dt = unique_scores(dt)
    ranges = (("all", 0.0, 1e10), ("medium", 1024.0, 9216.0), ("large", 9216.0, 1e10))
    with contextlib.redirect_stdout(io.StringIO()):
        coco = _coco_from_dict(copy.deepcopy(gt))
        ev = COCOeval(coco, coco.loadRes(copy.deepcopy(dt)), "bbox")
        ev.evaluate()
        ev.params.areaRng = [[lo, hi] for _, lo, hi in ranges]
        ev.params.areaRngLbl = [lbl for lbl, _, _ in ranges]
        ev.accumulate()
    mixed = ev.eval["recall"]
    consistent = run_pycocotools(gt, dt, area_rng=ranges)
    assert not np.array_equal(mixed, consistent.recall), "pycocotools did not mix cells"
    small = run_pycocotools(gt, dt)
    assert np.array_equal(mixed[:, :, 1, :], small.recall[:, :, 1, :])   # 'medium' slot = small
    _both_modes(gt, dt, "A3", area_ranges=ranges)
    for mode in ("strict", "corrected"):
        e = Evaluator(parity_mode=mode, area_ranges=ranges)
        with pytest.raises(dataclasses.FrozenInstanceError):
            e.area_ranges = None


@quirk("A4", "B3", "B4", "B6", "E1")
def test_crowd_matching_rules():
    """A crowd GT listed first, an ordinary GT inside it.

    DT a: IoU 0.8 with the ordinary GT, crowd IoU 1.0.  The ordinary GT is
      scanned first (A4) and, once matched, the scan stops at the crowd (B3):
      a TP, although the crowd's IoU is higher.
    DT b, c: inside the crowd only: crowd IoU = inter / DT area = 1 (E1;
      ordinary IoU would be 1/16), both absorbed by the crowd (B4) and
      ignored, neither TP nor FP (B6)."""
    gt = _gt([_image(1, 100, 100)], [
        _ann(1, 1, [0.0, 0.0, 60.0, 60.0], iscrowd=1),
        _ann(2, 1, [10.0, 10.0, 30.0, 30.0])])
    dt = [_det(1, [10.0, 10.0, 30.0, 37.5], 0.9),                 # IoU 900/1125 = 0.8
          _det(1, [0.0, 45.0, 15.0, 15.0], 0.8),
          _det(1, [45.0, 0.0, 15.0, 15.0], 0.7),
          _det(1, [70.0, 70.0, 20.0, 20.0], 0.6)]                 # a plain FP
    strict, _, ref = _both_modes(gt, dt, "crowd rules")
    e = _eval_img(ref, 0, "all", 1)
    assert e["gtIds"] == [2, 1]                                   # A4: ordinary first
    t05 = 0
    assert e["dtMatches"][t05].tolist() == [2.0, 1.0, 1.0, 0.0]   # B3, B4
    assert e["dtIgnore"][t05].tolist() == [False, True, True, False]   # B6, E1
    # at 0.95 the ordinary GT is out of reach (0.8): a takes the crowd and is ignored
    assert e["dtMatches"][-1].tolist() == [1.0, 1.0, 1.0, 0.0]
    assert e["dtIgnore"][-1].tolist() == [True, True, True, False]


@quirk("B1", "I7")
def test_b1_iou_exactly_on_thresholds():
    """IoUs exactly on each threshold and one ulp either side (the union
    without a fused multiply-add, I7)."""
    gt, dt = cached_workload(adversarial_iou_thresholds)
    _both_modes(gt, unique_scores(dt), "B1")


@quirk("B2")
def test_b2_equal_iou_later_gt_wins():
    """DT 1 has IoU 90/110 with both GTs and takes the later one (GT 2);
    DT 2 then matches GT 1 (IoU 1): two TPs at every threshold."""
    gt = _gt([_image(1, 50, 50)], [_ann(1, 1, [0.0, 0.0, 10.0, 10.0]),
                                   _ann(2, 1, [2.0, 0.0, 10.0, 10.0])])
    dt = [_det(1, [1.0, 0.0, 10.0, 10.0], 0.9), _det(1, [0.0, 0.0, 10.0, 10.0], 0.8)]
    _, _, ref = _both_modes(gt, dt, "B2")
    e = _eval_img(ref, 0, "all", 1)
    assert e["dtMatches"][0].tolist() == [2.0, 1.0]
    assert e["dtMatches"][-1].tolist() == [0.0, 1.0]     # 90/110 < 0.95: only DT 2 matches


@quirk("B5")
def test_b5_large_annotation_ids():
    """Matches are float64 ids in pycocotools; ids near 2**53 are still exact
    there, and the outputs are the same in both modes."""
    gt, dt = make_workload(20, 203)
    for i, a in enumerate(gt["annotations"]):
        a["id"] = 2 ** 53 - 1 - 7 * i
    _both_modes(gt, unique_scores(dt), "B5")


@quirk("B7")
def test_b7_matched_detection_outside_area_range_stays_tp():
    """GT area 1280 (medium); DT a (area 900, small) matches it: in 'medium'
    it is a TP; DT b (area 400) is unmatched: ignored in 'medium'."""
    gt = _gt([_image(1, 100, 100)], [_ann(1, 1, [0.0, 0.0, 32.0, 40.0])])
    dt = [_det(1, [0.0, 0.0, 30.0, 30.0], 0.9), _det(1, [60.0, 60.0, 20.0, 20.0], 0.8)]
    _, _, ref = _both_modes(gt, dt, "B7")
    e = _eval_img(ref, 0, "medium", 1)
    assert e["dtMatches"][0].tolist() == [1.0, 0.0]
    assert e["dtIgnore"][0].tolist() == [False, True]


# ---------------------------------------------------------------------------
# C: accumulation
# ---------------------------------------------------------------------------

@quirk("C1", "C2", "C4", "C6", "C7")
def test_accumulation_on_a_generated_workload():
    """101-point interpolation, the envelope, AR as final recall, TP/FP
    counting: the whole arrays on a COCO-like workload with crowds."""
    gt, dt = make_workload(40, 204, crowd_rate=0.03)
    _both_modes(gt, unique_scores(dt), "accumulation")
    _both_modes(gt, unique_scores(dt), "accumulation nocats", use_cats=False)


@quirk("C3")
def test_c3_unreachable_recall_thresholds_stay_zero():
    """Two GTs, one found: precision is 0 (not -1) above recall 0.5."""
    gt = _gt([_image(1, 100, 100)], [_ann(1, 1, [0.0, 0.0, 40.0, 40.0]),
                                     _ann(2, 1, [50.0, 50.0, 40.0, 40.0])])
    dt = [_det(1, [0.0, 0.0, 40.0, 40.0], 0.9)]
    _, _, ref = _both_modes(gt, dt, "C3")
    assert ref.precision[0, 51:, 0, 0, 2].tolist() == [0.0] * 50
    gt2, dt2 = adversarial_images_without_detections()
    _both_modes(gt2, unique_scores(dt2), "C3 images without detections")


@quirk("C5")
def test_c5_undefined_cells_are_minus_one():
    """Category 3 has no GT: -1 everywhere, out of the means; category 2 has
    GT but no detection: 0."""
    gt = _gt([_image(1, 100, 100)], [_ann(1, 1, [0.0, 0.0, 40.0, 40.0]),
                                     _ann(2, 1, [50.0, 50.0, 40.0, 40.0], cat=2)], cats=(1, 2, 3))
    dt = [_det(1, [0.0, 0.0, 40.0, 40.0], 0.9), _det(1, [50.0, 50.0, 40.0, 40.0], 0.8, cat=3)]
    strict, _, ref = _both_modes(gt, dt, "C5")
    assert (ref.precision[:, :, 2] == -1).all() and (ref.recall[:, 2] == -1).all()
    assert (ref.precision[:, :, 1, 0, :] == 0).all()
    gt2, dt2 = adversarial_absent_categories()
    _both_modes(gt2, unique_scores(dt2), "C5 absent categories")


@quirk("C8")
def test_c8_precision_epsilon():
    """One detection, matched: precision 1 / (1 + eps), not 1."""
    gt = _gt([_image(1, 100, 100)], [_ann(1, 1, [0.0, 0.0, 40.0, 40.0])])
    dt = [_det(1, [0.0, 0.0, 40.0, 40.0], 0.9)]
    strict, _, ref = _both_modes(gt, dt, "C8")
    assert ref.precision[0, 0, 0, 0, 2] == 1.0 / (1.0 + EPS) != 1.0
    assert strict.precision[0, 0, 0, 0, 2] == 1.0 / (1.0 + EPS)


# ---------------------------------------------------------------------------
# D: ignore flags and area ranges
# ---------------------------------------------------------------------------

@quirk("D3")
def test_d3_inputs_are_not_mutated():
    """pycocotools writes ``ignore``/``_ignore`` into the GT dicts and ``id``/
    ``area``/``iscrowd`` into the results; vernier leaves a result list as it
    was, in both modes."""
    from pycocotools.cocoeval import COCOeval

    gt, dt = make_workload(10, 205)
    dt = unique_scores(dt)
    g, d = copy.deepcopy(gt), copy.deepcopy(dt)
    with contextlib.redirect_stdout(io.StringIO()):
        coco = _coco_from_dict(g)
        ev = COCOeval(coco, coco.loadRes(d), "bbox")
        ev.evaluate()
    assert any("_ignore" in a for a in g["annotations"]) and "area" in d[0]
    before = copy.deepcopy(dt)
    _both_modes(gt, dt, "D3", dt_as_list=True)
    assert dt == before


@quirk("D4", "D6")
def test_area_ranges_closed_at_both_ends():
    """Areas exactly 32**2 and 96**2 (and one ulp off): area 1024 is small
    and medium (D6), the default ranges (D4)."""
    gt, dt = adversarial_area_boundaries()
    _, _, ref = _both_modes(gt, unique_scores(dt), "D4")
    assert [list(r) for r in ref.params.areaRng] == [[0, 1e10], [0, 1024], [1024, 9216],
                                                     [9216, 1e10]]
    g1 = _gt([_image(1, 100, 100)], [_ann(1, 1, [0.0, 0.0, 32.0, 32.0])])
    _, _, r1 = _both_modes(g1, [_det(1, [0.0, 0.0, 32.0, 32.0], 0.9)], "D6")
    assert _eval_img(r1, 0, "small", 1)["gtIgnore"].tolist() == [0]
    assert _eval_img(r1, 0, "medium", 1)["gtIgnore"].tolist() == [0]


# ---------------------------------------------------------------------------
# F (and D2, D5): keypoints
# ---------------------------------------------------------------------------

@quirk("D2", "D5", "F2", "F3", "F4", "F5", "F7", "F8", "F9", "F10")
def test_keypoints_generated():
    """A person-keypoint workload that has every trigger: GTs with
    ``num_keypoints`` 0 (D2), GTs without labelled points compared through
    the expanded box (F3, F4, some with ``num_keypoints`` > 0 so they are not
    ignored), images without GT or without results (F5), integer GT
    keypoints (F10); COCO's sigmas (F9), OKS (F2, F7, F8); areas in the
    keypoint ranges (D5)."""
    gt, dt = make_keypoint_workload(40, 206, num_keypoints_mismatch_rate=0.1,
                                    empty_gt_rate=0.15, empty_dt_rate=0.1)
    anns = gt["annotations"]
    assert any(a["num_keypoints"] == 0 and not a["iscrowd"] for a in anns)             # D2
    assert any(a["num_keypoints"] > 0 and not any(a["keypoints"][2::3]) for a in anns)  # F3
    assert all(isinstance(v, int) for a in anns for v in a["keypoints"])               # F10
    gt_images = {a["image_id"] for a in anns}
    dt_images = {d["image_id"] for d in dt}
    assert {i["id"] for i in gt["images"]} - gt_images and gt_images - dt_images       # F5
    strict, corrected, ref = _both_modes(gt, unique_scores(dt), "keypoints", "keypoints")
    assert ref.params.areaRngLbl == ["all", "medium", "large"]                         # D5
    assert strict.area_ranges == corrected.area_ranges == ("all", "medium", "large")


@quirk("F1")
def test_f1_one_sigma_array_for_all_categories():
    """pycocotools' one ``kpt_oks_sigmas`` for two categories is vernier's
    mapping with the same sigmas for each."""
    gt, dt = make_keypoint_workload(25, 207, category_ids=(1, 3))
    sig = tuple(float(v) for v in np.linspace(0.03, 0.11, 17))
    _both_modes(gt, unique_scores(dt), "F1", "keypoints", sigmas={1: sig, 3: sig})


@quirk("F6")
def test_f6_keypoints_without_categories_score_zero():
    gt, dt = make_keypoint_workload(25, 208)
    strict, _, ref = _both_modes(gt, unique_scores(dt), "F6", "keypoints", use_cats=False)
    assert ref.stats.tolist() == [0.0] * 10
    assert strict.stats == [0.0] * 10


@quirk("L8")
def test_l8_sigmas_belong_to_the_kernel():
    """In pycocotools ``kpt_oks_sigmas`` is a field of the params and stays
    when the iouType changes; in vernier the sigmas are part of the Keypoints
    kernel: an evaluation with other sigmas leaves the next one with COCO's
    sigmas exactly as pycocotools' default."""
    from pycocotools.cocoeval import Params

    p = Params("keypoints")
    p.kpt_oks_sigmas = np.full(17, 0.2)
    p.iouType = "bbox"
    assert p.kpt_oks_sigmas.tolist() == [0.2] * 17
    gt, dt = make_keypoint_workload(15, 209)
    dt = unique_scores(dt)
    sig = {1: (0.2,) * 17}
    _both_modes(gt, dt, "L8 custom", "keypoints", sigmas=sig)
    _both_modes(gt, dt, "L8 default afterwards", "keypoints")


# ---------------------------------------------------------------------------
# G, H, I, K: masks
# ---------------------------------------------------------------------------

@quirk("G1", "G2", "G5", "H3", "H4", "H5", "K2")
def test_masks_generated():
    """Polygons of 1..3 parts (K2) rasterised by rleFrPoly (H3), many at and
    beyond the image edge (H4, H5); compressed RLE results (G1, G2) whose
    area is the sum of the odd runs (G5)."""
    gt, dt = make_segm_workload(12, 210, edge_rate=0.3, outside_rate=0.05)
    anns = gt["annotations"]
    assert any(isinstance(a["segmentation"], list) and len(a["segmentation"]) > 1 for a in anns)
    imgs = {i["id"]: i for i in gt["images"]}
    assert any(isinstance(a["segmentation"], list)
               and any(x < 0 or x > imgs[a["image_id"]]["width"] - 1
                       for part in a["segmentation"] for x in part[0::2]) for a in anns)
    assert all(isinstance(d["segmentation"]["counts"], str) for d in dt)
    _both_modes(gt, unique_scores(dt), "masks", "segm")


@quirk("K3")
def test_k3_counts_as_bytes_or_str():
    gt, dt = make_segm_workload(8, 211)
    dt = unique_scores(dt)
    for i, d in enumerate(dt):
        if i % 2:
            d["segmentation"]["counts"] = d["segmentation"]["counts"].encode("ascii")
    assert isinstance(dt[1]["segmentation"]["counts"], bytes)
    _both_modes(gt, dt, "K3", "segm", dt_as_list=True)


@quirk("G3")
def test_g3_long_counts_are_decoded_exactly_and_refused(vernier):
    """pycocotools decodes a number of more than six 5-bit groups by shifting
    a 32-bit int: garbage.  vernier decodes it exactly, sees that the runs do
    not cover the mask and refuses the result in both modes."""
    gt, dt = make_segm_workload(6, 212)
    dt = unique_scores(dt)
    k = len(dt) // 2
    counts = "0" + "_" * 7 + "0"
    h, w = dt[k]["segmentation"]["size"]
    exact = decode_counts(counts, max_groups=8)
    garbage = int(mask_utils().area({"size": [h, w], "counts": counts.encode()}))
    assert garbage != sum(exact[1::2]), "pycocotools decoded the long count exactly"
    dt[k]["segmentation"]["counts"] = counts
    _refused_in_both(gt, dt, "segm", vernier.RLEError, k, None, vernier)


@quirk("G4")
def test_g4_zero_length_runs():
    gt, dt = make_segm_workload(8, 213)
    dt = unique_scores(dt)
    changed = 0
    for d in dt[::3]:
        c = decode_counts(d["segmentation"]["counts"])
        if len(c) > 3:
            d["segmentation"]["counts"] = encode_counts(c[:2] + [0, 0] + c[2:])
            changed += 1
    assert changed > 3
    _both_modes(gt, dt, "G4", "segm")


@quirk("H1")
def test_h1_runs_not_covering_the_mask(vernier):
    """pycocotools' rleIou loops forever on runs that do not add up to h*w
    (shown in a child process with a timeout); vernier raises RLEError
    naming the result in both modes."""
    bad = {"size": [10, 10], "counts": encode_counts([5, 10, 80])}
    good = {"size": [10, 10], "counts": encode_counts([5, 10, 85])}
    code = ("from pycocotools import mask as m\n"
            f"m.iou([{{'size': [10, 10], 'counts': {bad['counts']!r}.encode()}}], "
            f"[{{'size': [10, 10], 'counts': {good['counts']!r}.encode()}}], [0])\n")
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run([sys.executable, "-c", code], timeout=3, capture_output=True)
    gt = _gt([_image(1, 10, 10)], [_ann(1, 1, [5.0, 0.0, 1.0, 10.0])])
    dt = [{"image_id": 1, "category_id": 1, "score": 0.9, "segmentation": good},
          {"image_id": 1, "category_id": 1, "score": 0.8, "segmentation": bad}]
    _refused_in_both(gt, dt, "segm", vernier.RLEError, 1, None, vernier)


@quirk("H6")
def test_h6_box_stand_in_rasterised_in_strict_refused_in_corrected(vernier):
    """A bbox-only result in a segm evaluation: rasterised through rleFrBbox
    in strict (as pycocotools), refused in corrected (J2)."""
    gt, dt = make_segm_workload(12, 214, result_bbox=True, bbox_only_rate=0.2)
    dt = unique_scores(dt)
    box_only = [i for i, d in enumerate(dt) if "segmentation" not in d]
    assert box_only and box_only[0] > 0        # the first result has a mask: a bbox-kind list
    strict = evaluate_in_mode(gt, dt, "strict", "segm")
    assert_matches_oracle(strict, run_pycocotools(gt, dt, "segm"), label="H6 strict")
    with pytest.raises(vernier.SchemaError) as info:
        evaluate_in_mode(gt, dt, "corrected", "segm")
    # which of the box-only results is named follows the evaluation order
    # (image, category), not the list order
    k = info.value.index
    assert k in box_only and info.value.path == f"[{k}].segmentation", str(info.value)


@quirk("I1")
def test_i1_box_prefilter():
    """Masks whose boxes overlap the GT's box partially, and a result mask of
    another size whose box overlaps no GT box: never compared (IoU 0), so
    not an I2 error in corrected either."""
    mu = mask_utils()
    h, w = 30, 40
    gt = _gt([_image(5, w, h)], [_ann(1, 5, [8.0, 6.0, 16.0, 14.0])])
    m1 = np.zeros((h, w), np.uint8)
    m1[6:20, 10:24] = 1
    m2 = np.zeros((h + 2, w), np.uint8)
    m2[24:31, 30:38] = 1
    dt = [{"image_id": 5, "category_id": 1, "score": 0.9, "segmentation": compressed_rle(m1)},
          {"image_id": 5, "category_id": 1, "score": 0.8, "segmentation": compressed_rle(m2)}]
    gbox = [8.0, 6.0, 16.0, 14.0]
    dbox = mu.toBbox({"size": [h + 2, w], "counts": dt[1]["segmentation"]["counts"].encode()})
    assert float(mu.iou([dbox.tolist()], [gbox], [0])[0, 0]) == 0.0
    _both_modes(gt, dt, "I1", "segm")


@quirk("I3")
def test_i3_disjoint_masks_in_overlapping_boxes():
    """Two L shapes whose boxes overlap but whose pixels do not: IoU 0."""
    h, w = 40, 40
    g = np.zeros((h, w), np.uint8)
    g[0:20, 0:4] = 1
    g[16:20, 0:20] = 1
    d = np.zeros((h, w), np.uint8)
    d[4:12, 8:20] = 1
    gt = _gt([_image(1, w, h)], [{"id": 1, "image_id": 1, "category_id": 1, "iscrowd": 0,
                                  "bbox": [0.0, 0.0, 20.0, 20.0], "area": float(g.sum()),
                                  "segmentation": compressed_rle(g)}])
    dt = [{"image_id": 1, "category_id": 1, "score": 0.9, "segmentation": compressed_rle(d)}]
    mu = mask_utils()
    gr = {"size": [h, w], "counts": gt["annotations"][0]["segmentation"]["counts"].encode()}
    dr = {"size": [h, w], "counts": dt[0]["segmentation"]["counts"].encode()}
    assert float(mu.iou([dr], [gr], [0])[0, 0]) == 0.0
    _both_modes(gt, dt, "I3", "segm")


@quirk("I4")
def test_i4_boxes_sharing_an_edge():
    gt = _gt([_image(1, 50, 50)], [_ann(1, 1, [0.0, 0.0, 10.0, 10.0])])
    dt = [_det(1, [10.0, 0.0, 10.0, 10.0], 0.9), _det(1, [0.0, 10.0, 10.0, 10.0], 0.8)]
    assert mask_utils().iou([d["bbox"] for d in dt], [[0.0, 0.0, 10.0, 10.0]], [0]).tolist() \
        == [[0.0], [0.0]]
    _, _, ref = _both_modes(gt, dt, "I4")
    assert ref.stats[0] == 0.0


# ---------------------------------------------------------------------------
# J: result lists
# ---------------------------------------------------------------------------

@quirk("J5")
def test_j5_images_missing_unknown_or_no_results(vernier):
    """Results on a subset of the images: scored as missed; a result on an
    image absent from the GT: pycocotools asserts, vernier raises
    UnknownImageError naming it; an empty list: "no detections"."""
    gt, dt = make_workload(20, 215)
    dt = unique_scores(dt)
    some = {i["id"] for i in gt["images"][:10]}
    part = [d for d in dt if d["image_id"] in some]
    _both_modes(gt, part, "J5 subset")
    _both_modes(gt, [], "J5 empty")
    with pytest.raises(IndexError):
        with contextlib.redirect_stdout(io.StringIO()):
            _coco_from_dict(copy.deepcopy(gt)).loadRes([])
    unknown = max(i["id"] for i in gt["images"]) + 1
    bad = part + [_det(unknown, [0.0, 0.0, 10.0, 10.0], 0.5)]
    with pytest.raises(AssertionError, match="do not correspond"):
        run_pycocotools(gt, bad)
    for mode in ("strict", "corrected"):
        with pytest.raises(vernier.UnknownImageError) as info:
            evaluate_in_mode(gt, bad, mode)
        assert str(unknown) in str(info.value)


def _mixed_shapes_fixture(first: str, with_bbox: bool):
    """Two images, one GT square each; results: compressed RLEs and polygons,
    alternating, the first of kind ``first`` ("polygon" or "rle")."""
    h, w = 30, 40
    images = [_image(1, w, h), _image(2, w, h)]
    anns = [_ann(1, 1, [8.0, 6.0, 16.0, 14.0]), _ann(2, 2, [4.0, 4.0, 20.0, 20.0])]
    dt = []
    boxes = [(1, [9.0, 6.0, 16.0, 14.0]), (2, [4.0, 5.0, 20.0, 19.0]), (1, [20.0, 10.0, 10.0, 10.0]),
             (2, [2.0, 2.0, 10.0, 10.0])]
    kinds = ["polygon", "rle"] if first == "polygon" else ["rle", "polygon"]
    for n, (img, (x, y, bw, bh)) in enumerate(boxes):
        kind = kinds[n % 2]
        if kind == "polygon":
            seg = [[x, y, x + bw, y, x + bw, y + bh, x, y + bh]]
        else:
            m = np.zeros((h, w), np.uint8)
            m[int(y):int(y + bh), int(x):int(x + bw)] = 1
            seg = compressed_rle(m)
        r = {"image_id": img, "category_id": 1, "score": 0.9 - 0.1 * n, "segmentation": seg}
        if with_bbox:
            r["bbox"] = [x, y, bw, bh]
        dt.append(r)
    return _gt(images, anns), dt


@quirk("J6")
@pytest.mark.parametrize("first", ["polygon", "rle"])
def test_j6_mixed_polygon_and_rle_results(first, vernier):
    """The first result decides how pycocotools reads the list.

    With a ``bbox`` (loadRes' bbox branch) pycocotools rasterises polygons
    and decodes RLEs alike: strict equals it; corrected refuses the mixed
    list with a SchemaError naming the first result whose shape differs
    from the first one's ([1]).  Without ``bbox`` (the segm branch)
    pycocotools crashes: both modes raise UnsupportedInputError naming the
    first polygon."""
    gt, dt = _mixed_shapes_fixture(first, with_bbox=True)
    strict = evaluate_in_mode(gt, dt, "strict", "segm")
    assert_matches_oracle(strict, run_pycocotools(gt, dt, "segm"), label=f"J6 {first} strict")
    with pytest.raises(vernier.VernierError) as info:
        evaluate_in_mode(gt, dt, "corrected", "segm")
    err = info.value
    assert type(err) is vernier.SchemaError, f"{type(err).__name__}: {err}"
    assert err.index == 1 and err.path == "[1].segmentation", str(err)

    gt, dt = _mixed_shapes_fixture(first, with_bbox=False)
    with pytest.raises(TypeError):
        run_pycocotools(gt, dt, "segm")
    poly = 0 if first == "polygon" else 1
    _refused_in_both(gt, dt, "segm", vernier.UnsupportedInputError, poly,
                     f"[{poly}].segmentation", vernier)


# ---------------------------------------------------------------------------
# L: parameters and summary
# ---------------------------------------------------------------------------

@quirk("L1", "L2", "L5", "L6")
def test_default_grids_and_summary():
    """The default thresholds are numpy's linspace values (0.8999999999999999,
    0.35000000000000003, ...); stats and the printed lines are pycocotools'."""
    from vernier.instance import Summary
    from pycocotools.cocoeval import COCOeval

    gt, dt = make_workload(20, 216)
    strict, corrected, ref = _both_modes(gt, unique_scores(dt), "L1")
    for s in (strict, corrected):
        assert isinstance(s, Summary)
        assert s.iou_thresholds.tobytes() == np.asarray(ref.params.iouThrs).tobytes()
        assert s.recall_thresholds.tobytes() == np.asarray(ref.params.recThrs).tobytes()
        assert s.pretty_lines() == ref.lines and len(ref.lines) == 12
    assert strict.iou_thresholds[8] == 0.8999999999999999
    assert strict.recall_thresholds[35] == 0.35000000000000003
    with contextlib.redirect_stdout(io.StringIO()):
        coco = _coco_from_dict(copy.deepcopy(gt))
        ev = COCOeval(coco, coco.loadRes(unique_scores(dt)), "bbox")
        ev.evaluate()
        ev.accumulate()
        assert ev.summarize() is None                               # L6


@quirk("L4")
def test_l4_pooled_categories():
    gt, dt = make_workload(20, 217)
    strict, corrected, ref = _both_modes(gt, unique_scores(dt), "L4", use_cats=False)
    assert ref.precision.shape[2] == 1
    assert list(strict.category_ids) == list(corrected.category_ids) == [-1]


@quirk("L7")
def test_l7_missing_summary_slots_and_bad_parameters(vernier):
    """A threshold grid without 0.75 and area ranges without 'small': the
    statistics whose slot is missing are -1 in pycocotools and in both
    modes; unsorted thresholds are refused at construction in both modes."""
    from vernier.instance import Evaluator

    gt, dt = make_workload(20, 218)
    dt = unique_scores(dt)
    thr = (0.5, 0.6, 0.7, 0.8, 0.9)
    ranges = (("all", 0.0, 1e10), ("medium", 1024.0, 9216.0), ("large", 9216.0, 1e10))
    strict, _, ref = _both_modes(gt, dt, "L7", iou_thresholds=thr, area_ranges=ranges)
    assert ref.stats[2] == -1.0 and ref.stats[3] == -1.0 and ref.stats[9] == -1.0
    assert strict.stats[2] == -1.0
    for mode in ("strict", "corrected"):
        with pytest.raises(vernier.InvalidConfigError):
            Evaluator(parity_mode=mode, iou_thresholds=(0.75, 0.5))


# ---------------------------------------------------------------------------
# n/a rows: pycocotools API without a counterpart in vernier
# ---------------------------------------------------------------------------

def _pycocotools_shows(row: str) -> None:
    """Demonstrate the pycocotools behaviour of an n/a row."""
    mu = mask_utils()
    if row == "D7":       # getAnnIds(areaRng=...) is open at both ends
        gt = _gt([_image(1, 100, 100)], [_ann(1, 1, [0.0, 0.0, 32.0, 32.0])])
        coco = _coco_from_dict(gt)
        assert coco.getAnnIds(areaRng=[1024, 9216]) == []
        assert coco.getAnnIds(areaRng=[1023, 1025]) == [1]
    elif row == "E3":     # iscrowd has the ground truths' length
        assert mu.iou([[0, 0, 10, 10], [0, 0, 5, 5]], [[0, 0, 10, 10]], [1]).shape == (2, 1)
        with pytest.raises(AssertionError):
            mu.iou([[0, 0, 10, 10]], [[0, 0, 10, 10]], [1, 0])
    elif row == "G6":     # any non-zero byte is foreground
        m = np.zeros((5, 5), np.uint8, order="F")
        m[1:3, 1:3] = 2
        assert mu.encode(m) == mu.encode(np.asfortranarray((m > 0).astype(np.uint8)))
    elif row == "H7":     # rleNms is C only; the Python module has no NMS
        assert not hasattr(mu, "nms")
    elif row == "I5":     # iou() of an empty side is []
        assert mu.iou([], [[0, 0, 1, 1]], [0]) == []
    elif row == "I6":     # _preproc reshapes 1-D input by its first value
        with pytest.raises(TypeError):
            mu.iou(np.array([4.0, 0.0, 10.0, 10.0]), np.array([[0.0, 0.0, 10.0, 10.0]]), [0])
    elif row == "K4":     # both sides must have the same type
        rle = mu.frPyObjects(np.array([[0.0, 0.0, 10.0, 10.0]]), 20, 20)
        with pytest.raises(Exception, match="same data type"):
            mu.iou(rle, [[0, 0, 10, 10]], [0])
    elif row == "L3":     # useSegm overrides iouType
        gt, dt = make_segm_workload(5, 219, result_bbox=True)
        from pycocotools.cocoeval import COCOeval

        with contextlib.redirect_stdout(io.StringIO()):
            coco = _coco_from_dict(copy.deepcopy(gt))
            ev = COCOeval(coco, coco.loadRes(copy.deepcopy(dt)), "bbox")
            ev.params.useSegm = 1
            ev.evaluate()
        assert ev.params.iouType == "segm"
    else:
        raise AssertionError(f"no demonstration written for {row}")


NO_COUNTERPART = ("D7", "E3", "G6", "H7", "I5", "I6", "K4", "L3")
# the pycocotools entry point of each n/a row, by the names vernier would give it
ENTRY_POINTS = {
    "D7": ("getAnnIds", "get_ann_ids", "ann_ids"),
    "E3": ("iou", "mask_iou", "box_iou"),
    "G6": ("encode", "encode_mask"),
    "H7": ("nms", "rle_nms"),
    "I5": ("iou", "mask_iou", "box_iou"),
    "I6": ("iou", "mask_iou", "box_iou"),
    "K4": ("iou", "mask_iou", "box_iou"),
    "L3": ("useSegm", "use_segm"),
}


def _public_names() -> set:
    """vernier's public functions (module level, vernier and vernier.instance),
    the public attributes of CocoDataset and Summary, and the Evaluator's
    fields: where an n/a row's entry point would have to appear."""
    import inspect

    import vernier
    import vernier.instance as vi

    names = set()
    for mod in (vernier, vi):
        names |= {n for n, obj in vars(mod).items()
                  if not n.startswith("_") and inspect.isfunction(obj)}
    for cls in (vi.CocoDataset, vi.Summary):
        names |= {n for n in dir(cls) if not n.startswith("_")}
    names |= {f.name for f in dataclasses.fields(vi.Evaluator)} - {"iou"}   # the kernel object
    return names


@quirk(*NO_COUNTERPART)
@pytest.mark.parametrize("row", NO_COUNTERPART)
def test_no_counterpart(row):
    """The quirk is real in pycocotools; vernier's public API (the same in
    both modes) has no entry point it could live in: no annotation query,
    no public IoU/encode/NMS function, no ``useSegm``.  Evaluating the same
    kind of input in both modes still equals pycocotools."""
    import vernier.instance as vi

    _pycocotools_shows(row)
    present = _public_names() & set(ENTRY_POINTS[row])
    assert not present, f"{row}: vernier now has {sorted(present)}: the row is no longer n/a"
    for mode in ("strict", "corrected"):
        with pytest.raises(TypeError):
            vi.Evaluator(parity_mode=mode, useSegm=1)
    gt, dt = make_workload(8, 220)
    _both_modes(gt, unique_scores(dt), f"{row} control")
