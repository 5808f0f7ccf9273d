# The cffi extension is declared here (cffi_modules); everything else is in
# pyproject.toml.
from setuptools import setup

setup(cffi_modules=["python/src/vernier/_build/ffi_build.py:ffibuilder"])
