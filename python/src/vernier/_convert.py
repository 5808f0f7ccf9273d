"""Input conversion: detections in every accepted form (loadRes JSON bytes,
a list of result dicts, a Detections dict of arrays or a sequence of them)
to what the C library reads, with the numpy dtype rules (``cast_inputs``).

Detections dicts go to C as columns (``_lowlevel.Columns``,
vernier_results_from_columns): the arrays themselves, widened where the
dtype rule allows, with no Python object per detection.  A batch the
column path cannot carry as the JSON path would read it (dicts with
different fields, polygon or uncompressed-RLE segmentations) goes through
JSON, so the two paths never disagree."""
from __future__ import annotations

import json
import os
import re
from typing import Mapping

import numpy as np

from . import _lowlevel as _ll
from ._errors import SchemaError


# ---- the dtype rule (docs/reference/input-format.md, "numpy values") ---------------
# One rule for every input form: a value is taken when it converts exactly to
# the type the evaluation computes in (int64 ids, float64 coordinates and
# scores): every integer and bool dtype, float64.  float32 / float16 values
# widen exactly but pycocotools, handed them, computes areas in that precision:
# they need cast_inputs=True.  A conversion that would change a value (a
# non-integral id, an integer beyond 2**53 as a coordinate, a uint64 beyond
# int64) is refused, naming the first such value.  Refusals are SchemaError.

_CAST_HINT = "pass float64 values, or set cast_inputs=True to widen them"
_EXACT_FLOAT = 2 ** 53
_INT64_MAX = 2 ** 63 - 1


def _narrow_float(where: str, dtype) -> SchemaError:
    return SchemaError(f"{where}: {dtype} values are not taken silently (pycocotools would "
                       f"compute areas in {dtype}): {_CAST_HINT}", path=where)


def _json_default(obj):
    # numpy scalars and arrays of exact types convert losslessly
    if isinstance(obj, (np.integer, np.bool_)):
        return obj.item()
    if isinstance(obj, np.floating):
        if obj.dtype != np.float64:
            raise TypeError("narrow float")
        return obj.item()
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f" and obj.dtype != np.float64:
            raise TypeError("narrow float")
        return obj.tolist()
    if isinstance(obj, bytes):
        return obj.decode("ascii")
    raise TypeError("unknown type")


def _json_default_cast(obj):
    # cast_inputs=True: narrower numpy floats are widened (exactly) instead of refused
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.astype(np.float64).tolist() if obj.dtype.kind == "f" else obj.tolist()
    return _json_default(obj)


def _first_unreadable(value, where: str, cast: bool):
    """``(where, exception)`` for the first value of a result list that JSON
    cannot carry exactly (walked only after serialisation failed), or None."""
    if isinstance(value, dict):
        for k, v in value.items():
            key = f'["{k}"]' if isinstance(k, str) else f"[{k!r}]"
            found = _first_unreadable(v, where + key, cast)
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found = _first_unreadable(v, f"{where}[{i}]", cast)
            if found:
                return found
        return None
    if isinstance(value, (np.floating, np.ndarray)) and value.dtype.kind == "f" \
            and value.dtype != np.float64 and not cast:
        return _narrow_float(where, value.dtype)
    if isinstance(value, bytes):
        try:
            value.decode("ascii")
        except UnicodeDecodeError:
            return SchemaError(f"{where}: bytes that are not ASCII", path=where)
        return None
    if value is None or isinstance(value, (str, int, float, bool, np.integer, np.bool_,
                                           np.floating, np.ndarray)):
        return None
    return SchemaError(f"{where}: a value of type {type(value).__name__} cannot be read as "
                       "JSON", path=where)


# DLPack device types that are host memory numpy can read (kDLCPU, kDLCUDAHost,
# kDLROCMHost)
_HOST_DEVICES = (1, 3, 11)


