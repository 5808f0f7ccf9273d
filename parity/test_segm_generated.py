"""Segm parity on generated COCO-like workloads (``parity.generate.make_segm_workload``).

Each case builds a seeded segm workload (polygon GT, uncompressed-RLE
crowds, compressed-RLE results), runs pycocotools (iouType "segm") on it in
the test and vernier (strict, ``Segm()``) on the same data, and requires
bit-identical stats, precision, recall, scores and printed lines.

The cases vary the size (10..300 images), the seed, the generator's knobs,
``use_cats``, ``max_dets``, the input forms, and whether the results carry
a ``bbox``: with it, pycocotools' loadRes takes its bbox branch (detection
area = box w*h, so area buckets follow the box; polygon / uncompressed-RLE /
missing segmentations become possible), without it the segm branch (area =
mask area, bbox = toBbox(mask)).  One more case runs at val2017 scale.
"""

from __future__ import annotations

import json
import time
from typing import NamedTuple

import numpy as np
import pytest

from parity.checks import assert_matches_oracle, run_vernier, vernier_inputs
from parity.generate import make_segm_val2017_scale, make_segm_workload
from parity.oracle import run_pycocotools


class Case(NamedTuple):
    n_images: int
    seed: int
    result_bbox: bool = False
    use_cats: bool = True
    max_dets: tuple | None = None
    form: str = "bytes/bytes"        # checks.vernier_inputs, or ".../list-bytes" (counts as bytes)
    knobs: dict = {}                 # make_segm_workload keyword overrides

    @property
    def id(self) -> str:
        parts = [f"n{self.n_images}", f"s{self.seed}", "bbox" if self.result_bbox else "nobbox",
                 "cats" if self.use_cats else "nocats"]
        if self.max_dets is not None:
            parts.append("md" + "-".join(map(str, self.max_dets)))
        parts.append(self.form.replace("/", "-"))
        parts.extend(f"{k}={v}" for k, v in self.knobs.items())
        return "_".join(parts)


RESULT_FORMS = {"result_polygon_rate": 0.3, "result_uncompressed_rate": 0.2, "bbox_only_rate": 0.05}

CASES = [
    Case(10, 1),
    Case(10, 2, result_bbox=True, form="dataset/list"),
    Case(20, 3, use_cats=False, form="bytes/list"),
    Case(25, 4, knobs={"crowd_rate": 0.15, "crowd_compressed_rate": 0.3}, form="dataset/bytes"),
    Case(30, 5, result_bbox=True, max_dets=(100, 10, 1)),           # unsorted: pycocotools sorts
    Case(40, 6, knobs={"tiny_rate": 0.4, "edge_rate": 0.3, "outside_rate": 0.1}),
    Case(50, 7, knobs={"exact_copy_rate": 0.3, "integer_shift_rate": 0.2, "morph_rate": 0.3},
         form="dataset/list-bytes"),
    Case(60, 8, result_bbox=True, knobs=RESULT_FORMS, form="bytes/list"),
    Case(60, 9, max_dets=(1, 10, 300), knobs={"crowded_image_rate": 0.3}),
    Case(80, 10, result_bbox=True, use_cats=False, max_dets=(1, 5, 50), form="dataset/list"),
    Case(100, 11, knobs={"empty_mask_rate": 0.1, "box_mask_rate": 0.2, "area_mismatch_rate": 0.5}),
    Case(120, 12, result_bbox=True, knobs={"duplicate_rate": 0.4, "confusion_rate": 0.3},
         form="dataset/bytes"),
    Case(150, 13, knobs={"empty_gt_rate": 0.3, "empty_dt_rate": 0.3, "gt_float_rate": 0.5},
         form="dataset/list"),
    Case(200, 14, use_cats=False, form="bytes/list"),
    Case(250, 15, result_bbox=True, max_dets=(1, 10, 100),
         knobs={"result_polygon_rate": 0.1, "crowd_rate": 0.05}),
    Case(300, 16, form="dataset/list"),
    Case(300, 17, result_bbox=True, use_cats=False, form="dataset/bytes"),
]


def _inputs(gt_bytes: bytes, dt_bytes: bytes, form: str):
    if form.endswith("list-bytes"):
        gt, _ = vernier_inputs(gt_bytes, dt_bytes, form.replace("list-bytes", "bytes"))
        dt = json.loads(dt_bytes)
        for d in dt:          # pycocotools accepts compressed counts as bytes too
            seg = d.get("segmentation")
            if isinstance(seg, dict) and isinstance(seg.get("counts"), str):
                seg["counts"] = seg["counts"].encode("ascii")
        return gt, dt
    return vernier_inputs(gt_bytes, dt_bytes, form)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_generated_segm_workload(case: Case, vernier):
    gt, dt = make_segm_workload(case.n_images, case.seed, result_bbox=case.result_bbox, **case.knobs)
    gt_bytes, dt_bytes = json.dumps(gt).encode(), json.dumps(dt).encode()

    ref = run_pycocotools(gt_bytes, dt_bytes, "segm", max_dets=case.max_dets, use_cats=case.use_cats)
    summary = run_vernier(*_inputs(gt_bytes, dt_bytes, case.form), iou="segm",
                          max_dets=case.max_dets, use_cats=case.use_cats)
    assert_matches_oracle(summary, ref, label=case.id)


