"""vernier.mask against pycocotools.mask 2.0.11, function by function.

A differential test on seeded random inputs, generated in bulk with numpy
(more than 100,000 masks, polygons and boxes in all; the count is
asserted): every value vernier.mask returns must equal pycocotools'
exactly -- the same types, dtypes, shapes, dict layouts, counts bytes and
float bits.  The masks include empty ones, full ones, single pixels, masks
touching every border, odd sizes and 1-pixel-wide images, and bytes other
than 0 and 1 (pycocotools' encode starts a run at every change of value).
Then the argument rules and the errors on bad input.
"""
from __future__ import annotations

import numpy as np
import pytest
from pycocotools import mask as P

import vernier
from vernier import mask as V

# pycocotools 2.0.11's decode under NumPy 2 warns once per call
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")

SIZES = [(1, 1), (1, 7), (9, 1), (2, 2), (3, 5), (17, 13), (32, 32), (31, 47), (64, 1),
         (100, 80), (7, 200)]
PER_SIZE = 6000

N_POLYGONS = 2500
N_BOXES = 2000


def same_array(a, b):
    """Exact equality, float bits included, of two numpy arrays."""
    assert type(a) is type(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.flags.f_contiguous == b.flags.f_contiguous
    assert a.tobytes() == b.tobytes()


def same_rles(a, b):
    assert type(a) is type(b)
    if isinstance(a, dict):
        a, b = [a], [b]
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert list(x.keys()) == list(y.keys()) == ["size", "counts"]
        assert type(x["counts"]) is type(y["counts"]) is bytes
        assert [type(v) for v in x["size"]] == [type(v) for v in y["size"]]
    assert a == b


def mask_batch(rng, h, w, n):
    """n masks of h x w (Fortran order), cycling through the families."""
    m = np.zeros((h, w, n), dtype=np.uint8, order="F")
    fam = np.arange(n) % 7
    # 0: empty.  1: full.
    m[:, :, fam == 1] = 1
    # 2: one pixel
    idx = np.flatnonzero(fam == 2)
    m[rng.integers(0, h, idx.size), rng.integers(0, w, idx.size), idx] = 1
    # 3: noise of a random density per mask
    idx = np.flatnonzero(fam == 3)
    p = rng.random(idx.size)
    m[:, :, idx] = rng.random((h, w, idx.size)) < p
    # 4: a rectangle (possibly touching borders)
    idx = np.flatnonzero(fam == 4)
    y0, y1 = np.sort(rng.integers(0, h + 1, (2, idx.size)), axis=0)
    x0, x1 = np.sort(rng.integers(0, w + 1, (2, idx.size)), axis=0)
    yy = np.arange(h)[:, None, None]
    xx = np.arange(w)[None, :, None]
    m[:, :, idx] = (yy >= y0) & (yy < y1) & (xx >= x0) & (xx < x1)
    # 5: a frame touching every border, noise inside
    idx = np.flatnonzero(fam == 5)
    m[:, :, idx] = rng.random((h, w, idx.size)) < 0.3
    for sl in ((0, slice(None)), (-1, slice(None)), (slice(None), 0), (slice(None), -1)):
        m[sl + (idx,)] = 1
    # 6: bytes other than 0/1 (rare in practice; pycocotools' runs)
    idx = np.flatnonzero(fam == 6)
    m[:, :, idx] = rng.choice(np.array([0, 1, 2, 255], np.uint8), (h, w, idx.size),
                              p=[.5, .3, .1, .1])
    return np.asfortranarray(m)


def uncompressed_counts(mask2d):
    """Runs of the column-major 0/1 mask, starting with background."""
    flat = mask2d.reshape(-1, order="F").astype(np.int8)
    change = np.flatnonzero(np.diff(flat)) + 1
    runs = np.diff(np.concatenate(([0], change, [flat.size])))
    if flat.size and flat[0] == 1:
        runs = np.concatenate(([0], runs))
    return [int(v) for v in runs]


def test_masks_differential():
    rng = np.random.default_rng(15)
    for h, w in SIZES:
        m = mask_batch(rng, h, w, PER_SIZE)
        pr, vr = P.encode(m), V.encode(m)
        same_rles(pr, vr)
        same_rles(P.encode(np.asfortranarray(m[:, :, 5])), V.encode(np.asfortranarray(m[:, :, 5])))
        # binary masks only for the rest: decode gives 0/1
        binary = [i for i in range(PER_SIZE) if i % 7 != 6]
        rles = [pr[i] for i in binary]
        same_array(P.decode(rles), V.decode(rles))
        same_array(P.decode(rles[3]), V.decode(rles[3]))
        # pycocotools 2.0.11's area overflows a uint8 count at 256 RLEs
        # (OverflowError); vernier takes any number
        same_array(np.concatenate([P.area(rles[i:i + 255]) for i in range(0, len(rles), 255)]),
                   V.area(rles))
        assert type(V.area(rles[4])) is type(P.area(rles[4])) and V.area(rles[4]) == P.area(rles[4])
        same_array(P.toBbox(rles), V.toBbox(rles))
        same_array(P.toBbox(rles[2]), V.toBbox(rles[2]))
        # str counts are read like bytes
        srle = {"size": rles[5]["size"], "counts": rles[5]["counts"].decode()}
        same_array(P.decode(srle), V.decode(srle))
        # merge: groups of 1..5 masks, union and intersection
        for g in range(0, 600, 3):
            group = rles[g:g + 1 + g % 5]
            for inter in (0, 1):
                same_rles(P.merge(group, intersect=inter), V.merge(group, intersect=inter))
        # iou of masks, crowd and not
        dt, gt = rles[:60], rles[60:130]
        crowd = rng.integers(0, 2, len(gt))
        same_array(P.iou(dt, gt, crowd), V.iou(dt, gt, crowd))
        same_array(P.iou(dt, gt, list(crowd)), V.iou(dt, gt, list(crowd)))
        # uncompressed RLE dicts
        objs = [{"size": [h, w], "counts": uncompressed_counts(m[:, :, i])} for i in binary[:300]]
        same_rles(P.frPyObjects(objs, h, w), V.frPyObjects(objs, h, w))
        same_rles(P.frPyObjects(objs[7], h, w), V.frPyObjects(objs[7], h, w))
        assert V.frPyObjects(objs[:300], h, w) == [rles[i] for i in range(300)]


def test_iou_masks_of_different_sizes():
    rng = np.random.default_rng(16)
    a = P.encode(mask_batch(rng, 20, 30, 70))
    b = P.encode(mask_batch(rng, 30, 20, 70))
    crowd = rng.integers(0, 2, 70)
    same_array(P.iou(a, b, crowd), V.iou(a, b, crowd))
    assert (V.iou(a, b, crowd) == -1).any()
    same_rles(P.merge([a[1], b[1]]), V.merge([a[1], b[1]]))


def random_polygons(rng, h, w, n):
    polys = []
    for i in range(n):
        k = int(rng.integers(3, 13))
        fam = i % 4
        if fam == 0:    # anywhere, off-image on every side too
            xs = rng.uniform(-0.3 * w, 1.3 * w, k)
            ys = rng.uniform(-0.3 * h, 1.3 * h, k)
        elif fam == 1:  # on the half- and fifth-pixel grids
            xs = rng.integers(-2, 5 * w + 2, k) / rng.choice([2.0, 5.0])
            ys = rng.integers(-2, 5 * h + 2, k) / rng.choice([2.0, 5.0])
        elif fam == 2:  # inside
            xs = rng.uniform(0, w, k)
            ys = rng.uniform(0, h, k)
        else:           # a small blob around one point
            cx, cy = rng.uniform(0, w), rng.uniform(0, h)
            xs = cx + rng.normal(0, 1.5, k)
            ys = cy + rng.normal(0, 1.5, k)
        polys.append([float(v) for v in np.column_stack((xs, ys)).reshape(-1)])
    return polys


def test_polygons_differential():
    rng = np.random.default_rng(17)
    for h, w in SIZES + [(480, 640), (13, 11)]:
        polys = random_polygons(rng, h, w, N_POLYGONS)
        pr = P.frPyObjects(polys, h, w)
        same_rles(pr, V.frPyObjects(polys, h, w))
        # a single flat polygon (pycocotools 2.0.11 raises TypeError on it;
        # it means frPyObjects([poly])[0])
        same_rles(pr[0], V.frPyObjects(polys[0], h, w))
        # multi-part objects merged, as COCO.annToRLE does
        same_rles(P.merge(pr[:3]), V.merge(V.frPyObjects(polys[:3], h, w)))


def random_boxes(rng, h, w, n):
    b = np.empty((n, 4))
    b[:, 0] = rng.uniform(-0.2 * w, 1.1 * w, n)
    b[:, 1] = rng.uniform(-0.2 * h, 1.1 * h, n)
    b[:, 2] = rng.uniform(0, 0.8 * w, n)
    b[:, 3] = rng.uniform(0, 0.8 * h, n)
    grid = np.arange(n) % 3 == 0  # integer boxes
    b[grid] = np.round(b[grid])
    b[np.arange(n) % 11 == 0, 2] = 0  # degenerate
    return b


def test_boxes_differential():
    rng = np.random.default_rng(18)
    for h, w in SIZES + [(480, 640)]:
        bb = random_boxes(rng, h, w, N_BOXES)
        pr = P.frPyObjects(bb, h, w)
        same_rles(pr, V.frPyObjects(bb, h, w))
        # a list of boxes (pycocotools 2.0.11 wants a float64 ndarray)
        same_rles(pr[:50], V.frPyObjects([list(b) for b in bb[:50]], h, w))
        dt, gt = bb[:100], bb[100:180]
        crowd = rng.integers(0, 2, len(gt))
        same_array(P.iou(dt, gt, crowd), V.iou(dt, gt, crowd))
        same_array(P.iou([list(b) for b in dt], [list(b) for b in gt], crowd),
                   V.iou([list(b) for b in dt], [list(b) for b in gt], crowd))
        same_array(P.iou(list(dt), list(gt), crowd), V.iou(list(dt), list(gt), crowd))
        # box masks' IoU goes through the mask path
        same_array(P.iou(pr[:40], pr[40:90], crowd[:50]), V.iou(pr[:40], pr[40:90], crowd[:50]))


def test_differential_size():
    """The differential tests above cover at least 100,000 inputs."""
    masks = len(SIZES) * PER_SIZE
    polygons = (len(SIZES) + 2) * N_POLYGONS
    boxes = (len(SIZES) + 1) * N_BOXES
    assert masks + polygons + boxes >= 100_000


def test_empty_and_trivial_results():
    for mod in (P, V):
        assert mod.iou([], [], []) == []
        assert mod.iou([[1, 1, 2, 2]], [], []) == []
    same_rles(P.merge([]), V.merge([]))
    same_array(P.area([]), V.area([]))
    same_array(P.toBbox([]), V.toBbox([]))
    rle = P.encode(np.ones((3, 4), np.uint8, order="F"))
    same_rles(P.merge([rle]), V.merge([rle]))
    e = np.zeros((0, 3, 1), np.uint8, order="F")
    same_rles(P.encode(e), V.encode(e))
    e = np.zeros((2, 3, 0), np.uint8, order="F")
    assert P.encode(e) == V.encode(e) == []


def test_argument_errors():
    rle = V.encode(np.ones((3, 4), np.uint8, order="F"))
    box = [[0, 0, 2, 2]]
    with pytest.raises(vernier.InvalidArgumentError, match="one kind"):
        V.iou([rle], box, [0])
    with pytest.raises(vernier.InvalidArgumentError, match="one per gt"):
        V.iou([rle], [rle], [0, 1])
    with pytest.raises(vernier.InvalidArgumentError, match="one per gt"):
        V.iou(box, box, [])
    with pytest.raises(vernier.InvalidArgumentError, match="Nx4"):
        V.iou(np.zeros((2, 5)), np.zeros((2, 4)), [0, 0])
    with pytest.raises(vernier.InvalidArgumentError, match="boxes"):
        V.iou([[1, 2, 3, 4, 5]], box, [0])
    with pytest.raises(TypeError):
        V.iou(rle, [rle], [0])
    with pytest.raises(TypeError):
        V.iou(box, box, None)
    with pytest.raises(vernier.InvalidArgumentError, match="Fortran"):
        V.encode(np.zeros((3, 3, 2), np.uint8))
    with pytest.raises(vernier.InvalidArgumentError, match="uint8"):
        V.encode(np.zeros((3, 3, 1), np.float64, order="F"))
    with pytest.raises(TypeError):
        V.encode([[0, 1]])
    with pytest.raises(IndexError):
        V.frPyObjects([], 3, 3)
    with pytest.raises(TypeError, match="not supported"):
        V.frPyObjects([[1, 2, 3]], 3, 3)
    with pytest.raises(TypeError, match="not supported"):
        V.frPyObjects("abc", 3, 3)
    with pytest.raises(vernier.InvalidArgumentError):
        V.frPyObjects([[0, 0, 1, 1]], -1, 3)
    with pytest.raises(vernier.LimitError):
        V.frPyObjects([[0, 0, float("nan"), 1, 2, 2]], 3, 3)
    with pytest.raises(TypeError):
        V.merge(rle)


def test_rle_errors():
    good = V.encode(np.ones((3, 4), np.uint8, order="F"))
    bad_sum = {"size": [3, 3], "counts": good["counts"]}
    bad_chars = {"size": [3, 4], "counts": b"\x01\x02"}
    dangling = {"size": [3, 4], "counts": b"0P"}
    for bad in (bad_sum, bad_chars, dangling):
        for fn in (V.decode, V.area, V.toBbox):
            with pytest.raises(vernier.RLEError):
                fn(bad)
        with pytest.raises(vernier.RLEError):
            V.merge([good, bad])
        with pytest.raises(vernier.RLEError):
            V.iou([good], [bad], [0])
    with pytest.raises(vernier.RLEError, match="one size"):
        V.decode([good, V.encode(np.ones((4, 3), np.uint8, order="F"))])
    with pytest.raises(vernier.RLEError):
        V.decode({"counts": good["counts"]})
    with pytest.raises(TypeError, match="uncompressed"):
        V.decode({"size": [3, 4], "counts": [0, 12]})
    # compressed RLE dicts through frPyObjects come back as they are (bytes)
    assert V.frPyObjects({"size": [3, 4], "counts": good["counts"].decode()}, 3, 4) == good
    with pytest.raises(vernier.RLEError):
        V.frPyObjects([bad_sum], 3, 3)


def test_iou_with_an_empty_side_is_an_empty_list_whatever_the_other_kind():
    import pycocotools.mask as pm
    import vernier.mask as vm
    r = pm.encode(np.asfortranarray(np.ones((4, 4), np.uint8)))
    for dt, gt, crowd in (([r], [], []), ([], [r], [0]), ([], [[0, 0, 1, 1]], [1])):
        assert vm.iou(dt, gt, crowd) == pm.iou(dt, gt, crowd) == []
    with pytest.raises(AssertionError):
        pm.iou([], [r], [0, 1])
    with pytest.raises(vernier.InvalidArgumentError):
        vm.iou([], [r], [0, 1])


def test_encode_takes_bool_masks_as_pycocotools_does():
    rng = np.random.default_rng(7)
    for shape in ((5, 7), (5, 7, 3), (1, 1, 1)):
        m = np.asfortranarray(rng.random(shape) < 0.4)
        assert V.encode(m) == P.encode(m)
    with pytest.raises(ValueError):
        P.encode(np.asfortranarray(np.zeros((2, 2, 1), np.int8)))
    with pytest.raises(ValueError):
        V.encode(np.asfortranarray(np.zeros((2, 2, 1), np.int8)))
