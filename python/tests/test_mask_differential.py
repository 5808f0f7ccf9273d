"""Differential test of libvernier's mask kernels (rle.h) against pycocotools.

Random inputs from fixed seeds go through pycocotools 2.0.11 and through the
C driver build/tests/mask_driver (protocol at the top of
libvernier/tests/mask_driver.c), and the results must be identical:

* polygons -> RLE: the compressed strings of frPyObjects(polys, h, w), one
  per polygon, and of merge(frPyObjects(parts, h, w)) for multi-part
  objects, across families built to hit rleFrPoly's corners (convex,
  concave, self-intersecting, duplicate and collinear vertices, zero area,
  slivers, coordinates on the pixel/half-pixel/fifth-pixel grids where
  5x + .5 lands on integers, off-image on every side, negative and large
  coordinates, 1x1 to 1000x1000 images, 0- to 2-vertex and odd-length
  parts after a first real polygon);
* boxes -> RLE (frPyObjects of an N x 4 array);
* uncompressed counts -> string, string round trips;
* merge (union and intersection) of random masks, with size mismatches;
* iou (crowd and not, including masks of different sizes and RLEs with
  zero-length runs): the bits of each double against maskUtils.iou;
* toBbox (bits) and area of random masks.

The default run rasterises about 240,000 polygons; VN_MASKDIFF_SCALE (e.g.
5) multiplies every category.  The driver is run while pycocotools
computes, so the test uses two cores.
"""

import os
import struct
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest
from pycocotools import mask as maskUtils

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(os.environ.get("VN_MASK_DRIVER", ROOT / "build" / "tests" / "mask_driver"))
SCALE = float(os.environ.get("VN_MASKDIFF_SCALE", "1"))


def n_of(base):
    return max(1, int(base * SCALE))


# --------------------------------------------------------------------------
# the driver


class Driver:
    """Runs the driver on a list of command lines in a background thread."""

    def __init__(self, lines):
        if not DRIVER.exists():
            pytest.fail(f"{DRIVER} is missing: build it with `make` (or "
                        f"`make build/tests/mask_driver`) before running this test")
        self._input = ("\n".join(lines) + "\n").encode()
        self._n = len(lines)
        self._out = None
        self._err = None
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self):
        try:
            p = subprocess.run([str(DRIVER)], input=self._input, capture_output=True,
                               timeout=600)
            self._out = (p.returncode, p.stdout, p.stderr)
        except Exception as e:  # reported by result()
            self._err = e

    def result(self):
        self._thread.join()
        if self._err is not None:
            raise self._err
        rc, out, err = self._out
        assert rc == 0, f"mask_driver exited with {rc}: {err.decode(errors='replace')}"
        got = out.decode().split("\n")
        assert got[-1] == "" and len(got) == self._n + 1, "driver output has the wrong length"
        return got[:-1]


def fmt(values):
    return " ".join(repr(float(v)) for v in values)


def hexf(values):
    """A polyx token: the doubles' bits, big-endian, 16 hex digits each."""
    return np.asarray(values, np.float64).astype(">f8").tobytes().hex() or "-"


def s_tok(counts):
    s = counts.decode() if isinstance(counts, bytes) else counts
    return s if s else "-"


def hex_bits(x):
    return struct.pack(">d", float(x)).hex()


def compare(what, describe, want, got, limit=8):
    """describe(i) says what input i was (for the failure message)."""
    bad = [i for i in range(len(want)) if want[i] != got[i]]
    if bad:
        lines = [f"{what}: {len(bad)} of {len(want)} differ; first ones:"]
        for i in bad[:limit]:
            lines.append(f"  input: {describe(i)[:400]}\n    pycocotools: {want[i]}\n"
                         f"    vernier:     {got[i]}")
        pytest.fail("\n".join(lines))


# --------------------------------------------------------------------------
# polygon families: each returns a list of flat coordinate arrays


def pick_size(rng):
    r = rng.random()
    if r < 0.08:
        return int(rng.integers(1, 4)), int(rng.integers(1, 4))
    if r < 0.14:  # one row or one column
        n = int(rng.integers(1, 300))
        return (1, n) if rng.random() < 0.5 else (n, 1)
    if r < 0.6:
        return int(rng.integers(4, 48)), int(rng.integers(4, 48))
    if r < 0.9:
        return int(rng.integers(48, 400)), int(rng.integers(48, 400))
    return int(rng.integers(400, 1001)), int(rng.integers(400, 1001))


