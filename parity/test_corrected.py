"""parity_mode="corrected": each quirk fix of ADR 0011, on a fixture that triggers it.

For every fix the test builds (or derives from ``parity.generate``) input on
which the quirk fires, and checks three things:

  (a) strict mode equals pycocotools 2.0.11 bit for bit (``parity.oracle``);
  (b) corrected mode equals ``parity.corrected_oracle`` bit for bit -- pycocotools
      with only that fix applied -- or, for the fixes that refuse input,
      raises ``vernier.SchemaError`` naming the entry;
  (c) strict and corrected differ on it, so the quirk is really exercised.

Fixes: D1 (a GT's own ``ignore`` flag), id 0 (a real GT id), L9 (statistics
at the largest cap), I2 (mask sizes differ), J2 (a result without a mask in
a mask evaluation), K1 (degenerate polygons), A1 (equal scores ordered by
box, so shuffling the results changes nothing).  Also: H2 (RLE parts of
different sizes) is refused in both modes; result fields loadRes overwrites
(J1/E2/J3) and short ladders are the same in both modes; on workloads that
trigger no quirk corrected equals strict bit for bit; and every pair of the
shipped fixture corpus is evaluated in corrected mode against the oracle,
differing from strict exactly where a fix fires.  The rows of
docs/explanation/quirks.md point here.

Scores are made unique (``_unique_scores``) in every fixture aimed at one
fix other than A1, so that the tie-break cannot be what makes (c) true.
"""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest

from parity.checks import (array_difference, assert_matches_oracle, assert_same_summary,
                           compressed_rle, evaluate_in_mode, mask_utils, rect_mask,
                           stats_difference, summary_difference, unique_scores, vernier_iou)
from parity.corrected_oracle import run_corrected
from parity.generate import (_categories, _image, adversarial_many_detections,
                             adversarial_tied_scores, make_segm_workload, make_workload)
from parity.oracle import run_boundary_oracle, run_pycocotools
from parity.quirk_registry import quirk

KP_NAMES = ["nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder",
            "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
            "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle"]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def _reference(gt, dt, iou: str, max_dets=None, use_cats: bool = True):
    """pycocotools 2.0.11 (strict's reference)."""
    if iou == "boundary":
        return run_boundary_oracle(gt, dt, max_dets=max_dets, use_cats=use_cats)
    return run_pycocotools(gt, dt, iou, max_dets=max_dets, use_cats=use_cats)


def _check_fix(gt, dt, label: str, iou: str = "bbox", max_dets=None, use_cats: bool = True):
    """(a) strict == pycocotools, (b) corrected == corrected oracle, (c) they differ.
    Returns (strict, corrected) summaries."""
    strict = evaluate_in_mode(gt, dt, "strict", iou, max_dets=max_dets, use_cats=use_cats)
    assert_matches_oracle(strict, _reference(gt, dt, iou, max_dets, use_cats), label=f"{label} strict")
    corrected = evaluate_in_mode(gt, dt, "corrected", iou, max_dets=max_dets, use_cats=use_cats)
    assert_matches_oracle(corrected, run_corrected(gt, dt, iou, max_dets, use_cats),
                          label=f"{label} corrected vs corrected oracle")
    assert summary_difference(strict, corrected) is not None, \
        f"[{label}] strict and corrected agree: the fixture does not trigger the quirk"
    return strict, corrected


def _check_refusal(gt, dt, label: str, iou: str, index: int, path: str, vernier,
                   max_dets=None):
    """(a) strict == pycocotools; (b) corrected raises SchemaError naming the entry
    (so (c) holds: strict evaluates, corrected does not)."""
    strict = evaluate_in_mode(gt, dt, "strict", iou, max_dets=max_dets)
    assert_matches_oracle(strict, _reference(gt, dt, iou, max_dets), label=f"{label} strict")
    with pytest.raises(vernier.VernierError) as info:
        evaluate_in_mode(gt, dt, "corrected", iou, max_dets=max_dets)
    err = info.value
    assert type(err) is vernier.SchemaError, f"[{label}] {type(err).__name__}: {err}"
    assert err.index == index, f"[{label}] index {err.index}, expected {index}: {err}"
    assert err.path == path, f"[{label}] path {err.path!r}, expected {path!r}: {err}"
    assert path in str(err), f"[{label}] the message does not name {path}: {err}"


def _shuffled(dt: list[dict], seed: int) -> list[dict]:
    perm = np.random.default_rng(seed).permutation(len(dt))
    return [dt[int(i)] for i in perm]


def _gt_cat_ids(gt) -> set[int]:
    return {c["id"] for c in gt["categories"]}


def _top_result_with_gt(gt, dt, usable=lambda r: True) -> int:
    """Index of the highest-scored result (first in list order among equals) that
    lies in an (image, category) cell holding a non-crowd GT and satisfies
    ``usable``: such a result is surely evaluated (rank 1 of its cell)."""
    cells = {(a["image_id"], a["category_id"]) for a in gt["annotations"] if not a["iscrowd"]}
    best = None
    for i, r in enumerate(dt):
        if (r["image_id"], r["category_id"]) in cells and usable(r):
            if best is None or r["score"] > dt[best]["score"]:
                best = i
    assert best is not None
    return best


# ---------------------------------------------------------------------------
# Keypoint fixtures (parity.generate has none)
# ---------------------------------------------------------------------------

