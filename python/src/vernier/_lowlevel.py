"""Thin 1:1 layer over the C library (unstable: use vernier.instance).

Each function validates its Python arguments, calls one C function, checks
the status through ``_errors.check`` and wraps owned handles with
``ffi.gc`` as a safety net (the public classes also free them explicitly).
cffi releases the GIL around every C call.
"""
from __future__ import annotations

import re

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
             iou_thresholds=None, recall_thresholds=None, area_ranges=None,
             keep_records=False, num_threads=1):
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
    opts.keep_records = 1 if keep_records else 0
    opts.num_threads = num_threads
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


def copy_records(ev, n_thresholds: int) -> dict:
    """The per-image record tables of ``ev`` (see vernier.h section 9) as
    numpy arrays; StateError when the evaluation did not keep them."""
    dims = ffi.new("size_t[4]")
    rc = lib.vernier_eval_records_dims(ev, dims, dims + 1, dims + 2, dims + 3)
    if rc == lib.VERNIER_E_STATE:
        raise _errors.StateError(
            "this evaluation kept no per-image records: evaluate with keep_records=True")
    _errors.check(rc, None, ffi, lib)
    n_rec, n_dt, n_gt, n_all = (int(dims[i]) for i in range(4))
    T = n_thresholds
    out = {
        "records": np.empty((n_rec, 7), np.int64),
        "dt_id": np.empty(n_dt, np.int64),
        "dt_score": np.empty(n_dt, np.float64),
        "dt_match": np.empty((n_dt, T), np.int32),
        "dt_ignore": np.empty((n_dt, T), np.uint8),
        "gt_id": np.empty(n_gt, np.int64),
        "gt_ignore": np.empty(n_gt, np.uint8),
        "gt_match": np.empty((n_gt, T), np.int32),
    }

    def ptr(name, ctype):
        return ffi.cast(ctype, ffi.from_buffer(out[name]))

    rc = lib.vernier_eval_copy_records(
        ev, ptr("records", "int64_t *"), ptr("dt_id", "int64_t *"), ptr("dt_score", "double *"),
        ptr("dt_match", "int32_t *"), ptr("dt_ignore", "uint8_t *"), ptr("gt_id", "int64_t *"),
        ptr("gt_ignore", "uint8_t *"), ptr("gt_match", "int32_t *"))
    _errors.check(rc, None, ffi, lib)
    out["n_eval_imgs"] = n_all
    return out


# ---- incremental session and background worker (vernier.h sections 10, 11) --

def eval_options(*, iou, parity_mode: int, use_cats: bool, max_dets, iou_thresholds=None,
                 recall_thresholds=None, area_ranges=None):
    """A filled ``vernier_eval_options *`` and the list of cdata it points
    into (keep both alive while C uses the options)."""
    keep = []
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
    for name, ladder in (("iou_thresholds", iou_thresholds),
                         ("recall_thresholds", recall_thresholds)):
        if ladder is not None:
            arr = ffi.new("double[]", list(ladder))
            keep.append(arr)
            setattr(opts, "n_" + name, len(ladder))
            setattr(opts, name, arr)
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
    return opts, keep


def results_parse(data):
    """A parsed results handle WITHOUT a destructor: the caller frees it
    (lib.vernier_results_free) or hands it to the worker."""
    data = _bytes_like(data)
    out = ffi.new("vernier_results **")
    err = _new_error()
    with ffi.from_buffer("char[]", data) as buf:
        rc = lib.vernier_results_load_json(out, buf, len(data), ffi.NULL, err)
    _errors.check(rc, err, ffi, lib)
    return out[0]


def memory_dict(usage) -> dict:
    return {name: int(getattr(usage, name))
            for name in ("index", "records", "scores", "outcomes", "queued", "scratch_peak")}


def worker_new(ds, opts, *, queue_capacity: int, memory_budget_bytes: int, keepalive=()):
    """A worker handle; its destructor (vernier_worker_free) holds
    `keepalive` (the dataset handle) so the dataset outlives the thread."""
    wopts = ffi.new("vernier_worker_options *")
    _errors.check(lib.vernier_worker_options_init(wopts, lib.VERNIER_WORKER_OPTIONS_VERSION),
                  None, ffi, lib)
    wopts.queue_capacity = queue_capacity
    wopts.memory_budget_bytes = memory_budget_bytes
    out = ffi.new("vernier_worker **")
    err = _new_error()
    rc = lib.vernier_worker_new(out, ds, opts, wopts, ffi.NULL, err)
    if rc == lib.VERNIER_E_INVALID_ARG:
        _errors.check(rc, err, ffi, lib, cls=_errors.InvalidConfigError)
    _errors.check(rc, err, ffi, lib)

    def free(ptr, _keep=keepalive):
        lib.vernier_worker_free(ptr)

    return ffi.gc(out[0], free)


