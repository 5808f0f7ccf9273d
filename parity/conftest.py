"""pytest configuration of the parity suite.

Nothing here skips: if vernier (or pycocotools) cannot be imported, every
test that needs it ERRORS.  vernier is imported by the ``vernier`` fixture
rather than at module level so that ``pytest --collect-only parity`` works
even before the extension is built.
"""

from __future__ import annotations

import pytest


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


@pytest.fixture(scope="session")
def vernier():
    """The vernier package (with ``vernier.instance`` loaded).

    An ImportError here makes the requesting test error out: a missing or
    broken build is a failure of the parity suite, never a reason to skip.
    """
    import vernier as vn
    import vernier.instance  # noqa: F401  (the API under test lives here)

    return vn
