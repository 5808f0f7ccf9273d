"""Partials: Evaluator.evaluate_to_partial, BackgroundEvaluator.finalize_to_partial
and Evaluator.from_partials.

* For 1 to 4 ranks and several ways of splitting the images (uneven
  contiguous, interleaved, with empty shards, random), in any order, the
  merged summary equals Evaluator.evaluate on all the detections bit for
  bit -- bbox, segm, boundary and keypoints, strict and corrected -- and,
  in strict mode, pycocotools run in the test.
* Every corruption class raises its typed error naming the partial (and
  the rank and the differing setting where they can be trusted); thousands
  of random mutations (truncations, flipped bytes, splices) never crash
  and always raise a typed error.
* Reading and writing a partial back gives the same bytes; the dataset
  digest ignores formatting.
"""
import copy
import json
import random

import numpy as np
import pytest

import vernier
from vernier import _lowlevel as ll
from vernier.instance import CocoDataset, Evaluator, Keypoints, Segm, partial_info

from conftest import CASES, as_bytes, assert_same, case_reference, tiny_dt, tiny_gt

SPLITS = ("uneven", "interleaved", "empty", "random")


def shards(image_ids, ranks, how, rng):
    """Image-id sets, one per rank."""
    ids = sorted(image_ids)
    if how == "interleaved":
        return [set(ids[r::ranks]) for r in range(ranks)]
    if how == "uneven":  # contiguous, sizes ~ 1, 4, 9, ...
        weights = [(r + 1) ** 2 for r in range(ranks)]
        cuts = [sum(weights[:r]) * len(ids) // sum(weights) for r in range(ranks + 1)]
        return [set(ids[cuts[r]:cuts[r + 1]]) for r in range(ranks)]
    if how == "empty":  # every other rank gets nothing
        busy = list(range(0, ranks, 2))
        out = [set() for _ in range(ranks)]
        for i, img in enumerate(ids):
            out[busy[i % len(busy)]].add(img)
        return out
    out = [set() for _ in range(ranks)]
    for img in ids:
        out[rng.randrange(ranks)].add(img)
    return out


@pytest.mark.parametrize("mode", ["strict", "corrected"])
@pytest.mark.parametrize("kind", list(CASES))
def test_merge_equals_single_process(loaded, kind, mode):
    gt_bytes, ds, dt, iou = loaded(kind)
    evaluator = Evaluator(iou=iou, parity_mode=mode)
    ref = evaluator.evaluate(ds, dt)
    gt_images = [img["id"] for img in json.loads(gt_bytes)["images"]]
    rng = random.Random(f"{kind}-{mode}")
    merged = None
    for ranks in (1, 2, 3, 4):
        for how in SPLITS if kind in ("bbox", "segm") or ranks == 3 else ("random",):
            parts = []
            for r, mine in enumerate(shards(gt_images, ranks, how, rng)):
                parts.append(evaluator.evaluate_to_partial(
                    ds, [d for d in dt if d["image_id"] in mine], rank_id=r))
            rng.shuffle(parts)  # any order
            merged = Evaluator.from_partials(ds, parts, iou=iou, parity_mode=mode)
            assert_same(merged, ref)
            assert merged.parity_mode == mode
    if mode == "strict" and kind != "boundary":
        oracle = case_reference(kind)
        assert list(oracle.stats) == merged.stats
        for name in ("precision", "recall", "scores"):
            assert np.array_equal(oracle.eval[name], getattr(merged, name)), name


@pytest.mark.parametrize("kind", ["bbox", "keypoints"])
def test_background_ranks_and_forms(loaded, kind):
    """finalize_to_partial in the training-loop style, gt as bytes, dt as
    JSON bytes, dicts and Detections arrays: all merge to evaluate()."""
    gt_bytes, ds, dt, iou = loaded(kind)
    evaluator = Evaluator(iou=iou, parity_mode="strict")
    ref = evaluator.evaluate(ds, dt)
    images = sorted({d["image_id"] for d in dt})
    parts = []
    for r in range(3):
        mine = images[r::3]
        with evaluator.background(ds, queue_capacity=2, rank_id=r) as bg:
            for i in range(0, len(mine), 4):
                batch = [d for d in dt if d["image_id"] in mine[i:i + 4]]
                if batch:
                    bg.submit(json.dumps(batch).encode() if r == 1 else batch, timeout=30)
            parts.append(bg.finalize_to_partial())
        assert bg.images_seen == len({d["image_id"] for d in dt if d["image_id"] in mine})
        with pytest.raises(vernier.StateError):
            bg.finalize()
        with pytest.raises(vernier.StateError):
            bg.finalize_to_partial()
        assert partial_info(parts[-1])["rank_id"] == r
    assert_same(evaluator.merge_partials(gt_bytes, parts), ref)
    # the one-shot route gives the same bytes as the background route
    once = evaluator.evaluate_to_partial(gt_bytes, json.dumps(
        [d for d in dt if d["image_id"] in images[0::3]]).encode(), rank_id=0)
    assert once == parts[0]


def test_detections_arrays_and_rank_override(loaded):
    _, ds, dt, _ = loaded("bbox")
    ev = Evaluator(parity_mode="corrected")
    img = dt[0]["image_id"]
    rows = [d for d in dt if d["image_id"] == img]
    arrays = {"image_id": img, "boxes": np.array([d["bbox"] for d in rows], np.float64),
              "scores": np.array([d["score"] for d in rows], np.float64),
              "labels": np.array([d["category_id"] for d in rows], np.int64)}
    assert ev.evaluate_to_partial(ds, arrays, rank_id=5) == ev.evaluate_to_partial(
        ds, rows, rank_id=5)
    with ev.background(ds, rank_id=2) as bg:
        bg.submit(arrays)
        blob = bg.finalize_to_partial(rank_id=9)
    assert partial_info(blob)["rank_id"] == 9
    with pytest.raises(vernier.InvalidConfigError):
        ev.evaluate_to_partial(ds, rows, rank_id=-1)
    with pytest.raises(vernier.InvalidConfigError):
        ev.evaluate_to_partial(ds, rows, rank_id=2 ** 32)


def test_custom_grid_use_cats_and_caps_are_carried(loaded):
    _, ds, dt, _ = loaded("bbox")
    ev = Evaluator(parity_mode="corrected", iou_thresholds=(0.3, 0.6),
                   recall_thresholds=(0.0, 0.5, 1.0), max_dets=(2, 7), use_cats=False,
                   area_ranges=(("all", 0, 1e10), ("tiny", 0, 100)))
    ref = ev.evaluate(ds, dt)
    images = sorted({d["image_id"] for d in dt})
    parts = [ev.evaluate_to_partial(ds, [d for d in dt if d["image_id"] in images[r::2]],
                                    rank_id=r) for r in range(2)]
    assert_same(Evaluator.from_partials(
        ds, parts, parity_mode="corrected", iou_thresholds=(0.3, 0.6),
        recall_thresholds=(0.0, 0.5, 1.0), max_dets=(7, 2), use_cats=False,
        area_ranges=(("all", 0, 1e10), ("tiny", 0, 100))), ref)
    # a setting not given is read from the partials; one given differently is refused
    assert_same(Evaluator.from_partials(ds, parts, parity_mode="corrected", max_dets=(2, 7)),
                ref)
    with pytest.raises(vernier.PartialMismatchError) as e:
        Evaluator.from_partials(ds, parts, parity_mode="corrected", max_dets=(2, 7),
                                use_cats=False, recall_thresholds=(0.0, 0.5, 1.0),
                                iou_thresholds=(0.3, 0.7))
    assert e.value.field == "iou_thresholds"


def test_no_partials_and_empty_shards(loaded):
    _, ds, dt, _ = loaded("bbox")
    ev = Evaluator(parity_mode="strict")
    with pytest.raises(vernier.InvalidArgumentError, match="no partials to merge"):
        Evaluator.from_partials(ds, [], parity_mode="strict")
    with pytest.raises(vernier.InvalidArgumentError, match="no partials to merge"):
        ev.merge_partials(ds, [])
    empty = ev.evaluate_to_partial(ds, [], rank_id=3)
    info = partial_info(empty)
    assert info["num_images"] == info["num_detections"] == 0
    assert_same(ev.merge_partials(ds, [empty, empty, ev.evaluate_to_partial(ds, dt)]),
                ev.evaluate(ds, dt))


def test_round_trip_is_byte_identical(loaded):
    for kind in CASES:
        _, ds, dt, iou = loaded(kind)
        for mode in ("strict", "corrected"):
            blob = Evaluator(iou=iou, parity_mode=mode).evaluate_to_partial(ds, dt, rank_id=1)
            again = ll.partial_rewrite(blob)
            assert again == blob
            assert ll.partial_rewrite(again) == blob


def test_dataset_digest_ignores_formatting():
    gt = tiny_gt()
    a = CocoDataset.from_json(as_bytes(gt))
    b = CocoDataset.from_json(json.dumps(
        {k: gt[k] for k in reversed(list(gt))}, indent=3, sort_keys=True).encode())
    moved = copy.deepcopy(gt)
    moved["annotations"][0]["bbox"][0] += 1
    c = CocoDataset.from_json(as_bytes(moved))
    assert a.digest == b.digest != c.digest
    assert len(a.digest) == 64


# ---- errors --------------------------------------------------------------------

@pytest.fixture(scope="module")
def small():
    """Two ranks' partials of the tiny dataset (strict, bbox)."""
    gt = CocoDataset.from_json(as_bytes(tiny_gt()))
    ev = Evaluator(parity_mode="strict")
    dt = tiny_dt()
    p0 = ev.evaluate_to_partial(gt, [d for d in dt if d["image_id"] == 1], rank_id=0)
    p1 = ev.evaluate_to_partial(gt, [d for d in dt if d["image_id"] == 2], rank_id=1)
    return gt, ev, p0, p1


def test_every_error_is_typed(small):
    gt, ev, p0, p1 = small
    strict = {"parity_mode": "strict"}
    # corrupt: truncated, not a partial, a flipped byte
    for bad, field in ((p1[:-1], "length"), (p1[:5], "length"), (b"{}" * 100, "magic"),
                       (p1[:300] + bytes([p1[300] ^ 1]) + p1[301:], "checksum")):
        with pytest.raises(vernier.PartialCorruptError) as e:
            Evaluator.from_partials(gt, [p0, bad], **strict)
        assert (e.value.partial_index, e.value.field, e.value.rank_id) == (1, field, None)
        assert isinstance(e.value, ValueError) and isinstance(e.value, vernier.PartialError)
        assert "partials[1]" in str(e.value)
    # another version
    with pytest.raises(vernier.PartialVersionError) as e:
        Evaluator.from_partials(gt, [p0, p1[:8] + b"\x07" + p1[9:]], **strict)
    assert e.value.partial_index == 1 and "version 7" in str(e.value)
    # another configuration: the first differing setting is named
    for kwargs, field in (({"parity_mode": "corrected"}, "parity_mode"),
                          ({"iou": Segm(), "parity_mode": "strict"}, "iou_type"),
                          ({"max_dets": (1, 10, 99), "parity_mode": "strict"}, "max_dets"),
                          ({"use_cats": False, "parity_mode": "strict"}, "use_cats"),
                          ({"recall_thresholds": (0.0, 1.0), "parity_mode": "strict"},
                           "recall_thresholds"),
                          ({"area_ranges": (("all", 0, 1e10),), "parity_mode": "strict"},
                           "area_ranges")):
        with pytest.raises(vernier.PartialMismatchError) as e:
            Evaluator.from_partials(gt, [p1, p0], **kwargs)
        assert (e.value.field, e.value.partial_index, e.value.rank_id) == (field, 0, 1)
        assert "rank 1" in str(e.value)
    # explicit defaults are the defaults
    Evaluator.from_partials(gt, [p0, p1], max_dets=(100, 1, 10), **strict)
    # another dataset
    other = CocoDataset.from_json(as_bytes(tiny_gt(images=[
        {"id": 1, "width": 100, "height": 100}, {"id": 2, "width": 100, "height": 101}])))
    with pytest.raises(vernier.PartialDatasetMismatchError) as e:
        Evaluator.from_partials(other, [p0, p1], **strict)
    assert e.value.field == "dataset" and e.value.rank_id == 0
    assert isinstance(e.value, vernier.PartialMismatchError)
    # two ranks covering the same image
    p1b = ev.evaluate_to_partial(gt, [d for d in tiny_dt() if d["image_id"] == 2], rank_id=7)
    with pytest.raises(vernier.PartialOverlapError) as e:
        Evaluator.from_partials(gt, [p1, p0, p1b], **strict)
    assert e.value.image_id == 2
    assert e.value.rank_ids == (1, 7) and e.value.partial_indices == (0, 2)
    assert isinstance(e.value, vernier.DuplicateImageError)
    # the budget
    with pytest.raises(vernier.BudgetExceededError):
        Evaluator.from_partials(gt, [p0, p1], memory_budget_bytes=64, **strict)
    # not partials
    with pytest.raises(TypeError):
        Evaluator.from_partials(gt, p0, **strict)
    with pytest.raises(TypeError):
        Evaluator.from_partials(gt, [p0, "text"], **strict)
    with pytest.raises(vernier.PartialCorruptError):
        partial_info(p0[:-2])


def test_keypoint_sigmas_are_compared(loaded):
    gt_bytes, ds, dt, _ = loaded("keypoints")
    cat = json.loads(gt_bytes)["categories"][0]["id"]
    coco = [s / 10.0 for s in (.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07,
                               1.07, .87, .87, .89, .89)]
    blob = Evaluator(iou=Keypoints(), parity_mode="strict").evaluate_to_partial(ds, dt)
    # an override equal to the default resolves to the default
    Evaluator.from_partials(ds, [blob], iou=Keypoints({cat: coco}), parity_mode="strict")
    with pytest.raises(vernier.PartialMismatchError) as e:
        Evaluator.from_partials(ds, [blob], iou=Keypoints({cat: [0.05] * 17}),
                                parity_mode="strict")
    assert e.value.field == "sigmas"


def test_random_mutations_never_crash(small):
    """Thousands of mutated partials: each raises a typed PartialError (the
    SHA-256 checksum cannot be defeated by chance)."""
    gt, ev, p0, p1 = small
    rng = random.Random(20261207)
    ref = Evaluator.from_partials(gt, [p0, p1], parity_mode="strict")
    donors = [p0, p1, ev.evaluate_to_partial(gt, tiny_dt(), rank_id=4)]
    tried = 0
    for i in range(3000):
        b = bytearray(rng.choice([p0, p1]))
        op = i % 5
        if op == 0:
            b = b[:rng.randrange(len(b))]
        elif op == 1:
            for _ in range(rng.randint(1, 4)):
                b[rng.randrange(len(b))] ^= rng.randrange(1, 256)
        elif op == 2:  # splice a piece of another partial in
            d = rng.choice(donors)
            a, n = rng.randrange(len(d)), rng.randint(1, 64)
            at = rng.randrange(len(b))
            b[at:at + rng.randint(0, 64)] = d[a:a + n]
        elif op == 3:  # a random header field rewritten
            at = rng.randrange(0, 168, 4)
            b[at:at + 4] = rng.randbytes(4)
        else:  # cut out a middle range
            a = rng.randrange(len(b))
            del b[a:a + rng.randint(1, 40)]
        b = bytes(b)
        if b in (p0, p1):
            continue
        tried += 1
        try:
            got = Evaluator.from_partials(gt, [b], parity_mode="strict")
        except (vernier.PartialCorruptError, vernier.PartialVersionError):
            continue
        pytest.fail(f"mutation {i} (op {op}) was accepted: {got.stats} vs {ref.stats}")
    assert tried > 2900
