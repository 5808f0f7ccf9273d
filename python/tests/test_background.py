"""BackgroundEvaluator: batched evaluation on the C worker thread.

* For any split of the detections into batches (each image in one batch)
  and any batch order, finalize() equals Evaluator.evaluate on all of them
  bit for bit -- bbox, segm, boundary, keypoints, strict and corrected --
  and, in strict mode, pycocotools run in the test.
* Back-pressure, the memory budget, worker errors, finalize twice, an
  abandoned evaluator, GIL release, input forms and cast_inputs.
(Leaks of an abandoned worker are checked by the C tests under ASan:
make ctest-asan.)
"""
import gc
import json
import random
import threading
import time

import numpy as np
import pytest

import vernier
import vernier.instance as vi
from vernier.instance import BackgroundEvaluator, CocoDataset, Evaluator, Keypoints, Segm

from conftest import CASES, assert_same, case_reference


def by_image(dt):
    out = {}
    for r in dt:
        out.setdefault(r["image_id"], []).append(r)
    return out


def random_batches(dt, seed):
    """The detections split into batches of whole images, in random order."""
    rng = random.Random(seed)
    groups = list(by_image(dt).values())
    rng.shuffle(groups)
    batches, i = [], 0
    while i < len(groups):
        k = rng.choice([1, 1, 2, 3, 7, len(groups)])
        batches.append([r for g in groups[i:i + k] for r in g])
        i += k
    return batches


@pytest.mark.parametrize("mode", ["strict", "corrected"])
@pytest.mark.parametrize("kind", list(CASES))
def test_any_split_any_order_equals_one_shot(loaded, kind, mode):
    gt_bytes, ds, dt, iou = loaded(kind)
    evaluator = Evaluator(iou=iou, parity_mode=mode)
    ref = evaluator.evaluate(ds, dt)
    for seed in range(3):
        with evaluator.background(ds, queue_capacity=2) as bg:
            for batch in random_batches(dt, seed):
                bg.submit(batch, timeout=30)
            got = bg.finalize()
        assert_same(got, ref)
    if mode == "strict" and kind != "boundary":
        oracle = case_reference(kind)
        assert list(oracle.stats) == got.stats
        for name in ("precision", "recall", "scores"):
            assert np.array_equal(oracle.eval[name], getattr(got, name)), name


def test_direct_construction_and_settings(loaded):
    gt_bytes, ds, dt, _ = loaded("bbox")
    ref = Evaluator(parity_mode="strict", max_dets=(1, 5, 50), use_cats=False).evaluate(ds, dt)
    bg = BackgroundEvaluator(gt_bytes, "bbox", parity_mode="strict", max_dets=(1, 5, 50),
                             use_cats=False, queue_capacity=3)
    assert bg.queue_capacity == 3 and bg.memory_budget_bytes is None
    for batch in random_batches(dt, 5):
        bg.submit(json.dumps(batch).encode(), timeout=30)
    assert_same(bg.finalize(), ref)
    assert bg.images_seen == len(by_image(dt))
    assert bg.detections_seen == len(dt)
    assert bg.queue_depth == 0
    with pytest.raises(vernier.InvalidConfigError):
        BackgroundEvaluator(gt_bytes, "masks")
    with pytest.raises(vernier.InvalidConfigError):
        BackgroundEvaluator(gt_bytes, queue_capacity=0)


def test_custom_grid_is_carried(loaded):
    _, ds, dt, _ = loaded("bbox")
    ev = Evaluator(parity_mode="corrected", iou_thresholds=(0.3, 0.6),
                   recall_thresholds=(0.0, 0.5, 1.0), area_ranges=(("all", 0, 1e10),
                                                                  ("tiny", 0, 100)))
    with ev.background(ds) as bg:
        for batch in random_batches(dt, 2):
            bg.submit(batch, timeout=30)
        got = bg.finalize()
    assert_same(got, ev.evaluate(ds, dt))
    assert got.area_ranges == ("all", "tiny")


# ---- back-pressure -------------------------------------------------------------

