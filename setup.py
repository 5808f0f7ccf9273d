# Everything but the version and the cffi extension is in pyproject.toml.
#
# The version has one source, libvernier/include/vernier.h's
# VERNIER_VERSION_MAJOR/MINOR/PATCH: the C library, its pkg-config file and
# soname (Makefile), the C and Python CLIs and vernier.__version__ (both
# from the compiled library) and this package's metadata all read it.
#
# The extension is built for CPython's stable ABI (cffi names it
# _vernier.abi3.so), so one wheel serves every CPython >= 3.10: the wheel
# is tagged cp310-abi3.
import os
import re

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))


def header_version():
    with open(os.path.join(HERE, "libvernier", "include", "vernier.h"), encoding="utf-8") as f:
        text = f.read()
    parts = []
    for name in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(r"^#define VERNIER_VERSION_%s +(\d+)\s*$" % name, text, re.M)
        if m is None:
            raise RuntimeError("vernier.h: no VERNIER_VERSION_%s" % name)
        parts.append(m.group(1))
    return ".".join(parts)


setup(
    version=header_version(),
    cffi_modules=["python/src/vernier/_build/ffi_build.py:ffibuilder"],
    options={"bdist_wheel": {"py_limited_api": "cp310"}},
)
