"""Structured error fields: every exception carries the entities the C
library's vernier_error names (image id, category id, annotation id,
result index, partial index and rank, the other partial of an overlap) as
attributes read from the struct's fields -- never parsed from the message --
and None for every field that does not apply.

Each case raises a real error of its kind and checks the full set of eight
attributes, so a field set where it should not be fails as surely as one
missing.  Ids are negative or large where the input allows it: presence is
a bit, not a -1 sentinel.
"""
import json

import pytest

import vernier
from vernier.instance import BackgroundEvaluator, CocoDataset, Evaluator, Keypoints, Segm

from conftest import as_bytes, tiny_dt, tiny_gt

FIELDS = ("image_id", "category_id", "annotation_id", "result_index", "partial_index",
          "rank_id", "other_partial_index", "other_rank_id", "batch_index")


def assert_fields(e, **want):
    got = {name: getattr(e, name) for name in FIELDS}
    assert got == {name: want.get(name) for name in FIELDS}


def neg_gt():
    """tiny_gt with negative image, category and annotation ids."""
    return tiny_gt(
        images=[{"id": -1, "width": 100, "height": 100}, {"id": -2, "width": 100, "height": 100}],
        categories=[{"id": -10, "name": "a"}, {"id": 5, "name": "b"}],
        annotations=[
            {"id": -100, "image_id": -1, "category_id": -10, "bbox": [10, 10, 20, 20],
             "area": 400, "iscrowd": 0},
            {"id": 2**40, "image_id": -2, "category_id": 5, "bbox": [0, 0, 50, 40],
             "area": 2000, "iscrowd": 0},
        ])


def neg_dt():
    return [
        {"image_id": -1, "category_id": -10, "bbox": [10, 10, 20, 20], "score": 0.9},
        {"image_id": -2, "category_id": 5, "bbox": [5, 0, 50, 40], "score": 0.8},
    ]


def test_unknown_image_names_image_and_result():
    dt = neg_dt() + [{"image_id": -77, "category_id": 5, "bbox": [1, 1, 2, 2], "score": 0.1}]
    with pytest.raises(vernier.UnknownImageError) as ei:
        Evaluator().evaluate(as_bytes(neg_gt()), dt)
    assert_fields(ei.value, image_id=-77, result_index=2)
    assert ei.value.index == 2


def test_annotation_missing_a_field_names_the_annotation():
    gt = neg_gt()
    del gt["annotations"][1]["iscrowd"]
    with pytest.raises(vernier.SchemaError) as ei:
        Evaluator().evaluate(as_bytes(gt), neg_dt())
    assert_fields(ei.value, annotation_id=2**40)
    assert "iscrowd" in str(ei.value)


def test_result_schema_error_names_the_result():
    dt = neg_dt() + [{"image_id": -1, "category_id": 5, "bbox": [1, 1, "x", 2], "score": 0.1}]
    with pytest.raises(vernier.SchemaError) as ei:
        Evaluator().evaluate(as_bytes(neg_gt()), json.dumps(dt).encode())
    assert_fields(ei.value, result_index=2)


def test_result_rle_error_names_the_result():
    dt = [{"image_id": -1, "category_id": -10, "score": 0.5,
           "segmentation": {"size": [100, 100], "counts": "!!!!"}}]
    with pytest.raises(vernier.VernierError) as ei:
        Evaluator(iou=Segm()).evaluate(as_bytes(neg_gt()), json.dumps(dt).encode())
    assert_fields(ei.value, result_index=0)


def test_corrected_mode_refusal_names_the_result():
    dt = [dict(neg_dt()[0], segmentation=[[10, 10, 30, 10, 30, 30]]),
          dict(neg_dt()[1], segmentation={"size": [100, 100], "counts": "0Z1"})]
    with pytest.raises(vernier.SchemaError) as ei:
        Evaluator(iou=Segm(), parity_mode="corrected").evaluate(as_bytes(neg_gt()),
                                                                json.dumps(dt).encode())
    assert "corrected mode" in str(ei.value)
    assert_fields(ei.value, result_index=1)


def kp_gt():
    gt = neg_gt()
    gt["categories"][0]["keypoints"] = ["a", "b"]
    for a in gt["annotations"]:
        a["keypoints"] = [20, 20, 2, 25, 25, 2]
        a["num_keypoints"] = 2
    return gt


def test_sigma_error_names_the_category():
    ev = Evaluator(iou=Keypoints(sigmas={-10: [0.5, 0.5, 0.5]}))
    with pytest.raises(vernier.VernierError) as ei:
        ev.evaluate(as_bytes(kp_gt()), [])
    assert "category -10" in str(ei.value)
    assert_fields(ei.value, category_id=-10)


def test_keypoint_count_errors_name_the_annotation_or_result():
    gt = kp_gt()
    gt["annotations"][0]["keypoints"] = [20, 20, 2]
    dt = [{"image_id": -1, "category_id": -10, "keypoints": [20, 20, 1, 25, 25, 1],
           "score": 0.5}]
    ev = Evaluator(iou=Keypoints(sigmas={-10: [0.5, 0.5], 5: [0.5, 0.5]}))
    with pytest.raises(vernier.SchemaError) as ei:
        ev.evaluate(as_bytes(gt), dt)
    assert_fields(ei.value, annotation_id=-100)
    dt[0]["keypoints"] = [20, 20, 1]
    with pytest.raises(vernier.SchemaError) as ei:
        ev.evaluate(as_bytes(kp_gt()), dt)
    assert_fields(ei.value, result_index=0)


