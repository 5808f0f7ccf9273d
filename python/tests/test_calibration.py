"""Summary.calibration (issue 21): expected calibration error and
reliability-diagram data from the per-detection table.

A hand-built case whose numbers are derived by hand below, and a property
test on synthetic, perfectly calibrated detections (true positive with
probability equal to the score, known by construction) against a plain
numpy reference written here.
"""
import json

import numpy as np
import pytest

import vernier

EV = vernier.Evaluator(iou=vernier.Bbox(), parity_mode="strict")


def _gt(images, annotations, cats=(1, 2)):
    return json.dumps({
        "images": [{"id": i, "width": 200, "height": 200} for i in images],
        "categories": [{"id": c, "name": f"c{c}"} for c in cats],
        "annotations": annotations,
    }).encode()


def _ann(ann_id, image_id, cat, box, iscrowd=0):
    return {"id": ann_id, "image_id": image_id, "category_id": cat, "bbox": list(box),
            "area": float(box[2] * box[3]), "iscrowd": iscrowd}


def _det(image_id, cat, box, score):
    return {"image_id": image_id, "category_id": cat, "bbox": list(box), "score": score}


def hand_case():
    gt = _gt([1, 2], [
        _ann(1, 1, 1, (0, 0, 10, 10)),
        _ann(2, 1, 1, (50, 50, 20, 20), iscrowd=1),
        _ann(3, 2, 2, (0, 0, 20, 20)),
        _ann(4, 2, 2, (40, 40, 20, 20)),
    ])
    dt = [
        _det(1, 1, (0, 0, 10, 10), 0.95),     # TP (GT 1)
        _det(1, 1, (30, 30, 10, 10), 0.85),   # FP: overlaps nothing
        _det(1, 1, (0, 0, 10, 10), 0.35),     # FP: GT 1 already taken by 0.95
        _det(1, 1, (55, 55, 10, 10), 0.15),   # inside the crowd GT 2: ignored, left out
        _det(2, 2, (0, 0, 20, 20), 0.65),     # TP (GT 3)
        _det(2, 2, (40, 40, 20, 10), 0.62),   # IoU 200/400 = 0.5 with GT 4: TP at 0.5 only
    ]
    return gt, dt


def test_hand_built_case_at_iou_50():
    gt, dt = hand_case()
    cal = EV.evaluate(gt, dt, keep_records=True).calibration(iou=0.5, bins=10)
    assert np.array_equal(cal.bin_edges, np.linspace(0, 1, 11))
    # kept: 0.95 TP, 0.85 FP, 0.35 FP, 0.65 TP, 0.62 TP (0.15 is ignored)
    assert cal.n_detections == 5
    assert cal.count.tolist() == [0, 0, 0, 1, 0, 0, 2, 0, 1, 1]
    assert cal.count.dtype == np.int64
    expected_mean = [np.nan, np.nan, np.nan, 0.35, np.nan, np.nan, 0.635, np.nan, 0.85, 0.95]
    expected_tp = [np.nan, np.nan, np.nan, 0.0, np.nan, np.nan, 1.0, np.nan, 0.0, 1.0]
    np.testing.assert_allclose(cal.mean_score, expected_mean, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(cal.tp_fraction, expected_tp)
    # ECE = (1*|0-.35| + 2*|1-.635| + 1*|0-.85| + 1*|1-.95|) / 5 = 1.98 / 5
    assert cal.ece == pytest.approx(0.396, abs=1e-15)
    assert sorted(cal.per_class) == [1, 2]
    c1, c2 = cal.per_class[1], cal.per_class[2]
    # class 1: .95 TP, .85 FP, .35 FP -> (.05 + .85 + .35) / 3
    assert c1.n_detections == 3 and c1.count.tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 1, 1]
    assert c1.ece == pytest.approx(1.25 / 3, abs=1e-15)
    # class 2: .65 and .62 both TP -> |1 - .635|
    assert c2.n_detections == 2 and c2.count.tolist() == [0, 0, 0, 0, 0, 0, 2, 0, 0, 0]
    assert c2.ece == pytest.approx(0.365, abs=1e-15)
    assert c1.per_class == {} and c2.per_class == {}


