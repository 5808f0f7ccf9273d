"""Thin 1:1 layer over the C library (unstable: use vernier.instance).

Each function validates its Python arguments, calls one C function, checks
the status through ``_errors.check`` and wraps owned handles with
``ffi.gc`` as a safety net (the public classes also free them explicitly).
cffi releases the GIL around every C call.
"""
from __future__ import annotations

import numpy as np

from . import _errors
from ._vernier import ffi, lib

__all__ = ["ffi", "lib", "dataset_load_json", "results_load_json", "evaluate"]


def _bytes_like(data):
    """bytes or bytearray as is; any other buffer copied to bytes."""
    if isinstance(data, str):
        raise TypeError("JSON input must be bytes (encode str with .encode('utf-8'))")
    if isinstance(data, (bytes, bytearray)):
        return data
    return bytes(memoryview(data))


def _new_error():
    return ffi.new("vernier_error *")


def dataset_load_json(data, *, source: str | None = None):
    data = _bytes_like(data)
    out = ffi.new("vernier_dataset **")
    err = _new_error()
    with ffi.from_buffer("char[]", data) as buf:
        rc = lib.vernier_dataset_load_json(out, buf, len(data), ffi.NULL, err)
    _errors.check(rc, err, ffi, lib, source=source)
    return ffi.gc(out[0], lib.vernier_dataset_free, size=lib.vernier_dataset_sizeof(out[0]))


def results_load_json(data, *, source: str | None = None):
    data = _bytes_like(data)
    out = ffi.new("vernier_results **")
    err = _new_error()
    with ffi.from_buffer("char[]", data) as buf:
        rc = lib.vernier_results_load_json(out, buf, len(data), ffi.NULL, err)
    _errors.check(rc, err, ffi, lib, source=source)
    return ffi.gc(out[0], lib.vernier_results_free)


_IOU_TYPES = {"bbox": "VERNIER_IOU_BBOX", "segm": "VERNIER_IOU_SEGM",
              "boundary": "VERNIER_IOU_BOUNDARY", "keypoints": "VERNIER_IOU_KEYPOINTS"}


def evaluate(ds, res, *, iou, parity_mode: int, use_cats: bool, max_dets,
             iou_thresholds=None, recall_thresholds=None, area_ranges=None):
    keep = []  # cdata the options point into, alive until the call returns
    opts = ffi.new("vernier_eval_options *")
    rc = lib.vernier_eval_options_init(opts, lib.VERNIER_EVAL_OPTIONS_VERSION)
    _errors.check(rc, None, ffi, lib)
    opts.iou_type = getattr(lib, _IOU_TYPES[iou.name])
    if iou.name == "boundary":
        opts.dilation_ratio = iou.dilation_ratio
    if iou.name == "keypoints" and iou.sigmas:
        items = sorted(iou.sigmas.items())
        ids = ffi.new("int64_t[]", [c for c, _ in items])
        counts = ffi.new("size_t[]", [len(v) for _, v in items])
        values = ffi.new("double[]", [x for _, v in items for x in v])
        keep += [ids, counts, values]
        opts.n_category_sigmas = len(items)
        opts.category_sigma_ids = ids
        opts.category_sigma_counts = counts
        opts.category_sigma_values = values
    if iou_thresholds is not None:
        arr = ffi.new("double[]", list(iou_thresholds))
        keep.append(arr)
        opts.n_iou_thresholds = len(iou_thresholds)
        opts.iou_thresholds = arr
    if recall_thresholds is not None:
        arr = ffi.new("double[]", list(recall_thresholds))
        keep.append(arr)
        opts.n_recall_thresholds = len(recall_thresholds)
        opts.recall_thresholds = arr
    if area_ranges is not None:
        bounds = ffi.new("double[]", [x for _, lo, hi in area_ranges for x in (lo, hi)])
        labels = [ffi.new("char[]", lbl.encode()) for lbl, _, _ in area_ranges]
        label_ptrs = ffi.new("char *[]", labels)
        keep += [bounds, labels, label_ptrs]
        opts.n_area_ranges = len(area_ranges)
        opts.area_ranges = bounds
        opts.area_labels = label_ptrs
    opts.parity_mode = parity_mode
    opts.use_cats = 1 if use_cats else 0
    if max_dets is not None:
        if len(max_dets) > lib.VERNIER_MAX_MAX_DETS:
            raise _errors.InvalidConfigError(
                f"max_dets has {len(max_dets)} entries; at most {lib.VERNIER_MAX_MAX_DETS}")
        opts.n_max_dets = len(max_dets)
        for i, v in enumerate(max_dets):
            opts.max_dets[i] = v
    out = ffi.new("vernier_eval **")
    err = _new_error()
    rc = lib.vernier_evaluate(out, ds, res, opts, ffi.NULL, err)
    if rc == lib.VERNIER_E_INVALID_ARG:
        # the handles are ours and valid: an invalid argument here is an
        # evaluator option the data contradicts (e.g. a sigma count)
        _errors.check(rc, err, ffi, lib, cls=_errors.InvalidConfigError)
    _errors.check(rc, err, ffi, lib)
    return ffi.gc(out[0], lib.vernier_eval_free)


def eval_dims(ev):
    dims = ffi.new("size_t[5]")
    lib.vernier_eval_dims(ev, dims + 0, dims + 1, dims + 2, dims + 3, dims + 4)
    return tuple(int(d) for d in dims)


def copy_f64(ptr, shape) -> np.ndarray:
    n = 1
    for d in shape:
        n *= d
    if n == 0:
        return np.zeros(shape, dtype=np.float64)
    return np.frombuffer(ffi.buffer(ptr, n * 8), dtype=np.float64).reshape(shape).copy()


def copy_array(ev, copy_fn, shape) -> np.ndarray:
    """A fresh float64 array of `shape` filled by vernier_eval_copy_*."""
    out = np.empty(shape, dtype=np.float64)
    rc = copy_fn(ev, ffi.cast("double *", ffi.from_buffer(out)), out.size)
    _errors.check(rc, None, ffi, lib)
    return out


def copy_i64(ptr, n) -> list:
    return [int(ptr[i]) for i in range(n)]


def eval_stats(ev) -> list:
    n = lib.vernier_eval_num_stats(ev)
    buf = ffi.new("double[]", max(n, 1))
    lib.vernier_eval_stats(ev, buf, n)
    return [float(buf[i]) for i in range(n)]


def eval_summary_lines(ev) -> list:
    n = lib.vernier_eval_num_stats(ev)
    buf = ffi.new("char[]", 160)
    lines = []
    for i in range(n):
        k = lib.vernier_eval_summary_line(ev, i, buf, 160)
        if k < 0:
            _errors.check(k, None, ffi, lib)
        lines.append(ffi.string(buf).decode("ascii"))
    return lines
