"""pycocotools.mask's functions on vernier's C mask codec.

``encode``, ``decode``, ``area``, ``toBbox``, ``merge``, ``iou`` and
``frPyObjects`` take and return what pycocotools.mask 2.0.11 takes and
returns: RLE dicts ``{'size': [h, w], 'counts': b'...'}`` (compressed
counts as bytes), uint8 masks in Fortran order (``HxW`` or ``HxWxN``),
uint32 areas, float64 boxes ``[x, y, width, height]``.  The values are
bit for bit pycocotools' (the RLE codec, box and polygon rasterisation,
merge and IoU are the C library's, written to pycocotools' arithmetic).

Where pycocotools would read garbage or write out of bounds (a counts
string that does not describe an ``h x w`` mask, masks of different sizes
decoded together), vernier raises :class:`~vernier.RLEError`.  Argument
mistakes pycocotools reports with a bare ``Exception`` or an
``AssertionError`` (mixing RLEs and boxes in ``iou``, an ``iscrowd`` of
the wrong length, an array that is not ``Nx4``) raise
:class:`~vernier.InvalidArgumentError` (a ``ValueError``); wrong Python
types raise ``TypeError``.  ``frPyObjects`` also accepts three inputs
pycocotools 2.0.11 means to accept but fails on: a list of boxes given as
lists, a single flat polygon, and compressed RLE dicts (returned with
bytes counts).  See docs/reference/mask.md.
"""
from __future__ import annotations

import operator

import numpy as np

from . import _lowlevel as ll
from ._errors import InvalidArgumentError, RLEError

__all__ = ["encode", "decode", "area", "toBbox", "merge", "iou", "frPyObjects"]

_U32_MAX = 2**32 - 1


def _dim(v, what: str) -> int:
    try:
        v = operator.index(v)
    except TypeError:
        # pycocotools' h and w are C unsigned ints: whole floats pass
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            v = int(v)
        else:
            raise TypeError(f"{what} must be an integer, not {type(v).__name__}") from None
    if not 0 <= v <= _U32_MAX:
        raise InvalidArgumentError(f"{what} = {v} is outside 0..{_U32_MAX}")
    return v


def _rle_dict(counts, h: int, w: int) -> dict:
    return {"size": [h, w], "counts": ll.mask_to_string(counts)}


def _parse_str(obj) -> tuple:
    """An RLE dict (compressed counts) to (counts string, h, w); the string
    itself is checked by the C call that reads it."""
    if not isinstance(obj, dict):
        raise TypeError(f"an RLE must be a dict with 'size' and 'counts', not "
                        f"{type(obj).__name__}")
    try:
        size, counts = obj["size"], obj["counts"]
    except KeyError as e:
        raise RLEError(f"an RLE dict needs 'size' and 'counts' (missing {e})") from None
    if len(size) != 2:
        raise RLEError(f"an RLE's size must be [height, width], not {size!r}")
    h, w = _dim(size[0], "RLE height"), _dim(size[1], "RLE width")
    if type(counts) is not bytes:
        if isinstance(counts, str):
            counts = counts.encode("utf-8")
        elif isinstance(counts, bytearray):
            counts = bytes(counts)
        else:
            raise TypeError("RLE counts must be a compressed string (str or bytes), not "
                            f"{type(counts).__name__}; use frPyObjects for uncompressed counts")
    return counts, h, w


def _parse(obj) -> tuple:
    """An RLE dict (compressed counts) to (counts, h, w), checked."""
    s, h, w = _parse_str(obj)
    return ll.mask_from_string(s, h, w), h, w


