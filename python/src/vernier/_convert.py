"""Input conversion: detections in every accepted form (loadRes JSON bytes,
a list of result dicts, a Detections dict of numpy arrays or a sequence of
them) to loadRes JSON bytes, with the numpy dtype rules (``cast_inputs``)."""
from __future__ import annotations

import json
import os
import re
from typing import Mapping

import numpy as np

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


def _det_array(d, name, want, cast, col):
    """Field `name` of a Detections dict as an int64 (want "i") or float64
    (want "f") array, by the dtype rule above.  `col` names the array in
    messages (``Detections["scores"]``)."""
    value = d[name]
    a = np.asarray(value)
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
        return a.astype(np.int64)
    if a.dtype.kind == "f" and a.dtype != np.float64 and not cast:
        raise _narrow_float(col, a.dtype)
    if a.dtype.kind in "iu":
        bad = (a > _EXACT_FLOAT) | (a < -_EXACT_FLOAT)
        if bad.any():
            refuse(bad, "an integer beyond 2**53 has no exact float64 value")
    return a.astype(np.float64)


def _col(top: str, key: str) -> str:
    return f'{top}["{key}"]'


def _seg_key(d) -> str:
    return "segmentation" if "segmentation" in d else "masks"


def _detections_records(d: Mapping, cast: bool, top: str = "Detections") -> list:
    """A Detections dict of arrays as loadRes result dicts (``top`` names
    the dict in messages)."""
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
    cols = {"image_id": image_id.tolist(), "category_id": labels.tolist(),
            "score": scores.tolist()}
    if "boxes" in d:
        boxes = _det_array(d, "boxes", "f", cast, _col(top, "boxes"))
        if boxes.shape != (n, 4):
            raise SchemaError(f"{_col(top, 'boxes')} must have shape ({n}, 4) (x, y, w, h), got "
                              f"{boxes.shape}")
        cols["bbox"] = boxes.tolist()
    seg = d.get("segmentation", d.get("masks"))
    if seg is not None:
        if len(seg) != n:
            raise SchemaError(f"{_col(top, _seg_key(d))} must have {n} entries, got {len(seg)}")
        cols["segmentation"] = list(seg)
    if "keypoints" in d:
        kps = _det_array(d, "keypoints", "f", cast, _col(top, "keypoints"))
        if kps.ndim != 3 or kps.shape[0] != n or kps.shape[2] != 3:
            raise SchemaError(f"{_col(top, 'keypoints')} must have shape ({n}, K, 3), got "
                              f"{kps.shape}")
        cols["keypoints"] = kps.reshape(n, -1).tolist()
    if len(cols) == 3:
        raise SchemaError(f"{top} needs boxes, segmentation or keypoints")
    keys = list(cols)
    return [dict(zip(keys, row)) for row in zip(*(cols[k] for k in keys))]


def _is_detections(obj) -> bool:
    return isinstance(obj, Mapping) and "scores" in obj


# ---- error locations: the Python object, not vernier's serialisation ----------------

_C_STEP = re.compile(r"\[(\d+)\]|\.([A-Za-z_][A-Za-z0-9_]*)")
# the C column -> Detections key
_DET_KEYS = {"image_id": "image_id", "category_id": "labels", "score": "scores",
             "bbox": "boxes", "keypoints": "keypoints"}


def _c_steps(path: str):
    """The steps of a C result path (``[0].bbox[2]``) as ints and names, or
    None when it is not one."""
    steps, pos = [], 0
    for m in _C_STEP.finditer(path):
        if m.start() != pos:
            return None
        steps.append(int(m.group(1)) if m.group(1) is not None else m.group(2))
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
    if _is_detections(dt):
        locate = _detections_locator([dt], ["Detections"])
        dt = _detections_records(dt, cast_inputs)
    elif isinstance(dt, (list, tuple)) and dt and all(_is_detections(x) for x in dt):
        tops = [f"Detections[{j}]" for j in range(len(dt))]
        locate = _detections_locator(list(dt), tops)
        dt = [r for j, x in enumerate(dt) for r in _detections_records(x, cast_inputs, tops[j])]
    elif isinstance(dt, (list, tuple)):
        locate = _list_locator
    else:
        raise TypeError("detections must be loadRes-shaped JSON bytes, a results file path, a "
                        "list of result dicts, a Detections dict or a sequence of them, not "
                        f"{type(dt).__name__}")
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
    """loadRes JSON bytes from any accepted form of detections."""
    return results_input(dt, cast_inputs=cast_inputs)[0]

