"""The documentation's examples run, and the reference keeps up with the API.

* Every fenced ```python block of docs/**/*.md and README.md runs: the
  blocks of one page in order, in one fresh namespace, with the current
  directory set to an empty temporary directory.  A block fenced as
  ```python notest is skipped.  A failure names the page, the block number
  and its line.
* What a block prints is what the page says it prints: a ```output block
  right after it holds its standard output, compared exactly.  A block that
  prints must have one, unless it is fenced ```python varies (its output
  depends on timing, and the page says so).
* Every complete C program in docs/ (a ```c block with a main function)
  compiles against vernier.h, and runs on the shipped sample when
  build/libvernier.a has been built.
* docs/reference mentions every exception class vernier exports, every
  VERNIER_API function and every status code of vernier.h, and every name
  of vernier.instance.__all__.
* Relative links between documentation pages point to files that exist.
"""
from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import traceback
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

from conftest import REPO

DOCS = REPO / "docs"
HEADER = REPO / "libvernier" / "include" / "vernier.h"
PAGES = sorted(DOCS.rglob("*.md")) + [REPO / "README.md"]

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


@dataclass
class Block:
    lang: str       # first word of the info string ("python", "c", "sh", ...)
    flags: tuple    # the other words ("notest", ...)
    line: int       # 1-based line of the opening fence
    source: str
    end: int = 0    # 1-based line of the closing fence


def blocks_of(page: Path) -> list[Block]:
    """The fenced code blocks of a Markdown page, in order."""
    out: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info").split()
        start, body = i, []
        i += 1
        while i < len(lines):
            close = _FENCE.match(lines[i])
            if (close and close.group("fence")[0] == fence[0]
                    and len(close.group("fence")) >= len(fence) and not close.group("info").strip()):
                break
            body.append(lines[i])
            i += 1
        i += 1
        out.append(Block(lang=info[0].lower() if info else "", flags=tuple(info[1:]),
                         line=start + 1, source="\n".join(body) + "\n", end=i))
    return out


def python_blocks(page: Path) -> list[Block]:
    return [b for b in blocks_of(page) if b.lang == "python" and "notest" not in b.flags]


def rel(page: Path) -> str:
    return str(page.relative_to(REPO))


RUNNABLE = [p for p in PAGES if python_blocks(p)]


def test_documentation_exists():
    for name in ("README.md", "tutorials/first-evaluation.md", "how-to/evaluate-detections.md",
                 "how-to/build-and-test.md", "reference/python-api.md", "reference/c-api.md",
                 "reference/errors.md", "reference/input-format.md",
                 "explanation/architecture.md", "explanation/parity.md"):
        assert (DOCS / name).is_file(), f"docs/{name} is missing"
    assert DOCS / "tutorials" / "first-evaluation.md" in RUNNABLE


def expected_outputs(page: Path) -> dict:
    """``{line of a python block: the output block right after it}``: an
    ```output block with only blank lines between it and the python block."""
    blocks = blocks_of(page)
    lines = page.read_text(encoding="utf-8").splitlines()
    out = {}
    for a, b in zip(blocks, blocks[1:]):
        if a.lang == "python" and b.lang == "output" and \
                not any(ln.strip() for ln in lines[a.end:b.line - 1]):
            out[a.line] = b
    return out


@pytest.mark.parametrize("page", RUNNABLE, ids=rel)
def test_python_examples_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__main__"}
    outputs = expected_outputs(page)
    for number, block in enumerate(python_blocks(page), start=1):
        where = f"{rel(page)}, python block {number} (line {block.line})"
        failure = None
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(block.source, where, "exec"), namespace)
        except Exception:
            failure = traceback.format_exc()
        # fail outside the except block, so the failed block's frames are not
        # kept alive by exception chaining
        if failure is not None:
            pytest.fail(f"{where} failed:\n{failure}", pytrace=False)
        expected = outputs.get(block.line)
        if expected is not None:
            assert printed.getvalue() == expected.source, (
                f"{where} prints\n{printed.getvalue()}but the page shows (line {expected.line})"
                f"\n{expected.source}")
        elif printed.getvalue() and "varies" not in block.flags:
            pytest.fail(f"{where} prints\n{printed.getvalue()}but no ```output block follows "
                        "it", pytrace=False)


def test_output_blocks_follow_a_python_block():
    for page in PAGES:
        shown = {b.line for b in expected_outputs(page).values()}
        stray = [b.line for b in blocks_of(page) if b.lang == "output" and b.line not in shown]
        assert not stray, f"{rel(page)}: output blocks at lines {stray} follow no python block"


