"""The one boundary between Python and the C library (unstable: use
vernier.instance).

Only this module touches the cffi ``ffi`` and ``lib`` objects.  Its
functions take and return Python values (ints, floats, bytes, numpy arrays
copied out of C memory) or small handle objects that own one C object
(:class:`Dataset`, :class:`Results`, :class:`Eval`, :class:`Options`,
:class:`Worker`).  A handle frees its C object on ``close()`` or, as a
safety net, when it is garbage-collected (``ffi.gc``).  Every C status goes
through :func:`_check`, which hands the status and the filled
``vernier_error`` fields to ``_errors.raise_status`` (the single place that
chooses the exception).  cffi releases the GIL around every C call.
"""
from __future__ import annotations

import threading

import numpy as np

from . import _errors
from ._vernier import ffi, lib

__all__ = [
    "Dataset", "Results", "Eval", "Options", "Worker", "version", "check_version",
    "dataset_load_json", "results_load_json", "eval_options", "evaluate",
    "Columns", "dataset_from_columns",
    "evaluate_to_partial", "merge_partials", "partial_info", "partial_rewrite",
    "check_rank_id", "MAX_MAX_DETS", "MAX_THREADS", "MAX_IOU_THRESHOLDS",
    "MAX_RECALL_THRESHOLDS", "MAX_AREA_RANGES", "MAX_AREA_LABEL",
]

# ---- compile-time limits of vernier.h, read from the compiled module -------

MAX_MAX_DETS = int(lib.VERNIER_MAX_MAX_DETS)
MAX_THREADS = int(lib.VERNIER_MAX_THREADS)
MAX_IOU_THRESHOLDS = int(lib.VERNIER_MAX_IOU_THRESHOLDS)
MAX_RECALL_THRESHOLDS = int(lib.VERNIER_MAX_RECALL_THRESHOLDS)
MAX_AREA_RANGES = int(lib.VERNIER_MAX_AREA_RANGES)
MAX_AREA_LABEL = int(lib.VERNIER_MAX_AREA_LABEL)  # bytes, without the NUL

# status codes callers compare ``VernierError.code`` with
E_INVALID_ARG = int(lib.VERNIER_E_INVALID_ARG)
E_UNKNOWN_IMAGE = int(lib.VERNIER_E_UNKNOWN_IMAGE)

_CODE_NAMES = ("OK", "E_INVALID_ARG", "E_NOMEM", "E_BUDGET", "E_JSON", "E_SCHEMA",
               "E_UNKNOWN_IMAGE", "E_RLE", "E_STATE", "E_LIMIT", "E_UNSUPPORTED",
               "E_DUPLICATE_IMAGE", "E_QUEUE_FULL", "E_PARTIAL_CORRUPT",
               "E_PARTIAL_VERSION", "E_PARTIAL_MISMATCH", "E_PARTIAL_DATASET")
# C status -> the name _errors maps (its table is keyed by name, not number)
_STATUS_NAMES = {int(getattr(lib, "VERNIER_" + n)): n for n in _CODE_NAMES}
# vernier_error's entity fields, each with its presence bit (``fields``)
_ENTITY_FIELDS = tuple(
    (name, int(getattr(lib, "VERNIER_ERROR_HAS_" + name.upper())))
    for name in ("image_id", "category_id", "annotation_id", "result_index", "partial_index",
                 "rank_id", "other_partial_index", "other_rank_id", "batch_index"))


# ---- errors ------------------------------------------------------------------

def _check(rc: int, err=None, *, context: str = "call", source: str | None = None,
           **extra) -> None:
    """Raise the exception for status ``rc`` (no-op for VERNIER_OK).

    ``err`` is the ``vernier_error *`` the call filled (or None); the
    fields are copied out and handed to ``_errors.raise_status`` with
    ``context`` and ``extra`` (see there)."""
    if rc == lib.VERNIER_OK:
        return
    message = ""
    offset = line = column = index = None
    path = reason = None
    entities = {}
    if err is not None:
        present = int(err.fields)
        entities = {name: int(getattr(err, name)) for name, bit in _ENTITY_FIELDS
                    if present & bit}
        raw = ffi.string(err.message)
        message = raw.decode("utf-8", "replace")
        start = int(err.reason_offset)
        reason = raw[start:start + int(err.reason_length)].decode("utf-8", "replace") or None
        offset = int(err.offset) if err.offset >= 0 else None
        line = int(err.line) if err.line >= 0 else None
        column = int(err.column) if err.column >= 0 else None
        index = int(err.index) if err.index >= 0 else None
        path = ffi.string(err.path).decode("utf-8", "replace") or None
    if not message:
        message = ffi.string(lib.vernier_status_string(rc)).decode()
    _errors.raise_status(int(rc), _STATUS_NAMES.get(int(rc)), message, offset=offset, line=line,
                         column=column, path=path, index=index, reason=reason,
                         entities=entities,
                         context=context, source=source, **extra)


def _sized(ctype: str):
    """A zeroed output struct whose leading ``size`` says its own size (the
    C API's rule for structs that may grow)."""
    out = ffi.new(ctype + " *")
    out.size = ffi.sizeof(ctype)
    return out


