"""Packaging metadata, the one version number, and the entry points' manners
(issue 16).  The quick part: everything here runs in seconds and is in
`make check`; building and installing the artefacts is test_release.py.

* One version number: vernier.h's VERNIER_VERSION_MAJOR/MINOR/PATCH and
  VERNIER_VERSION_STRING, ``vernier.__version__``, ``vernier.version()``
  (``vernier_version_string()``), the installed distribution's metadata,
  setup.py, ``vernier --version`` of the C program, of the console script
  and of ``python -m vernier``, and the installed pkg-config file.
* The distribution is ``libvernier`` (import name ``vernier``), with an
  SPDX licence string, LICENSE, URLs, classifiers and the extras.
* A closed stdout pipe ends the demo, the console script and ``python -m
  vernier`` quietly (no traceback), by SIGPIPE as it ends the C program;
  ``python -m vernier`` with nothing prints the help.
"""
from __future__ import annotations

import importlib.metadata
import os
import re
import runpy
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import vernier
from vernier import cli as pycli

ROOT = Path(__file__).resolve().parents[2]
HEADER = ROOT / "libvernier" / "include" / "vernier.h"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SAMPLE_GT = ROOT / "python" / "src" / "vernier" / "data" / "instances_val2014_100.json"
SAMPLE_DT = SAMPLE_GT.with_name("instances_val2014_fakebbox100_results.json")
VENV_BIN = Path(sys.executable).parent


def header_version():
    text = HEADER.read_text(encoding="utf-8")
    parts = [re.search(rf"^#define VERNIER_VERSION_{p} +(\d+)$", text, re.M).group(1)
             for p in ("MAJOR", "MINOR", "PATCH")]
    string = re.search(r'^#define VERNIER_VERSION_STRING "([^"]*)"$', text, re.M).group(1)
    return ".".join(parts), string


