"""Error paths that do not fit are marked as cut (found while hardening,
issue 9): a JSON path longer than vernier_error.path (159 bytes) ends in
"...", as docs/reference/input-format.md ("Limits") and errors.md promise,
and an object key longer than 64 bytes is shortened visibly, so a path
never looks complete when it is not.
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
