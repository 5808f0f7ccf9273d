"""vernier: COCO-style detection evaluation with a C11 core.

Bit-for-bit the numbers of pycocotools 2.0.11 in ``parity_mode="strict"``.
The public API lives in :mod:`vernier.instance`; the exceptions are
re-exported here.
"""
from ._errors import (BudgetExceededError, DuplicateImageError, InvalidArgumentError,
                      InvalidConfigError, JSONError, LimitError, OutOfBudgetError,
                      OutOfMemoryError, PartialCorruptError, PartialDatasetMismatchError,
                      PartialError, PartialMismatchError, PartialOverlapError,
                      PartialVersionError, QueueFullError, RLEError, SchemaError, StateError,
                      UnknownImageError, UnsupportedInputError, VernierError)
from ._vernier import ffi as _ffi
from ._vernier import lib as _lib

__version__ = "0.1.0"


def version() -> str:
    """The version of the C library actually loaded."""
    return _ffi.string(_lib.vernier_version_string()).decode()


if _lib.vernier_version_number() != _lib.VERNIER_VERSION_NUMBER or version() != __version__:
    raise ImportError(f"vernier: C library {version()} does not match the Python package "
                      f"{__version__}; rebuild the extension")

__all__ = [
    "__version__", "version", "VernierError", "InvalidArgumentError", "InvalidConfigError",
    "JSONError", "SchemaError", "UnknownImageError", "RLEError", "LimitError",
    "UnsupportedInputError", "StateError", "OutOfMemoryError", "BudgetExceededError",
    "OutOfBudgetError", "QueueFullError", "DuplicateImageError", "PartialError",
    "PartialCorruptError", "PartialVersionError", "PartialMismatchError",
    "PartialDatasetMismatchError", "PartialOverlapError",
]
