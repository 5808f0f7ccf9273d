"""Parity of the tables (Summary.per_class, per_image, per_detection,
per_gt) with pycocotools 2.0.11, run in the test.

* Per class: every metric column equals pycocotools' summarize() arithmetic
  restricted to one category -- np.mean over the cells > -1 of
  ``eval["precision"][t, :, k, a, m]`` (recall: ``eval["recall"][t, k, a,
  m]``), -1 when none -- bit for bit (``==`` on floats), on every shared
  fixture pair (bbox, segm, keypoints) and on generated workloads; ``n_gt``
  and ``n_dt`` equal the counts read from ``evalImgs``.
* Per image, per detection, per ground truth: equal to what ``evalImgs``
  holds for the first area range (dtIds, dtMatches, dtIgnore, gtIds,
  gtMatches, gtIgnore), TP/FP/FN as pycocotools' accumulate() counts them.
* The per-class and per-image tables are the same for one-shot (with or
  without records), background (several batch splits) and merged-partial
  evaluations.
"""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest

from parity import generate
from parity.checks import expected_pairs, keypoint_sigmas_for, load_pair, pair_id, vernier_iou
from parity.oracle import run_pycocotools


def _evaluate(gt, dt, iou, mode="strict", sigmas=None, **kw):
    from vernier.instance import Evaluator

    ev = Evaluator(iou=vernier_iou(iou, sigmas=keypoint_sigmas_for(gt, sigmas)),
                   parity_mode=mode, **kw)
    return ev.evaluate(gt, dt, keep_records=True)


def _expected_class_stat(ref, d, k):
    """pycocotools' _summarize(ap, iouThr, areaRng, maxDets) for category k:
    the same indexing, then np.mean over the cells > -1 (-1 if none)."""
    p = ref.params
    aind = [i for i, a in enumerate(p.areaRngLbl) if a == d.area]
    mind = [i for i, m in enumerate(p.maxDets) if m == d.max_dets]
    if d.metric == "AP":
        s = ref.precision
        if not d.all_ious:
            s = s[np.where(d.iou_lo == p.iouThrs)[0]]
        s = s[:, :, k:k + 1, aind, mind]
    else:
        s = ref.recall
        if not d.all_ious:
            s = s[np.where(d.iou_lo == p.iouThrs)[0]]
        s = s[:, k:k + 1, aind, mind]
    if len(s[s > -1]) == 0:
        return -1.0
    return float(np.mean(s[s > -1]))


def _first_area_entries(ref, k_n, a_n):
    """evalImgs entries of the first area range, category-major, image
    order, without the Nones, with their category index."""
    n_img = len(ref.eval_imgs) // (k_n * a_n)
    out = []
    for k in range(k_n):
        for i in range(n_img):
            e = ref.eval_imgs[(k * a_n) * n_img + i]
            if e is not None:
                out.append((k, e))
    return out, n_img


def _same(a: float, b: float) -> bool:
    """Bit-for-bit float equality, a NaN equal to a NaN (pycocotools
    matches a NaN IoU: "not below" the threshold)."""
    return a == b or (a != a and b != b)


def _cell_ious(ref, e):
    """pycocotools' IoU matrix of evalImgs entry ``e`` as evaluateImg()
    reads it: rows the detections in dtIds order, columns the ground truths
    in gtIds order (computeIoU's columns taken through evaluateImg's stable
    ignore sort, first area range); None when the cell has no pair.  For
    keypoints, computeOks' values with libm's exp (_oks_with_libm_exp)."""
    # evaluate()'s parameters: accumulate() sets params.catIds to [-1]
    # when categories are pooled
    coco = ref.coco_eval
    p = coco._paramsEval
    img, cat = e["image_id"], e["category_id"]
    if p.useCats:
        gts = coco._gts[img, cat]
    else:
        gts = [g for c in p.catIds for g in coco._gts[img, c]]
    lo, hi = p.areaRng[0]
    ig = [int(g["ignore"] or g["area"] < lo or g["area"] > hi) for g in gts]
    gtind = np.argsort(ig, kind="mergesort")
    assert [gts[i]["id"] for i in gtind] == list(e["gtIds"])
    m = coco.ious[img, cat]
    if len(m) == 0:
        return None
    m = np.asarray(m)[:, gtind]
    assert m.shape == (len(e["dtIds"]), len(e["gtIds"]))
    if p.iouType == "keypoints":
        m = _oks_with_libm_exp(coco, p, img, cat, [gts[i] for i in gtind], m)
    return m


