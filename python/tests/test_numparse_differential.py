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
    for v in vals:
        assert isinstance(v, (int, float)) and not isinstance(v, bool)
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
    bits = floats.view(np.uint64).tolist()
    exp = ["ERR"] * len(lits)
    for i, b in zip(valid, bits):
        v = vals[i]
        if type(v) is int and INT64_MIN <= v <= INT64_MAX:
            exp[i] = "%016x i:%d" % (b, v)
        else:
            exp[i] = "%016x" % b
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
    r = random.Random(seed)
    lits += ["%.*f" % (r.randint(0, 4), r.uniform(0, 1000)) for _ in range(k)]
    return lits


def gen_digits_15_17(seed, n):
    rng = np.random.default_rng(seed)
    r = random.Random(seed)
    xs = _finite_doubles(rng, n // 2).tolist()
    mags = (rng.uniform(0, 1, n - n // 2) * 10.0 ** rng.integers(-320, 308, n - n // 2)).tolist()
    lits = []
    for x in xs + mags:
        p = r.choice((15, 16, 17))
        lits.append("%.*g" % (p, x) if r.random() < 0.5 else "%.*e" % (p - 1, x))
    return lits


def _rand_digits(r, k, lead_nonzero):
    s = "%0*d" % (k, r.getrandbits(4 * k + 8) % (10**k))
    if lead_nonzero and s[0] == "0":
        s = str(r.randint(1, 9)) + s[1:]
    return s


def gen_random_strings(seed, n):
    """Random digit strings of 1-40 digits, with or without a fraction and an
    exponent, spread over the whole binary64 range and beyond."""
    r = random.Random(seed)
    lits = []
    for _ in range(n):
        nd = r.randint(1, 40)
        ds = _rand_digits(r, nd, True)
        form = r.random()
        if form < 0.15:
            body = ds  # integer
        elif form < 0.3:
            z = r.choice((0, 0, 1, 3, 10, 30))
            body = "0." + "0" * z + ds
        else:
            cut = r.randint(1, nd)
            body = ds[:cut] + ("." + ds[cut:] if cut < nd else "")
        if r.random() < 0.7:
            lead = len(body.split(".")[0]) if body[0] != "0" else -1
            target = r.randint(-345, 312)  # decimal exponent of the value
            e = target - lead
            body += r.choice("eE") + r.choice(("", "+", "-") if e >= 0 else ("-",)) + str(abs(e))
        if r.random() < 0.3:
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
    r = random.Random(seed)
    lits = []
    for base in (2**53, 2**63, 2**64, 10**18, 10**19, 2**62, 2**54, 10**16):
        for off in range(-600, 601):
            v = base + off
            lits.append(str(v))
            lits.append("-" + str(v))
    while len(lits) < n:
        k = r.randint(1, 30)
        s = _rand_digits(r, k, True)
        lits.append(("-" + s) if r.random() < 0.5 else s)
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
    r = random.Random(seed)
    alpha = "0123456789" * 3 + "..--++eEeE" + "xIN"
    lits = ["".join(r.choices(alpha, k=r.randint(1, 10))) for _ in range(n // 2)]
    pool = gen_random_strings(seed + 1, n - n // 2)
    mut_alpha = "0123456789.-+eEx"
    for s in pool:
        i = r.randrange(len(s) + 1)
        op = r.random()
        if op < 0.34:
            s = s[:i] + r.choice(mut_alpha) + s[i:]
        elif op < 0.67 and s:
            s = s[: max(0, i - 1)] + s[i:]
        elif s:
            i = min(i, len(s) - 1)
            s = s[:i] + r.choice(mut_alpha) + s[i + 1 :]
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