def heavy_case(n=2500):
    """One image, one category, n nearly identical boxes on each side: with
    max_dets n, matching it takes O(T x A x n^2) (about half a second)."""
    rng = random.Random(1)
    gt = {"images": [{"id": i, "width": 1000, "height": 1000} for i in (1, 2, 3, 4, 5)],
          "categories": [{"id": 1}],
          "annotations": [{"id": i + 1, "image_id": 1, "category_id": 1,
                           "bbox": [100 + rng.random() * 5, 100 + rng.random() * 5, 200, 200],
                           "area": 40000, "iscrowd": 0} for i in range(n)]}
    gt["annotations"] += [{"id": n + i, "image_id": i, "category_id": 1,
                           "bbox": [10, 10, 30, 30], "area": 900, "iscrowd": 0}
                          for i in (2, 3, 4, 5)]
    heavy = [{"image_id": 1, "category_id": 1, "score": rng.random(),
              "bbox": [100 + rng.random() * 5, 100 + rng.random() * 5, 200, 200]}
             for _ in range(n)]
    small = {i: [{"image_id": i, "category_id": 1, "bbox": [11, 10, 30, 30], "score": 0.5}]
             for i in (2, 3, 4, 5)}
    return json.dumps(gt).encode(), heavy, small


def test_queue_full_then_retry_loses_nothing():
    gt, heavy, small = heavy_case()
    ev = Evaluator(parity_mode="strict", max_dets=(1, 10, 2500))
    with ev.background(gt, queue_capacity=1) as bg:
        bg.submit(heavy)
        raised = []
        pending = [small[i] for i in (2, 3, 4, 5)]
        for batch in pending:
            while True:
                try:
                    bg.submit(batch)  # never waits
                    break
                except vernier.QueueFullError as e:
                    raised.append(e)
                    assert e.queue_capacity == 1 and e.timeout is None
                    # wait for room: this retry must succeed eventually
                    try:
                        bg.submit(batch, timeout=0.01)
                        break
                    except vernier.QueueFullError as e2:
                        assert e2.timeout == 0.01
        assert raised, "the queue never filled behind the heavy batch"
        got = bg.finalize()
    assert_same(got, ev.evaluate(gt, heavy + [r for b in pending for r in b]))


def test_timeout_waits_then_raises_and_releases_the_gil():
    gt, heavy, small = heavy_case()
    ev = Evaluator(max_dets=(1, 10, 2500))
    with ev.background(gt, queue_capacity=1) as bg:
        bg.submit(heavy)
        # fill the queue behind the heavy batch
        while True:
            try:
                bg.submit(small[2])
                break
            except vernier.QueueFullError:
                time.sleep(0.001)
        ticks = [0]
        stop = threading.Event()

        def count():
            while not stop.is_set():
                ticks[0] += 1
        t = threading.Thread(target=count)
        t.start()
        t0 = time.perf_counter()
        try:
            with pytest.raises(vernier.QueueFullError) as info:
                bg.submit(small[3], timeout=0.1)
            waited = time.perf_counter() - t0
        finally:
            stop.set()
            t.join()
        assert info.value.timeout == 0.1 and "stayed full" in str(info.value)
        assert waited >= 0.1
        # a Python thread ran while submit blocked in C: the GIL was released
        assert ticks[0] > 1000
        bg.submit(small[3], timeout=30)
        bg.finalize()


def test_gil_released_while_the_worker_matches():
    """A pure-Python loop in the main thread keeps most of its rate while
    the worker matches a heavy batch submitted from it."""
    gt, heavy, _ = heavy_case()
    ev = Evaluator(max_dets=(1, 10, 2500))

    def spin(seconds):
        n, end = 0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            for _ in range(1000):
                n += 1
        return n

    base_rate = spin(0.2) / 0.2
    with ev.background(gt, queue_capacity=1) as bg:
        t0 = time.perf_counter()
        bg.submit(heavy)
        assert time.perf_counter() - t0 < 0.25  # submit did not match the batch
        n, start = 0, time.perf_counter()
        busy_samples = 0
        while bg.images_seen == 0:  # the worker is still matching
            n += spin(0.01)
            busy_samples += 1
        busy = time.perf_counter() - start
        bg.finalize()
    assert busy_samples >= 3, "the heavy batch finished too fast to measure"
    ratio = (n / busy) / base_rate
    # with the GIL held by the worker the loop would stall (ratio ~0); on two
    # loaded cores it keeps well above this
    assert ratio > 0.3, f"main-thread throughput ratio {ratio:.2f}"


