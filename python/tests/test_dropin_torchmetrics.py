"""Unmodified torchmetrics MeanAveragePrecision (pycocotools backend) under
``vernier.patch_pycocotools()`` equals its unpatched result bit for bit.

torchmetrics needs torchvision for three box operations; the test double in
torchvision_double/ (plain torch) is put on sys.path for this module only.
Needs torch and torchmetrics (python/requirements-torch.txt; `make test`
installs them)."""
from __future__ import annotations

import importlib.util
import os
import sys
import time

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
DOUBLE = os.path.join(HERE, "torchvision_double")

if os.environ.get("VERNIER_REQUIRE_TORCH") != "1":
    pytest.importorskip("torch")
    if importlib.util.find_spec("torchmetrics") is None:  # not imported yet: see mean_ap()
        pytest.skip("torchmetrics is not installed", allow_module_level=True)

pytestmark = pytest.mark.heavy     # torch: not in `make check`


@pytest.fixture(scope="module")
def mean_ap():
    had = "torchvision" in sys.modules
    sys.path.insert(0, DOUBLE)
    try:
        # torchmetrics decides whether torchvision is available when first
        # imported: the double must be on sys.path by then
        assert "torchmetrics" not in sys.modules or had
        import torchvision
        assert torchvision.__file__.startswith(DOUBLE), torchvision.__file__
        from torchmetrics.detection import MeanAveragePrecision
        yield MeanAveragePrecision
    finally:
        sys.path.remove(DOUBLE)
        if not had:
            for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
                del sys.modules[name]


def _workload(seed, n_images=40, n_classes=5, masks=False):
    import torch

    rng = np.random.default_rng(seed)
    preds, target = [], []
    H = W = 64
    for _ in range(n_images):
        def boxes(n):
            xy = rng.uniform(0, 40, (n, 2))
            wh = rng.uniform(2, 30, (n, 2))
            return np.round(np.concatenate([xy, np.minimum(xy + wh, 63)], 1), 1)

        ng, nd = int(rng.integers(0, 6)), int(rng.integers(0, 9))
        gb, db = boxes(ng), boxes(nd)
        g = {"boxes": torch.tensor(gb, dtype=torch.float64),
             "labels": torch.tensor(rng.integers(0, n_classes, ng)),
             "iscrowd": torch.tensor((rng.random(ng) < 0.1).astype(np.int64))}
        d = {"boxes": torch.tensor(db, dtype=torch.float64),
             "scores": torch.tensor(np.round(rng.random(nd), 3), dtype=torch.float64),
             "labels": torch.tensor(rng.integers(0, n_classes, nd))}
        if masks:
            def to_masks(bx):
                m = np.zeros((len(bx), H, W), dtype=bool)
                for i, (x1, y1, x2, y2) in enumerate(bx):
                    m[i, int(y1):int(np.ceil(y2)), int(x1):int(np.ceil(x2))] = True
                return torch.tensor(m)
            g["masks"], d["masks"] = to_masks(gb), to_masks(db)
        target.append(g)
        preds.append(d)
    return preds, target


def _compute(mean_ap, preds, target, **kw):
    metric = mean_ap(backend="pycocotools", **kw)
    metric.update(preds, target)
    t = time.perf_counter()
    out = metric.compute()
    return out, time.perf_counter() - t


def _same(a, b, where="result"):
    import torch

    assert type(a) is type(b), where
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert torch.equal(a, b) or (a.numel() and torch.equal(a.isnan(), b.isnan())
                                     and torch.equal(a[~a.isnan()], b[~b.isnan()])), where
    else:
        assert a == b, where


@pytest.mark.parametrize("iou_type,seed", [("bbox", 0), ("bbox", 1), ("segm", 2)])
def test_mean_ap_patched_equals_unpatched(mean_ap, iou_type, seed):
    import vernier

    preds, target = _workload(seed, masks=iou_type == "segm")
    kw = dict(iou_type=iou_type, class_metrics=True, extended_summary=True,
              iou_thresholds=[0.3, 0.5, 0.65, 0.8], max_detection_thresholds=[1, 5, 50])
    ref, t_ref = _compute(mean_ap, preds, target, **kw)
    with vernier.patch_pycocotools():
        got, t_got = _compute(mean_ap, preds, target, **kw)
    _same(ref, got)
    print(f"{iou_type}: pycocotools {t_ref:.3f}s, vernier {t_got:.3f}s")


