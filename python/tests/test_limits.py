"""Each limit of docs/reference/input-format.md ("Limits") is enforced with
its documented typed error, at the boundary where it can be reached cheaply:

| limit                                   | checked here                           |
|-----------------------------------------|----------------------------------------|
| JSON nesting depth 512                  | 512 levels load, 513 are LimitError    |
| images x categories <= 2^32 - 1         | 65536 x 65537 is LimitError at evaluate|
| max-detections ladder 1..16 entries     | 17: INVALID_ARG (C), InvalidConfigError|
| a max-detections cap 0..2^32 - 1        | 2^32 - 1 ok, 2^32 refused              |
| RLE size values 0..2^32 - 1             | 2^32 - 1 loads, 2^32 is SchemaError    |
| an RLE run length 0..2^32 - 1           | 2^32 - 1 decodes, 2^32 is RLEError     |
| vernier_error.path 159 bytes            | a deep path is cut to 159 bytes        |

Not reachable in a test: fewer than 2^32 - 1 images, annotations or
results (that many entries need tens of GB of JSON); the check
(libvernier/src/eval/cells.c) is read, not run.
"""
from __future__ import annotations

import json

import pytest

import vernier
from vernier import _lowlevel as _ll
from vernier.instance import Bbox, CocoDataset, Evaluator, Segm

U32 = 2 ** 32 - 1


def nested_gt(levels_in_info: int) -> bytes:
    """GT whose deepest value sits at 1 + levels_in_info levels (the top
    object is the first)."""
    return (b'{"info": ' + b"[" * levels_in_info + b"]" * levels_in_info +
            b', "images": [], "categories": [], "annotations": []}')


def test_nesting_depth_512_loads_513_is_a_limit_error():
    CocoDataset.from_json(nested_gt(511))
    with pytest.raises(vernier.LimitError) as e:
        CocoDataset.from_json(nested_gt(512))
    assert e.value.code == _ll.lib.VERNIER_E_LIMIT
    assert "512" in str(e.value)
    assert e.value.path.startswith("info[0][0]")


def test_nesting_depth_in_results():
    ok = b'[{"image_id": 1, "category_id": 1, "score": 1, "bbox": [0, 0, 1, 1], "x": ' + \
        b"[" * 510 + b"]" * 510 + b"}]"  # the list, the object, 510 arrays: 512
    deep = ok.replace(b"[" * 510, b"[" * 511).replace(b"]" * 510, b"]" * 511)
    gt = CocoDataset.from_json(json.dumps(
        {"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": []}).encode())
    Evaluator(parity_mode="strict").evaluate(gt, ok)
    with pytest.raises(vernier.LimitError):
        Evaluator(parity_mode="strict").evaluate(gt, deep)


def test_images_times_categories_over_2_32_is_a_limit_error():
    """65536 images x 65537 categories = 2^32 + 65536 cells: refused before
    any per-cell allocation (the JSON is ~2 MB)."""
    n_img, n_cat = 65536, 65537
    gt = (b'{"images": [' + b",".join(b'{"id":%d}' % (i + 1) for i in range(n_img)) +
          b'], "categories": [' + b",".join(b'{"id":%d}' % (c + 1) for c in range(n_cat)) +
          b'], "annotations": []}')
    ds = CocoDataset.from_json(gt)
    dt = b'[{"image_id": 1, "category_id": 1, "score": 0.5, "bbox": [0, 0, 1, 1]}]'
    with pytest.raises(vernier.LimitError) as e:
        Evaluator(parity_mode="strict").evaluate(ds, dt)
    assert e.value.code == _ll.lib.VERNIER_E_LIMIT
    # pooled categories make one cell per image: within the limit
    Evaluator(parity_mode="strict", use_cats=False).evaluate(ds, dt)


def _c_evaluate_status(max_dets):
    """vernier_eval_run's status with the given cap ladder, through the C API
    (the cffi objects directly: the Python layer would refuse 17 caps)."""
    gt = _ll.dataset_load_json(json.dumps(
        {"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": []}).encode())
    res = _ll.results_load_json(b"[]")
    opts = _ll.ffi.new("vernier_eval_options *")
    assert _ll.lib.vernier_eval_options_init(opts, _ll.lib.VERNIER_EVAL_OPTIONS_VERSION) == 0
    opts.n_max_dets = len(max_dets)
    for i, v in enumerate(max_dets[:_ll.lib.VERNIER_MAX_MAX_DETS]):
        opts.max_dets[i] = v
    out = _ll.ffi.new("vernier_eval **")
    err = _ll.ffi.new("vernier_error *")
    rc = _ll.lib.vernier_eval_run(out, gt.ptr, res.ptr, opts, _ll.ffi.NULL, err)
    if rc == 0:
        _ll.lib.vernier_eval_free(out[0])
    res.close()
    gt.close()
    return rc


