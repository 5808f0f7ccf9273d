"""num_threads: the same numbers and the same errors on one thread and on
several, with the ground truth given as a dataset, as bytes and as a path
(bytes and paths are parsed on a second thread while the results are)."""
from __future__ import annotations

import pytest

import vernier
from conftest import CASES


def _summary_arrays(s):
    return [list(s.stats), s.precision.tobytes(), s.recall.tobytes(), s.scores.tobytes()]


@pytest.mark.parametrize("kind", ["bbox", "segm", "keypoints"])
@pytest.mark.parametrize("threads", [2, 3, 0])
@pytest.mark.parametrize("gt_form", ["dataset", "bytes", "path"])
def test_threads_give_the_one_thread_numbers(kind, threads, gt_form):
    gt_path, dt_path, kernel = CASES[kind]
    iou = {"bbox": vernier.Bbox, "segm": vernier.Segm, "keypoints": vernier.Keypoints}[kernel]()
    ev = vernier.Evaluator(iou=iou, parity_mode="strict")
    gt_bytes, dt = gt_path.read_bytes(), dt_path.read_bytes()
    ref = ev.evaluate(vernier.CocoDataset.from_json(gt_bytes), dt)
    gt = {"dataset": vernier.CocoDataset.from_json(gt_bytes), "bytes": gt_bytes,
          "path": str(gt_path)}[gt_form]
    got = ev.evaluate(gt, dt, num_threads=threads, keep_records=True)
    assert _summary_arrays(got) == _summary_arrays(ref)


BAD_GT = b'{"images": [{"id": 1}], "annotations": [{"id": 1, "image_id": 1, "bbox": ['
BAD_DT = b'[{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3], "score": 0.5}]'
GOOD_GT = (b'{"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": '
           b'[{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4], "area": 16}]}')
GOOD_DT = b'[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4], "score": 0.5}]'


@pytest.mark.parametrize("gt,dt", [(BAD_GT, GOOD_DT), (GOOD_GT, BAD_DT), (BAD_GT, BAD_DT)],
                         ids=["bad-gt", "bad-results", "both-bad"])
def test_threads_raise_the_one_thread_error(gt, dt):
    """The ground truth's error first, then the results' (the sequential
    order), with the same type, message and location."""
    ev = vernier.Evaluator(iou=vernier.Bbox())
    seen = []
    for threads in (1, 2):
        with pytest.raises(vernier.VernierError) as info:
            ev.evaluate(gt, dt, num_threads=threads)
        e = info.value
        seen.append((type(e), str(e), e.offset, getattr(e, "result_index", None)))
    assert seen[0] == seen[1]
    if gt is BAD_GT:
        assert seen[0][0] is vernier.JSONError
    else:
        assert "bbox" in seen[0][1]
