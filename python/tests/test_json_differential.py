"""Differential test of vernier's JSON reader against Python's ``json``.

Thousands of documents -- small COCO ground truths and result lists written
with random number spellings, whitespace, escapes and unknown keys, then
mutated byte-wise -- go to both readers.  For each document:

* Python's ``json`` (on strict UTF-8 text) rejects it  ->  vernier rejects it
  with a typed error (usually ``JSONError``; the first problem in document
  order is reported, so a schema error in an object that closes before the
  syntax error comes first);
* Python accepts it  ->  vernier either refuses it with a typed error
  (never anything else; a ``JSONError`` only for the documented NaN/Infinity
  literals), or accepts it with the same numbers: a ground truth has the
  same digest (the SHA-256 of every parsed field) as Python's reading of it
  re-serialised, and a result list gives the same partial (scores and match
  outcomes of every detection) and the same statistics.

The documented differences (docs/reference/input-format.md, "Refused
input") are the typed refusals: NaN/Infinity, numbers overflowing a double,
repeated keys vernier reads, non-integer ids, nesting deeper than 512.
"""
from __future__ import annotations

import json
import random

import pytest

import vernier
from vernier.instance import CocoDataset, Evaluator

N_DOCS = 2500
TYPED = (vernier.JSONError, vernier.SchemaError, vernier.LimitError, vernier.RLEError,
         vernier.UnsupportedInputError, vernier.UnknownImageError)

TOKENS = [b",", b"]", b"}", b"[", b"{", b'"', b":", b"\\", b"\\u", b"\\ud800", b"NaN",
          b"Infinity", b"-Infinity", b"1e999", b"-0", b"01", b"1.", b".5", b"+1", b"\xff",
          b"\xef\xbb\xbf", b"\xc0\xaf", b"\xed\xa0\x80", b" ", b"\t", b"\n", b"\x00", b"\x1f",
          b"true", b"null", b"false", b'"x"', b"1e-400", b"9223372036854775808", b"4294967296",
          b"1.0", b"1E2", b"-", b"e", b"/*", b"'"]


def spell_number(rng, v):
    """A JSON spelling of v (int or float) that Python reads as the same value."""
    if isinstance(v, int):
        choices = [str(v)]
        if abs(v) < 2 ** 53:
            choices += [f"{v}.0", f"{v}e0", f"{v * 10}e-1", f"{v}.000E+0"]
        return rng.choice(choices)
    r = repr(v)
    choices = [r, f"{v:.17g}", f"{v:.17e}", f"{v:.25g}", r.upper(), f"{v:.20f}"]
    s = rng.choice(choices)
    return s if s not in ("inf", "nan") else r


def spell_string(rng, s):
    out = []
    for ch in s:
        roll = rng.random()
        if roll < 0.08:
            out.append(f"\\u{ord(ch):04x}")
        elif roll < 0.1 and ch == "/":
            out.append("\\/")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def ws(rng):
    return rng.choice(["", "", "", " ", "\n", "\t ", "\r\n  "])


def write(rng, obj):
    """Serialise obj with random spellings (numbers, escapes, whitespace)."""
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    if obj is None:
        return "null"
    if isinstance(obj, (int, float)):
        return spell_number(rng, obj)
    if isinstance(obj, str):
        return spell_string(rng, obj)
    if isinstance(obj, list):
        return "[" + ws(rng) + ("," + ws(rng)).join(write(rng, x) for x in obj) + ws(rng) + "]"
    items = list(obj.items())
    rng.shuffle(items)
    return "{" + ws(rng) + ("," + ws(rng)).join(
        spell_string(rng, k) + ws(rng) + ":" + ws(rng) + write(rng, v) for k, v in items) + "}"


def rand_float(rng, lo=0.0, hi=100.0):
    return rng.choice([round(rng.uniform(lo, hi), rng.randint(0, 3)), rng.uniform(lo, hi),
                       float(rng.randint(int(lo), int(hi)))])


