"""Shared helpers of the parity tests: fixture loading, running vernier, exact comparison.

"Equal" means bit for bit: two float64 arrays are equal when they have the
same shape and every element has the same 64-bit pattern (so ``0.0`` vs
``-0.0`` or a 1-ulp difference is a failure; NaN matches only the identical
NaN).  No tolerance is used anywhere.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPECTED_FILE = FIXTURES / "expected_pycocotools.json"

STATS_NAMES = ("AP", "AP50", "AP75", "APs", "APm", "APl",
               "AR1", "AR10", "AR100", "ARs", "ARm", "ARl")
KEYPOINT_STATS_NAMES = ("AP", "AP50", "AP75", "APm", "APl",
                        "AR", "AR50", "AR75", "ARm", "ARl")
PRECISION_AXES = ("t", "r", "k", "a", "m")   # T x R x K x A x M
RECALL_AXES = ("t", "k", "a", "m")           # T x K x A x M


# ---------------------------------------------------------------------------
# Fixtures on disk
# ---------------------------------------------------------------------------

def expected_pairs(iou_type: str) -> list[dict]:
    """The entries of expected_pycocotools.json for one iouType, in file order."""
    with open(EXPECTED_FILE, encoding="utf-8") as f:
        pairs = json.load(f)["pairs"]
    return [p for p in pairs if p["iouType"] == iou_type]


def pair_id(entry: dict) -> str:
    """A readable pytest id: 'gt-path|dt-path' shortened to the distinguishing parts."""
    gt = entry["gt"].removesuffix(".json")
    dt = entry["dt"]
    if dt == entry["gt"] + "#detections":
        return gt
    return f"{gt}|{dt.removesuffix('.json')}"


def load_pair(entry: dict) -> tuple[bytes, bytes]:
    """(GT JSON bytes, results JSON bytes) of a pair.

    Ordinary pairs are the files' raw bytes (so vernier's parser sees exactly
    what is on disk).  A ``file#detections`` pair is a single hotcoco file:
    the GT is the file without ``detections`` and the results are that list,
    each re-serialised with ``json.dumps`` (floats keep their exact value:
    Python writes the shortest repr that reads back to the same double).
    """
    if entry["dt"].endswith("#detections"):
        whole = json.loads((FIXTURES / entry["gt"]).read_bytes())
        dets = whole.pop("detections")
        return json.dumps(whole).encode(), json.dumps(dets).encode()
    return (FIXTURES / entry["gt"]).read_bytes(), (FIXTURES / entry["dt"]).read_bytes()


# ---------------------------------------------------------------------------
# Generated workloads
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _built(builder, args: tuple, knobs: tuple):
    return builder(*args, **dict(knobs))


def cached_workload(builder, *args, **knobs):
    """``builder(*args, **knobs)`` (a ``parity.generate`` builder: same seed, same
    workload) built once per session; every call gets its own deep copy, so a
    test may change what it gets.  For workloads several tests share; not for
    the val2017-scale ones (too large to keep)."""
    return copy.deepcopy(_built(builder, args, tuple(sorted(knobs.items()))))


# ---------------------------------------------------------------------------
# vernier
# ---------------------------------------------------------------------------

def vernier_iou(iou: str = "bbox", dilation_ratio: float = 0.02, sigmas=None):
    """The vernier IoU kernel object: "bbox" -> Bbox(), "segm" -> Segm(),
    "boundary" -> Boundary(dilation_ratio), "keypoints" -> Keypoints(sigmas)
    (``sigmas``: None for COCO's, else a mapping category id -> sigmas)."""
    from vernier.instance import Bbox, Boundary, Keypoints, Segm   # imported late: see conftest.vernier

    if iou == "bbox":
        return Bbox()
    if iou == "segm":
        return Segm()
    if iou == "boundary":
        return Boundary(dilation_ratio=dilation_ratio)
    if iou == "keypoints":
        return Keypoints() if sigmas is None else Keypoints(sigmas=sigmas)
    raise ValueError(f"unknown iou kind {iou!r}")


def run_vernier(gt, dt, *, max_dets=None, use_cats: bool = True, iou: str = "bbox",
                dilation_ratio: float = 0.02, sigmas=None, iou_thresholds=None,
                recall_thresholds=None, area_ranges=None):
    """vernier strict-mode evaluation (the API under test); bbox unless ``iou`` says
    "segm", "boundary" (with ``dilation_ratio``) or "keypoints" (with ``sigmas``,
    a mapping category id -> sigmas, None for COCO's).  The grid arguments are
    passed through as given (None keeps the kernel's default)."""
    from vernier.instance import Evaluator   # imported late: see conftest.vernier

    ev = Evaluator(iou=vernier_iou(iou, dilation_ratio, sigmas), parity_mode="strict",
                   max_dets=None if max_dets is None else tuple(max_dets),
                   use_cats=use_cats,
                   iou_thresholds=None if iou_thresholds is None else tuple(iou_thresholds),
                   recall_thresholds=None if recall_thresholds is None else tuple(recall_thresholds),
                   area_ranges=None if area_ranges is None else tuple(area_ranges))
    return ev.evaluate(gt, dt)


def evaluate_in_mode(gt, dt, mode: str, iou: str = "bbox", *, sigmas=None, max_dets=None,
                     use_cats: bool = True, iou_thresholds=None, recall_thresholds=None,
                     area_ranges=None, dt_as_list: bool = False):
    """vernier in parity mode ``mode`` ("strict" or "corrected") on JSON-serialisable
    ``gt``/``dt``: ``gt`` passed as JSON bytes, ``dt`` as JSON bytes (or the list
    itself with ``dt_as_list``).  The kernel is :func:`vernier_iou` (``iou``,
    ``sigmas``); the grid arguments are passed through (None keeps the default).

    Not :func:`run_vernier`: ``--negative-control`` swaps a broken evaluator into
    ``run_vernier`` only, and the tests of the two modes keep the real one."""
    from vernier.instance import Evaluator   # imported late: see conftest.vernier

    ev = Evaluator(iou=vernier_iou(iou, sigmas=sigmas), parity_mode=mode,
                   max_dets=None if max_dets is None else tuple(max_dets), use_cats=use_cats,
                   iou_thresholds=iou_thresholds, recall_thresholds=recall_thresholds,
                   area_ranges=area_ranges)
    return ev.evaluate(json.dumps(gt).encode(), dt if dt_as_list else json.dumps(dt).encode())


def as_dataset(gt_bytes: bytes):
    from vernier.instance import CocoDataset

    return CocoDataset.from_json(gt_bytes)


def vernier_inputs(gt_bytes: bytes, dt_bytes: bytes, form: str):
    """The same GT/results in one of the input forms vernier accepts.

    form: "bytes/bytes", "dataset/list", "bytes/list" or "dataset/bytes"
    (GT as JSON bytes or a CocoDataset; results as JSON bytes or a list of
    dicts parsed by ``json.loads``).
    """
    gt_form, dt_form = form.split("/")
    gt = gt_bytes if gt_form == "bytes" else as_dataset(gt_bytes)
    dt = dt_bytes if dt_form == "bytes" else json.loads(dt_bytes)
    return gt, dt


# ---------------------------------------------------------------------------
# Exact comparison
# ---------------------------------------------------------------------------

def _describe(x) -> str:
    x = float(x)
    return f"{x!r} ({x.hex()})"


def array_difference(name: str, actual, expected, axes=None) -> str | None:
    """None if ``actual`` is bit-identical to ``expected``, else a description
    of the mismatch: dtype/shape, or how many cells differ and the first one."""
    if not isinstance(actual, np.ndarray):
        return f"{name}: vernier returned {type(actual).__name__}, expected numpy.ndarray"
    if actual.dtype != np.float64:
        return f"{name}: dtype {actual.dtype}, expected float64"
    if actual.shape != expected.shape:
        return f"{name}: shape {actual.shape}, pycocotools {expected.shape}"
    a_bits = np.ascontiguousarray(actual).view(np.uint64)
    e_bits = np.ascontiguousarray(expected, dtype=np.float64).view(np.uint64)
    same_values = np.array_equal(actual, expected, equal_nan=True)
    if same_values and np.array_equal(a_bits, e_bits):
        return None
    bad = np.argwhere(a_bits != e_bits)
    first = tuple(int(i) for i in bad[0])
    where = ", ".join(f"{ax}={i}" for ax, i in zip(axes, first)) if axes else str(first)
    return (f"{name}: {len(bad)} of {actual.size} cells differ; first at [{where}]: "
            f"vernier {_describe(actual[first])} != pycocotools {_describe(expected[first])}")


def stats_difference(actual, expected, names=None) -> str | None:
    """Compare the summary stats (a list of floats from vernier) bit for bit.

    ``names`` labels the values in the message; by default the bbox/segm
    names for 12 stats and the keypoint names for 10."""
    try:
        got = np.array([float(v) for v in actual], dtype=np.float64)
    except TypeError as exc:
        return f"stats: not a sequence of floats ({exc})"
    expected = np.asarray(expected, dtype=np.float64)
    if names is None:
        names = KEYPOINT_STATS_NAMES if len(expected) == len(KEYPOINT_STATS_NAMES) else STATS_NAMES
    if got.shape != expected.shape:
        return f"stats: {len(got)} values, pycocotools has {len(expected)}"
    diffs = [f"{names[i]}: vernier {_describe(got[i])} != pycocotools {_describe(expected[i])}"
             for i in range(len(got))
             if got[i:i + 1].view(np.uint64)[0] != expected[i:i + 1].view(np.uint64)[0]]
    return None if not diffs else "stats differ: " + "; ".join(diffs)


def lines_difference(actual, expected) -> str | None:
    actual = list(actual)
    if actual == expected:
        return None
    if len(actual) != len(expected):
        return f"pretty_lines: {len(actual)} lines, pycocotools printed {len(expected)}"
    i = next(i for i, (a, e) in enumerate(zip(actual, expected)) if a != e)
    return f"pretty_lines[{i}]: vernier {actual[i]!r} != pycocotools {expected[i]!r}"


def assert_matches_oracle(summary, ref, label: str = "") -> None:
    """Assert that a vernier summary equals a pycocotools OracleResult, bit for bit:
    stats, precision, recall, scores and the printed summary lines."""
    problems = [
        stats_difference(summary.stats, ref.stats),
        array_difference("precision", summary.precision, ref.precision, PRECISION_AXES),
        array_difference("recall", summary.recall, ref.recall, RECALL_AXES),
        array_difference("scores", summary.scores, ref.scores, PRECISION_AXES),
        lines_difference(summary.pretty_lines(), ref.lines),
    ]
    problems = [p for p in problems if p]
    if problems:
        raise AssertionError((f"[{label}] " if label else "") + "vernier differs from pycocotools:\n  "
                             + "\n  ".join(problems))


def summary_difference(a, b) -> str | None:
    """None when two vernier summaries are bit-identical (stats, precision,
    recall, scores and the printed lines), else what differs."""
    problems = [
        stats_difference(a.stats, np.asarray(b.stats, dtype=np.float64)),
        array_difference("precision", a.precision, b.precision, PRECISION_AXES),
        array_difference("recall", a.recall, b.recall, RECALL_AXES),
        array_difference("scores", a.scores, b.scores, PRECISION_AXES),
        lines_difference(a.pretty_lines(), b.pretty_lines()),
    ]
    problems = [p for p in problems if p]
    return "\n  ".join(problems) if problems else None


def assert_same_summary(a, b, label: str) -> None:
    """Assert that two vernier summaries are bit-identical (:func:`summary_difference`)."""
    diff = summary_difference(a, b)
    assert diff is None, f"[{label}] the two evaluations differ:\n  {diff}"


def unique_scores(dt: list[dict]) -> list[dict]:
    """A copy of the results with every score replaced by a distinct one, same
    ranking (ties broken by list position): removes quirk A1 from a fixture."""
    out = copy.deepcopy(dt)
    order = sorted(range(len(out)), key=lambda i: (out[i]["score"], i))
    for rank, i in enumerate(order):
        out[i]["score"] = (rank + 1) / (len(out) + 1)
    return out


# ---------------------------------------------------------------------------
# Masks: pycocotools' own codec (the reference's rasteriser and encoder)
# ---------------------------------------------------------------------------

def mask_utils():
    """``pycocotools.mask``, imported when first needed."""
    from pycocotools import mask

    return mask


def compressed_rle(mask: np.ndarray) -> dict:
    """A binary mask as a JSON-ready compressed RLE (``size``, ``counts`` as str),
    encoded by pycocotools."""
    rle = mask_utils().encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode("ascii")}


