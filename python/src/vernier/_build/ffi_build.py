"""cffi build script (API mode, out-of-line) for vernier._vernier.

The extension compiles libvernier's C sources directly, so installing the
package needs only a C compiler.  The declarations cffi sees live in
cdef.h next to this file; a test checks that they match vernier.h.

Environment:
  VERNIER_CFLAGS   extra compiler flags (the Makefile passes sanitizer flags)
  VERNIER_WERROR   1: warnings are errors (the Makefile's builds set it)
"""
import glob
import os

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
LIBVERNIER = os.path.join(ROOT, "libvernier")

ffibuilder = FFI()
with open(os.path.join(HERE, "cdef.h"), encoding="utf-8") as f:
    ffibuilder.cdef(f.read())

_sources = sorted(glob.glob(os.path.join(LIBVERNIER, "src", "**", "*.c"), recursive=True))
_sources = [os.path.relpath(s, os.getcwd()) for s in _sources]
_cflags = ["-std=c11", "-ffp-contract=off", "-fvisibility=hidden", "-O2"]
# Warnings are errors in the project's own builds (the Makefile sets
# VERNIER_WERROR=1), in the library sources and in the wrapper cffi generates
# (_vernier.c compiles clean with these: no -Wno-* needed).  An install from
# a source distribution keeps -Wall -Wextra but not -Werror, so a newer
# compiler's new warning cannot make `pip install` fail.
_cflags += ["-Wall", "-Wextra"]
if os.environ.get("VERNIER_WERROR") == "1":
    _cflags += ["-Werror"]
_cflags += os.environ.get("VERNIER_CFLAGS", "").split()

ffibuilder.set_source(
    "vernier._vernier",
    '#include "vernier.h"',
    sources=_sources,
    include_dirs=[os.path.join(LIBVERNIER, "include"), os.path.join(LIBVERNIER, "src")],
    extra_compile_args=_cflags,
    extra_link_args=os.environ.get("VERNIER_LDFLAGS", "").split(),
    libraries=["m", "pthread"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
