"""vernier.metrics: coco_inputs' decisions one by one (numpy inputs, no
torch), and MeanAveragePrecision against torchmetrics' (pycocotools
backend, torchvision test double) on workloads with every trap of issue 18:
label 0, images without targets, uint8 iscrowd, empty predictions."""
from __future__ import annotations

import importlib.util
import os
import sys

import numpy as np
import pytest

import vernier
from vernier.instance import Evaluator
from vernier.metrics import MeanAveragePrecision, coco_inputs

HERE = os.path.dirname(os.path.abspath(__file__))
DOUBLE = os.path.join(HERE, "torchvision_double")


def _img(boxes, labels, **extra):
    return {"boxes": np.asarray(boxes, np.float64).reshape(-1, 4),
            "labels": np.asarray(labels, np.int64), **extra}


def _pred(boxes, labels, scores, **extra):
    return _img(boxes, labels, scores=np.asarray(scores, np.float64), **extra)


# ---- coco_inputs: each decision ------------------------------------------------------

def test_ids_start_at_one_and_every_image_is_present():
    preds = [_pred([[0, 0, 10, 10]], [0], [0.9]), _pred([[5, 5, 10, 10]], [0], [0.95])]
    targets = [_img([[0, 0, 10, 10]], [0]), _img(np.zeros((0, 4)), [])]
    ds, dets = coco_inputs(preds, targets)
    assert ds.num_images == 2 and ds.num_annotations == 1 and ds.num_categories == 1
    assert [int(d["image_id"][0]) for d in dets] == [1, 2]
    # the detection on the image without targets is a false positive
    s = Evaluator(parity_mode="strict").evaluate(ds, dets)
    assert s.precision[0, 100, 0, 0, -1] == 0.5  # the FP first: recall 1 at precision 1/2
    # the ground truth is the one a COCO file with ids from 1 gives
    import json
    gt_json = {"images": [{"id": 1}, {"id": 2}], "categories": [{"id": 0}],
               "annotations": [{"id": 1, "image_id": 1, "category_id": 0,
                                "bbox": [0.0, 0.0, 10.0, 10.0], "area": 100.0, "iscrowd": 0}]}
    assert ds.digest == vernier.instance.CocoDataset.from_json(json.dumps(gt_json).encode()).digest


def test_image_id_of_a_target_is_used():
    ds, dets = coco_inputs([_pred([], [], [])], [_img([[0, 0, 1, 1]], [3], image_id=42)])
    assert int(dets[0]["image_id"].size) == 0
    s = Evaluator().evaluate(ds, {"image_id": np.array([42]), "labels": np.array([3]),
                                  "scores": np.array([1.0]), "boxes": np.array([[0.0, 0, 1, 1]])})
    assert s.stats[0] > 0.99  # matched: image 42 is in the dataset


def test_iscrowd_is_widened_never_wrapped():
    t = _img([[0, 0, 4, 4], [0, 0, 4, 4]], [1, 1], iscrowd=np.array([1, 0], np.uint8))
    ds, _ = coco_inputs([_pred([], [], [])], [t])
    assert ds.num_annotations == 2
    with pytest.raises(vernier.SchemaError, match="outside 0..255"):
        coco_inputs([_pred([], [], [])], [_img([[0, 0, 4, 4]], [1], iscrowd=np.array([256]))])
    with pytest.raises(vernier.SchemaError, match="integers or bools"):
        coco_inputs([_pred([], [], [])], [_img([[0, 0, 4, 4]], [1], iscrowd=np.array([0.5]))])


def test_area_from_box_from_mask_or_given():
    box = _img([[0, 0, 3, 2]], [1])
    ds, _ = coco_inputs([_pred([], [], [])], [box])
    ds2, _ = coco_inputs([_pred([], [], [])], [dict(box, area=np.array([6.0]))])
    assert ds.digest == ds2.digest  # w * h = 6
    ds3, _ = coco_inputs([_pred([], [], [])], [dict(box, area=np.array([0.0]))])
    assert ds3.digest == ds.digest  # area 0 is "not given", as torchmetrics reads it
    ds4, _ = coco_inputs([_pred([], [], [])], [dict(box, area=np.array([7.0]))])
    assert ds4.digest != ds.digest
    mask = np.zeros((1, 5, 6), bool)
    mask[0, 1:3, 2:5] = True  # 6 pixels
    m = {"labels": np.array([1]), "masks": mask}
    pm = {"labels": np.zeros(0, np.int64), "scores": np.zeros(0), "masks": np.zeros((0, 5, 6),
                                                                                   bool)}
    a, _ = coco_inputs([pm], [m], iou_type="segm")
    b, _ = coco_inputs([pm], [dict(m, area=np.array([6.0]))], iou_type="segm")
    c, _ = coco_inputs([pm], [dict(m, area=np.array([5.0]))], iou_type="segm")
    assert a.digest == b.digest != c.digest