def _new_error():
    return _sized("vernier_error")


# ---- version -------------------------------------------------------------------

def version() -> str:
    """The version string of the C library actually loaded."""
    return ffi.string(lib.vernier_version_string()).decode()


def check_version(expected: str) -> None:
    """ImportError unless the loaded library is the one the headers (and
    the Python package, ``expected``) describe."""
    if lib.vernier_version_number() != lib.VERNIER_VERSION_NUMBER or version() != expected:
        raise ImportError(f"vernier: C library {version()} does not match the Python package "
                          f"{expected}; rebuild the extension")


# ---- owned handles -------------------------------------------------------------

class _Handle:
    """Owns one C object.  ``close()`` frees it now (idempotent); otherwise
    the ``ffi.gc`` destructor frees it when the handle is collected."""

    __slots__ = ("_ptr", "__weakref__")
    _what = "handle"

    def __init__(self, ptr):
        self._ptr = ptr

    @property
    def ptr(self):
        """The cdata pointer (raises ValueError once closed)."""
        if self._ptr is None:
            raise ValueError(f"{self._what} is closed")
        return self._ptr

    @property
    def closed(self) -> bool:
        return self._ptr is None

    def close(self) -> None:
        p, self._ptr = self._ptr, None
        if p is not None:
            ffi.release(p)  # runs the ffi.gc destructor now


def _bytes_like(data):
    """bytes or bytearray as is; any other buffer copied to bytes."""
    if isinstance(data, str):
        raise TypeError("JSON input must be bytes (encode str with .encode('utf-8'))")
    if isinstance(data, (bytes, bytearray)):
        return data
    return bytes(memoryview(data))


_CACHE_KINDS = {"masks": "VERNIER_CACHE_MASKS", "bands": "VERNIER_CACHE_BANDS"}


class Dataset(_Handle):
    """A parsed ground truth (``vernier_dataset``)."""

    __slots__ = ()
    _what = "CocoDataset"

    @property
    def num_images(self) -> int:
        return int(lib.vernier_dataset_num_images(self.ptr))

    @property
    def num_annotations(self) -> int:
        return int(lib.vernier_dataset_num_annotations(self.ptr))

    @property
    def num_categories(self) -> int:
        return int(lib.vernier_dataset_num_categories(self.ptr))

    def category_names(self, raw: bool = False) -> dict:
        """{category id: name} in file order ("" for a category without a
        string name; a repeated id keeps its last entry); with ``raw``, the
        names' bytes."""
        ds = self.ptr
        out = {}
        for i in range(int(lib.vernier_dataset_num_categories(ds))):
            name = lib.vernier_dataset_category_name(ds, i)
            b = ffi.string(name) if name != ffi.NULL else b""
            out[int(lib.vernier_dataset_category_id(ds, i))] = (
                b if raw else b.decode("utf-8", "replace"))
        return out

    def cache_len(self, kind: str) -> int:
        """Entries of the derivation cache ``kind``: "masks" or "bands"."""
        return int(lib.vernier_dataset_cache_len(self.ptr, getattr(lib, _CACHE_KINDS[kind])))

    def clear_cache(self) -> None:
        _check(lib.vernier_dataset_clear_cache(self.ptr))

    def digest(self) -> bytes:
        out = ffi.new("uint8_t[]", lib.VERNIER_DIGEST_SIZE)
        _check(lib.vernier_dataset_digest(self.ptr, out))
        return bytes(ffi.buffer(out))


def dataset_load_json(data, *, source: str | None = None) -> Dataset:
    data = _bytes_like(data)
    out = ffi.new("vernier_dataset **")
    err = _new_error()
    with ffi.from_buffer("char[]", data) as buf:
        rc = lib.vernier_dataset_load_json(out, buf, len(data), ffi.NULL, err)
    _check(rc, err, source=source)
    return Dataset(ffi.gc(out[0], lib.vernier_dataset_free,
                          size=lib.vernier_dataset_sizeof(out[0])))


class Results(_Handle):
    """A parsed result list (``vernier_results``)."""

    __slots__ = ()
    _what = "results"

    def count(self) -> int:
        return int(lib.vernier_results_num_detections(self.ptr))


# ---- columns (vernier.h section 14) ------------------------------------------------

# numpy dtype of each array field of the two column structs
_COLUMN_DTYPES = {
    "image_ids": np.int64, "category_ids": np.int64, "scores": np.float64,
    "boxes": np.float64, "areas": np.float64, "mask_sizes": np.uint32,
    "mask_offsets": np.uint64, "mask_counts": np.uint32, "mask_strings": np.uint8,
    "masks": np.uint8, "keypoint_offsets": np.uint64, "keypoints": np.float64,
    "image_widths": np.int64, "image_heights": np.int64, "category_num_keypoints": np.int64,
    "annotation_ids": np.int64, "annotation_image_ids": np.int64,
    "annotation_category_ids": np.int64, "iscrowd": np.uint8, "ignore": np.uint8,
    "num_keypoints": np.int64, "segmentation_kinds": np.uint8,
    "segmentation_spans": np.uint64, "segmentation_sizes": np.uint32,
    "polygon_spans": np.uint64, "polygon_coords": np.float64, "rle_counts": np.uint32,
    "rle_chars": np.uint8,
}
_RESULTS_KINDS = {"bbox": "VERNIER_RESULTS_BBOX", "segm": "VERNIER_RESULTS_SEGM",
                  "keypoints": "VERNIER_RESULTS_KEYPOINTS"}