def _to_numpy(value, col: str) -> np.ndarray:
    """An array-like (numpy array, torch tensor or anything with
    ``__dlpack__`` or ``__array__``, nested lists) as a numpy array, without
    copying when it can be helped and without importing torch.  Device
    memory is refused, naming ``.cpu()``."""
    if isinstance(value, np.ndarray):
        return value
    device = getattr(value, "__dlpack_device__", None)
    if device is not None:
        kind = int(device()[0])
        if kind not in _HOST_DEVICES:
            raise SchemaError(f"{col} is on a device (DLPack device type {kind}), not in host "
                              "memory: move it with .cpu() (and .detach()) first", path=col)
    if getattr(value, "requires_grad", False):
        value = value.detach()  # a tensor that requires grad refuses __dlpack__/__array__
    if hasattr(value, "__dlpack__"):
        try:
            return np.from_dlpack(value)
        except (TypeError, RuntimeError, BufferError):
            pass  # e.g. a dtype DLPack cannot carry (bool in older numpy): try __array__
    return np.asarray(value)


def _det_array(d, name, want, cast, col):
    """Field `name` of a Detections dict as an int64 (want "i") or float64
    (want "f") array, by the dtype rule above.  `col` names the array in
    messages (``Detections["scores"]``)."""
    value = d[name]
    a = _to_numpy(value, col)
    if a.dtype.kind not in "fiub":
        raise SchemaError(f"{col} must be numeric, not {a.dtype}", path=col)

    def refuse(bad, why):
        i = int(np.flatnonzero(bad.reshape(-1))[0])
        at = col + "".join(f"[{k}]" for k in np.unravel_index(i, a.shape))
        e = SchemaError(f"{at}: {why}", path=at)
        e.index = int(np.unravel_index(i, a.shape)[0]) if a.ndim else None
        raise e

    if want == "i":
        if a.dtype.kind == "u" and a.dtype.itemsize == 8 and a.size and a.max() > _INT64_MAX:
            refuse(a > _INT64_MAX, f"{a.reshape(-1)[np.argmax(a > _INT64_MAX)]} does not fit "
                                   "an int64 id")
        if a.dtype.kind == "f":
            if not cast:
                raise SchemaError(f"{col} holds {a.dtype} values where integer ids are "
                                  "expected: pass an integer dtype, or set cast_inputs=True "
                                  "to convert integral values", path=col)
            bad = ~np.isfinite(a) | (a != np.round(a)) | (np.abs(a) > _INT64_MAX)
            if bad.any():
                refuse(bad, "not an integral value: it cannot be an id")
        return a.astype(np.int64, copy=False)
    if a.dtype.kind == "f" and a.dtype != np.float64 and not cast:
        raise _narrow_float(col, a.dtype)
    if a.dtype.kind in "iu":
        bad = (a > _EXACT_FLOAT) | (a < -_EXACT_FLOAT)
        if bad.any():
            refuse(bad, "an integer beyond 2**53 has no exact float64 value")
    return a.astype(np.float64, copy=False)


def _col(top: str, key: str) -> str:
    return f'{top}["{key}"]'


def _seg_key(d) -> str:
    return "segmentation" if "segmentation" in d else "masks"


def _detections_arrays(d: Mapping, cast: bool, top: str = "Detections") -> dict:
    """A Detections dict's fields checked and converted: ``image_id``,
    ``category_id`` (int64, (N,)), ``score`` (float64, (N,)) and those of
    ``bbox`` (float64 (N, 4)), ``segmentation`` (as given) and
    ``keypoints`` (float64 (N, 3K)) it has (``top`` names the dict in
    messages)."""
    for key in ("image_id", "scores", "labels"):
        if key not in d:
            raise SchemaError(f"{top} lacks {key!r} (needs image_id, scores, labels "
                              "and boxes, segmentation or keypoints)")
    scores = _det_array(d, "scores", "f", cast, _col(top, "scores"))
    labels = _det_array(d, "labels", "i", cast, _col(top, "labels"))
    image_id = _det_array(d, "image_id", "i", cast, _col(top, "image_id"))
    if scores.ndim != 1 or labels.shape != scores.shape:
        raise SchemaError(f"{top}: scores and labels must both have shape (N,), got "
                          f"{scores.shape} and {labels.shape}")
    n = scores.shape[0]
    if image_id.ndim == 0:
        image_id = np.full(n, int(image_id), np.int64)
    elif image_id.shape != (n,):
        raise SchemaError(f"{_col(top, 'image_id')} must be a scalar or have shape ({n},), got "
                          f"{image_id.shape}")
    cols = {"image_id": image_id, "category_id": labels, "score": scores}
    if "boxes" in d:
        boxes = _det_array(d, "boxes", "f", cast, _col(top, "boxes"))
        if boxes.shape != (n, 4):
            raise SchemaError(f"{_col(top, 'boxes')} must have shape ({n}, 4) (x, y, w, h), got "
                              f"{boxes.shape}")
        cols["bbox"] = boxes
    seg = d.get("segmentation", d.get("masks"))
    if seg is not None:
        if len(seg) != n:
            raise SchemaError(f"{_col(top, _seg_key(d))} must have {n} entries, got {len(seg)}")
        cols["segmentation"] = seg
    if "keypoints" in d:
        kps = _det_array(d, "keypoints", "f", cast, _col(top, "keypoints"))
        if kps.ndim != 3 or kps.shape[0] != n or kps.shape[2] != 3:
            raise SchemaError(f"{_col(top, 'keypoints')} must have shape ({n}, K, 3), got "
                              f"{kps.shape}")
        cols["keypoints"] = kps.reshape(n, -1)
    if len(cols) == 3:
        raise SchemaError(f"{top} needs boxes, segmentation or keypoints")
    return cols


