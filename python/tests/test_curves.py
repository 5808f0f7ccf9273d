"""Curves read from the accumulated arrays (vernier._curves, Summary.pr_curve,
Summary.score_sweep) against pycocotools' own eval arrays, computed here.

* ``pr_curve`` for a category is pycocotools' ``eval["precision"][t, :, k, a,
  m]`` and, for ``category=None``, the mean over the cells > -1 of each
  recall point, bit for bit (strict mode, the shipped sample and the
  keypoint example).
* ``_per_class_ap`` is the mean over ``eval["precision"][:, :, k, a, m]``'s
  cells > -1, bit for bit.
* ``score_sweep`` gives hand-computed values on a small case, and the same
  arrays when it reads pycocotools' arrays instead of vernier's.
"""
from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from conftest import CASES, pycocotools_eval

from vernier import _curves
from vernier.instance import Evaluator


@pytest.fixture(scope="module")
def pair():
    """kind -> (vernier strict Summary, pycocotools COCOeval) on CASES[kind]."""
    cache = {}

    def get(kind):
        if kind not in cache:
            gt_path, dt_path, _ = CASES[kind]
            gt, dt = json.loads(gt_path.read_bytes()), json.loads(dt_path.read_bytes())
            from conftest import kernel
            s = Evaluator(iou=kernel(kind), parity_mode="strict").evaluate(
                gt_path.read_bytes(), dt_path.read_bytes())
            iou_type = "keypoints" if kind == "keypoints" else kind
            cache[kind] = (s, pycocotools_eval(gt, dt, iou_type))
        return cache[kind]
    return get


def _pooled(cells):
    """R x K -> R: the mean over the cells > -1 of each row, -1 if none."""
    out = []
    for row in cells:
        v = row[row > -1]
        out.append(np.mean(v) if v.size else -1.0)
    return np.array(out)


@pytest.mark.parametrize("kind", ["bbox", "keypoints"])
def test_pr_curve_is_pycocotools_precision(kind, pair):
    s, ev = pair(kind)
    p = ev.eval["precision"]
    rec_thrs = ev.params.recThrs
    ious = ev.params.iouThrs
    cats = list(ev.params.catIds)
    assert list(s.category_ids) == cats
    for t, iou in enumerate(ious):
        for a, area in enumerate(ev.params.areaRngLbl):
            for m, cap in enumerate(ev.params.maxDets):
                c = s.pr_curve(iou=iou, area=area, max_dets=cap)
                assert np.array_equal(c.recall, rec_thrs)
                assert c.precision.dtype == np.float64
                assert np.array_equal(c.precision, _pooled(p[t, :, :, a, m]))
                for k, cid in enumerate(cats):
                    c = s.pr_curve(iou=iou, category=cid, area=area, max_dets=cap)
                    assert np.array_equal(c.precision, p[t, :, k, a, m]), (iou, cid, area, cap)


def test_pr_curve_defaults_and_pooled_values(pair):
    s, ev = pair("bbox")
    p = ev.eval["precision"]
    c = s.pr_curve()                       # IoU 0.5, all categories, area all, 100
    assert np.array_equal(c.precision, _pooled(p[0, :, :, 0, 2]))
    rec, prec = c                          # unpacks as (recall, precision)
    assert rec.shape == prec.shape == (101,)
    # None: the first area range and the largest cap
    assert s.pr_curve(area=None, max_dets=None).precision.tolist() == prec.tolist()


def test_pr_curve_for_a_category_without_ground_truth(pair):
    s, ev = pair("bbox")
    p = ev.eval["precision"]
    absent = [cid for k, cid in enumerate(ev.params.catIds) if np.all(p[0, :, k, 0, 2] == -1)]
    assert absent, "the sample has categories without ground truth"
    assert np.all(s.pr_curve(category=absent[0]).precision == -1)