def test_cases_cover_the_brief():
    """>= 12 workloads, 10..300 images, both loadRes branches, both useCats, several maxDets."""
    assert len(CASES) >= 12
    assert min(c.n_images for c in CASES) == 10 and max(c.n_images for c in CASES) == 300
    assert {c.result_bbox for c in CASES} == {True, False}
    assert {c.use_cats for c in CASES} == {True, False}
    assert len({c.max_dets for c in CASES}) >= 4
    assert {c.form.split("/")[1] for c in CASES} == {"bytes", "list", "list-bytes"}


def test_generated_segm_workloads_are_deterministic():
    """A failing case must be rebuildable from its id: same seed, same bytes."""
    a = json.dumps(make_segm_workload(15, 99)).encode()
    b = json.dumps(make_segm_workload(15, 99)).encode()
    assert a == b
    assert a != json.dumps(make_segm_workload(15, 100)).encode()


def test_result_bbox_knob_only_adds_boxes():
    """With and without ``result_bbox`` the masks and scores are the same; only
    the ``bbox`` key differs -- so the two loadRes branches are compared on
    the same detector output, and they do give different numbers."""
    gt_a, dt_a = make_segm_workload(40, 21)
    gt_b, dt_b = make_segm_workload(40, 21, result_bbox=True)
    assert gt_a == gt_b
    assert len(dt_a) == len(dt_b)
    assert all("bbox" not in d for d in dt_a) and all(len(d["bbox"]) == 4 for d in dt_b)
    assert [{k: v for k, v in d.items() if k != "bbox"} for d in dt_b] == dt_a
    without = run_pycocotools(gt_a, dt_a, "segm")
    with_box = run_pycocotools(gt_b, dt_b, "segm")
    # same IoUs, different area buckets: "all" agrees, small/medium/large do not
    assert np.array_equal(without.precision[:, :, :, 0, :], with_box.precision[:, :, :, 0, :])
    assert not np.array_equal(without.precision[:, :, :, 1:, :], with_box.precision[:, :, :, 1:, :])


def test_generated_segm_workload_shapes():
    """The generator makes what its docstring promises (so the cases above test it)."""
    gt, dt = make_segm_workload(200, 31, crowd_rate=0.03, result_bbox=True, **RESULT_FORMS)
    sizes = {img["id"]: (img["width"], img["height"]) for img in gt["images"]}
    polys = [a for a in gt["annotations"] if not a["iscrowd"]]
    crowds = [a for a in gt["annotations"] if a["iscrowd"]]
    assert crowds and all(isinstance(a["segmentation"]["counts"], list) for a in crowds)
    assert all(sum(a["segmentation"]["counts"]) == sizes[a["image_id"]][0] * sizes[a["image_id"]][1]
               for a in crowds)
    n_parts = {len(a["segmentation"]) for a in polys}
    assert n_parts == {1, 2, 3}
    vertices = [len(p) // 2 for a in polys for p in a["segmentation"]]
    assert min(vertices) >= 8 and max(vertices) <= 40 and all(len(p) % 2 == 0
                                                              for a in polys for p in a["segmentation"])
    on_edge = sum(any(v == 0.0 for p in a["segmentation"] for v in p) or
                  any(p[i] == sizes[a["image_id"]][0] for p in a["segmentation"] for i in range(0, len(p), 2))
                  for a in polys)
    assert on_edge >= 0.03 * len(polys)
    assert sum(a["area"] == 0.0 for a in polys) >= 1                   # rasterised to nothing
    assert sum(0.0 < a["area"] < 32 for a in polys) >= 10               # tiny
    assert sum(a["area"] != int(a["area"]) for a in polys) >= 5          # shoelace areas
    forms = {"rle": 0, "polygon": 0, "uncompressed": 0, "none": 0}
    for d in dt:
        seg = d.get("segmentation")
        if seg is None:
            forms["none"] += 1
        elif isinstance(seg, list):
            forms["polygon"] += 1
        elif isinstance(seg["counts"], list):
            forms["uncompressed"] += 1
        else:
            assert isinstance(seg["counts"], str)
            forms["rle"] += 1
    assert all(v > 0 for v in forms.values()), forms
    assert len({d["score"] for d in dt}) < len(dt)                      # score ties


@pytest.mark.slow
def test_segm_val2017_scale(vernier, capsys):
    """5,000 images, ~36k GT, >=150k mask results (no bbox: mask areas), bit for bit."""
    t0 = time.perf_counter()
    gt, dt = make_segm_val2017_scale()
    assert len(gt["images"]) == 5000
    assert 33_000 <= len(gt["annotations"]) <= 39_000
    assert len(dt) >= 150_000
    gt_bytes, dt_bytes = json.dumps(gt).encode(), json.dumps(dt).encode()
    del gt, dt

    t1 = time.perf_counter()
    ref = run_pycocotools(gt_bytes, dt_bytes, "segm")
    t2 = time.perf_counter()
    summary = run_vernier(gt_bytes, dt_bytes, iou="segm")
    t3 = time.perf_counter()
    with capsys.disabled():
        print(f"\n[segm val2017-scale] generation {t1 - t0:.1f}s, pycocotools {t2 - t1:.1f}s, "
              f"vernier {t3 - t2:.2f}s")
    assert_matches_oracle(summary, ref, label="segm val2017-scale")