def _detections_records(d: Mapping, cast: bool, top: str = "Detections") -> list:
    """A Detections dict of arrays as loadRes result dicts."""
    cols = _detections_arrays(d, cast, top)
    keys = list(cols)
    values = [cols[k] if k == "segmentation" else cols[k].tolist() for k in keys]
    return [dict(zip(keys, row)) for row in zip(*values)]


def _is_detections(obj) -> bool:
    return isinstance(obj, Mapping) and "scores" in obj


# ---- Detections dicts as columns (no Python object per detection) --------------------

_KINDS = ("bbox", "segmentation", "keypoints")  # the first one a batch has decides
_UINT32_MAX = 2 ** 32 - 1


def _dense_masks(seg, n: int, col: str):
    """Binary masks given as one (N, H, W) bool/uint8 array, as uint8 (no
    copy), or None when ``seg`` is not an array (a list of RLE dicts or
    polygons)."""
    if isinstance(seg, (list, tuple)) or not (hasattr(seg, "__array__") or
                                               hasattr(seg, "__dlpack__")):
        return None
    a = _to_numpy(seg, col)
    if a.ndim != 3 or a.shape[0] != n:
        raise SchemaError(f"{col}: binary masks must have shape ({n}, H, W), got {a.shape}",
                          path=col)
    if a.dtype == np.bool_:
        return a.view(np.uint8)
    if a.dtype != np.uint8:
        raise SchemaError(f"{col}: binary masks must be bool or uint8, not {a.dtype}", path=col)
    return a


def _rle_strings(seg):
    """Compressed RLE dicts (``{"size": [h, w], "counts": b"..."}``) as
    (sizes (N, 2) uint32, lengths, joined counts bytes), or None for
    anything else: polygons, uncompressed counts or a value the JSON path
    reads differently (or refuses) go through JSON."""
    sizes, pieces = [], []
    for r in seg:
        if not isinstance(r, Mapping):
            return None
        counts, size = r.get("counts"), r.get("size")
        if isinstance(counts, str):
            counts = counts.encode("utf-8")
        elif isinstance(counts, bytes):
            if not counts.isascii():
                return None
        else:
            return None
        if not isinstance(size, (list, tuple)) or len(size) != 2 or not all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) and
                0 <= v <= _UINT32_MAX for v in size):
            return None
        sizes.append(size)
        pieces.append(counts)
    lengths = np.fromiter((len(p) for p in pieces), np.uint64, len(pieces))
    return np.array(sizes, np.uint32).reshape(-1, 2), lengths, b"".join(pieces)


def _offsets(lengths) -> np.ndarray:
    out = np.zeros(len(lengths) + 1, np.uint64)
    np.cumsum(lengths, out=out[1:])
    return out