def test_printed_output_is_checked(tmp_path):
    # the check can fail: a page whose output block is wrong, or missing
    page = tmp_path / "page.md"
    page.write_text("```python\nprint(1 + 1)\n```\n\n```output\n3\n```\n")
    (block,) = python_blocks(page)
    assert expected_outputs(page)[block.line].source == "3\n"
    page.write_text("```python varies\nprint(1)\n```\n")
    assert python_blocks(page)[0].flags == ("varies",) and not expected_outputs(page)


# ---- C examples -------------------------------------------------------------

def c_programs():
    out = []
    for page in sorted(DOCS.rglob("*.md")):
        for number, block in enumerate(blocks_of(page), start=1):
            if block.lang == "c" and "notest" not in block.flags and re.search(
                    r"\bint\s+main\s*\(", block.source):
                out.append(pytest.param(page, number, block, id=f"{rel(page)}-c{number}"))
    return out


@pytest.mark.parametrize("page, number, block", c_programs())
def test_c_examples_build_and_run(page, number, block, tmp_path):
    cc = shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler")
    where = f"{rel(page)}, c block {number} (line {block.line})"
    src = tmp_path / "example.c"
    src.write_text(block.source)
    flags = ["-std=c11", "-Wall", "-Wextra", "-Werror", f"-I{HEADER.parent}"]
    lib = REPO / "build" / "libvernier.a"
    if not lib.exists():
        r = subprocess.run([cc, *flags, "-fsyntax-only", str(src)], capture_output=True, text=True)
        assert r.returncode == 0, f"{where} does not compile:\n{r.stderr}"
        pytest.skip("build/libvernier.a not built (make lib): compiled only")
    exe = tmp_path / "example"
    r = subprocess.run([cc, *flags, str(src), str(lib), "-lm", "-lpthread", "-o", str(exe)],
                       capture_output=True, text=True)
    assert r.returncode == 0, f"{where} does not build:\n{r.stderr}"
    data = resources.files("vernier") / "data"
    gt = data / "instances_val2014_100.json"
    dt = data / "instances_val2014_fakebbox100_results.json"
    with resources.as_file(gt) as gt_path, resources.as_file(dt) as dt_path:
        r = subprocess.run([str(exe), str(gt_path), str(dt_path)], capture_output=True, text=True,
                           timeout=120)
    assert r.returncode == 0, f"{where} failed:\n{r.stderr}"
    lines = r.stdout.splitlines()
    assert len(lines) == 12 and all(ln.startswith(" Average ") for ln in lines), r.stdout
    assert lines[0].endswith("= 0.505"), lines[0]


# ---- the reference keeps up with the API ------------------------------------

def reference_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((DOCS / "reference").glob("*.md")))


def test_reference_mentions_every_exception():
    import vernier
    text = reference_text()
    exceptions = [name for name in vernier.__all__
                  if isinstance(getattr(vernier, name), type)
                  and issubclass(getattr(vernier, name), BaseException)]
    assert exceptions, "vernier.__all__ exports no exception class"
    missing = [name for name in exceptions if not re.search(rf"\b{name}\b", text)]
    assert not missing, f"docs/reference does not mention: {', '.join(missing)}"


def test_reference_mentions_every_c_function_and_status_code():
    header = HEADER.read_text(encoding="utf-8")
    functions = set(re.findall(r"VERNIER_API\s+[^;(]*?\b(vernier_\w+)\s*\(", header))
    codes = set(re.findall(r"^\s*(VERNIER_(?:OK|E_\w+))\s*=", header, re.M))
    assert functions and codes
    text = reference_text()
    missing = sorted(n for n in functions | codes if not re.search(rf"\b{n}\b", text))
    assert not missing, f"docs/reference does not mention: {', '.join(missing)}"


def test_python_reference_mentions_every_public_name():
    import vernier.instance
    text = (DOCS / "reference" / "python-api.md").read_text(encoding="utf-8")
    missing = [n for n in vernier.instance.__all__ if not re.search(rf"\b{n}\b", text)]
    assert not missing, f"docs/reference/python-api.md does not mention: {', '.join(missing)}"


# ---- links --------------------------------------------------------------------

_LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)\s]+)\)")


@pytest.mark.parametrize("page", PAGES, ids=rel)
def test_relative_links_resolve(page):
    broken = []
    for target in _LINK.findall(page.read_text(encoding="utf-8")):
        path = target.split("#", 1)[0]
        if path and not (page.parent / path).exists():
            broken.append(target)
    assert not broken, f"{rel(page)} links to missing files: {', '.join(broken)}"