class Columns:
    """Arrays for vernier_results_columns / vernier_dataset_columns: field
    name -> a C-contiguous numpy array of the field's dtype (or None), plus
    the scalar fields (``kind``, ``n``, ``n_*``, ``mask_height``, ...).
    The arrays are borrowed by the C call only (nothing is retained)."""

    __slots__ = ("arrays", "scalars", "strings")

    def __init__(self, scalars: dict, arrays: dict, strings: dict | None = None):
        self.scalars = scalars
        self.strings = strings or {}  # field -> list of bytes or None (a char * array)
        self.arrays = {}
        for name, a in arrays.items():
            if a is None:
                continue
            a = np.ascontiguousarray(a)
            if a.dtype != _COLUMN_DTYPES[name]:
                raise TypeError(f"column {name}: {a.dtype}, expected {_COLUMN_DTYPES[name]}")
            self.arrays[name] = a


def _fill_columns(c, cols: Columns, keep: list):
    """Points the struct's fields at the arrays (``keep`` holds what must
    outlive the call)."""
    for name, value in cols.scalars.items():
        if name == "kind":
            value = int(getattr(lib, _RESULTS_KINDS[value])) if value \
                else int(lib.VERNIER_RESULTS_EMPTY)
        setattr(c, name, value)
    for name, a in cols.arrays.items():
        ctype = ffi.typeof(getattr(c, name))
        owner = a if a.size else np.zeros(1, a.dtype)  # an empty array has no address
        buf = ffi.from_buffer(ctype, owner)
        keep.append(buf)
        setattr(c, name, buf)
    for name, values in cols.strings.items():
        items = [ffi.NULL if v is None else ffi.new("char[]", v) for v in values]
        keep.append(items)
        arr = ffi.new("const char *[]", items or [ffi.NULL])
        keep.append(arr)
        setattr(c, name, arr)


def _from_columns(what: str, cols: Columns):
    """vernier_<what>_from_columns: the new handle's pointer, WITHOUT a
    destructor."""
    c = _sized(f"vernier_{what}_columns")
    keep = []
    _fill_columns(c, cols, keep)
    out = ffi.new(f"vernier_{what} **")
    err = _new_error()
    rc = getattr(lib, f"vernier_{what}_from_columns")(out, c, ffi.NULL, err)
    del keep
    _check(rc, err)
    return out[0]


def _results_from_columns(cols: Columns):
    return _from_columns("results", cols)


def dataset_from_columns(cols: Columns) -> Dataset:
    ptr = _from_columns("dataset", cols)
    return Dataset(ffi.gc(ptr, lib.vernier_dataset_free, size=lib.vernier_dataset_sizeof(ptr)))


def _results_parse(data, *, source: str | None = None):
    """A parsed results pointer WITHOUT a destructor (the caller owns it):
    from JSON bytes, or from :class:`Columns`."""
    if isinstance(data, Columns):
        return _results_from_columns(data)
    data = _bytes_like(data)
    out = ffi.new("vernier_results **")
    err = _new_error()
    with ffi.from_buffer("char[]", data) as buf:
        rc = lib.vernier_results_load_json(out, buf, len(data), ffi.NULL, err)
    _check(rc, err, source=source)
    return out[0]


def results_load_json(data, *, source: str | None = None) -> Results:
    return Results(ffi.gc(_results_parse(data, source=source), lib.vernier_results_free))


# ---- evaluation options --------------------------------------------------------

_IOU_TYPES = {"bbox": "VERNIER_IOU_BBOX", "segm": "VERNIER_IOU_SEGM",
              "boundary": "VERNIER_IOU_BOUNDARY", "keypoints": "VERNIER_IOU_KEYPOINTS"}
_IOU_NAMES = ("bbox", "segm", "boundary", "keypoints")  # by vernier_iou_type value
_PARITY_NAMES = ("strict", "corrected")  # by vernier_parity_mode value


class Options:
    """A filled ``vernier_eval_options`` and the cdata arrays it points
    into (kept alive as long as this object)."""

    __slots__ = ("ptr", "_keep")

    def __init__(self, ptr, keep):
        self.ptr = ptr
        self._keep = keep


