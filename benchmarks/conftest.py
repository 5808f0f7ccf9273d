"""pytest configuration of the benchmarks.

* Collects ``bench_*.py`` files (pytest's default only looks at ``test_*.py``).
* ``val2017_files``: the val2017-scale bbox workload, generated once per
  session and written to a temporary directory as ``gt.json`` / ``dt.json``.
* ``segm_val2017_files``: the val2017-scale segm workload
  (``make_segm_val2017_scale``: polygon GT, compressed-RLE results without
  ``bbox``), likewise; generating it takes about a minute.
"""

from __future__ import annotations

import json

import pytest


def pytest_configure(config):
    # pycocotools 2.0.11's mask.decode under numpy 2 warns on every call (harmless: its
    # __array__ lacks the copy keyword); thousands of lines would bury real warnings.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")


def pytest_collect_file(file_path, parent):
    # Files named on the command line are collected by pytest itself already.
    if (file_path.suffix == ".py" and file_path.name.startswith("bench_")
            and not parent.session.isinitpath(file_path)):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


@pytest.fixture(scope="session")
def val2017_files(tmp_path_factory):
    """Paths ``(gt.json, dt.json)`` of the val2017-scale workload (5,000 images)."""
    from parity.generate import make_val2017_scale

    gt, dt = make_val2017_scale()
    root = tmp_path_factory.mktemp("val2017-scale")
    gt_path, dt_path = root / "gt.json", root / "dt.json"
    gt_path.write_text(json.dumps(gt), encoding="utf-8")
    dt_path.write_text(json.dumps(dt), encoding="utf-8")
    return gt_path, dt_path


@pytest.fixture(scope="session")
def segm_val2017_files(tmp_path_factory):
    """Paths ``(gt.json, dt.json)`` of the val2017-scale segm workload (5,000 images)."""
    from parity.generate import make_segm_val2017_scale

    gt, dt = make_segm_val2017_scale()
    root = tmp_path_factory.mktemp("segm-val2017-scale")
    gt_path, dt_path = root / "gt.json", root / "dt.json"
    gt_path.write_text(json.dumps(gt), encoding="utf-8")
    dt_path.write_text(json.dumps(dt), encoding="utf-8")
    return gt_path, dt_path
