"""Bbox parity on generated COCO-like workloads (``parity.generate.make_workload``).

Each case builds a seeded workload, runs pycocotools on it in the test and
vernier (strict) on the same data, and requires bit-identical stats,
precision, recall, scores and printed lines.  The cases vary the size
(10..500 images), the generator's knobs, ``use_cats``, ``max_dets`` and the
input forms; one more case runs at COCO val2017 scale.
"""

from __future__ import annotations

import json
import time
from typing import NamedTuple

import pytest

from parity.checks import assert_matches_oracle, run_vernier, vernier_inputs
from parity.generate import make_val2017_scale, make_workload
from parity.oracle import run_pycocotools


class Case(NamedTuple):
    n_images: int
    seed: int
    use_cats: bool = True
    max_dets: tuple | None = None
    form: str = "bytes/bytes"        # see checks.vernier_inputs
    knobs: dict = {}                 # make_workload keyword overrides

    @property
    def id(self) -> str:
        parts = [f"n{self.n_images}", f"s{self.seed}", "cats" if self.use_cats else "nocats"]
        if self.max_dets is not None:
            parts.append("md" + "-".join(map(str, self.max_dets)))
        parts.append(self.form.replace("/", "-"))
        parts.extend(f"{k}={v}" for k, v in self.knobs.items())
        return "_".join(parts)


CASES = [
    Case(10, 1),
    Case(10, 2, use_cats=False, form="dataset/list"),
    Case(20, 3, max_dets=(1, 5, 50), form="bytes/list"),
    Case(25, 4, knobs={"crowd_rate": 0.15}, form="dataset/bytes"),
    Case(30, 5, max_dets=(100, 10, 1)),                      # unsorted: pycocotools sorts
    Case(40, 6, use_cats=False, max_dets=(1, 5, 50), form="dataset/list"),
    Case(50, 7, knobs={"exact_area_rate": 0.4}),
    Case(50, 8, knobs={"exact_copy_rate": 0.3, "integer_shift_rate": 0.3}, form="bytes/list"),
    Case(60, 9, knobs={"crowded_image_rate": 0.3}, max_dets=(1, 10, 300)),
    Case(60, 10, knobs={"duplicate_rate": 0.4, "confusion_rate": 0.3}, form="dataset/bytes"),
    Case(80, 11, knobs={"empty_gt_rate": 0.3, "empty_dt_rate": 0.3}),
    Case(80, 12, use_cats=False, knobs={"polygon_area_rate": 0.8}),
    Case(100, 13, max_dets=(1, 10, 100), form="dataset/list"),
    Case(100, 14, knobs={"mean_gt_per_image": 2.0, "fp_per_image": 12.0}),
    Case(120, 15, max_dets=(5, 20, 50), knobs={"absent_category_dets": 40}, form="bytes/list"),
    Case(150, 16, use_cats=False, max_dets=(100, 10, 1)),
    Case(150, 17, knobs={"recall": (0.3, 0.5, 0.7)}, form="dataset/bytes"),
    Case(200, 18),
    Case(200, 19, use_cats=False, form="dataset/list"),
    Case(250, 20, max_dets=(1, 5, 50), knobs={"zipf_exponent": 0.6}),
    Case(300, 21, form="bytes/list"),
    Case(400, 22, knobs={"crowd_rate": 0.05, "exact_area_rate": 0.1}),
    Case(500, 23, form="dataset/list"),
    Case(500, 24, use_cats=False, max_dets=(1, 10, 100)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_generated_workload(case: Case, vernier):
    gt, dt = make_workload(case.n_images, case.seed, **case.knobs)
    gt_bytes, dt_bytes = json.dumps(gt).encode(), json.dumps(dt).encode()

    ref = run_pycocotools(gt_bytes, dt_bytes, "bbox", max_dets=case.max_dets, use_cats=case.use_cats)
    summary = run_vernier(*vernier_inputs(gt_bytes, dt_bytes, case.form),
                          max_dets=case.max_dets, use_cats=case.use_cats)
    assert_matches_oracle(summary, ref, label=case.id)


def test_generated_workloads_are_deterministic():
    """A failing case must be rebuildable from its id: same seed, same bytes."""
    a = json.dumps(make_workload(30, 99)).encode()
    b = json.dumps(make_workload(30, 99)).encode()
    assert a == b
    assert a != json.dumps(make_workload(30, 100)).encode()


@pytest.mark.slow
def test_val2017_scale(vernier, capsys):
    """5,000 images, ~36k GT, >=150k detections, compared bit for bit."""
    gt, dt = make_val2017_scale()
    assert len(gt["images"]) == 5000
    assert 33_000 <= len(gt["annotations"]) <= 39_000
    assert len(dt) >= 150_000
    gt_bytes, dt_bytes = json.dumps(gt).encode(), json.dumps(dt).encode()
    del gt, dt

    t0 = time.perf_counter()
    ref = run_pycocotools(gt_bytes, dt_bytes, "bbox")
    t1 = time.perf_counter()
    summary = run_vernier(gt_bytes, dt_bytes)
    t2 = time.perf_counter()
    with capsys.disabled():
        print(f"\n[val2017-scale] pycocotools {t1 - t0:.1f}s, vernier {t2 - t1:.2f}s")
    assert_matches_oracle(summary, ref, label="val2017-scale")