# ---- memory budget ---------------------------------------------------------------

def test_out_of_budget_on_next_submit_state_unchanged_finalize_works(loaded):
    _, ds, dt, _ = loaded("bbox")
    ev = Evaluator(parity_mode="strict")
    with ev.background(ds) as probe:
        index = probe.memory_used_bytes
        assert probe.memory_breakdown["index"] == index
    budget = index + 16 * 8 + 16 * 8 + 16 * 32 + 200
    groups = list(by_image(dt).items())
    refusals = []
    with ev.background(ds, queue_capacity=1, memory_budget_bytes=budget) as bg:
        assert bg.memory_budget_bytes == budget
        for _, batch in groups:
            while True:
                try:
                    bg.submit(batch, timeout=30)
                    break
                except vernier.OutOfBudgetError as e:
                    refusals.append(e)
        while True:
            try:
                summary, per_image, _ = bg.finalize_with_tables()
                break
            except vernier.OutOfBudgetError as e:
                refusals.append(e)
        assert bg.memory_used_bytes <= budget
    assert refusals
    for e in refusals:
        assert isinstance(e, vernier.BudgetExceededError) and isinstance(e, MemoryError)
        assert e.budget_bytes == budget
        assert e.used_bytes <= budget < e.used_bytes + e.requested_bytes
        assert set(e.breakdown) >= {"index", "records", "scores", "outcomes", "queued"}
        assert sum(e.breakdown[k] for k in ("index", "records", "scores", "outcomes")) == \
            e.used_bytes
        assert "budget" in str(e)
    seen = set(per_image["image_id"][per_image["seen"]].tolist())
    assert 0 < len(seen) < len(groups)
    accepted = [r for r in dt if r["image_id"] in seen]
    assert_same(summary, ev.evaluate(ds, accepted))


def test_budget_below_the_index_is_refused_at_construction(loaded):
    gt_bytes, _, _, _ = loaded("bbox")
    with pytest.raises(vernier.BudgetExceededError):
        BackgroundEvaluator(gt_bytes, memory_budget_bytes=1000)


# ---- errors, state ----------------------------------------------------------------

def test_unknown_and_repeated_images_are_refused_on_the_caller(loaded):
    gt_bytes, _, dt, _ = loaded("bbox")
    ds = CocoDataset.from_json(gt_bytes)
    groups = list(by_image(dt).values())
    bg = Evaluator().background(ds, queue_capacity=1)
    # an unknown image is refused on the calling thread
    bad = [dict(groups[0][0], image_id=123456789)]
    with pytest.raises(vernier.UnknownImageError):
        bg.submit(bad)
    assert issubclass(vernier.DuplicateImageError, vernier.SchemaError)
    bg.submit(groups[0], timeout=30)
    img = groups[0][0]["image_id"]
    # the same image again: refused by this very submit, on this thread, and
    # not enqueued
    with pytest.raises(vernier.DuplicateImageError) as info:
        bg.submit(groups[0], timeout=30)
    assert info.value.image_id == img and str(img) in str(info.value)
    assert "already covered by batch 1" in str(info.value)
    for g in groups[1:3]:
        bg.submit(g, timeout=30)
    got = bg.finalize()
    assert_same(got, Evaluator().evaluate(ds, [r for g in groups[:3] for r in g]))
    with pytest.raises(vernier.StateError):
        bg.finalize()
    with pytest.raises(vernier.StateError):
        bg.submit(groups[4])
    ds.close()  # no longer pinned
    assert repr(ds) == "CocoDataset(closed)"


