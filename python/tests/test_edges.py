"""Issue 14: the sharp edges a new user hits (one configuration across the
ways of evaluating, Python error locations, one dtype rule, CocoDataset(path),
docstrings).  Each test failed on the code before the fix."""
from __future__ import annotations

import json

import numpy as np
import pytest

import vernier
from conftest import assert_same
from vernier.instance import Boundary, Evaluator, Keypoints, Segm


def _split(dt, ranks=2):
    images = sorted({d["image_id"] for d in dt})
    return [[d for d in dt if d["image_id"] in images[r::ranks]] for r in range(ranks)]


# ---- item 2: merging reads the configuration from the partials ------------------

def test_from_partials_uses_the_evaluator_it_is_called_on(loaded):
    _, ds, dt, _ = loaded("bbox")
    strict = Evaluator(parity_mode="strict", max_dets=(1, 10, 100, 300))
    parts = [strict.evaluate_to_partial(ds, p, rank_id=r) for r, p in enumerate(_split(dt))]
    ref = strict.evaluate(ds, dt)
    assert_same(strict.from_partials(ds, parts), ref)
    # an evaluator whose configuration really differs is refused, naming the field
    with pytest.raises(vernier.PartialMismatchError) as e:
        Evaluator(parity_mode="strict").from_partials(ds, parts)
    assert e.value.field == "max_dets"
    with pytest.raises(TypeError, match="parity_mode"):
        strict.from_partials(ds, parts, parity_mode="strict")


@pytest.mark.parametrize("kind, evaluator", [
    ("bbox", Evaluator(parity_mode="strict", iou_thresholds=(0.4, 0.5, 0.75),
                       recall_thresholds=(0.0, 0.25, 0.5, 1.0), use_cats=False,
                       area_ranges=(("all", 0, 1e10), ("big", 1024, 1e10)))),
    ("boundary", Evaluator(iou=Boundary(0.008), parity_mode="strict")),
    ("keypoints", None),
])
def test_from_partials_on_the_class_takes_the_partials_configuration(loaded, kind, evaluator):
    _, ds, dt, _ = loaded(kind)
    if evaluator is None:
        cat = next(d["category_id"] for d in dt)
        evaluator = Evaluator(iou=Keypoints({cat: [0.05] * 17}), parity_mode="corrected",
                              max_dets=(20, 5, 1))
    parts = [evaluator.evaluate_to_partial(ds, p, rank_id=r) for r, p in enumerate(_split(dt))]
    merged = Evaluator.from_partials(ds, parts[::-1])
    assert_same(merged, evaluator.evaluate(ds, dt))
    assert merged.parity_mode == evaluator.parity_mode
    # what is given explicitly is checked; only a real difference is refused
    assert_same(Evaluator.from_partials(ds, parts, parity_mode=evaluator.parity_mode), merged)
    with pytest.raises(vernier.PartialMismatchError) as e:
        Evaluator.from_partials(ds, parts, iou=Segm())
    assert e.value.field == "iou_type"


def test_merging_no_partials_is_a_typed_error(loaded):
    _, ds, _, _ = loaded("bbox")
    with pytest.raises(vernier.InvalidArgumentError, match="no partials"):
        Evaluator().merge_partials(ds, [])
    with pytest.raises(vernier.InvalidArgumentError, match="no partials"):
        Evaluator.from_partials(ds, [])
    with pytest.raises(vernier.InvalidArgumentError, match="no partials"):
        Evaluator.from_partials(ds, iter(()), parity_mode="strict")


# ---- item 3: one configuration object for the background evaluator ---------------

def test_background_evaluator_takes_an_evaluator_or_kernels(loaded):
    from vernier.instance import BackgroundEvaluator

    gt_bytes, ds, dt, _ = loaded("boundary")
    dt = dt[:60]
    ev = Evaluator(iou=Boundary(0.008), parity_mode="strict", max_dets=(1, 10, 50))
    ref = ev.evaluate(ds, dt)
    with BackgroundEvaluator(ds, evaluator=ev) as bg:
        assert bg.evaluator is ev
        bg.submit(dt)
        assert_same(bg.finalize(), ref)
    with BackgroundEvaluator(gt_bytes, iou=Boundary(0.008), parity_mode="strict",
                             max_dets=(1, 10, 50)) as bg:
        bg.submit(dt)
        assert_same(bg.finalize(), ref)
    # the positional/iou_type spelling takes a kernel too, and names still work
    with BackgroundEvaluator(ds, Boundary(0.008), parity_mode="strict",
                             max_dets=(1, 10, 50)) as bg:
        bg.submit(dt)
        assert_same(bg.finalize(), ref)
    with BackgroundEvaluator(ds, iou_type="boundary", parity_mode="strict") as bg:
        bg.submit(dt)
        assert bg.evaluator == Evaluator(iou=Boundary(), parity_mode="strict")
        bg.finalize()
    # the partial of a background evaluator merges with the same object
    with BackgroundEvaluator(ds, evaluator=ev) as bg:
        bg.submit(dt)
        blob = bg.finalize_to_partial()
    assert_same(ev.merge_partials(ds, [blob]), ref)
    assert_same(Evaluator.from_partials(ds, [blob]), ref)


def test_background_evaluator_refuses_a_configuration_given_twice(sample_bytes):
    from vernier.instance import BackgroundEvaluator

    gt_bytes, _ = sample_bytes
    with pytest.raises(vernier.InvalidConfigError, match="parity_mode"):
        BackgroundEvaluator(gt_bytes, evaluator=Evaluator(), parity_mode="strict")
    with pytest.raises(vernier.InvalidConfigError, match="iou"):
        BackgroundEvaluator(gt_bytes, "bbox", iou=Segm())
    with pytest.raises(vernier.InvalidConfigError, match="evaluator must be an Evaluator"):
        BackgroundEvaluator(gt_bytes, evaluator="bbox")
    with pytest.raises(vernier.InvalidConfigError, match="iou"):
        BackgroundEvaluator(gt_bytes, iou="masks")


# ---- item 7: CocoDataset(path) ------------------------------------------------------

def test_cocodataset_of_a_path_loads_the_file(tmp_path, sample_bytes):
    from pathlib import Path

    from vernier.instance import CocoDataset

    gt_bytes, dt_bytes = sample_bytes
    f = tmp_path / "val.json"
    f.write_bytes(gt_bytes)
    ref = Evaluator(parity_mode="strict").evaluate(CocoDataset.from_json(gt_bytes), dt_bytes)
    for arg in (str(f), f, Path(str(f))):
        with CocoDataset(arg) as ds:
            assert ds.num_images == 100
            assert_same(Evaluator(parity_mode="strict").evaluate(ds, dt_bytes), ref)
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"images": [}')
    with pytest.raises(vernier.JSONError, match="bad.json"):
        CocoDataset(bad)
    with pytest.raises(FileNotFoundError):
        CocoDataset(tmp_path / "missing.json")
    for wrong in (gt_bytes, 17, None):
        with pytest.raises(TypeError, match=r"CocoDataset\.from_json") as e:
            CocoDataset(wrong)
        assert "cdata" not in str(e.value)
