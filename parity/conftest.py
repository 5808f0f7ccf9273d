"""pytest configuration of the parity suite.

Nothing here skips: if vernier (or pycocotools) cannot be imported, every
test that needs it ERRORS.  vernier is imported by the ``vernier`` fixture
rather than at module level so that ``pytest --collect-only parity`` works
even before the extension is built.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PARITY_DIR = Path(__file__).resolve().parent


def pytest_addoption(parser):
    from parity.negative_controls import ENV_VAR, VARIANTS

    parser.addoption(
        "--negative-control", default=os.environ.get(ENV_VAR) or None,
        choices=sorted(VARIANTS), metavar="NAME",
        help="swap a deliberately broken evaluator (parity/negative_controls.py: "
             + ", ".join(sorted(VARIANTS)) + ") into parity.checks.run_vernier: the "
             f"parity suite must then FAIL.  Also read from ${ENV_VAR}.")


def pytest_report_header(config):
    name = config.getoption("--negative-control")
    if name:
        return f"NEGATIVE CONTROL {name}: vernier is deliberately broken, the suite must fail"
    return None


# The `quick` tier (`make check`): a representative slice of the suite that
# runs in well under a minute.  Every test of QUICK_MODULES, every test
# pinning a row of the quirk catalogue (marker `quirk`), and the cases of
# QUICK_CASES: test -> substrings of its parameter id, one of which must
# occur in the id.  Together: bbox, segm, boundary and keypoints in both
# parity modes on a few real fixtures and a few generated workloads, the
# quirk catalogue and the adversarial bbox cases.  `make test` runs all.
QUICK_MODULES = ("test_bbox_adversarial.py", "test_quirk_catalogue.py", "test_quirks.py")
QUICK_CASES = {
    # strict, real fixtures
    "test_bbox_fixtures.py::test_bbox_fixture_matches_pycocotools": (
        "instances_val2014_fakebbox100_results]", "hotcoco/tests_fixtures/gt|",
        "vernier/crowd_overlap_tiebreak/"),
    "test_segm_fixtures.py::test_segm_fixture_matches_pycocotools": (
        "instances_val2014_fakesegm100_results]", "vernier/multi_polygon_gt_segm/",
        "segm_crowd_rle]"),
    "test_keypoints_fixtures.py::test_keypoints_fixture_matches_pycocotools": (
        "xtcocoapi/example_coco_val|", "vernier/keypoints_zero_visibility/"),
    "test_boundary.py::test_boundary_fixture_matches_oracle": (
        "faster_coco_eval/dataset/dt_dataset-0.02]", "vernier/multi_polygon_gt_segm/gt|"),
    # corrected, real fixtures
    "test_corrected.py::test_fixture_corpus": (
        "[bbox:faster_coco_eval/dataset/cocoapi/instances_val2014_100|"
        "cocoapi/instances_val2014_fakebbox100_results]",
        "[segm:faster_coco_eval/dataset/cocoapi/instances_val2014_100|",
        "[keypoints:xtcocoapi/example_coco_val|"),
    # strict, generated workloads
    "test_bbox_generated.py::test_generated_workload": (
        "[n10_s1_", "[n25_s4_", "[n60_s10_"),
    "test_segm_generated.py::test_generated_segm_workload": ("[n10_s1_", "[n25_s4_"),
    "test_keypoints_generated.py::test_generated_keypoint_workload": ("[n10_s1_", "[n30_s4_"),
    "test_boundary.py::test_boundary_generated_matches_oracle": ("[n15_s101_",),
    # corrected (== strict) on generated workloads that trigger no quirk
    "test_corrected.py::test_no_quirk_bbox": ("",),
    "test_corrected.py::test_no_quirk_masks": ("",),
    "test_corrected.py::test_no_quirk_keypoints": ("",),
}


def _mark_quick(items, whole_modules: bool) -> None:
    quick = pytest.mark.quick
    unmatched = {(key, part) for key, parts in QUICK_CASES.items() for part in parts}
    collected = set()
    for item in items:
        module = item.path.name
        collected.add(module)
        if module in QUICK_MODULES or item.get_closest_marker("quirk"):
            item.add_marker(quick)
            continue
        key = f"{module}::{item.originalname}"
        hits = {(key, part) for part in QUICK_CASES.get(key, ()) if part in item.name}
        if hits:
            item.add_marker(quick)
            unmatched -= hits
    # an entry that selects nothing (a renamed test or case) would shrink the tier
    # silently; checked when whole modules were collected (no test named by node id)
    stale = sorted(f"{key} {part!r}" for key, part in unmatched if key.split("::")[0] in collected)
    if stale and whole_modules:
        raise pytest.UsageError("parity/conftest.py QUICK_CASES selects no test for: "
                                + ", ".join(stale))


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(session, config, items):
    # before the other implementations (-m deselects by markers): mark the quick tier
    _mark_quick([item for item in items if item.path.parent == PARITY_DIR],
                whole_modules=not any("::" in str(arg) for arg in config.args))
    result = yield
    # after collection every test module is imported: patch the names they imported
    name = config.getoption("--negative-control")
    if name:
        from parity.negative_controls import install

        install(name)
    return result


def pytest_configure(config):
    # pycocotools 2.0.11's mask.decode under numpy 2 warns on every call (harmless: its
    # __array__ lacks the copy keyword); thousands of lines would bury real warnings.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")
    config.addinivalue_line(
        "markers",
        "slow: the val2017-scale comparisons, bbox and segm (pycocotools alone takes about a "
        "minute for each, generating the segm workload another minute); "
        "deselect with -m 'not slow' for a quick local run -- CI runs everything")
    config.addinivalue_line(
        "markers",
        "quirk(*ids): pins these rows of docs/explanation/quirks.md in both parity modes "
        "(set by parity.quirk_registry.quirk; -m quirk runs the catalogue's tests)")
    config.addinivalue_line(
        "markers",
        "quick: the representative slice `make check` runs (-m quick); set by this conftest "
        "from QUICK_MODULES, the quirk marker and QUICK_CASES")


@pytest.fixture(scope="session")
def vernier():
    """The vernier package (with ``vernier.instance`` loaded).

    An ImportError here makes the requesting test error out: a missing or
    broken build is a failure of the parity suite, never a reason to skip.
    """
    import vernier as vn
    import vernier.instance  # noqa: F401  (the API under test lives here)

    return vn