def test_per_class_ap_is_pycocotools_mean(pair):
    for kind in ("bbox", "keypoints"):
        s, ev = pair(kind)
        p = ev.eval["precision"]
        for a, area in enumerate(ev.params.areaRngLbl):
            for m, cap in enumerate(ev.params.maxDets):
                table = _curves._per_class_ap(s, area=area, max_dets=cap)
                assert table["category_id"].tolist() == list(ev.params.catIds)
                for k in range(len(ev.params.catIds)):
                    cells = p[:, :, k, a, m]
                    want = np.mean(cells[cells > -1]) if np.any(cells > -1) else -1.0
                    assert table["ap"][k] == want, (kind, area, cap, k)
        default = _curves._per_class_ap(s)     # first area range, largest cap
        assert np.array_equal(default["ap"], _curves._per_class_ap(
            s, area=ev.params.areaRngLbl[0], max_dets=ev.params.maxDets[-1])["ap"])


@pytest.mark.parametrize("kwargs,needle", [
    ({"iou": 0.33}, "iou=0.33"),
    ({"area": "huge"}, "area='huge'"),
    ({"max_dets": 7}, "max_dets=7"),
    ({"max_dets": True}, "max_dets=True"),
    ({"category": 9999}, "category=9999"),
    ({"category": True}, "category=True"),
    ({"category": "1"}, "category='1'"),
])
def test_bad_arguments(kwargs, needle, pair):
    s, _ = pair("bbox")
    for fn in (s.pr_curve, s.score_sweep):
        with pytest.raises(ValueError, match=needle.replace("(", r"\(")):
            fn(**kwargs)


def test_iou_given_by_hand_matches_the_linspace_value(pair):
    s, ev = pair("bbox")
    t75 = 5
    assert np.array_equal(s.pr_curve(iou=0.75, category=1).precision,
                          ev.eval["precision"][t75, :, 0, 0, 2])


# ---------------------------------------------------------------------------
# Score sweeps
# ---------------------------------------------------------------------------

def _box(i):
    return [100.0 * i, 0.0, 50.0, 50.0]


def _sweep_case():
    """Category 1: 4 ground truths; detections by score 0.9 TP, 0.8 FP, 0.7 TP,
    0.6 TP, 0.5 FP.  Category 2: 1 ground truth, no detection.  Category 3:
    nothing."""
    anns = [{"id": i + 1, "image_id": 1, "category_id": 1, "bbox": _box(i), "area": 2500.0,
             "iscrowd": 0} for i in range(4)]
    anns.append({"id": 5, "image_id": 1, "category_id": 2, "bbox": _box(6), "area": 2500.0,
                 "iscrowd": 0})
    gt = {"images": [{"id": 1, "width": 1000, "height": 100}],
          "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "c"}],
          "annotations": anns}
    far = [900.0, 50.0, 20.0, 20.0]
    dt = [{"image_id": 1, "category_id": 1, "bbox": _box(0), "score": 0.9},
          {"image_id": 1, "category_id": 1, "bbox": far, "score": 0.8},
          {"image_id": 1, "category_id": 1, "bbox": _box(1), "score": 0.7},
          {"image_id": 1, "category_id": 1, "bbox": _box(2), "score": 0.6},
          {"image_id": 1, "category_id": 1, "bbox": [880.0, 0.0, 10.0, 10.0], "score": 0.5}]
    return gt, dt


@pytest.fixture(scope="module")
def sweep_pair():
    gt, dt = _sweep_case()
    s = Evaluator(parity_mode="strict").evaluate(json.dumps(gt).encode(),
                                                  json.dumps(dt).encode())
    return s, pycocotools_eval(gt, dt)


