"""BackgroundEvaluator: evaluation on the C library's worker thread, fed
batch by batch."""
from __future__ import annotations

import threading
from typing import Any

import numpy as np

from . import _lowlevel as _ll
from ._convert import relocate, results_input
from ._dataset import CocoDataset, _gt_handle
from ._errors import InvalidConfigError, StateError, VernierError
from ._evaluator import Evaluator
from ._kernels import _IOU_BY_NAME, _IOU_KINDS, _memory_budget
from ._summary import Summary, _per_class_table

__all__ = ["BackgroundEvaluator"]



def _kernel(value, name):
    """An ``iou`` / ``iou_type`` argument as a kernel object: a kernel, or
    the name of one (``"bbox"``, ``"segm"``, ``"boundary"``, ``"keypoints"``:
    default parameters)."""
    if isinstance(value, _IOU_KINDS):
        return value
    if isinstance(value, str) and value in _IOU_BY_NAME:
        return _IOU_BY_NAME[value]()
    raise InvalidConfigError(f"{name} must be Bbox(), Segm(), Boundary(), Keypoints() or one of "
                             f"{tuple(_IOU_BY_NAME)}, got {value!r}")


def _evaluator_from(evaluator, *, iou_type, iou, **settings) -> Evaluator:
    """The :class:`Evaluator` of the constructor's arguments: ``evaluator``
    itself, or one built from the settings given (None: not given)."""
    given = {k: v for k, v in settings.items() if v is not None}
    if iou_type is not None and iou is not None:
        raise InvalidConfigError("give the kernel once: iou= or iou_type=, not both")
    if iou_type is not None:
        given["iou"] = _kernel(iou_type, "iou_type")
    elif iou is not None:
        given["iou"] = _kernel(iou, "iou")
    if evaluator is not None:
        if not isinstance(evaluator, Evaluator):
            raise InvalidConfigError(f"evaluator must be an Evaluator, got {evaluator!r}")
        if given:
            raise InvalidConfigError(
                "evaluator= carries the whole configuration: do not pass "
                f"{', '.join(sorted(given))} as well")
        return evaluator
    return Evaluator(**given)


