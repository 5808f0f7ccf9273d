"""Writes the bad-input corpus: one small GT/results file pair per case (or a
shared good file for the side that is not under test) and the manifest
cases.json.  Run from anywhere: ``python parity/bad_inputs/make_cases.py``.

Each case states what every front end must do with it (checked by
python/tests/test_bad_inputs.py): the C status, the Python exception class,
the CLI exit status (always 1), the stage that refuses it (``gt`` load,
``dt`` load or ``eval``) and a substring the message must contain -- the
JSON path, or for syntax errors the position.  ``good_dt`` names a result
list that must still evaluate correctly against the same dataset handle
afterwards (no half-updated state).

The files are written byte for byte (BOMs, invalid UTF-8, truncations), so
edit this script, not the files.
"""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"

STATUS = {
    "VERNIER_E_JSON": (-4, "JSONError"),
    "VERNIER_E_SCHEMA": (-5, "SchemaError"),
    "VERNIER_E_UNKNOWN_IMAGE": (-6, "UnknownImageError"),
    "VERNIER_E_RLE": (-7, "RLEError"),
    "VERNIER_E_LIMIT": (-9, "LimitError"),
    "VERNIER_E_UNSUPPORTED": (-10, "UnsupportedInputError"),
}

KP = [v for i in range(17) for v in (5.0 + i, 4.0 + i, 2)]
NAMES = [f"k{i}" for i in range(17)]


def ann(i, image_id, cat, box, **kw):
    x, y, w, h = box
    a = {"id": i, "image_id": image_id, "category_id": cat, "bbox": box, "area": w * h,
         "iscrowd": 0, "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]],
         "num_keypoints": 17, "keypoints": KP}
    a.update(kw)
    return a


def base_gt():
    return {
        "info": {"description": "vernier bad-input corpus base"},
        "images": [{"id": 1, "width": 40, "height": 30, "file_name": "a.jpg"},
                   {"id": 2, "width": 64, "height": 48, "file_name": "b.jpg"}],
        "categories": [{"id": 1, "name": "person", "keypoints": NAMES}, {"id": 2, "name": "x"}],
        "annotations": [ann(1, 1, 1, [2.0, 3.0, 20.0, 15.0]),
                        ann(2, 1, 2, [10.0, 5.0, 20.0, 15.0]),
                        ann(3, 2, 1, [0.0, 0.0, 30.0, 30.0])],
    }


def good_dt():
    return [
        {"image_id": 1, "category_id": 1, "score": 0.9, "bbox": [2.0, 3.0, 19.0, 15.0],
         "segmentation": [[2, 3, 21, 3, 21, 18, 2, 18]], "keypoints": KP},
        {"image_id": 1, "category_id": 2, "score": 0.6, "bbox": [11.0, 5.0, 20.0, 14.0],
         "segmentation": [[11, 5, 31, 5, 31, 19, 11, 19]], "keypoints": KP},
        {"image_id": 2, "category_id": 1, "score": 0.4, "bbox": [1.0, 1.0, 28.0, 29.0],
         "segmentation": [[1, 1, 29, 1, 29, 30, 1, 30]], "keypoints": KP},
    ]


def rle_dt(counts, size=(30, 40), image_id=1):
    return [{"image_id": image_id, "category_id": 1, "score": 0.9,
             "segmentation": {"size": list(size), "counts": counts}}]


def dumps(obj) -> bytes:
    return json.dumps(obj, indent=1).encode()


GOOD_GT = dumps(base_gt())
GOOD_DT = dumps(good_dt())

CASES = []


def case(name, status, stage, contains, *, gt=None, dt=None, iou="bbox", mode="strict",
         note=""):
    """gt / dt: bytes of the file under test, or None for the shared good file."""
    code, exc = STATUS[status]
    entry = {"name": name, "gt": "files/good_gt.json", "dt": "files/good_dt.json",
             "iou_type": iou, "parity_mode": mode, "stage": stage, "status": status,
             "code": code, "exception": exc, "exit_code": 1, "message_contains": contains}
    if gt is not None:
        entry["gt"] = f"files/{name}.gt.json"
        (FILES / f"{name}.gt.json").write_bytes(gt)
    if dt is not None:
        entry["dt"] = f"files/{name}.dt.json"
        (FILES / f"{name}.dt.json").write_bytes(dt)
    if gt is None:
        # the dataset loaded and is good: a good result list must still
        # evaluate against the same handle exactly as against a fresh one
        entry["good_dt"] = "files/good_dt.json"
    if note:
        entry["note"] = note
    CASES.append(entry)


