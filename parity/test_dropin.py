"""The pycocotools drop-in (``vernier.COCO``, ``vernier.COCOeval``,
``vernier.patch_pycocotools``) against pycocotools 2.0.11 itself.

Both sides run the same calls on the same inputs (fresh copies: pycocotools
mutates what it is given); everything a caller can read afterwards is
compared exactly: ``evalImgs`` (keys, value types, values), ``eval``
(counts, precision, recall, scores), ``stats``, the printed summary and
``ious``.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from pycocotools.coco import COCO as PyCOCO
from pycocotools.cocoeval import COCOeval as PyCOCOeval

from parity.boundary_oracle import BoundaryCOCOeval
from parity.checks import FIXTURES, expected_pairs, pair_id

VAL100 = FIXTURES / "faster_coco_eval/dataset/cocoapi/instances_val2014_100.json"
FAKE_BBOX = FIXTURES / "cocoapi/instances_val2014_fakebbox100_results.json"
FAKE_SEGM = FIXTURES / "cocoapi/instances_val2014_fakesegm100_results.json"
KP_GT = FIXTURES / "xtcocoapi/example_coco_val.json"
KP_DT = FIXTURES / "xtcocoapi/example_coco_preds.json"


@pytest.fixture(scope="module")
def vn():
    import vernier

    return vernier


def _quiet(fn):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        value = fn()
    return value, out.getvalue()


def _coco(cls, gt):
    """A COCO object of ``cls`` from a path or from a dict (COCO() +
    dataset + createIndex, the way torchmetrics builds one)."""
    if isinstance(gt, dict):
        c = cls()
        c.dataset = copy.deepcopy(gt)
        c.createIndex()
        return c
    return cls(str(gt))


def _run(coco_cls, eval_cls, gt, dt, iou_type, set_params=None, **kw):
    def go():
        coco_gt = _coco(coco_cls, gt)
        res = copy.deepcopy(dt) if isinstance(dt, list) else str(dt)
        coco_dt = coco_gt.loadRes(res)
        ev = eval_cls(coco_gt, coco_dt, iou_type, **kw)
        if set_params is not None:
            set_params(ev.params)
        ev.evaluate()
        ev.accumulate()
        return ev

    ev, _ = _quiet(go)
    _, printed = _quiet(ev.summarize)
    return ev, printed


def _same_value(a, b, where):
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype}{a.shape} != {b.dtype}{b.shape}"
        assert np.array_equal(a, b), f"{where}: {a} != {b}"
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same_value(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def _assert_same_eval(ref, got, ref_printed, got_printed):
    assert got.eval["counts"] == ref.eval["counts"]
    for key in ("precision", "recall", "scores"):
        _same_value(ref.eval[key], got.eval[key], f"eval[{key!r}]")
    _same_value(np.asarray(ref.stats), got.stats, "stats")
    assert got_printed == ref_printed
    assert len(got.evalImgs) == len(ref.evalImgs)
    for i, (r, g) in enumerate(zip(ref.evalImgs, got.evalImgs)):
        if r is None:
            assert g is None, f"evalImgs[{i}] should be None"
            continue
        assert g is not None, f"evalImgs[{i}] is None"
        assert list(g) == list(r), f"evalImgs[{i}] keys"
        for key in r:
            _same_value(r[key], g[key], f"evalImgs[{i}][{key!r}]")


def _compare(vn, gt, dt, iou_type, set_params=None):
    ref = _run(PyCOCO, PyCOCOeval, gt, dt, iou_type, set_params)
    got = _run(vn.COCO, vn.COCOeval, gt, dt, iou_type, set_params)
    _assert_same_eval(*ref[:1], *got[:1], ref[1], got[1])
    return ref[0], got[0]


# ---- every fixture pair pycocotools evaluates --------------------------------

def _pairs():
    out = []
    for kind in ("bbox", "segm", "keypoints"):
        out += [p for p in expected_pairs(kind) if "error" not in p]
    return out


@pytest.mark.parametrize("entry", _pairs(), ids=lambda e: f"{e['iouType']}:{pair_id(e)}")
def test_fixture_pair_matches_pycocotools(vn, entry):
    if entry["dt"].endswith("#detections"):
        whole = json.loads((FIXTURES / entry["gt"]).read_bytes())
        dt = whole.pop("detections")
        gt = whole
    else:
        gt, dt = FIXTURES / entry["gt"], FIXTURES / entry["dt"]
    sigmas = entry.get("kpt_oks_sigmas")

    def set_params(p):
        if sigmas is not None:
            p.kpt_oks_sigmas = np.array(sigmas, dtype=np.float64)

    if isinstance(dt, list) and not dt:
        # pycocotools' loadRes reads anns[0]: an empty list is an IndexError, for both
        for cls in (PyCOCO, vn.COCO):
            coco_gt, _ = _quiet(lambda: _coco(cls, gt))
            with pytest.raises(IndexError):
                _quiet(lambda: coco_gt.loadRes([]))
        return
    ref, got = _compare(vn, gt, dt, entry["iouType"], set_params)
    np.testing.assert_array_equal(got.stats, np.array(entry["stats"]))


# ---- params: subsets, useCats, grids, sigmas ---------------------------------

def _subset(p):
    p.imgIds = list(reversed(p.imgIds[::3])) + p.imgIds[:2]  # unsorted, duplicated
    p.catIds = p.catIds[1::2]


def _pooled_subset(p):
    p.useCats = 0
    p.imgIds = p.imgIds[5:60]


def _pooled_categories(p):
    p.useCats = 0
    p.catIds = p.catIds[::4]  # pooled over these categories only, as pycocotools pools


def _grid(p):
    p.maxDets = [100, 3, 20, 1]
    p.iouThrs = np.array([.3, .5, .55, .9])
    p.recThrs = np.linspace(0, 1, 21)
    p.areaRng = [[0, 1e10], [0, 40 ** 2], [40 ** 2, 1e10]]
    p.areaRngLbl = ["all", "small", "large"]


@pytest.mark.parametrize("setter", [_subset, _pooled_subset, _pooled_categories, _grid],
                         ids=["subset", "pooled_subset", "pooled_categories", "grid"])
@pytest.mark.parametrize("iou_type,dt", [("bbox", FAKE_BBOX), ("segm", FAKE_SEGM)],
                         ids=["bbox", "segm"])
def test_params_match_pycocotools(vn, iou_type, dt, setter):
    ref, got = _compare(vn, VAL100, dt, iou_type, setter)
    assert list(got.params.imgIds) == list(ref.params.imgIds)
    assert list(got.params.catIds) == list(ref.params.catIds)


def test_detectron2_style_flow(vn):
    """COCO from a file, loadRes from a list, imgIds and catIds subsets."""
    dets = json.loads(FAKE_BBOX.read_bytes())

    def subsets(p):
        p.imgIds = p.imgIds[10:70]
        p.catIds = [1, 3, 18, 44, 62]

    _compare(vn, VAL100, dets, "bbox", subsets)


def test_category_subset_alone(vn):
    _compare(vn, VAL100, FAKE_BBOX, "bbox", lambda p: setattr(p, "catIds", [1]))


@pytest.mark.parametrize("how", ["default_array", "scaled", "subset_pooled"])
def test_keypoints_sigmas_numpy(vn, how):
    def set_params(p):
        if how == "default_array":
            p.kpt_oks_sigmas = np.array(p.kpt_oks_sigmas)
        elif how == "scaled":
            p.kpt_oks_sigmas = np.array(p.kpt_oks_sigmas) * 1.7
        else:
            p.kpt_oks_sigmas = np.array(p.kpt_oks_sigmas) * 0.6
            p.imgIds = p.imgIds[1:3]
            p.useCats = 0

    _compare(vn, KP_GT, KP_DT, "keypoints", set_params)


def test_boundary_matches_boundary_iou_api(vn):
    gt = FIXTURES / "faster_coco_eval/dataset/gt_dataset.json"
    dt = FIXTURES / "faster_coco_eval/dataset/dt_dataset.json"

    def ref_go():
        coco_gt = PyCOCO(str(gt))
        ev = BoundaryCOCOeval(coco_gt, coco_gt.loadRes(str(dt)), 0.02)
        ev.evaluate()
        ev.accumulate()
        return ev

    ref, _ = _quiet(ref_go)
    _, ref_printed = _quiet(ref.summarize)
    got, got_printed = _run(vn.COCO, vn.COCOeval, gt, dt, "boundary", dilation_ratio=0.02)
    _assert_same_eval(ref, got, ref_printed, got_printed)


@pytest.mark.parametrize("iou_type,gt,dt", [("bbox", VAL100, FAKE_BBOX),
                                            ("segm", VAL100, FAKE_SEGM),
                                            ("keypoints", KP_GT, KP_DT)])
def test_ious_match(vn, iou_type, gt, dt):
    ref, got = _compare(vn, gt, dt, iou_type)
    assert set(got.ious) == set(ref.ious)
    for key, r in ref.ious.items():
        g = got.ious[key]
        assert type(g) is type(r), key
        if isinstance(r, np.ndarray):
            assert r.shape == g.shape and np.array_equal(r, g), key


def test_corrected_mode_opt_in(vn):
    (got, _) = _run(vn.COCO, vn.COCOeval, VAL100, FAKE_BBOX, "bbox", parity_mode="corrected")
    assert got.parity_mode == "corrected"
    assert got.stats.shape == (12,)


# ---- COCO views ---------------------------------------------------------------

def _both(path):
    ref, _ = _quiet(lambda: PyCOCO(str(path)))
    got, _ = _quiet(lambda: __import__("vernier").COCO(str(path)))
    return ref, got


def test_coco_views_match(vn):
    ref, got = _both(VAL100)
    assert got.dataset == ref.dataset
    for name in ("anns", "cats", "imgs"):
        assert getattr(got, name) == getattr(ref, name), name
    for name in ("imgToAnns", "catToImgs"):
        assert dict(getattr(got, name)) == dict(getattr(ref, name)), name
        assert type(getattr(got, name)) is type(getattr(ref, name))
    img = ref.getImgIds()[7]
    cats = ref.getCatIds()
    queries = [
        ("getAnnIds", (), {}),
        ("getAnnIds", (), {"imgIds": img}),
        ("getAnnIds", (), {"imgIds": [img, ref.getImgIds()[3]], "catIds": cats[:10]}),
        ("getAnnIds", (), {"areaRng": [100, 5000]}),
        ("getAnnIds", (), {"catIds": 1, "iscrowd": 0}),
        ("getAnnIds", (), {"iscrowd": 1}),
        ("getCatIds", (), {}),
        ("getCatIds", (), {"catNms": ["person", "dog"]}),
        ("getCatIds", (), {"supNms": "animal"}),
        ("getCatIds", (), {"catIds": [1, 2, 3], "supNms": ["vehicle"]}),
        ("getImgIds", (), {}),
        ("getImgIds", (), {"catIds": [1]}),
        ("getImgIds", (), {"catIds": [1, 3]}),
        ("getImgIds", (), {"imgIds": [img], "catIds": [1]}),
        ("loadImgs", (img,), {}),
        ("loadImgs", ([img],), {}),
        ("loadCats", (cats[:4],), {}),
        ("loadCats", (1,), {}),
        ("loadAnns", (ref.getAnnIds(imgIds=img),), {}),
    ]
    for name, args, kwargs in queries:
        assert getattr(got, name)(*args, **kwargs) == getattr(ref, name)(*args, **kwargs), \
            (name, args, kwargs)


def _res_views(coco_cls, gt_path, res):
    def go():
        gt = coco_cls(str(gt_path))
        return gt.loadRes(copy.deepcopy(res) if not isinstance(res, np.ndarray) else res)
    return _quiet(go)


@pytest.mark.parametrize("what", ["bbox", "segm", "keypoints", "ndarray", "path"])
def test_load_res_derivations(vn, what):
    gt = KP_GT if what == "keypoints" else VAL100
    if what == "bbox":
        res = json.loads(FAKE_BBOX.read_bytes())[:200]
    elif what == "segm":
        res = json.loads(FAKE_SEGM.read_bytes())[:200]
        for i, r in enumerate(res):
            if i % 2:
                r.pop("bbox", None)  # loadRes derives it from the mask
    elif what == "keypoints":
        res = json.loads(KP_DT.read_bytes())
    elif what == "ndarray":
        rows = json.loads(FAKE_BBOX.read_bytes())[:50]
        res = np.array([[r["image_id"], *r["bbox"], r["score"], r["category_id"]]
                        for r in rows], dtype=np.float64)
    else:
        res = str(FAKE_BBOX)
    (ref, ref_out) = _res_views(PyCOCO, gt, res)
    (got, got_out) = _res_views(vn.COCO, gt, res)
    assert [line for line in got_out.splitlines() if "(t=" not in line] == \
        [line for line in ref_out.splitlines() if "(t=" not in line]
    assert list(got.dataset) == list(ref.dataset)
    for key in ref.dataset:
        _same_tree(ref.dataset[key], got.dataset[key], key)
    assert list(got.anns) == list(ref.anns)


def _same_tree(a, b, where):
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            _same_tree(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same_tree(x, y, f"{where}[{i}]")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and np.array_equal(a, b), where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def test_load_res_foreign_images_is_typed(vn):
    gt, _ = _quiet(lambda: vn.COCO(str(VAL100)))
    bad = [{"image_id": 987654321, "category_id": 1, "bbox": [1, 2, 3, 4], "score": .5}]
    with pytest.raises(vn.UnknownImageError, match="do not correspond") as info:
        _quiet(lambda: gt.loadRes(bad))
    assert isinstance(info.value, AssertionError)


# ---- refusals: nothing on params is silently ignored --------------------------

def _evaluated(vn, set_params=None):
    def go():
        gt = vn.COCO(str(VAL100))
        ev = vn.COCOeval(gt, gt.loadRes(str(FAKE_BBOX)), "bbox")
        if set_params:
            set_params(ev.params)
        return ev
    return _quiet(go)[0]


def test_unknown_params_field_refused(vn):
    ev = _evaluated(vn, lambda p: setattr(p, "iouThresholds", [0.5]))
    with pytest.raises(vn.InvalidConfigError, match="iouThresholds"):
        _quiet(ev.evaluate)


def test_unsorted_pooled_categories_refused(vn):
    def set_params(p):
        p.useCats = 0
        p.catIds = [3, 1]
    ev = _evaluated(vn, set_params)
    with pytest.raises(vn.InvalidConfigError, match="ascending"):
        _quiet(ev.evaluate)


def test_subset_ids_the_ground_truth_lacks(vn):
    """pycocotools evaluates an image id or category id the ground truth
    lacks as one with nothing in it (None entries in evalImgs, -1 arrays)."""
    def set_params(p):
        p.imgIds = p.imgIds[:20] + [123456789, -5]
        p.catIds = [1, 2, 3, 999]

    _compare(vn, VAL100, FAKE_BBOX, "bbox", set_params)


@pytest.mark.parametrize("field,use_cats", [("imgIds", 1), ("catIds", 1), ("imgIds", 0),
                                             ("catIds", 0)])
def test_empty_subset(vn, field, use_cats):
    """An empty params.imgIds or params.catIds evaluates nothing: pycocotools
    gives -1 arrays (no category axis at all for an empty catIds) and -1
    stats; so does vernier (torchmetrics meets this on a ground truth without
    annotations)."""
    def set_params(p):
        setattr(p, field, [])
        p.useCats = use_cats

    ref, got = _compare(vn, VAL100, FAKE_BBOX, "bbox", set_params)
    assert (np.asarray(got.stats) == -1).all()


def test_keypoint_subset_with_sigmas(vn):
    def set_params(p):
        p.kpt_oks_sigmas = np.array(p.kpt_oks_sigmas) * 1.3
        p.imgIds = p.imgIds[:3]
        p.catIds = [1, 77]

    _compare(vn, KP_GT, KP_DT, "keypoints", set_params)


def test_params_changed_after_evaluate_refused(vn):
    ev = _evaluated(vn)
    _quiet(ev.evaluate)
    ev.params.recThrs = np.linspace(0, 1, 11)
    with pytest.raises(vn.InvalidConfigError, match="evaluate"):
        _quiet(ev.accumulate)


def test_accumulate_before_evaluate(vn):
    ev = _evaluated(vn)
    with pytest.raises(vn.VernierError):
        _quiet(ev.accumulate)
    with pytest.raises(Exception, match="accumulate"):
        ev.summarize()


# ---- patch_pycocotools ----------------------------------------------------------

def test_patch_unpatch_nesting(vn):
    import pycocotools.coco
    import pycocotools.cocoeval

    orig_coco, orig_eval = pycocotools.coco.COCO, pycocotools.cocoeval.COCOeval
    namespace = {"COCOeval": orig_eval}  # a module that bound the name before patching
    holder = type(sys)("dropin_probe_module")
    holder.COCOeval = orig_eval
    sys.modules[holder.__name__] = holder
    try:
        assert not vn.patch.is_patched()
        with vn.patch_pycocotools():
            assert pycocotools.coco.COCO is vn.COCO
            assert pycocotools.cocoeval.COCOeval is vn.COCOeval
            assert holder.COCOeval is vn.COCOeval
            from pycocotools.cocoeval import COCOeval as later  # imported after patching
            assert later is vn.COCOeval
            vn.patch_pycocotools()  # nested: idempotent while in effect
            assert pycocotools.coco.COCO is vn.COCO
            vn.unpatch()
            assert pycocotools.coco.COCO is vn.COCO  # the outer patch still holds
        assert pycocotools.coco.COCO is orig_coco
        assert pycocotools.cocoeval.COCOeval is orig_eval
        assert holder.COCOeval is orig_eval
        assert namespace["COCOeval"] is orig_eval
        vn.unpatch()  # not patched: nothing to undo
        assert pycocotools.coco.COCO is orig_coco
        assert not vn.patch.is_patched()
    finally:
        sys.modules.pop(holder.__name__, None)
        while vn.patch.is_patched():
            vn.unpatch()


def test_patch_replaces_pycocotools_mask_functions(vn):
    import pycocotools.mask as pm

    import vernier.mask as vm

    names = ("encode", "decode", "area", "toBbox", "merge", "iou", "frPyObjects")
    orig = {n: getattr(pm, n) for n in names}
    holder = type(sys)("dropin_mask_probe_module")
    holder.iou = pm.iou  # `from pycocotools.mask import iou` before patching
    sys.modules[holder.__name__] = holder
    try:
        with vn.patch_pycocotools():
            assert all(getattr(pm, n) is getattr(vm, n) for n in names)
            assert holder.iou is vm.iou
            # what pycocotools' own functions return, through the patched names
            m = np.asfortranarray((np.arange(48).reshape(6, 8) % 5 == 0).astype(np.uint8))
            rle = pm.encode(m)
            assert rle == orig["encode"](m)
            assert pm.area(rle) == orig["area"](rle)
            assert np.array_equal(pm.decode(rle), orig["decode"](rle))
        assert all(getattr(pm, n) is orig[n] for n in names)
        assert holder.iou is orig["iou"]
    finally:
        sys.modules.pop(holder.__name__, None)
        while vn.patch.is_patched():
            vn.unpatch()


def test_patched_pycocotools_gives_vernier_numbers(vn):
    ref = _run(PyCOCO, PyCOCOeval, VAL100, FAKE_BBOX, "bbox")
    with vn.patch_pycocotools():
        import pycocotools.coco
        import pycocotools.cocoeval

        got = _run(pycocotools.coco.COCO, pycocotools.cocoeval.COCOeval, VAL100, FAKE_BBOX,
                   "bbox")
    assert type(got[0]) is vn.COCOeval
    _assert_same_eval(ref[0], got[0], ref[1], got[1])


def test_patch_without_pycocotools():
    """With pycocotools not importable, the patch registers stand-ins."""
    code = textwrap.dedent(f"""
        import sys
        for name in [m for m in sys.modules if m.startswith("pycocotools")]:
            del sys.modules[name]
        sys.modules["pycocotools"] = None  # as if not installed
        import vernier
        with vernier.patch_pycocotools():
            from pycocotools.coco import COCO
            from pycocotools.cocoeval import COCOeval
            assert COCO is vernier.COCO and COCOeval is vernier.COCOeval
            from pycocotools import mask as maskUtils
            import vernier.mask
            assert maskUtils.encode is vernier.mask.encode
            import contextlib, io
            with contextlib.redirect_stdout(io.StringIO()):
                gt = COCO({str(VAL100)!r})
                ev = COCOeval(gt, gt.loadRes({str(FAKE_BBOX)!r}), "bbox")
                ev.evaluate(); ev.accumulate(); ev.summarize()
            print(repr(ev.stats.tolist()))
        assert sys.modules["pycocotools"] is None
        try:
            import pycocotools.coco
        except ImportError:
            print("restored")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    ref = _run(PyCOCO, PyCOCOeval, VAL100, FAKE_BBOX, "bbox")[0]
    assert out[0] == repr(np.asarray(ref.stats).tolist())
    assert out[1] == "restored"