def test_mean_ap_defaults_on_the_shipped_sample(mean_ap):
    """The shipped val2014 sample, converted to torchmetrics' inputs."""
    import json
    from importlib import resources

    import torch
    import vernier

    data = resources.files("vernier") / "data"
    gt = json.loads((data / "instances_val2014_100.json").read_bytes())
    dt = json.loads((data / "instances_val2014_fakebbox100_results.json").read_bytes())
    ids = sorted(im["id"] for im in gt["images"])

    def per_image(anns, with_score):
        out = []
        for i in ids:
            mine = [a for a in anns if a["image_id"] == i]
            rec = {"boxes": torch.tensor([a["bbox"] for a in mine], dtype=torch.float64).reshape(-1, 4),
                   "labels": torch.tensor([a["category_id"] for a in mine], dtype=torch.int64)}
            if with_score:
                rec["scores"] = torch.tensor([a["score"] for a in mine], dtype=torch.float64)
            else:
                rec["iscrowd"] = torch.tensor([a["iscrowd"] for a in mine], dtype=torch.int64)
            out.append(rec)
        return out

    preds, target = per_image(dt, True), per_image(gt["annotations"], False)
    kw = dict(box_format="xywh", class_metrics=True, extended_summary=True)
    ref, t_ref = _compute(mean_ap, preds, target, **kw)
    with vernier.patch_pycocotools():
        got, t_got = _compute(mean_ap, preds, target, **kw)
    _same(ref, got)
    print(f"sample: pycocotools {t_ref:.3f}s, vernier {t_got:.3f}s, ratio {t_ref / t_got:.2f}")


# ---- the shared fixtures -------------------------------------------------------

def _fixture_pairs():
    import json

    from conftest import FIX

    pairs = json.loads((FIX / "expected_pycocotools.json").read_bytes())["pairs"]
    return [p for p in pairs if p["iouType"] in ("bbox", "segm") and "error" not in p]


def _pair_id(p):
    return f"{p['iouType']}:{p['gt'].removesuffix('.json')}"


def _torchmetrics_inputs(entry):
    """A fixture pair as torchmetrics' inputs, converted by pycocotools itself
    (the oracle): one target and one prediction dict per GT image (sorted
    ids), boxes xywh as loadRes gives them (derived from segm where results
    have none), GT area as given, masks from annToMask.  Results on images
    the GT does not have cannot be said in torchmetrics' per-image lists and
    are left out, for both runs alike."""
    import contextlib
    import io
    import json

    import torch
    from conftest import FIX
    from pycocotools.coco import COCO

    if entry["dt"].endswith("#detections"):
        gt = json.loads((FIX / entry["gt"]).read_bytes())
        dets = gt.pop("detections")
    else:
        gt = json.loads((FIX / entry["gt"]).read_bytes())
        dets = json.loads((FIX / entry["dt"]).read_bytes())
    masks = entry["iouType"] == "segm"
    with contextlib.redirect_stdout(io.StringIO()):
        cg = COCO()
        cg.dataset = gt
        cg.createIndex()
        known = set(cg.getImgIds())
        dets = [d for d in dets if d["image_id"] in known]
        cd = cg.loadRes(dets) if dets else None
    preds, target = [], []
    for i in sorted(known):
        g = cg.loadAnns(cg.getAnnIds(imgIds=[i]))
        d = cd.loadAnns(cd.getAnnIds(imgIds=[i])) if cd is not None else []
        t = {"boxes": torch.tensor([a["bbox"] for a in g], dtype=torch.float64).reshape(-1, 4),
             "labels": torch.tensor([a["category_id"] for a in g], dtype=torch.int64),
             "iscrowd": torch.tensor([a.get("iscrowd", 0) for a in g], dtype=torch.int64),
             "area": torch.tensor([float(a["area"]) for a in g], dtype=torch.float64)}
        p = {"boxes": torch.tensor([a["bbox"] for a in d], dtype=torch.float64).reshape(-1, 4),
             "scores": torch.tensor([a["score"] for a in d], dtype=torch.float64),
             "labels": torch.tensor([a["category_id"] for a in d], dtype=torch.int64)}
        if masks:
            h, w = cg.imgs[i]["height"], cg.imgs[i]["width"]
            t["masks"] = torch.tensor(np.array([cg.annToMask(a) for a in g],
                                               dtype=bool).reshape(-1, h, w))
            p["masks"] = torch.tensor(np.array([cd.annToMask(a) for a in d],
                                               dtype=bool).reshape(-1, h, w))
        target.append(t)
        preds.append(p)
    return preds, target


@pytest.mark.parametrize("entry", _fixture_pairs(), ids=_pair_id)
def test_mean_ap_on_every_shared_fixture(mean_ap, entry):
    import vernier

    preds, target = _torchmetrics_inputs(entry)
    kw = dict(iou_type=entry["iouType"], box_format="xywh", class_metrics=True,
              extended_summary=True)
    ref, _ = _compute(mean_ap, preds, target, **kw)
    with vernier.patch_pycocotools():
        got, _ = _compute(mean_ap, preds, target, **kw)
    _same(ref, got)