@pytest.mark.parametrize("fmt, given", [("xywh", [1, 2, 3, 4]), ("xyxy", [1, 2, 4, 6]),
                                        ("cxcywh", [2.5, 4, 3, 4])])
def test_box_format_is_said_not_guessed(fmt, given):
    want, _ = coco_inputs([_pred([], [], [])], [_img([[1, 2, 3, 4]], [1])], box_format="xywh")
    got, dets = coco_inputs([_pred([given], [1], [0.5])], [_img([given], [1])], box_format=fmt)
    assert got.digest == want.digest
    assert dets[0]["boxes"].tolist() == [[1.0, 2.0, 3.0, 4.0]]
    with pytest.raises(ValueError, match="box_format"):
        coco_inputs([], [], box_format="yxyx")


def test_float32_boxes_are_converted_in_float32_then_widened():
    b = np.array([[0.1, 0.2, 0.7, 0.9]], np.float32)
    _, dets = coco_inputs([_pred(b, [1], [0.5]) | {"boxes": b}], [_img([[0, 0, 1, 1]], [1])],
                          box_format="xyxy")
    w = np.float32(0.7) - np.float32(0.1)  # float32 subtraction, as torch does it
    assert dets[0]["boxes"][0, 2] == float(w) and dets[0]["boxes"].dtype == np.float64


# ---- MeanAveragePrecision vs torchmetrics ---------------------------------------------

def _workload(seed, n_images=30, n_classes=4, masks=False, empty_targets=True):
    import torch
    rng = np.random.default_rng(seed)
    H = W = 48
    preds, target = [], []
    for i in range(n_images):
        def boxes(n):
            xy = rng.uniform(0, 30, (n, 2))
            wh = rng.uniform(2, 20, (n, 2))
            return np.round(np.concatenate([xy, np.minimum(xy + wh, 47)], 1), 1)
        ng = int(rng.integers(0 if empty_targets else 1, 6))
        nd = 0 if i % 7 == 3 else int(rng.integers(0, 9))   # empty predictions
        gb, db = boxes(ng), boxes(nd)
        g = {"boxes": torch.tensor(gb, dtype=torch.float32),
             "labels": torch.tensor(rng.integers(0, n_classes, ng)),  # label 0 included
             "iscrowd": torch.tensor((rng.random(ng) < 0.15).astype(np.uint8))}
        d = {"boxes": torch.tensor(db, dtype=torch.float32),
             "scores": torch.tensor(rng.random(nd), dtype=torch.float32),
             "labels": torch.tensor(rng.integers(0, n_classes, nd))}
        if masks:
            def to_masks(bx):
                m = np.zeros((len(bx), H, W), dtype=bool)
                for k, (x1, y1, x2, y2) in enumerate(bx):
                    m[k, int(y1):int(np.ceil(y2)), int(x1):int(np.ceil(x2))] = True
                return torch.tensor(m)
            g["masks"], d["masks"] = to_masks(gb), to_masks(db)
        preds.append(d)
        target.append(g)
    return preds, target


@pytest.fixture(scope="module")
def tm_map():
    if os.environ.get("VERNIER_REQUIRE_TORCH") != "1":
        pytest.importorskip("torch")
        if importlib.util.find_spec("torchmetrics") is None:
            pytest.skip("torchmetrics is not installed")
    had = "torchvision" in sys.modules
    sys.path.insert(0, DOUBLE)
    try:
        import torchvision
        assert torchvision.__file__.startswith(DOUBLE), torchvision.__file__
        from torchmetrics.detection import MeanAveragePrecision as TM
        from torchmetrics.utilities.imports import _TORCHVISION_AVAILABLE
        # torchmetrics decides when first imported (here, or by
        # test_dropin_torchmetrics.py's fixture) whether torchvision exists
        assert _TORCHVISION_AVAILABLE
        yield TM
    finally:
        sys.path.remove(DOUBLE)
        if not had:
            for name in [m for m in sys.modules if m == "torchvision" or
                         m.startswith("torchvision.")]:
                del sys.modules[name]


def _same(ours, theirs):
    assert set(ours) >= {k for k in theirs if not k.startswith(("ious", "precision"))}
    for k, v in theirs.items():
        a = np.asarray(ours[k]).reshape(-1)
        b = v.numpy().reshape(-1)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), (k, a, b)