def test_matching_errors_surface_on_the_next_call():
    """An error only matching can find (corrected mode: a mask whose size
    differs from the image's, quirk I2) happens on the worker; it is raised
    by the next submit, or by finalize, exactly once, and finalize then
    succeeds on what was accepted."""
    gt = {"images": [{"id": i, "width": 20, "height": 10} for i in (1, 2, 3)],
          "categories": [{"id": 1}],
          "annotations": [{"id": i, "image_id": i, "category_id": 1, "bbox": [2, 2, 6, 4],
                           "area": 24, "iscrowd": 0,
                           "segmentation": [[2, 2, 8, 2, 8, 6, 2, 6]]} for i in (1, 2, 3)]}
    good = lambda i: [{"image_id": i, "category_id": 1, "bbox": [2, 2, 6, 4], "score": 0.9,
                       "segmentation": {"size": [10, 20], "counts": [0, 200]}}]
    wrong = [{"image_id": 2, "category_id": 1, "bbox": [2, 2, 6, 4], "score": 0.8,
              "segmentation": {"size": [11, 20], "counts": [0, 220]}}]
    gt_bytes = json.dumps(gt).encode()
    ev = Evaluator(iou=vi.Segm(), parity_mode="corrected")
    bg = ev.background(gt_bytes, queue_capacity=1)
    bg.submit(good(1), timeout=30)
    bg.submit(wrong, timeout=30)
    errors = []
    try:
        bg.submit(good(3), timeout=30)
    except vernier.SchemaError as e:
        errors.append(e)
        bg.submit(good(3), timeout=30)      # the refused batch, retried
    if not errors:
        with pytest.raises(vernier.SchemaError) as info:
            bg.finalize()
        errors.append(info.value)
    assert len(errors) == 1
    assert str(errors[0]).startswith("batch 2: ") and "11x20" in str(errors[0]), str(errors[0])
    got = bg.finalize()
    assert_same(got, ev.evaluate(gt_bytes, good(1) + good(3)))


def test_dataset_cannot_be_closed_under_a_running_evaluator():
    gt, _, small = heavy_case(10)
    ds = CocoDataset.from_json(gt)
    bg = Evaluator().background(ds)
    with pytest.raises(vernier.StateError):
        ds.close()
    bg.close()
    bg.close()
    with pytest.raises(vernier.StateError):
        bg.submit(small[2])
    ds.close()


def test_abandoned_evaluator_shuts_down():
    gt, heavy, small = heavy_case()
    ds = CocoDataset.from_json(gt)
    ev = Evaluator(max_dets=(1, 10, 2500))
    for _ in range(3):
        bg = ev.background(ds, queue_capacity=4)
        bg.submit(heavy)
        bg.submit(small[2])
        t0 = time.perf_counter()
        del bg
        gc.collect()
        # the in-flight heavy batch is cancelled at its next checkpoint
        assert time.perf_counter() - t0 < 5
    ds.close()  # the collected evaluators unpinned it


def test_context_manager_on_exception_does_not_mask_it():
    gt, heavy, _ = heavy_case()
    with pytest.raises(KeyError):
        with Evaluator(max_dets=(1, 10, 2500)).background(gt) as bg:
            bg.submit(heavy)
            raise KeyError("from the loop")
    with pytest.raises(vernier.StateError):
        bg.submit(heavy)


def test_finalize_to_partial_ends_the_worker(loaded):
    _, ds, dt, _ = loaded("bbox")
    ev = Evaluator()
    with ev.background(ds) as bg:
        bg.submit(dt, timeout=30)
        blob = bg.finalize_to_partial()
    assert isinstance(blob, bytes)
    assert_same(Evaluator.from_partials(ds, [blob]), ev.evaluate(ds, dt))
    with pytest.raises(vernier.StateError):
        bg.submit(dt)


def test_tables(loaded):
    _, ds, dt, _ = loaded("bbox")
    ev = Evaluator(parity_mode="strict")
    with ev.background(ds) as bg:
        bg.submit(dt, timeout=30)
        summary, per_image, per_class = bg.finalize_with_tables()
    assert_same(summary, ev.evaluate(ds, dt))
    assert list(per_image) == ["image_id", "n_gt", "n_dt", "tp", "seen"]
    assert np.all(np.diff(per_image["image_id"]) > 0)
    assert np.all(per_image["tp"] <= per_image["n_dt"])
    assert per_image["n_dt"].sum() <= len(dt)
    assert list(per_class) == ["category_id", "ap", "ap50", "ar"]
    assert per_class["category_id"].tolist() == list(summary.category_ids)
    p = summary.precision[:, :, :, 0, -1]
    # the mean of the per-class APs (defined ones) is summary AP
    defined = [v for v in per_class["ap"] if v > -1]
    k_def = [k for k in range(p.shape[2]) if (p[:, :, k] > -1).any()]
    assert len(defined) == len(k_def)
    assert np.isclose(np.mean(defined), summary.stats[0], rtol=0, atol=1e-12)


# ---- input forms ----------------------------------------------------------------------