def _keypoint_workload(n_images: int, seed: int, *, ignore_rate: float = 0.0,
                       id_zero: bool = False) -> tuple[dict, list[dict]]:
    """Person keypoints: 17 integer keypoints per GT inside its box (visibility
    0/1/2, some GTs with none visible, i.e. num_keypoints == 0), areas over
    small/medium/large; results = GT keypoints plus noise of varying quality,
    and random false positives.  Scores are unique.

    ``ignore_rate`` of the GTs get a truthy ``ignore`` flag (quirk D1);
    ``id_zero`` gives the best-detected GT the id 0."""
    rng = np.random.default_rng(seed)
    images = [_image(int(i), 640, 480) for i in rng.choice(90_000, n_images, replace=False) + 1]
    anns, dets, detected = [], [], []
    for img in images:
        for _ in range(int(rng.integers(1, 6))):
            w, h = float(rng.uniform(12, 300)), float(rng.uniform(20, 400))
            x, y = float(rng.uniform(0, 640 - w)), float(rng.uniform(0, 480 - min(h, 470)))
            h = min(h, 479.0 - y)
            xs = rng.integers(int(x), int(x + w) + 1, 17)
            ys = rng.integers(int(y), int(y + h) + 1, 17)
            vis = rng.choice([0, 1, 2], 17, p=(0.25, 0.15, 0.6))
            if rng.random() < 0.1:
                vis[:] = 0
            kps = [int(v) for trip in zip(xs, ys, vis) for v in trip]
            ann = {"id": len(anns) + 1, "image_id": img["id"], "category_id": 1,
                   "bbox": [round(x, 2), round(y, 2), round(w, 2), round(h, 2)],
                   "area": round(w * h * float(rng.uniform(0.4, 0.9)), 2),
                   "iscrowd": 0, "keypoints": kps, "num_keypoints": int((vis > 0).sum())}
            if rng.random() < ignore_rate:
                ann["ignore"] = [1, True, 0.5][int(rng.integers(3))]
            anns.append(ann)
            if rng.random() < 0.85:
                rel = float(rng.uniform(0.005, 0.12))
                detected.append((rel, len(anns) - 1))
                q = rel * math.sqrt(ann["area"])
                dx = xs + rng.normal(0, q, 17)
                dy = ys + rng.normal(0, q, 17)
                dets.append({"image_id": img["id"], "category_id": 1,
                             "keypoints": [float(round(v, 2)) for trip in zip(dx, dy, np.ones(17))
                                           for v in trip],
                             "score": 0.0})
        for _ in range(int(rng.integers(0, 3))):
            dets.append({"image_id": img["id"], "category_id": 1,
                         "keypoints": [float(round(v, 2)) for trip in
                                       zip(rng.uniform(0, 640, 17), rng.uniform(0, 480, 17),
                                           np.ones(17)) for v in trip],
                         "score": 0.0})
    for d in dets:
        d["score"] = float(rng.uniform(0.0, 1.0))
    dets = unique_scores(dets)
    if id_zero:
        # the GT with many visible keypoints detected most accurately: its
        # detection matches it at the low thresholds at least
        rel, i = min((rel, i) for rel, i in detected
                     if anns[i]["num_keypoints"] > 8 and "ignore" not in anns[i])
        anns[i]["id"] = 0
    cats = [{"id": 1, "name": "person", "supercategory": "person", "keypoints": KP_NAMES,
             "skeleton": []}]
    return {"images": images, "annotations": anns, "categories": cats}, dets


# ---------------------------------------------------------------------------
# D1: a GT's own `ignore` flag
# ---------------------------------------------------------------------------