def _flat(a):
    return list(a.reshape(a.shape[0], -1))


def fam_uniform(rng, B, h, w):
    """Random vertices around the image: mostly self-intersecting."""
    k = int(rng.integers(3, 13))
    x = rng.uniform(-0.15 * w - 1, 1.15 * w + 1, (B, k))
    y = rng.uniform(-0.15 * h - 1, 1.15 * h + 1, (B, k))
    return _flat(np.stack([x, y], -1))


def _ring(rng, B, h, w, k, jitter):
    cx = rng.uniform(-0.1 * w, 1.1 * w, (B, 1))
    cy = rng.uniform(-0.1 * h, 1.1 * h, (B, 1))
    rx = rng.uniform(0.3, 0.7 * w + 1, (B, 1))
    ry = rng.uniform(0.3, 0.7 * h + 1, (B, 1))
    t = np.sort(rng.uniform(0, 2 * np.pi, (B, k)), axis=1)
    if rng.random() < 0.5:
        t = t[:, ::-1]  # either orientation
    r = 1.0 - jitter * rng.random((B, k))
    return np.stack([cx + rx * r * np.cos(t), cy + ry * r * np.sin(t)], -1)


def fam_convex(rng, B, h, w):
    return _flat(_ring(rng, B, h, w, int(rng.integers(3, 40)), 0.0))


def fam_star(rng, B, h, w):
    """Concave, star-shaped."""
    return _flat(_ring(rng, B, h, w, int(rng.integers(4, 60)), 0.8))


def fam_walk(rng, B, h, w):
    """COCO-like outlines: a long ring of small steps."""
    return _flat(_ring(rng, B, h, w, int(rng.integers(40, 200)), 0.15))


def quantise(rng, a):
    q = [1.0, 0.5, 0.2, 0.1, 0.25, 1 / 3, 0.01][int(rng.integers(0, 7))]
    off = [0.0, 0.0, -0.1, 0.1, 0.5][int(rng.integers(0, 5))]
    return np.round(a / q) * q + off


def fam_grid(rng, B, h, w):
    """Vertices on the pixel, half-pixel and fifth-pixel grids (5x + .5 on
    or next to integers: the truncating casts' edge cases)."""
    base = [fam_uniform, fam_convex, fam_star][int(rng.integers(0, 3))]
    return [quantise(rng, p) for p in base(rng, B, h, w)]