def _oks_with_libm_exp(coco, p, img, cat, gts, m):
    """``m`` (pycocotools' OKS matrix, evaluateImg's order) with each value
    recomputed by computeOks' own arithmetic but the C library's ``exp``
    (math.exp) in place of ``np.exp``: vernier's strict promise for
    keypoints (ADR 0009, quirk F8), since numpy's AVX-512 ``exp`` may
    differ from libm's in the last bit.  The re-statement is checked
    against pycocotools first: with ``np.exp`` it must give ``m``'s value
    bit for bit."""
    if p.useCats:
        dts = coco._dts[img, cat]
    else:
        dts = [d for c in p.catIds for d in coco._dts[img, c]]
    dts = [dts[i] for i in np.argsort([-d["score"] for d in dts], kind="mergesort")]
    dts = dts[:p.maxDets[-1]]
    sigmas = p.kpt_oks_sigmas
    var = (sigmas * 2) ** 2
    out = m.copy()
    for j, dt in enumerate(dts):
        d = np.array(dt["keypoints"])
        xd, yd = d[0::3], d[1::3]
        for g_pos, gt in enumerate(gts):
            g = np.array(gt["keypoints"])
            xg, yg, vg = g[0::3], g[1::3], g[2::3]
            k1 = np.count_nonzero(vg > 0)
            bb = gt["bbox"]
            if k1 > 0:
                dx, dy = xd - xg, yd - yg
            else:
                z = np.zeros(len(sigmas))
                x0, x1 = bb[0] - bb[2], bb[0] + bb[2] * 2
                y0, y1 = bb[1] - bb[3], bb[1] + bb[3] * 2
                dx = np.max((z, x0 - xd), axis=0) + np.max((z, xd - x1), axis=0)
                dy = np.max((z, y0 - yd), axis=0) + np.max((z, yd - y1), axis=0)
            e = (dx ** 2 + dy ** 2) / var / (gt["area"] + np.spacing(1)) / 2
            if k1 > 0:
                e = e[vg > 0]
            with_np = np.sum(np.exp(-e)) / e.shape[0]
            assert _same(with_np, m[j, g_pos]), (dt["id"], gt["id"], with_np, m[j, g_pos])
            out[j, g_pos] = np.sum(np.array([math.exp(-x) for x in e])) / e.shape[0]
    return out


def _match_ious(ref, e, T):
    """Per detection of ``e`` and per threshold, the IoU with its matched
    ground truth in pycocotools (``ious[d, g]``), -1.0 when unmatched; and
    per ground truth and threshold, the IoU of the detection gtMatches
    names, -1.0 for none.  The matched ground truth's position: the one
    whose gtMatches names this detection (loadRes ids are unique), else
    (a crowd matched again keeps only the last detection) the one
    position whose id is dtMatches'."""
    dtm = np.asarray(e["dtMatches"]).reshape(T, -1)
    gtm = np.asarray(e["gtMatches"]).reshape(T, -1)
    gt_ids, dt_ids = list(e["gtIds"]), list(e["dtIds"])
    m = _cell_ious(ref, e)
    d_out = np.full((len(dt_ids), T), -1.0)
    g_out = np.full((len(gt_ids), T), -1.0)
    for t in range(T):
        for j, d_id in enumerate(dt_ids):
            linked = [g for g in range(len(gt_ids)) if gtm[t, g] == d_id]
            if not linked and dtm[t, j] != 0:
                linked = [g for g in range(len(gt_ids)) if gt_ids[g] == dtm[t, j]]
            if not linked:
                continue
            assert len(linked) == 1, (e["image_id"], e["category_id"], d_id, linked)
            d_out[j, t] = m[j, linked[0]]
        for g in range(len(gt_ids)):
            if gtm[t, g] != 0:
                g_out[g, t] = m[dt_ids.index(gtm[t, g]), g]
    return d_out, g_out


