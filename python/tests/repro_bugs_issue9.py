"""Reproducers for library bugs found while hardening (issue 9).

NOT collected by `make test` (the file name does not start with test_): run
it explicitly, ``.venv/bin/python -m pytest -q python/tests/repro_bugs_issue9.py``,
and rename it to test_*.py (or move its tests into test_limits.py) once the
bugs are fixed.

1. Error paths from the JSON reader are cut at 159 bytes without the
   trailing "..." that docs/reference/input-format.md ("Limits":
   "`vernier_error.path` 159 bytes; longer paths end in `...`") and
   docs/reference/errors.md promise: json.c's vn_json_path truncates by
   itself, so vn_error_set_path's "..." marking never sees a long path.
   Object keys in a path are also cut to 64 bytes with no marker, so a
   path can look complete while it is not.
2. match.c applies a zero offset to a null pointer (undefined behaviour,
   caught by clang's -fsanitize=pointer-overflow only); reproducer in C:
   libvernier/tests/repro_match_null_offset.c.
"""
from __future__ import annotations

import pytest

import vernier
from vernier.instance import CocoDataset


def test_long_json_error_path_ends_in_ellipsis():
    with pytest.raises(vernier.JSONError) as e:
        CocoDataset.from_json(b'{"info": ' + b"[" * 100 + b"NaN" + b"]" * 100 +
                              b', "images": [], "categories": [], "annotations": []}')
    path = e.value.path
    assert len(path.encode()) == 159
    assert path.endswith("..."), path[-20:]


def test_long_key_in_error_path_is_marked_as_cut():
    key = b"k" * 100
    with pytest.raises(vernier.JSONError) as e:
        CocoDataset.from_json(b'{"images": [{"id": 1, "' + key + b'": NaN}], '
                              b'"categories": [], "annotations": []}')
    path = e.value.path
    # either the whole key, or a visible mark that it was shortened
    assert path.endswith("k" * 100) or "..." in path, path
