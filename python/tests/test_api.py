"""Behaviour of the Python binding: construction, inputs, errors, lifetimes.

Numbers are compared with pycocotools run in the same test (the parity
suite under parity/ does that at scale)."""
import contextlib
import io
import json
import re

import numpy as np
import pytest

import vernier
from vernier.instance import Bbox, CocoDataset, Evaluator, Summary

from conftest import REPO, as_bytes, pycocotools_eval, tiny_dt, tiny_gt


def test_version_matches_c_library():
    assert vernier.version() == vernier.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", vernier.__version__)


def test_dataset_counts():
    gt = CocoDataset.from_json(as_bytes(tiny_gt()))
    assert (gt.num_images, gt.num_annotations, gt.num_categories) == (2, 2, 2)
    assert "num_images=2" in repr(gt)


def test_dataset_close_is_idempotent_and_final():
    gt = CocoDataset.from_json(as_bytes(tiny_gt()))
    with gt:
        pass
    gt.close()
    assert repr(gt) == "CocoDataset(closed)"
    with pytest.raises(ValueError):
        gt.num_images
    with pytest.raises(ValueError):
        Evaluator(parity_mode="strict").evaluate(gt, as_bytes(tiny_dt()))


def test_bytes_list_and_dataset_inputs_agree_with_pycocotools():
    gt_d, dt_l = tiny_gt(), tiny_dt()
    ref = pycocotools_eval(gt_d, dt_l)
    ev = Evaluator(iou=Bbox(), parity_mode="strict")
    a = ev.evaluate(as_bytes(gt_d), as_bytes(dt_l))
    b = ev.evaluate(CocoDataset.from_json(as_bytes(gt_d)), dt_l)
    c = ev.evaluate(CocoDataset.from_json(as_bytes(gt_d)), bytearray(as_bytes(dt_l)))
    for s in (a, b, c):
        assert isinstance(s, Summary)
        assert s.stats == list(ref.stats)
        assert np.array_equal(s.precision, ref.eval["precision"])
        assert np.array_equal(s.recall, ref.eval["recall"])
        assert np.array_equal(s.scores, ref.eval["scores"])


def test_summary_axes_and_lines():
    gt_d, dt_l = tiny_gt(), tiny_dt()
    ref = pycocotools_eval(gt_d, dt_l)
    s = Evaluator(parity_mode="strict").evaluate(as_bytes(gt_d), dt_l)
    assert np.array_equal(s.iou_thresholds, ref.params.iouThrs)
    assert np.array_equal(s.recall_thresholds, ref.params.recThrs)
    assert s.category_ids == list(ref.params.catIds)
    assert s.max_dets == tuple(ref.params.maxDets)
    assert s.area_ranges == tuple(ref.params.areaRngLbl)
    assert s.precision.shape == ref.eval["precision"].shape
    assert not s.precision.flags.writeable
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ref.summarize()
    assert s.pretty_lines() == out.getvalue().splitlines()
    assert str(s) == out.getvalue().rstrip("\n")


def test_numpy_values_in_result_dicts():
    gt_d = tiny_gt()
    dt_np = [{"image_id": np.int64(1), "category_id": np.int64(1),
              "bbox": np.array([10.0, 10.0, 20.0, 20.0]), "score": np.float64(0.9)}]
    ref = pycocotools_eval(gt_d, [{"image_id": 1, "category_id": 1,
                                    "bbox": [10.0, 10.0, 20.0, 20.0], "score": 0.9}])
    s = Evaluator(parity_mode="strict").evaluate(as_bytes(gt_d), dt_np)
    assert s.stats == list(ref.stats)
    with pytest.raises(vernier.SchemaError, match="float32"):
        Evaluator().evaluate(as_bytes(gt_d), [{"image_id": 1, "category_id": 1,
                                               "bbox": [1, 1, 2, 2], "score": np.float32(0.5)}])


@pytest.mark.parametrize("kwargs, match", [
    ({"parity_mode": "aligned"}, "parity_mode"),
    ({"max_dets": ()}, "empty"),
    ({"max_dets": (1, 1, 100)}, "distinct"),
    ({"max_dets": (1, -10, 100)}, ">= 0"),
    ({"max_dets": (1, 10.5, 100)}, "ints"),
    ({"max_dets": "100"}, "sequence"),
    ({"use_cats": 2}, "use_cats"),
    ({"iou": "bbox"}, "Bbox"),
])
def test_evaluator_validates_at_construction(kwargs, match):
    with pytest.raises(vernier.InvalidConfigError, match=match):
        Evaluator(**kwargs)
    assert issubclass(vernier.InvalidConfigError, ValueError)


