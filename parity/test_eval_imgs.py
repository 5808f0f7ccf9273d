"""Deep parity: the per-image match records (pycocotools' ``evalImgs``),
entry by entry and cell by cell, in both parity modes.

``Summary.eval_imgs()`` (with ``evaluate(..., keep_records=True)``) must
give, for every (category, area range, image), what ``COCOeval.evalImgs``
holds after ``evaluate()``: None in the same places; the same image and
category ids, area range and maxDet; the same detection and ground-truth
ids in the same order; the same matches per IoU threshold (``dtMatches``,
``gtMatches``), scores and ignore flags (``gtIgnore``, ``dtIgnore``).
Strict mode is compared with pycocotools 2.0.11, corrected mode with the
corrected oracle (``parity/corrected_oracle.py``), both run in the test.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from parity import generate
from parity.checks import expected_pairs, keypoint_sigmas_for, load_pair, pair_id, vernier_iou
from parity.corrected_oracle import run_corrected
from parity.oracle import run_pycocotools


def _vernier_eval_imgs(gt, dt, iou, mode, sigmas=None, **kw):
    from vernier.instance import Evaluator

    ev = Evaluator(iou=vernier_iou(iou, sigmas=keypoint_sigmas_for(gt, sigmas)),
                   parity_mode=mode, **kw)
    return ev.evaluate(gt, dt, keep_records=True).eval_imgs()


def _positions(ids, targets):
    """Positions within ``ids`` of each matched id in ``targets`` (0 = none)."""
    where = {v: i for i, v in enumerate(ids)}
    return np.array([[where[v] if v != 0 else -1 for v in row] for row in targets],
                    dtype=np.int64).reshape(np.shape(targets))


def eval_imgs_difference(ours, ref, *, fresh_id=None) -> str | None:
    """None when ``ours`` equals pycocotools' ``ref`` entry for entry, else a
    description of the first difference.  ``fresh_id``: the id the corrected
    oracle gave a GT whose real id is 0 (vernier keeps 0)."""
    if len(ours) != len(ref):
        return f"{len(ours)} entries, pycocotools has {len(ref)}"
    for n, (a, b) in enumerate(zip(ours, ref)):
        if (a is None) != (b is None):
            return f"entry {n}: {'None' if a is None else 'present'} vs pycocotools {b!r:.80}"
        if a is None:
            continue
        gt_ids = [0 if (fresh_id is not None and g == fresh_id) else g for g in b["gtIds"]]
        for key, want in (("image_id", b["image_id"]), ("category_id", b["category_id"]),
                          ("aRng", list(b["aRng"])), ("maxDet", b["maxDet"]),
                          ("dtIds", list(b["dtIds"])), ("gtIds", gt_ids),
                          ("dtScores", list(b["dtScores"]))):
            if a[key] != want:
                return f"entry {n}: {key} {a[key]!r:.120} vs pycocotools {want!r:.120}"
        if a["gtIgnore"].dtype != np.asarray(b["gtIgnore"]).dtype:
            return (f"entry {n}: gtIgnore dtype {a['gtIgnore'].dtype} vs pycocotools "
                    f"{np.asarray(b['gtIgnore']).dtype}")
        for key in ("gtIgnore", "dtIgnore"):
            want = np.asarray(b[key])
            if a[key].shape != want.shape and want.size + a[key].size > 0:
                return f"entry {n}: {key} shape {a[key].shape} vs {want.shape}"
            if not np.array_equal(a[key].reshape(want.shape), want):
                return f"entry {n}: {key} {a[key].tolist()} vs pycocotools {want.tolist()}"
        # matches by position: unambiguous in both modes
        dm = _positions(b["gtIds"], np.asarray(b["dtMatches"]))
        gm = _positions(b["dtIds"], np.asarray(b["gtMatches"]))
        # (in strict mode a match to a GT with id 0 reads as 0 = "none" in
        # pycocotools' dtMatches, so positions are only comparable without
        # such a GT; the id comparison below covers that case)
        if 0 not in b["gtIds"] and not np.array_equal(a["dtMatchIndex"].reshape(dm.shape), dm):
            return f"entry {n}: dtMatchIndex {a['dtMatchIndex'].tolist()} vs {dm.tolist()}"
        if not np.array_equal(a["gtMatchIndex"].reshape(gm.shape), gm):
            return f"entry {n}: gtMatchIndex {a['gtMatchIndex'].tolist()} vs {gm.tolist()}"
        if fresh_id is None:
            # and by id, as pycocotools stores them (floats, 0 = none)
            for key in ("dtMatches", "gtMatches"):
                want = np.asarray(b[key])
                if a[key].dtype != want.dtype or not np.array_equal(a[key].reshape(want.shape),
                                                                     want):
                    return f"entry {n}: {key} {a[key].tolist()} vs pycocotools {want.tolist()}"
    return None


def _fresh_id(gt) -> int | None:
    anns = (json.loads(gt) if isinstance(gt, (bytes, str)) else gt)["annotations"]
    ids = [a["id"] for a in anns]
    return max(ids + [0]) + 1 if 0 in ids else None


def check(gt, dt, iou, mode, sigmas=None, **kw):
    if isinstance(gt, dict):
        gt = json.dumps(gt).encode()
    ours = _vernier_eval_imgs(gt, dt, iou, mode, sigmas=sigmas, **kw)
    oracle_kw = {"kpt_oks_sigmas": sigmas}
    if "max_dets" in kw:
        oracle_kw["max_dets"] = kw["max_dets"]
    if "use_cats" in kw:
        oracle_kw["use_cats"] = kw["use_cats"]
    if mode == "strict":
        ref = run_pycocotools(gt, dt, iou, **oracle_kw).eval_imgs
        diff = eval_imgs_difference(ours, ref)
    else:
        ref = run_corrected(gt, dt, iou, **oracle_kw).eval_imgs
        diff = eval_imgs_difference(ours, ref, fresh_id=_fresh_id(gt))
    assert diff is None, diff
    return ours


def _pairs(kind):
    return [p for p in expected_pairs(kind) if not p.get("error")]


@pytest.mark.parametrize("mode", ["strict", "corrected"])
@pytest.mark.parametrize("entry", _pairs("bbox"), ids=pair_id)
def test_bbox_fixture_records(entry, mode, vernier):
    gt, dt = load_pair(entry)
    try:
        run_pycocotools(gt, dt, "bbox")
    except Exception:  # pairs pycocotools refuses are covered by the error tests
        pytest.fail(f"fixture {pair_id(entry)} is not an evaluable pair")
    check(gt, dt, "bbox", mode)


def _evaluable(kind):
    out = []
    for p in _pairs(kind):
        if "stats" in p:
            out.append(p)
    return out


@pytest.mark.parametrize("mode", ["strict", "corrected"])
@pytest.mark.parametrize("entry", _evaluable("segm"), ids=pair_id)
def test_segm_fixture_records(entry, mode, vernier):
    gt, dt = load_pair(entry)
    if mode == "corrected":
        # corrected refuses some inputs strict evaluates (I2, J2, K1);
        # those refusals are pinned in test_corrected.py
        try:
            _vernier_eval_imgs(gt, dt, "segm", mode)
        except vernier.VernierError:
            return
    check(gt, dt, "segm", mode)


@pytest.mark.parametrize("mode", ["strict", "corrected"])
@pytest.mark.parametrize("entry", _evaluable("keypoints"), ids=pair_id)
def test_keypoint_fixture_records(entry, mode, vernier):
    gt, dt = load_pair(entry)
    check(gt, dt, "keypoints", mode, sigmas=entry.get("kpt_oks_sigmas"))


@pytest.mark.parametrize("mode", ["strict", "corrected"])
@pytest.mark.parametrize("seed,use_cats", [(11, True), (12, False), (13, True)])
def test_generated_bbox_records(seed, use_cats, mode, vernier):
    gt, dt = generate.make_workload(150, seed)
    check(gt, dt, "bbox", mode, use_cats=use_cats)


@pytest.mark.parametrize("mode", ["strict", "corrected"])
def test_generated_bbox_records_custom_ladder(mode, vernier):
    """maxDet in the records is the ladder's largest cap; detections beyond
    it are not in the records."""
    gt, dt = generate.make_workload(80, 21)
    ours = check(gt, dt, "bbox", mode, max_dets=(1, 5, 7))
    assert {e["maxDet"] for e in ours if e is not None} == {7}


@pytest.mark.parametrize("mode", ["strict", "corrected"])
def test_generated_segm_records(mode, vernier):
    gt, dt = generate.make_segm_workload(40, 5, area_mismatch_rate=0.0)
    gt = json.dumps(gt).encode()
    if mode == "corrected":
        try:
            _vernier_eval_imgs(gt, dt, "segm", mode)
        except vernier.VernierError:
            pytest.fail("the generated segm workload should be evaluable in corrected mode")
    check(gt, dt, "segm", mode)


@pytest.mark.parametrize("mode", ["strict", "corrected"])
def test_generated_keypoint_records(mode, vernier):
    gt, dt = generate.make_keypoint_workload(60, 7)
    check(gt, dt, "keypoints", mode)


@pytest.mark.parametrize("mode", ["strict", "corrected"])
def test_records_with_id_zero_and_crowds(mode, vernier):
    """A GT with id 0 (pycocotools: its matches read as "no match") and a
    crowd matched by several detections (gtMatches keeps the last)."""
    gt = {
        "images": [{"id": 1, "width": 100, "height": 100}],
        "categories": [{"id": 1}],
        "annotations": [
            {"id": 0, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100,
             "iscrowd": 0},
            {"id": 7, "image_id": 1, "category_id": 1, "bbox": [50, 50, 40, 40], "area": 1600,
             "iscrowd": 1},
        ],
    }
    dt = [
        {"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9},
        {"image_id": 1, "category_id": 1, "bbox": [50, 50, 20, 20], "score": 0.8},
        {"image_id": 1, "category_id": 1, "bbox": [60, 60, 20, 20], "score": 0.7},
    ]
    ours = check(gt, dt, "bbox", mode)
    entry = ours[0]
    assert entry["gtIds"] == [0, 7]
    # the crowd absorbed both detections; the last one is what gtMatches keeps
    assert entry["gtMatchIndex"][0].tolist() == [0, 2]


def test_records_need_keep_records(vernier):
    from vernier.instance import Bbox, Evaluator

    gt, dt = generate.make_workload(5, 1)
    summary = Evaluator(iou=Bbox()).evaluate(json.dumps(gt).encode(), dt)
    with pytest.raises(vernier.StateError, match="keep_records"):
        summary.eval_imgs()


def test_records_do_not_change_the_numbers(vernier):
    """Keeping the records is observation only: the arrays and stats are the
    same bits with and without them."""
    from vernier.instance import Bbox, Evaluator

    gt, dt = generate.make_workload(120, 3)
    gt = json.dumps(gt).encode()
    a = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(gt, dt)
    b = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(gt, dt, keep_records=True)
    assert a.stats == b.stats
    for name in ("precision", "recall", "scores"):
        assert np.array_equal(getattr(a, name), getattr(b, name))


def test_image_records_columns_agree_with_eval_imgs(vernier):
    from vernier.instance import Bbox, Evaluator

    gt, dt = generate.make_workload(60, 4)
    s = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(json.dumps(gt).encode(), dt,
                                                             keep_records=True)
    recs = s.image_records()
    entries = s.eval_imgs()
    present = [i for i, e in enumerate(entries) if e is not None]
    assert recs["records"][:, 0].tolist() == present
    assert int(recs["records"][:, 5].sum()) == len(recs["dt_id"])
    assert int(recs["records"][:, 6].sum()) == len(recs["gt_id"])
    assert recs["n_eval_imgs"] == len(entries)
