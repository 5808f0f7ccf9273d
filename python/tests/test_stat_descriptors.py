"""Summary.stat_descriptors(): what each summary statistic measures, read
from the C library's vernier_eval_stat_info (not from the printed lines).

The expected descriptors are pycocotools 2.0.11's summarize() definitions
(_summarizeDets / _summarizeKps), written out here by hand."""
import pytest

from vernier.instance import Evaluator, Keypoints

from conftest import as_bytes, tiny_dt, tiny_gt

ALL = (0.5, 0.95)

# (metric, iou (lo, hi) or one threshold, area, maxDets), pycocotools' order
DETS = [("AP", ALL, "all", 100), ("AP", 0.5, "all", 100), ("AP", 0.75, "all", 100),
        ("AP", ALL, "small", 100), ("AP", ALL, "medium", 100), ("AP", ALL, "large", 100),
        ("AR", ALL, "all", 1), ("AR", ALL, "all", 10), ("AR", ALL, "all", 100),
        ("AR", ALL, "small", 100), ("AR", ALL, "medium", 100), ("AR", ALL, "large", 100)]
KPS = [("AP", ALL, "all", 20), ("AP", 0.5, "all", 20), ("AP", 0.75, "all", 20),
       ("AP", ALL, "medium", 20), ("AP", ALL, "large", 20),
       ("AR", ALL, "all", 20), ("AR", 0.5, "all", 20), ("AR", 0.75, "all", 20),
       ("AR", ALL, "medium", 20), ("AR", ALL, "large", 20)]


def check(summary, want):
    got = summary.stat_descriptors()
    assert len(got) == len(want) == len(summary.stats)
    for d, (metric, iou, area, cap), value in zip(got, want, summary.stats):
        lo, hi = iou if isinstance(iou, tuple) else (iou, iou)
        assert (d.metric, d.all_ious, d.iou_lo, d.iou_hi, d.area, d.max_dets) == \
            (metric, isinstance(iou, tuple), lo, hi, area, cap)
        assert d.value == value


def test_detection_descriptors():
    check(Evaluator().evaluate(as_bytes(tiny_gt()), tiny_dt()), DETS)


def test_keypoint_descriptors():
    gt = tiny_gt()
    gt["categories"][0]["keypoints"] = ["a"]
    for a in gt["annotations"]:
        a["keypoints"], a["num_keypoints"] = [20, 20, 2], 1
    dt = [{"image_id": 1, "category_id": 1, "keypoints": [20, 20, 1], "score": 0.5}]
    s = Evaluator(iou=Keypoints(sigmas={1: [0.5], 2: [0.5]})).evaluate(as_bytes(gt), dt)
    check(s, KPS)


def test_custom_grid_and_corrected_cap():
    s = Evaluator(iou_thresholds=(0.3, 0.5, 0.75), max_dets=(2, 5, 7),
                  parity_mode="corrected").evaluate(as_bytes(tiny_gt()), tiny_dt())
    d = s.stat_descriptors()
    assert (d[0].all_ious, d[0].iou_lo, d[0].iou_hi) == (True, 0.3, 0.75)
    # corrected mode reads stats[0] at the largest cap (quirk L9); the AR
    # ladder reads the caps by position
    assert [x.max_dets for x in d] == [7, 7, 7, 7, 7, 7, 2, 5, 7, 7, 7, 7]
    assert d[1].iou_lo == d[1].iou_hi == 0.5


def test_lines_agree_with_descriptors():
    s = Evaluator().evaluate(as_bytes(tiny_gt()), tiny_dt())
    for line, d in zip(s.pretty_lines(), s.stat_descriptors()):
        iou = f"{d.iou_lo:0.2f}:{d.iou_hi:0.2f}" if d.all_ious else f"{d.iou_lo:0.2f}"
        assert f"({d.metric}) @[ IoU={iou:<9} | area={d.area:>6} | maxDets={d.max_dets:>3} ]" \
            in line


def test_no_descriptors_without_summary():
    s = Evaluator(max_dets=(1, 10)).evaluate(as_bytes(tiny_gt()), tiny_dt())
    assert s.stats == [] and s.stat_descriptors() == []


@pytest.mark.parametrize("i", [0, 11])
def test_descriptor_is_a_named_tuple(i):
    d = Evaluator().evaluate(as_bytes(tiny_gt()), tiny_dt()).stat_descriptors()[i]
    assert d._fields == ("metric", "all_ious", "iou_lo", "iou_hi", "area", "max_dets", "value")