def gt_with(mutate):
    g = base_gt()
    mutate(g)
    return dumps(g)


def set_ann(key, value, i=0):
    return gt_with(lambda g: g["annotations"][i].__setitem__(key, value))


def set_img(key, value, i=0):
    return gt_with(lambda g: g["images"][i].__setitem__(key, value))


def dt_with(mutate):
    d = good_dt()
    mutate(d)
    return dumps(d)


def set_res(key, value, i=0):
    return dt_with(lambda d: d[i].__setitem__(key, value))


def drop_res(key, i=0):
    return dt_with(lambda d: d[i].pop(key))


def text_replace(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data, old
    return data.replace(old, new, 1)


def nested(depth, open_="[", close="]"):
    return (open_ * depth + close * depth).encode()


def build():
    FILES.mkdir(exist_ok=True)
    for p in FILES.glob("*.json"):
        p.unlink()
    (FILES / "good_gt.json").write_bytes(GOOD_GT)
    (FILES / "good_dt.json").write_bytes(GOOD_DT)
    J, S, L, R = "VERNIER_E_JSON", "VERNIER_E_SCHEMA", "VERNIER_E_LIMIT", "VERNIER_E_RLE"
    U, UI = "VERNIER_E_UNSUPPORTED", "VERNIER_E_UNKNOWN_IMAGE"

    # --- ground truth: not JSON -------------------------------------------------
    case("gt_empty_file", J, "gt", "line 1", gt=b"")
    case("gt_truncated_half", J, "gt", "line", gt=GOOD_GT[: len(GOOD_GT) // 2])
    case("gt_truncated_last_byte", J, "gt", "line", gt=GOOD_GT[:-1])
    case("gt_utf8_bom", J, "gt", "line 1, column 1", gt=b"\xef\xbb\xbf" + GOOD_GT)
    case("gt_invalid_utf8_byte", J, "gt", "images[0].file_name",
         gt=text_replace(GOOD_GT, b'"a.jpg"', b'"a\xff.jpg"'))
    case("gt_overlong_utf8", J, "gt", "images[0].file_name",
         gt=text_replace(GOOD_GT, b'"a.jpg"', b'"a\xc0\xaf.jpg"'))
    case("gt_encoded_surrogate_utf8", J, "gt", "images[0].file_name",
         gt=text_replace(GOOD_GT, b'"a.jpg"', b'"a\xed\xa0\x80.jpg"'))
    case("gt_beyond_u10ffff_utf8", J, "gt", "images[0].file_name",
         gt=text_replace(GOOD_GT, b'"a.jpg"', b'"a\xf4\x90\x80\x80.jpg"'))
    case("gt_nan_literal", J, "gt", "annotations[0].bbox[0]",
         gt=text_replace(GOOD_GT, b"2.0,", b"NaN,"))
    case("gt_infinity_literal", J, "gt", "annotations[0].area",
         gt=text_replace(GOOD_GT, b'"area": 300.0', b'"area": Infinity'))
    case("gt_negative_infinity_literal", J, "gt", "annotations[0].area",
         gt=text_replace(GOOD_GT, b'"area": 300.0', b'"area": -Infinity'))
    case("gt_trailing_garbage", J, "gt", "line", gt=GOOD_GT + b"\nx")
    case("gt_two_documents", J, "gt", "line", gt=GOOD_GT + GOOD_GT)
    case("gt_trailing_comma", J, "gt", "images", gt=text_replace(
        GOOD_GT, b'"file_name": "b.jpg"\n', b'"file_name": "b.jpg",\n'))
    case("gt_single_quotes", J, "gt", "line 1", gt=b"{'images': [], 'categories': [], 'annotations': []}")
    case("gt_leading_zero_number", J, "gt", "images[0].width",
         gt=text_replace(GOOD_GT, b'"width": 40', b'"width": 040'))
    case("gt_control_char_in_string", J, "gt", "images[0].file_name",
         gt=text_replace(GOOD_GT, b'"a.jpg"', b'"a\x01.jpg"'))
    case("gt_unterminated_huge_string", J, "gt", "info",
         gt=b'{"info": "' + b"x" * 100_000)
    case("gt_deep_nesting_arrays", L, "gt", "info",
         gt=b'{"info": ' + nested(600) + b', "images": [], "categories": [], "annotations": []}')
    case("gt_deep_nesting_objects", L, "gt", "info",
         gt=b'{"info": ' + b'{"a":' * 600 + b"1" + b"}" * 600 +
         b', "images": [], "categories": [], "annotations": []}')

    # --- ground truth: JSON but not COCO --------------------------------------
    case("gt_top_level_array", S, "gt", "top level", gt=b"[]",
         note="the message says the top-level value must be an object")
    case("gt_missing_images", S, "gt", "images", gt=gt_with(lambda g: g.pop("images")))
    case("gt_missing_categories", S, "gt", "categories", gt=gt_with(lambda g: g.pop("categories")))
    case("gt_missing_annotations", S, "gt", "annotations",
         gt=gt_with(lambda g: g.pop("annotations")))
    case("gt_images_is_object", S, "gt", "images", gt=gt_with(lambda g: g.__setitem__("images", {})))
    case("gt_image_id_string", S, "gt", "images[0].id", gt=set_img("id", "1"))
    case("gt_image_id_fraction", S, "gt", "images[0].id", gt=set_img("id", 1.5))
    case("gt_image_id_bool", S, "gt", "images[0].id", gt=set_img("id", True))
    case("gt_image_id_null", S, "gt", "images[0].id", gt=set_img("id", None))
    case("gt_image_id_beyond_int64", S, "gt", "images[0].id", gt=set_img("id", 2**63))
    case("gt_image_missing_id", S, "gt", "images[0]", gt=gt_with(lambda g: g["images"][0].pop("id")))
    case("gt_negative_width", S, "gt", "images[0].width", gt=set_img("width", -1))
    case("gt_fractional_height", S, "gt", "images[0].height", gt=set_img("height", 30.5))
    case("gt_category_id_string", S, "gt", "categories[1].id",
         gt=gt_with(lambda g: g["categories"][1].__setitem__("id", "2")))
    case("gt_annotation_image_id_string", S, "gt", "annotations[0].image_id",
         gt=set_ann("image_id", "1"))
    case("gt_bbox_three_numbers", S, "gt", "annotations[0].bbox", gt=set_ann("bbox", [1, 2, 3]))
    case("gt_bbox_string", S, "gt", "annotations[0].bbox", gt=set_ann("bbox", "1,2,3,4"))
    case("gt_bbox_nested", S, "gt", "annotations[0].bbox", gt=set_ann("bbox", [[1, 2, 3, 4]]))
    case("gt_bbox_overflowing_number", S, "gt", "annotations[0].bbox[2]",
         gt=text_replace(GOOD_GT, b"20.0,", b"1e999,"))
    case("gt_area_string", S, "gt", "annotations[0].area", gt=set_ann("area", "300"))
    case("gt_iscrowd_256", S, "gt", "annotations[0].iscrowd", gt=set_ann("iscrowd", 256))
    case("gt_iscrowd_negative", S, "gt", "annotations[0].iscrowd", gt=set_ann("iscrowd", -1))
    case("gt_duplicate_key_bbox", S, "gt", "annotations[0].bbox",
         gt=text_replace(GOOD_GT, b'"bbox": [', b'"bbox": [0, 0, 1, 1], "bbox": ['))
    case("gt_duplicate_key_images", S, "gt", "images",
         gt=text_replace(GOOD_GT, b'"images": [', b'"images": [], "images": ['))
    case("gt_duplicate_key_escaped", S, "gt", "annotations[0].bbox",
         gt=text_replace(GOOD_GT, b'"bbox": [', b'"b\\u0062ox": [0, 0, 1, 1], "bbox": ['),
         note="keys are compared after decoding escapes")
    case("gt_rle_size_beyond_u32", S, "gt", "annotations[0].segmentation.size",
         gt=set_ann("segmentation", {"size": [2**32, 1], "counts": "0"}))
    case("gt_rle_size_negative", S, "gt", "annotations[0].segmentation.size",
         gt=set_ann("segmentation", {"size": [-30, 40], "counts": "0"}))
    case("gt_rle_size_three_values", S, "gt", "annotations[0].segmentation.size",
         gt=set_ann("segmentation", {"size": [30, 40, 1], "counts": "0"}))

    # --- ground truth: refused when evaluated ----------------------------------
    case("gt_keypoints_not_triplets", S, "eval", "annotations[0].keypoints", iou="keypoints",
         gt=set_ann("keypoints", KP[:-1]))
    case("gt_polygon_string_coordinates", S, "eval", "annotations[0].segmentation", iou="segm",
         gt=set_ann("segmentation", [["1", "2", "3", "4", "5", "6"]]),
         note="loading only checks that segmentation is well-formed JSON")
    case("gt_polygon_odd_coordinates_corrected", S, "eval", "odd number of coordinates",
         iou="segm", mode="corrected", gt=set_ann("segmentation", [[2, 3, 22, 3, 22, 18, 2]]),
         note="strict mode accepts it and drops the last value, as pycocotools does")
    case("gt_missing_area_at_eval", S, "eval", "annotations[0].area",
         gt=gt_with(lambda g: g["annotations"][0].pop("area")))
    case("gt_missing_bbox_at_eval", S, "eval", "annotations[1].bbox",
         gt=gt_with(lambda g: g["annotations"][1].pop("bbox")))
    case("gt_missing_segmentation_segm", S, "eval", "annotations[0].segmentation", iou="segm",
         gt=gt_with(lambda g: g["annotations"][0].pop("segmentation")))
    case("gt_missing_keypoints_at_eval", S, "eval", "annotations[2]", iou="keypoints",
         gt=gt_with(lambda g: g["annotations"][2].pop("keypoints")))
    case("gt_rle_huge_size_short_counts", R, "eval", "annotations[0].segmentation", iou="segm",
         gt=set_ann("segmentation", {"size": [4_000_000_000, 4_000_000_000], "counts": "01"}),
         note="4e9 x 4e9 claimed: must be refused without allocating for it")
    case("gt_rle_counts_bad_character", R, "eval", "annotations[0].segmentation", iou="segm",
         gt=set_ann("segmentation", {"size": [30, 40], "counts": "a9??~~W9"}))
    case("gt_rle_uncompressed_bad_sum", R, "eval", "annotations[0].segmentation", iou="segm",
         gt=set_ann("segmentation", {"size": [30, 40], "counts": [100, 50]}))

    # --- results: not JSON ------------------------------------------------------
    case("dt_empty_file", J, "dt", "line 1", dt=b"")
    case("dt_truncated", J, "dt", "line", dt=GOOD_DT[:-3])
    case("dt_utf8_bom", J, "dt", "line 1, column 1", dt=b"\xef\xbb\xbf" + GOOD_DT)
    case("dt_invalid_utf8_key", J, "dt", "[0]",
         dt=text_replace(GOOD_DT, b'"score"', b'"sc\xfe"'))
    case("dt_nan_score", J, "dt", "[0].score", dt=text_replace(GOOD_DT, b"0.9", b"NaN"))
    case("dt_infinity_bbox", J, "dt", "[0].bbox[2]",
         dt=text_replace(GOOD_DT, b"19.0", b"Infinity"))
    case("dt_deep_nesting", L, "dt", "[0]",
         dt=b'[{"image_id": 1, "category_id": 1, "score": 1, "bbox": [0,0,1,1], "x": ' +
         nested(1000) + b"}]")

    # --- results: JSON but not a result list ------------------------------------
    case("dt_top_level_object", S, "dt", "top level", dt=b"{}")
    case("dt_score_string", S, "dt", "[0].score", dt=set_res("score", "0.9"))
    case("dt_score_missing", S, "dt", '[1]: missing required key "score"', dt=dt_with(lambda d: d[1].pop("score")))
    case("dt_score_overflowing_number", S, "dt", "[0].score",
         dt=text_replace(GOOD_DT, b"0.9", b"-1e400"))
    case("dt_image_id_string", S, "dt", "[0].image_id", dt=set_res("image_id", "1"))
    case("dt_image_id_fraction", S, "dt", "[2].image_id", dt=set_res("image_id", 2.5, 2))
    case("dt_category_id_null", S, "dt", "[0].category_id", dt=set_res("category_id", None))
    case("dt_bbox_five_numbers", S, "dt", "[1].bbox", dt=set_res("bbox", [1, 2, 3, 4, 5], 1))
    case("dt_mixed_shapes", S, "dt", '[1]: missing required key "bbox"',
         dt=dt_with(lambda d: d[1].pop("bbox")),
         note="the first result makes it a bbox list; the second has only a mask")
    case("dt_keypoints_not_triplets", S, "dt", "[0].keypoints", iou="keypoints",
         dt=dumps([{"image_id": 1, "category_id": 1, "score": 0.5, "keypoints": KP[:50]}]))
    case("dt_keypoints_empty", S, "dt", "[0].keypoints", iou="keypoints",
         dt=dumps([{"image_id": 1, "category_id": 1, "score": 0.5, "keypoints": []}]))
    case("dt_duplicate_key_score", S, "dt", "[0].score",
         dt=text_replace(GOOD_DT, b'"score": 0.9', b'"score": 0.1, "score": 0.9'))
    case("dt_rle_size_negative", S, "dt", "[0].segmentation.size", iou="segm",
         dt=dumps(rle_dt("0", size=(-1, 40))))
    case("dt_rle_counts_number", S, "dt", "[0].segmentation.counts", iou="segm",
         dt=dumps(rle_dt(12)))
    case("dt_caption_list", U, "dt", "[0]", dt=dumps([{"image_id": 1, "caption": "a cat"}]))
    case("dt_no_geometry", U, "dt", "[0]",
         dt=dumps([{"image_id": 1, "category_id": 1, "score": 0.5}]))
    case("dt_polygon_segmentation_first", U, "dt", "[0].segmentation", iou="segm",
         dt=dumps([{"image_id": 1, "category_id": 1, "score": 0.5,
                    "segmentation": [[1, 1, 5, 1, 5, 5]]}]))
    case("dt_uncompressed_rle_first", U, "dt", "[0].segmentation", iou="segm",
         dt=dumps([{"image_id": 1, "category_id": 1, "score": 0.5,
                    "segmentation": {"size": [30, 40], "counts": [0, 1200]}}]))

    # --- results: malformed masks ----------------------------------------------
    case("dt_polygon_odd_coordinates_corrected", S, "eval", "[0].segmentation", iou="segm",
         mode="corrected", dt=dt_with(lambda d: d[0].__setitem__("segmentation",
                                                                 [[2, 3, 21, 3, 21, 18, 2]])))
    case("dt_rle_bad_character", R, "dt", "[0].segmentation", iou="segm",
         dt=dumps(rle_dt("a9??\x7f0W9")))
    case("dt_rle_sum_mismatch", R, "dt", "[0].segmentation", iou="segm",
         dt=dumps(rle_dt("a9??0W9")))
    case("dt_rle_dangling_continuation", R, "dt", "[0].segmentation", iou="segm",
         dt=dumps(rle_dt("a9?" + "o")))
    case("dt_rle_huge_size_short_counts", R, "dt", "[0].segmentation", iou="segm",
         dt=dumps(rle_dt("0k", size=(4_000_000_000, 4_000_000_000))),
         note="4e9 x 4e9 claimed: must be refused without allocating for it")
    case("dt_rle_run_beyond_u32", R, "dt", "[0].segmentation", iou="segm",
         dt=dumps(rle_dt("0" + "o" * 7 + "1", size=(1, 1))),
         note="one run of more than 2^32 - 1 pixels")

    # --- results: refused when evaluated ---------------------------------------
    case("dt_unknown_image", UI, "eval", "[1].image_id", dt=set_res("image_id", 7, 1))
    case("dt_unknown_image_int64_max", UI, "eval", "[0].image_id",
         dt=set_res("image_id", 2**63 - 1))

    manifest = {
        "about": "Bad inputs and the typed error each must give in every front end "
                 "(python/tests/test_bad_inputs.py). Generated by make_cases.py.",
        "cases": CASES,
    }
    (HERE / "cases.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return CASES


if __name__ == "__main__":
    cases = build()
    print(f"{len(cases)} cases")
