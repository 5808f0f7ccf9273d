"""What does and does not depend on the order of the input.

Order-free (strict and corrected bit-identical under the permutation, and
pycocotools too -- checked on the same input in the same test):

* the order of the GT ``images`` array (pycocotools sorts the image ids);
* the order of the GT ``categories`` array (it sorts the category ids);
* the order of the GT ``annotations`` array, as long as no detection has
  two ground truths at exactly the same IoU (B2: the later one wins, so
  there the order counts -- in pycocotools, strict and corrected alike;
  ``test_gt_order_matters_through_b2`` pins that);
* the order of the results across images, each image's results keeping
  their relative order (accumulation orders detections by score, then
  image id, then rank within the image).

Order-dependent: the order of tied-score results *within* an image (A1).
pycocotools and strict follow it; corrected breaks such ties by box and
does not (``test_tied_results_within_an_image``).

Threads: ``evaluate(..., num_threads=n)`` matches cells on n threads; the
numbers, the per-image records and the error reported for bad input do not
depend on n (``test_thread_count*``).
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from parity import negative_controls as nc
from parity.checks import (assert_matches_oracle, cached_workload, evaluate_in_mode,
                           summary_difference, vernier_iou)
from parity.corrected_oracle import run_corrected
from parity.generate import (_categories, _image, adversarial_tied_scores, make_keypoint_workload,
                             make_segm_workload, make_workload)
from parity.oracle import run_pycocotools

KINDS = ("bbox", "segm", "keypoints", "boundary")


def _workload(kind: str):
    """Small generated workloads, ties in scores included (2-decimal exports)."""
    if kind == "bbox":
        return cached_workload(make_workload, 40, 501, crowd_rate=0.03)
    if kind in ("segm", "boundary"):
        return cached_workload(make_segm_workload, 10, 502, crowd_rate=0.03)
    return cached_workload(make_keypoint_workload, 25, 503)


def _oracle_same(a, b) -> bool:
    """Two pycocotools results bit-identical."""
    return (a.stats.tobytes() == b.stats.tobytes() and a.lines == b.lines
            and all(getattr(a, n).tobytes() == getattr(b, n).tobytes()
                    for n in ("precision", "recall", "scores")))


def _check_invariant(kind: str, gt, dt, gt2, dt2, label: str, use_cats: bool = True):
    """(gt2, dt2) is a permutation of (gt, dt): pycocotools (for the kinds it
    evaluates) gives bit-identical results on both, and so do vernier's two
    modes; strict equals pycocotools on the permuted input."""
    if kind != "boundary":
        ref, ref2 = (run_pycocotools(g, d, kind, use_cats=use_cats) for g, d in ((gt, dt), (gt2, dt2)))
        assert _oracle_same(ref, ref2), f"[{label}] pycocotools itself depends on this order"
    for mode in ("strict", "corrected"):
        base = evaluate_in_mode(gt, dt, mode, kind, use_cats=use_cats)
        perm = evaluate_in_mode(gt2, dt2, mode, kind, use_cats=use_cats)
        diff = summary_difference(base, perm)
        assert diff is None, f"[{label} {mode}] the order changed the result:\n  {diff}"
        if mode == "strict" and kind != "boundary":
            assert_matches_oracle(perm, ref2, label=f"{label} strict")


def _permuted(items: list, seed: int) -> list:
    perm = np.random.default_rng(seed).permutation(len(items))
    out = [items[int(i)] for i in perm]
    assert out != items
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_gt_images_order(kind):
    gt, dt = _workload(kind)
    gt2 = dict(gt, images=_permuted(gt["images"], 11))
    _check_invariant(kind, gt, dt, gt2, dt, "images order")


@pytest.mark.parametrize("use_cats", [True, False], ids=["cats", "nocats"])
@pytest.mark.parametrize("kind", ["bbox", "segm"])
def test_gt_categories_order(kind, use_cats):
    gt, dt = _workload(kind)
    gt2 = dict(gt, categories=_permuted(gt["categories"], 12))
    _check_invariant(kind, gt, dt, gt2, dt, "categories order", use_cats)


@pytest.mark.parametrize("kind", KINDS)
def test_gt_annotations_order(kind):
    """No detection of these workloads has two GTs at exactly equal IoU, so
    the annotation order is free here (pycocotools is checked to agree)."""
    gt, dt = _workload(kind)
    gt2 = dict(gt, annotations=_permuted(gt["annotations"], 13))
    _check_invariant(kind, gt, dt, gt2, dt, "annotations order")


def test_gt_order_matters_through_b2():
    """A detection at exactly the same IoU with two GTs takes the later one
    (B2): swapping the two GTs changes pycocotools, strict follows it, and
    corrected (B2 is not a fix) equals strict."""
    def gt_of(anns):
        return {"images": [_image(1, 50, 50)], "categories": _categories([1]), "annotations": anns}

    a = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0.0, 0.0, 10.0, 10.0],
         "area": 100.0, "iscrowd": 0}
    b = {"id": 2, "image_id": 1, "category_id": 1, "bbox": [2.0, 0.0, 10.0, 10.0],
         "area": 100.0, "iscrowd": 0}
    dt = [{"image_id": 1, "category_id": 1, "bbox": [1.0, 0.0, 10.0, 10.0], "score": 0.9},
          {"image_id": 1, "category_id": 1, "bbox": [0.0, 0.0, 10.0, 10.0], "score": 0.8}]
    g1, g2 = gt_of([a, b]), gt_of([b, a])
    ref1, ref2 = run_pycocotools(g1, dt), run_pycocotools(g2, dt)
    assert not _oracle_same(ref1, ref2), "pycocotools did not depend on the GT order"
    for g, ref in ((g1, ref1), (g2, ref2)):
        strict = evaluate_in_mode(g, dt, "strict", "bbox")
        assert_matches_oracle(strict, ref, label="B2 order strict")
        assert summary_difference(strict, evaluate_in_mode(g, dt, "corrected", "bbox")) is None


def _interleaved(dt: list, seed: int) -> list:
    """The results in another order across images, each image's results in
    their original relative order."""
    slots = _permuted(list(range(len(dt))), seed)          # which image goes where
    by_image: dict = {}
    for r in dt:
        by_image.setdefault(r["image_id"], []).append(r)
    owners = [dt[i]["image_id"] for i in slots]
    queues = {k: iter(v) for k, v in by_image.items()}
    out = [next(queues[img]) for img in owners]
    assert sorted(map(id, out)) == sorted(map(id, dt)) and out != dt
    return out


@pytest.mark.parametrize("use_cats", [True, False], ids=["cats", "nocats"])
@pytest.mark.parametrize("kind", KINDS)
def test_results_order_across_images(kind, use_cats):
    """Ties across images included (2-decimal scores): still free."""
    gt, dt = _workload(kind)
    dt2 = _interleaved(dt, 14)
    # keep the first result first: it decides how pycocotools reads the list
    # (J6).  dt[0] is the first result of its image, so moving it to the
    # front keeps every image's relative order.
    dt2.insert(0, dt2.pop(next(i for i, r in enumerate(dt2) if r is dt[0])))
    assert dt2 != dt
    scores = [r["score"] for r in dt]
    assert len(set(scores)) < len(scores), "the workload has no tied scores"
    _check_invariant(kind, gt, dt, gt, dt2, "results across images", use_cats)


@pytest.mark.parametrize("use_cats", [True, False], ids=["cats", "nocats"])
def test_tied_results_within_an_image(use_cats):
    """Reversing the order of equal-score results within each image (and
    category) changes pycocotools, strict follows it; corrected does not
    change and equals its oracle."""
    gt, dt = adversarial_tied_scores()
    _, dt2 = nc.mutate("reverse_ties", json.dumps(gt).encode(), copy.deepcopy(dt))
    assert dt2 != dt
    ref, ref2 = run_pycocotools(gt, dt, use_cats=use_cats), run_pycocotools(gt, dt2, use_cats=use_cats)
    assert not _oracle_same(ref, ref2), "pycocotools did not depend on the tie order"
    s1, s2 = (evaluate_in_mode(gt, d, "strict", "bbox", use_cats=use_cats) for d in (dt, dt2))
    assert_matches_oracle(s1, ref, label="ties strict")
    assert_matches_oracle(s2, ref2, label="ties reversed strict")
    c1, c2 = (evaluate_in_mode(gt, d, "corrected", "bbox", use_cats=use_cats) for d in (dt, dt2))
    assert_matches_oracle(c1, run_corrected(gt, dt, use_cats=use_cats), label="ties corrected")
    diff = summary_difference(c1, c2)
    assert diff is None, f"corrected depends on the tie order:\n  {diff}"


@pytest.mark.parametrize("mode", ["strict", "corrected"])
@pytest.mark.parametrize("kind", KINDS)
def test_thread_count(kind, mode):
    """Matching on several threads (``evaluate(..., num_threads=n)``) gives
    the same bits as on one, records included; strict also equals
    pycocotools (boundary: the OpenCV oracle is covered elsewhere)."""
    from vernier.instance import Evaluator

    gt, dt = _workload(kind)
    gt_b, dt_b = json.dumps(gt).encode(), json.dumps(dt).encode()
    ev = Evaluator(iou=vernier_iou(kind), parity_mode=mode)
    one = ev.evaluate(gt_b, dt_b, keep_records=True)
    for n in (2, 3, 0, 7):
        many = ev.evaluate(gt_b, dt_b, keep_records=True, num_threads=n)
        diff = summary_difference(many, one)
        assert diff is None, f"num_threads={n}:\n  {diff}"
        r1, rn = one.image_records(), many.image_records()
        for name, arr in r1.items():
            assert np.array_equal(rn[name], arr), f"num_threads={n}: records {name} differ"
    if mode == "strict" and kind != "boundary":
        assert_matches_oracle(ev.evaluate(gt_b, dt_b, num_threads=2), run_pycocotools(gt, dt, kind),
                              label=f"{kind} num_threads=2")


def test_thread_count_keeps_the_first_error():
    """When several cells would fail, every thread count reports the error of
    the first failing cell in evaluation order, as the sequential run does:
    here corrected mode refuses masks whose size differs from the ground
    truth's (I2) in many cells."""
    import vernier
    from vernier.instance import Evaluator

    gt, dt = make_segm_workload(30, 504, result_bbox=True)
    sizes = {im["id"]: (im["height"], im["width"]) for im in gt["images"]}
    bad = copy.deepcopy(dt)
    for i, r in enumerate(bad):
        seg = r.get("segmentation")
        if i % 3 == 0 and isinstance(seg, dict):
            h, w = sizes[r["image_id"]]
            r["segmentation"] = {"size": [h + 1, w], "counts": [0, (h + 1) * w]}
    gt_b, dt_b = json.dumps(gt).encode(), json.dumps(bad).encode()
    ev = Evaluator(iou=vernier_iou("segm"), parity_mode="corrected")
    messages = set()
    for n in (1, 2, 4, 0):
        with pytest.raises(vernier.SchemaError) as info:
            ev.evaluate(gt_b, dt_b, num_threads=n)
        messages.add((str(info.value), info.value.index))
    assert len(messages) == 1, messages


@pytest.mark.parametrize("bad", [-1, 257, 1.5, "2", True])
def test_thread_count_is_validated(bad):
    import vernier
    from vernier.instance import Bbox, Evaluator

    gt, dt = make_workload(3, 505)
    with pytest.raises(vernier.InvalidConfigError):
        Evaluator(iou=Bbox()).evaluate(json.dumps(gt).encode(), dt, num_threads=bad)