def as_detections(batch, dtype=np.float64):
    return {"image_id": np.array([r["image_id"] for r in batch], np.int64),
            "boxes": np.array([r["bbox"] for r in batch], dtype),
            "scores": np.array([r["score"] for r in batch], dtype),
            "labels": np.array([r["category_id"] for r in batch], np.int64)}


def test_detections_dicts_and_evaluate_accept_the_same_forms(loaded):
    _, ds, dt, _ = loaded("bbox")
    ev = Evaluator(parity_mode="strict")
    ref = ev.evaluate(ds, dt)
    groups = list(by_image(dt).values())
    assert_same(ev.evaluate(ds, as_detections(dt)), ref)
    assert_same(ev.evaluate(ds, [as_detections(g) for g in groups]), ref)
    with ev.background(ds) as bg:
        for i, g in enumerate(groups):
            if i % 3 == 0:
                bg.submit(as_detections(g), timeout=30)
            elif i % 3 == 1:
                bg.submit([as_detections(g[:1]), as_detections(g[1:])] if len(g) > 1
                          else g, timeout=30)
            else:
                d = as_detections(g)
                d["image_id"] = np.int64(g[0]["image_id"])  # a scalar image id
                bg.submit(d, timeout=30)
        assert_same(bg.finalize(), ref)


def test_cast_inputs(loaded):
    _, ds, dt, _ = loaded("bbox")
    d32 = as_detections(dt, np.float32)
    with pytest.raises(vernier.SchemaError,
                       match=r'Detections\["scores"\]: float32 .*cast_inputs=True'):
        Evaluator().evaluate(ds, d32)
    with Evaluator().background(ds) as bg:
        with pytest.raises(vernier.SchemaError, match="float32"):
            bg.submit(d32)
        bg.finalize()
    # int32 labels widen exactly to int64: taken as they are (issue 14)
    d_i32 = as_detections(dt)
    d_i32["labels"] = d_i32["labels"].astype(np.int32)
    assert_same(Evaluator().evaluate(ds, d_i32), Evaluator().evaluate(ds, as_detections(dt)))
    cast = Evaluator(parity_mode="strict", cast_inputs=True)
    widened = as_detections(dt)
    widened["boxes"] = d32["boxes"].astype(np.float64)
    widened["scores"] = d32["scores"].astype(np.float64)
    ref = Evaluator(parity_mode="strict").evaluate(ds, widened)
    assert_same(cast.evaluate(ds, d32), ref)
    with cast.background(ds) as bg:
        bg.submit(d32)
        assert_same(bg.finalize(), ref)
    with pytest.raises(vernier.InvalidConfigError):
        Evaluator(cast_inputs="yes")


def test_segm_and_keypoints_detections_dicts(loaded):
    _, ds, dt, _ = loaded("segm")
    ev = Evaluator(iou=Segm(), parity_mode="strict")
    d = {"image_id": np.array([r["image_id"] for r in dt], np.int64),
         "scores": np.array([r["score"] for r in dt]),
         "labels": np.array([r["category_id"] for r in dt], np.int64),
         "segmentation": [r["segmentation"] for r in dt]}
    assert_same(ev.evaluate(ds, d), ev.evaluate(ds, [{k: v for k, v in r.items() if k != "bbox"}
                                                       for r in dt]))
    _, kds, kdt, _ = loaded("keypoints")
    kev = Evaluator(iou=Keypoints(), parity_mode="strict")
    kd = {"image_id": np.array([r["image_id"] for r in kdt], np.int64),
          "scores": np.array([r["score"] for r in kdt]),
          "labels": np.array([r["category_id"] for r in kdt], np.int64),
          "keypoints": np.array([r["keypoints"] for r in kdt], np.float64).reshape(len(kdt), -1, 3)}
    with kev.background(kds) as bg:
        bg.submit(kd)
        assert_same(bg.finalize(), kev.evaluate(kds, kdt))


def test_exceptions_importable_from_both_modules():
    for name in ("OutOfBudgetError", "QueueFullError", "DuplicateImageError", "StateError"):
        assert getattr(vernier, name) is getattr(vi, name)
        assert name in vernier.__all__ and name in vi.__all__
    assert issubclass(vernier.OutOfBudgetError, vernier.BudgetExceededError)