SCRIPT = """\
import sys
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

gt = COCO(sys.argv[1])
dt = gt.loadRes(sys.argv[2])
ev = COCOeval(gt, dt, "bbox")
ev.params.imgIds = sorted(gt.getImgIds())[:40]
ev.evaluate()
ev.accumulate()
ev.summarize()
print("EVALUATOR", type(ev).__module__)
print("STATS", repr([float(s) for s in ev.stats]))
"""


def test_python_m_vernier_patch_runs_unmodified_script(tmp_path):
    script = tmp_path / "evaluate_script.py"
    script.write_text(SCRIPT)
    args = [str(script), str(VAL100), str(FAKE_BBOX)]
    plain = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                           check=True).stdout
    patched = subprocess.run([sys.executable, "-m", "vernier.patch", *args],
                             capture_output=True, text=True, check=True).stdout
    assert "EVALUATOR pycocotools.cocoeval" in plain
    assert "EVALUATOR vernier.cocoeval" in patched

    def summary(text):
        return [line for line in text.splitlines()
                if line.startswith((" Average", "STATS"))]

    assert summary(patched) == summary(plain)
    assert len(summary(plain)) == 13


# ---- mistakes people make -------------------------------------------------------

def test_ground_truth_passed_as_results(vn):
    gt, _ = _quiet(lambda: vn.COCO(str(VAL100)))
    with pytest.raises(vn.SchemaError, match="looks like a ground-truth file") as info:
        _quiet(lambda: gt.loadRes(str(VAL100)))
    assert isinstance(info.value, AssertionError)  # pycocotools raises an AssertionError
    ev = vn.Evaluator(parity_mode="strict")
    with pytest.raises(vn.SchemaError, match="looks like a ground-truth file"):
        ev.evaluate(VAL100.read_bytes(), VAL100.read_bytes())


