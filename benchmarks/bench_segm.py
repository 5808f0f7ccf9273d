"""val2017-scale mask evaluation: vernier vs pycocotools (segm) and vs
faster-coco-eval (Boundary IoU), and what a warm CocoDataset saves.

Run with ``make bench`` (or ``pytest benchmarks/bench_segm.py --benchmark-only``).
The workload (5,000 images, ~36k polygon GT, ~170k compressed-RLE results
without ``bbox``; ``parity.generate.make_segm_val2017_scale``) is generated
once per session, in about a minute.  Groups:

* ``segm: JSON bytes -> stats``: vernier (Segm, strict) and pycocotools
  (iouType "segm", one round: about a minute), both from JSON bytes in
  memory; faster-coco-eval from the files, when it is installed.
* ``boundary: JSON -> stats``: vernier Boundary(0.02) from bytes and
  faster-coco-eval's iouType "boundary" from the files (its bands are
  computed in C++ on up to 4 processes), when it is installed.  The parity
  suite's Boundary reference (``parity.boundary_oracle``) is not timed
  here; ``compare.py --iou-type boundary`` does.
* ``segm/boundary: CocoDataset cold vs warm``: evaluation against a parsed
  CocoDataset whose derivation cache (GT masks, boundary bands; ADR 0020) is
  cleared before each round ("cold") or was filled by an earlier evaluation
  ("warm": the second evaluation on the same dataset).  Parsing the GT is
  excluded from both; the results are parsed in every round.
"""

from __future__ import annotations

import pytest

from benchmarks.evaluators import (BOUNDARY_DILATION_RATIO, faster_coco_eval_from_files,
                                   pycocotools_from_bytes, vernier_from_bytes)

SEGM = "segm val2017-scale: JSON -> stats"
BOUNDARY = f"boundary({BOUNDARY_DILATION_RATIO}) val2017-scale: JSON -> stats"
CACHE = "val2017-scale: second evaluation on the same CocoDataset"


@pytest.fixture(scope="module")
def segm_bytes(segm_val2017_files):
    gt_path, dt_path = segm_val2017_files
    return gt_path.read_bytes(), dt_path.read_bytes()


def _evaluator(iou_type: str):
    from vernier.instance import Boundary, Evaluator, Segm

    iou = Segm() if iou_type == "segm" else Boundary(dilation_ratio=BOUNDARY_DILATION_RATIO)
    return Evaluator(iou=iou, parity_mode="strict")


# --- segm -------------------------------------------------------------------

def test_vernier_segm_json_bytes_to_stats(benchmark, segm_bytes):
    """vernier Segm: JSON bytes -> stats (strict), a fresh derivation every round."""
    import vernier.instance  # noqa: F401  (import cost is not part of the measurement)

    benchmark.group = SEGM
    benchmark.name = "vernier segm: JSON bytes -> stats"
    stats = benchmark.pedantic(vernier_from_bytes, args=(*segm_bytes, "segm"),
                               rounds=3, iterations=1, warmup_rounds=1)
    assert len(stats) == 12


def test_pycocotools_segm_json_bytes_to_stats(benchmark, segm_bytes):
    """pycocotools: json.loads + createIndex, loadRes, evaluate, accumulate, summarize (1 round)."""
    import pycocotools.cocoeval  # noqa: F401

    benchmark.group = SEGM
    benchmark.name = "pycocotools segm: JSON bytes -> stats"
    stats = benchmark.pedantic(pycocotools_from_bytes, args=(*segm_bytes, "segm"),
                               rounds=1, iterations=1)
    assert len(stats) == 12


def test_faster_coco_eval_segm_files_to_stats(benchmark, segm_val2017_files):
    pytest.importorskip("faster_coco_eval", reason="faster-coco-eval is not installed (pip install faster-coco-eval)")
    benchmark.group = SEGM
    benchmark.name = "faster-coco-eval segm: files -> stats"
    stats = benchmark.pedantic(faster_coco_eval_from_files, args=(*segm_val2017_files, "segm"),
                               rounds=1, iterations=1)
    assert len(stats) == 12


# --- boundary -----------------------------------------------------------------

def test_vernier_boundary_json_bytes_to_stats(benchmark, segm_bytes):
    import vernier.instance  # noqa: F401

    benchmark.group = BOUNDARY
    benchmark.name = "vernier boundary: JSON bytes -> stats"
    stats = benchmark.pedantic(vernier_from_bytes, args=(*segm_bytes, "boundary"),
                               rounds=3, iterations=1, warmup_rounds=1)
    assert len(stats) == 12


def test_faster_coco_eval_boundary_files_to_stats(benchmark, segm_val2017_files):
    pytest.importorskip("faster_coco_eval", reason="faster-coco-eval is not installed (pip install faster-coco-eval)")
    benchmark.group = BOUNDARY
    benchmark.name = "faster-coco-eval boundary: files -> stats"
    stats = benchmark.pedantic(faster_coco_eval_from_files, args=(*segm_val2017_files, "boundary"),
                               rounds=1, iterations=1)
    assert len(stats) == 12


# --- the derivation cache -------------------------------------------------------

@pytest.mark.parametrize("iou_type", ["segm", "boundary"])
@pytest.mark.parametrize("cache", ["cold", "warm"])
def test_vernier_cocodataset_evaluation(benchmark, segm_bytes, iou_type, cache):
    """evaluate(CocoDataset, results bytes): cache cleared before every round
    ("cold") or kept from an earlier evaluation ("warm")."""
    from vernier.instance import CocoDataset

    gt_bytes, dt_bytes = segm_bytes
    ds = CocoDataset.from_json(gt_bytes)
    ev = _evaluator(iou_type)
    first = ev.evaluate(ds, dt_bytes)           # fills the cache (and is the reference answer)

    def setup():
        if cache == "cold":
            ds.clear_cache()

    benchmark.group = f"{CACHE} ({iou_type})"
    benchmark.name = f"vernier {iou_type}: CocoDataset, {cache} cache"
    summary = benchmark.pedantic(ev.evaluate, args=(ds, dt_bytes), setup=setup,
                                 rounds=3, iterations=1)
    assert [float(v).hex() for v in summary.stats] == [float(v).hex() for v in first.stats]
    if cache == "warm":
        assert (ds.segm_cache_len if iou_type == "segm" else ds.boundary_cache_len) > 0
    ds.close()