def run(*cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


def make(*args):
    p = run("make", "-s", "-C", ROOT, *args)
    assert p.returncode == 0, f"make {' '.join(args)} failed:\n{p.stdout}\n{p.stderr}"
    return p.stdout


# ---------------------------------------------------------------------------
# One version number
# ---------------------------------------------------------------------------

def setup_kwargs(monkeypatch):
    """What setup.py passes to setuptools.setup()."""
    import setuptools
    captured = {}
    monkeypatch.setattr(setuptools, "setup", lambda **kw: captured.update(kw))
    runpy.run_path(str(ROOT / "setup.py"), run_name="__main__")
    return captured


def test_one_version_number_everywhere(tmp_path, monkeypatch):
    from_parts, string = header_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", from_parts)
    assert string == from_parts, "vernier.h: VERNIER_VERSION_STRING disagrees with the parts"
    seen = {
        "vernier.__version__": vernier.__version__,
        "vernier.version() (vernier_version_string)": vernier.version(),
        "distribution metadata": importlib.metadata.version("libvernier"),
        "setup.py": setup_kwargs(monkeypatch)["version"],
    }
    make("cli")
    for name, cmd in (("C CLI", [ROOT / "build" / "vernier"]),
                      ("console script", [VENV_BIN / "vernier"]),
                      ("python -m vernier", [sys.executable, "-m", "vernier"])):
        p = run(*cmd, "--version")
        assert p.returncode == 0 and p.stderr == "", (name, p.stderr)
        m = re.fullmatch(r"vernier (\S+)\n", p.stdout)
        assert m, (name, p.stdout)
        seen[f"{name} --version"] = m.group(1)
    make("install", f"DESTDIR={tmp_path}", "PREFIX=/usr/x")
    pc = (tmp_path / "usr/x/lib/pkgconfig/vernier.pc").read_text()
    seen["vernier.pc"] = re.search(r"^Version: (\S+)$", pc, re.M).group(1)
    wrong = {k: v for k, v in seen.items() if v != from_parts}
    assert not wrong, f"vernier.h says {from_parts}; these differ: {wrong}"


def test_setup_reads_the_version_from_the_header_only(monkeypatch):
    """No second copy of the number in the packaging files; the wheel is
    tagged for the stable ABI from 3.10 on."""
    assert setup_kwargs(monkeypatch)["options"]["bdist_wheel"] == {"py_limited_api": "cp310"}
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert "version" not in PYPROJECT["project"]
    version = header_version()[0]
    for path in ("setup.py", "pyproject.toml", "python/src/vernier/__init__.py", "Makefile",
                 "libvernier/release/Makefile"):
        assert version not in (ROOT / path).read_text(encoding="utf-8"), path


# ---------------------------------------------------------------------------
# Distribution name and metadata
# ---------------------------------------------------------------------------

def test_distribution_name_and_import_name():
    assert PYPROJECT["project"]["name"] == "libvernier"
    assert vernier.__distribution__ == "libvernier"
    assert "libvernier" in importlib.metadata.packages_distributions()["vernier"]
    dist = importlib.metadata.distribution("libvernier")
    assert dist.metadata["Name"] == "libvernier"
    (script,) = dist.entry_points.select(group="console_scripts", name="vernier")
    assert script.value == "vernier.cli:console"


def test_licence_and_metadata():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert re.search(r"^Copyright \(c\) \d{4}(-\d{4})? The vernier authors$", text, re.M)
    assert "Permission is hereby granted, free of charge" in text
    assert importlib.metadata.metadata("libvernier")["License-Expression"] == "MIT"
    assert not any(c.startswith("License ::") for c in project["classifiers"]), \
        "PEP 639: no licence classifiers next to an SPDX expression"
    assert project["requires-python"] == ">=3.10"
    versions = {c.rsplit(" ", 1)[1] for c in project["classifiers"]
                if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}
    assert versions == {"3.10", "3.11", "3.12", "3.13"}
    assert {"Homepage", "Source", "Issues", "Documentation", "Changelog"} <= set(project["urls"])
    assert all(u.startswith("https://") for u in project["urls"].values())
    assert project["keywords"]
    build = PYPROJECT["build-system"]["requires"]
    assert "setuptools>=77" in build, "the SPDX license string needs setuptools >= 77"


def test_extras_are_named_for_what_they_bring():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert set(extras) == {"torch", "plot", "pandas", "arrow", "all", "test"}
    first = {name: [re.split(r"[<>=!~;\[ ]", r)[0] for r in reqs] for name, reqs in extras.items()}
    assert first["torch"] == ["torch"]
    assert first["plot"] == ["matplotlib"]
    assert first["pandas"] == ["pandas"]
    assert first["arrow"] == ["pyarrow"]
    assert extras["all"] == ["libvernier[torch,plot,pandas,arrow]"]
    assert "pycocotools==2.0.11" in extras["test"]


def test_changelog_records_the_packaging_change():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert "libvernier" in text and "make dist" in text and "make wheel" in text


# ---------------------------------------------------------------------------
# Entry points: a closed pipe, no arguments
# ---------------------------------------------------------------------------

ENTRY_POINTS = {
    "demo": [sys.executable, "-m", "vernier.demo"],
    "console script": [str(VENV_BIN / "vernier"), "eval", "--gt", str(SAMPLE_GT),
                       "--dt", str(SAMPLE_DT), "--iou-type", "bbox"],
    "python -m vernier": [sys.executable, "-m", "vernier", "eval", "--gt", str(SAMPLE_GT),
                          "--dt", str(SAMPLE_DT), "--iou-type", "bbox"],
}


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_closed_pipe_ends_quietly_by_sigpipe(name):
    """stdout is a pipe whose reader is gone before the program writes: the
    first write ends the process by SIGPIPE (as it ends the C program), with
    nothing on stderr: no BrokenPipeError traceback, no "Exception ignored"."""
    r, w = os.pipe()
    os.close(r)
    try:
        p = subprocess.run(ENTRY_POINTS[name], stdout=w, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(w)
    assert p.stderr == ""
    assert p.returncode == -signal.SIGPIPE


def test_c_program_ends_the_same_way():
    make("cli")
    r, w = os.pipe()
    os.close(r)
    try:
        p = subprocess.run([str(ROOT / "build" / "vernier"), *ENTRY_POINTS["console script"][1:]],
                           stdout=w, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(w)
    assert (p.returncode, p.stderr) == (-signal.SIGPIPE, "")


def test_demo_into_head():
    """The issue's reproduction, through a shell: two lines, no traceback."""
    p = run("sh", "-c", f"'{sys.executable}' -m vernier.demo | head -2")
    assert p.returncode == 0 and p.stderr == ""
    lines = p.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("vernier: bbox evaluation of 100 images")
    assert lines[1].startswith(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all")


def test_entry_points_keep_their_exit_status():
    """The SIGPIPE handling does not swallow statuses: usage errors stay 2,
    evaluation errors 1, success 0 (docs/reference/cli.md)."""
    p = run(VENV_BIN / "vernier", "eval", "--gt", SAMPLE_GT)
    assert p.returncode == 2 and "vernier:" in p.stderr
    p = run(sys.executable, "-m", "vernier", "eval", "--gt", ROOT / "no-such.json", "--dt",
            SAMPLE_DT, "--iou-type", "bbox")
    assert p.returncode == 1 and "no-such.json" in p.stderr
    p = run(VENV_BIN / "vernier")
    assert p.returncode == 2 and p.stdout == "" and "missing command" in p.stderr


def test_python_m_vernier_without_arguments_prints_help():
    p = run(sys.executable, "-m", "vernier")
    assert p.returncode == 0 and p.stderr == ""
    assert p.stdout == pycli.HELP_MAIN


# ---------------------------------------------------------------------------
# make abi-check
# ---------------------------------------------------------------------------

def test_abi_check_passes_on_the_committed_list():
    assert "abi-check: ok" in make("abi-check")
    listed = (ROOT / "libvernier" / "abi" / "symbols.txt").read_text().split()
    assert listed == sorted(set(listed)) and all(s.startswith("vernier_") for s in listed)
    declared = re.findall(r"VERNIER_API\b[^;(]*?\b(vernier_\w+)\s*\(",
                          re.sub(r"/\*.*?\*/", "", HEADER.read_text(), flags=re.S))
    assert set(declared) == set(listed)


@pytest.mark.parametrize("change", ["removed", "added"])
def test_abi_check_fails_on_a_changed_symbol_list(change, tmp_path):
    """A symbol the list has but the library no longer exports is an ABI
    break (new soname); one the library exports but the list lacks is an
    addition (new minor version): both fail until the list is updated."""
    listed = (ROOT / "libvernier" / "abi" / "symbols.txt").read_text().split()
    if change == "removed":       # the list still promises a symbol that is gone
        edited, name, says = listed + ["vernier_eval_gone"], "vernier_eval_gone", "no longer exported"
    else:                         # the library exports one the list does not have
        edited, name, says = listed[1:], listed[0], "not in"
    fake = tmp_path / "symbols.txt"
    fake.write_text("\n".join(sorted(edited)) + "\n")
    p = run("make", "-s", "-C", ROOT, "abi-check", f"ABI_LIST={fake}")
    assert p.returncode != 0
    assert says in p.stdout and name in p.stdout