def _joined(arrays):
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _mask_columns(parts, tops, cols: dict) -> bool:
    """The batch's masks into ``cols`` (dense arrays, or compressed RLE
    strings); False when they must go through JSON."""
    segs = [p["segmentation"] for p in parts]
    dense = [_dense_masks(s, len(p["score"]), _col(t, "masks")) for s, p, t in
             zip(segs, parts, tops)]
    if all(d is not None for d in dense):
        if len(dense) == 1:
            _, h, w = dense[0].shape
            cols.update(masks=dense[0], mask_height=h, mask_width=w)
            return True
        sizes = np.concatenate([np.tile(np.array(d.shape[1:], np.uint32), (len(d), 1))
                                for d in dense])
        cols.update(masks=_joined([d.reshape(-1) for d in dense]), mask_sizes=sizes,
                    mask_offsets=_offsets(sizes[:, 0].astype(np.uint64) * sizes[:, 1]))
        return True
    if any(d is not None for d in dense):
        raise SchemaError("Detections: give every dict's masks in one form (binary mask "
                          "arrays, or RLE dicts)")
    rles = [_rle_strings(s) for s in segs]
    if any(r is None for r in rles):
        return False
    cols.update(mask_sizes=np.concatenate([r[0] for r in rles]),
                mask_offsets=_offsets(np.concatenate([r[1] for r in rles])),
                mask_strings=np.frombuffer(b"".join(r[2] for r in rles), np.uint8))
    return True


def _detections_columns(dicts, tops, cast: bool):
    """A batch of Detections dicts as ``_lowlevel.Columns``, or None when
    it must go through JSON to be read the same way (dicts with different
    fields: the JSON path's first result decides the kind; segmentations
    that are not compressed RLEs or binary masks)."""
    parts = [_detections_arrays(d, cast, t) for d, t in zip(dicts, tops)]
    fields = [k for k in _KINDS if k in parts[0]]
    if any([k for k in _KINDS if k in p] != fields for p in parts[1:]):
        return None
    kind = {"bbox": "bbox", "segmentation": "segm", "keypoints": "keypoints"}[fields[0]]
    n = sum(len(p["score"]) for p in parts)
    cols = {"image_ids": _joined([p["image_id"] for p in parts]),
            "category_ids": _joined([p["category_id"] for p in parts]),
            "scores": _joined([p["score"] for p in parts])}
    if "bbox" in fields:
        cols["boxes"] = _joined([p["bbox"] for p in parts])
    if "segmentation" in fields and kind != "keypoints" and not _mask_columns(parts, tops, cols):
        return None
    if "keypoints" in fields:
        kps = [p["keypoints"] for p in parts]
        cols["keypoint_offsets"] = _offsets(np.concatenate(
            [np.full(len(k), k.shape[1], np.uint64) for k in kps]))
        cols["keypoints"] = _joined([k.reshape(-1) for k in kps])
    scalars = {"kind": kind if n else None, "n": n}
    for name in ("mask_height", "mask_width"):
        if name in cols:
            scalars[name] = int(cols.pop(name))
    return _ll.Columns(scalars, cols)


# ---- error locations: the Python object, not vernier's serialisation ----------------

# a result path: "[0].bbox[2]", or a column of vernier_results_from_columns
# first ("scores[17]", "keypoints[2][4]")
_C_STEP = re.compile(r"\[(\d+)\]|\.([A-Za-z_][A-Za-z0-9_]*)|"
                     r"^(image_ids|category_ids|scores|boxes|areas|keypoints|masks|mask_strings|"
                     r"mask_counts)(?=\[)")
# the C column -> Detections key
_DET_KEYS = {"image_id": "image_id", "category_id": "labels", "score": "scores",
             "bbox": "boxes", "keypoints": "keypoints"}
# a C column (vernier_results_columns field) -> the C result key it carries
_COLUMN_KEYS = {"image_ids": "image_id", "category_ids": "category_id", "scores": "score",
                "boxes": "bbox", "keypoints": "keypoints", "masks": "segmentation",
                "mask_strings": "segmentation", "mask_counts": "segmentation"}


def _c_steps(path: str):
    """The steps of a C result path (``[0].bbox[2]``) as ints and names, or
    None when it is not one."""
    steps, pos = [], 0
    for m in _C_STEP.finditer(path):
        if m.start() != pos:
            return None
        steps.append(int(m.group(1)) if m.group(1) is not None else m.group(2) or m.group(3))
        pos = m.end()
    return steps if pos == len(path) else None


def _subscripts(steps) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f'["{s}"]' for s in steps)


def _list_locator(steps) -> str:
    return "results" + _subscripts(steps)


