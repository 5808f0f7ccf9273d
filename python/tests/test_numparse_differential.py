"""Differential test of libvernier's JSON number parser against Python.

Literals are generated from fixed seeds, piped through the C driver
build/tests/numparse_driver (one literal per line in, one result per line
out) and compared with Python:

* validity: json.loads (with NaN/Infinity, a Python extension, rejected) must
  accept exactly the literals the driver accepts;
* value: the driver's double must be bit-identical to float(literal);
* integers: literals without fraction/exponent whose value fits int64 must
  come back with that exact int (json.loads gives an int for them).

The default run checks about 2.2 million literals; set VN_NUMPARSE_SCALE
(e.g. 10) to multiply the generated categories, and VN_NUMPARSE_DRIVER to
test another build of the driver.
"""

import decimal
import json
import json.scanner
import math
import os
import random
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
# VN_NUMPARSE_DRIVER overrides the binary (e.g. a sanitizer or no-int128 build)
DRIVER = Path(os.environ.get("VN_NUMPARSE_DRIVER", ROOT / "build" / "tests" / "numparse_driver"))
SCALE = float(os.environ.get("VN_NUMPARSE_SCALE", "1"))

pytestmark = pytest.mark.skipif(
    not DRIVER.exists(), reason="build the driver first: make build/tests/numparse_driver"
)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_FINITE_BITS = 0x7FEFFFFFFFFFFFFF


def n_of(base):
    return max(1, int(base * SCALE))


# --------------------------------------------------------------------------
# oracle and comparison


def _reject_constant(name):
    raise ValueError("not a JSON number: " + name)


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_SCAN = json.scanner.c_make_scanner(_DECODER)  # what json.loads runs underneath


def _json_value_loads(lit):
    """The value json.loads gives for the literal, or None if it rejects it
    (NaN/Infinity, a Python extension, count as rejected)."""
    try:
        v = json.loads(lit, parse_constant=_reject_constant)
    except ValueError:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return v


def _json_value(lit):
    """Same as _json_value_loads, through json's scanner directly: ten times
    faster (no JSONDecodeError to build per rejected literal).  The literals
    contain no whitespace, which json.loads would strip first;
    test_scanner_oracle_matches_json_loads checks the two agree."""
    try:
        v, stop = _SCAN(lit, 0)
    except (StopIteration, ValueError):
        return None
    if stop != len(lit) or isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return v


def _json_values_batch(lits):
    """json values of literals all known to be valid: one json.loads call
    over the array; each element must come back as a number."""
    vals = json.loads("[" + ",".join(lits) + "]", parse_constant=_reject_constant)
    assert len(vals) == len(lits)
    assert set(map(type, vals)) <= {int, float}
    return vals


def _run_driver(lits):
    data = ("\n".join(lits) + "\n").encode("ascii")
    res = subprocess.run([str(DRIVER)], input=data, stdout=subprocess.PIPE, check=True)
    out = res.stdout.decode("ascii").split("\n")
    assert out[-1] == ""
    out.pop()
    assert len(out) == len(lits), (len(out), len(lits))
    return out


def _expected(lits, vals):
    """Expected driver lines; vals[i] is the json value or None."""
    valid = [i for i, v in enumerate(vals) if v is not None]
    floats = np.array([float(lits[i]) for i in valid], dtype=np.float64)
    hexes = floats.view(np.uint64).astype(">u8").tobytes().hex()
    exp = ["ERR"] * len(lits)
    for j, i in enumerate(valid):
        h = hexes[16 * j : 16 * j + 16]
        v = vals[i]
        exp[i] = "%s i:%d" % (h, v) if type(v) is int and INT64_MIN <= v <= INT64_MAX else h
    return exp


def check(lits, known_valid):
    """Runs the driver on lits and asserts it agrees with Python.  With
    known_valid the literals are validated in one batched json.loads."""
    if known_valid:
        vals = _json_values_batch(lits)
    else:
        vals = [_json_value(lit) for lit in lits]
    exp = _expected(lits, vals)
    got = _run_driver(lits)
    if got == exp:
        return len(lits)
    bad = [(lit, e, g) for lit, e, g in zip(lits, exp, got) if e != g]
    if bad:
        lines = []
        for lit, e, g in bad[:20]:
            shown = lit if len(lit) <= 120 else lit[:60] + "..." + lit[-40:]
            lines.append("  %r (len %d): want %s, got %s" % (shown, len(lit), e, g))
        pytest.fail("%d of %d literals disagree:\n%s" % (len(bad), len(lits), "\n".join(lines)))
    return len(lits)


