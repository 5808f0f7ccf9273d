"""Exceptions raised by vernier, and the one place that maps C status codes
to them.

Every exception vernier raises derives from :class:`VernierError` (never
raised itself).  Errors about the caller's input also derive from
:class:`ValueError`, so code that already catches ``ValueError`` keeps
working.  Where the C library located the problem, the exception carries:

``code``
    the C status code (``vernier_status``);
``offset``, ``line``, ``column``
    byte offset and 1-based line/column in the JSON input, or ``None``;
``path``
    the JSON path of the offending value, e.g. ``"annotations[12].bbox[2]"``,
    or ``None``;
``index``
    the index of the offending element (annotation, result) or ``None``.
"""
from __future__ import annotations

__all__ = [
    "VernierError",
    "InvalidArgumentError",
    "InvalidConfigError",
    "JSONError",
    "SchemaError",
    "UnknownImageError",
    "RLEError",
    "LimitError",
    "UnsupportedInputError",
    "StateError",
    "OutOfMemoryError",
    "BudgetExceededError",
    "OutOfBudgetError",
    "QueueFullError",
    "DuplicateImageError",
    "PartialError",
    "PartialCorruptError",
    "PartialVersionError",
    "PartialMismatchError",
    "PartialDatasetMismatchError",
    "PartialOverlapError",
]


class VernierError(Exception):
    """Base class of every vernier exception (never raised directly)."""

    code: int | None = None
    offset: int | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None
    index: int | None = None

    def __init__(self, message: str, *, code=None, offset=None, line=None, column=None,
                 path=None, index=None):
        super().__init__(message)
        self.code = code
        self.offset = offset
        self.line = line
        self.column = column
        self.path = path
        self.index = index


class InvalidArgumentError(VernierError, ValueError):
    """An argument handed to the C library is invalid."""


class InvalidConfigError(VernierError, ValueError):
    """An evaluator parameter is invalid (raised at construction)."""


class JSONError(VernierError, ValueError):
    """The input is not well-formed JSON (truncated, syntax error, invalid
    UTF-8, a byte-order mark, NaN/Infinity literals, nesting too deep)."""


class SchemaError(VernierError, ValueError):
    """The input is valid JSON but not valid COCO: a missing key, a value of
    the wrong type, a non-finite or out-of-range number, a non-integer id."""


class UnknownImageError(SchemaError):
    """A result names an image id the ground truth does not have
    (pycocotools: "Results do not correspond to current coco set")."""


class RLEError(VernierError, ValueError):
    """A run-length-encoded mask is malformed."""


class LimitError(VernierError, ValueError):
    """A documented size limit was exceeded."""


class UnsupportedInputError(VernierError, ValueError):
    """The input is well-formed but cannot be evaluated as given (e.g. a
    result list whose first entry has no bbox, segmentation or keypoints)."""


class StateError(VernierError, RuntimeError):
    """A call was made in the wrong state."""


class OutOfMemoryError(VernierError, MemoryError):
    """The allocator returned NULL."""


class BudgetExceededError(VernierError, MemoryError):
    """An allocation would exceed the configured memory budget."""


# ---- background evaluation (BackgroundEvaluator) ----------------------------

class OutOfBudgetError(BudgetExceededError):
    """A :class:`~vernier.instance.BackgroundEvaluator` refused a batch
    because committing it would have exceeded ``memory_budget_bytes``.
    Raised from the calling thread by the ``submit`` after the refusal (or
    by ``finalize``); the refused batch was not committed and the state is
    as it was.  A subclass of :class:`BudgetExceededError`, so handlers of
    the general budget error catch it too.

    ``used_bytes``
        budgeted bytes held when the batch was refused;
    ``budget_bytes``
        the budget;
    ``requested_bytes``
        how much the batch would have added;
    ``breakdown``
        ``used_bytes`` by bucket (``index``, ``records``, ``scores``,
        ``outcomes``) plus the unbudgeted figures ``queued`` and
        ``scratch_peak`` (adr/0012-memory-budget-accounting.md)."""

    used_bytes: int = 0
    budget_bytes: int = 0
    requested_bytes: int = 0
    breakdown: dict = {}


class QueueFullError(VernierError, RuntimeError):
    """``BackgroundEvaluator.submit`` found the worker's queue at capacity
    (and it stayed full for ``timeout`` seconds when a timeout was given).
    The batch was not enqueued; the caller may submit it again.

    ``queue_capacity``
        the queue's capacity;
    ``timeout``
        the timeout the submit was given (``None``: no wait)."""

    queue_capacity: int = 0
    timeout: float | None = None


