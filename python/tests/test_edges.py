"""Issue 14: the sharp edges a new user hits (one configuration across the
ways of evaluating, Python error locations, one dtype rule, CocoDataset(path),
docstrings).  Each test failed on the code before the fix."""
from __future__ import annotations

import json
import re

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


# ---- item 5: error locations name the Python object ----------------------------------

def _tiny():
    from conftest import as_bytes, tiny_gt
    return as_bytes(tiny_gt())


def _raised(fn, *args):
    with pytest.raises(vernier.VernierError) as e:
        fn(*args)
    return e.value


def _submit(gt, dt):
    with Evaluator().background(gt) as bg:
        bg.submit(dt)


@pytest.mark.parametrize("how", ["evaluate", "evaluate_to_partial", "submit"])
def test_list_of_dicts_errors_name_the_python_object(how):
    gt = _tiny()
    call = {"evaluate": Evaluator().evaluate, "submit": _submit,
            "evaluate_to_partial": Evaluator().evaluate_to_partial}[how]
    ok = {"image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.5}
    for dt, cls, path in (
            ([ok, {**ok, "score": "high"}], vernier.SchemaError, 'results[1]["score"]'),
            ([ok, ok, {**ok, "bbox": [1, 2, 3]}], vernier.SchemaError, 'results[2]["bbox"]'),
            ([{**ok, "bbox": [1, 2, "3", 4]}], vernier.SchemaError, 'results[0]["bbox"][2]'),
            ([ok, {**ok, "image_id": 77}], vernier.UnknownImageError,
             'results[1]["image_id"]')):
        e = _raised(call, gt, dt)
        assert type(e) is cls
        assert e.path == path and str(e).startswith(path + ": "), (e.path, str(e))
        assert (e.line, e.column, e.offset) == (None, None, None)
        assert "line" not in str(e) and "column" not in str(e)


def test_bytes_input_keeps_its_text_locations():
    e = _raised(Evaluator().evaluate, _tiny(),
                b'[{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3], "score": 0.5}]')
    assert (e.path, e.line, e.column) == ("[0].bbox", 1, 44)


def test_detections_dict_errors_name_the_array_and_row():
    gt = _tiny()
    base = {"image_id": np.array([1, 2, 2]), "scores": np.array([0.9, 0.8, 0.7]),
            "labels": np.array([1, 2, 1]),
            "boxes": np.array([[1, 1, 2, 2], [1, 1, 2, 2], [1, 1, 2, 2]], np.float64)}
    e = _raised(Evaluator().evaluate, gt, {**base, "image_id": np.array([1, 2, 77])})
    assert isinstance(e, vernier.UnknownImageError)
    assert e.path == 'Detections["image_id"][2]' and e.index == 2 and e.line is None
    e = _raised(Evaluator().evaluate, gt, {**base, "scores": np.array([0.9, np.nan, 0.7])})
    assert e.path == 'Detections["scores"][1]' and e.line is None and e.column is None
    # a sequence of Detections dicts: the dict, then the row within it
    e = _raised(Evaluator().evaluate, gt, [base, {**base, "image_id": np.int64(77)}])
    assert e.path == 'Detections[1]["image_id"]'


# ---- item 6: one dtype rule for every input form -------------------------------------

def test_narrow_floats_are_the_same_error_in_every_form():
    gt = _tiny()
    ok = {"image_id": 1, "category_id": 1, "bbox": [1.0, 1.0, 2.0, 2.0], "score": 0.5}
    as_list = [ok, ok, {**ok, "score": np.float32(0.5)}]
    as_array_in_list = [ok, {**ok, "bbox": np.array([1, 1, 2, 2], np.float32)}]
    as_dict = {"image_id": np.array([1, 1]), "scores": np.array([0.5, 0.5], np.float32),
               "labels": np.array([1, 1]), "boxes": np.ones((2, 4))}
    for dt, path, index in ((as_list, 'results[2]["score"]', 2),
                            (as_array_in_list, 'results[1]["bbox"]', 1),
                            (as_dict, 'Detections["scores"]', None)):
        for call in (Evaluator().evaluate, _submit):
            e = _raised(call, gt, dt)
            assert type(e) is vernier.SchemaError, type(e)
            assert e.path == path and e.index == index
            assert "float32" in str(e) and "cast_inputs=True" in str(e)
        # the option that converts
        Evaluator(cast_inputs=True).evaluate(gt, dt)


def test_exact_widenings_are_taken_and_lossy_conversions_refused():
    gt = _tiny()
    f64 = {"image_id": np.array([1, 2]), "scores": np.array([0.9, 0.8]),
           "labels": np.array([1, 2]), "boxes": np.array([[10, 10, 20, 20], [0, 0, 50, 40]],
                                                         np.float64)}
    ref = Evaluator(parity_mode="strict").evaluate(gt, f64)
    narrow_ints = {**f64, "image_id": f64["image_id"].astype(np.uint8),
                   "labels": f64["labels"].astype(np.int16),
                   "boxes": f64["boxes"].astype(np.int32)}
    assert_same(Evaluator(parity_mode="strict").evaluate(gt, narrow_ints), ref)
    # an integer coordinate float64 cannot hold exactly: the first one is named
    big = {**f64, "boxes": np.array([[10, 10, 20, 20], [0, 0, 50, 2 ** 53 + 1]], np.int64)}
    e = _raised(Evaluator().evaluate, gt, big)
    assert type(e) is vernier.SchemaError and e.path == 'Detections["boxes"][1][3]'
    assert e.index == 1
    # float ids: refused, converted by cast_inputs when integral, else the first bad one named
    float_labels = {**f64, "labels": np.array([1.0, 2.0])}
    e = _raised(Evaluator().evaluate, gt, float_labels)
    assert type(e) is vernier.SchemaError and "cast_inputs=True" in str(e)
    assert_same(Evaluator(parity_mode="strict", cast_inputs=True).evaluate(gt, float_labels), ref)
    e = _raised(Evaluator(cast_inputs=True).evaluate, gt, {**f64, "labels": np.array([1, 2.5])})
    assert e.path == 'Detections["labels"][1]' and e.index == 1
    e = _raised(Evaluator().evaluate, gt,
                {**f64, "image_id": np.array([1, 2 ** 64 - 1], np.uint64)})
    assert e.path == 'Detections["image_id"][1]'


# ---- item 8: every public class, field and method has a docstring that help() shows --

def _public_objects():
    import dataclasses
    import inspect
    import pydoc

    import vernier.instance

    seen = {}
    for module in (vernier, vernier.instance):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                seen.setdefault(obj, f"{module.__name__}.{name}")
    out = []
    for obj, where in seen.items():
        out.append((where, obj.__doc__))
        if not inspect.isclass(obj) or issubclass(obj, BaseException):
            continue
        text = pydoc.render_doc(obj, renderer=pydoc.plaintext)
        fields = {f.name for f in dataclasses.fields(obj)} if dataclasses.is_dataclass(obj) \
            else set()
        for attr, value in vars(obj).items():
            if attr.startswith("_") and attr not in ("__init__",):
                continue
            if attr == "__init__" or attr in fields:
                continue
            if attr in ("name",) and isinstance(value, str):
                continue  # the kernel's name constant, documented in the class
            doc = getattr(value, "__doc__", None)
            if isinstance(value, (staticmethod, classmethod)):
                doc = value.__func__.__doc__
            if inspect.ismemberdescriptor(value) and isinstance(vars(obj).get("__slots__"), dict):
                doc = obj.__slots__[attr]  # where help() reads a slot's documentation
            out.append((f"{where}.{attr}", doc))
            # what help() shows for it
            if doc:
                assert doc.strip().splitlines()[0].strip() in text, f"help() misses {where}.{attr}"
        for f in sorted(fields):
            out.append((f"{where}.{f} (field)",
                        f if re.search(rf"``{f}``", obj.__doc__ or "") else None))
    return out



def test_every_public_name_has_a_docstring():
    missing = [where for where, doc in _public_objects() if not (doc and doc.strip())]
    assert not missing, f"no docstring: {', '.join(missing)}"


def test_summary_stats_is_documented_in_help(sample_bytes):
    import pydoc

    from vernier.instance import Summary

    text = pydoc.render_doc(Summary, renderer=pydoc.plaintext)
    for attr in ("stats", "parity_mode", "iou_thresholds", "max_dets", "category_ids"):
        m = re.search(rf"^ \|  {attr}\n \|      (\S.*)$", text, re.M)
        assert m, f"help(Summary) shows no docstring for {attr}"
    assert "AP50" in re.search(r"^ \|  stats\n \|      (\S.*)$", text, re.M).group(1)


def test_instance_module_docstring_is_current():
    import vernier.instance

    doc = vernier.instance.__doc__
    for word in ("Segm", "Boundary", "Keypoints", "BackgroundEvaluator", "from_partials"):
        assert word in doc, word
    assert "COCO bbox AP/AR" not in doc


# ---- item 1: the docs' claims about corrected vs strict ------------------------------

def test_docs_state_the_modes_numbers_as_the_code_computes_them(sample_bytes):
    from conftest import REPO

    gt_bytes, dt_bytes = sample_bytes
    strict = Evaluator(parity_mode="strict").evaluate(gt_bytes, dt_bytes).stats[0]
    corrected = Evaluator().evaluate(gt_bytes, dt_bytes).stats[0]
    assert strict != corrected  # the sample triggers quirk A1
    parity = (REPO / "docs" / "explanation" / "parity.md").read_text(encoding="utf-8")
    assert f"{strict!r} (strict" in parity and f"{corrected!r}\n(corrected)" in parity
    assert "starts to differ" not in parity
    howto = (REPO / "docs" / "how-to" / "evaluate-detections.md").read_text(encoding="utf-8")
    assert "gives exactly the strict" not in howto
    bg = (REPO / "docs" / "how-to" / "background-evaluator.md").read_text(encoding="utf-8")
    assert "**corrected** mode" in bg and f"final AP: {corrected!r}" in bg


def test_python_reference_summary_and_evaluator_signature_are_complete():
    import dataclasses
    import inspect

    import vernier.instance
    from conftest import REPO

    text = (REPO / "docs" / "reference" / "python-api.md").read_text(encoding="utf-8")
    summary = text[:text.index("## Module `vernier`")]
    classes = [n for n in vernier.instance.__all__
               if inspect.isclass(getattr(vernier.instance, n))
               and not issubclass(getattr(vernier.instance, n), BaseException)]
    missing = [n for n in classes if f"`{n}`" not in summary]
    assert not missing, f"the module summary misses {missing}"
    sig = text[text.index("### `class Evaluator`"):text.index("#### `Evaluator.evaluate(")]
    sig = sig[:sig.index("```\n", sig.index("```python notest") + 3)]
    fields = [f.name for f in dataclasses.fields(Evaluator)]
    assert [f for f in fields if f"{f}:" not in sig] == []
    start = text.index("#### `Evaluator.evaluate(")
    evaluate = text[start:text.index("Raises:", start)]
    for form in ("Detections", "bytearray", "memoryview", "list[dict]"):
        assert form in evaluate, form


@pytest.mark.parametrize("form", ["list", "detections"])
def test_worker_errors_about_an_earlier_batch_name_its_python_object(form):
    """An error only matching finds (corrected mode, a mask of another size
    than the image, quirk I2) is reported later, prefixed "batch N: "; its
    location names that batch's Python object."""
    gt = {"images": [{"id": i, "width": 20, "height": 10} for i in (1, 2, 3)],
          "categories": [{"id": 1}],
          "annotations": [{"id": i, "image_id": i, "category_id": 1, "bbox": [2, 2, 6, 4],
                           "area": 24, "iscrowd": 0,
                           "segmentation": [[2, 2, 8, 2, 8, 6, 2, 6]]} for i in (1, 2, 3)]}
    good = [{"image_id": 1, "category_id": 1, "bbox": [2, 2, 6, 4], "score": 0.9,
             "segmentation": {"size": [10, 20], "counts": [0, 200]}}]
    rle = {"size": [11, 20], "counts": [0, 220]}
    if form == "list":
        wrong = [{"image_id": 2, "category_id": 1, "bbox": [2, 2, 6, 4], "score": 0.8,
                  "segmentation": {"size": [10, 20], "counts": [0, 200]}},
                 {"image_id": 2, "category_id": 1, "bbox": [2, 2, 6, 4], "score": 0.7,
                  "segmentation": rle}]
        want = 'batch 2: results[1]["segmentation"]'
    else:
        wrong = {"image_id": np.int64(2), "scores": np.array([0.8, 0.7]),
                 "labels": np.array([1, 1]), "boxes": np.array([[2., 2, 6, 4], [2, 2, 6, 4]]),
                 "masks": [{"size": [10, 20], "counts": [0, 200]}, rle]}
        want = 'batch 2: Detections["masks"][1]'
    from vernier.instance import BackgroundEvaluator

    bg = BackgroundEvaluator(json.dumps(gt).encode(), iou=Segm(), parity_mode="corrected",
                             queue_capacity=1)
    bg.submit(good, timeout=30)
    bg.submit(wrong, timeout=30)
    with pytest.raises(vernier.SchemaError) as e:
        bg.finalize()
    assert str(e.value).startswith(want + ": ") and "11x20" in str(e.value), str(e.value)
    assert e.value.path == want[len("batch 2: "):]
    assert (e.value.line, e.value.column, e.value.offset) == (None, None, None)
    bg.close()
