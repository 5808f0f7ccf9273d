"""Instance-level evaluation: COCO's detection metrics (AP/AR, pycocotools
2.0.11 bit for bit in ``parity_mode="strict"``) over boxes (:class:`Bbox`),
masks (:class:`Segm`), mask boundaries (:class:`Boundary`) and keypoints
(:class:`Keypoints`).

    >>> from vernier.instance import Bbox, CocoDataset, Evaluator
    >>> gt = CocoDataset("instances_val2017.json")             # doctest: +SKIP
    >>> summary = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(gt, dt)  # doctest: +SKIP
    >>> summary.stats[0]                                       # doctest: +SKIP

:class:`Evaluator` is the one configuration object (kernel, parity mode,
caps, grids, ``use_cats``, ``cast_inputs``): it evaluates at once
(:meth:`Evaluator.evaluate`), on a worker thread (:class:`BackgroundEvaluator`,
:meth:`Evaluator.background`), or per rank (:meth:`Evaluator.evaluate_to_partial`,
merged by :meth:`Evaluator.from_partials`; :func:`partial_info` reads a
partial's header).  :class:`Summary` holds the outcome.

The stable import path of the public API; the code lives in private modules
by concern: ``_kernels`` (IoU kernels, grid validation), ``_dataset``
(CocoDataset), ``_convert`` (detections input), ``_summary`` (Summary),
``_evaluator`` (Evaluator, partials), ``_background``
(BackgroundEvaluator); ``_lowlevel`` is the one boundary to C.
"""
from __future__ import annotations

from ._background import BackgroundEvaluator
from ._dataset import CocoDataset
from ._errors import (DuplicateImageError, OutOfBudgetError, PartialCorruptError,
                      PartialDatasetMismatchError, PartialError, PartialMismatchError,
                      PartialOverlapError, PartialVersionError, QueueFullError, StateError)
from ._evaluator import Evaluator, partial_info
from ._kernels import AREA_RANGE_LABELS, PARITY_MODES, Bbox, Boundary, Keypoints, Segm
from ._summary import Summary
from ._tables import MissingDependencyError, Table

__all__ = ["Bbox", "Segm", "Boundary", "Keypoints", "CocoDataset", "Evaluator", "Summary",
           "Table", "MissingDependencyError",
           "BackgroundEvaluator", "OutOfBudgetError", "QueueFullError", "DuplicateImageError",
           "StateError", "PartialError", "PartialCorruptError", "PartialVersionError",
           "PartialMismatchError", "PartialDatasetMismatchError", "PartialOverlapError",
           "partial_info",
           "PARITY_MODES"]

# AREA_RANGE_LABELS stays importable from here (outside __all__, as before)