class DuplicateImageError(SchemaError):
    """A batch submitted to a ``BackgroundEvaluator`` has detections on an
    image that an earlier batch already covered (each image's detections
    must arrive in one batch).  ``image_id`` names it."""

    image_id: int | None = None


# ---- distributed evaluation (partials) ---------------------------------------

class PartialError(VernierError, ValueError):
    """A partial (``Evaluator.evaluate_to_partial``,
    ``BackgroundEvaluator.finalize_to_partial``) could not be read or
    merged.  Never raised itself; the subclasses say why.

    ``partial_index``
        the position of the offending partial in the list given to
        ``Evaluator.from_partials`` (0 for a single partial);
    ``rank_id``
        the rank the partial says produced it, when it could be trusted
        (``None`` for a corrupt partial);
    ``field``
        what failed: for corruption the check (``"length"``, ``"magic"``,
        ``"checksum"``, ``"structure"``, ...), for a mismatch the first
        differing setting (``"iou_type"``, ``"parity_mode"``, ``"max_dets"``,
        ``"iou_thresholds"``, ``"dataset"``, ...)."""

    partial_index: int | None = None
    rank_id: int | None = None
    field: str | None = None


class PartialCorruptError(PartialError):
    """Not a well-formed partial: too short, truncated, a wrong magic
    number, bytes that do not match its SHA-256 checksum, or malformed
    content.  Nothing was merged."""


class PartialVersionError(PartialError):
    """A partial of a format version this vernier does not read (written by
    another release)."""


class PartialMismatchError(PartialError):
    """A partial was produced with another configuration than the merge's:
    another kernel, parity mode or evaluation parameter (``field`` names
    the first that differs)."""


class PartialDatasetMismatchError(PartialMismatchError):
    """A partial was produced against other ground truth (the SHA-256
    digests of the parsed datasets differ); ``field`` is ``"dataset"``."""


class PartialOverlapError(PartialError, DuplicateImageError):
    """Two partials cover the same image (each image must be evaluated by
    exactly one rank; a ``DistributedSampler`` that pads the last batch
    repeats images).  ``image_id`` names it; ``partial_indices`` and
    ``rank_ids`` name both partials."""

    partial_indices: tuple = ()
    rank_ids: tuple = ()


def _code_map(lib):
    return {
        lib.VERNIER_E_INVALID_ARG: InvalidArgumentError,
        lib.VERNIER_E_NOMEM: OutOfMemoryError,
        lib.VERNIER_E_BUDGET: BudgetExceededError,
        lib.VERNIER_E_JSON: JSONError,
        lib.VERNIER_E_SCHEMA: SchemaError,
        lib.VERNIER_E_UNKNOWN_IMAGE: UnknownImageError,
        lib.VERNIER_E_RLE: RLEError,
        lib.VERNIER_E_STATE: StateError,
        lib.VERNIER_E_LIMIT: LimitError,
        lib.VERNIER_E_UNSUPPORTED: UnsupportedInputError,
        lib.VERNIER_E_DUPLICATE_IMAGE: DuplicateImageError,
        lib.VERNIER_E_QUEUE_FULL: QueueFullError,
        lib.VERNIER_E_PARTIAL_CORRUPT: PartialCorruptError,
        lib.VERNIER_E_PARTIAL_VERSION: PartialVersionError,
        lib.VERNIER_E_PARTIAL_MISMATCH: PartialMismatchError,
        lib.VERNIER_E_PARTIAL_DATASET: PartialDatasetMismatchError,
    }


_CODES = None


def check(rc: int, err, ffi, lib, *, source: str | None = None, cls=None) -> None:
    """Raise the exception for C status ``rc`` (no-op for VERNIER_OK).

    ``err`` is the ``vernier_error *`` the call filled; ``source`` names
    the input (e.g. a file name) and is prefixed to the message."""
    global _CODES
    if rc == lib.VERNIER_OK:
        return
    if _CODES is None:
        _CODES = _code_map(lib)
    if cls is None:
        cls = _CODES.get(rc, VernierError)
    msg = ffi.string(err.message).decode("utf-8", "replace") if err is not None else ""
    if not msg:
        msg = ffi.string(lib.vernier_strerror(rc)).decode()
    offset = line = column = index = None
    path = None
    if err is not None:
        offset = err.offset if err.offset >= 0 else None
        line = err.line if err.line >= 0 else None
        column = err.column if err.column >= 0 else None
        index = err.index if err.index >= 0 else None
        path = ffi.string(err.path).decode("utf-8", "replace") or None
    # the C message already says where (line/column) for parse errors
    text = f"{source}: {msg}" if source else msg
    raise cls(text, code=rc, offset=offset, line=line, column=column, path=path, index=index)
