"""The pycocotools drop-in: what it costs against the native API, and what
it saves unmodified third-party code.  Run with ``make bench`` (or
``pytest benchmarks/bench_dropin.py --benchmark-only``).  Groups:

* ``drop-in vs native``: on the val2017-scale bbox workload, from the files
  on disk: ``COCOeval.evaluate()``, ``accumulate()``, ``summarize()`` on
  ``vernier.COCO`` / ``loadRes`` objects built beforehand (issue 15's bound:
  at most 1.3x ``Evaluator.evaluate(gt, dt)``, strict, which reads the
  files itself), and the whole script with ``COCO(gt)`` and ``loadRes(dt)``
  (Python dicts of every annotation, as pycocotools builds them).
* ``torchmetrics <iou> compute``: torchmetrics' ``MeanAveragePrecision``
  (pycocotools backend, ``class_metrics`` and ``extended_summary`` on) on a
  generated workload of 200 images, ``compute()`` only, unpatched
  (pycocotools) against under ``vernier.patch_pycocotools()``.  Needs torch
  and torchmetrics (``make venv-torch``); the torchvision test double of
  python/tests stands in for torchvision.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys

import pytest

DROPIN = "drop-in vs native: val2017-scale bbox, files -> stats"
HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "..", "python", "tests")


def _load(gt, dt):
    import vernier

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = vernier.COCO(str(gt))
        coco_dt = coco_gt.loadRes(str(dt))
    return coco_gt, coco_dt


def _run(coco_gt, coco_dt):
    import vernier

    with contextlib.redirect_stdout(io.StringIO()):
        ev = vernier.COCOeval(coco_gt, coco_dt, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return list(ev.stats)


def _dropin(gt, dt):
    return _run(*_load(gt, dt))


def _native(gt, dt):
    from vernier import Bbox, Evaluator

    return list(Evaluator(iou=Bbox(), parity_mode="strict").evaluate(str(gt), str(dt)).stats)


def test_dropin_cocoeval(benchmark, val2017_files):
    """COCOeval(...) + evaluate + accumulate + summarize on COCO objects built
    beforehand (each round on fresh ones, as a script would): the bound."""
    benchmark.group = DROPIN
    benchmark.name = "vernier.COCOeval (drop-in): evaluate + accumulate + summarize"
    stats = benchmark.pedantic(_run, setup=lambda: (_load(*val2017_files), {}), rounds=5,
                               iterations=1, warmup_rounds=1)
    assert stats == _native(*val2017_files)


def test_dropin_whole_script(benchmark, val2017_files):
    """The whole pycocotools-style script: COCO(gt) and loadRes(dt) (JSON
    read into Python dicts, as pycocotools' own) included."""
    benchmark.group = DROPIN
    benchmark.name = "vernier.COCO + loadRes + COCOeval (drop-in, whole script)"
    stats = benchmark.pedantic(_dropin, args=val2017_files, rounds=3, iterations=1,
                               warmup_rounds=1)
    assert len(stats) == 12


def test_native_evaluator(benchmark, val2017_files):
    benchmark.group = DROPIN
    benchmark.name = "vernier.Evaluator.evaluate (native)"
    stats = benchmark.pedantic(_native, args=val2017_files, rounds=5, iterations=1,
                               warmup_rounds=1)
    assert len(stats) == 12


# ---- torchmetrics ----------------------------------------------------------------

@pytest.fixture(scope="module")
def torchmetrics_map():
    pytest.importorskip("torch")
    sys.path.insert(0, os.path.join(TESTS, "torchvision_double"))
    sys.path.insert(0, TESTS)
    try:
        pytest.importorskip("torchmetrics")
        from torchmetrics.detection import MeanAveragePrecision

        import test_dropin_torchmetrics as tm
        yield MeanAveragePrecision, tm._workload
    finally:
        sys.path.remove(TESTS)
        sys.path.remove(os.path.join(TESTS, "torchvision_double"))


def _compute_once(metric_cls, preds, target, kw, patched):
    import vernier

    metric = metric_cls(backend="pycocotools", **kw)
    metric.update(preds, target)
    with (vernier.patch_pycocotools() if patched else contextlib.nullcontext()):
        return metric.compute()


@pytest.mark.parametrize("iou_type", ["bbox", "segm"])
@pytest.mark.parametrize("patched", [False, True], ids=["pycocotools", "vernier-patched"])
def test_torchmetrics_compute(benchmark, torchmetrics_map, iou_type, patched):
    metric_cls, workload = torchmetrics_map
    preds, target = workload(3, n_images=200, masks=iou_type == "segm")
    kw = dict(iou_type=iou_type, class_metrics=True, extended_summary=True)
    benchmark.group = f"torchmetrics {iou_type} compute, 200 images"
    benchmark.name = "vernier.patch_pycocotools()" if patched else "pycocotools"
    out = benchmark.pedantic(_compute_once, args=(metric_cls, preds, target, kw, patched),
                             rounds=7, iterations=1, warmup_rounds=1)
    assert "map" in out
