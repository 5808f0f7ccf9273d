"""Builds vernier._vernier with sanitizers into a separate directory, for
`make asan-python`:  python python/tests/asan_build.py OUT_DIR

The flags come from VERNIER_CFLAGS / VERNIER_LDFLAGS, as for the normal
build (python/src/vernier/_build/ffi_build.py).  cffi compiles inside
OUT_DIR, so the sources are made absolute first: the build script gives
them relative to the current directory, which would put the objects
outside OUT_DIR (into libvernier/src/).  Leaves OUT_DIR/vernier/_vernier*.so.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python", "src", "vernier", "_build"))

import ffi_build  # noqa: E402

out = os.path.abspath(sys.argv[1])
kwds = ffi_build.ffibuilder._assigned_source[3]
kwds["sources"] = [os.path.abspath(s) for s in kwds["sources"]]
ffi_build.ffibuilder.compile(tmpdir=out)
