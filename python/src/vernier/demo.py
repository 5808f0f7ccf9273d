"""Evaluate the sample shipped with vernier and print the summary.

    python -m vernier.demo

The sample is 100 COCO val2014 images with cocoapi's demonstration bbox
results (see vernier/data/README.md); pycocotools prints AP 0.505 for it.
"""
from __future__ import annotations

import time
from importlib import resources

from .instance import Bbox, CocoDataset, Evaluator


def main(argv=None) -> int:
    data = resources.files("vernier") / "data"
    gt_bytes = (data / "instances_val2014_100.json").read_bytes()
    dt_bytes = (data / "instances_val2014_fakebbox100_results.json").read_bytes()
    t0 = time.perf_counter()
    gt = CocoDataset.from_json(gt_bytes, source="instances_val2014_100.json")
    summary = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(gt, dt_bytes)
    elapsed = time.perf_counter() - t0
    print(f"vernier: bbox evaluation of {gt.num_images} images, {gt.num_annotations} "
          f"annotations, {len(summary.category_ids)} categories ({elapsed * 1000:.1f} ms), "
          f"parity_mode={summary.parity_mode!r} (pycocotools 2.0.11's numbers, bit for bit)")
    print(summary)
    return 0


if __name__ == "__main__":
    from vernier import _run_entry_point
    _run_entry_point(main)