def fam_duplicates(rng, B, h, w):
    out = []
    for p in fam_convex(rng, B, h, w) + fam_uniform(rng, B // 2, h, w):
        v = list(p.reshape(-1, 2))
        for _ in range(int(rng.integers(1, 4))):
            i = int(rng.integers(0, len(v)))
            v.insert(i, v[i])  # repeat a vertex (maybe 0 == last)
        if rng.random() < 0.3:
            v.append(v[0])  # closed explicitly
        out.append(np.concatenate(v))
    return out[:B]


def fam_collinear(rng, B, h, w):
    """Zero area: every vertex on one line (axis-aligned or not)."""
    k = int(rng.integers(3, 8))
    p0 = np.stack([rng.uniform(-2, w + 2, (B, 1)), rng.uniform(-2, h + 2, (B, 1))], -1)
    d = rng.normal(size=(B, 1, 2))
    axis = rng.random(B) < 0.3
    d[axis, :, int(rng.integers(0, 2))] = 0.0
    t = rng.uniform(-max(h, w), max(h, w), (B, k, 1))
    a = p0 + t * d
    if rng.random() < 0.5:
        a = quantise(rng, a)
    return _flat(a)


def fam_sliver(rng, B, h, w):
    """Three-vertex slivers: two vertices close together or all three almost
    collinear."""
    a = rng.uniform(-1, 1, (B, 3, 2)) * np.array([w, h]) * 0.6 + np.array([w, h]) * 0.5
    eps = 10.0 ** rng.uniform(-6, 0, (B, 1))
    if rng.random() < 0.5:
        a[:, 2, :] = a[:, 1, :] + eps * rng.normal(size=(B, 2))
    else:
        a[:, 2, :] = (a[:, 0, :] + a[:, 1, :]) / 2 + eps * rng.normal(size=(B, 2))
    return _flat(a)


def fam_offimage(rng, B, h, w):
    """Partly or fully outside, on every side."""
    a = _ring(rng, B, h, w, int(rng.integers(3, 12)), 0.5)
    side = rng.integers(0, 4, B)
    far = rng.uniform(0.3, 2.5, B)
    shift = np.zeros((B, 2))
    shift[side == 0, 0] = -far[side == 0] * (w + 2)
    shift[side == 1, 0] = far[side == 1] * (w + 2)
    shift[side == 2, 1] = -far[side == 2] * (h + 2)
    shift[side == 3, 1] = far[side == 3] * (h + 2)
    return _flat(a + shift[:, None, :])


def fam_negative(rng, B, h, w):
    k = int(rng.integers(3, 10))
    a = rng.uniform(-40, 12, (B, k, 2))
    if rng.random() < 0.5:
        a = quantise(rng, a)
    return _flat(a)


def fam_large(rng, B, h, w):
    """Coordinates far outside the image (pycocotools walks them all)."""
    k = int(rng.integers(3, 6))
    span = 10.0 ** rng.uniform(2, 3.7)
    return _flat(rng.uniform(-span, span, (B, k, 2)))


def fam_rect(rng, B, h, w):
    """Axis-aligned rectangles (the loadRes box polygon), often on grids."""
    x = rng.uniform(-3, w + 3, B)
    y = rng.uniform(-3, h + 3, B)
    bw = rng.uniform(0, w / 2 + 1, B)
    bh = rng.uniform(0, h / 2 + 1, B)
    a = np.stack([x, y, x, y + bh, x + bw, y + bh, x + bw, y], -1).reshape(B, 4, 2)
    if rng.random() < 0.6:
        a = quantise(rng, a)
    return _flat(a)


FAMILIES = [
    (fam_uniform, 3), (fam_convex, 3), (fam_star, 2), (fam_walk, 1), (fam_grid, 4),
    (fam_duplicates, 2), (fam_collinear, 2), (fam_sliver, 2), (fam_offimage, 2),
    (fam_negative, 2), (fam_large, 0.15), (fam_rect, 2),
]


def short_parts(rng, n):
    """Parts of 0..5 values (0-2 vertices, odd lengths): pycocotools only
    reaches them after a first polygon of more than 4 values."""
    return [rng.uniform(-2, 12, int(rng.integers(0, 6))) for _ in range(n)]


def gen_poly_groups(seed, n_polys):
    """Groups (h, w, polys): one frPyObjects call each."""
    rng = np.random.default_rng(seed)
    fams = [f for f, _ in FAMILIES]
    weights = np.array([wt for _, wt in FAMILIES], float)
    weights /= weights.sum()
    groups, total = [], 0
    while total < n_polys:
        h, w = pick_size(rng)
        fam = fams[int(rng.choice(len(fams), p=weights))]
        B = 8 if fam is fam_large else 96
        polys = fam(rng, B, h, w)
        if rng.random() < 0.15:
            polys = polys[:1] + short_parts(rng, 6) + polys[1:]
        groups.append((h, w, polys))
        total += len(polys)
    return groups


# --------------------------------------------------------------------------
# tests


@pytest.mark.heavy
def test_polygons_and_boxes():
    groups = gen_poly_groups(20240611, n_of(200_000))
    rng = np.random.default_rng(7)
    # multi-part objects: merge(frPyObjects(parts))
    objects = []
    for _ in range(n_of(12_000)):
        h, w = pick_size(rng)
        parts = []
        for _ in range(int(rng.integers(2, 5))):
            fam = [fam_convex, fam_star, fam_uniform, fam_grid, fam_sliver,
                   fam_offimage][int(rng.integers(0, 6))]
            parts += fam(rng, 1, h, w)
        if rng.random() < 0.2:
            parts += short_parts(rng, int(rng.integers(1, 3)))
        objects.append((h, w, parts))
    # boxes: frPyObjects of an N x 4 array
    boxes = []
    for _ in range(n_of(300)):
        h, w = pick_size(rng)
        bb = np.stack([rng.uniform(-5, w + 5, 40), rng.uniform(-5, h + 5, 40),
                       rng.uniform(0, w, 40), rng.uniform(0, h, 40)], -1)
        if rng.random() < 0.5:
            bb = quantise(rng, bb)
        bb[rng.random(40) < 0.1, 2] = 0.0  # zero width
        boxes.append((h, w, bb))

    # the bulk goes as polyx (hex bits); one group in 50 as decimal text,
    # through strtod
    inputs, cases = [], []
    for gi, (h, w, polys) in enumerate(groups):
        for p in polys:
            cases.append(("poly", h, w, p))
            inputs.append(f"poly {h} {w} {fmt(p)}" if gi % 50 == 0 else
                          f"polyx {h} {w} {hexf(p)}")
    for h, w, parts in objects:
        cases.append(("merged parts", h, w, parts))
        inputs.append(f"polysx {h} {w} {len(parts)} " + " ".join(hexf(p) for p in parts))
    for h, w, bb in boxes:
        for b in bb:
            cases.append(("box", h, w, b))
            inputs.append(f"frbbox {h} {w} {fmt(b)}")
    lines = inputs
    drv = Driver(lines)

    want = []
    n_polys = 0
    for h, w, polys in groups:
        want += [r["counts"].decode() for r in maskUtils.frPyObjects(polys, h, w)]
        n_polys += len(polys)
    for h, w, parts in objects:
        want.append(maskUtils.merge(maskUtils.frPyObjects(parts, h, w))["counts"].decode())
        n_polys += len(parts)
    for h, w, bb in boxes:
        want += [r["counts"].decode() for r in maskUtils.frPyObjects(bb, h, w)]
    got = drv.result()
    assert n_polys >= n_of(200_000)

    def describe(i):
        what, h, w, p = cases[i]
        if what == "merged parts":
            return f"{what} h={h} w={w}: " + repr([q.tolist() for q in p])
        return f"{what} h={h} w={w}: {np.asarray(p).tolist()}"

    compare("polygon/box masks", describe, want, got)


def random_masks(rng, n, h, w):
    """Binary masks (h, w, n) of several textures: noise, blobs, stripes,
    empty, full, single pixels, first/last pixel set."""
    out = np.zeros((h, w, n), np.uint8)
    for i in range(n):
        kind = int(rng.integers(0, 8))
        if kind in (0, 3) and h * w > 40_000:
            kind = 2  # keep the strings short on big images
        if kind == 0:
            out[:, :, i] = rng.random((h, w)) < rng.uniform(0.05, 0.95)
        elif kind == 1:
            y0, x0 = rng.integers(0, h), rng.integers(0, w)
            out[y0:y0 + rng.integers(1, h + 1), x0:x0 + rng.integers(1, w + 1), i] = 1
        elif kind == 2:
            yy, xx = np.mgrid[:h, :w]
            cy, cx = rng.uniform(0, h), rng.uniform(0, w)
            r = rng.uniform(0.5, max(h, w))
            out[:, :, i] = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
        elif kind == 3:
            out[:, :, i] = (np.arange(h)[:, None] + np.arange(w)[None, :]) % \
                int(rng.integers(2, 7)) == 0
        elif kind == 4:
            pass  # empty
        elif kind == 5:
            out[:, :, i] = 1
        elif kind == 6:
            out[int(rng.integers(0, h)), int(rng.integers(0, w)), i] = 1
        else:
            out[0, 0, i] = rng.random() < 0.5
            out[-1, -1, i] = 1
            out[:, :, i] |= rng.random((h, w)) < 0.02
    return out


def encode(masks):
    return maskUtils.encode(np.asfortranarray(masks))


def zero_run_rles(rng, n, h, w):
    """Uncompressed RLEs with zero-length runs inside (valid sums), which
    pycocotools accepts and whose loops they can end early."""
    out = []
    for _ in range(n):
        total = h * w
        cuts = np.sort(rng.integers(0, total + 1, int(rng.integers(1, 8))))
        counts = list(np.diff(np.concatenate([[0], cuts, [total]])).astype(int))
        for _ in range(int(rng.integers(1, 3))):
            j = int(rng.integers(0, len(counts) + 1))
            counts[j:j] = [0, 0] if rng.random() < 0.5 else [0]
        out.append(maskUtils.frPyObjects([{"size": [h, w], "counts": [int(c) for c in counts]}],
                                         h, w)[0])
    return out


def pick_mask_size(rng):
    h, w = pick_size(rng)
    if h * w > 40_000 and rng.random() < 0.8:
        h, w = min(h, 200), min(w, 200)
    return h, w


def test_iou():
    rng = np.random.default_rng(11)
    inputs, cells = [], []
    for _ in range(n_of(900)):
        h, w = pick_mask_size(rng)
        D, G = int(rng.integers(1, 9)), int(rng.integers(1, 9))
        dts = encode(random_masks(rng, D, h, w))
        gts = encode(random_masks(rng, G, h, w))
        if rng.random() < 0.25:
            dts = dts + zero_run_rles(rng, 2, h, w)
            gts = gts + zero_run_rles(rng, 2, h, w)
        if rng.random() < 0.15:  # a GT of another size
            h2, w2 = pick_mask_size(rng)
            gts = gts + encode(random_masks(rng, 1, h2, w2))
        crowd = [int(c) for c in rng.random(len(gts)) < 0.35]
        cells.append((dts, gts, crowd))
        for g, gt in enumerate(gts):
            for dt in dts:
                inputs.append(f"iou {crowd[g]} {dt['size'][0]} {dt['size'][1]} "
                              f"{s_tok(dt['counts'])} {gt['size'][0]} {gt['size'][1]} "
                              f"{s_tok(gt['counts'])}")
    drv = Driver(inputs)
    want, masked = [], []
    for dts, gts, crowd in cells:
        o = np.asarray(maskUtils.iou(dts, gts, crowd))
        for g, gt in enumerate(gts):
            for d, dt in enumerate(dts):
                want.append(hex_bits(o[d, g]))
                # pycocotools' box prefilter answers 0 before its size check
                masked.append(list(dt["size"]) != list(gt["size"]) and o[d, g] == 0)
    got = drv.result()
    assert len(want) > 20_000 * min(1.0, SCALE)
    for i, m in enumerate(masked):
        if m:
            assert got[i] == hex_bits(-1.0), inputs[i]
            got[i] = want[i]
    compare("iou", inputs.__getitem__, want, got)


def test_merge_bbox_area_strings():
    rng = np.random.default_rng(13)
    inputs, want = [], []
    for _ in range(n_of(2500)):
        h, w = pick_mask_size(rng)
        n = int(rng.integers(1, 6))
        rles = encode(random_masks(rng, n, h, w))
        if rng.random() < 0.05:  # a mask of another size: pycocotools gives 0x0
            h2, w2 = pick_mask_size(rng)
            if (h2, w2) != (h, w):
                rles = rles + encode(random_masks(rng, 1, h2, w2))
        for inter in (0, 1):
            r = maskUtils.merge(rles, intersect=inter)
            inputs.append(f"merge {inter} {len(rles)} " + " ".join(
                f"{x['size'][0]} {x['size'][1]} {s_tok(x['counts'])}" for x in rles))
            if list(r["size"]) == [0, 0] and len(rles) > 1:
                want.append("ERR -7")  # vernier refuses what pycocotools empties
            else:
                want.append(f"{r['size'][0]} {r['size'][1]} {s_tok(r['counts'])}")
        bbs = maskUtils.toBbox(rles)
        areas = maskUtils.area(rles)
        for x, bb, a in zip(rles, bbs, areas):
            hh, ww = x["size"]
            s = s_tok(x["counts"])
            inputs.append(f"tobbox {hh} {ww} {s}")
            want.append(" ".join(hex_bits(v) for v in bb))
            inputs.append(f"area {hh} {ww} {s}")
            want.append(str(int(a)))
            inputs.append(f"rt {hh} {ww} {s}")
            want.append(s)
    # uncompressed counts -> compressed (frPyObjects), including zero runs
    # and counts of up to 2^30.  pycocotools' rleToString allocates 6 bytes
    # per count, but a count of 2^24 or more takes 6 characters and one of
    # 2^29 or more 7, plus the NUL (a heap overflow in maskApi.c), so large
    # counts appear at most at both ends, with runs of < 16 between them.
    for _ in range(n_of(3000)):
        h, w = pick_size(rng)
        total = h * w
        if rng.random() < 0.15:
            h, w = int(rng.integers(1000, 40000)), int(rng.integers(1000, 30000))
            total = h * w
            mid = [int(c) for c in rng.integers(0, 16, int(rng.integers(0, 8)))]
            first = int(rng.integers(0, total - sum(mid) + 1))
            counts = [first] + mid + [total - first - sum(mid)]
        else:
            cuts = np.sort(rng.integers(0, total + 1, int(rng.integers(0, 12))))
            counts = [int(c) for c in np.diff(np.concatenate([[0], cuts, [total]]))]
        r = maskUtils.frPyObjects([{"size": [h, w], "counts": counts}], h, w)[0]
        inputs.append(f"counts {h} {w} {len(counts)} " + " ".join(map(str, counts)))
        want.append(r["counts"].decode())
    got = Driver(inputs).result()
    compare("merge/toBbox/area/strings", inputs.__getitem__, want, got)
