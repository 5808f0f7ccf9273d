"""COCO.showAnns draws what pycocotools' showAnns draws.

Both draw on a fresh Agg figure with numpy's random generator seeded alike
(the colours are random in both); the test compares every artist: the two
patch collections (each polygon's vertices, face and edge colours), the
mask layers (RGBA pixels) and the keypoint lines (data and styles)."""
from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from conftest import FIX, VAL100

import matplotlib  # noqa: E402  (a test dependency: python/requirements-dev.txt)
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

KEYPOINTS_GT = FIX / "xtcocoapi" / "example_coco_val.json"
CROWD_RLE = FIX / "hotcoco" / "adversarial_fixtures" / "segm_crowd_rle.json"


def _coco(cls, path):
    with contextlib.redirect_stdout(io.StringIO()):
        if path.name.endswith("segm_crowd_rle.json"):
            data = json.loads(path.read_bytes())
            data.pop("detections", None)
            c = cls()
            c.dataset = data
            c.createIndex()
            return c
        return cls(str(path))


def _draw(coco, anns, draw_bbox):
    fig = plt.figure(figsize=(4, 3))
    plt.imshow(np.zeros((8, 8, 3)))      # showAnns draws over a shown image
    np.random.seed(1234)
    out = coco.showAnns(anns, draw_bbox=draw_bbox)
    ax = fig.gca()
    drawn = {
        "return": out,
        "collections": [
            ([p.vertices.tolist() for p in c.get_paths()], c.get_facecolor().tolist(),
             c.get_edgecolor().tolist(), c.get_linewidths().tolist(), c.get_alpha())
            for c in ax.collections],
        "images": [np.asarray(im.get_array()) for im in ax.images[1:]],
        "lines": [(ln.get_xdata().tolist(), ln.get_ydata().tolist(), ln.get_linewidth(),
                   ln.get_marker(), ln.get_markersize(), ln.get_color(),
                   ln.get_markerfacecolor(), ln.get_markeredgecolor())
                  for ln in ax.lines],
        "autoscale": ax.get_autoscale_on(),
    }
    plt.close(fig)
    return drawn


def _cases():
    return [("polygons", VAL100, False), ("polygons+boxes", VAL100, True),
            ("keypoints", KEYPOINTS_GT, False), ("keypoints+boxes", KEYPOINTS_GT, True),
            ("crowd-rle", CROWD_RLE, True)]


@pytest.mark.parametrize("name,path,draw_bbox", _cases(), ids=[c[0] for c in _cases()])
def test_show_anns_draws_what_pycocotools_draws(name, path, draw_bbox):
    import vernier
    from pycocotools.coco import COCO as PyCOCO

    ref_coco, our_coco = _coco(PyCOCO, path), _coco(vernier.COCO, path)
    for img_id in sorted(ref_coco.getImgIds())[:4]:
        anns_ref = ref_coco.loadAnns(ref_coco.getAnnIds(imgIds=[img_id]))
        anns_our = our_coco.loadAnns(our_coco.getAnnIds(imgIds=[img_id]))
        if not anns_ref:
            continue
        ref = _draw(ref_coco, anns_ref, draw_bbox)
        got = _draw(our_coco, anns_our, draw_bbox)
        assert got["collections"] == ref["collections"], (name, img_id)
        assert len(got["collections"]) == 2 and got["collections"][0][0], (name, img_id)
        assert len(got["images"]) == len(ref["images"]), (name, img_id)
        for a, b in zip(got["images"], ref["images"]):
            assert a.shape == b.shape and np.array_equal(a, b), (name, img_id)
        assert got["lines"] == ref["lines"], (name, img_id)
        assert got["autoscale"] is ref["autoscale"] is False
        assert got["return"] == ref["return"]


def test_show_anns_kinds_are_all_exercised():
    """The cases above draw polygons, masks and keypoints (the test would
    pass vacuously otherwise)."""
    import vernier

    kinds = set()
    for _, path, _ in _cases():
        c = _coco(vernier.COCO, path)
        for a in c.dataset["annotations"]:
            s = a.get("segmentation")
            kinds.add("polygon" if type(s) is list and s else "rle" if isinstance(s, dict) else "")
            if a.get("keypoints"):
                kinds.add("keypoints")
    assert {"polygon", "rle", "keypoints"} <= kinds


def test_show_anns_empty_and_captions(capsys):
    import vernier
    from pycocotools.coco import COCO as PyCOCO

    for cls in (PyCOCO, vernier.COCO):
        c = cls()
        assert c.showAnns([]) == 0
        c.showAnns([{"caption": "a cat"}, {"caption": "on a mat"}])
    out = capsys.readouterr().out
    assert out == "a cat\non a mat\n" * 2


def test_show_anns_unknown_kind_is_an_error():
    import vernier

    with pytest.raises(vernier.InvalidArgumentError, match="segmentation or keypoints"):
        vernier.COCO().showAnns([{"bbox": [0, 0, 1, 1]}])