def _worker_error(w, rc, err, *, timeout=None):
    """Raise the exception for a worker status (no-op for VERNIER_OK)."""
    if rc == lib.VERNIER_OK:
        return
    try:
        _errors.check(rc, err, ffi, lib)
    except _errors.BudgetExceededError as e:
        usage = ffi.new("vernier_memory_usage *")
        lib.vernier_worker_error_memory(w, usage)
        new = _errors.OutOfBudgetError(str(e), code=rc)
        new.used_bytes = int(usage.used)
        new.budget_bytes = int(usage.budget)
        new.requested_bytes = int(usage.requested)
        new.breakdown = memory_dict(usage)
        raise new from None
    except _errors.QueueFullError as e:
        e.queue_capacity = int(lib.vernier_worker_queue_capacity(w))
        e.timeout = timeout
        raise
    except _errors.DuplicateImageError as e:
        m = re.search(r"image id (-?\d+)", str(e))
        e.image_id = int(m.group(1)) if m else None
        raise


def worker_submit(w, res, timeout) -> None:
    """Hands `res` to the worker (it owns it on success; the caller still
    does when this raises).  timeout None: never wait."""
    err = _new_error()
    if timeout is None:
        rc = lib.vernier_worker_try_submit(w, res, err)
    else:
        rc = lib.vernier_worker_submit(w, res, float(timeout), err)
    _worker_error(w, rc, err, timeout=timeout)


def worker_finalize(w):
    out = ffi.new("vernier_eval **")
    err = _new_error()
    rc = lib.vernier_worker_finalize(out, w, err)
    _worker_error(w, rc, err)
    return ffi.gc(out[0], lib.vernier_eval_free)


def session_image_table(session) -> dict:
    n = int(lib.vernier_session_num_images(session))
    cols = {"image_id": np.empty(n, np.int64), "n_gt": np.empty(n, np.uint32),
            "n_dt": np.empty(n, np.uint32), "tp": np.empty(n, np.uint32),
            "seen": np.empty(n, np.uint8)}
    if n:
        rc = lib.vernier_session_image_table(
            session, ffi.cast("int64_t *", ffi.from_buffer(cols["image_id"])),
            ffi.cast("uint32_t *", ffi.from_buffer(cols["n_gt"])),
            ffi.cast("uint32_t *", ffi.from_buffer(cols["n_dt"])),
            ffi.cast("uint32_t *", ffi.from_buffer(cols["tp"])),
            ffi.cast("uint8_t *", ffi.from_buffer(cols["seen"])), n)
        _errors.check(rc, None, ffi, lib)
    cols["seen"] = cols["seen"].astype(bool)
    return cols


# ---- partials (vernier.h section 12) -----------------------------------------

_OVERLAP = re.compile(r"image id (-?\d+) is covered by both partials\[(\d+)\] \(rank (\d+)\) "
                      r"and partials\[(\d+)\] \(rank (\d+)\)")
_RANK = re.compile(r"\brank (\d+)\b")


def _partial_error(rc, err, *, merging: bool):
    """Raise the exception for a status of a partial call (no-op if OK)."""
    if rc == lib.VERNIER_OK:
        return
    try:
        _errors.check(rc, err, ffi, lib)
    except _errors.PartialError as e:
        e.partial_index = e.index
        e.field = e.path
        m = _RANK.search(str(e))
        e.rank_id = int(m.group(1)) if m and not isinstance(e, _errors.PartialCorruptError) \
            else None
        raise
    except _errors.DuplicateImageError as e:
        m = _OVERLAP.search(str(e))
        if not merging or m is None:
            raise
        new = _errors.PartialOverlapError(str(e), code=rc, path=e.path, index=e.index)
        new.image_id = int(m.group(1))
        new.partial_indices = (int(m.group(2)), int(m.group(4)))
        new.rank_ids = (int(m.group(3)), int(m.group(5)))
        new.partial_index = new.partial_indices[1]
        new.rank_id = new.rank_ids[1]
        new.field = "images"
        raise new from None


def _take_buffer(out, size) -> bytes:
    try:
        return bytes(ffi.buffer(out[0], size[0]))
    finally:
        lib.vernier_buffer_free(out[0], size[0], ffi.NULL)