def test_score_sweep_by_hand(sweep_pair):
    s, ev = sweep_pair
    rec_thrs = ev.params.recThrs

    def below(x):          # the largest recall threshold <= x
        return rec_thrs[rec_thrs <= x].max()

    one = 1 / (1 + np.spacing(1))   # pycocotools: tp / (tp + fp + np.spacing(1))

    # the steps: score 0.9 reaches recall 1/4 (interpolated precision 1),
    # 0.7 reaches 2/4 and 0.6 3/4 (both 3/4: precision 2/3 and 3/4, the
    # interpolation takes the max to the right); 0.8 and 0.5 add nothing
    sw = s.score_sweep(category=1)
    assert sw.score.tolist() == [0.6, 0.7, 0.9]
    assert sw.recall.tolist() == [below(0.75), below(0.5), below(0.25)]
    assert sw.precision.tolist() == [0.75, 0.75, one]
    f1 = [2 * p * r / (p + r) for p, r in zip(sw.precision, sw.recall)]
    assert sw.f1.tolist() == f1

    th = np.array([0.0, 0.55, 0.65, 0.8, 0.9, 0.95])
    sw = s.score_sweep(category=1, thresholds=th)
    assert sw.score.tolist() == th.tolist()
    assert sw.recall.tolist() == [below(0.75), below(0.75), below(0.5), below(0.25),
                                  below(0.25), 0.0]
    assert sw.precision[:5].tolist() == [0.75, 0.75, 0.75, one, one]
    assert np.isnan(sw.precision[5]) and sw.f1[5] == 0.0

    # category 2 has ground truth and no detection: recall 0, precision
    # undefined, F1 0 everywhere; category 3 has no ground truth: left out
    sw2 = s.score_sweep(category=2, thresholds=th)
    assert np.all(sw2.recall == 0) and np.all(np.isnan(sw2.precision)) and np.all(sw2.f1 == 0)
    sw3 = s.score_sweep(category=3, thresholds=th)
    assert np.all(np.isnan(sw3.recall)) and np.all(np.isnan(sw3.f1))

    # pooled: the mean over categories 1 and 2 (precision over those where
    # it is defined)
    pooled = s.score_sweep(thresholds=th)
    cat1 = s.score_sweep(category=1, thresholds=th)
    assert pooled.recall.tolist() == [r / 2 for r in cat1.recall]
    assert pooled.f1.tolist() == [f / 2 for f in cat1.f1]
    assert pooled.precision[:5].tolist() == cat1.precision[:5].tolist()
    assert np.isnan(pooled.precision[5])

    with pytest.raises(ValueError, match="ascending"):
        s.score_sweep(thresholds=[0.5, 0.2])


def test_score_sweep_reads_the_same_as_on_pycocotools_arrays(pair, sweep_pair):
    for s, ev in (pair("bbox"), sweep_pair, pair("keypoints")):
        ref = SimpleNamespace(
            precision=ev.eval["precision"], recall=ev.eval["recall"],
            scores=ev.eval["scores"], iou_thresholds=ev.params.iouThrs,
            recall_thresholds=ev.params.recThrs, category_ids=list(ev.params.catIds),
            area_ranges=tuple(ev.params.areaRngLbl), max_dets=tuple(ev.params.maxDets))
        cap = ev.params.maxDets[-1]
        for category in [None] + list(ev.params.catIds)[:5]:
            for iou in (0.5, 0.75):
                got = s.score_sweep(iou=iou, category=category, max_dets=cap)
                want = _curves.score_sweep(ref, iou=iou, category=category, max_dets=cap)
                for g, w in zip(got, want):
                    assert np.array_equal(g, w, equal_nan=True)


def test_score_sweep_on_the_sample(pair):
    s, ev = pair("bbox")
    sw = s.score_sweep()
    assert sw.score.size > 100 and np.all(np.diff(sw.score) > 0)
    # recall can only fall as the threshold rises
    assert np.all(np.diff(sw.recall) <= 0)
    # at the lowest threshold a category keeps every step: its recall is its
    # highest reached recall threshold; the pooled recall is their mean
    rec_thrs = ev.params.recThrs
    r = ev.eval["recall"][0, :, 0, 2]
    lowest = sw.score[:1]
    per = []
    for k, cid in enumerate(ev.params.catIds):
        one = s.score_sweep(category=cid, thresholds=lowest)
        if r[k] == -1:
            assert np.isnan(one.recall[0])
            continue
        assert one.recall[0] == (rec_thrs[rec_thrs <= r[k]].max() if r[k] > 0 else 0.0), cid
        per.append(one.recall)
    assert sw.recall[0] == np.mean(np.stack(per), axis=0)[0]