def test_hand_built_case_at_iou_55_and_one_category():
    gt, dt = hand_case()
    summary = EV.evaluate(gt, dt, keep_records=True)
    cal = summary.calibration(iou=0.55, bins=10)
    # the 0.62 detection (IoU exactly 0.5) is now a false positive:
    # bin [.6, .7): mean .635, TP fraction .5 -> 2 * .135 = .27
    assert cal.tp_fraction[6] == 0.5
    assert cal.ece == pytest.approx((0.35 + 0.27 + 0.85 + 0.05) / 5, abs=1e-15)
    only2 = summary.calibration(iou=0.55, bins=10, category=2)
    assert only2.n_detections == 2 and list(only2.per_class) == [2]
    assert only2.ece == pytest.approx(0.135, abs=1e-15)
    # two bins: [0, .5) holds .35; [.5, 1] holds .95, .85, .65, .62
    two = summary.calibration(iou=0.5, bins=2)
    assert two.count.tolist() == [1, 4]
    assert two.tp_fraction.tolist() == [0.0, 0.75]
    assert two.ece == pytest.approx((0.35 + 4 * abs(0.75 - 3.07 / 4)) / 5, abs=1e-15)


def _reference_ece(scores, tp, bins):
    """Plain loop: equal-width bins on [0, 1], last bin closed."""
    n = len(scores)
    total = 0.0
    for i in range(bins):
        lo, hi = i / bins, (i + 1) / bins
        members = [k for k in range(n)
                   if (lo <= scores[k] < hi) or (i == bins - 1 and scores[k] == 1.0)]
        if members:
            conf = sum(scores[k] for k in members) / len(members)
            acc = sum(1.0 for k in members if tp[k]) / len(members)
            total += len(members) / n * abs(acc - conf)
    return total


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_perfectly_calibrated_synthetic_detections(seed):
    rng = np.random.default_rng(seed)
    n = 2000
    # scores on a grid away from the bin edges, so both binnings agree exactly
    scores = (rng.integers(0, 1000, n) + 0.5) / 1000.0
    tp = rng.random(n) < scores
    cats = rng.integers(1, 3, n)
    anns, dets = [], []
    for i in range(n):
        img = i + 1
        anns.append(_ann(i + 1, img, int(cats[i]), (10, 10, 40, 40)))
        box = (10, 10, 40, 40) if tp[i] else (120, 120, 40, 40)
        dets.append(_det(img, int(cats[i]), box, float(scores[i])))
    gt = _gt(range(1, n + 1), anns)
    cal = EV.evaluate(gt, dets, keep_records=True).calibration(iou=0.5, bins=10)
    assert cal.n_detections == n and int(cal.count.sum()) == n
    assert cal.ece == pytest.approx(_reference_ece(scores, tp, 10), abs=1e-12)
    assert cal.ece < 0.05        # calibrated by construction
    for c in (1, 2):
        sel = cats == c
        got = cal.per_class[c]
        assert got.n_detections == int(sel.sum())
        assert got.ece == pytest.approx(_reference_ece(scores[sel], tp[sel], 10), abs=1e-12)
    # the same detections, all scored 0.95, are badly calibrated
    for d in dets:
        d["score"] = 0.95
    over = EV.evaluate(gt, dets, keep_records=True).calibration(iou=0.5, bins=10)
    assert over.ece == pytest.approx(abs(tp.mean() - 0.95), abs=1e-12)
    assert over.ece > 0.3


def test_calibration_errors():
    gt, dt = hand_case()
    with pytest.raises(vernier.StateError, match="keep_records=True"):
        EV.evaluate(gt, dt).calibration()
    summary = EV.evaluate(gt, dt, keep_records=True)
    with pytest.raises(ValueError, match="IoU thresholds"):
        summary.calibration(iou=0.52)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(vernier.InvalidArgumentError, match="bins"):
            summary.calibration(bins=bad)
    with pytest.raises(vernier.InvalidArgumentError, match="category"):
        summary.calibration(category=3)


def test_no_detections_gives_nan():
    gt, _ = hand_case()
    cal = EV.evaluate(gt, [_det(1, 1, (55, 55, 10, 10), 0.5)], keep_records=True).calibration()
    assert cal.n_detections == 0 and np.isnan(cal.ece) and cal.count.sum() == 0
    assert np.isnan(cal.mean_score).all() and np.isnan(cal.tp_fraction).all()


def test_pooled_categories_give_one_class():
    gt, dt = hand_case()
    pooled = vernier.Evaluator(iou=vernier.Bbox(), parity_mode="strict", use_cats=False)
    cal = pooled.evaluate(gt, dt, keep_records=True).calibration(iou=0.5, bins=10)
    assert list(cal.per_class) == [-1]
    assert cal.per_class[-1].count.tolist() == cal.count.tolist()
    assert cal.per_class[-1].ece == cal.ece
    # pooled, the 0.35 duplicate of class 1 still finds GT 1 taken: same five kept
    assert cal.n_detections == 5
