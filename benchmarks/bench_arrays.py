"""Submit cost per batch by input form: arrays (issue 18) vs JSON.

Run with ``make bench`` (or ``pytest benchmarks/bench_arrays.py
--benchmark-only -s``).  Batches of 100 and 1,000 bbox detections (whole
images: 20 / 40 detections on each of 5 / 25 images of a 5,000-image ground
truth built with CocoDataset.from_arrays) go to
``BackgroundEvaluator.submit`` in four forms:

* ``arrays``: a Detections dict of float64 / int64 numpy arrays (the column
  path: vernier_results_from_columns);
* ``json``: loadRes JSON bytes already serialised (parsed in C);
* ``dicts``: a list of loadRes result dicts (serialised to JSON in Python);
* ``arrays via JSON``: what a Detections dict cost before issue 18 (the
  arrays turned into result dicts, then JSON), for the comparison.

Each call is timed on its own (perf_counter) into a queue large enough never
to fill; the median and p99 per batch are printed and recorded in the
benchmark's ``extra_info`` (docs/explanation/performance.md quotes them).
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

GROUP = "submit cost by input form"
N_IMAGES = 5000
N_BATCHES = 200


@pytest.fixture(scope="module")
def gt():
    from vernier.instance import CocoDataset

    ids = np.arange(1, N_IMAGES + 1)
    return CocoDataset.from_arrays(
        images={"id": ids, "width": np.full(N_IMAGES, 640), "height": np.full(N_IMAGES, 480)},
        categories={"id": np.arange(1, 81)},
        annotations={"id": ids, "image_id": ids, "category_id": (ids % 80) + 1,
                     "bbox": np.tile([10.0, 10.0, 50.0, 40.0], (N_IMAGES, 1)),
                     "area": np.full(N_IMAGES, 2000.0), "iscrowd": np.zeros(N_IMAGES, np.uint8)})


def _batches(size: int, per_image: int) -> list:
    rng = np.random.default_rng(size)
    images = size // per_image
    out = []
    for j in range(N_BATCHES):
        first = 1 + (j * images) % N_IMAGES
        out.append({"image_id": np.repeat(np.arange(first, first + images), per_image),
                    "labels": rng.integers(1, 81, size),
                    "scores": rng.random(size),
                    "boxes": np.round(rng.random((size, 4)) * 300, 2)})
    return out


def _forms(batches):
    from vernier._convert import _detections_bytes

    def records(d):
        return [{"image_id": int(i), "category_id": int(c), "score": float(s),
                 "bbox": [float(x) for x in b]}
                for i, c, s, b in zip(d["image_id"], d["labels"], d["scores"], d["boxes"])]

    return {"arrays": (batches, lambda x: x),
            "json": ([json.dumps(records(d)).encode() for d in batches], lambda x: x),
            "dicts": ([records(d) for d in batches], lambda x: x),
            "arrays via JSON": (batches, _detections_bytes)}


@pytest.mark.parametrize("size, per_image", [(100, 20), (1000, 40)])
@pytest.mark.parametrize("form", ["arrays", "json", "dicts", "arrays via JSON"])
def test_submit_cost(benchmark, gt, size, per_image, form):
    from vernier.instance import Evaluator

    # the images of a batch must not repeat across batches: fewer batches of 1,000
    n = min(N_BATCHES, N_IMAGES // (size // per_image))
    items, prepare = _forms(_batches(size, per_image)[:n])[form]
    ev = Evaluator(parity_mode="strict")
    times = []

    def run():
        times.clear()
        with ev.background(gt, queue_capacity=len(items) + 1) as bg:
            for x in items:
                t0 = time.perf_counter()
                bg.submit(prepare(x))
                times.append(time.perf_counter() - t0)
            bg.finalize()

    benchmark.group = f"{GROUP}, {size} detections"
    benchmark.name = f"submit ({form})"
    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=1)
    us = np.array(times) * 1e6
    benchmark.extra_info["submit_median_us"] = float(np.median(us))
    benchmark.extra_info["submit_p99_us"] = float(np.percentile(us, 99))
    print(f"\nsubmit, {size} detections, {form}: median {np.median(us):.1f} us, "
          f"p99 {np.percentile(us, 99):.1f} us")


# ---- end to end: a training-loop metric at val2017 scale ----------------------------

TESTS = __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "python",
                                   "tests")


@pytest.fixture(scope="module")
def val2017_batches(val2017_files):
    """The val2017-scale bbox workload as torchvision-style lists of dicts of
    torch tensors (xywh float64), one per image, in batches of 8."""
    torch = pytest.importorskip("torch")
    gt_path, dt_path = val2017_files
    gt, dt = json.loads(gt_path.read_bytes()), json.loads(dt_path.read_bytes())
    anns, dets = {}, {}
    for a in gt["annotations"]:
        anns.setdefault(a["image_id"], []).append(a)
    for d in dt:
        dets.setdefault(d["image_id"], []).append(d)

    def t(rows, key, dtype, shape=(-1,)):
        return torch.tensor(np.array([r[key] for r in rows], dtype).reshape(shape))

    preds, targets = [], []
    for img in sorted(i["id"] for i in gt["images"]):
        g, d = anns.get(img, []), dets.get(img, [])
        targets.append({"boxes": t(g, "bbox", np.float64, (-1, 4)),
                        "labels": t(g, "category_id", np.int64),
                        "iscrowd": t(g, "iscrowd", np.int64), "area": t(g, "area", np.float64)})
        preds.append({"boxes": t(d, "bbox", np.float64, (-1, 4)),
                      "scores": t(d, "score", np.float64),
                      "labels": t(d, "category_id", np.int64)})
    return [(preds[i:i + 8], targets[i:i + 8]) for i in range(0, len(preds), 8)]


def _update_compute(metric_cls, batches, **kw):
    metric = metric_cls(iou_type="bbox", box_format="xywh", **kw)
    for p, t in batches:
        metric.update(p, t)
    return metric.compute()


def test_metric_end_to_end_vernier(benchmark, val2017_batches):
    from vernier.metrics import MeanAveragePrecision

    benchmark.group = "training-loop metric, val2017 scale (5,000 images): update + compute"
    benchmark.name = "vernier.metrics.MeanAveragePrecision"
    out = benchmark.pedantic(_update_compute, args=(MeanAveragePrecision, val2017_batches),
                             rounds=3, iterations=1)
    assert float(out["map"]) > 0


def test_metric_end_to_end_torchmetrics(benchmark, val2017_batches):
    import os
    import sys

    double = os.path.join(TESTS, "torchvision_double")
    sys.path.insert(0, double)
    try:
        pytest.importorskip("torchmetrics")
        from torchmetrics.detection import MeanAveragePrecision
        benchmark.group = "training-loop metric, val2017 scale (5,000 images): update + compute"
        benchmark.name = "torchmetrics MeanAveragePrecision (pycocotools backend)"
        out = benchmark.pedantic(_update_compute, args=(MeanAveragePrecision, val2017_batches),
                                 kwargs={"backend": "pycocotools"}, rounds=1, iterations=1)
    finally:
        sys.path.remove(double)
    from vernier.metrics import MeanAveragePrecision as Ours
    ours = _update_compute(Ours, val2017_batches)
    for k, v in out.items():  # the same numbers
        assert np.asarray(ours[k]).reshape(-1).tobytes() == v.numpy().reshape(-1).tobytes(), k