def check_tables(gt, dt, iou, sigmas=None, **kw):
    if isinstance(gt, dict):
        gt = json.dumps(gt).encode()
    summary = _evaluate(gt, dt, iou, sigmas=sigmas, **kw)
    oracle_kw = {"kpt_oks_sigmas": sigmas}
    for key in ("max_dets", "use_cats"):
        if key in kw:
            oracle_kw[key] = kw[key]
    ref = run_pycocotools(gt, dt, iou, **oracle_kw)
    k_n, a_n = ref.precision.shape[2], ref.precision.shape[3]
    table = summary.per_class()
    assert len(table) == k_n
    # the metric columns, bit for bit
    for d, name in zip(summary.stat_descriptors(), summary.metric_names):
        want = [_expected_class_stat(ref, d, k) for k in range(k_n)]
        got = table[name].tolist()
        assert got == want, (name, [(k, g, w) for k, (g, w) in enumerate(zip(got, want))
                                    if g != w][:5])
    # the counts, from evalImgs (first area range)
    entries, n_img = _first_area_entries(ref, k_n, a_n)
    n_gt, n_dt = [0] * k_n, [0] * k_n
    for k, e in entries:
        n_gt[k] += int(np.sum(np.asarray(e["gtIgnore"]) == 0))
        n_dt[k] += len(e["dtIds"])
    assert table["n_gt"].tolist() == n_gt
    assert table["n_dt"].tolist() == n_dt

    # per image: TP/FP/FN as accumulate() counts them
    per_image = summary.per_image()
    T = len(ref.params.iouThrs)
    img_ids = sorted(set(ref.params.imgIds))
    assert per_image["image_id"].tolist() == img_ids
    pos = {img: i for i, img in enumerate(img_ids)}
    want = {c: np.zeros(len(img_ids), np.int64) for c in per_image.columns if c != "image_id"}
    for _, e in entries:
        i = pos[e["image_id"]]
        g_real = int(np.sum(np.asarray(e["gtIgnore"]) == 0))
        want["n_gt"][i] += g_real
        want["n_dt"][i] += len(e["dtIds"])
        dtm = np.asarray(e["dtMatches"]).reshape(T, -1)
        dtig = np.asarray(e["dtIgnore"]).reshape(T, -1)
        for t, thr in enumerate(ref.params.iouThrs):
            p = f"{round(thr * 100, 6):g}"
            tp = int(np.sum(np.logical_and(dtm[t] != 0, np.logical_not(dtig[t]))))
            fp = int(np.sum(np.logical_and(dtm[t] == 0, np.logical_not(dtig[t]))))
            want["tp" + p][i] += tp
            want["fp" + p][i] += fp
            want["fn" + p][i] += g_real - tp
    for c, v in want.items():
        assert per_image[c].tolist() == v.tolist(), c

    # per detection and per ground truth: the evalImgs fields, row by row
    dets, gts = summary.per_detection(), summary.per_gt()
    d_rows, g_rows = [], []
    crowd_of = {}   # annotation id -> iscrowd (ids may repeat: all the values seen)
    for g in ref.coco_eval.cocoGt.dataset["annotations"]:
        crowd_of.setdefault(g["id"], set()).add(bool(g.get("iscrowd", 0)))
    for _, e in entries:
        dtm = np.asarray(e["dtMatches"]).reshape(T, -1)
        dtig = np.asarray(e["dtIgnore"]).reshape(T, -1)
        gtm = np.asarray(e["gtMatches"]).reshape(T, -1)
        d_iou, g_iou = _match_ious(ref, e, T)
        for j, d_id in enumerate(e["dtIds"]):
            d_rows.append((d_id, e["image_id"], e["category_id"], e["dtScores"][j],
                           dtm[:, j].tolist(), dtig[:, j].tolist(), d_iou[j].tolist()))
        for j, g_id in enumerate(e["gtIds"]):
            g_rows.append((g_id, e["image_id"], e["category_id"], bool(e["gtIgnore"][j]),
                           gtm[:, j].tolist(), g_iou[j].tolist()))
    assert len(dets) == len(d_rows) and len(gts) == len(g_rows)
    thr = [f"{round(t * 100, 6):g}" for t in ref.params.iouThrs]
    for row, (d_id, img, cat, score, m, ig, ious) in zip(dets.rows(), d_rows):
        assert (row["dt_id"], row["image_id"], row["score"]) == (d_id, img, score)
        assert row["category_id"] == (cat if summary.category_ids != [-1] else -1)
        # dtMatches: the matched GT's id, 0 for none (and for a GT of id 0)
        assert [row["gt" + p] if row["matched" + p] else 0 for p in thr] == m
        assert [row["ignored" + p] for p in thr] == [bool(x) for x in ig]
        # the match's IoU: pycocotools' ious[d, g], bit for bit; -1 for none
        got = [row["iou" + p] for p in thr]
        assert all(_same(a, b) for a, b in zip(got, ious)), (d_id, got, ious)
        assert [row["iou" + p] != -1.0 for p in thr] == [row["matched" + p] for p in thr]
    for row, (g_id, img, cat, ig, m, ious) in zip(gts.rows(), g_rows):
        assert (row["gt_id"], row["image_id"], row["ignored"]) == (g_id, img, ig)
        assert [row["dt" + p] if row["matched" + p] else 0 for p in thr] == m
        got = [row["iou" + p] for p in thr]
        assert all(_same(a, b) for a, b in zip(got, ious)), (g_id, got, ious)
        # crowd: the annotation's iscrowd, apart from the ignore flag
        assert crowd_of[g_id] == {row["crowd"]}, (g_id, crowd_of[g_id], row["crowd"])
    return summary


def _pairs(kind):
    return [p for p in expected_pairs(kind) if not p.get("error") and "stats" in p]


@pytest.mark.parametrize("entry", _pairs("bbox"), ids=pair_id)
def test_bbox_fixture_tables(entry, vernier):
    gt, dt = load_pair(entry)
    check_tables(gt, dt, "bbox")