def junk(rng, depth=0):
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice([1, -2.5, "s\u00e9", None, True, 1e300, 5e-324, "\U0001F600", ""])
    if roll < 0.7:
        return [junk(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {f"k{i}": junk(rng, depth + 1) for i in range(rng.randint(0, 3))}


def make_gt(rng):
    n_img, n_cat = rng.randint(1, 4), rng.randint(1, 3)
    images = [{"id": i + 1, "width": rng.randint(20, 120), "height": rng.randint(20, 120)}
              for i in range(n_img)]
    cats = [{"id": c + 1, "name": f"c{c}"} for c in range(n_cat)]
    anns = []
    for a in range(rng.randint(0, 8)):
        x, y = rand_float(rng, 0, 50), rand_float(rng, 0, 50)
        w, h = rand_float(rng, 1, 40), rand_float(rng, 1, 40)
        ann = {"id": a + 1, "image_id": rng.randint(1, n_img), "category_id": rng.randint(1, n_cat),
               "bbox": [x, y, w, h], "area": w * h, "iscrowd": rng.choice([0, 0, 0, 1])}
        if rng.random() < 0.5:
            ann["segmentation"] = [[x, y, x + w, y, x + w, y + h]]
        if rng.random() < 0.2:
            ann["extra"] = junk(rng)
        anns.append(ann)
    gt = {"images": images, "categories": cats, "annotations": anns}
    if rng.random() < 0.3:
        gt["info"] = junk(rng)
    return gt


def make_dt(rng, gt):
    out = []
    for _ in range(rng.randint(0, 10)):
        img = rng.choice(gt["images"])["id"]
        d = {"image_id": img, "category_id": rng.choice(gt["categories"])["id"],
             "bbox": [rand_float(rng, 0, 50), rand_float(rng, 0, 50), rand_float(rng, 1, 40),
                      rand_float(rng, 1, 40)],
             "score": rng.choice([rng.random(), round(rng.random(), 2), 1.0, 0.5])}
        if rng.random() < 0.2:
            d["note"] = junk(rng)
        out.append(d)
    return out


def mutate(rng, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(5)
        pos = rng.randint(0, len(b))
        if op == 0 and b:
            del b[pos:pos + rng.randint(1, 4)]
        elif op == 1:
            b[pos:pos] = rng.choice(TOKENS)
        elif op == 2 and b:
            b[min(pos, len(b) - 1)] = rng.randrange(256)
        elif op == 3:
            b = b[:pos]
        else:
            end = min(len(b), pos + rng.randint(1, 12))
            b[pos:pos] = b[pos:end]
    return bytes(b)


def python_reads(data: bytes):
    """(True, value) when Python's json reads data as strict UTF-8 text."""
    try:
        return True, json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return False, None


def canonical(value):
    """Python's reading written back plainly, or None if it cannot be (inf/nan)."""
    try:
        return json.dumps(value, allow_nan=False).encode()
    except ValueError:
        return None


def has_nonfinite_literal(data: bytes) -> bool:
    return b"NaN" in data or b"Infinity" in data


class Tally:
    def __init__(self):
        self.counts = {}

    def add(self, key):
        self.counts[key] = self.counts.get(key, 0) + 1


def check_gt(data: bytes, tally: Tally):
    ok, value = python_reads(data)
    try:
        ds = CocoDataset.from_json(data)
    except TYPED as e:
        if not ok:
            # the first problem in document order wins: a schema error in an
            # object that closes before the syntax error is reported instead
            tally.add("both reject")
        else:
            assert not isinstance(e, vernier.JSONError) or has_nonfinite_literal(data), (data, e)
            tally.add(f"vernier refuses ({type(e).__name__})")
        return
    assert ok, f"vernier accepted what Python rejects: {data!r}"
    canon = canonical(value)
    if canon is None:
        tally.add("accepted, not re-serialisable")
        return
    ds2 = CocoDataset.from_json(canon)
    assert ds.digest == ds2.digest, f"different numbers read from {data!r}"
    assert (ds.num_images, ds.num_annotations, ds.num_categories) == (
        len(value["images"]), len(value["annotations"]), len(value["categories"]))
    tally.add("same numbers")


def check_dt(ds, data: bytes, tally: Tally):
    ev = Evaluator(parity_mode="strict")
    ok, value = python_reads(data)
    try:
        part = ev.evaluate_to_partial(ds, data)
        summary = ev.evaluate(ds, data)
    except TYPED as e:
        if not ok:
            # the first problem in document order wins: a schema error in an
            # object that closes before the syntax error is reported instead
            tally.add("both reject")
        else:
            assert not isinstance(e, vernier.JSONError) or has_nonfinite_literal(data), (data, e)
            tally.add(f"vernier refuses ({type(e).__name__})")
        return
    assert ok, f"vernier accepted what Python rejects: {data!r}"
    canon = canonical(value)
    if canon is None:
        tally.add("accepted, not re-serialisable")
        return
    assert ev.evaluate_to_partial(ds, canon) == part, f"different numbers read from {data!r}"
    assert [float(x) for x in ev.evaluate(ds, canon).stats] == [float(x) for x in summary.stats]
    tally.add("same numbers")


@pytest.mark.parametrize("seed", range(5))
def test_json_differential(seed):
    rng = random.Random(9000 + seed)
    tally = Tally()
    for i in range(N_DOCS // 5):
        gt = make_gt(rng)
        text = write(rng, gt).encode()
        if i % 4 != 0:
            text = mutate(rng, text)
        check_gt(text, tally)
        good_gt = CocoDataset.from_json(json.dumps(gt).encode())
        dt = write(rng, make_dt(rng, gt)).encode()
        if i % 4 != 1:
            dt = mutate(rng, dt)
        check_dt(good_gt, dt, tally)
        good_gt.close()
    # the generator reaches every outcome, or the test proves little
    assert tally.counts.get("same numbers", 0) > N_DOCS // 10, tally.counts
    assert tally.counts.get("both reject", 0) > N_DOCS // 10, tally.counts
