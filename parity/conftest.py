"""pytest configuration of the parity suite.

Nothing here skips: if vernier (or pycocotools) cannot be imported, every
test that needs it ERRORS.  vernier is imported by the ``vernier`` fixture
rather than at module level so that ``pytest --collect-only parity`` works
even before the extension is built.
"""

from __future__ import annotations

import os

import pytest


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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    # after collection every test module is imported: patch the names they imported
    name = config.getoption("--negative-control")
    if name:
        from parity.negative_controls import install

        install(name)


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


@pytest.fixture(scope="session")
def vernier():
    """The vernier package (with ``vernier.instance`` loaded).

    An ImportError here makes the requesting test error out: a missing or
    broken build is a failure of the parity suite, never a reason to skip.
    """
    import vernier as vn
    import vernier.instance  # noqa: F401  (the API under test lives here)

    return vn
