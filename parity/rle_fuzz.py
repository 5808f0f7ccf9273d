"""Random RLE counts in results: vernier must answer with a typed error or a
correct evaluation, and never crash.  Run in a child process by
``test_segm_corrupt.py`` (so a crash is reported, not fatal to the suite):

    python -m parity.rle_fuzz --seed 0 --count 2400 --progress FILE

Each case is a tiny ground truth (one 17 x 24 image: polygons and a crowd)
and four results; result 2 carries the fuzzed segmentation.  Cases
alternate between results without ``bbox`` (loadRes' segm branch: the
string's mask area is the detection area) and with ``bbox``.  The
segmentation is one of

* ``alphabet``   random characters from COCO's RLE alphabet '0'..'o';
* ``printable``  random printable ASCII;
* ``latin1``     random code points 0..255 (JSON escapes the non-ASCII ones);
* ``raw``        random bytes written straight into the JSON text (often
  not UTF-8, or control characters: the JSON reader's business);
* ``mutated``    a valid counts string with characters replaced, inserted,
  deleted, or cut off;
* ``valid``      a valid counts string of a random mask;
* ``uncompressed`` a random list of run lengths (with-bbox cases only:
  pycocotools reads uncompressed RLE results only in its bbox branch).

A case is *valid* when ``checks.decode_counts`` reads it and the runs cover
exactly 17 x 24 pixels (``checks.rle_counts_valid``).  Valid cases must
evaluate to exactly what pycocotools computes (run on the same case; safe,
since pycocotools only loops forever on runs that do not cover the image).
Invalid ones must raise a ``vernier.VernierError`` that is a ValueError;
RLEError / SchemaError must name result 2 (``[2]``).  Cases whose strings
hold numbers of more than six 5-bit groups (``checks.decode_counts`` None
with ``max_groups``; cocoapi's value for them depends on the compiler) are
*undecided*: any typed error or any evaluation passes.

Before each evaluation the case is written to ``--progress`` so that the
parent can name the input that crashed the process.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings

import numpy as np

H, W = 17, 24
FUZZED = 2                      # index of the fuzzed result


def _ground_truth() -> dict:
    from parity.generate import _uncompressed_counts

    crowd = np.zeros((H, W), np.uint8)
    crowd[2:9, 14:22] = 1
    return {
        "images": [{"id": 5, "width": W, "height": H, "file_name": "fuzz.jpg"}],
        "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}],
        "annotations": [
            {"id": 11, "image_id": 5, "category_id": 1, "iscrowd": 0, "area": 60.0,
             "bbox": [2.0, 3.0, 9.0, 10.0],
             "segmentation": [[2.0, 3.0, 11.0, 3.5, 10.5, 13.0, 6.0, 12.0, 2.5, 9.0]]},
            {"id": 12, "image_id": 5, "category_id": 2, "iscrowd": 0, "area": 30.0,
             "bbox": [12.0, 10.0, 10.0, 6.0],
             "segmentation": [[12.0, 10.0, 22.0, 11.0, 21.0, 16.0, 13.0, 15.5]]},
            {"id": 13, "image_id": 5, "category_id": 1, "iscrowd": 1, "area": float(crowd.sum()),
             "bbox": [14.0, 2.0, 8.0, 7.0],
             "segmentation": {"size": [H, W], "counts": _uncompressed_counts(crowd)}},
        ],
    }


def _mask_string(rng: np.random.Generator) -> str:
    """A valid counts string: half of the time the category-1 GT's own mask moved
    by up to a pixel and maybe grown (so the fuzzed result is often a true
    positive and moves the answer), otherwise a random rectangle, sometimes
    with salt noise."""
    from pycocotools import mask as mask_utils

    from parity.checks import encode_counts
    from parity.generate import _dilate, _shifted, _uncompressed_counts

    if rng.random() < 0.5:
        poly = _ground_truth()["annotations"][0]["segmentation"]
        m = mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(poly, H, W)))
        m = _shifted(m, int(rng.integers(-1, 2)), int(rng.integers(-1, 2)))
        if rng.random() < 0.3:
            m = _dilate(m, 1).astype(np.uint8)
    else:
        m = np.zeros((H, W), np.uint8)
        x0, y0 = int(rng.integers(0, 12)), int(rng.integers(0, 12))
        m[y0:y0 + int(rng.integers(0, 12)), x0:x0 + int(rng.integers(0, 14))] = 1
    if rng.random() < 0.3:
        m |= (rng.random((H, W)) < 0.1).astype(np.uint8)
    return encode_counts(_uncompressed_counts(m))


def _mutate(rng: np.random.Generator, s: str) -> str:
    from parity.checks import RLE_ALPHABET

    chars = list(s)
    for _ in range(int(rng.integers(1, 3))):
        op = int(rng.integers(4))
        i = int(rng.integers(0, len(chars) + 1))
        if op == 0 and chars:                                 # replace
            chars[min(i, len(chars) - 1)] = RLE_ALPHABET[int(rng.integers(64))]
        elif op == 1:                                         # insert
            chars.insert(i, RLE_ALPHABET[int(rng.integers(64))])
        elif op == 2 and chars:                               # delete
            del chars[min(i, len(chars) - 1)]
        else:                                                 # cut off
            chars = chars[:i]
    return "".join(chars)


def make_cases(seed: int, count: int) -> list[dict]:
    """``count`` fuzz cases: {"kind", "bbox", "seg"} with ``seg`` a str, a list
    of ints (uncompressed) or bytes (``raw``: spliced into the JSON text)."""
    from parity.checks import RLE_ALPHABET

    rng = np.random.default_rng(seed)
    kinds = ("alphabet", "printable", "latin1", "raw", "mutated", "valid", "uncompressed")
    weights = np.array((0.25, 0.15, 0.1, 0.1, 0.25, 0.05, 0.1))
    cases = []
    for i in range(count):
        kind = kinds[int(rng.choice(len(kinds), p=weights / weights.sum()))]
        with_bbox = bool(i % 2) or kind == "uncompressed"
        n = int(rng.integers(0, 14))
        if kind == "alphabet":
            seg = "".join(RLE_ALPHABET[int(v)] for v in rng.integers(0, 64, n))
        elif kind == "printable":
            seg = "".join(chr(int(v)) for v in rng.integers(32, 127, n))
        elif kind == "latin1":
            seg = "".join(chr(int(v)) for v in rng.integers(0, 256, n))
        elif kind == "raw":
            seg = bytes(int(v) for v in rng.integers(0, 256, n))
        elif kind == "mutated":
            seg = _mutate(rng, _mask_string(rng))
        elif kind == "valid":
            seg = _mask_string(rng)
        else:
            runs = rng.integers(0, 2 * H * W // max(n, 1) + 1, n).tolist()
            r = rng.random()
            if r < 0.35 and runs:
                runs[-1] = H * W - sum(runs[:-1])           # sums right (may go negative)
            elif r < 0.45 and runs:
                runs[int(rng.integers(len(runs)))] = -int(rng.integers(1, 100))
            elif r < 0.5 and runs:
                runs[int(rng.integers(len(runs)))] = 2 ** 32 + int(rng.integers(0, 5))
            seg = [int(v) for v in runs]
        cases.append({"kind": kind, "bbox": with_bbox, "seg": seg})
    return cases


def classify(case: dict) -> str:
    """"valid", "invalid" or "undecided" (see the module docstring)."""
    from parity.checks import decode_counts, rle_counts_valid

    seg = case["seg"]
    if isinstance(seg, list):
        return "valid" if rle_counts_valid(seg, H, W) else "invalid"
    if isinstance(seg, bytes):
        try:
            text = seg.decode("ascii")
        except UnicodeDecodeError:
            return "invalid"
        seg = text
        if any(c in '"\\' or ord(c) < 32 for c in seg):
            return "invalid"                     # not even a JSON string once spliced in
    counts = decode_counts(seg)
    if counts is None and decode_counts(seg, max_groups=10 ** 6) is not None:
        return "undecided"
    return "valid" if rle_counts_valid(counts, H, W) else "invalid"


def _result_json(case: dict) -> bytes:
    """The four results as JSON bytes, result FUZZED carrying the fuzzed segmentation."""
    from parity.checks import encode_counts
    from parity.generate import _uncompressed_counts

    body = []
    boxes = [[2.0, 3.0, 9.0, 10.0], [12.0, 10.0, 10.0, 6.0], [0.0, 0.0, 5.0, 5.0], [14.0, 2.0, 8.0, 7.0]]
    masks = ["", "", None, ""]
    for k, (x, y, w, h) in enumerate(boxes):
        if k == FUZZED:
            continue
        m = np.zeros((H, W), np.uint8)
        m[int(y):int(y + h), int(x):int(x + w)] = 1
        masks[k] = encode_counts(_uncompressed_counts(m))
    placeholder = "@@FUZZ@@"
    for k in range(4):
        r = {"image_id": 5, "category_id": 1 + k % 2, "score": [0.9, 0.8, 0.95, 0.3][k]}
        if case["bbox"]:
            r["bbox"] = boxes[k]
        if k == FUZZED:
            seg = case["seg"]
            if isinstance(seg, list):
                r["segmentation"] = {"size": [H, W], "counts": seg}
            elif isinstance(seg, bytes):
                r["segmentation"] = {"size": [H, W], "counts": placeholder}
            else:
                r["segmentation"] = {"size": [H, W], "counts": seg}
        else:
            r["segmentation"] = {"size": [H, W], "counts": masks[k]}
        body.append(r)
    text = json.dumps(body).encode("utf-8")
    if isinstance(case["seg"], bytes):
        text = text.replace(placeholder.encode(), case["seg"])
    return text


def run(seed: int, count: int, progress: str | None) -> dict:
    import vernier
    from vernier.instance import CocoDataset, Evaluator, Segm

    from parity.checks import assert_matches_oracle
    from parity.oracle import run_pycocotools

    warnings.simplefilter("ignore", DeprecationWarning)
    gt_bytes = json.dumps(_ground_truth()).encode()
    dataset = CocoDataset.from_json(gt_bytes)
    evaluator = Evaluator(iou=Segm(), parity_mode="strict")
    report = {"cases": 0, "by_class": {}, "by_outcome": {}, "failures": []}
    for i, case in enumerate(make_cases(seed, count)):
        cls = classify(case)
        dt_bytes = _result_json(case)
        if progress:
            with open(progress, "w", encoding="utf-8") as f:
                f.write(json.dumps({"case": i, "kind": case["kind"], "bbox": case["bbox"],
                                    "seg": case["seg"] if not isinstance(case["seg"], bytes)
                                    else case["seg"].hex()}))
        gt = dataset if i % 3 else gt_bytes
        try:
            summary = evaluator.evaluate(gt, dt_bytes)
            outcome = "evaluated"
        except vernier.VernierError as e:
            summary, outcome, err = None, type(e).__name__, e
        except Exception as e:               # an untyped error is a failure
            summary, outcome, err = None, f"untyped {type(e).__name__}", e
        report["cases"] += 1
        report["by_class"][cls] = report["by_class"].get(cls, 0) + 1
        key = f"{cls}->{outcome}"
        report["by_outcome"][key] = report["by_outcome"].get(key, 0) + 1
        where = {"case": i, "kind": case["kind"], "bbox": case["bbox"], "seg": repr(case["seg"])}
        if outcome.startswith("untyped"):
            report["failures"].append({**where, "problem": f"{outcome}: {err}"})
        elif cls == "valid":
            if summary is None:
                report["failures"].append({**where, "problem": f"valid RLE refused: {outcome}: {err}"})
            else:
                try:
                    ref = run_pycocotools(gt_bytes, dt_bytes, "segm")
                    assert_matches_oracle(summary, ref, label=f"fuzz case {i}")
                except AssertionError as e:
                    report["failures"].append({**where, "problem": str(e)})
        elif cls == "invalid":
            if summary is not None:
                report["failures"].append({**where, "problem": "malformed RLE accepted"})
            elif not isinstance(err, ValueError):
                report["failures"].append({**where, "problem": f"{outcome} is not a ValueError"})
            elif isinstance(err, (vernier.RLEError, vernier.SchemaError)) and f"[{FUZZED}]" not in str(err):
                report["failures"].append({**where, "problem": f"message does not name result [{FUZZED}]: {err}"})
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=2400)
    parser.add_argument("--progress", default=None)
    args = parser.parse_args(argv)
    report = run(args.seed, args.count, args.progress)
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