def eval_options(*, iou, parity_mode: int, use_cats: bool, max_dets, iou_thresholds=None,
                 recall_thresholds=None, area_ranges=None, keep_records: bool = False,
                 num_threads: int = 1, image_ids=None, category_ids=None) -> Options:
    """The C options for a kernel object (``iou.name``, and
    ``dilation_ratio`` / ``sigmas`` where they apply), the grid and the
    image / category subsets (None: all)."""
    keep = []
    opts = ffi.new("vernier_eval_options *")
    _check(lib.vernier_eval_options_init(opts, lib.VERNIER_EVAL_OPTIONS_VERSION))
    opts.iou_type = getattr(lib, _IOU_TYPES[iou.name])
    if iou.name == "boundary":
        opts.dilation_ratio = iou.dilation_ratio
    if iou.name == "keypoints" and iou.all_sigmas is not None:
        every = ffi.new("double[]", list(iou.all_sigmas))
        keep.append(every)
        opts.sigmas = every
        opts.n_sigmas = len(iou.all_sigmas)
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
    for name, ids in (("image_ids", image_ids), ("category_ids", category_ids)):
        if ids is not None:
            arr = ffi.new("int64_t[]", [int(i) for i in ids])
            keep.append(arr)
            setattr(opts, "n_" + name, len(ids))
            setattr(opts, name, arr)
    opts.parity_mode = parity_mode
    opts.use_cats = 1 if use_cats else 0
    opts.keep_records = 1 if keep_records else 0
    opts.num_threads = num_threads
    if max_dets is not None:
        if len(max_dets) > MAX_MAX_DETS:
            raise _errors.InvalidConfigError(
                f"max_dets has {len(max_dets)} entries; at most {MAX_MAX_DETS}")
        opts.n_max_dets = len(max_dets)
        for i, v in enumerate(max_dets):
            opts.max_dets[i] = v
    return Options(opts, keep)


# ---- evaluation results ----------------------------------------------------------