@pytest.mark.heavy
@pytest.mark.parametrize("iou_type", ["bbox", "segm"])
@pytest.mark.parametrize("seed", [0, 1])
def test_equals_torchmetrics(tm_map, iou_type, seed):
    segm = iou_type == "segm"
    # torchmetrics' segm path drops images without target masks (and with
    # them the false positives on them): compared on images that have some
    preds, target = _workload(seed, masks=segm, empty_targets=not segm)
    for class_metrics in (False, True):
        ref = tm_map(iou_type=iou_type, box_format="xyxy", class_metrics=class_metrics)
        ours = MeanAveragePrecision(iou_type=iou_type, box_format="xyxy",
                                    class_metrics=class_metrics)
        for lo in range(0, len(preds), 8):   # several updates
            ref.update(preds[lo:lo + 8], target[lo:lo + 8])
            ours.update(preds[lo:lo + 8], target[lo:lo + 8])
        _same(ours.compute(), ref.compute())
    ours.reset()
    assert float(ours.compute()["map"]) == -1.0


@pytest.mark.heavy
def test_sync_through_state(tm_map):
    preds, target = _workload(5)
    whole = MeanAveragePrecision(class_metrics=True)
    whole.update(preds, target)
    ranks = [MeanAveragePrecision(class_metrics=True) for _ in range(3)]
    for r, m in enumerate(ranks):  # contiguous shares: merged in rank order = the whole
        m.update(preds[10 * r:10 * r + 10], target[10 * r:10 * r + 10])
    merged = MeanAveragePrecision(class_metrics=True)
    merged.merge_state([m.state() for m in ranks])
    a, b = whole.compute(), merged.compute()
    for k in a:
        assert np.asarray(a[k]).tobytes() == np.asarray(b[k]).tobytes(), k


@pytest.mark.heavy
def test_howto_torchrun_example(tmp_path, tm_map):
    """The how-to's torchrun script with 2 gloo ranks: rank 0 prints the
    single-process number."""
    from conftest import REPO
    from test_distributed import launch

    page = (REPO / "docs" / "how-to" / "evaluate-in-a-training-loop.md").read_text()
    start = page.index("```python notest torchrun")
    body = page[page.index("\n", start) + 1:page.index("\n```", start)]
    script = tmp_path / "eval_metric_ddp.py"
    script.write_text(body + "\n")
    outs = launch(script, 2, [], cwd=tmp_path)
    # the same data in one process, and torchmetrics on it
    import torch
    rng = np.random.default_rng(7)
    images = []
    for _ in range(32):
        boxes = torch.tensor(rng.uniform(0, 100, (4, 4))).cumsum(1)
        labels = torch.tensor(rng.integers(0, 2, 4))
        images.append(({"boxes": boxes + torch.tensor(rng.normal(0, 3, (4, 4))),
                        "scores": torch.tensor(rng.random(4)), "labels": labels},
                       {"boxes": boxes, "labels": labels}))
    ref = tm_map(box_format="xyxy")
    ref.update([p for p, _ in images], [t for _, t in images])
    want = float(ref.compute()["map"])
    assert f"map = {want!r}" in outs[0], outs[0]
    assert "map =" not in outs[1]


def test_with_a_dataset_update_submits_to_the_worker():
    rng = np.random.default_rng(4)
    preds, targets = [], []
    for i in range(24):
        n = int(rng.integers(0, 5))
        xy = rng.uniform(0, 50, (n, 2))
        boxes = np.concatenate([xy, xy + rng.uniform(5, 30, (n, 2))], 1)
        labels = rng.integers(0, 3, n)
        targets.append({"boxes": boxes, "labels": labels, "image_id": np.int64(i + 1)})
        preds.append({"boxes": boxes + rng.normal(0, 2, boxes.shape), "labels": labels,
                      "scores": rng.random(n)})
    ds, _ = coco_inputs(preds, targets, box_format="xyxy")
    kept = MeanAveragePrecision(class_metrics=True)
    live = MeanAveragePrecision(class_metrics=True, dataset=ds)
    for lo in range(0, 24, 6):
        kept.update(preds[lo:lo + 6], targets[lo:lo + 6])
        live.update(preds[lo:lo + 6], targets[lo:lo + 6])
    assert live._bg is not None  # a BackgroundEvaluator took the batches
    a, b = kept.compute(), live.compute()
    for k in a:
        assert np.asarray(a[k]).tobytes() == np.asarray(b[k]).tobytes(), k
    assert np.asarray(live.compute()["map"]) == np.asarray(b["map"])  # again: the same
    with pytest.raises(vernier.StateError, match="reset"):
        live.update(preds[:1], targets[:1])
    live.reset()
    live.update(preds[:1], targets[:1])
    with pytest.raises(vernier.SchemaError, match="image_id"):
        live.update(preds[:1], [{k: v for k, v in targets[0].items() if k != "image_id"}])
    with pytest.raises(TypeError, match="state"):
        live.state()
