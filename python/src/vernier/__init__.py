"""vernier: COCO-style detection evaluation with a C11 core.

Bit-for-bit the numbers of pycocotools 2.0.11 in ``parity_mode="strict"``.
The public API lives in :mod:`vernier.instance`; its main classes and the
exceptions are re-exported here.
"""
from ._errors import (BudgetExceededError, DuplicateImageError, InvalidArgumentError,
                      InvalidConfigError, JSONError, LimitError, OutOfBudgetError,
                      OutOfMemoryError, PartialCorruptError, PartialDatasetMismatchError,
                      PartialError, PartialMismatchError, PartialOverlapError,
                      PartialVersionError, QueueFullError, RLEError, SchemaError, StateError,
                      UnknownImageError, UnsupportedInputError, VernierError)
from . import _lowlevel

#: The distribution this package comes from: ``pip install libvernier``.  The
#: unrelated PyPI project ``vernier`` has the same import name (the two cannot
#: share an environment); ``vernier.__distribution__`` tells them apart.
__distribution__ = "libvernier"

# One version number, vernier.h's major/minor/patch macros, as the
# extension was compiled with them (setup.py gives the package metadata the
# same number; check_version compares it with the library's run-time string).
__version__ = "%d.%d.%d" % (_lowlevel.lib.VERNIER_VERSION_NUMBER // 10000,
                            _lowlevel.lib.VERNIER_VERSION_NUMBER // 100 % 100,
                            _lowlevel.lib.VERNIER_VERSION_NUMBER % 100)


def _run_entry_point(main) -> None:
    """Run a command-line entry point (``main() -> int``) and exit with its
    status: the console script, ``python -m vernier``, ``python -m
    vernier.demo``.

    When the reader of standard output goes away (``vernier ... | head -2``)
    the program ends as the C program does: SIGPIPE gets its default action
    back (Python ignores it and raises BrokenPipeError instead), so the
    process ends by the signal, quietly, at the first write to the closed
    pipe.  Where there is no SIGPIPE, a BrokenPipeError ends it with status 1
    and no traceback (stdout is pointed at the null device first, so that
    the interpreter's last flush does not fail again)."""
    import os
    import signal
    import sys
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    sys.exit(status)


def version() -> str:
    """The version of the C library actually loaded."""
    return _lowlevel.version()


_lowlevel.check_version(__version__)

from ._background import BackgroundEvaluator  # noqa: E402  (after the version check)
from ._dataset import CocoDataset  # noqa: E402
from ._evaluator import Evaluator  # noqa: E402
from ._kernels import Bbox, Boundary, Keypoints, Segm  # noqa: E402
from .coco import COCO  # noqa: E402
from .cocoeval import COCOeval  # noqa: E402
from .patch import patch_pycocotools, unpatch  # noqa: E402
from ._summary import Summary  # noqa: E402
from ._tables import MissingDependencyError, Table  # noqa: E402

__all__ = [
    "__version__", "__distribution__", "version", "Evaluator", "CocoDataset", "Bbox", "Segm", "Boundary",
    "Keypoints", "BackgroundEvaluator", "COCO", "COCOeval", "patch_pycocotools", "unpatch", "VernierError", "InvalidArgumentError",
    "InvalidConfigError", "JSONError", "SchemaError", "UnknownImageError", "RLEError", "LimitError",
    "UnsupportedInputError", "StateError", "OutOfMemoryError", "BudgetExceededError",
    "OutOfBudgetError", "QueueFullError", "DuplicateImageError", "PartialError",
    "PartialCorruptError", "PartialVersionError", "PartialMismatchError",
    "PartialDatasetMismatchError", "PartialOverlapError", "Summary", "Table",
    "MissingDependencyError",
]
