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

and, where the error is about one of them (``None`` otherwise; read from
the C library's ``vernier_error`` fields, never from the message):

``image_id``, ``category_id``
    the image or category the error names;
``annotation_id``
    the ground-truth annotation's id;
``result_index``
    the result's position in its result list (its loadRes id minus one);
``partial_index``, ``rank_id``
    the partial's position in the merge's list and the rank it says
    produced it;
``other_partial_index``, ``other_rank_id``
    for two partials covering one image, the other (earlier) partial;
``batch_index``
    a BackgroundEvaluator's error about an earlier batch: that batch's
    number, 1-based in submit order (the message starts "batch N: ");
``reason``
    the message's reason alone, without the batch prefix, the JSON path
    and the (line, column) suffix the message puts around it (``str`` on
    every error from the C library, None on errors raised in Python).
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
    image_id: int | None = None
    category_id: int | None = None
    annotation_id: int | None = None
    result_index: int | None = None
    partial_index: int | None = None
    rank_id: int | None = None
    other_partial_index: int | None = None
    other_rank_id: int | None = None
    batch_index: int | None = None
    reason: str | None = None

    def __init__(self, message: str, *, code=None, offset=None, line=None, column=None,
                 path=None, index=None, image_id=None, category_id=None, annotation_id=None,
                 result_index=None, partial_index=None, rank_id=None,
                 other_partial_index=None, other_rank_id=None, batch_index=None, reason=None):
        super().__init__(message)
        self.code = code
        self.offset = offset
        self.line = line
        self.column = column
        self.path = path
        self.index = index
        self.image_id = image_id
        self.category_id = category_id
        self.annotation_id = annotation_id
        self.result_index = result_index
        self.partial_index = partial_index
        self.rank_id = rank_id
        self.other_partial_index = other_partial_index
        self.other_rank_id = other_rank_id
        self.batch_index = batch_index
        self.reason = reason


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


# ---- the one place that maps a C status to an exception ----------------------
# _lowlevel calls raise_status after every failed C call; nothing else maps
# status codes.

_CLASSES = {
    "E_INVALID_ARG": InvalidArgumentError,
    "E_NOMEM": OutOfMemoryError,
    "E_BUDGET": BudgetExceededError,
    "E_JSON": JSONError,
    "E_SCHEMA": SchemaError,
    "E_UNKNOWN_IMAGE": UnknownImageError,
    "E_RLE": RLEError,
    "E_STATE": StateError,
    "E_LIMIT": LimitError,
    "E_UNSUPPORTED": UnsupportedInputError,
    "E_DUPLICATE_IMAGE": DuplicateImageError,
    "E_QUEUE_FULL": QueueFullError,
    "E_PARTIAL_CORRUPT": PartialCorruptError,
    "E_PARTIAL_VERSION": PartialVersionError,
    "E_PARTIAL_MISMATCH": PartialMismatchError,
    "E_PARTIAL_DATASET": PartialDatasetMismatchError,
}

def raise_status(code: int, name: str | None, message: str, *, offset=None, line=None,
                 column=None, path=None, index=None, reason=None,
                 entities: dict | None = None,
                 context: str = "call",
                 source: str | None = None, timeout=None, queue_capacity: int = 0,
                 used_bytes: int = 0, budget_bytes: int = 0, requested_bytes: int = 0,
                 breakdown: dict | None = None) -> None:
    """Raise the exception for C status ``code`` (named ``name``, e.g.
    ``"E_SCHEMA"``; None for an unknown code) with the ``vernier_error``
    fields the call filled (``entities``: the entity fields present, by
    attribute name).  ``source`` names the input and prefixes the
    message.  ``context`` says which call failed, where it changes the
    exception:

    ``"call"``
        the status's class;
    ``"options"``
        evaluate / evaluate_to_partial / worker_new: the handles are valid,
        so an invalid argument is an evaluator option the data contradicts
        (InvalidConfigError);
    ``"records"``
        reading the per-image records: a state error means none were kept;
    ``"worker"``
        a worker call: the refusal's memory snapshot (``used_bytes``,
        ``budget_bytes``, ``requested_bytes``, ``breakdown``), the queue's
        capacity and the submit's ``timeout`` go on the exception;
    ``"partial"``, ``"merge"``
        reading a partial, merging partials (as ``"options"`` for an
        invalid argument; two partials covering one image are a
        PartialOverlapError)."""
    cls = _CLASSES.get(name, VernierError)
    if name == "E_INVALID_ARG" and context in ("options", "merge"):
        cls = InvalidConfigError
    if name == "E_STATE" and context == "records":
        raise StateError(
            "this evaluation kept no per-image records: evaluate with keep_records=True")
    # the C message already says where (line/column) for parse errors
    text = f"{source}: {message}" if source else message
    fields = dict(code=code, offset=offset, line=line, column=column, path=path, index=index,
                  reason=reason, **(entities or {}))
    if context == "worker":
        if issubclass(cls, BudgetExceededError):
            e = OutOfBudgetError(text, code=code)
            e.used_bytes = used_bytes
            e.budget_bytes = budget_bytes
            e.requested_bytes = requested_bytes
            e.breakdown = dict(breakdown or {})
            raise e
        if issubclass(cls, QueueFullError):
            e = cls(text, **fields)
            e.queue_capacity = queue_capacity
            e.timeout = timeout
            raise e
    if context in ("partial", "merge"):
        if issubclass(cls, PartialError):
            e = cls(text, **fields)
            e.field = e.path
            raise e
        if (context == "merge" and issubclass(cls, DuplicateImageError)
                and fields.get("other_partial_index") is not None):
            e = PartialOverlapError(text, **fields)
            e.partial_indices = (e.other_partial_index, e.partial_index)
            e.rank_ids = (e.other_rank_id, e.rank_id)
            e.field = "images"
            raise e
    raise cls(text, **fields)