def rect_mask(h: int, w: int, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """An h x w uint8 mask with ones in rows y0:y1, columns x0:x1."""
    m = np.zeros((h, w), np.uint8)
    m[y0:y1, x0:x1] = 1
    return m


# ---------------------------------------------------------------------------
# COCO's compressed RLE string codec (maskApi.c rleToString / rleFrString),
# restated so the tests can build and classify corrupt strings themselves.
# ---------------------------------------------------------------------------

RLE_ALPHABET = "".join(chr(48 + v) for v in range(64))      # '0' .. 'o'


def encode_counts(counts) -> str:
    """rleToString: each count minus the count two back (from index 3 on), in
    5-bit groups, low first; 0x20 = more groups follow, 0x10 on the last group
    = negative; each group + 48.  Any Python ints (negative and huge ones too)."""
    out = []
    for i, x in enumerate(counts):
        x = int(x)
        if i > 2:
            x -= int(counts[i - 2])
        more = True
        while more:
            c = x & 0x1F
            x >>= 5                                  # arithmetic shift, as on a C long
            more = (x != -1) if (c & 0x10) else (x != 0)
            if more:
                c |= 0x20
            out.append(chr(c + 48))
    return "".join(out)


def decode_counts(s: str, max_groups: int = 6) -> list[int] | None:
    """rleFrString for well-formed input: the run lengths, or None when the
    string is not a well-formed COCO counts string (a character outside
    '0'..'o', a number cut off at the end of the string, or a number of more
    than ``max_groups`` 5-bit groups -- cocoapi shifts those in a 32-bit int,
    so their value depends on the C compiler).  Run lengths may come out
    negative or above 2**32 - 1; :func:`rle_counts_valid` judges those."""
    counts: list[int] = []
    p, n = 0, len(s)
    while p < n:
        x, k, more = 0, 0, True
        while more:
            if p >= n or k >= max_groups:
                return None
            c = ord(s[p]) - 48
            if not 0 <= c <= 63:
                return None
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def rle_counts_valid(counts, h: int, w: int) -> bool:
    """True when run lengths describe an h x w mask exactly: every run a
    32-bit unsigned integer and their sum h * w (zero-length runs are fine)."""
    return (counts is not None
            and all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c < 2 ** 32 for c in counts)
            and sum(counts) == h * w)


