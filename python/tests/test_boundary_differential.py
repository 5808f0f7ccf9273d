"""Differential test of libvernier's Boundary IoU bands against the reference.

Masks are generated from fixed seeds, sent through the C driver
build/tests/boundary_driver (one request per line, one answer per line) and
compared with parity/boundary_oracle.py, which re-states boundary-iou-api's
mask_to_boundary (cv2.copyMakeBorder + cv2.erode) and encodes the band with
pycocotools.  The band's compressed counts string must be identical, byte for
byte; the erosion depth ``d`` must be identical for every (ratio, h, w).

Set VN_BOUNDARY_DRIVER to test another build of the driver (e.g. a sanitizer
build) and VN_BOUNDARY_SCALE to multiply the number of generated masks.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402  (opencv-python-headless: a test dependency, never skipped)
from pycocotools import mask as mask_utils  # noqa: E402

from parity import boundary_oracle as bo  # noqa: E402

DRIVER = Path(os.environ.get("VN_BOUNDARY_DRIVER", ROOT / "build" / "tests" / "boundary_driver"))
SCALE = float(os.environ.get("VN_BOUNDARY_SCALE", "1"))

# pycocotools 2.0.11's decode under NumPy 2 warns once per call
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")


def n_of(base):
    return max(1, int(base * SCALE))


def run_driver(lines):
    """Sends request lines to the driver, returns its answer lines."""
    assert DRIVER.exists(), (f"{DRIVER} is missing: build it with "
                             "`make build/tests/boundary_driver`")
    proc = subprocess.run([str(DRIVER)], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"driver exited with {proc.returncode}: {proc.stderr[-2000:]}"
    out = proc.stdout.split("\n")
    assert out[-1] == ""
    out = out[:-1]
    assert len(out) == len(lines)
    return out


# --------------------------------------------------------------------------
# mask generators (all return C-contiguous uint8 0/1 arrays of shape (h, w))


def _size(rng, small=False):
    if small:
        return int(rng.integers(1, 33)), int(rng.integers(1, 33))
    kind = rng.integers(0, 4)
    if kind == 0:
        return 480, 640
    if kind == 1:
        return int(rng.integers(200, 481)), int(rng.integers(200, 641))
    return int(rng.integers(1, 161)), int(rng.integers(1, 161))


def gen_polygon(rng, h, w):
    """One to three random polygons rasterised by pycocotools (as a COCO
    polygon annotation becomes a mask), vertices sometimes outside the image."""
    polys = []
    for _ in range(int(rng.integers(1, 4))):
        k = int(rng.integers(3, 16))
        cx, cy = rng.uniform(-0.1, 1.1) * w, rng.uniform(-0.1, 1.1) * h
        r = rng.uniform(0.5, 0.7 * max(h, w))
        ang = np.sort(rng.uniform(0, 2 * np.pi, k))
        rad = r * rng.uniform(0.3, 1.0, k)
        xs = cx + rad * np.cos(ang)
        ys = cy + rad * np.sin(ang)
        polys.append([float(v) for xy in zip(xs, ys) for v in xy])
    rle = mask_utils.merge(mask_utils.frPyObjects(polys, h, w))
    return np.ascontiguousarray(mask_utils.decode(rle))


def gen_blob(rng, h, w):
    """Thresholded smoothed noise: irregular blobs with holes."""
    noise = rng.random((h, w)).astype(np.float32)
    k = int(rng.integers(0, 6)) * 2 + 1
    if k > 1:
        noise = cv2.GaussianBlur(noise, (k, k), 0)
    return (noise > rng.uniform(0.3, 0.7)).astype(np.uint8)


def gen_ellipses(rng, h, w):
    m = np.zeros((h, w), np.uint8)
    for _ in range(int(rng.integers(1, 5))):
        c = (int(rng.integers(-w // 4, w + w // 4 + 1)), int(rng.integers(-h // 4, h + h // 4 + 1)))
        ax = (int(rng.integers(0, max(1, w // 2) + 1)), int(rng.integers(0, max(1, h // 2) + 1)))
        cv2.ellipse(m, c, ax, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    return m


def gen_edges(rng, h, w):
    """Rectangles flush with the image's edges: every side, corners, frames."""
    m = np.zeros((h, w), np.uint8)
    kind = rng.integers(0, 5)
    if kind == 0:      # a band along one or more edges
        t = int(rng.integers(1, max(1, min(h, w)) + 1))
        for side in range(4):
            if rng.random() < 0.6:
                if side == 0:
                    m[:t, :] = 1
                elif side == 1:
                    m[-t:, :] = 1
                elif side == 2:
                    m[:, :t] = 1
                else:
                    m[:, -t:] = 1
    elif kind == 1:    # a box clipped by the image
        y0, x0 = int(rng.integers(0, h)), int(rng.integers(0, w))
        m[y0:, x0:] = 1 if rng.random() < 0.5 else 0
        m[:y0 + 1, :x0 + 1] = 1
    elif kind == 2:    # full minus a random hole
        m[:] = 1
        y0, x0 = int(rng.integers(0, h)), int(rng.integers(0, w))
        m[y0:y0 + int(rng.integers(0, h + 1)), x0:x0 + int(rng.integers(0, w + 1))] = 0
    elif kind == 3:    # full rows / full columns
        m[rng.random(h) < 0.3, :] = 1
        m[:, rng.random(w) < 0.3] = 1
    else:              # checkerboard-ish stripes
        p = int(rng.integers(1, 5))
        yy, xx = np.mgrid[0:h, 0:w]
        m = (((yy // p) + (xx // p)) % 2).astype(np.uint8)
    return m


def gen_lines(rng, h, w):
    """One-pixel-wide lines (diagonal, horizontal, vertical) and dots."""
    m = np.zeros((h, w), np.uint8)
    for _ in range(int(rng.integers(1, 6))):
        p0 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        kind = rng.integers(0, 3)
        if kind == 1:
            p1 = (p1[0], p0[1])
        elif kind == 2:
            p1 = (p0[0], p1[1])
        cv2.line(m, p0, p1, 1, 1)
    return m


def gen_noise(rng, h, w):
    return (rng.random((h, w)) < rng.random()).astype(np.uint8)


def gen_comb(rng, h, w):
    """Columns that are full, combs (teeth cut by 1-pixel gaps, a random
    period per column) or sparse noise: neighbouring columns intersect into
    many intervals."""
    kind = rng.integers(0, 3, w)
    period = rng.integers(2, 2 * int(rng.integers(1, 12)) + 2, w)
    phase = rng.integers(0, 1 << 20, w)
    yy = np.arange(h)[:, None]
    comb = ((yy + phase[None, :]) % period[None, :]) != 0
    noise = rng.random((h, w)) >= 0.1
    m = np.where(kind[None, :] == 1, comb, np.where(kind[None, :] == 2, noise, True))
    return m.astype(np.uint8)


def gen_full(rng, h, w):
    return np.ones((h, w), np.uint8)


def gen_empty(rng, h, w):
    return np.zeros((h, w), np.uint8)


GENERATORS = [
    (gen_polygon, 0.30), (gen_blob, 0.12), (gen_ellipses, 0.12), (gen_edges, 0.14),
    (gen_lines, 0.12), (gen_noise, 0.10), (gen_comb, 0.06), (gen_full, 0.04),
    (gen_empty, 0.04),
]


def _counts_str(rle):
    c = rle["counts"]
    return c.decode("ascii") if isinstance(c, bytes) else c


def _oracle_band(mask, d):
    return _counts_str(bo.encode_mask(bo.mask_to_boundary_d(mask, d)))


# --------------------------------------------------------------------------
# tests


def test_driver_exists():
    assert DRIVER.exists(), f"{DRIVER} is missing: build it with `make build/tests/boundary_driver`"


@pytest.mark.heavy
def test_band_matches_reference():
    """>= 20,000 masks: the C band must equal the OpenCV reference exactly."""
    rng = np.random.default_rng(20240613)
    gens = [g for g, _ in GENERATORS]
    probs = np.array([p for _, p in GENERATORS])
    probs /= probs.sum()
    lines, want, what = [], [], []
    n = n_of(21000)
    for i in range(n):
        g = gens[rng.choice(len(gens), p=probs)]
        h, w = _size(rng, small=rng.random() < 0.55)
        if rng.random() < 0.02:   # 1 x N and N x 1
            h, w = (1, w) if rng.random() < 0.5 else (h, 1)
        mask = g(rng, h, w)
        if rng.random() < 0.25:
            d = bo.dilation_of(h, w, float(rng.choice([0.005, 0.01, 0.02, 0.03, 0.05])))
        else:
            d = int(rng.integers(1, 21))
        s = _counts_str(bo.encode_mask(mask))
        lines.append(f"band {h} {w} {d} {s}")
        want.append(_oracle_band(mask, d))
        what.append((g.__name__, h, w, d))
    got = run_driver(lines)
    bad = [(what[i], lines[i][:200], want[i][:80], got[i][:80])
           for i in range(n) if got[i] != want[i]]
    assert not bad, f"{len(bad)} of {n} bands differ; first: {bad[:3]}"


def test_band_noncanonical_input():
    """Inputs with zero-length runs (valid pycocotools strings, e.g. from
    uncompressed counts) give the band of the decoded mask, canonically
    encoded -- what the reference's decode/erode/encode gives."""
    rng = np.random.default_rng(7)
    lines, want = [], []
    for _ in range(n_of(1500)):
        h, w = _size(rng, small=True)
        mask = [gen_ellipses, gen_noise, gen_comb][int(rng.integers(0, 3))](rng, h, w)
        cnts = [int(c) for c in _canonical_counts(mask)]
        noisy = []
        for c in cnts:
            if c >= 2 and rng.random() < 0.5:
                cut = int(rng.integers(1, c))
                noisy += [cut, 0, c - cut]
            else:
                noisy.append(c)
        if len(noisy) % 2 == 0 and rng.random() < 0.5:
            noisy.append(0)
        rle = mask_utils.frPyObjects({"counts": noisy, "size": [h, w]}, h, w)
        assert np.array_equal(mask_utils.decode(rle), mask)
        d = int(rng.integers(1, 8))
        lines.append(f"band {h} {w} {d} {_counts_str(rle)}")
        want.append(_oracle_band(mask, d))
    got = run_driver(lines)
    bad = [(lines[i], want[i], got[i]) for i in range(len(lines)) if got[i] != want[i]]
    assert not bad, f"{len(bad)} differ; first: {bad[:3]}"


def _canonical_counts(mask):
    """Uncompressed counts of a mask (column-major runs, background first)."""
    flat = np.asfortranarray(mask).ravel(order="F")
    if flat.size == 0:
        return [0]
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate(([0], change, [flat.size]))
    runs = np.diff(bounds).tolist()
    return ([0] + runs) if flat[0] == 1 else runs


def test_dilation_matches_reference():
    """d for many (ratio, h, w), including every exact .5 tie we can build."""
    rng = np.random.default_rng(99)
    cases = []
    for _ in range(n_of(20000)):
        h, w = int(rng.integers(0, 5000)), int(rng.integers(0, 5000))
        ratio = float(rng.choice([0.02, 0.01, 0.005, 0.03, 0.05, 0.1])) if rng.random() < 0.7 \
            else float(rng.uniform(0, 0.2))
        cases.append((ratio, h, w))
    # exact ties: Pythagorean sizes (diag integral) with ratio * diag = k + 0.5
    for a, b, c in [(3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29)]:
        for k in range(1, 120):
            for ratio in (0.02, 0.5, 0.1, 0.25, 1.5):
                cases.append((ratio, a * k, b * k))
                cases.append((ratio, b * k, a * k))
    cases += [(0.02, 480, 640), (0.02, 1, 1), (0.0, 10, 10), (-0.5, 10, 10), (0.02, 0, 0),
              (0.02, 65535, 65535), (0.02, 1, 4294967295), (1e-300, 3, 4)]
    lines = [f"dil {r!r} {h} {w}" for r, h, w in cases]
    got = run_driver(lines)
    want = [str(bo.dilation_of(h, w, r)) for r, h, w in cases]
    ties = sum(1 for r, h, w in cases
               if (r * np.sqrt(h ** 2 + w ** 2)) % 1 == 0.5)
    assert ties > 300, ties      # the tie cases really are ties
    bad = [(cases[i], want[i], got[i]) for i in range(len(cases)) if got[i] != want[i]]
    assert not bad, f"{len(bad)} differ; first: {bad[:5]}"


def test_band_with_reference_dilation():
    """The whole mask_to_boundary (ratio -> d -> band) on COCO-like sizes."""
    rng = np.random.default_rng(5)
    masks, lines = [], []
    for _ in range(n_of(300)):
        h, w = _size(rng)
        ratio = float(rng.choice([0.02, 0.01, 0.05]))
        mask = gen_polygon(rng, h, w)
        masks.append((mask, ratio))
        lines.append(f"dil {ratio!r} {h} {w}")
    ds = run_driver(lines)
    lines = [f"band {m.shape[0]} {m.shape[1]} {d} {_counts_str(bo.encode_mask(m))}"
             for (m, _), d in zip(masks, ds)]
    got = run_driver(lines)
    for (mask, ratio), g in zip(masks, got):
        assert g == _counts_str(bo.boundary_rle(bo.encode_mask(mask), ratio))


def test_driver_rejects_bad_input():
    got = run_driver(["band 2 2 1 3", "band 2 2 1 !!", "band x 2 1 0", "nonsense", "dil a 1 1",
                      "band 2 2 1 4"])
    assert got[:5] == ["ERR decode -7", "ERR decode -7", "ERR syntax", "ERR syntax",
                       "ERR syntax"]
    assert got[5] == _counts_str(bo.encode_mask(np.zeros((2, 2), np.uint8)))


# --------------------------------------------------------------------------
# the oracle itself: properties boundary-iou-api's definition implies


def test_oracle_boundary_properties():
    rng = np.random.default_rng(3)
    for _ in range(200):
        h, w = _size(rng, small=True)
        m = gen_ellipses(rng, h, w)
        d = int(rng.integers(1, 6))
        b = bo.mask_to_boundary_d(m, d)
        assert b.dtype == np.uint8 and set(np.unique(b)) <= {0, 1}
        assert np.all(b <= m)
        # brute force: a pixel is interior iff the (2d+1)^2 square around it
        # lies in the image and in the mask
        pad = np.zeros((h + 2 * d, w + 2 * d), np.uint8)
        pad[d:d + h, d:d + w] = m
        interior = np.ones((h, w), bool)
        for dy in range(2 * d + 1):
            for dx in range(2 * d + 1):
                interior &= pad[dy:dy + h, dx:dx + w] == 1
        assert np.array_equal(b, (m.astype(bool) & ~interior).astype(np.uint8))


def test_oracle_ious_crowd_and_min():
    h, w = 60, 80
    yy, xx = np.mgrid[0:h, 0:w]
    gt0 = ((yy - 30) ** 2 + (xx - 40) ** 2 < 20 ** 2).astype(np.uint8)
    gt1 = np.zeros((h, w), np.uint8)
    gt1[5:55, 10:70] = 1
    dt0 = ((yy - 31) ** 2 + (xx - 42) ** 2 < 19 ** 2).astype(np.uint8)
    dt1 = np.zeros((h, w), np.uint8)
    dt1[0:2, 0:2] = 1
    G = [bo.encode_mask(gt0), bo.encode_mask(gt1)]
    D = [bo.encode_mask(dt0), bo.encode_mask(dt1)]
    ious = bo.boundary_ious(D, G, [0, 1], 0.02)
    mask_iou = np.array(mask_utils.iou(D, G, [0, 1]))
    bD = [bo.boundary_rle(r, 0.02) for r in D]
    bG = [bo.boundary_rle(r, 0.02) for r in G]
    b_iou = np.array(mask_utils.iou(bD, bG, [0, 1]))
    assert ious.shape == (2, 2)
    assert ious[0, 0] == min(mask_iou[0, 0], b_iou[0, 0]) and b_iou[0, 0] < mask_iou[0, 0]
    assert ious[0, 1] == mask_iou[0, 1]          # crowd column: mask IoU only
    assert ious[1, 1] == mask_iou[1, 1]
    assert bo.boundary_ious([], G, [0, 1]).size == 0
    assert bo.boundary_ious(D, [], []).size == 0


def test_oracle_evaluate_boundary_runs():
    """Perfect detections give AP 1; a shifted one loses boundary AP first."""
    h, w = 100, 120
    yy, xx = np.mgrid[0:h, 0:w]
    disc = ((yy - 50) ** 2 + (xx - 60) ** 2 < 30 ** 2).astype(np.uint8)
    shifted = ((yy - 50) ** 2 + (xx - 64) ** 2 < 30 ** 2).astype(np.uint8)

    def seg(m):
        r = bo.encode_mask(m)
        return {"size": r["size"], "counts": _counts_str(r)}

    gt = {"images": [{"id": 1, "height": h, "width": w}],
          "categories": [{"id": 1, "name": "a"}],
          "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": seg(disc),
                           "area": float(disc.sum()), "bbox": [30, 20, 60, 60], "iscrowd": 0}]}
    perfect = bo.evaluate_boundary(gt, [{"image_id": 1, "category_id": 1, "segmentation": seg(disc),
                                         "score": 0.9}])
    assert math.isclose(perfect.stats[0], 1.0, rel_tol=1e-12)
    off = bo.evaluate_boundary(gt, [{"image_id": 1, "category_id": 1, "segmentation": seg(shifted),
                                     "score": 0.9}])
    iou = off.ious[1, 1][0, 0]
    assert iou < float(mask_utils.iou([seg(shifted)], [seg(disc)], [0])[0, 0])
    assert off.stats[1] == (1.0 if iou >= 0.5 else 0.0)
    empty = bo.evaluate_boundary(gt, [])
    assert empty.stats[0] == 0.0
    assert math.isclose(perfect.stats[8], 1.0, rel_tol=1e-12)


def test_oracle_keeps_gt_ignore_flag_like_the_fork():
    """boundary-iou-api's _prepare keeps a GT's own ``ignore`` flag (``ignore
    or iscrowd``); pycocotools 2.0.11 overwrites it with iscrowd.  The oracle
    follows the fork unless asked for 2.0.11's rule."""
    h, w = 50, 50
    m = np.zeros((h, w), np.uint8)
    m[10:40, 10:40] = 1
    r = bo.encode_mask(m)
    seg = {"size": r["size"], "counts": _counts_str(r)}
    gt = {"images": [{"id": 1, "height": h, "width": w}],
          "categories": [{"id": 1, "name": "a"}],
          "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": seg,
                           "area": 900.0, "bbox": [10, 10, 30, 30], "iscrowd": 0, "ignore": 1}]}
    dt = [{"image_id": 1, "category_id": 1, "segmentation": seg, "score": 0.5}]
    fork = bo.evaluate_boundary(gt, dt)
    coco = bo.evaluate_boundary(gt, dt, pycocotools_ignore=True)
    assert fork.stats[0] == -1.0                     # the only GT is ignored: no AP
    assert math.isclose(coco.stats[0], 1.0, rel_tol=1e-12)
