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

__version__ = "0.1.0"


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
    "__version__", "version", "Evaluator", "CocoDataset", "Bbox", "Segm", "Boundary",
    "Keypoints", "BackgroundEvaluator", "COCO", "COCOeval", "patch_pycocotools", "unpatch", "VernierError", "InvalidArgumentError",
    "InvalidConfigError", "JSONError", "SchemaError", "UnknownImageError", "RLEError", "LimitError",
    "UnsupportedInputError", "StateError", "OutOfMemoryError", "BudgetExceededError",
    "OutOfBudgetError", "QueueFullError", "DuplicateImageError", "PartialError",
    "PartialCorruptError", "PartialVersionError", "PartialMismatchError",
    "PartialDatasetMismatchError", "PartialOverlapError", "Summary", "Table",
    "MissingDependencyError",
]