class Eval(_Handle):
    """A finished evaluation (``vernier_eval``): accessors copy out."""

    __slots__ = ()
    _what = "evaluation"

    def dims(self) -> tuple:
        """(T, R, K, A, M)."""
        dims = ffi.new("size_t[5]")
        _check(lib.vernier_eval_dims(self.ptr, dims + 0, dims + 1, dims + 2, dims + 3, dims + 4))
        return tuple(int(d) for d in dims)

    def stats(self) -> list:
        ev = self.ptr
        n = lib.vernier_eval_num_stats(ev)
        buf = ffi.new("double[]", max(n, 1))
        _check(lib.vernier_eval_copy_stats(ev, buf, n))
        return [float(buf[i]) for i in range(n)]

    def summary_lines(self) -> list:
        ev = self.ptr
        n = lib.vernier_eval_num_stats(ev)
        buf = ffi.new("char[]", 160)
        lines = []
        for i in range(n):
            k = lib.vernier_eval_summary_line(ev, i, buf, 160)
            if k < 0:
                _check(k)
            lines.append(ffi.string(buf).decode("ascii"))
        return lines

    def stat_infos(self) -> list:
        """One dict per summary statistic (``vernier_eval_stat_info``):
        metric ("AP"/"AR"), all_ious, iou_lo, iou_hi, area, max_dets, value,
        name ("AP50", ...)."""
        ev = self.ptr
        info = _sized("vernier_stat_info")
        out = []
        for i in range(lib.vernier_eval_num_stats(ev)):
            _check(lib.vernier_eval_stat_info(ev, i, info))
            out.append({"metric": "AR" if info.metric == lib.VERNIER_STAT_AR else "AP",
                        "all_ious": bool(info.all_ious), "iou_lo": float(info.iou_lo),
                        "iou_hi": float(info.iou_hi),
                        "area": ffi.string(info.area_label).decode("utf-8"),
                        "max_dets": int(info.max_dets), "value": float(info.value),
                        "name": ffi.string(info.name).decode("ascii")})
        return out

    @staticmethod
    def _f64(ptr, shape) -> np.ndarray:
        n = 1
        for d in shape:
            n *= d
        if n == 0:
            return np.zeros(shape, dtype=np.float64)
        return np.frombuffer(ffi.buffer(ptr, n * 8), dtype=np.float64).reshape(shape).copy()

    def iou_thresholds(self, t: int) -> np.ndarray:
        return self._f64(lib.vernier_eval_iou_thresholds(self.ptr), (t,))

    def recall_thresholds(self, r: int) -> np.ndarray:
        return self._f64(lib.vernier_eval_recall_thresholds(self.ptr), (r,))

    def area_ranges(self, a: int) -> np.ndarray:
        """A x 2 (lo, hi)."""
        return self._f64(lib.vernier_eval_area_ranges(self.ptr), (a, 2))

    def category_ids(self, k: int) -> list:
        p = lib.vernier_eval_category_ids(self.ptr)
        return [int(p[i]) for i in range(k)]

    def max_dets(self, m: int) -> list:
        p = lib.vernier_eval_max_dets(self.ptr)
        return [int(p[i]) for i in range(m)]

    def area_labels(self, a: int) -> list:
        ev = self.ptr
        return [ffi.string(lib.vernier_eval_area_label(ev, i)).decode() for i in range(a)]

    def _copy(self, fn, shape) -> np.ndarray:
        out = np.empty(shape, dtype=np.float64)
        _check(fn(self.ptr, ffi.cast("double *", ffi.from_buffer(out)), out.size))
        return out

    def precision(self, shape) -> np.ndarray:
        return self._copy(lib.vernier_eval_copy_precision, shape)

    def recall(self, shape) -> np.ndarray:
        return self._copy(lib.vernier_eval_copy_recall, shape)

    def scores(self, shape) -> np.ndarray:
        return self._copy(lib.vernier_eval_copy_scores, shape)

    def records(self, n_thresholds: int) -> dict:
        """The per-image record tables (vernier.h section 9) as numpy
        arrays; StateError when the evaluation did not keep them."""
        ev = self.ptr
        dims = ffi.new("size_t[4]")
        rc = lib.vernier_eval_records_dims(ev, dims, dims + 1, dims + 2, dims + 3)
        _check(rc, context="records")
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

        def p(name, ctype):
            return ffi.cast(ctype, ffi.from_buffer(out[name]))

        rc = lib.vernier_eval_copy_records(
            ev, p("records", "int64_t *"), p("dt_id", "int64_t *"), p("dt_score", "double *"),
            p("dt_match", "int32_t *"), p("dt_ignore", "uint8_t *"), p("gt_id", "int64_t *"),
            p("gt_ignore", "uint8_t *"), p("gt_match", "int32_t *"))
        _check(rc)
        out["n_eval_imgs"] = n_all
        return out

    def records_dims(self) -> tuple:
        """(n_records, n_dt_rows, n_gt_rows, n_eval_imgs); StateError
        without records."""
        dims = ffi.new("size_t[4]")
        _check(lib.vernier_eval_records_dims(self.ptr, dims, dims + 1, dims + 2, dims + 3),
               context="records")
        return tuple(int(dims[i]) for i in range(4))

    def class_stats(self, k: int, n_stats: int) -> np.ndarray:
        """K x S: summary statistic i restricted to category k."""
        out = np.empty((k, n_stats), np.float64)
        _check(lib.vernier_eval_copy_class_stats(
            self.ptr, ffi.cast("double *", ffi.from_buffer(out)), out.size))
        return out

    def class_counts(self, k: int, a: int) -> tuple:
        """(n_gt K x A, n_dt K) as int64."""
        n_gt = np.empty((k, a), np.uint64)
        n_dt = np.empty(k, np.uint64)
        _check(lib.vernier_eval_copy_class_counts(
            self.ptr, ffi.cast("uint64_t *", ffi.from_buffer(n_gt)),
            ffi.cast("uint64_t *", ffi.from_buffer(n_dt)), k))
        return n_gt.astype(np.int64), n_dt.astype(np.int64)

    def table_sizes(self) -> tuple:
        """(n_images, n_dt_rows, n_gt_rows) of the record tables;
        StateError without records."""
        n = ffi.new("size_t[3]")
        _check(lib.vernier_eval_table_sizes(self.ptr, n, n + 1, n + 2), context="records")
        return int(n[0]), int(n[1]), int(n[2])

    def n_images(self) -> int:
        """The rows of the per-image table (needs no records)."""
        n = ffi.new("size_t *")
        _check(lib.vernier_eval_table_sizes(self.ptr, n, ffi.NULL, ffi.NULL), context="records")
        return int(n[0])

    def _table(self, fn, n: int, T: int, columns) -> dict:
        """Calls a table getter ``fn(ev, column pointers..., n)``:
        ``columns`` is ``(name, dtype, per_threshold)`` in the getter's
        argument order; returns the filled arrays by name (``n`` rows, and
        ``T`` columns where ``per_threshold``)."""
        out = {name: np.empty((n, T) if per_t else n, dtype) for name, dtype, per_t in columns}
        ptrs = [ffi.cast(_CTYPE[np.dtype(dtype)], ffi.from_buffer(out[name]))
                for name, dtype, _ in columns]
        _check(fn(self.ptr, *ptrs, n), context="records")
        return out

    def detection_table(self, n: int, n_thresholds: int) -> dict:
        """The per-detection table (vernier_eval_detection_table)."""
        return self._table(lib.vernier_eval_detection_table, n, n_thresholds, (
            ("dt_id", np.int64, False), ("image_id", np.int64, False),
            ("category_id", np.int64, False), ("score", np.float64, False),
            ("gt_id", np.int64, True), ("matched", np.uint8, True),
            ("ignored", np.uint8, True), ("iou", np.float64, True)))

    def gt_table(self, n: int, n_thresholds: int) -> dict:
        """The per-ground-truth table (vernier_eval_gt_table)."""
        return self._table(lib.vernier_eval_gt_table, n, n_thresholds, (
            ("gt_id", np.int64, False), ("image_id", np.int64, False),
            ("category_id", np.int64, False), ("ignored", np.uint8, False),
            ("crowd", np.uint8, False), ("dt_id", np.int64, True),
            ("matched", np.uint8, True), ("iou", np.float64, True)))

    def image_table(self, n_images: int, n_thresholds: int) -> dict:
        """The per-image table (vernier_eval_image_table), of any
        evaluation."""
        return self._table(lib.vernier_eval_image_table, n_images, n_thresholds, (
            ("image_id", np.int64, False), ("n_gt", np.uint32, False),
            ("n_dt", np.uint32, False), ("tp", np.uint32, True), ("fp", np.uint32, True),
            ("fn", np.uint32, True)))


# C pointer type of each numpy dtype a table column has
_CTYPE = {np.dtype(np.int64): "int64_t *", np.dtype(np.uint32): "uint32_t *",
          np.dtype(np.uint8): "uint8_t *", np.dtype(np.float64): "double *"}


def _eval(out) -> Eval:
    return Eval(ffi.gc(out[0], lib.vernier_eval_free))