# --------------------------------------------------------------------------
# generators (each returns a list of literal strings)


def _finite_doubles(rng, n):
    """n finite doubles with uniformly random bit patterns (so every binade,
    subnormals and both signs are covered)."""
    out = np.empty(0, dtype=np.float64)
    while out.size < n:
        x = rng.integers(0, 2**64, size=n, dtype=np.uint64, endpoint=False).view(np.float64)
        out = np.concatenate([out, x[np.isfinite(x)]])
    return out[:n]


def gen_repr(seed, n):
    rng = np.random.default_rng(seed)
    k = n // 4
    parts = [
        _finite_doubles(rng, n - 3 * k),
        rng.uniform(0.0, 1.0, k),                              # scores
        rng.uniform(-1000.0, 1000.0, k),                       # coordinates
        rng.uniform(0.0, 1.0, k) * 10.0 ** rng.integers(-8, 8, k),
    ]
    lits = [repr(x) for p in parts for x in p.tolist()]
    # COCO-style short decimals ("123.45", "17.0", "0.8734")
    fmts = np.array(["%.0f", "%.1f", "%.2f", "%.3f", "%.4f"])[rng.integers(0, 5, k)].tolist()
    lits += [f % x for f, x in zip(fmts, rng.uniform(0, 1000, k).tolist())]
    return lits


