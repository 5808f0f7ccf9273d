"""How often numpy's float64 ``np.exp`` differs from the C library's ``exp``.

pycocotools' ``computeOks`` ends in ``np.sum(np.exp(-e)) / e.shape[0]``;
vernier's C keypoint kernel calls libm's ``exp`` (ADR 0009).  Whether the
two agree bit for bit depends on the machine: numpy dispatches its float64
``exp`` loop at run time (an AVX-512F SIMD implementation of its own where
the CPU has it, otherwise a loop over the C library's ``exp``).  This script
measures it on the machine it runs on::

    .venv/bin/python -m parity.measure_exp            # 2,400,000 values
    .venv/bin/python -m parity.measure_exp --per-set 1000000

Argument sets (each ``--per-set`` values; arguments are ``-e``):

* ``oks-e``: ``e`` as computeOks builds it, ``(dx**2 + dy**2) / vars /
  (area + eps) / 2`` with COCO's sigmas, jittered keypoints, COCO-like areas
  (the values the evaluation actually exponentiates; many are tiny);
* ``uniform-0-50``: ``e`` uniform in [0, 50];
* ``random-doubles``: random bit patterns of finite doubles whose ``exp`` is
  neither 0 nor inf ([-745, 709]), uniform in the bit pattern (so every
  binade of small arguments is covered);
* ``wide``: arguments uniform in [-745, 709].

numpy is called the way computeOks calls it (one call per 17-element
array, the tail of a call being as likely to differ as its head) and also on
the whole set at once; libm's ``exp`` is called once per value through
ctypes.  Results are compared as 64-bit patterns.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import math
import platform
import sys

import numpy as np

COCO_SIGMAS = np.array([.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62,
                        1.07, 1.07, .87, .87, .89, .89]) / 10.0


def libm_exp():
    """The C library's ``exp`` (glibc: ``libm.so.6``) through ctypes."""
    name = "libm.so.6" if sys.platform.startswith("linux") else ctypes.util.find_library("m")
    lib = ctypes.CDLL(name)
    fn = lib.exp
    fn.restype = ctypes.c_double
    fn.argtypes = [ctypes.c_double]
    return fn


def _bits(v: float) -> int:
    return int(np.array([v], dtype=np.float64).view(np.int64)[0])


def argument_sets(n: int, seed: int = 9) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    # computeOks' e: person keypoints jittered around the GT by a few % of the box size
    k = len(COCO_SIGMAS)
    rows = -(-n // k)
    area = np.exp(rng.normal(8.5, 1.4, rows))[:, None]           # segmentation areas ~ 50..1e6 px
    scale = np.sqrt(area) * rng.uniform(0.005, 0.4, (rows, 1))  # localisation error of the pose
    dx = rng.normal(0.0, 1.0, (rows, k)) * scale
    dy = rng.normal(0.0, 1.0, (rows, k)) * scale
    variances = (COCO_SIGMAS * 2) ** 2
    e = (dx ** 2 + dy ** 2) / variances / (area + np.spacing(1)) / 2
    oks = -e.ravel()[:n]

    uniform = -rng.uniform(0.0, 50.0, n)

    # magnitudes uniform over the bit patterns of [+0, 745) (negated) and [+0, 709]
    neg = rng.random(n) < 0.5
    neg_bits = rng.integers(0, _bits(745.0), n, dtype=np.int64)
    pos_bits = rng.integers(0, _bits(709.0) + 1, n, dtype=np.int64)
    mags = np.where(neg, neg_bits, pos_bits).view(np.float64)
    randoms = np.where(neg, -mags, mags)

    wide = rng.uniform(-745.0, 709.0, n)
    return {"oks-e": oks, "uniform-0-50": uniform, "random-doubles": randoms, "wide": wide}


def ulp_distance(a: float, b: float) -> int:
    """How many doubles apart ``a`` and ``b`` are (both finite, same sign)."""
    ia = int(np.array([a]).view(np.int64)[0])
    ib = int(np.array([b]).view(np.int64)[0])
    return abs(ia - ib)


def measure(x: np.ndarray, exp_c) -> dict:
    chunked = np.concatenate([np.exp(x[i:i + 17]) for i in range(0, len(x), 17)])
    bulk = np.exp(x)
    ref = np.fromiter((exp_c(v) for v in x.tolist()), dtype=np.float64, count=len(x))
    ref_bits = ref.view(np.uint64)
    diff_chunked = np.flatnonzero(chunked.view(np.uint64) != ref_bits)
    diff_bulk = np.flatnonzero(bulk.view(np.uint64) != ref_bits)
    worst = max((ulp_distance(chunked[i], ref[i]) for i in diff_chunked), default=0)
    worst = max([worst] + [ulp_distance(bulk[i], ref[i]) for i in diff_bulk])
    examples = [(float(x[i]).hex(), float(chunked[i]).hex(), float(ref[i]).hex())
                for i in diff_chunked[:3]]
    return {"n": len(x), "diff_17": len(diff_chunked), "diff_bulk": len(diff_bulk),
            "max_ulp": worst, "examples": examples}


def exp_dispatch() -> str:
    """numpy's dispatch target of the float64 exp loop (numpy >= 2.0), else ''."""
    try:
        from numpy.lib import introspect
    except ImportError:
        return ""
    info = introspect.opt_func_info(func_name="^exp$", signature="^d")
    try:
        entry = info["exp"]["dd"]
    except KeyError:
        return ""
    return f"current {entry['current']} (available: {entry['available']})"


def simd_summary() -> str:
    try:
        from numpy._core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__
    except ImportError:   # numpy 1.x
        from numpy.core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__
    found = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    missing = [f for f in __cpu_dispatch__ if not __cpu_features__.get(f)]
    return f"baseline {__cpu_baseline__}; dispatch found {found}; not found {missing}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-set", type=int, default=600_000, help="values per argument set")
    ap.add_argument("--seed", type=int, default=9)
    args = ap.parse_args(argv)

    exp_c = libm_exp()
    libc_ver = " ".join(platform.libc_ver())
    print(f"numpy {np.__version__}, {libc_ver}, {platform.machine()}, python {platform.python_version()}")
    print(f"numpy SIMD: {simd_summary()}")
    print(f"numpy float64 exp loop: {exp_dispatch()}")
    total = diff17 = diffbulk = 0
    worst = 0
    for name, x in argument_sets(args.per_set, args.seed).items():
        r = measure(x, exp_c)
        total += r["n"]
        diff17 += r["diff_17"]
        diffbulk += r["diff_bulk"]
        worst = max(worst, r["max_ulp"])
        print(f"  {name:15s} n={r['n']:>9,d}  differ (17-element calls) {r['diff_17']:>7,d}  "
              f"differ (one call) {r['diff_bulk']:>7,d}  max {r['max_ulp']} ulp"
              + (f"  e.g. exp({r['examples'][0][0]}) numpy {r['examples'][0][1]} libm "
                 f"{r['examples'][0][2]}" if r["examples"] else ""))
    print(f"total n={total:,d}: np.exp != libm exp for {diff17:,d} values (17-element calls), "
          f"{diffbulk:,d} (one call); max {worst} ulp")
    return 0


if __name__ == "__main__":
    sys.exit(main())
