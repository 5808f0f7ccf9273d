"""Keypoints(sigmas=[...]): one sequence of sigmas for every category, as
pycocotools' params.kpt_oks_sigmas (issue 15: it used to raise
AttributeError)."""
import numpy as np
import pytest

import vernier
from vernier import BackgroundEvaluator, Evaluator, Keypoints

from conftest import REPO

from parity.oracle import run_pycocotools

GT = REPO / "parity/fixtures/xtcocoapi/example_coco_val.json"
DT = REPO / "parity/fixtures/xtcocoapi/example_coco_preds.json"
SIGMAS = [.05, .03, .03, .04, .04, .09, .09, .08, .08, .07, .07, .12, .12, .1,
          .1, .11, .11]


@pytest.fixture(scope="module")
def reference():
    return run_pycocotools(GT.read_bytes(), DT.read_bytes(), "keypoints",
                           kpt_oks_sigmas=np.array(SIGMAS))


@pytest.mark.parametrize("form", [list, tuple, np.array])
def test_one_sequence_for_every_category_equals_pycocotools(reference, form):
    s = Evaluator(iou=Keypoints(sigmas=form(SIGMAS)), parity_mode="strict").evaluate(
        GT.read_bytes(), DT.read_bytes())
    assert s.stats == reference.stats.tolist()
    assert np.array_equal(s.precision, reference.precision)
    assert np.array_equal(s.recall, reference.recall)


def test_the_sigmas_matter(reference):
    coco = Evaluator(iou=Keypoints(), parity_mode="strict").evaluate(GT.read_bytes(),
                                                                       DT.read_bytes())
    assert coco.stats != reference.stats.tolist()


def test_partials_and_the_worker_carry_them(reference):
    ev = Evaluator(iou=Keypoints(SIGMAS), parity_mode="strict")
    part = ev.evaluate_to_partial(GT.read_bytes(), DT.read_bytes(), rank_id=0)
    assert Evaluator.from_partials(GT.read_bytes(), [part]).stats == reference.stats.tolist()
    bg = BackgroundEvaluator(GT.read_bytes(), evaluator=ev)
    bg.submit(DT.read_bytes())
    assert bg.finalize().stats == reference.stats.tolist()


def test_value_semantics():
    k = Keypoints(SIGMAS)
    assert k == Keypoints(tuple(SIGMAS)) and hash(k) == hash(Keypoints(np.array(SIGMAS)))
    assert k != Keypoints() and k != Keypoints({1: SIGMAS})
    assert k.all_sigmas == tuple(SIGMAS) and k.sigmas == {}
    assert Keypoints().all_sigmas is None
    assert repr(k).startswith("Keypoints(sigmas=[0.05, ")


@pytest.mark.parametrize("bad", [[], [0.1, -1.0], [float("nan")], "abc", 3, [0.1, "x"]])
def test_bad_sequences_are_refused(bad):
    with pytest.raises(vernier.InvalidConfigError):
        Keypoints(sigmas=bad)