def test_worker_duplicate_image_names_image_and_result():
    ds = CocoDataset.from_json(as_bytes(neg_gt()))
    bg = Evaluator().background(ds, queue_capacity=2)
    try:
        bg.submit(neg_dt()[:1], timeout=30)
        with pytest.raises(vernier.DuplicateImageError) as ei:
            bg.submit([neg_dt()[1], neg_dt()[0]], timeout=30)
        assert_fields(ei.value, image_id=-1, result_index=1)
    finally:
        bg.close()
    assert isinstance(bg, BackgroundEvaluator)


def partials():
    gt = as_bytes(tiny_gt())
    ev = Evaluator(parity_mode="strict")
    p0 = ev.evaluate_to_partial(gt, [d for d in tiny_dt() if d["image_id"] == 1], rank_id=4)
    p1 = ev.evaluate_to_partial(gt, [d for d in tiny_dt() if d["image_id"] == 2], rank_id=9)
    return gt, p0, p1


def test_partial_errors_name_partial_and_rank():
    gt, p0, p1 = partials()
    with pytest.raises(vernier.PartialMismatchError) as ei:
        Evaluator.from_partials(gt, [p0, p1], parity_mode="corrected")
    assert_fields(ei.value, partial_index=0, rank_id=4)
    other = as_bytes(tiny_gt(images=[{"id": 1, "width": 100, "height": 100},
                                     {"id": 2, "width": 100, "height": 101}]))
    with pytest.raises(vernier.PartialDatasetMismatchError) as ei:
        Evaluator.from_partials(other, [p0, p1], parity_mode="strict")
    assert_fields(ei.value, partial_index=0, rank_id=4)
    # corrupt: the rank cannot be trusted, so it is absent
    with pytest.raises(vernier.PartialCorruptError) as ei:
        Evaluator.from_partials(gt, [p0, p1[:-3]], parity_mode="strict")
    assert_fields(ei.value, partial_index=1)
    assert ei.value.rank_id is None


def test_partial_overlap_names_both_partials():
    gt, p0, p1 = partials()
    with pytest.raises(vernier.PartialOverlapError) as ei:
        Evaluator.from_partials(gt, [p1, p0, p1], parity_mode="strict")
    assert_fields(ei.value, image_id=2, partial_index=2, rank_id=9, other_partial_index=0,
                  other_rank_id=9)
    assert ei.value.partial_indices == (0, 2) and ei.value.rank_ids == (9, 9)


def test_json_error_has_no_entity():
    with pytest.raises(vernier.JSONError) as ei:
        CocoDataset.from_json(b'{"images": [')
    assert_fields(ei.value)
    assert ei.value.offset is not None


def test_errors_are_not_parsed_from_messages():
    import pathlib
    src = pathlib.Path(vernier.__file__).parent
    for f in ("_errors.py", "_lowlevel.py"):
        text = (src / f).read_text()
        assert "import re" not in text and "re.compile" not in text


# ---- the reason span and the batch index -----------------------------------

def test_reason_is_the_message_without_path_and_location():
    # bytes input: the message is "path: reason (line L, column C)", each
    # part from its own field
    dt = as_bytes([{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "score": "x"}])
    with pytest.raises(vernier.SchemaError) as e:
        Evaluator(parity_mode="strict").evaluate(as_bytes(tiny_gt()), dt)
    err = e.value
    assert err.path == "[0].score" and err.line == 1 and err.column is not None
    assert err.reason and err.reason in str(err)
    assert str(err) == f"{err.path}: {err.reason} (line {err.line}, column {err.column})"
    assert err.batch_index is None


def test_reason_without_a_path_is_the_whole_message():
    with pytest.raises(vernier.UnknownImageError) as e:
        Evaluator(parity_mode="strict").evaluate(
            as_bytes(tiny_gt()),
            as_bytes([{"image_id": 99, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5}]))
    assert e.value.reason is not None and e.value.reason in str(e.value)
    assert "(line " not in e.value.reason


def test_python_raised_errors_have_no_reason():
    with pytest.raises(vernier.InvalidConfigError) as e:
        Evaluator(parity_mode="nonsense")
    assert e.value.reason is None and e.value.batch_index is None


def test_worker_error_about_an_earlier_batch_has_its_batch_index():
    # corrected mode refuses a result mask whose size differs from its image
    # (quirk I2) while matching: on the worker, after the batch was accepted
    gt = {"images": [{"id": i, "width": 20, "height": 10} for i in (1, 2)],
          "categories": [{"id": 1}],
          "annotations": [{"id": i, "image_id": i, "category_id": 1, "bbox": [2, 2, 6, 4],
                           "area": 24, "iscrowd": 0,
                           "segmentation": [[2, 2, 8, 2, 8, 6, 2, 6]]} for i in (1, 2)]}
    good = [{"image_id": 1, "category_id": 1, "bbox": [2, 2, 6, 4], "score": 0.9,
             "segmentation": {"size": [10, 20], "counts": [0, 200]}}]
    wrong = [{"image_id": 2, "category_id": 1, "bbox": [2, 2, 6, 4], "score": 0.7,
              "segmentation": {"size": [11, 20], "counts": [0, 220]}}]
    bg = BackgroundEvaluator(json.dumps(gt).encode(), iou=Segm(), parity_mode="corrected",
                             queue_capacity=1)
    bg.submit(as_bytes(good), timeout=30)
    bg.submit(as_bytes(wrong), timeout=30)   # bytes: the C locations are the user's own
    with pytest.raises(vernier.SchemaError) as e:
        bg.finalize()
    err = e.value
    assert err.batch_index == 2
    assert str(err).startswith("batch 2: ")
    assert err.reason and err.reason in str(err) and not err.reason.startswith("batch")
