"""Input conversion: detections in every accepted form (loadRes JSON bytes,
a list of result dicts, a Detections dict of numpy arrays or a sequence of
them) to loadRes JSON bytes, with the numpy dtype rules (``cast_inputs``)."""
from __future__ import annotations

import json
from typing import Mapping

import numpy as np

from ._errors import SchemaError


def _json_default(obj):
    # numpy scalars and arrays of exact types convert losslessly
    if isinstance(obj, (np.integer, np.bool_)):
        return obj.item()
    if isinstance(obj, np.floating):
        if obj.dtype != np.float64:
            raise TypeError(f"{obj.dtype} values are not accepted: convert to float64 first "
                            "(pycocotools would compute areas in that precision)")
        return obj.item()
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f" and obj.dtype != np.float64:
            raise TypeError(f"{obj.dtype} arrays are not accepted: convert to float64 first")
        return obj.tolist()
    if isinstance(obj, bytes):
        return obj.decode("ascii")
    raise TypeError(f"object of type {type(obj).__name__} is not JSON serialisable")



def _json_default_cast(obj):
    # cast_inputs=True: narrower numpy types are widened instead of refused
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.astype(np.float64).tolist() if obj.dtype.kind == "f" else obj.tolist()
    return _json_default(obj)


def _det_array(d, name, want, cast):
    """Field `name` of a Detections dict as an int64 (want "i") or float64
    (want "f") array; narrower numpy dtypes are refused unless `cast`."""
    value = d[name]
    a = np.asarray(value)
    ok = (a.dtype == np.int64 or a.dtype.kind == "b") if want == "i" else \
        a.dtype in (np.float64, np.int64)
    if isinstance(value, np.ndarray) and not ok and a.dtype.kind in "fiub":
        if not cast:
            need = "int64" if want == "i" else "float64"
            raise TypeError(f"Detections[{name!r}] has dtype {a.dtype}; pass {need} arrays "
                            "(or set cast_inputs=True to convert)")
    if a.dtype.kind not in "fiub":
        raise TypeError(f"Detections[{name!r}] must be numeric, not {a.dtype}")
    if want == "i":
        if a.dtype.kind == "f":
            if not cast:
                raise TypeError(f"Detections[{name!r}] must hold integers (int64), not "
                                f"{a.dtype}")
            if not np.all(np.isfinite(a)) or not np.all(a == np.round(a)):
                raise SchemaError(f"Detections[{name!r}] has non-integer values")
        return a.astype(np.int64)
    return a.astype(np.float64)


def _detections_records(d: Mapping, cast: bool) -> list:
    """A Detections dict of arrays as loadRes result dicts."""
    for key in ("image_id", "scores", "labels"):
        if key not in d:
            raise SchemaError(f"Detections dict lacks {key!r} (needs image_id, scores, labels "
                              "and boxes, segmentation or keypoints)")
    scores = _det_array(d, "scores", "f", cast)
    labels = _det_array(d, "labels", "i", cast)
    image_id = _det_array(d, "image_id", "i", cast)
    if scores.ndim != 1 or labels.shape != scores.shape:
        raise SchemaError(f"Detections: scores and labels must both have shape (N,), got "
                          f"{scores.shape} and {labels.shape}")
    n = scores.shape[0]
    if image_id.ndim == 0:
        image_id = np.full(n, int(image_id), np.int64)
    elif image_id.shape != (n,):
        raise SchemaError(f"Detections['image_id'] must be a scalar or have shape ({n},), got "
                          f"{image_id.shape}")
    cols = {"image_id": image_id.tolist(), "category_id": labels.tolist(),
            "score": scores.tolist()}
    if "boxes" in d:
        boxes = _det_array(d, "boxes", "f", cast)
        if boxes.shape != (n, 4):
            raise SchemaError(f"Detections['boxes'] must have shape ({n}, 4) (x, y, w, h), got "
                              f"{boxes.shape}")
        cols["bbox"] = boxes.tolist()
    seg = d.get("segmentation", d.get("masks"))
    if seg is not None:
        if len(seg) != n:
            raise SchemaError(f"Detections['segmentation'] must have {n} entries, got {len(seg)}")
        cols["segmentation"] = list(seg)
    if "keypoints" in d:
        kps = _det_array(d, "keypoints", "f", cast)
        if kps.ndim != 3 or kps.shape[0] != n or kps.shape[2] != 3:
            raise SchemaError(f"Detections['keypoints'] must have shape ({n}, K, 3), got "
                              f"{kps.shape}")
        cols["keypoints"] = kps.reshape(n, -1).tolist()
    if len(cols) == 3:
        raise SchemaError("Detections dict needs boxes, segmentation or keypoints")
    keys = list(cols)
    return [dict(zip(keys, row)) for row in zip(*(cols[k] for k in keys))]


def _is_detections(obj) -> bool:
    return isinstance(obj, Mapping) and "scores" in obj


def _detections_bytes(dt, *, cast_inputs: bool = False) -> bytes:
    """loadRes JSON bytes from any accepted form of detections: JSON bytes,
    a list of loadRes result dicts, a Detections dict of arrays, or a
    sequence of Detections dicts."""
    if isinstance(dt, (bytes, bytearray, memoryview)):
        return dt
    if _is_detections(dt):
        dt = _detections_records(dt, cast_inputs)
    elif isinstance(dt, (list, tuple)) and dt and all(_is_detections(x) for x in dt):
        dt = [r for x in dt for r in _detections_records(x, cast_inputs)]
    elif not isinstance(dt, (list, tuple)):
        raise TypeError("detections must be loadRes-shaped JSON bytes, a list of result dicts, "
                        f"a Detections dict or a sequence of them, not {type(dt).__name__}")
    default = _json_default_cast if cast_inputs else _json_default
    try:
        return json.dumps(dt, default=default, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise SchemaError(f"result list cannot be read: {e}") from None

