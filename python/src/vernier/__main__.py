"""``python -m vernier``: the ``vernier`` command line (see :mod:`vernier.cli`).

Given no arguments it prints the help (``vernier --help``) rather than the
console script's "missing command" error: whoever types ``python -m
vernier`` is most likely looking for what it does.
"""
import sys

from . import _run_entry_point
from .cli import main

if __name__ == "__main__":
    _run_entry_point(lambda: main(sys.argv[1:] or ["--help"]))