def test_max_dets_ladder_of_16_ok_17_refused():
    assert _c_evaluate_status(list(range(16))) == 0
    assert _c_evaluate_status(list(range(17))) == _ll.lib.VERNIER_E_INVALID_ARG
    ds = CocoDataset.from_json(json.dumps(
        {"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": []}).encode())
    Evaluator(max_dets=tuple(range(16))).evaluate(ds, b"[]")
    with pytest.raises(vernier.InvalidConfigError):
        Evaluator(max_dets=tuple(range(17))).evaluate(ds, b"[]")


def test_max_dets_cap_up_to_2_32_minus_1():
    assert _c_evaluate_status([1, 10, U32]) == 0
    assert _c_evaluate_status([1, 10, U32 + 1]) == _ll.lib.VERNIER_E_INVALID_ARG
    ds = CocoDataset.from_json(json.dumps(
        {"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": []}).encode())
    Evaluator(max_dets=(1, 10, U32)).evaluate(ds, b"[]")
    # Python refuses it itself (errors.md says InvalidArgumentError; it is
    # InvalidConfigError -- both are ValueErrors)
    with pytest.raises(ValueError):
        Evaluator(max_dets=(1, 10, U32 + 1)).evaluate(ds, b"[]")


def _rle_gt(size):
    return json.dumps({"images": [{"id": 1, "width": 1, "height": 1}],
                       "categories": [{"id": 1}],
                       "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "area": 0,
                                        "iscrowd": 0, "bbox": [0, 0, 1, 1],
                                        "segmentation": {"size": size, "counts": ""}}]}).encode()


def test_rle_size_values_up_to_2_32_minus_1():
    CocoDataset.from_json(_rle_gt([U32, 0]))
    CocoDataset.from_json(_rle_gt([0, U32]))
    for size in ([U32 + 1, 0], [0, U32 + 1]):
        with pytest.raises(vernier.SchemaError) as e:
            CocoDataset.from_json(_rle_gt(size))
        assert e.value.code == _ll.lib.VERNIER_E_SCHEMA
        assert "annotations[0].segmentation.size" in e.value.path
    dt = [{"image_id": 1, "category_id": 1, "score": 0.5,
           "segmentation": {"size": [U32 + 1, 1], "counts": "0"}}]
    gt = CocoDataset.from_json(_rle_gt([1, 1]))
    with pytest.raises(vernier.SchemaError):
        Evaluator(iou=Segm(), parity_mode="strict").evaluate(gt, json.dumps(dt).encode())


def _encode_counts(counts):
    """pycocotools' rleToString, for counts that fit in 64 bits."""
    out = []
    for i, c in enumerate(counts):
        x = c - counts[i - 2] if i > 2 else c
        more = True
        while more:
            ch = x & 0x1F
            x >>= 5
            more = (x != -1) if ch & 0x10 else (x != 0)
            if more:
                ch |= 0x20
            out.append(chr(ch + 48))
    return "".join(out)


def test_rle_run_length_up_to_2_32_minus_1():
    gt = CocoDataset.from_json(json.dumps(
        {"images": [{"id": 1, "width": 1, "height": U32}], "categories": [{"id": 1}],
         "annotations": []}).encode())
    ev = Evaluator(iou=Segm(), parity_mode="strict")

    def dt(counts):
        return json.dumps([{"image_id": 1, "category_id": 1, "score": 0.5,
                            "segmentation": {"size": [U32, 1],
                                             "counts": _encode_counts(counts)}}]).encode()
    ev.evaluate(gt, dt([0, U32]))  # one run of 2^32 - 1 pixels
    with pytest.raises(vernier.RLEError) as e:
        ev.evaluate(gt, dt([0, U32 + 1]))
    assert e.value.code == _ll.lib.VERNIER_E_RLE
    assert "4294967296" in str(e.value)


def test_error_path_is_cut_to_159_bytes():
    with pytest.raises(vernier.JSONError) as e:
        CocoDataset.from_json(b'{"info": ' + b"[" * 100 + b"NaN" + b"]" * 100 +
                              b', "images": [], "categories": [], "annotations": []}')
    assert len(e.value.path.encode()) == 159
    assert e.value.path.startswith("info[0][0]")