def evaluate(ds: Dataset, res: Results, opts: Options) -> Eval:
    out = ffi.new("vernier_eval **")
    err = _new_error()
    rc = lib.vernier_eval_run(out, ds.ptr, res.ptr, opts.ptr, ffi.NULL, err)
    # the handles are ours and valid: an invalid argument here is an
    # evaluator option the data contradicts (e.g. a sigma count)
    _check(rc, err, context="options")
    return _eval(out)


# ---- background worker (vernier.h sections 10, 11) -------------------------------

def _memory_dict(usage) -> dict:
    return {name: int(getattr(usage, name))
            for name in ("index", "records", "scores", "outcomes", "queued", "scratch_peak")}


class Worker(_Handle):
    """A ``vernier_worker`` (its thread, queue and session).  Its destructor
    keeps the dataset handle given at creation alive, so the C dataset is
    freed only after the thread was joined."""

    __slots__ = ()
    _what = "worker"

    def _check(self, rc, err, *, timeout=None):
        if rc == lib.VERNIER_OK:
            return
        w = self.ptr
        usage = _sized("vernier_memory_usage")
        _check(lib.vernier_worker_error_memory(w, usage))
        _check(rc, err, context="worker", timeout=timeout,
               queue_capacity=int(lib.vernier_worker_queue_capacity(w)),
               used_bytes=int(usage.used), budget_bytes=int(usage.budget),
               requested_bytes=int(usage.requested), breakdown=_memory_dict(usage))

    def submit(self, data, timeout) -> None:
        """Parse ``data`` (result-list JSON bytes) here and hand it to the
        worker; ``timeout`` None: never wait for room in the queue."""
        w = self.ptr
        res = _results_parse(data)
        err = _new_error()
        try:
            if timeout is None:
                rc = lib.vernier_worker_try_submit(w, res, err)
            else:
                rc = lib.vernier_worker_submit(w, res, float(timeout), err)
            if rc != lib.VERNIER_OK:
                self._check(rc, err, timeout=timeout)
        except BaseException:
            # refused (or interrupted before the call): the batch is still ours
            lib.vernier_results_free(res)
            raise

    def finalize(self) -> Eval:
        out = ffi.new("vernier_eval **")
        err = _new_error()
        rc = lib.vernier_worker_finalize(out, self.ptr, err)
        self._check(rc, err)
        return _eval(out)

    def finalize_to_partial(self, rank_id: int) -> bytes:
        out = ffi.new("void **")
        size = ffi.new("size_t *")
        err = _new_error()
        rc = lib.vernier_worker_finalize_to_partial(out, size, self.ptr, rank_id, ffi.NULL, err)
        self._check(rc, err)
        return _take_buffer(out, size)

    def counters(self) -> dict:
        w = self.ptr
        usage = _sized("vernier_memory_usage")
        _check(lib.vernier_worker_memory(w, usage))
        return {"images_seen": int(lib.vernier_worker_images_seen(w)),
                "detections_seen": int(lib.vernier_worker_detections_seen(w)),
                "queue_depth": int(lib.vernier_worker_queue_depth(w)),
                "memory_used_bytes": int(usage.used),
                "breakdown": _memory_dict(usage)}

    def image_table(self) -> dict:
        """The session's per-image table as numpy columns."""
        session = lib.vernier_worker_session(self.ptr)
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
            _check(rc)
        cols["seen"] = cols["seen"].astype(bool)
        return cols


def worker_new(ds: Dataset, opts: Options, *, queue_capacity: int,
               memory_budget_bytes: int) -> Worker:
    """Start a worker on ``ds`` (kept alive by the worker's destructor)."""
    wopts = ffi.new("vernier_worker_options *")
    _check(lib.vernier_worker_options_init(wopts, lib.VERNIER_WORKER_OPTIONS_VERSION))
    wopts.queue_capacity = queue_capacity
    wopts.memory_budget_bytes = memory_budget_bytes
    out = ffi.new("vernier_worker **")
    err = _new_error()
    rc = lib.vernier_worker_new(out, ds.ptr, opts.ptr, wopts, ffi.NULL, err)
    _check(rc, err, context="options")

    def free(ptr, _keep=ds):
        lib.vernier_worker_free(ptr)  # drops the queue, joins the thread

    return Worker(ffi.gc(out[0], free))


# ---- partials (vernier.h section 12) ---------------------------------------------

def _take_buffer(out, size) -> bytes:
    try:
        return bytes(ffi.buffer(out[0], size[0]))
    finally:
        lib.vernier_partial_blob_free(out[0], size[0], ffi.NULL)


def check_rank_id(rank_id) -> int:
    if isinstance(rank_id, bool) or not isinstance(rank_id, (int, np.integer)) or \
            not 0 <= rank_id <= 0xFFFFFFFF:
        raise _errors.InvalidConfigError(f"rank_id must be an int in [0, 2**32), got {rank_id!r}")
    return int(rank_id)


def evaluate_to_partial(ds: Dataset, res: Results, opts: Options, rank_id: int) -> bytes:
    out = ffi.new("void **")
    size = ffi.new("size_t *")
    err = _new_error()
    rc = lib.vernier_partial_evaluate(out, size, ds.ptr, res.ptr, opts.ptr, rank_id,
                                         ffi.NULL, err)
    _check(rc, err, context="options")
    return _take_buffer(out, size)