# ---------------------------------------------------------------------------
# Keypoints
# ---------------------------------------------------------------------------

def keypoint_sigmas_for(gt_bytes: bytes, sigmas) -> dict | None:
    """vernier's ``Keypoints(sigmas=...)`` mapping for pycocotools' single
    ``kpt_oks_sigmas`` array: the same sigmas for every GT category (None
    when ``sigmas`` is None: COCO's)."""
    if sigmas is None:
        return None
    cats = json.loads(gt_bytes)["categories"]
    return {int(c["id"]): tuple(float(s) for s in sigmas) for c in cats}


def exp_agreement_note(per_set: int = 50_000) -> str:
    """One line for a failing keypoint comparison: does numpy's float64 exp
    (what pycocotools' computeOks calls) agree with libm's exp (what
    vernier's C kernel calls) on this machine?  ADR 0009."""
    from parity.measure_exp import argument_sets, libm_exp, measure

    exp_c = libm_exp()
    n = differ = 0
    for x in argument_sets(per_set).values():
        r = measure(x, exp_c)
        n += r["n"]
        differ += r["diff_17"]
    if differ == 0:
        return (f"np.exp and libm exp agree on all {n:,d} sampled arguments on this machine "
                "(ADR 0009): the difference is not explained by exp")
    return (f"np.exp differs from libm exp on {differ:,d} of {n:,d} sampled arguments on this "
            "machine (ADR 0009): check whether the differing cells come from OKS values "
            "1 ulp apart")


def assert_keypoints_match(summary, ref, label: str = "") -> None:
    """:func:`assert_matches_oracle` for keypoint evaluations; a failure also
    says whether numpy's exp agrees with libm's on this machine."""
    try:
        assert_matches_oracle(summary, ref, label=label)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n  {exp_agreement_note()}") from None