def gen_digits_15_17(seed, n):
    rng = np.random.default_rng(seed)
    xs = _finite_doubles(rng, n // 2).tolist()
    mags = (rng.uniform(0, 1, n - n // 2) * 10.0 ** rng.integers(-320, 308, n - n // 2)).tolist()
    fmts = np.array(["%.15g", "%.16g", "%.17g", "%.14e", "%.15e", "%.16e"])
    return [f % x for f, x in zip(fmts[rng.integers(0, 6, n)].tolist(), xs + mags)]


def _digit_rows(rng, n, width):
    """n random digit strings of `width` digits, the first nonzero."""
    d = rng.integers(48, 58, (n, width), dtype=np.uint8)
    d[:, 0] = rng.integers(49, 58, n, dtype=np.uint8)
    flat = d.tobytes().decode("ascii")
    return [flat[i * width : (i + 1) * width] for i in range(n)]


def gen_random_strings(seed, n):
    """Random digit strings of 1-40 digits, with or without a fraction and an
    exponent, spread over the whole binary64 range and beyond.  (The random
    draws are made in bulk with numpy: per-literal random calls dominated.)"""
    rng = np.random.default_rng(seed)
    rows = _digit_rows(rng, n, 40)
    nds = rng.integers(1, 41, n).tolist()
    forms = rng.random(n).tolist()
    zeros = rng.choice([0, 0, 1, 3, 10, 30], n).tolist()
    cuts = rng.random(n).tolist()
    has_exp = (rng.random(n) < 0.7).tolist()
    targets = rng.integers(-345, 313, n).tolist()  # decimal exponent of the value
    echars = rng.choice(["e", "E"], n).tolist()
    signs = rng.choice(["", "+", "-"], n).tolist()
    negs = (rng.random(n) < 0.3).tolist()
    lits = []
    for i in range(n):
        nd = nds[i]
        ds = rows[i][:nd]
        form = forms[i]
        if form < 0.15:
            body = ds  # integer
            lead = nd
        elif form < 0.3:
            body = "0." + "0" * zeros[i] + ds
            lead = -1
        else:
            cut = 1 + int(cuts[i] * nd)
            body = ds[:cut] + ("." + ds[cut:] if cut < nd else "")
            lead = cut
        if has_exp[i]:
            e = targets[i] - lead
            body += echars[i] + ("-" if e < 0 else signs[i].replace("-", "")) + str(abs(e))
        if negs[i]:
            body = "-" + body
        lits.append(body)
    return lits


def _halfway_literals(r, x, ctx):
    """Literals at, just below and just above the midpoint of x and the next
    double up (x positive, finite, below the largest finite)."""
    y = math.nextafter(x, math.inf)
    mid = ctx.divide(ctx.add(decimal.Decimal(x), decimal.Decimal(y)), 2)
    t = mid.as_tuple()
    ds = "".join(map(str, t.digits)).rstrip("0") or "0"
    e = t.exponent + (len(t.digits) - len(ds))  # value = int(ds) * 10^e
    m = int(ds)
    out = [
        "%de%d" % (m, e),
        "%de%d" % (m + 1, e),
        "%de%d" % (m - 1, e),
    ]
    z = r.randint(1, 40)
    out.append("%s%se%d" % (ds, "0" * z, e - z))                     # tie, padded
    z = r.randint(1, 900) if r.random() < 0.25 else r.randint(1, 20)
    out.append("%s%s1e%d" % (ds, "0" * z, e - z - 1))                # just above
    out.append("%d%se%d" % (m - 1, "9" * z, e - z))                  # just below
    if len(ds) > 1:                                                  # d.ddd form
        out.append("%s.%se%d" % (ds[0], ds[1:], e + len(ds) - 1))
    for keep in (r.randint(16, 20), r.randint(20, 40)):              # near-tie, truncated
        if len(ds) > keep:
            head = int(ds[:keep])
            ee = e + len(ds) - keep
            out.append("%de%d" % (head, ee))
            out.append("%de%d" % (head + 1, ee))
    if r.random() < 0.3:
        out = ["-" + s for s in out]
    return out


def gen_halfway(seed, n):
    r = random.Random(seed)
    rng = np.random.default_rng(seed)
    ctx = decimal.Context(prec=2000, traps=[decimal.Inexact])
    xs = []
    # anywhere and subnormal (long midpoints: up to 767 digits, costly for
    # Python's float() too, so fewer), near 1, integers 2^53..2^63, and
    # every binary exponent
    xs += np.abs(_finite_doubles(rng, n // 16)).tolist()
    xs += [math.ldexp(float(v), -1074) for v in rng.integers(0, 2**52, n // 32).tolist()]
    xs += (rng.uniform(0.5, 1, n // 16) * 2.0 ** rng.integers(-1022, 1023, n // 16)).tolist()
    xs += rng.uniform(1e-3, 1e6, n // 2).tolist()
    xs += [float(v) for v in rng.integers(2**53, 2**63, n // 4).tolist()]
    xs += [0.0, 5e-324, 2.2250738585072009e-308, 2.2250738585072014e-308, 1.0, 2.0**53,
           2.0**63, 2.0**64, 1.7976931348623155e308, 1.7976931348623157e308]
    lits = []
    for x in xs:
        if x >= 1.7976931348623157e308:
            # the overflow threshold: halfway between DBL_MAX and 2^1024
            mid = ctx.add(decimal.Decimal(x), ctx.power(decimal.Decimal(2), 970))
            m = int(mid)
            lits += [str(m), "%d" % (m - 1), "%d" % (m + 1), "%d.%s1" % (m - 1, "9" * 850),
                     "%de0" % m, "-%d" % m]
            continue
        lits += _halfway_literals(r, x, ctx)
    return lits


def gen_integers(seed, n):
    lits = []
    for base in (2**53, 2**63, 2**64, 10**18, 10**19, 2**62, 2**54, 10**16):
        for off in range(-600, 601):
            v = base + off
            lits.append(str(v))
            lits.append("-" + str(v))
    rng = np.random.default_rng(seed)
    m = max(0, n - len(lits))
    rows = _digit_rows(rng, m, 30)
    lens = rng.integers(1, 31, m).tolist()
    negs = (rng.random(m) < 0.5).tolist()
    lits += [("-" if neg else "") + row[:k] for row, k, neg in zip(rows, lens, negs)]
    return lits


FIXED_EDGE = [
    "0", "-0", "0.0", "-0.0", "0e0", "0E+0", "0e-0", "0.000", "1", "-1", "10", "1.5", "1e5",
    "1E5", "1e+5", "1e-5", "1e05", "1.0e-05", "17", "123.45", "0.8734",
    "0.12345678901234568", "306.41999999999996", "1e-05", "9007199254740993",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "18446744073709551615", "18446744073709551616",
    "1e308", "1e309", "-1e309", "1e-323", "1e-324", "2e-324", "3e-324", "1e-400",
    "1e999999999999999999999999", "1e-999999999999999999999999", "0e999999999999999999999",
    "0." + "0" * 400 + "1", "0." + "0" * 400 + "1e400", "1" + "0" * 400 + "e-400",
    "1" + "0" * 330, "1" + "0" * 290, "0." + "0" * 30 + "12345678901234567890123",
    "2.2250738585072011e-308", "2.2250738585072012e-308", "4.9406564584124654e-324",
    "2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623157e308",
    "1.7976931348623158e308", "1.7976931348623159e308", "1e23", "8.98846567431158e307",
    # syntax errors and near misses
    "", "-", "--1", "+1", "01", "-01", "00", "0.", "1.", ".5", "-.5", "1e", "1e+", "1E-",
    "1.e5", "1e5.0", "1e+-5", "0x10", "Infinity", "-Infinity", "NaN", "nan", "inf", "1f",
    "1..2", "1.2.3", "1e5e5", "- 1", "0.0e", "e5", "E5", ".", "1_000",
]


def gen_garbage(seed, n):
    """Random short strings over the number alphabet (plus a few letters),
    and single-character mutations of valid literals."""
    rng = np.random.default_rng(seed)
    alpha = np.frombuffer(("0123456789" * 3 + "..--++eEeE" + "xIN").encode(), dtype=np.uint8)
    k = n // 2
    flat = alpha[rng.integers(0, alpha.size, (k, 10))].tobytes().decode("ascii")
    lens = rng.integers(1, 11, k).tolist()
    lits = [flat[i * 10 : i * 10 + lens[i]] for i in range(k)]
    pool = gen_random_strings(seed + 1, n - k)
    m = len(pool)
    mut_alpha = "0123456789.-+eEx"
    pos = rng.random(m).tolist()
    ops = rng.random(m).tolist()
    chars = [mut_alpha[j] for j in rng.integers(0, len(mut_alpha), m).tolist()]
    for s, p, op, c in zip(pool, pos, ops, chars):
        i = int(p * (len(s) + 1))
        if op < 0.34:
            s = s[:i] + c + s[i:]          # insert
        elif op < 0.67:
            s = s[: max(0, i - 1)] + s[i:]  # delete
        else:
            i = min(i, len(s) - 1)
            s = s[:i] + c + s[i + 1 :]      # replace
        lits.append(s)
    return lits + FIXED_EDGE


# --------------------------------------------------------------------------
# tests

CASES = [
    # name, generator, base count, all valid JSON numbers by construction
    ("repr", gen_repr, 500_000, True),
    ("digits_15_17", gen_digits_15_17, 300_000, True),
    ("random_strings", gen_random_strings, 500_000, True),
    ("halfway", gen_halfway, 30_000, True),
    ("integers", gen_integers, 120_000, True),
    ("garbage", gen_garbage, 400_000, False),
]


@pytest.mark.parametrize("name,gen,count,valid", CASES, ids=[c[0] for c in CASES])
def test_differential(name, gen, count, valid):
    lits = gen(12345 + len(name), n_of(count))
    checked = check(lits, valid)
    print("%s: %d literals checked" % (name, checked))


def test_scanner_oracle_matches_json_loads():
    lits = gen_garbage(777, 40_000) + FIXED_EDGE + gen_random_strings(778, 5_000)
    for lit in lits:
        a, b = _json_value_loads(lit), _json_value(lit)
        assert a == b and type(a) is type(b), lit


def test_driver_self_check():
    # a few hand-verified lines, so a broken oracle cannot hide a broken driver
    got = _run_driver(["0.1", "-0", "01", "1e400", "9007199254740993"])
    want_01 = struct.unpack("<Q", struct.pack("<d", 0.1))[0]
    assert got == ["%016x" % want_01, "8000000000000000 i:0", "ERR", "7ff0000000000000",
                   "4340000000000000 i:9007199254740993"]
