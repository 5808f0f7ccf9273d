"""Keypoint parity on generated COCO-like person-keypoint workloads
(``parity.generate.make_keypoint_workload``).

Each case builds a seeded workload (integer GT keypoints with visibility
0/1/2, persons without keypoints, crowds, segmentation-like areas; results
with 51 floats from a simulated pose estimator), runs pycocotools (iouType
"keypoints") on it in the test and vernier (strict, ``Keypoints()``) on the
same data, and requires bit-identical stats, precision, recall, scores and
printed lines.

The cases vary the size (10..300 images), the seed, the generator's knobs,
whether the results carry a ``bbox`` (pycocotools' loadRes then takes its
bbox branch: detection area = box w*h; without it the keypoints branch:
area = the points' extent; "mixed": the first result has none, so the
others' boxes are overwritten), ``max_dets`` (the keypoint default (20,) and
(1, 20, 100)), ``use_cats``, the input forms, and the sigmas: two
categories sharing COCO's 17-point layout, with COCO's sigmas or with one
custom array given for both (pycocotools has a single ``kpt_oks_sigmas``).
One more case runs at COCO val2017 person scale.
"""

from __future__ import annotations

import json
import time
from typing import NamedTuple

import numpy as np
import pytest

from parity.checks import assert_keypoints_match, keypoint_sigmas_for, run_vernier, vernier_inputs
from parity.generate import (COCO_KEYPOINT_SIGMAS, make_keypoint_val2017_scale,
                             make_keypoint_workload)
from parity.oracle import run_pycocotools

# a non-COCO sigma array (same layout), shared by every category of a case
CUSTOM_SIGMAS = tuple(float(s) for s in np.round(np.array(COCO_KEYPOINT_SIGMAS) * 1.6 + 0.004, 4))
TWO_CATEGORIES = {"category_ids": (1, 2), "category_weights": (0.7, 0.3)}


class Case(NamedTuple):
    n_images: int
    seed: int
    max_dets: tuple | None = None
    use_cats: bool = True
    sigmas: tuple | None = None      # one array for all categories (None: COCO's via Keypoints())
    form: str = "bytes/bytes"        # see checks.vernier_inputs
    knobs: dict = {}                 # make_keypoint_workload keyword overrides

    @property
    def id(self) -> str:
        parts = [f"n{self.n_images}", f"s{self.seed}"]
        if self.max_dets is not None:
            parts.append("md" + "-".join(map(str, self.max_dets)))
        if not self.use_cats:
            parts.append("nocats")
        if self.sigmas is not None:
            parts.append("sigmas")
        parts.append(self.form.replace("/", "-"))
        parts.extend(f"{k}={v}" for k, v in self.knobs.items())
        return "_".join(parts)