@pytest.mark.parametrize("entry", _pairs("segm"), ids=pair_id)
def test_segm_fixture_tables(entry, vernier):
    gt, dt = load_pair(entry)
    check_tables(gt, dt, "segm")


@pytest.mark.parametrize("entry", _pairs("keypoints"), ids=pair_id)
def test_keypoint_fixture_tables(entry, vernier):
    gt, dt = load_pair(entry)
    check_tables(gt, dt, "keypoints", sigmas=entry.get("kpt_oks_sigmas"))


@pytest.mark.parametrize("seed,use_cats", [(31, True), (32, False), (33, True)])
def test_generated_bbox_tables(seed, use_cats, vernier):
    gt, dt = generate.make_workload(150, seed)
    check_tables(gt, dt, "bbox", use_cats=use_cats)


def test_generated_bbox_tables_custom_ladder(vernier):
    gt, dt = generate.make_workload(80, 34)
    s = check_tables(gt, dt, "bbox", max_dets=(1, 5, 7))
    assert s.metric_names[6:9] == ("AR1", "AR5", "AR7")


def test_generated_segm_tables(vernier):
    gt, dt = generate.make_segm_workload(40, 35, area_mismatch_rate=0.0)
    check_tables(json.dumps(gt).encode(), dt, "segm")


def test_generated_keypoint_tables(vernier):
    gt, dt = generate.make_keypoint_workload(60, 36)
    s = check_tables(gt, dt, "keypoints")
    assert s.metric_names == ("AP", "AP50", "AP75", "APm", "APl",
                              "AR", "AR50", "AR75", "ARm", "ARl")


def test_id_zero_ground_truth_reads_as_unmatched_in_strict(vernier):
    """pycocotools' dtMatches reads a match to GT id 0 as "no match": the
    per-image TP/FP follow accumulate(), the per-detection row still names
    the match."""
    gt = {"images": [{"id": 1, "width": 100, "height": 100}], "categories": [{"id": 1}],
          "annotations": [
              {"id": 0, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100,
               "iscrowd": 0},
              {"id": 5, "image_id": 1, "category_id": 1, "bbox": [50, 50, 10, 10], "area": 100,
               "iscrowd": 0}]}
    dt = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9},
          {"image_id": 1, "category_id": 1, "bbox": [50, 50, 10, 10], "score": 0.8}]
    s = check_tables(json.dumps(gt).encode(), dt, "bbox")
    row = s.per_image().rows()[0]
    assert (row["tp50"], row["fp50"], row["fn50"]) == (1, 1, 1)
    det = s.per_detection().rows()[0]
    assert (det["dt_id"], det["matched50"], det["gt50"]) == (1, True, 0)


# ---- the same tables whichever path produced the evaluation ---------------------------

def _batches(dt, seed):
    groups = {}
    for r in dt:
        groups.setdefault(r["image_id"], []).append(r)
    groups = list(groups.values())
    rng = random.Random(seed)
    rng.shuffle(groups)
    out, i = [], 0
    while i < len(groups):
        k = rng.choice([1, 2, 5, len(groups)])
        out.append([r for g in groups[i:i + k] for r in g])
        i += k
    return out


@pytest.mark.parametrize("mode", ["strict", "corrected"])
@pytest.mark.parametrize("kind", ["bbox", "keypoints"])
def test_per_class_identical_across_paths(kind, mode, vernier):
    from vernier.instance import CocoDataset, Evaluator

    if kind == "bbox":
        gt, dt = generate.make_workload(120, 41)
    else:
        gt, dt = generate.make_keypoint_workload(50, 42)
    gt_b = gt if isinstance(gt, bytes) else json.dumps(gt).encode()
    dt = dt if isinstance(dt, list) else json.loads(dt)
    ds = CocoDataset.from_json(gt_b)
    ev = Evaluator(iou=vernier_iou(kind), parity_mode=mode)
    one_shot = ev.evaluate(ds, dt)
    ref = one_shot.per_class()
    assert (ref["AP"] > -1).any()
    # the per-image table: the same without records as with them (the
    # latter checked against pycocotools by check_tables)
    ref_img = one_shot.per_image()
    assert ref_img == ev.evaluate(ds, dt, keep_records=True).per_image()
    assert int(np.sum(ref_img["tp50"])) > 0 and int(np.sum(ref_img["fp50"])) > 0
    for seed in range(3):
        with ev.background(ds, queue_capacity=2) as bg:
            for b in _batches(dt, seed):
                bg.submit(b, timeout=30)
            got = bg.finalize()
        assert got.per_class() == ref
        assert got.per_image() == ref_img
        parts = [ev.evaluate_to_partial(ds, b, rank_id=r)
                 for r, b in enumerate(_batches(dt, seed + 10))]
        merged = Evaluator.from_partials(ds, parts)
        assert merged.per_class() == ref
        assert merged.per_image() == ref_img