def merge_partials(ds: Dataset, opts: Options, blobs, memory_budget_bytes: int = 0) -> Eval:
    """The merged evaluation of ``blobs`` (a list of bytes-like objects)."""
    bufs = [ffi.from_buffer(b) for b in blobs]
    n = len(bufs)
    ptrs = ffi.new("void *[]", [ffi.cast("void *", b) for b in bufs] or [ffi.NULL])
    sizes = ffi.new("size_t[]", [len(b) for b in bufs] or [0])
    out = ffi.new("vernier_eval **")
    err = _new_error()
    rc = lib.vernier_partial_merge(out, ds.ptr, opts.ptr, ffi.cast("const void *const *", ptrs),
                                    sizes, n, memory_budget_bytes, ffi.NULL, err)
    del bufs
    _check(rc, err, context="merge")
    return _eval(out)


def _partial_read(blob):
    out = ffi.new("vernier_partial **")
    err = _new_error()
    with ffi.from_buffer(blob) as buf:
        rc = lib.vernier_partial_read(out, buf, len(buf), ffi.NULL, err)
    _check(rc, err, context="partial")
    return ffi.gc(out[0], lib.vernier_partial_free)


def partial_info(blob) -> dict:
    """The header figures of a partial, after checking it (framing,
    checksum and structure)."""
    p = _partial_read(blob)
    info = _sized("vernier_partial_info")
    rc = lib.vernier_partial_get_info(p, info)
    ffi.release(p)
    _check(rc)
    return {
        "format_version": int(info.format_version),
        "rank_id": int(info.rank_id),
        "iou_type": _IOU_NAMES[info.iou_type],
        "parity_mode": _PARITY_NAMES[info.parity_mode],
        "use_cats": bool(info.use_cats),
        "num_images": int(info.n_images),
        "num_records": int(info.n_records),
        "num_detections": int(info.n_detections),
        "size": int(info.blob_size),
        "dataset_digest": bytes(ffi.buffer(info.dataset_digest)).hex(),
        "params_digest": bytes(ffi.buffer(info.params_digest)).hex(),
    }


def partial_rewrite(blob) -> bytes:
    """Read then write a partial (determinism checks)."""
    p = _partial_read(blob)
    try:
        out = ffi.new("void **")
        size = ffi.new("size_t *")
        err = _new_error()
        _check(lib.vernier_partial_write(out, size, p, ffi.NULL, err), err)
        return _take_buffer(out, size)
    finally:
        ffi.release(p)


# ---- masks: pycocotools.mask's codec (vernier.mask; vernier.h section 13) ----
# Counts travel as contiguous uint32 numpy arrays; every function checks the
# C status and raises through _check.  Buffers are sized by the header's
# bounds where one exists, else grown once to the size the call reports.

def _u32(counts) -> np.ndarray:
    return np.ascontiguousarray(counts, dtype=np.uint32)


def _counts_call(fn, first_cap: int, *args) -> np.ndarray:
    """Call a counts-producing C function (counts, cap, n_out, *args);
    call again with the reported size if the first buffer was short."""
    cap = max(int(first_cap), 1)
    while True:
        buf = np.empty(cap, dtype=np.uint32)
        n_out = ffi.new("size_t *")
        err = _new_error()
        rc = fn(ffi.cast("uint32_t *", ffi.from_buffer(buf)), cap, n_out, *args, ffi.NULL, err)
        _check(rc, err, context="mask")
        n = int(n_out[0])
        if n <= cap:
            return buf[:n]
        cap = n


def mask_to_string(counts) -> bytes:
    """rleToString: the compressed counts string."""
    c = _u32(counts)
    cap = 7 * len(c)
    buf = ffi.new("char[]", cap + 1)
    n = ffi.new("size_t *")
    rc = lib.vernier_mask_to_string(buf, cap, n, ffi.cast("const uint32_t *", ffi.from_buffer(c)),
                                    len(c))
    _check(rc, context="mask")
    return ffi.unpack(buf, int(n[0]))


def mask_from_string(s: bytes, h: int, w: int) -> np.ndarray:
    """rleFrString, checked: RLEError on a malformed string or counts that
    do not sum to h*w."""
    return _counts_call(lib.vernier_mask_from_string, len(s) + 1, s, len(s), h, w)


def _counts_arrays(arrs):
    """The C arrays of pointers to and lengths of the uint32 arrays
    ``arrs`` (which the caller keeps alive during the call)."""
    ptrs = ffi.new("const uint32_t *[]",
                   [ffi.cast("const uint32_t *", ffi.from_buffer(a)) for a in arrs] or [ffi.NULL])
    sizes = ffi.new("size_t[]", [len(a) for a in arrs] or [0])
    return ptrs, sizes


def mask_merge(counts_list, h: int, w: int, intersect: bool) -> np.ndarray:
    """rleMerge of masks of one size h x w."""
    arrs = [_u32(c) for c in counts_list]
    n = len(arrs)
    ptrs, sizes = _counts_arrays(arrs)
    total = sum(len(a) for a in arrs) + 1
    out = _counts_call(lib.vernier_mask_merge, total, ptrs, sizes, n, h, w,
                       1 if intersect else 0)
    del arrs
    return out