CASES = [
    Case(10, 1),
    Case(10, 2, knobs={"result_bbox": True}, form="dataset/list"),
    Case(20, 3, max_dets=(1, 20, 100), form="bytes/list"),
    Case(30, 4, knobs={"result_bbox": "mixed"}, form="dataset/bytes"),
    Case(40, 5, knobs={"num_keypoints_mismatch_rate": 0.3}),
    Case(50, 6, knobs={"crowd_rate": 0.2, "keypoint_rate": (0.3, 0.5, 0.6)}, form="dataset/list"),
    Case(60, 7, max_dets=(1, 20, 100), knobs={"result_bbox": True, "crowded_image_rate": 0.4}),
    Case(80, 8, knobs={"exact_copy_rate": 0.4, "flip_rate": 0.2}, form="bytes/list"),
    Case(80, 9, knobs=TWO_CATEGORIES),
    Case(100, 10, sigmas=CUSTOM_SIGMAS, knobs=TWO_CATEGORIES, form="dataset/list"),
    Case(100, 11, sigmas=CUSTOM_SIGMAS, max_dets=(1, 20, 100), knobs={"result_bbox": True}),
    Case(120, 12, use_cats=False),   # computeOks has no useCats branch: nothing matches (F6)
    Case(150, 13, knobs={"duplicate_rate": 0.4, "quality": (0.01, 0.6)}, form="dataset/bytes"),
    Case(150, 14, max_dets=(20, 5, 1), knobs={**TWO_CATEGORIES, "confusion_rate": 0.3}),
    Case(200, 15, knobs={"occlusion": (0.3, 0.95), "occluded_visible_rate": 0.5},
         form="bytes/list"),
    Case(200, 16, knobs={"empty_gt_rate": 0.4, "empty_dt_rate": 0.3, "result_bbox": "mixed"}),
    Case(250, 17, max_dets=(1, 20, 100), knobs={"person_log_mu": 7.0, "recall": (0.9, 0.9, 0.9)},
         form="dataset/list"),
    Case(300, 18),
    Case(300, 19, knobs={"result_bbox": True}, form="dataset/bytes"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_generated_keypoint_workload(case: Case, vernier):
    gt, dt = make_keypoint_workload(case.n_images, case.seed, **case.knobs)
    gt_bytes, dt_bytes = json.dumps(gt).encode(), json.dumps(dt).encode()

    ref = run_pycocotools(gt_bytes, dt_bytes, "keypoints", max_dets=case.max_dets,
                          use_cats=case.use_cats, kpt_oks_sigmas=case.sigmas)
    summary = run_vernier(*vernier_inputs(gt_bytes, dt_bytes, case.form), iou="keypoints",
                          max_dets=case.max_dets, use_cats=case.use_cats,
                          sigmas=keypoint_sigmas_for(gt_bytes, case.sigmas))
    assert_keypoints_match(summary, ref, label=case.id)


def test_generated_keypoint_workloads_are_what_they_claim():
    """The generator makes what the cases rely on: integer GT keypoints with
    visibility 0/1/2 and consistent num_keypoints, persons and crowds without
    keypoints, areas unlike the box's, 51-float results, score ties, more than
    20 results on some images, and results with / without ``bbox``."""
    gt, dt = make_keypoint_workload(300, 18)
    anns = gt["annotations"]
    assert [len(c["keypoints"]) for c in gt["categories"]] == [17]
    for a in anns:
        kps = a["keypoints"]
        assert len(kps) == 51 and all(type(v) is int for v in kps)
        assert set(kps[2::3]) <= {0, 1, 2}
        assert a["num_keypoints"] == sum(v > 0 for v in kps[2::3])
        assert a["area"] != a["bbox"][2] * a["bbox"][3]
    with_kps = sum(a["num_keypoints"] > 0 for a in anns)
    assert 0.3 * len(anns) < with_kps < 0.9 * len(anns)
    assert any(a["iscrowd"] for a in anns)
    assert all(a["num_keypoints"] == 0 for a in anns if a["iscrowd"])
    assert {v for a in anns for v in a["keypoints"][2::3]} == {0, 1, 2}
    assert all(len(d["keypoints"]) == 51 and "bbox" not in d for d in dt)
    per_image: dict[int, int] = {}
    for d in dt:
        per_image[d["image_id"]] = per_image.get(d["image_id"], 0) + 1
    assert max(per_image.values()) > 20
    scores = [d["score"] for d in dt]
    assert len(set(scores)) < len(scores)
    _, dt_bbox = make_keypoint_workload(50, 7, result_bbox=True)
    assert all(len(d["bbox"]) == 4 for d in dt_bbox)
    _, dt_mixed = make_keypoint_workload(50, 7, result_bbox="mixed")
    assert "bbox" not in dt_mixed[0] and any("bbox" in d for d in dt_mixed)
    gt2, _ = make_keypoint_workload(50, 9, **TWO_CATEGORIES)
    assert [c["keypoints"] for c in gt2["categories"]] == [gt["categories"][0]["keypoints"]] * 2


def test_generated_keypoint_workloads_are_deterministic():
    """A failing case must be rebuildable from its id: same seed, same bytes."""
    a = json.dumps(make_keypoint_workload(30, 99)).encode()
    b = json.dumps(make_keypoint_workload(30, 99)).encode()
    assert a == b
    assert a != json.dumps(make_keypoint_workload(30, 100)).encode()


@pytest.mark.slow
def test_keypoint_val2017_person_scale(vernier, capsys):
    """5,000 images, ~2,700 with persons, ~11k person GT (~6k with keypoints),
    >= 50k results, compared bit for bit."""
    gt, dt = make_keypoint_val2017_scale()
    anns = gt["annotations"]
    assert len(gt["images"]) == 5000
    assert 2_400 <= len({a["image_id"] for a in anns}) <= 3_000
    assert 10_000 <= len(anns) <= 12_000
    assert 5_000 <= sum(a["num_keypoints"] > 0 for a in anns) <= 7_500
    assert len(dt) >= 50_000
    gt_bytes, dt_bytes = json.dumps(gt).encode(), json.dumps(dt).encode()
    del gt, dt, anns

    t0 = time.perf_counter()
    ref = run_pycocotools(gt_bytes, dt_bytes, "keypoints")
    t1 = time.perf_counter()
    summary = run_vernier(gt_bytes, dt_bytes, iou="keypoints")
    t2 = time.perf_counter()
    with capsys.disabled():
        print(f"\n[keypoint val2017-scale] pycocotools {t1 - t0:.1f}s, vernier {t2 - t1:.2f}s")
    assert_keypoints_match(summary, ref, label="keypoint val2017-scale")