class BackgroundEvaluator:
    """Evaluation on a background thread: :meth:`submit` batches of
    detections as they are produced, :meth:`finalize` at the end.

    The worker thread, its bounded queue and the memory accounting live in
    the C library (``vernier_worker``, ADR 0014).  Batches are parsed and
    validated on the calling thread, matched on the worker; the GIL is
    released while ``submit`` waits and while the worker runs.  The result
    equals :meth:`Evaluator.evaluate` on all the submitted detections, bit
    for bit, whatever the split into batches and their order, provided each
    image's detections arrive in one batch.

    Build it with :meth:`Evaluator.background` (carries every setting and
    reuses a :class:`CocoDataset`) or directly, with an :class:`Evaluator`
    (the one configuration object, custom grids, sigmas and dilation ratio
    included)::

        BackgroundEvaluator(gt, evaluator=Evaluator(iou=Boundary(0.008)),
                            queue_capacity=4, memory_budget_bytes=None, rank_id=0)

    or with the settings spelled out, the kernel as an object or by name::

        BackgroundEvaluator(gt, iou=Keypoints(sigmas), parity_mode="strict")
        BackgroundEvaluator(gt, iou_type="bbox", parity_mode="corrected",
                            max_dets=None, use_cats=True, cast_inputs=False)

    Every setting not given takes :class:`Evaluator`'s default; giving
    ``evaluator`` and a setting as well raises
    :class:`~vernier.InvalidConfigError`.  ``gt`` is COCO JSON bytes or a
    :class:`CocoDataset` (which then cannot be closed until this evaluator
    is finalized or closed).
    """

    def __init__(self, gt: CocoDataset | bytes, iou_type=None, *,
                 evaluator: Evaluator | None = None, iou=None, parity_mode: str | None = None,
                 max_dets=None, use_cats: bool | None = None, cast_inputs: bool | None = None,
                 iou_thresholds=None, recall_thresholds=None, area_ranges=None,
                 queue_capacity: int = 4, memory_budget_bytes: int | None = None,
                 rank_id: int = 0):
        evaluator = _evaluator_from(
            evaluator, iou_type=iou_type, iou=iou, parity_mode=parity_mode, max_dets=max_dets,
            use_cats=use_cats, cast_inputs=cast_inputs, iou_thresholds=iou_thresholds,
            recall_thresholds=recall_thresholds, area_ranges=area_ranges)
        self._open(evaluator, gt, queue_capacity, memory_budget_bytes, rank_id)

    @classmethod
    def _start(cls, evaluator, gt, *, queue_capacity, memory_budget_bytes, rank_id=0):
        self = cls.__new__(cls)
        self._open(evaluator, gt, queue_capacity, memory_budget_bytes, rank_id)
        return self

    def _open(self, evaluator, gt, queue_capacity, memory_budget_bytes, rank_id=0):
        self._w = None
        self._rank_id = _ll.check_rank_id(rank_id)
        self._dataset = None
        self._state = "open"
        self._final = None
        self._lock = threading.Lock()
        if (isinstance(queue_capacity, bool) or not isinstance(queue_capacity, (int, np.integer))
                or queue_capacity < 1):
            raise InvalidConfigError(f"queue_capacity must be an int >= 1, got {queue_capacity!r}")
        self._budget = _memory_budget(memory_budget_bytes)
        self._evaluator = evaluator
        self._capacity = int(queue_capacity)
        self._locators = []  # per accepted batch: names its Python objects in errors
        handle, _ = _gt_handle(gt)
        self._names = handle.category_names()
        # the worker's destructor keeps the dataset handle alive: the C
        # dataset is freed only after the thread was joined (a handle parsed
        # here from bytes is owned by the worker alone)
        self._w = _ll.worker_new(handle, evaluator._options(), queue_capacity=self._capacity,
                                 memory_budget_bytes=self._budget or 0)
        if isinstance(gt, CocoDataset):
            with gt._lock:
                gt._pins += 1
            self._dataset = gt

    # -- lifecycle --------------------------------------------------------------

    def _live(self):
        w = self._w
        if w is None:
            what = "finalized" if self._state == "finalized" else "closed"
            raise StateError(f"this BackgroundEvaluator was already {what}")
        return w

    def _release(self, state: str) -> None:
        with self._lock:
            w, self._w = self._w, None
            ds, self._dataset = self._dataset, None
            if self._state == "open":
                self._state = state
        if w is not None:
            if self._final is None:
                self._final = self._counters(w)
            w.close()  # vernier_worker_free: drops the queue, joins
        if ds is not None:
            with ds._lock:
                ds._pins -= 1

    def submit(self, detections: Any, *, timeout: float | None = None) -> None:
        """Enqueue a batch of detections and return at once.

        ``detections``: loadRes-shaped JSON bytes, a list of loadRes result
        dicts, a ``Detections`` dict of numpy arrays (``image_id`` (N,) or a
        scalar, ``boxes`` (N, 4) x, y, w, h float64, ``scores`` (N,)
        float64, ``labels`` (N,) int64 category ids, and for the other
        kernels ``segmentation`` (N RLE dicts or polygons) or ``keypoints``
        (N, K, 3)), or a sequence of such dicts.  Each image's detections
        must all be in one batch.

        Parsing and validation happen here, on the calling thread, and raise
        here.  ``timeout=None`` never waits: a full queue raises
        :class:`~vernier.QueueFullError` at once; ``timeout=t`` waits up to
        ``t`` seconds for room (the GIL is released meanwhile), then raises.
        A failure of an earlier batch on the worker (repeated image,
        :class:`~vernier.OutOfBudgetError`, ...) is raised by the next
        ``submit`` instead of enqueuing.  A batch whose ``submit`` raised was
        not enqueued: submit it again if you want it evaluated."""
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or \
                    not (timeout >= 0) or timeout != timeout:
                raise ValueError(f"timeout must be None or a number >= 0, got {timeout!r}")
            timeout = float(timeout)
        data, locate = results_input(detections, cast_inputs=self._evaluator.cast_inputs)
        try:
            self._live().submit(data, timeout)  # parsed here; freed here if refused
        except VernierError as e:
            if getattr(e, "batch_index", None) is None:
                relocate(e, locate)  # this batch's own error
            else:
                self._relocate_earlier(e)  # the worker's, about an accepted batch
            raise
        # "batch N" in the worker's later reports counts accepted batches
        self._locators.append(locate)

    def _relocate_earlier(self, e) -> None:
        """Name the Python object in an error the worker reports about an
        accepted batch (``batch N: [k].segmentation: ...``)."""
        n = getattr(e, "batch_index", None)
        if n is not None and 1 <= n <= len(self._locators):
            relocate(e, self._locators[n - 1])

    def _finalize(self, tables: bool):
        w = self._live()
        try:
            ev = w.finalize()  # drains, joins; raises unreported errors
        except VernierError as e:
            self._relocate_earlier(e)
            raise
        table = w.image_table() if tables else None
        self._final = self._counters(w)
        names = self._names
        self._release("finalized")
        return Summary(ev, self._evaluator.parity_mode, self._evaluator.iou, names), table

    def finalize(self) -> Summary:
        """Drain the queue, join the worker and return the :class:`Summary`
        of every batch accepted.  A worker error not yet raised by
        ``submit`` is raised here instead; call ``finalize()`` again for the
        summary of what was accepted.  After success, further calls raise
        :class:`~vernier.StateError`."""
        return self._finalize(False)[0]

    def finalize_with_tables(self) -> tuple:
        """:meth:`finalize`, plus two tables as dicts of numpy columns:

        per image (one row per ground-truth image, ascending id):
            ``image_id``; ``n_gt`` (ground truths on the image, crowd and
            ignored included); ``n_dt`` (detections kept: each category cut
            to the largest max-detection cap); ``tp`` (of those, true
            positives at the first IoU threshold, 0.5 by default, first area
            range); ``seen`` (a batch covered the image).
        per class (one row per category of the summary):
            ``category_id``; ``ap``, ``ap50`` and ``ar``: the summary's
            ``AP``, ``AP50`` and AR over all IoU thresholds in area "all"
            at the largest cap it reads (``AR100`` by default) restricted
            to the category, -1 where undefined -- columns of
            :meth:`Summary.per_class`, which has them all.

        Returns ``(summary, per_image, per_class)``."""
        summary, per_image = self._finalize(True)
        return summary, per_image, _per_class_table(summary)

    def finalize_to_partial(self, *, rank_id: int | None = None) -> bytes:
        """Drain the queue, join the worker and return its state as a
        partial (bytes) for :meth:`Evaluator.from_partials` on the head
        rank, instead of a :class:`Summary` (distributed evaluation, see
        docs/how-to/distributed-eval.md).  ``rank_id`` (default: the one
        given at construction, else 0) is recorded in the partial.  Errors
        and the finalized state as :meth:`finalize`."""
        rank = self._rank_id if rank_id is None else _ll.check_rank_id(rank_id)
        w = self._live()
        try:
            blob = w.finalize_to_partial(rank)
        except VernierError as e:
            self._relocate_earlier(e)
            raise
        self._final = self._counters(w)
        self._release("finalized")
        return blob

    def close(self) -> None:
        """Stop without finalizing: queued batches are dropped, the batch
        being matched is cancelled, the thread is joined.  Idempotent."""
        self._release("closed")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None and self._state == "open":
            try:
                self.finalize()  # drain and join; surfaces unreported errors
            finally:
                self.close()
        else:
            self.close()  # never raises over the original exception
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # -- counters ---------------------------------------------------------------

    @staticmethod
    def _counters(w) -> dict:
        return w.counters()

    def _counter(self, name):
        w = self._w
        if w is not None:
            return self._counters(w)[name]
        return self._final[name] if self._final is not None else 0

    @property
    def images_seen(self) -> int:
        """Images covered by the batches the worker has committed."""
        return self._counter("images_seen")

    @property
    def detections_seen(self) -> int:
        """Detections in the batches the worker has committed."""
        return self._counter("detections_seen")

    @property
    def queue_depth(self) -> int:
        """Batches waiting in the queue (not counting the one being matched)."""
        return self._counter("queue_depth")

    @property
    def memory_used_bytes(self) -> int:
        """Budgeted bytes held (ADR 0012): the ground-truth index and the
        committed per-cell records, scores and outcomes."""
        return self._counter("memory_used_bytes")

    @property
    def memory_breakdown(self) -> dict:
        """``memory_used_bytes`` by bucket, plus the unbudgeted ``queued`` and
        ``scratch_peak`` figures."""
        return dict(self._counter("breakdown"))

    @property
    def evaluator(self) -> Evaluator:
        """The :class:`Evaluator` (configuration) this evaluator runs: pass it
        to :meth:`Evaluator.from_partials` / ``merge_partials`` or
        :meth:`Evaluator.evaluate_to_partial` to stay consistent."""
        return self._evaluator

    @property
    def queue_capacity(self) -> int:
        """The queue's capacity, fixed at construction."""
        return self._capacity

    @property
    def memory_budget_bytes(self) -> int | None:
        """The budget (``None``: unlimited)."""
        return self._budget

    def __repr__(self) -> str:
        return (f"BackgroundEvaluator({self._evaluator.iou.name!r}, state={self._state!r}, "
                f"images_seen={self.images_seen}, queue_capacity={self._capacity})")
