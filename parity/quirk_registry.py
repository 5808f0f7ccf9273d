"""Which parity tests pin which row of the quirk catalogue.

``docs/explanation/quirks.md`` has one row per pycocotools quirk (the IDs
A1 ... L9 of the public survey, plus "id 0").  A test that exercises a row
in both parity modes -- strict compared with pycocotools run in the same
test, corrected compared with its documented behaviour -- is decorated with
``@quirk("A1", ...)``.  The decorator

* records ``"<path>::<test name>"`` under each ID in :data:`REGISTRY`, and
* adds the ``quirk`` marker (``pytest -m quirk parity`` runs exactly the
  catalogue's tests).

``parity/test_quirk_catalogue.py`` imports every ``parity/test_*.py``
module, so the registry is complete there, and checks that the catalogue
and the registry list the same IDs and that each row names its tests.
"""

from __future__ import annotations

import pytest

REGISTRY: dict[str, list[str]] = {}


def test_ref(fn) -> str:
    """``parity/test_x.py::test_name`` for a test function."""
    return f"{fn.__module__.replace('.', '/')}.py::{fn.__name__}"


def quirk(*ids: str):
    """Mark a test as pinning the catalogue rows ``ids`` (in both modes)."""
    if not ids:
        raise ValueError("quirk() needs at least one ID")

    def decorate(fn):
        ref = test_ref(fn)
        for i in ids:
            refs = REGISTRY.setdefault(i, [])
            if ref not in refs:
                refs.append(ref)
        return pytest.mark.quirk(*ids)(fn)

    return decorate


test_ref.__test__ = False      # not a test, whatever its name says