def _d1_small() -> tuple[dict, list[dict]]:
    """Hand-made: every way an `ignore` flag meets matching."""
    def gt(i, img, cat, box, **extra):
        x, y, w, h = box
        return {"id": i, "image_id": img, "category_id": cat, "bbox": box, "area": w * h,
                "iscrowd": 0, "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]], **extra}

    anns = [
        gt(1, 7, 1, [10.0, 10.0, 20.0, 20.0]),                        # ordinary
        gt(2, 7, 1, [60.0, 10.0, 20.0, 20.0], ignore=1),              # ignore-only, detected once
        gt(3, 7, 1, [10.0, 60.0, 20.0, 20.0], ignore=True),           # ignore-only, detected twice
        gt(4, 7, 1, [60.0, 60.0, 20.0, 20.0], ignore=0),              # explicit false: ordinary
        gt(5, 7, 1, [110.0, 10.0, 30.0, 30.0], iscrowd=1, ignore=0),  # crowd stays ignored
        gt(6, 7, 1, [110.0, 60.0, 20.0, 20.0], ignore=0.5),           # truthy number
        gt(7, 7, 1, [160.0, 60.0, 20.0, 20.0], ignore=1),             # ignore-only, missed
        gt(8, 7, 1, [160.0, 10.0, 20.0, 20.0], ignore=False),         # ordinary, missed
        # a DT between an ordinary GT (IoU ~0.6) and an ignore-only one (IoU ~0.9)
        gt(9, 9, 2, [10.0, 10.0, 20.0, 20.0]),
        gt(10, 9, 2, [14.0, 10.0, 20.0, 20.0], ignore=1),
        gt(11, 9, 1, [50.0, 50.0, 40.0, 40.0], ignore=2),             # small/medium bucket edge
    ]
    dets = [
        {"image_id": 7, "category_id": 1, "bbox": [11.0, 10.0, 20.0, 20.0], "score": 0.91},
        {"image_id": 7, "category_id": 1, "bbox": [61.0, 11.0, 20.0, 20.0], "score": 0.82},
        {"image_id": 7, "category_id": 1, "bbox": [10.0, 61.0, 20.0, 20.0], "score": 0.73},
        {"image_id": 7, "category_id": 1, "bbox": [11.0, 62.0, 20.0, 20.0], "score": 0.64},
        {"image_id": 7, "category_id": 1, "bbox": [61.0, 61.0, 19.0, 20.0], "score": 0.55},
        {"image_id": 7, "category_id": 1, "bbox": [112.0, 12.0, 5.0, 5.0], "score": 0.46},
        {"image_id": 7, "category_id": 1, "bbox": [111.0, 60.0, 20.0, 20.0], "score": 0.37},
        {"image_id": 7, "category_id": 1, "bbox": [300.0, 300.0, 20.0, 20.0], "score": 0.28},
        # inside ignore-only GT 2: ordinary IoU 1/16, a miss (the crowd rule would say 1)
        {"image_id": 7, "category_id": 1, "bbox": [62.0, 12.0, 5.0, 5.0], "score": 0.19},
        {"image_id": 9, "category_id": 2, "bbox": [13.0, 10.0, 20.0, 20.0], "score": 0.77},
        {"image_id": 9, "category_id": 1, "bbox": [51.0, 50.0, 40.0, 40.0], "score": 0.66},
    ]
    images = [_image(7, 320, 240), _image(9, 320, 240)]
    return {"images": images, "annotations": anns, "categories": _categories([1, 2])}, dets


def _with_ignore_flags(gt: dict, seed: int, rate: float = 0.2) -> dict:
    """A copy of ``gt`` where ``rate`` of the annotations carry an `ignore`
    flag, truthy or not, in the forms JSON allows (ints, floats, booleans)."""
    gt = copy.deepcopy(gt)
    rng = np.random.default_rng(seed)
    values = [1, True, 1.0, 0.25, 2, 0, False, 0.0]
    for a in gt["annotations"]:
        if rng.random() < rate:
            a["ignore"] = values[int(rng.integers(len(values)))]
    return gt


@quirk("D1")
def test_d1_ignore_flag_small():
    gt, dt = _d1_small()
    _check_fix(gt, dt, "D1 small")


@quirk("D1")
@pytest.mark.parametrize("iou", ["bbox", "segm"])
def test_d1_ignore_flag_small_masks_too(iou):
    """The same fixture in a mask evaluation (the GTs carry polygons)."""
    gt, dt = _d1_small()
    if iou == "segm":
        mu = mask_utils()
        for r in dt:      # compressed RLE of the box, rasterised at the image size
            rle = mu.frPyObjects(np.array([r["bbox"]], dtype=np.float64), 240, 320)[0]
            r["segmentation"] = {"size": [int(v) for v in rle["size"]],
                                 "counts": rle["counts"].decode("ascii")}
            del r["bbox"]
    _check_fix(gt, dt, f"D1 small {iou}", iou=iou)


@quirk("D1")
@pytest.mark.parametrize("use_cats", [True, False], ids=["cats", "nocats"])
def test_d1_ignore_flag_generated_bbox(use_cats):
    gt, dt = make_workload(60, 31, crowd_rate=0.05)
    _check_fix(_with_ignore_flags(gt, 1), unique_scores(dt), "D1 generated bbox",
               use_cats=use_cats)


@quirk("D1")
def test_d1_ignore_flag_generated_segm():
    gt, dt = make_segm_workload(20, 32, crowd_rate=0.05)
    _check_fix(_with_ignore_flags(gt, 2), unique_scores(dt), "D1 generated segm", iou="segm")


@quirk("D1")
def test_d1_ignore_flag_keypoints():
    gt, dt = _keypoint_workload(25, 33, ignore_rate=0.25)
    _check_fix(gt, dt, "D1 keypoints", iou="keypoints")


@quirk("D1")
@pytest.mark.parametrize("which", ["small", "generated"])
def test_d1_ignore_flag_boundary(which):
    """Boundary IoU: corrected's rule (ignore or iscrowd) is the one of
    boundary-iou-api's own cocoapi fork, which parity.boundary_oracle runs
    with ``pycocotools_ignore=False`` (ADR 0008)."""
    from parity.boundary_oracle import evaluate_boundary

    if which == "small":
        gt, dt = _d1_small()
        mu = mask_utils()
        for r in dt:
            rle = mu.frPyObjects(np.array([r["bbox"]], dtype=np.float64), 240, 320)[0]
            r["segmentation"] = {"size": [int(v) for v in rle["size"]],
                                 "counts": rle["counts"].decode("ascii")}
            del r["bbox"]
    else:
        gt, dt = make_segm_workload(20, 34, crowd_rate=0.05)
        gt, dt = _with_ignore_flags(gt, 3), unique_scores(dt)
    strict = evaluate_in_mode(gt, dt, "strict", "boundary")
    assert_matches_oracle(strict, run_boundary_oracle(gt, dt), label="D1 boundary strict")
    corrected = evaluate_in_mode(gt, dt, "corrected", "boundary")
    assert_matches_oracle(corrected, evaluate_boundary(gt, dt, pycocotools_ignore=False),
                          label="D1 boundary corrected vs the fork's rule")
    assert summary_difference(strict, corrected) is not None


@quirk("D1")
def test_d1_ignore_only_gt_matches_once():
    """An ignore-only GT takes one detection per threshold; the second one,
    identical to the first, is a false positive (only crowds absorb several)."""
    box = [10.0, 10.0, 20.0, 20.0]
    gt = {"images": [_image(1, 100, 100)], "categories": _categories([1]),
          "annotations": [
              {"id": 1, "image_id": 1, "category_id": 1, "bbox": [60.0, 60.0, 20.0, 20.0],
               "area": 400.0, "iscrowd": 0},
              {"id": 2, "image_id": 1, "category_id": 1, "bbox": box, "area": 400.0,
               "iscrowd": 0, "ignore": 1}]}
    dt = [{"image_id": 1, "category_id": 1, "bbox": [60.0, 60.0, 20.0, 20.0], "score": 0.5},
          {"image_id": 1, "category_id": 1, "bbox": box, "score": 0.9},
          {"image_id": 1, "category_id": 1, "bbox": [10.0, 10.0, 20.0, 19.0], "score": 0.8}]
    _, corrected = _check_fix(gt, dt, "D1 match once")
    # corrected, at every threshold: DT 0.9 -> ignored (the ignore GT), DT 0.8 -> FP,
    # DT 0.5 -> TP: precision 1/2 at recall 1 (a crowd would have absorbed both)
    assert corrected.recall[:, 0, 0, 2].tolist() == [1.0] * 10
    assert corrected.precision[:, -1, 0, 0, 2].tolist() == [0.5] * 10


# ---------------------------------------------------------------------------
# id 0: a GT with annotation id 0 is a real GT
# ---------------------------------------------------------------------------

def _give_id_zero_to_a_detected_gt(gt: dict, dt: list[dict], mask: bool = False):
    """Copies of gt/dt where one non-crowd GT has id 0 and a result reproducing
    it exactly (its box, or for ``mask`` its rasterised polygons) is added with
    the top score: that result matches GT 0 at every threshold."""
    gt, dt = copy.deepcopy(gt), copy.deepcopy(dt)
    assert all(a["id"] != 0 for a in gt["annotations"])
    ann = next(a for a in gt["annotations"][len(gt["annotations"]) // 2:]
               if not a["iscrowd"] and a["area"] > 2000)
    ann["id"] = 0
    result = {"image_id": ann["image_id"], "category_id": ann["category_id"], "score": 2.0}
    if mask:
        img = next(i for i in gt["images"] if i["id"] == ann["image_id"])
        mu = mask_utils()
        rle = mu.merge(mu.frPyObjects(ann["segmentation"], img["height"], img["width"]))
        result["segmentation"] = {"size": [int(v) for v in rle["size"]],
                                  "counts": rle["counts"].decode("ascii")}
        if "bbox" in dt[0]:
            result["bbox"] = list(ann["bbox"])
    else:
        result["bbox"] = list(ann["bbox"])
    dt.insert(len(dt) // 3, result)
    return gt, dt


@quirk("id 0")
def test_id_zero_small():
    gt = {"images": [_image(1, 100, 100), _image(2, 100, 100)], "categories": _categories([1]),
          "annotations": [
              {"id": 0, "image_id": 1, "category_id": 1, "bbox": [10.0, 10.0, 20.0, 20.0],
               "area": 400.0, "iscrowd": 0},
              {"id": 1, "image_id": 1, "category_id": 1, "bbox": [50.0, 50.0, 20.0, 20.0],
               "area": 400.0, "iscrowd": 0},
              {"id": 2, "image_id": 2, "category_id": 1, "bbox": [5.0, 5.0, 80.0, 80.0],
               "area": 6400.0, "iscrowd": 0}]}
    dt = [{"image_id": 1, "category_id": 1, "bbox": [10.0, 11.0, 20.0, 20.0], "score": 0.9},
          {"image_id": 1, "category_id": 1, "bbox": [51.0, 50.0, 20.0, 20.0], "score": 0.8},
          {"image_id": 2, "category_id": 1, "bbox": [5.0, 5.0, 79.0, 80.0], "score": 0.7}]
    strict, corrected = _check_fix(gt, dt, "id 0 small")
    assert corrected.stats[0] > strict.stats[0]


@quirk("id 0")
@pytest.mark.parametrize("use_cats", [True, False], ids=["cats", "nocats"])
def test_id_zero_generated_bbox(use_cats):
    gt, dt = make_workload(40, 41)
    gt, dt = _give_id_zero_to_a_detected_gt(gt, unique_scores(dt))
    _check_fix(gt, dt, "id 0 generated bbox", use_cats=use_cats)


@quirk("id 0")
@pytest.mark.parametrize("result_bbox", [False, True], ids=["nobbox", "bbox"])
def test_id_zero_generated_segm(result_bbox):
    gt, dt = make_segm_workload(15, 42, result_bbox=result_bbox)
    gt, dt = _give_id_zero_to_a_detected_gt(gt, unique_scores(dt), mask=True)
    _check_fix(gt, dt, "id 0 generated segm", iou="segm")


@quirk("id 0")
def test_id_zero_keypoints():
    gt, dt = _keypoint_workload(20, 43, id_zero=True)
    _check_fix(gt, dt, "id 0 keypoints", iou="keypoints")


# ---------------------------------------------------------------------------
# L9: statistics read at the largest cap instead of a literal
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("max_dets", [(1, 10, 50), (5, 20, 30), (10, 1, 60)],
                         ids=lambda m: "md" + "-".join(map(str, m)))
@quirk("L9")
def test_l9_ladder_without_100(max_dets):
    """strict: stats[0] is -1 (100 is not on the ladder); corrected: AP at the
    largest cap.  Nothing else changes: same arrays, same stats[1:]."""
    gt, dt = make_workload(60, 51)
    strict, corrected = _check_fix(gt, unique_scores(dt), "L9", max_dets=max_dets)
    assert strict.stats[0] == -1.0 and corrected.stats[0] > 0.0
    assert stats_difference(strict.stats[1:], np.asarray(corrected.stats[1:])) is None
    for name in ("precision", "recall", "scores"):
        assert array_difference(name, getattr(strict, name), getattr(corrected, name)) is None


@quirk("L9")
def test_l9_ladder_beyond_100():
    """A ladder (1, 10, 100, 300) on images with up to 260 detections: strict
    reads stats[0] at 100, corrected at 300."""
    gt, dt = adversarial_many_detections()
    strict, corrected = _check_fix(gt, unique_scores(dt), "L9 beyond 100",
                                   max_dets=(1, 10, 100, 300))
    assert strict.stats[0] != corrected.stats[0]
    assert strict.stats[1:] == corrected.stats[1:]


@quirk("L9")
@pytest.mark.parametrize("max_dets", [(50,), (10, 50)], ids=["md50", "md10-50"])
def test_l9_fewer_than_three_caps(max_dets):
    """A detection ladder of fewer than three caps has no statistics in either
    mode (pycocotools' summarize raises IndexError on maxDets[2]; ADR 0010):
    L9 does not invent them.  The arrays are the same in both modes."""
    gt, dt = make_workload(30, 53)
    dt = unique_scores(dt)
    strict = evaluate_in_mode(gt, dt, "strict", max_dets=max_dets)
    corrected = evaluate_in_mode(gt, dt, "corrected", max_dets=max_dets)
    assert strict.stats == [] and corrected.stats == []
    assert corrected.pretty_lines() == []
    ref = run_pycocotools(gt, dt, max_dets=max_dets)
    assert ref.summarize_error is not None          # pycocotools' summarize raised IndexError
    assert_matches_oracle(strict, ref, label="L9 short strict")
    assert_matches_oracle(corrected, run_corrected(gt, dt, max_dets=max_dets), label="L9 short")
    assert_same_summary(strict, corrected, "L9 short ladder")


@quirk("L9")
@pytest.mark.parametrize("max_dets", [(1, 5), (20, 50)], ids=["md1-5", "md20-50"])
def test_l9_keypoints(max_dets):
    """Keypoints read every statistic at the literal 20 in pycocotools."""
    gt, dt = _keypoint_workload(25, 52)
    strict, corrected = _check_fix(gt, dt, "L9 keypoints", iou="keypoints", max_dets=max_dets)
    if 20 not in max_dets:
        assert strict.stats == [-1.0] * 10
    assert all(v > -1.0 for v in corrected.stats[:3])


# ---------------------------------------------------------------------------
# I2 / H2: masks of different sizes
# ---------------------------------------------------------------------------

def _size_mismatch_fixture(side: str) -> tuple[dict, list[dict], int]:
    """Image 40 wide, 30 high, one GT square; result 1 is a mask of another
    size whose box overlaps the GT.  side="dt": the result's RLE is 32 x 40;
    side="gt": the GT is an RLE of 30 x 41 and the results are 30 x 40.
    Returns (gt, dt, index of the offending result)."""
    h, w = 30, 40
    square = [8.0, 6.0, 24.0, 6.0, 24.0, 20.0, 8.0, 20.0]
    if side == "gt":
        seg = compressed_rle(rect_mask(h, w + 1, 8, 6, 24, 20))
    else:
        seg = [square]
    gt = {"images": [_image(5, w, h), _image(6, w, h)], "categories": _categories([1]),
          "annotations": [
              {"id": 1, "image_id": 5, "category_id": 1, "bbox": [8.0, 6.0, 16.0, 14.0],
               "area": 224.0, "iscrowd": 0, "segmentation": seg},
              {"id": 2, "image_id": 6, "category_id": 1, "bbox": [2.0, 2.0, 10.0, 10.0],
               "area": 100.0, "iscrowd": 0,
               "segmentation": [[2.0, 2.0, 12.0, 2.0, 12.0, 12.0, 2.0, 12.0]]}]}
    odd_h = h + 2 if side == "dt" else h
    dt = [
        {"image_id": 6, "category_id": 1, "score": 0.9,
         "segmentation": compressed_rle(rect_mask(h, w, 2, 2, 12, 12))},
        {"image_id": 5, "category_id": 1, "score": 0.8,
         "segmentation": compressed_rle(rect_mask(odd_h, w, 9, 6, 24, 20))},
        {"image_id": 5, "category_id": 1, "score": 0.7,
         "segmentation": compressed_rle(rect_mask(h, w, 30, 22, 38, 29))},
    ]
    return gt, dt, 1


@quirk("I2")
@pytest.mark.parametrize("iou", ["segm", "boundary"])
@pytest.mark.parametrize("side", ["dt", "gt"])
def test_i2_mask_size_mismatch(side, iou, vernier):
    gt, dt, k = _size_mismatch_fixture(side)
    _check_refusal(gt, dt, f"I2 {side} {iou}", iou, k, f"[{k}].segmentation", vernier)


def test_i2_mismatch_without_overlap_is_not_an_error():
    """A mask of another size whose box overlaps no GT box is never compared
    (pycocotools' box prefilter gives IoU 0, not -1): corrected evaluates it."""
    gt, dt, k = _size_mismatch_fixture("dt")
    dt[k]["segmentation"] = compressed_rle(rect_mask(32, 40, 30, 24, 38, 31))
    corrected = evaluate_in_mode(gt, dt, "corrected", "segm")
    assert_matches_oracle(corrected, run_corrected(gt, dt, "segm"), label="I2 control")
    assert_same_summary(evaluate_in_mode(gt, dt, "strict", "segm"), corrected, "I2 control")


@quirk("H2")
@pytest.mark.parametrize("mode", ["strict", "corrected"])
def test_h2_parts_of_different_sizes_refused_in_both_modes(mode, vernier):
    """A GT segmentation made of RLE parts of different sizes: pycocotools'
    merge silently returns an empty 0x0 mask.  vernier refuses a list of RLE
    objects as a segmentation in both modes, naming the annotation."""
    gt, dt, _ = _size_mismatch_fixture("dt")
    gt["annotations"][0]["segmentation"] = [compressed_rle(rect_mask(30, 40, 8, 6, 24, 20)),
                                            compressed_rle(rect_mask(31, 40, 8, 6, 12, 10))]
    mu = mask_utils()
    merged = mu.merge([{"size": p["size"], "counts": p["counts"].encode()}
                       for p in gt["annotations"][0]["segmentation"]])
    assert [int(v) for v in merged["size"]] == [0, 0] and mu.area(merged) == 0   # pycocotools
    with pytest.raises(vernier.SchemaError) as info:
        evaluate_in_mode(gt, dt[:1], mode, "segm")
    assert info.value.path == "annotations[0].segmentation", str(info.value)


# ---------------------------------------------------------------------------
# J2: a result without a mask in a mask evaluation
# ---------------------------------------------------------------------------

@quirk("J2")
@pytest.mark.parametrize("iou", ["segm", "boundary"])
def test_j2_result_without_segmentation(iou, vernier):
    gt, dt = make_segm_workload(12, 61, result_bbox=True)
    k = _top_result_with_gt(gt, dt, usable=lambda r: isinstance(r["segmentation"], dict))
    assert k > 0                      # the first result keeps its mask: the list stays a bbox list
    del dt[k]["segmentation"]
    _check_refusal(gt, dt, f"J2 {iou}", iou, k, f"[{k}].segmentation", vernier)


@quirk("J2")
def test_j2_result_without_segmentation_in_a_cell_without_gt(vernier):
    """The refusal does not depend on the result meeting a GT."""
    gt = {"images": [_image(1, 50, 40)], "categories": _categories([1, 2]),
          "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [5.0, 5.0, 10.0, 10.0],
                           "area": 100.0, "iscrowd": 0,
                           "segmentation": [[5.0, 5.0, 15.0, 5.0, 15.0, 15.0, 5.0, 15.0]]}]}
    dt = [{"image_id": 1, "category_id": 1, "bbox": [5.0, 5.0, 10.0, 10.0], "score": 0.9,
           "segmentation": compressed_rle(rect_mask(40, 50, 5, 5, 15, 15))},
          {"image_id": 1, "category_id": 2, "bbox": [20.0, 20.0, 10.0, 10.0], "score": 0.8}]
    _check_refusal(gt, dt, "J2 no GT", "segm", 1, "[1].segmentation", vernier)


@quirk("J2")
@pytest.mark.parametrize("iou", ["segm", "boundary"])
def test_j2_names_the_first_result_in_list_order(iou, vernier):
    """With several results lacking a mask, the refusal names the first of
    them in the result list (not the first met while matching), in one-shot
    and in batched evaluation alike."""
    from parity.checks import vernier_iou
    from vernier.instance import Evaluator

    gt, dt = make_segm_workload(12, 214, result_bbox=True, bbox_only_rate=0.2)
    cats = {c["id"] for c in gt["categories"]}
    per_cell = {}
    for r in dt:
        per_cell[(r["image_id"], r["category_id"])] = per_cell.get((r["image_id"], r["category_id"]), 0) + 1
    assert max(per_cell.values()) <= 100      # every result of a GT category is evaluated
    missing = [i for i, r in enumerate(dt) if "segmentation" not in r and r["category_id"] in cats]
    assert len(missing) > 1
    want = missing[0]
    # the first met while matching (image, then category) is another one
    first_by_cell = min(missing, key=lambda i: (dt[i]["category_id"], dt[i]["image_id"]))
    assert first_by_cell != want
    ev = Evaluator(iou=vernier_iou(iou), parity_mode="corrected")
    gt_b = json.dumps(gt).encode()
    with pytest.raises(vernier.SchemaError) as info:
        ev.evaluate(gt_b, dt)
    # a Python list: the location names the list's element (issue 14)
    assert info.value.index == want and info.value.path == f'results[{want}]["segmentation"]', \
        (str(info.value), want, first_by_cell)
    with ev.background(gt_b) as bg:
        with pytest.raises(vernier.SchemaError) as info:
            bg.submit(dt, timeout=30)
            bg.finalize()
    assert info.value.path == f'results[{want}]["segmentation"]', str(info.value)


# ---------------------------------------------------------------------------
# K1: degenerate polygons
# ---------------------------------------------------------------------------

@quirk("K1")
@pytest.mark.parametrize("iou", ["segm", "boundary"])
def test_k1_result_polygon_with_odd_coordinates(iou, vernier):
    """pycocotools drops the odd trailing value of a result polygon.  The
    results are all polygons (a list mixing polygons and RLEs is refused for
    that reason alone, J6)."""
    gt, dt = make_segm_workload(12, 71, result_bbox=True, result_polygon_rate=1.0)
    dt = [r for r in dt if isinstance(r.get("segmentation"), list)]
    k = _top_result_with_gt(gt, dt, usable=lambda r: isinstance(r.get("segmentation"), list))
    dt[k]["segmentation"][0].append(dt[k]["segmentation"][0][0])
    _check_refusal(gt, dt, f"K1 odd result {iou}", iou, k, f"[{k}].segmentation", vernier)


@quirk("K1")
@pytest.mark.parametrize("iou", ["segm", "boundary"])
@pytest.mark.parametrize("points", [2, 1])
def test_k1_gt_polygon_with_fewer_than_3_points(points, iou, vernier):
    """A second polygon part of 1 or 2 points: pycocotools rasterises it (only
    the first part decides frPyObjects' dispatch)."""
    gt, dt = make_segm_workload(12, 72)
    anns = gt["annotations"]
    i = next(j for j in range(len(anns) // 2, len(anns))
             if not anns[j]["iscrowd"] and anns[j]["area"] > 500)
    x, y, w, h = anns[i]["bbox"]
    part = [x + 1.0, y + 1.0, x + w - 1.0, y + h - 1.0][:2 * points]
    anns[i]["segmentation"].append(part)
    _check_refusal(gt, dt, f"K1 {points}-point part {iou}", iou, i,
                   f"annotations[{i}].segmentation", vernier)


# ---------------------------------------------------------------------------
# A1: equal scores ordered by box, so the result order does not matter
# ---------------------------------------------------------------------------

SHUFFLES = (1, 2, 3, 4, 5, 6)


@quirk("A1")
def test_a1_tie_break_tied_scores_fixture():
    """adversarial_tied_scores: strict follows pycocotools in every order and
    changes with the order; corrected equals its oracle and never changes."""
    gt, dt = adversarial_tied_scores()
    corrected = evaluate_in_mode(gt, dt, "corrected")
    assert_matches_oracle(corrected, run_corrected(gt, dt), label="A1 corrected")
    strict = evaluate_in_mode(gt, dt, "strict")
    assert_matches_oracle(strict, run_pycocotools(gt, dt), label="A1 strict")
    strict_changed = False
    corrected_differs = summary_difference(strict, corrected) is not None
    for seed in SHUFFLES:
        sh = _shuffled(dt, seed)
        s = evaluate_in_mode(gt, sh, "strict")
        assert_matches_oracle(s, run_pycocotools(gt, sh), label=f"A1 strict shuffle {seed}")
        strict_changed |= summary_difference(s, strict) is not None
        corrected_differs |= summary_difference(s, corrected) is not None
        assert_same_summary(evaluate_in_mode(gt, sh, "corrected"), corrected,
                            f"A1 corrected shuffle {seed}")
    assert strict_changed, "shuffling never changed strict: the fixture has no teeth"
    assert corrected_differs


@pytest.mark.parametrize("use_cats", [True, False], ids=["cats", "nocats"])
def test_a1_shuffle_generated_bbox(use_cats):
    """make_workload writes 40% of its images with 2-decimal scores: many ties."""
    gt, dt = make_workload(80, 81)
    corrected = evaluate_in_mode(gt, dt, "corrected", use_cats=use_cats)
    assert_matches_oracle(corrected, run_corrected(gt, dt, use_cats=use_cats),
                          label="A1 generated corrected")
    for seed in SHUFFLES[:3]:
        assert_same_summary(evaluate_in_mode(gt, _shuffled(dt, seed), "corrected", use_cats=use_cats),
                            corrected, f"A1 generated shuffle {seed}")


@quirk("A1")
def test_a1_shuffle_ties_across_the_cap():
    """Ties straddling the maxDets cut: which detections are kept depends on
    the order in strict, on the boxes in corrected."""
    gt, dt = adversarial_many_detections()
    for max_dets in ((1, 10, 100), (1, 10, 110)):
        corrected = evaluate_in_mode(gt, dt, "corrected", max_dets=max_dets)
        assert_matches_oracle(corrected, run_corrected(gt, dt, max_dets=max_dets),
                              label=f"A1 cap {max_dets}")
        strict = evaluate_in_mode(gt, dt, "strict", max_dets=max_dets)
        assert_matches_oracle(strict, run_pycocotools(gt, dt, max_dets=max_dets),
                              label=f"A1 cap {max_dets} strict")
        changed = False
        for seed in SHUFFLES[:3]:
            sh = _shuffled(dt, seed)
            assert_same_summary(evaluate_in_mode(gt, sh, "corrected", max_dets=max_dets), corrected,
                                f"A1 cap {max_dets} shuffle {seed}")
            changed |= summary_difference(evaluate_in_mode(gt, sh, "strict", max_dets=max_dets),
                                          strict) is not None
        assert changed, f"shuffling never changed strict at {max_dets}"


@pytest.mark.parametrize("result_bbox", [False, True], ids=["nobbox", "bbox"])
def test_a1_shuffle_generated_segm(result_bbox):
    """Segm results: the box of the key is the given bbox, or the mask's box."""
    gt, dt = make_segm_workload(30, 82, result_bbox=result_bbox)
    # the key cannot separate equal scores with equal boxes but different
    # masks; this fixture has none (checked, so a change of generator shows)
    seen = {}
    for r in dt:
        box = tuple(r["bbox"]) if result_bbox else tuple(
            mask_utils().toBbox({"size": r["segmentation"]["size"],
                                 "counts": r["segmentation"]["counts"].encode()}).tolist())
        key = (r["image_id"], r["category_id"], r["score"], box)
        assert seen.setdefault(key, r["segmentation"]) == r["segmentation"], key
    corrected = evaluate_in_mode(gt, dt, "corrected", "segm")
    assert_matches_oracle(corrected, run_corrected(gt, dt, "segm"), label="A1 segm corrected")
    for seed in SHUFFLES[:2]:
        sh = _shuffled(dt, seed)
        if "bbox" in dt[0]:
            assert "bbox" in sh[0]
        assert_same_summary(evaluate_in_mode(gt, sh, "corrected", "segm"), corrected,
                            f"A1 segm shuffle {seed}")


def test_a1_equal_score_and_box_are_interchangeable():
    """Two bbox results with the same image, category, score and box are the
    same detection to the evaluator: their order cannot matter."""
    gt, dt = adversarial_tied_scores()
    dt = dt + [dict(r) for r in dt[::3]]
    corrected = evaluate_in_mode(gt, dt, "corrected")
    assert_matches_oracle(corrected, run_corrected(gt, dt), label="A1 duplicates")
    assert_same_summary(evaluate_in_mode(gt, dt[::-1], "corrected"), corrected,
                        "A1 duplicates reversed")


# ---------------------------------------------------------------------------
# No quirk triggered: corrected == strict
# ---------------------------------------------------------------------------

@quirk("J1", "E2", "J3", "J4")
def test_result_fields_loadres_overwrites_are_kept_in_both_modes():
    """J1/E2/J3: a result's own `id` (0 and repeats included), `iscrowd` and
    `area` are overwritten by loadRes; neither mode reads them, and the id-0
    fix concerns ground truth only."""
    gt, dt = make_workload(30, 95)
    dt = unique_scores(dt)
    for i, r in enumerate(dt):
        r["id"] = [0, 7, 7, i][i % 4]
        r["iscrowd"] = 1 if i % 3 == 0 else 0
        r["area"] = 5.0 if i % 2 else 1e9
    strict = evaluate_in_mode(gt, dt, "strict")
    assert_matches_oracle(strict, run_pycocotools(gt, dt), label="loadRes overwrites")
    assert_same_summary(strict, evaluate_in_mode(gt, dt, "corrected"), "loadRes overwrites")


@pytest.mark.parametrize("use_cats", [True, False], ids=["cats", "nocats"])
def test_no_quirk_bbox(use_cats):
    """A generated workload with unique scores, no ignore flags, no id 0, the
    default ladder (crowds included: they are not a quirk of the fixes)."""
    gt, dt = make_workload(100, 91, crowd_rate=0.05)
    dt = unique_scores(dt)
    strict = evaluate_in_mode(gt, dt, "strict", use_cats=use_cats)
    assert_matches_oracle(strict, run_pycocotools(gt, dt, use_cats=use_cats), label="no quirk")
    assert_same_summary(strict, evaluate_in_mode(gt, dt, "corrected", use_cats=use_cats),
                        "no quirk bbox")


@pytest.mark.parametrize("iou", ["segm", "boundary"])
@pytest.mark.parametrize("result_bbox", [False, True], ids=["nobbox", "bbox"])
def test_no_quirk_masks(result_bbox, iou):
    """Compressed and uncompressed RLE results (no polygons: a list mixing
    polygons and RLEs triggers J6)."""
    gt, dt = make_segm_workload(25, 92, result_bbox=result_bbox, crowd_rate=0.05,
                                result_uncompressed_rate=0.2 if result_bbox else 0.0)
    dt = unique_scores(dt)
    strict = evaluate_in_mode(gt, dt, "strict", iou)
    if iou == "segm":
        assert_matches_oracle(strict, run_pycocotools(gt, dt, "segm"), label="no quirk segm")
    assert_same_summary(strict, evaluate_in_mode(gt, dt, "corrected", iou), f"no quirk {iou}")


@pytest.mark.parametrize("use_cats", [True, False], ids=["cats", "nocats"])
def test_no_quirk_keypoints(use_cats):
    gt, dt = _keypoint_workload(30, 93)
    strict = evaluate_in_mode(gt, dt, "strict", "keypoints", use_cats=use_cats)
    assert_matches_oracle(strict, run_pycocotools(gt, dt, "keypoints", use_cats=use_cats),
                          label="no quirk kps")
    assert_same_summary(strict, evaluate_in_mode(gt, dt, "corrected", "keypoints", use_cats=use_cats),
                        "no quirk keypoints")


def test_corrected_oracle_is_pycocotools_without_quirks():
    """The oracle itself: on a quirk-free workload it is pycocotools exactly."""
    gt, dt = make_workload(50, 94)
    dt = unique_scores(dt)
    ref, cor = run_pycocotools(gt, dt), run_corrected(gt, dt)
    assert ref.stats.tobytes() == cor.stats.tobytes()
    for name in ("precision", "recall", "scores"):
        assert getattr(ref, name).tobytes() == getattr(cor, name).tobytes()
    assert ref.lines == cor.lines


# ---------------------------------------------------------------------------
# The shipped fixture corpus (parity/fixtures) in corrected mode
# ---------------------------------------------------------------------------

# Pairs of the corpus on which corrected differs from strict, and the fix that
# makes it differ; on every other pair the two modes must agree bit for bit.
CORPUS_DIFFERENT = {
    # cocoapi's own fake results tie scores within 4 (image, category) cells
    ("bbox", "faster_coco_eval/dataset/cocoapi/instances_val2014_100|"
             "cocoapi/instances_val2014_fakebbox100_results"): "A1",
    ("bbox", "faster_coco_eval/dataset/cocoapi/instances_val2014_100|"
             "cocoapi/instances_val2014_fakesegm100_results"): "A1",
    ("segm", "faster_coco_eval/dataset/cocoapi/instances_val2014_100|"
             "cocoapi/instances_val2014_fakesegm100_results"): "A1",
    ("bbox", "hotcoco/tests_fixtures/zero_gt|hotcoco/tests_fixtures/zero_dt"): "id 0",
}
# Pairs corrected mode refuses: (kind, pair id) -> (result index, fix).
CORPUS_REFUSED = {
    ("segm", "vernier/heterogeneous_dt_segm/gt|vernier/heterogeneous_dt_segm/dt"): (1, "J2"),
}


def _corpus():
    from parity.checks import expected_pairs, pair_id

    out = []
    for kind in ("bbox", "segm", "keypoints"):
        for entry in expected_pairs(kind):
            if "error" not in entry:          # pycocotools itself fails on these
                out.append(pytest.param(kind, entry, id=f"{kind}:{pair_id(entry)}"))
    return out


@pytest.mark.parametrize("kind,entry", _corpus())
def test_fixture_corpus(kind, entry, vernier):
    """Every pair pycocotools evaluates: corrected equals the corrected oracle,
    and differs from strict exactly on the pairs listed above (or is refused)."""
    from vernier.instance import Evaluator, Keypoints

    from parity.checks import load_pair, pair_id

    gt_bytes, dt_bytes = load_pair(entry)
    sigmas = entry.get("kpt_oks_sigmas")
    if kind == "keypoints" and sigmas is not None:
        cats = [c["id"] for c in json.loads(gt_bytes)["categories"]]
        kernel = Keypoints(sigmas={c: sigmas for c in cats})
    else:
        kernel = vernier_iou(kind)
    key = (kind, pair_id(entry))
    if key in CORPUS_REFUSED:
        index, fix = CORPUS_REFUSED[key]
        with pytest.raises(vernier.SchemaError) as info:
            Evaluator(iou=kernel, parity_mode="corrected").evaluate(gt_bytes, dt_bytes)
        assert info.value.index == index, f"{fix}: {info.value}"
        return
    corrected = Evaluator(iou=kernel, parity_mode="corrected").evaluate(gt_bytes, dt_bytes)
    assert_matches_oracle(corrected, run_corrected(gt_bytes, dt_bytes, kind, kpt_oks_sigmas=sigmas),
                          label=f"{key[1]} corrected")
    strict = Evaluator(iou=kernel, parity_mode="strict").evaluate(gt_bytes, dt_bytes)
    differs = summary_difference(strict, corrected) is not None
    assert differs == (key in CORPUS_DIFFERENT), (
        f"{key[1]}: strict and corrected {'differ' if differs else 'agree'}, expected "
        f"{'a difference (' + CORPUS_DIFFERENT[key] + ')' if key in CORPUS_DIFFERENT else 'agreement'}")


# ---------------------------------------------------------------------------
# The summary says which mode produced it
# ---------------------------------------------------------------------------

def test_summary_knows_its_mode():
    """``Summary.parity_mode`` is the mode of the Evaluator that produced it;
    the native Evaluator defaults to corrected (docs/explanation/parity.md)."""
    from vernier.instance import Evaluator

    gt, dt = make_workload(5, 96)
    gt_bytes, dt_bytes = json.dumps(gt).encode(), json.dumps(dt).encode()
    assert Evaluator().parity_mode == "corrected"
    default = Evaluator().evaluate(gt_bytes, dt_bytes)
    assert default.parity_mode == "corrected"
    for mode in ("strict", "corrected"):
        s = Evaluator(parity_mode=mode).evaluate(gt_bytes, dt_bytes)
        assert s.parity_mode == mode
        assert repr(s).startswith(f"Summary(parity_mode={mode!r}, stats=")
