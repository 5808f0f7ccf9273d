"""Instance-level evaluation: COCO bbox AP/AR, pycocotools-exact.

    >>> from vernier.instance import Bbox, CocoDataset, Evaluator
    >>> gt = CocoDataset.from_json(gt_bytes)                  # doctest: +SKIP
    >>> summary = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(gt, dt_bytes)  # doctest: +SKIP
    >>> summary.stats[0]                                      # doctest: +SKIP

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

__all__ = ["Bbox", "Segm", "Boundary", "Keypoints", "CocoDataset", "Evaluator", "Summary",
           "BackgroundEvaluator", "OutOfBudgetError", "QueueFullError", "DuplicateImageError",
           "StateError", "PartialError", "PartialCorruptError", "PartialVersionError",
           "PartialMismatchError", "PartialDatasetMismatchError", "PartialOverlapError",
           "partial_info",
           "PARITY_MODES"]

# AREA_RANGE_LABELS stays importable from here (outside __all__, as before)
