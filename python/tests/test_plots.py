"""vernier.plot on the shipped sample, and the pictures of the how-to.

* Each plot type renders: the PNG is non-empty, read back with matplotlib it
  has the size in pixels its documentation gives, and the figure's axes
  carry the documented labels; SVG saving works.
* docs/how-to/see-where-your-model-fails.md: its code, run in a temporary
  directory, writes every picture the page shows; the committed copies in
  docs/images/ exist and have the size of the fresh ones (not byte
  equality: matplotlib versions draw differently).  With
  VERNIER_WRITE_DOC_IMAGES=1 (``make docs-images``) the fresh ones are
  copied there first.
* Without matplotlib, drawing raises ImportError naming the extra.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import sys

import numpy as np
import pytest

from conftest import REPO

import matplotlib.image as mpimg

from vernier import plot
from vernier.instance import Bbox, Evaluator

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HOWTO = REPO / "docs" / "how-to" / "see-where-your-model-fails.md"
IMAGES = REPO / "docs" / "images"
_IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(\.\./images/([^)\s]+)\)")


@pytest.fixture(scope="module")
def sample(sample_bytes):
    gt, dt = sample_bytes
    s = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(gt, dt)
    names = {c["id"]: c["name"] for c in json.loads(gt)["categories"]}
    return s, names


def _with_gt(s):
    p = s.precision[:, :, :, 0, -1]
    return [int(c) for k, c in enumerate(s.category_ids) if np.any(p[:, :, k] > -1)]


def _png(path):
    data = path.read_bytes()
    assert len(data) > 1000 and data.startswith(PNG_MAGIC)
    img = mpimg.imread(str(path))
    return img.shape[:2]          # (height, width)


def _labels(ax):
    return ax.get_xlabel(), ax.get_ylabel()


def test_pr_curves(sample, tmp_path):
    s, names = sample
    fig = plot.pr_curves(s, path=tmp_path / "a.png")
    assert _png(tmp_path / "a.png") == (500, 700)
    (ax,) = fig.axes
    assert _labels(ax) == ("Recall", "Precision")
    assert ax.get_xlim() == (0, 1) and ax.get_ylim()[0] == 0
    assert len(ax.get_lines()) == 10 and "strict mode" in ax.get_title()
    # the legend's AP at IoU 0.50 is the summary's AP50
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0] == f"IoU 0.50: AP {s.stats[1]:.3f}"
    assert texts[5] == f"IoU 0.75: AP {s.stats[2]:.3f}"
    # the drawn line is the curve (-1 cells, none here, would be gaps)
    x, y = ax.get_lines()[0].get_data()
    c = s.pr_curve(iou=0.5)
    assert np.array_equal(x, c.recall) and np.array_equal(y, c.precision)
    one = plot.pr_curves(s, category=1, ious=[0.5, 0.75], names=names)
    assert len(one.axes[0].get_lines()) == 2 and "person" in one.axes[0].get_title()


def test_per_class_pr(sample, tmp_path):
    s, names = sample
    cats = _with_gt(s)
    assert len(cats) == 70
    fig = plot.per_class_pr(s, names=names, path=tmp_path / "b.png")
    cols, rows = 6, math.ceil(len(cats) / 6)
    assert _png(tmp_path / "b.png") == (200 * rows + 75, 250 * cols)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(cats)
    assert [ax.get_title().split("\n")[0] for ax in visible] == [names[c] for c in cats]
    for i, ax in enumerate(visible):
        x, y = _labels(ax)
        assert y == ("Precision" if i % cols == 0 else "")
        last = i // cols == rows - 1 or i + cols >= len(cats)
        assert x == ("Recall" if last else "")
        assert ax.get_xlim() == (0, 1)
    # a chosen list, in its order; names from the summary (the ground
    # truth's categories) ...
    fig = plot.per_class_pr(s, categories=[3, 1], path=tmp_path / "c.png")
    assert _png(tmp_path / "c.png") == (275, 500)
    assert s.category_names[3] == "car" and s.category_names[1] == "person"
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["car", "person"]
    # ... and ids where a category has no name
    fig = plot.per_class_pr(s, categories=[3, 1], names={})
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["category 3", "category 1"]
    assert [_labels(ax) for ax in fig.axes] == [("Recall", "Precision"), ("Recall", "")]
    with pytest.raises(ValueError, match="category=999"):
        plot.per_class_pr(s, categories=[999])


def test_f1_vs_score(sample, tmp_path):
    s, _ = sample
    fig = plot.f1_vs_score(s, path=tmp_path / "d.png")
    assert _png(tmp_path / "d.png") == (500, 700)
    (ax,) = fig.axes
    assert _labels(ax) == ("Score threshold", "Precision / recall / F1")
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines[:3]] == ["precision", "recall", "F1"]
    sweep = s.score_sweep()
    x, y = lines[2].get_data()
    assert np.array_equal(x, sweep.score) and np.array_equal(y, sweep.f1)
    best = np.flatnonzero(sweep.f1 == sweep.f1.max())[-1]
    assert lines[3].get_label() == (f"best F1 {sweep.f1[best]:.3f} at score "
                                    f"{sweep.score[best]:.3f}")


def test_per_class_ap(sample, tmp_path):
    s, names = sample
    cats = _with_gt(s)
    fig = plot.per_class_ap(s, names=names, path=tmp_path / "e.png")
    assert _png(tmp_path / "e.png") == (25 * len(cats) + 125, 700)
    (ax,) = fig.axes
    assert _labels(ax) == ("AP (IoU 0.50:0.95)", "Category")
    assert "10 categories without ground truth not shown" in ax.get_title()
    bars = [b.get_width() for b in ax.patches]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == sorted(names[c] for c in cats)
    # lowest at the top: widths fall from bottom (y = 0) to top
    assert bars == sorted(bars, reverse=True)
    # a bar is the mean over precision[:, :, k, 0, -1]'s cells > -1
    k = list(s.category_ids).index(1)
    cells = s.precision[:, :, k, 0, -1]
    assert bars[labels.index("person")] == np.mean(cells[cells > -1])


def test_svg_and_save_all(sample, tmp_path):
    s, names = sample
    plot.per_class_ap(s, names=names, path=tmp_path / "f.svg")
    text = (tmp_path / "f.svg").read_text()
    assert "<svg" in text and "AP per category" in text
    paths = plot.save_all(s, tmp_path / "all", names=names)
    assert [p.name for p in paths] == ["pr_curves.png", "per_class_pr.png", "f1_vs_score.png",
                                       "per_class_ap.png"]
    assert all(_png(p) for p in paths)


def test_keypoints_and_pooled(loaded, tmp_path):
    gt_bytes, ds, dt, iou = loaded("keypoints")
    s = Evaluator(iou=iou, parity_mode="strict").evaluate(ds, dt)
    assert s.max_dets == (20,) and s.area_ranges == ("all", "medium", "large")
    paths = plot.save_all(s, tmp_path)        # defaults: first area range, largest cap
    assert all(_png(p) for p in paths)
    pooled = Evaluator(parity_mode="strict", use_cats=False).evaluate(*_sample_pair())
    fig = plot.per_class_ap(pooled)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["all categories (pooled)"]


def _sample_pair():
    from importlib import resources
    data = resources.files("vernier") / "data"
    return ((data / "instances_val2014_100.json").read_bytes(),
            (data / "instances_val2014_fakebbox100_results.json").read_bytes())


def test_without_matplotlib(sample, monkeypatch):
    s, _ = sample
    for mod in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, mod, None)
    with pytest.raises(ImportError, match=r"vernier\[plot\]"):
        plot.pr_curves(s)
    # the curves themselves need numpy only
    assert s.pr_curve().precision.shape == (101,)


# ---------------------------------------------------------------------------
# The how-to's pictures
# ---------------------------------------------------------------------------

def _run_page(page, cwd, monkeypatch):
    from test_docs import python_blocks   # the page's blocks, as test_docs runs them
    import contextlib
    import io
    monkeypatch.chdir(cwd)
    ns = {"__name__": "__main__"}
    for block in python_blocks(page):
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(block.source, f"{page.name}:{block.line}", "exec"), ns)


def test_doc_images(tmp_path, monkeypatch):
    shown = _IMAGE_LINK.findall(HOWTO.read_text(encoding="utf-8"))
    assert set(shown) == {"pr_curves.png", "per_class_ap.png", "per_class_pr_worst.png",
                          "f1_vs_score.png"}
    _run_page(HOWTO, tmp_path, monkeypatch)
    write = os.environ.get("VERNIER_WRITE_DOC_IMAGES") == "1"
    for name in shown:
        fresh = tmp_path / name
        assert fresh.is_file(), f"the page's code does not write {name}"
        size = _png(fresh)
        if write:
            IMAGES.mkdir(exist_ok=True)
            shutil.copyfile(fresh, IMAGES / name)
        committed = IMAGES / name
        assert committed.is_file(), f"docs/images/{name} is missing (make docs-images)"
        assert _png(committed) == size, f"docs/images/{name} is stale (make docs-images)"
    # every committed picture is shown by some page
    pages = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "docs").rglob("*.md"))
    unused = [p.name for p in IMAGES.iterdir() if f"images/{p.name}" not in pages]
    assert not unused, f"docs/images/ holds pictures no page shows: {unused}"


def test_names_from_the_summary(sample):
    s, names = sample

    class Named:                  # a summary that carries its names, in id order
        def __init__(self, inner, own):
            self._inner, self.category_names = inner, own

        def __getattr__(self, attr):
            return getattr(self._inner, attr)

    ids = [int(c) for c in s.category_ids]
    for own in ([f"n{c}" for c in ids], {c: f"n{c}" for c in ids}):
        fig = plot.per_class_pr(Named(s, own), categories=[3, 1])
        assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["n3", "n1"]
    # an explicit mapping wins
    fig = plot.per_class_pr(Named(s, {}), categories=[1], names=names)
    assert fig.axes[0].get_title().startswith("person\n")