def check_rank_id(rank_id) -> int:
    if isinstance(rank_id, bool) or not isinstance(rank_id, (int, np.integer)) or \
            not 0 <= rank_id <= 0xFFFFFFFF:
        raise _errors.InvalidConfigError(f"rank_id must be an int in [0, 2**32), got {rank_id!r}")
    return int(rank_id)


def evaluate_to_partial(ds, res, opts, rank_id: int) -> bytes:
    out = ffi.new("void **")
    size = ffi.new("size_t *")
    err = _new_error()
    rc = lib.vernier_evaluate_to_partial(out, size, ds, res, opts, rank_id, ffi.NULL, err)
    if rc == lib.VERNIER_E_INVALID_ARG:
        _errors.check(rc, err, ffi, lib, cls=_errors.InvalidConfigError)
    _errors.check(rc, err, ffi, lib)
    return _take_buffer(out, size)


def worker_finalize_to_partial(w, rank_id: int) -> bytes:
    out = ffi.new("void **")
    size = ffi.new("size_t *")
    err = _new_error()
    rc = lib.vernier_worker_finalize_to_partial(out, size, w, rank_id, ffi.NULL, err)
    _worker_error(w, rc, err)
    return _take_buffer(out, size)


def merge_partials(ds, opts, blobs, memory_budget_bytes: int = 0):
    """The merged evaluation of `blobs` (a list of bytes-like objects)."""
    bufs = [ffi.from_buffer(b) for b in blobs]
    n = len(bufs)
    ptrs = ffi.new("void *[]", [ffi.cast("void *", b) for b in bufs] or [ffi.NULL])
    sizes = ffi.new("size_t[]", [len(b) for b in bufs] or [0])
    out = ffi.new("vernier_eval **")
    err = _new_error()
    rc = lib.vernier_merge_partials(out, ds, opts, ffi.cast("const void *const *", ptrs), sizes,
                                    n, memory_budget_bytes, ffi.NULL, err)
    del bufs
    if rc == lib.VERNIER_E_INVALID_ARG:
        _errors.check(rc, err, ffi, lib, cls=_errors.InvalidConfigError)
    _partial_error(rc, err, merging=True)
    return ffi.gc(out[0], lib.vernier_eval_free)


_IOU_NAMES = ("bbox", "segm", "boundary", "keypoints")


def partial_info(blob) -> dict:
    """The header figures of a partial, after checking it (framing,
    checksum and structure)."""
    out = ffi.new("vernier_partial **")
    err = _new_error()
    with ffi.from_buffer(blob) as buf:
        rc = lib.vernier_partial_read(out, buf, len(buf), ffi.NULL, err)
    _partial_error(rc, err, merging=False)
    p = ffi.gc(out[0], lib.vernier_partial_free)
    info = ffi.new("vernier_partial_info *")
    lib.vernier_partial_get_info(p, info)
    ffi.release(p)
    return {
        "format_version": int(info.format_version),
        "rank_id": int(info.rank_id),
        "iou_type": _IOU_NAMES[info.iou_type],
        "parity_mode": ("strict", "corrected")[info.parity_mode],
        "use_cats": bool(info.use_cats),
        "num_images": int(info.n_images),
        "num_records": int(info.n_records),
        "num_detections": int(info.n_detections),
        "size": int(info.size),
        "dataset_digest": bytes(ffi.buffer(info.dataset_digest)).hex(),
        "params_digest": bytes(ffi.buffer(info.params_digest)).hex(),
    }


def partial_rewrite(blob) -> bytes:
    """Read then write a partial (determinism checks)."""
    out = ffi.new("vernier_partial **")
    err = _new_error()
    with ffi.from_buffer(blob) as buf:
        rc = lib.vernier_partial_read(out, buf, len(buf), ffi.NULL, err)
    _partial_error(rc, err, merging=False)
    p = ffi.gc(out[0], lib.vernier_partial_free)
    res = ffi.new("void **")
    size = ffi.new("size_t *")
    rc = lib.vernier_partial_write(res, size, p, ffi.NULL, err)
    _errors.check(rc, err, ffi, lib)
    return _take_buffer(res, size)


def dataset_digest(ds) -> bytes:
    out = ffi.new("uint8_t[]", lib.VERNIER_DIGEST_SIZE)
    _errors.check(lib.vernier_dataset_digest(ds, out), None, ffi, lib)
    return bytes(ffi.buffer(out))