def encode(bimask):
    """Masks to RLEs: a Fortran-order uint8 ``HxWxN`` array gives a list of
    N RLE dicts, an ``HxW`` array one dict."""
    if not isinstance(bimask, np.ndarray):
        raise TypeError(f"encode takes a numpy array, not {type(bimask).__name__}")
    if bimask.ndim == 2:
        h, w = bimask.shape
        return encode(bimask.reshape((h, w, 1), order="F"))[0]
    if bimask.ndim != 3:
        raise InvalidArgumentError(f"encode takes an HxW or HxWxN array, not {bimask.ndim}-d")
    if bimask.dtype == np.bool_:
        bimask = bimask.view(np.uint8)  # as pycocotools, which reads bool as uint8
    if bimask.dtype != np.uint8:
        raise InvalidArgumentError(f"encode takes a uint8 (or bool) array, not {bimask.dtype}")
    if not bimask.flags.f_contiguous:
        raise InvalidArgumentError("encode takes a Fortran-contiguous array "
                                   "(np.asfortranarray)")
    h, w, n = bimask.shape
    h, w = _dim(h, "mask height"), _dim(w, "mask width")
    flat = bimask.reshape(-1, order="F")
    hw = h * w
    return [{"size": [h, w], "counts": ll.mask_encode_string(flat[i * hw:(i + 1) * hw], h, w)}
            for i in range(n)]


def decode(rleObjs):
    """RLEs to masks: a list of N RLE dicts gives a Fortran-order uint8
    ``HxWxN`` array (all of one size), one dict an ``HxW`` array."""
    if type(rleObjs) is not list:
        return decode([rleObjs])[:, :, 0]
    parsed = [_parse_str(o) for o in rleObjs]
    if not parsed:
        return np.zeros((0, 0, 0), dtype=np.uint8, order="F")
    h, w = parsed[0][1], parsed[0][2]
    for i, (_, hi, wi) in enumerate(parsed):
        if (hi, wi) != (h, w):
            raise RLEError(f"decode: RLE {i} is {hi}x{wi} but RLE 0 is {h}x{w}; masks decoded "
                           "together must have one size")
    hw = h * w
    flat = np.empty(hw * len(parsed), dtype=np.uint8)
    for i, (counts, _, _) in enumerate(parsed):
        ll.mask_string_decode_into(flat[i * hw:(i + 1) * hw], counts, h, w)
    return flat.reshape((h, w, len(parsed)), order="F")


def area(rleObjs):
    """Foreground pixels: a uint32 array for a list, a numpy uint32 for one
    RLE dict."""
    if type(rleObjs) is not list:
        return np.uint32(ll.mask_string_area(*_parse_str(rleObjs)))
    return np.array([ll.mask_string_area(*_parse_str(o)) for o in rleObjs], dtype=np.uint32)


def toBbox(rleObjs):
    """Boxes ``[x, y, width, height]`` (float64): ``Nx4`` for a list, a
    4-vector for one RLE dict."""
    if type(rleObjs) is not list:
        out = np.zeros(4, dtype=np.float64)
        ll.mask_string_to_bbox(*_parse_str(rleObjs), out)
        return out
    out = np.zeros((len(rleObjs), 4), dtype=np.float64)
    for i, o in enumerate(rleObjs):
        ll.mask_string_to_bbox(*_parse_str(o), out[i])
    return out


def merge(rleObjs, intersect=0):
    """The union (``intersect=0``) or intersection of a list of RLE dicts,
    as one RLE dict.  Like pycocotools, an empty list or masks of different
    sizes give ``{'size': [0, 0], 'counts': b''}``."""
    if type(rleObjs) is not list:
        raise TypeError(f"merge takes a list of RLE dicts, not {type(rleObjs).__name__}")
    parsed = [_parse(o) for o in rleObjs]
    if not parsed or any((p[1], p[2]) != (parsed[0][1], parsed[0][2]) for p in parsed):
        return {"size": [0, 0], "counts": b""}
    h, w = parsed[0][1], parsed[0][2]
    counts = ll.mask_merge([p[0] for p in parsed], h, w, bool(intersect))
    return _rle_dict(counts, h, w)


def _iou_operand(objs, which: str):
    """pycocotools' rules: an ``Nx4`` array or a list of 4-element lists /
    arrays is boxes, a list of dicts is RLEs.  Returns (kind, value)."""
    if isinstance(objs, np.ndarray):
        if objs.ndim != 2 or objs.shape[1] != 4:
            raise InvalidArgumentError(f"iou: a numpy array ({which}) must be Nx4 boxes, not "
                                       f"shape {objs.shape}")
        return "box", objs.astype(np.float64)
    if type(objs) is list:
        if all(len(o) == 4 and (type(o) is list or isinstance(o, np.ndarray))
               if hasattr(o, "__len__") else False for o in objs):
            return "box", np.array(objs, dtype=np.float64).reshape(len(objs), 4)
        if all(type(o) is dict for o in objs):
            return "rle", [_parse_str(o) for o in objs]
        raise InvalidArgumentError(f"iou: a list ({which}) must hold boxes (Nx4) or RLE dicts, "
                                   "not a mix")
    raise TypeError(f"iou: {which} must be a list of RLE dicts, a list of boxes or an Nx4 "
                    f"array, not {type(objs).__name__}")


