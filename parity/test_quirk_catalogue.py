"""The quirk catalogue and the tests agree.

``docs/explanation/quirks.md`` has one table row per pycocotools quirk; its
"pinned by" column names the tests.  Tests that pin a row in both parity
modes carry ``@quirk(ID)`` (``parity.quirk_registry``).  This module checks:

* the catalogue's IDs and the registry's IDs are the same set (a row without
  a both-modes test, or a test for a row that does not exist, fails);
* every row names each test registered for it in its "pinned by" cell;
* every test the catalogue names exists (``path::function``, for Python
  and C test files alike), so a renamed test cannot leave a stale row.
"""

from __future__ import annotations

import ast
import importlib
import re
from functools import lru_cache
from pathlib import Path

from parity.quirk_registry import REGISTRY

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "docs" / "explanation" / "quirks.md"
COLUMNS = ("ID", "pycocotools 2.0.11", "strict", "corrected", "pinned by", "ADR")


def _load_registry() -> dict[str, list[str]]:
    """Import every parity test module (which fills REGISTRY) and return it."""
    for path in sorted((ROOT / "parity").glob("test_*.py")):
        importlib.import_module(f"parity.{path.stem}")
    return REGISTRY


def _rows() -> dict[str, list[str]]:
    """ID -> the six cells of its catalogue row."""
    lines = CATALOGUE.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| ID |"))
    assert [c.strip() for c in lines[header].strip("|").split("|")] == list(COLUMNS)
    rows: dict[str, list[str]] = {}
    for line in lines[header + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == len(COLUMNS), f"malformed row: {line[:60]}"
        assert cells[0] not in rows, f"row {cells[0]} appears twice"
        rows[cells[0]] = cells
    return rows


def _refs(cell: str, rows: dict, seen=()) -> list[str]:
    """The ``path::function`` references of a "pinned by" cell, with
    ``::function`` continuing the last path and "as X" expanded to row X's."""
    out: list[str] = []
    for m in re.finditer(r"\bas ([A-L][0-9]+|id 0)\b", cell):
        other = m.group(1)
        assert other in rows and other not in seen, f"bad reference 'as {other}'"
        out += _refs(rows[other][4], rows, seen + (other,))
    path = None
    for m in re.finditer(r"`([^`]*::[A-Za-z_0-9]+)`", cell):
        ref = m.group(1)
        if ref.startswith("::"):
            assert path is not None, f"{ref} without a path before it"
            ref = path + ref
        path = ref.split("::")[0]
        out.append(ref)
    return out


@lru_cache(maxsize=None)
def _functions(path: str) -> frozenset:
    file = ROOT / path
    assert file.is_file(), f"{path} does not exist"
    text = file.read_text(encoding="utf-8")
    if path.endswith(".py"):
        return frozenset(n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef))
    return frozenset(re.findall(r"^(?:static\s+)?\w[\w\s\*]*?\b(\w+)\s*\([^;]*$", text, re.M))


def test_catalogue_and_registry_list_the_same_ids():
    rows, registry = _rows(), _load_registry()
    missing = sorted(set(rows) - set(registry))
    unknown = sorted(set(registry) - set(rows))
    assert not missing, f"catalogue rows without a @quirk test: {missing}"
    assert not unknown, f"@quirk IDs that are not catalogue rows: {unknown}"
    assert len(rows) >= 78


def test_every_row_names_its_registered_tests():
    rows, registry = _rows(), _load_registry()
    problems = []
    for qid, tests in sorted(registry.items()):
        if qid not in rows:
            continue
        named = set(_refs(rows[qid][4], rows))
        problems += [f"{qid}: {t}" for t in tests if t not in named]
    assert not problems, "rows that do not name their registered tests:\n  " + "\n  ".join(problems)


def test_every_named_test_exists():
    rows = _rows()
    problems = []
    for qid, cells in rows.items():
        for ref in _refs(cells[4], rows):
            path, name = ref.split("::")
            if not (ROOT / path).is_file():
                problems.append(f"{qid}: {path} does not exist")
            elif name not in _functions(path):
                problems.append(f"{qid}: {ref} is not a function of {path}")
    assert not problems, "\n  ".join(problems)


def test_registered_tests_carry_the_marker():
    registry = _load_registry()
    for qid, tests in registry.items():
        for ref in tests:
            path, name = ref.split("::")
            module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
            marks = [m for m in getattr(getattr(module, name), "pytestmark", [])
                     if m.name == "quirk"]
            assert any(qid in m.args for m in marks), f"{ref} lacks @quirk({qid!r})"