def mask_box_iou(dt: np.ndarray, gt: np.ndarray, iscrowd: np.ndarray) -> np.ndarray:
    """bbIou of m x 4 and n x 4 float64 boxes: an m x n array."""
    dt = np.ascontiguousarray(dt, dtype=np.float64)
    gt = np.ascontiguousarray(gt, dtype=np.float64)
    cr = np.ascontiguousarray(iscrowd, dtype=np.uint8)
    m, n = len(dt), len(gt)
    out = np.zeros((m, n), dtype=np.float64)
    if m and n:
        rc = lib.vernier_mask_box_iou(ffi.cast("double *", ffi.from_buffer(out)),
                                      ffi.cast("const double *", ffi.from_buffer(dt)), m,
                                      ffi.cast("const double *", ffi.from_buffer(gt)), n,
                                      ffi.cast("const uint8_t *", ffi.from_buffer(cr)))
        _check(rc, context="mask")
    return out


def _string_call(fn, *args) -> None:
    rc = fn(*args, ffi.NULL, ffi.NULL)
    if rc != lib.VERNIER_OK:
        err = _new_error()
        rc = fn(*args, ffi.NULL, err)
        _check(rc, err, context="mask")


_scratch = threading.local()


def mask_encode_string(column, h: int, w: int) -> bytes:
    """rleEncode + rleToString of the h*w column-major bytes ``column``
    (a contiguous uint8 array or buffer)."""
    buf = getattr(_scratch, "buf", None)
    if buf is None:
        buf = _scratch.buf = ffi.new("char[]", 4096 + 1)
    src = ffi.cast("const uint8_t *", ffi.from_buffer(column))
    n = ffi.new("size_t *")
    while True:
        cap = len(buf) - 1
        _string_call(lib.vernier_mask_encode_string, buf, cap, n, src, h, w)
        if n[0] <= cap:
            return ffi.unpack(buf, n[0])
        buf = _scratch.buf = ffi.new("char[]", int(n[0]) + 1)


def mask_string_decode_into(out, s: bytes, h: int, w: int) -> None:
    """rleDecode of the compressed string ``s`` into ``out`` (h*w writable
    contiguous uint8 bytes)."""
    _string_call(lib.vernier_mask_string_decode,
                 ffi.cast("uint8_t *", ffi.from_buffer(out, require_writable=True)),
                 s, len(s), h, w)


def mask_string_area(s: bytes, h: int, w: int) -> int:
    out = ffi.new("uint64_t *")
    _string_call(lib.vernier_mask_string_area, out, s, len(s), h, w)
    return int(out[0])


def mask_string_to_bbox(s: bytes, h: int, w: int, out) -> None:
    """rleToBbox of ``s`` into ``out`` (4 writable float64)."""
    _string_call(lib.vernier_mask_string_to_bbox,
                 ffi.cast("double *", ffi.from_buffer(out, require_writable=True)),
                 s, len(s), h, w)


def mask_string_iou(dt, gt, iscrowd: np.ndarray) -> np.ndarray:
    """rleIou of masks given as (string, h, w) triples: an m x n array."""
    def pack(masks):
        bufs = [ffi.from_buffer(s) for s, _, _ in masks]
        ptrs = ffi.new("const char *[]", bufs)
        lens = ffi.new("size_t[]", [len(s) for s, _, _ in masks])
        hw = ffi.new("uint32_t[]", [v for _, h, w in masks for v in (h, w)])
        return bufs, ptrs, lens, hw
    m, n = len(dt), len(gt)
    out = np.zeros((m, n), dtype=np.float64)
    if m and n:
        db, dp, dl, dhw = pack(dt)
        gb, gp, gl, ghw = pack(gt)
        cr = np.ascontiguousarray(iscrowd, dtype=np.uint8)
        _string_call(lib.vernier_mask_string_iou, ffi.cast("double *", ffi.from_buffer(out)),
                     dp, dl, dhw, m, gp, gl, ghw, n,
                     ffi.cast("const uint8_t *", ffi.from_buffer(cr)))
        del db, gb
    return out


def mask_from_polygon(xy: np.ndarray, h: int, w: int) -> np.ndarray:
    """rleFrPoly of the float64 vertex list xy (x0, y0, x1, y1, ...)."""
    xy = np.ascontiguousarray(xy, dtype=np.float64)
    return _counts_call(lib.vernier_mask_from_polygon, min(h * w + 1, 4 * len(xy) + 2 * w + 8),
                        ffi.cast("const double *", ffi.from_buffer(xy)), len(xy) // 2, h, w)


def mask_from_bbox(bb: np.ndarray, h: int, w: int) -> np.ndarray:
    """rleFrBbox of one float64 box (x, y, width, height)."""
    bb = np.ascontiguousarray(bb, dtype=np.float64)
    return _counts_call(lib.vernier_mask_from_bbox, min(h * w + 1, 2 * w + 8),
                        ffi.cast("const double *", ffi.from_buffer(bb)), h, w)