def test_evaluator_is_immutable_and_sorts_nothing_it_should_not():
    ev = Evaluator(max_dets=[100, 1, 10])
    assert ev.max_dets == (100, 1, 10)
    with pytest.raises(Exception):
        ev.parity_mode = "strict"


def test_unsorted_max_dets_match_pycocotools():
    gt_d, dt_l = tiny_gt(), tiny_dt()
    ref = pycocotools_eval(gt_d, dt_l, maxDets=[100, 1, 10])
    s = Evaluator(parity_mode="strict", max_dets=(100, 1, 10)).evaluate(as_bytes(gt_d), dt_l)
    assert s.max_dets == (1, 10, 100)
    assert s.stats == list(ref.stats)


def test_result_on_unknown_image_names_it():
    dt = tiny_dt() + [{"image_id": 77, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.1}]
    with pytest.raises(vernier.UnknownImageError) as ei:
        Evaluator().evaluate(as_bytes(tiny_gt()), dt)
    e = ei.value
    assert "77" in str(e) and e.index == 3 and e.path == 'results[3]["image_id"]'
    assert (e.line, e.column, e.offset) == (None, None, None)
    assert isinstance(e, ValueError) and isinstance(e, vernier.VernierError)


@pytest.mark.parametrize("text, path", [
    ('{"images": [], "categories": [], "annotations": [{"id": 1, "image_id": 1, '
     '"category_id": 1, "bbox": "x"}]}', "annotations[0].bbox"),
    ('{"images": [{"id": "a"}], "categories": [], "annotations": []}', "images[0].id"),
    ('{"images": [], "categories": [], "annotations": [{"id": 1, "image_id": 1, '
     '"category_id": 1, "bbox": [1, 2, 1e999, 4]}]}', "annotations[0].bbox[2]"),
    ('{"images": [], "annotations": []}', None),
])
def test_schema_errors_name_the_location(text, path):
    with pytest.raises(vernier.SchemaError) as ei:
        CocoDataset.from_json(text.encode())
    if path is not None:
        assert ei.value.path == path
        assert path in str(ei.value)
    else:
        assert "categories" in str(ei.value)


@pytest.mark.parametrize("text", [
    b'{"images": [', b'{"images": [}', b'\xef\xbb\xbf{}', b'{"images": [NaN]}', b'[1,]',
    b'{"a": 1} x', b'', b'{"images": "\xff"}',
])
def test_malformed_json_raises_typed_error_with_location(text):
    with pytest.raises(vernier.JSONError) as ei:
        CocoDataset.from_json(text)
    e = ei.value
    assert e.offset is not None and e.line is not None and e.column is not None
    assert 0 <= e.offset <= len(text)


def test_json_error_line_and_column():
    text = b'{\n  "images": [\n    {"id": 1,}\n  ]}'
    with pytest.raises(vernier.JSONError) as ei:
        CocoDataset.from_json(text)
    e = ei.value
    assert (e.line, e.column) == (3, 14)
    assert e.offset == text.index(b",}") + 1


def test_gt_annotation_missing_area_is_a_schema_error_at_evaluate():
    gt = tiny_gt()
    del gt["annotations"][1]["area"]
    with pytest.raises(vernier.SchemaError) as ei:
        Evaluator().evaluate(as_bytes(gt), tiny_dt())
    assert ei.value.path == "annotations[1].area" and ei.value.index == 1


def test_bad_argument_types():
    with pytest.raises(TypeError):
        CocoDataset.from_json("not bytes")
    with pytest.raises(TypeError):
        Evaluator().evaluate({"images": []}, b"[]")
    with pytest.raises(TypeError):
        Evaluator().evaluate(as_bytes(tiny_gt()), 42)


def test_cdef_declares_exactly_the_public_functions():
    header = (REPO / "libvernier/include/vernier.h").read_text()
    cdef = (REPO / "python/src/vernier/_build/cdef.h").read_text()
    public = set(re.findall(r"VERNIER_API\s+[^;(]*?\b(vernier_\w+)\s*\(", header))
    declared = set(re.findall(r"\b(vernier_\w+)\s*\(", cdef))
    assert public, "no VERNIER_API functions found"
    assert public == declared