def _detections_locator(dicts, tops):
    """A locator for detections made of the Detections dicts ``dicts``
    (it keeps only their row counts and key names, not the arrays)."""
    starts, meta, total = [], [], 0
    for d, top in zip(dicts, tops):
        starts.append(total)
        total += len(np.asarray(d["scores"]).reshape(-1))
        meta.append((top, _seg_key(d), np.ndim(d["image_id"]) == 0))

    def locate(steps) -> str:
        if len(steps) >= 2 and isinstance(steps[0], str) and isinstance(steps[1], int):
            # a column path ("scores[17]", "keypoints[2][4]"): row first
            steps = [steps[1], _COLUMN_KEYS.get(steps[0], steps[0])] + list(steps[2:])
        if not steps or not isinstance(steps[0], int):
            return tops[0] if len(tops) == 1 else "Detections"
        row = steps[0]
        j = max((k for k, s0 in enumerate(starts) if s0 <= row), default=0)
        (top, seg_key, scalar_image_id), i = meta[j], row - starts[j]
        if len(steps) < 2:
            return f"{top} (row {i})"
        name, rest = steps[1], list(steps[2:])
        if name == "segmentation":
            return _col(top, seg_key) + f"[{i}]" + _subscripts(rest)
        key = _DET_KEYS.get(name)
        if key is None:
            return f"{top} (row {i})"
        if key == "image_id" and scalar_image_id:
            return _col(top, key)
        if key == "keypoints" and rest and isinstance(rest[0], int):
            rest = [rest[0] // 3, rest[0] % 3] + rest[1:]
        return _col(top, key) + f"[{i}]" + _subscripts(rest)

    return locate


def hint_ground_truth_as_results(e, data) -> None:
    """Add to a results error what the input probably is when it is a COCO
    object with ``images`` / ``annotations`` (a ground-truth file)."""
    if not isinstance(e, SchemaError) or not isinstance(data, (bytes, bytearray, memoryview)):
        return
    head = bytes(data[:1 << 16]).lstrip()
    if head.startswith(b"{") and (b'"images"' in head or b'"annotations"' in head):
        e.args = (f"{e.args[0] if e.args else e}: this looks like a ground-truth file (a COCO "
                  "object with images/annotations), not results; pass the detections as a "
                  "loadRes-shaped list",)


def relocate(e, locate) -> None:
    """Rewrite the location of ``e`` (raised by the C library on vernier's
    serialisation of a Python object) to name that object: ``path`` becomes
    ``results[0]["score"]`` or ``Detections["scores"][17]``, the message is
    that name followed by the error's ``reason`` (after the worker's
    ``batch N: `` when ``batch_index`` is set), and ``offset``, ``line``,
    ``column`` (positions in text the user never saw) become None.  Built
    from the structured fields only; an error without a path or a reason
    is left as it is."""
    if locate is None or not isinstance(getattr(e, "path", None), str):
        return
    reason = getattr(e, "reason", None)
    steps = _c_steps(e.path)
    if steps is None or not reason:
        return
    where = locate(steps)
    batch = getattr(e, "batch_index", None)
    prefix = f"batch {batch}: " if batch is not None else ""
    e.args = (f"{prefix}{where}: {reason}",)
    e.path = where
    e.offset = e.line = e.column = None


# loadRes' N x 7 rows: the column of each field
_ROW_COLUMNS = {"image_id": [0], "bbox": [1, 2, 3, 4], "score": [5], "category_id": [6]}


def _rows_detections(dt, cast: bool):
    """A loadRes-style N x 7 array (image_id, x, y, w, h, score,
    category_id per row, as pycocotools' loadNumpyAnnotations reads it) as
    a Detections dict, and the locator naming ``results[i][j]``.  Ids must
    be integral (pycocotools truncates them with int(); refused here, as
    in JSON); the other columns follow the dtype rule."""
    a = _to_numpy(dt, "results")
    if a.ndim != 2 or a.shape[1] != 7:
        raise SchemaError(f"a results array must be N x 7 (image_id, x, y, w, h, score, "
                          f"category_id), got shape {a.shape}", path="results")
    floats = _det_array({"r": a}, "r", "f", cast, "results")
    ids = {}
    for name, j in (("image_id", 0), ("labels", 6)):
        col = floats[:, j]
        bad = (col != np.round(col)) | (np.abs(col) > _EXACT_FLOAT)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            e = SchemaError(f"results[{i}][{j}]: {col[i]!r} is not an integral id",
                            path=f"results[{i}][{j}]")
            e.index = i
            raise e
        ids[name] = col.astype(np.int64)
    d = {**ids, "scores": np.ascontiguousarray(floats[:, 5]),
         "boxes": np.ascontiguousarray(floats[:, 1:5])}

    def locate(steps) -> str:
        if len(steps) >= 2 and isinstance(steps[0], str) and isinstance(steps[1], int):
            steps = [steps[1], _COLUMN_KEYS.get(steps[0], steps[0])] + list(steps[2:])
        if not steps or not isinstance(steps[0], int):
            return "results"
        cols = _ROW_COLUMNS.get(steps[1]) if len(steps) > 1 else None
        if cols is None:
            return f"results[{steps[0]}]"
        j = cols[steps[2]] if len(cols) > 1 and len(steps) > 2 and \
            isinstance(steps[2], int) else cols[0]
        return f"results[{steps[0]}][{j}]"

    return d, locate


def results_input(dt, *, cast_inputs: bool = False):
    """``(data, locate)``: loadRes JSON bytes from any accepted form of
    detections (JSON bytes, a list of loadRes result dicts, a Detections
    dict of arrays, or a sequence of Detections dicts) and the function
    that names the Python object at a C path (None for bytes: the C
    locations are the user's own)."""
    if isinstance(dt, (bytes, bytearray, memoryview)):
        return dt, None
    if isinstance(dt, (str, os.PathLike)):  # a results file's path
        with open(dt, "rb") as f:
            return f.read(), None
    if not isinstance(dt, (list, tuple, Mapping)) and (
            hasattr(dt, "__array__") or hasattr(dt, "__dlpack__")):
        d, locate = _rows_detections(dt, cast_inputs)
        return _detections_columns([d], ["results"], cast_inputs), locate
    if _is_detections(dt) or (isinstance(dt, (list, tuple)) and dt and
                              all(_is_detections(x) for x in dt)):
        dicts = [dt] if _is_detections(dt) else list(dt)
        tops = ["Detections"] if _is_detections(dt) else \
            [f"Detections[{j}]" for j in range(len(dicts))]
        locate = _detections_locator(dicts, tops)
        cols = _detections_columns(dicts, tops, cast_inputs)
        if cols is not None:
            return cols, locate
        dt = [r for d, t in zip(dicts, tops) for r in _detections_records(d, cast_inputs, t)]
    elif isinstance(dt, (list, tuple)):
        locate = _list_locator
    else:
        raise TypeError("detections must be loadRes-shaped JSON bytes, a results file path, a "
                        "list of result dicts, a Detections dict or a sequence of them, or an "
                        f"N x 7 array of loadRes rows, not {type(dt).__name__}")
    default = _json_default_cast if cast_inputs else _json_default
    try:
        return json.dumps(dt, default=default, separators=(",", ":")).encode("utf-8"), locate
    except (TypeError, ValueError) as e:
        found = _first_unreadable(list(dt), "results", cast_inputs)
        if found is not None:
            m = re.match(r"results\[(\d+)\]", found.path)
            found.index = int(m.group(1)) if m else None
            raise found from None
        raise SchemaError(f"result list cannot be read: {e}") from None


def _detections_bytes(dt, *, cast_inputs: bool = False) -> bytes:
    """loadRes JSON bytes from any accepted form of detections (the JSON
    path, whatever the form: parity tests compare the two)."""
    if _is_detections(dt) or (isinstance(dt, (list, tuple)) and dt and
                              all(_is_detections(x) for x in dt)):
        dicts = [dt] if _is_detections(dt) else list(dt)
        tops = ["Detections"] if _is_detections(dt) else \
            [f"Detections[{j}]" for j in range(len(dicts))]
        dt = [r for d, t in zip(dicts, tops) for r in _detections_records(d, cast_inputs, t)]
    return results_input(dt, cast_inputs=cast_inputs)[0]



# ---- ground truth as columns (CocoDataset.from_arrays) ------------------------------

_SEG_KINDS = {"none": 0, "polygons": 1, "counts": 2, "string": 3}  # vernier_segmentation_kind


def _gt_column(table: Mapping, name: str, want: str, n: int, where: str, *, shape=None):
    """Column ``name`` of a from_arrays table as an int64 / float64 array
    (the dtype rule of Detections arrays; cast_inputs is off: ground truth
    is given once, in the precision it has), or None when absent."""
    if name not in table or table[name] is None:
        return None
    a = _det_array(table, name, want, False, f'{where}["{name}"]')
    want_shape = (n,) if shape is None else (n,) + shape
    if a.shape != want_shape:
        raise SchemaError(f'{where}["{name}"] must have shape {want_shape}, got {a.shape}',
                          path=f'{where}["{name}"]')
    return a


def _gt_segmentations(segs, n: int, where: str) -> dict:
    """A segmentation column (one entry per annotation: None, a list of
    polygons, an RLE dict with counts as a list or a compressed string, or
    all of them as an (N, H, W) binary mask array) as the pools of
    vernier_dataset_columns.  One Python step per annotation: the entries
    are Python objects already (binary masks are encoded one by one)."""
    col = f'{where}["segmentation"]'
    kinds = np.zeros(n, np.uint8)
    spans = np.zeros((n, 2), np.uint64)
    sizes = np.zeros((n, 2), np.uint32)
    poly_spans, coords, counts, chars = [], [], [], []
    n_coords = n_counts = n_chars = 0
    dense = _dense_masks(segs, n, col)
    if dense is None and len(segs) != n:
        raise SchemaError(f"{col} must have {n} entries, got {len(segs)}", path=col)
    for i in range(n):
        if dense is not None:
            _, h, w = dense.shape
            s = _ll.mask_encode_string(np.ascontiguousarray(dense[i].T), h, w)
            seg = {"size": [h, w], "counts": s}
        else:
            seg = segs[i]
        if seg is None:
            continue
        if isinstance(seg, Mapping):
            size, cnt = seg.get("size"), seg.get("counts")
            if not (isinstance(size, (list, tuple, np.ndarray)) and len(size) == 2):
                raise SchemaError(f"{col}[{i}]: an RLE needs \"size\": [height, width]",
                                  path=f"{col}[{i}]", index=i)
            sizes[i] = [int(size[0]), int(size[1])]
            if isinstance(cnt, (str, bytes)):
                b = cnt.encode("utf-8") if isinstance(cnt, str) else cnt
                kinds[i], spans[i] = _SEG_KINDS["string"], (n_chars, len(b))
                chars.append(b)
                n_chars += len(b)
            else:
                c = np.asarray(cnt, np.int64).reshape(-1)
                if c.size and (c.min() < 0 or c.max() > _UINT32_MAX):
                    raise SchemaError(f"{col}[{i}]: RLE counts must be 0..2**32-1",
                                      path=f"{col}[{i}]", index=i)
                kinds[i], spans[i] = _SEG_KINDS["counts"], (n_counts, c.size)
                counts.append(c.astype(np.uint32))
                n_counts += c.size
            continue
        kinds[i], spans[i] = _SEG_KINDS["polygons"], (len(poly_spans), len(seg))
        for poly in seg:
            p = _to_numpy(poly, col).astype(np.float64, copy=False).reshape(-1)
            poly_spans.append((n_coords, p.size))
            coords.append(p)
            n_coords += p.size
    return {"segmentation_kinds": kinds, "segmentation_spans": spans,
            "segmentation_sizes": sizes,
            "polygon_spans": np.array(poly_spans, np.uint64).reshape(-1, 2),
            "polygon_coords": np.concatenate(coords) if coords else np.zeros(0),
            "rle_counts": np.concatenate(counts) if counts else np.zeros(0, np.uint32),
            "rle_chars": np.frombuffer(b"".join(chars), np.uint8)}


def _gt_keypoints(kps, n: int, where: str) -> dict:
    """Keypoints: an (N, K, 3) / (N, 3K) array, or one list (or None) per
    annotation."""
    col = f'{where}["keypoints"]'
    if hasattr(kps, "__array__") or hasattr(kps, "__dlpack__"):
        a = _det_array({"k": kps}, "k", "f", False, col)
        if a.ndim < 2 or a.shape[0] != n:
            raise SchemaError(f"{col} must have shape ({n}, K, 3), got {a.shape}", path=col)
        a = a.reshape(n, -1)
        return {"keypoint_offsets": np.arange(n + 1, dtype=np.uint64) * np.uint64(a.shape[1]),
                "keypoints": a.reshape(-1)}
    if len(kps) != n:
        raise SchemaError(f"{col} must have {n} entries, got {len(kps)}", path=col)
    vals = [np.zeros(0) if k is None else
            np.asarray(k, np.float64).reshape(-1) for k in kps]
    return {"keypoint_offsets": _offsets(np.array([v.size for v in vals], np.uint64)),
            "keypoints": np.concatenate(vals) if vals else np.zeros(0)}


def dataset_columns(images: Mapping, categories: Mapping, annotations: Mapping) -> "_ll.Columns":
    """The three tables of :meth:`CocoDataset.from_arrays` as columns."""
    for name, table in (("images", images), ("categories", categories),
                        ("annotations", annotations)):
        if not isinstance(table, Mapping) or "id" not in table:
            raise SchemaError(f"{name} must be a dict of columns with at least \"id\"",
                              path=name)
    img = _det_array(images, "id", "i", False, 'images["id"]').reshape(-1)
    cat = _det_array(categories, "id", "i", False, 'categories["id"]').reshape(-1)
    ann = _det_array(annotations, "id", "i", False, 'annotations["id"]').reshape(-1)
    n = len(ann)
    cols = {"image_ids": img, "category_ids": cat, "annotation_ids": ann,
            "image_widths": _gt_column(images, "width", "i", len(img), "images"),
            "image_heights": _gt_column(images, "height", "i", len(img), "images")}
    names = categories.get("keypoints")
    if names is not None:
        if len(names) != len(cat):
            raise SchemaError(f'categories["keypoints"] must have {len(cat)} entries',
                              path='categories["keypoints"]')
        cols["category_num_keypoints"] = np.array(
            [-1 if k is None else len(k) for k in names], np.int64)
    for key, c_name in (("image_id", "annotation_image_ids"),
                        ("category_id", "annotation_category_ids")):
        a = _gt_column(annotations, key, "i", n, "annotations")
        if a is None:
            raise SchemaError(f'annotations lacks "{key}"', path="annotations")
        cols[c_name] = a
    cols["boxes"] = _gt_column(annotations, "bbox", "f", n, "annotations", shape=(4,))
    cols["areas"] = _gt_column(annotations, "area", "f", n, "annotations")
    for key, c_name in (("iscrowd", "iscrowd"), ("ignore", "ignore")):
        a = _gt_column(annotations, key, "i", n, "annotations")
        if a is not None:
            if key == "iscrowd" and a.size and (a.min() < 0 or a.max() > 255):
                i = int(np.flatnonzero((a < 0) | (a > 255))[0])
                raise SchemaError(f'annotations["iscrowd"][{i}]: {a[i]} is not 0..255',
                                  path=f'annotations["iscrowd"][{i}]', index=i)
            a = (a != 0) if key == "ignore" else a
            cols[c_name] = a.astype(np.uint8)
    cols["num_keypoints"] = _gt_column(annotations, "num_keypoints", "i", n, "annotations")
    scalars = {"n_images": len(img), "n_categories": len(cat), "n_annotations": n}
    if annotations.get("segmentation") is not None:
        seg = _gt_segmentations(annotations["segmentation"], n, "annotations")
        cols.update(seg)
        scalars.update(n_polygons=len(seg["polygon_spans"]),
                       n_polygon_coords=len(seg["polygon_coords"]),
                       n_rle_counts=len(seg["rle_counts"]), n_rle_chars=len(seg["rle_chars"]))
    if annotations.get("keypoints") is not None:
        cols.update(_gt_keypoints(annotations["keypoints"], n, "annotations"))
    strings = {}
    names = categories.get("name")
    if names is not None:
        if len(names) != len(cat):
            raise SchemaError(f'categories["name"] must have {len(cat)} entries',
                              path='categories["name"]')
        for i, nm in enumerate(names):
            if nm is not None and not isinstance(nm, str):
                raise SchemaError(f'categories["name"][{i}]: expected a string or None, got '
                                  f"{type(nm).__name__}", path=f'categories["name"][{i}]',
                                  index=i)
            if nm is not None and "\0" in nm:
                raise SchemaError(f'categories["name"][{i}]: contains a NUL character',
                                  path=f'categories["name"][{i}]', index=i)
        strings["category_names"] = [None if nm is None else nm.encode("utf-8") for nm in names]
    return _ll.Columns(scalars, cols, strings)