def test_paths_accepted_by_evaluator(vn):
    ev = vn.Evaluator(parity_mode="strict")
    from_paths = ev.evaluate(str(VAL100), FAKE_BBOX)
    from_bytes = ev.evaluate(VAL100.read_bytes(), FAKE_BBOX.read_bytes())
    assert from_paths.stats == from_bytes.stats
    np.testing.assert_array_equal(from_paths.precision, from_bytes.precision)


def test_xyxy_boxes_warned(vn):
    gt, _ = _quiet(lambda: vn.COCO(str(VAL100)))
    rows = json.loads(FAKE_BBOX.read_bytes())[:100]
    xyxy = []
    for r in rows:
        x, y, w, h = r["bbox"]
        img = gt.imgs[r["image_id"]]
        # far right/bottom boxes as [x1, y1, x2, y2]
        x1, y1 = img["width"] * 0.6, img["height"] * 0.6
        xyxy.append(dict(r, bbox=[x1, y1, x1 + max(w, 2), y1 + max(h, 2)]))
    with pytest.warns(UserWarning, match=r"100 of 100 result boxes reach past"):
        _quiet(lambda: gt.loadRes(xyxy))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _quiet(lambda: gt.loadRes(rows))  # ordinary xywh boxes: no warning


def test_detections_built_without_load_res(vn):
    """COCO() + dataset + createIndex for the detections (torchmetrics'
    way): ids as given, areas checked against loadRes' derivation, results
    on images outside the ground truth never evaluated."""
    dets = json.loads(FAKE_BBOX.read_bytes())
    gt_dict = json.loads(VAL100.read_bytes())
    anns = [dict(d, id=i + 7, area=d["bbox"][2] * d["bbox"][3], iscrowd=0)
            for i, d in enumerate(dets)]
    dt_dict = {"images": gt_dict["images"], "categories": gt_dict["categories"],
               "annotations": anns}

    def run(coco_cls, eval_cls):
        def go():
            coco_gt = coco_cls(str(VAL100))
            coco_dt = _coco(coco_cls, dt_dict)
            ev = eval_cls(coco_gt, coco_dt, "bbox")
            ev.evaluate()
            ev.accumulate()
            return ev
        ev, _ = _quiet(go)
        return ev, _quiet(ev.summarize)[1]

    ref, got = run(PyCOCO, PyCOCOeval), run(vn.COCO, vn.COCOeval)
    _assert_same_eval(ref[0], got[0], ref[1], got[1])
    bad = copy.deepcopy(dt_dict)
    bad["annotations"][3]["area"] += 1.0
    coco_gt, _ = _quiet(lambda: vn.COCO(str(VAL100)))
    ev = vn.COCOeval(coco_gt, _coco(vn.COCO, bad), "bbox")
    with pytest.raises(vn.InvalidArgumentError, match="loadRes would derive"):
        _quiet(ev.evaluate)


def test_segm_ground_truth_without_boxes(vn):
    """pycocotools' mask IoU never reads a GT's bbox: GT without boxes evaluates."""
    gt = json.loads(VAL100.read_bytes())
    for a in gt["annotations"]:
        del a["bbox"]
    _compare(vn, gt, FAKE_SEGM, "segm")
    dets = json.loads(FAKE_BBOX.read_bytes())
    with pytest.raises(KeyError):  # pycocotools' box IoU reads it
        _run(PyCOCO, PyCOCOeval, gt, dets, "bbox")
    with pytest.raises(vn.SchemaError, match="bbox"):
        _run(vn.COCO, vn.COCOeval, gt, dets, "bbox")


def test_summary_behind_cocoeval_carries_kernel_and_names(vn):
    """The Summary a drop-in COCOeval evaluated (what patched code can reach
    through vernier's own API) names its IoU type and categories as the
    native Evaluator's does."""
    import json

    ev = _evaluated(vn, None)
    _quiet(ev.evaluate)
    summary = ev._run[0]
    gt = json.loads(VAL100.read_bytes())
    assert summary.iou_type == "bbox"
    assert summary.category_names == {c["id"]: c["name"] for c in gt["categories"]}