def iou(dt, gt, pyiscrowd):
    """IoU of every detection with every ground truth: an ``m x n`` float64
    array (``[]`` when either is empty).  dt and gt are both RLE lists or
    both boxes; ``pyiscrowd`` has one flag per gt (a crowd gt divides by
    the detection's area).  RLEs of different sizes whose boxes overlap
    give -1, as in pycocotools."""
    dk, dv = _iou_operand(dt, "dt")
    gk, gv = _iou_operand(gt, "gt")
    crowd = np.array(pyiscrowd, dtype=np.uint8)
    if crowd.ndim != 1 or crowd.shape[0] != len(gv):
        raise InvalidArgumentError(f"iou: iscrowd has {crowd.size} values for {len(gv)} "
                                   "ground truths; it must have one per gt")
    # as pycocotools: an empty side gives [] before the kinds are compared
    # (an empty list reads as boxes and as RLEs alike)
    if len(dv) == 0 or len(gv) == 0:
        return []
    if dk != gk:
        raise InvalidArgumentError("iou: dt and gt must be of one kind: both RLEs or both "
                                   "boxes (lists or Nx4 arrays)")
    if dk == "box":
        out = ll.mask_box_iou(dv, gv, crowd)
    else:
        out = ll.mask_string_iou(dv, gv, crowd)
    return np.asfortranarray(out)


def _polygon(p, h: int, w: int) -> dict:
    xy = np.array(p, dtype=np.float64).reshape(-1)
    return _rle_dict(ll.mask_from_polygon(xy, h, w), h, w)


def _boxes(bb, h: int, w: int) -> list:
    bb = np.asarray(bb, dtype=np.float64)
    if bb.ndim != 2 or bb.shape[1] != 4:
        raise InvalidArgumentError(f"frPyObjects: boxes must be Nx4, not shape {bb.shape}")
    return [_rle_dict(ll.mask_from_bbox(b, h, w), h, w) for b in bb]


def _uncompressed(obj) -> dict:
    size, counts = obj["size"], obj["counts"]
    if isinstance(counts, (str, bytes, bytearray)):
        c, h, w = _parse(obj)
        return _rle_dict(c, h, w)
    h, w = _dim(size[0], "RLE height"), _dim(size[1], "RLE width")
    return _rle_dict(np.array(counts, dtype=np.uint32).reshape(-1), h, w)


def _is_rle(obj) -> bool:
    return type(obj) is dict and "counts" in obj and "size" in obj


def frPyObjects(pyobj, h, w):
    """Polygons, boxes or uncompressed RLEs to compressed RLE dicts of an
    ``h x w`` image: an ``Nx4`` array or list of boxes gives a list, a list
    of polygons (flat ``[x0, y0, x1, y1, ...]`` lists) a list (one RLE per
    polygon), a single polygon one dict, a list of RLE dicts a list, one
    RLE dict one dict."""
    h, w = _dim(h, "h"), _dim(w, "w")
    if isinstance(pyobj, np.ndarray):
        return _boxes(pyobj, h, w)
    if type(pyobj) is list:
        first = pyobj[0]  # IndexError on [], as pycocotools
        if hasattr(first, "__len__") and not isinstance(first, (str, bytes, dict)):
            if len(first) == 4:
                return _boxes(pyobj, h, w)
            if len(first) > 4:
                return [_polygon(p, h, w) for p in pyobj]
        if _is_rle(first):
            return [_uncompressed(o) for o in pyobj]
        if not hasattr(first, "__len__") and len(pyobj) > 4:
            return _polygon(pyobj, h, w)
    elif _is_rle(pyobj):
        return _uncompressed(pyobj)
    raise TypeError("frPyObjects: input type is not supported (polygons, boxes or RLE dicts)")
