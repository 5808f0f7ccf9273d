"""The release artefacts, built and used as a user would (issue 16).  Marked
``heavy``: `make check` leaves them out, `make test` runs them (about two
minutes, most of it creating virtual environments and installing numpy).

* ``make wheel``: one ``cp310-abi3`` wheel that ``auditwheel show`` places
  under a manylinux policy, LICENSE inside; built by pip from the sdist in
  an empty folder with build isolation (so the sdist builds with nothing but
  a C compiler and its declared build requirements), with no deprecation
  warning in either build log.
* The wheel installed into a fresh virtual environment of every CPython
  3.10-3.13 this machine has, with no C compiler on PATH: ``import
  vernier``, ``vernier --version``, ``vernier eval`` on bbox, segm and
  keypoints fixtures (the printed lines and the JSON stats equal to
  pycocotools', run here), and the demo.
* ``make dist``: the C tarball builds and installs in a temporary folder
  with a PATH that has no Python on it; examples/c/evaluate.c compiled
  against the installed copy through pkg-config gives pycocotools' stats.
"""
from __future__ import annotations

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from parity.oracle import run_pycocotools  # noqa: E402

pytestmark = pytest.mark.heavy

HEADER = ROOT / "libvernier" / "include" / "vernier.h"
DIST = ROOT / "dist"
FIX = ROOT / "parity" / "fixtures"
SAMPLE_GT = FIX / "faster_coco_eval/dataset/cocoapi/instances_val2014_100.json"
CASES = {
    "bbox": (SAMPLE_GT, FIX / "cocoapi/instances_val2014_fakebbox100_results.json"),
    "segm": (SAMPLE_GT, FIX / "cocoapi/instances_val2014_fakesegm100_results.json"),
    "keypoints": (FIX / "xtcocoapi/example_coco_val.json", FIX / "xtcocoapi/example_coco_preds.json"),
}
WANTED_PYTHONS = ((3, 10), (3, 11), (3, 12), (3, 13))


def version():
    text = HEADER.read_text(encoding="utf-8")
    return ".".join(re.search(rf"^#define VERNIER_VERSION_{p} +(\d+)$", text, re.M).group(1)
                    for p in ("MAJOR", "MINOR", "PATCH"))


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


def make(*args):
    p = run(["make", "-s", "-C", ROOT, *args])
    assert p.returncode == 0, f"make {' '.join(args)} failed:\n{p.stdout}\n{p.stderr}"
    return p.stdout


@pytest.fixture(scope="module")
def artefacts():
    """Build the sdist, the wheel and the C tarball once for the module."""
    make("wheel")
    make("dist")
    v = version()
    wheels = sorted(DIST.glob(f"libvernier-{v}-*.whl"))
    assert len(wheels) == 1, wheels
    return {"wheel": wheels[0],
            "sdist": DIST / f"libvernier-{v}.tar.gz",
            "ctar": DIST / f"libvernier-c-{v}.tar.gz"}


@pytest.fixture(scope="module")
def oracle():
    """pycocotools' lines and stats of each case (pycocotools runs here)."""
    out = {}
    for kind, (gt, dt) in CASES.items():
        ref = run_pycocotools(gt.read_bytes(), dt.read_bytes(), kind)
        out[kind] = (list(ref.lines), [float(x) for x in ref.stats])
    return out


# ---------------------------------------------------------------------------
# The wheel and the sdist as files
# ---------------------------------------------------------------------------

def test_wheel_is_abi3_manylinux_with_licence(artefacts):
    wheel, v = artefacts["wheel"], version()
    assert re.fullmatch(rf"libvernier-{re.escape(v)}-cp310-abi3-manylinux_\d+_\d+_x86_64"
                        r"(\.manylinux_\d+_\d+_x86_64)*\.whl", wheel.name), wheel.name
    # auditwheel (make wheel's build environment) on the wheel in dist/
    p = run([ROOT / "build" / "pkgenv" / "bin" / "auditwheel", "show", wheel])
    assert p.returncode == 0, p.stderr
    show = " ".join(p.stdout.split())
    m = re.search(r'is consistent with the following platform tag: "(manylinux_\d+_\d+_x86_64)"',
                  show)
    assert m, show
    assert m.group(1) in wheel.name
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        info = f"libvernier-{v}.dist-info"
        wheel_meta = z.read(f"{info}/WHEEL").decode()
        meta = z.read(f"{info}/METADATA").decode()
        licence = z.read(f"{info}/licenses/LICENSE")
    assert "vernier/_vernier.abi3.so" in names
    assert not [n for n in names if re.search(r"_vernier\.cpython-", n)]
    assert "Root-Is-Purelib: false" in wheel_meta
    tags = re.findall(r"^Tag: (\S+)$", wheel_meta, re.M)
    assert tags and all(t.startswith("cp310-abi3-manylinux_") for t in tags), tags
    assert licence == (ROOT / "LICENSE").read_bytes()
    assert re.search(r"^Name: libvernier$", meta, re.M)
    assert re.search(rf"^Version: {re.escape(v)}$", meta, re.M)
    assert re.search(r"^License-Expression: MIT$", meta, re.M)
    assert re.search(r"^Requires-Python: >=3.10$", meta, re.M)
    for data in ("vernier/data/instances_val2014_100.json", "vernier/py.typed"):
        assert data in names


def test_sdist_has_what_a_build_needs_and_licence(artefacts):
    v = version()
    top = f"libvernier-{v}"
    with tarfile.open(artefacts["sdist"]) as t:
        names = set(t.getnames())
        licence = t.extractfile(f"{top}/LICENSE").read()
        pkg_info = t.extractfile(f"{top}/PKG-INFO").read().decode()
    assert licence == (ROOT / "LICENSE").read_bytes()
    assert re.search(r"^License-Expression: MIT$", pkg_info, re.M)
    needed = ["libvernier/include/vernier.h", "python/src/vernier/_build/cdef.h",
              "python/src/vernier/_build/ffi_build.py", "setup.py", "pyproject.toml"]
    needed += [str(p.relative_to(ROOT)) for p in sorted((ROOT / "libvernier" / "src").rglob("*"))
               if p.suffix in (".c", ".h", ".inc")]
    missing = [n for n in needed if f"{top}/{n}" not in names]
    assert not missing, missing
    assert not [n for n in names if "/parity/" in n or "/tests/" in n or n.endswith(".so")]


def test_build_logs_have_no_deprecation_warning(artefacts):
    sdist_log = (ROOT / "build" / "sdist.log").read_text()
    wheel_log = (ROOT / "build" / "wheel" / "build.log").read_text()
    assert "Successfully built libvernier" in sdist_log
    # pip built the wheel from the sdist, in an isolated build environment
    assert "Installing build dependencies" in wheel_log
    assert re.search(r"Successfully built libvernier", wheel_log)
    for name, log in (("sdist", sdist_log), ("wheel", wheel_log)):
        bad = [ln for ln in log.splitlines() if re.search(r"deprecat", ln, re.I)]
        assert not bad, f"{name} build log: {bad}"


# ---------------------------------------------------------------------------
# The wheel installed on every Python, without a compiler
# ---------------------------------------------------------------------------

def find_pythons():
    """``{(3, minor): interpreter}`` for the CPython 3.10-3.13 this machine
    has: pyenv's versions, python3.X on PATH and in the usual folders."""
    candidates = [sys.executable]
    roots = {os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv"), "/root/.pyenv"}
    for major, minor in WANTED_PYTHONS:
        for root in sorted(r for r in roots if r):
            candidates += sorted(glob.glob(f"{root}/versions/{major}.{minor}.*/bin/python{major}.{minor}"))
        candidates += [f"{d}/python{major}.{minor}" for d in ("/usr/bin", "/usr/local/bin")]
        if shutil.which(f"python{major}.{minor}"):
            candidates.append(shutil.which(f"python{major}.{minor}"))
    found = {}
    for c in candidates:
        if not os.access(c, os.X_OK):
            continue
        p = run([c, "-c", "import sys, venv; print(*sys.version_info[:2], sys.implementation.name)"])
        if p.returncode != 0:
            continue        # a pyenv shim of a version not selected, a python without venv
        major, minor, impl = p.stdout.split()
        key = (int(major), int(minor))
        if impl == "cpython" and key in WANTED_PYTHONS and key not in found:
            found[key] = c
    return found


PYTHONS = find_pythons()


def test_several_pythons_are_available():
    """The install test below needs more than the running interpreter to mean
    anything: CI's machine has pyenv's 3.10-3.13."""
    assert len(PYTHONS) >= 2, f"found only {PYTHONS}; install python3.X (Debian) or pyenv versions"


def compilerless_env(venv: Path, tmp: Path):
    """The environment of a user without a C compiler: PATH is the venv's
    bin and an empty folder; CC names a program that does not exist."""
    empty = tmp / "empty-bin"
    empty.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("CC", "CXX", "CFLAGS", "LDSHARED", "PYTHONPATH", "PYTHONHOME",
                        "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{empty}"
    env["CC"] = str(tmp / "no-such-cc")
    for tool in ("cc", "gcc", "clang", "c99", "x86_64-linux-gnu-gcc"):
        assert shutil.which(tool, path=env["PATH"]) is None, tool
    return env


@pytest.mark.parametrize("want", sorted(PYTHONS), ids=lambda v: "py%d.%d" % v)
def test_wheel_installs_and_runs_without_a_compiler(want, artefacts, oracle, tmp_path):
    v = version()
    venv = tmp_path / "venv"
    p = run([PYTHONS[want], "-m", "venv", venv])
    assert p.returncode == 0, p.stderr
    env = compilerless_env(venv, tmp_path)
    py = venv / "bin" / "python"
    p = run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check",
             "--only-binary=:all:", artefacts["wheel"]], env=env, cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr

    work = tmp_path / "work"      # not the repository: vernier must come from the venv
    work.mkdir()
    p = run([py, "-c", "import json, sys, importlib.metadata as m, vernier; print(json.dumps("
             "[vernier.__version__, vernier.__distribution__, m.version('libvernier'), "
             "vernier.version(), vernier.__file__, list(sys.version_info[:2])]))"],
            env=env, cwd=work)
    assert p.returncode == 0, p.stderr
    pyver, dist, meta, cver, where, interp = json.loads(p.stdout)
    assert (pyver, dist, meta, cver) == (v, "libvernier", v, v)
    assert Path(where).is_relative_to(venv) and tuple(interp) == want
    for cmd in ([venv / "bin" / "vernier", "--version"], [py, "-m", "vernier", "--version"]):
        p = run(cmd, env=env, cwd=work)
        assert (p.returncode, p.stdout, p.stderr) == (0, f"vernier {v}\n", "")

    # parity smoke: the console script against pycocotools, lines and stats
    for kind, (gt, dt) in CASES.items():
        out = work / f"{kind}.json"
        p = run([venv / "bin" / "vernier", "eval", "--gt", gt, "--dt", dt, "--iou-type", kind,
                 "--emit", "text", "--emit", f"json={out}", "-q"], env=env, cwd=work)
        assert p.returncode == 0, (kind, p.stderr)
        lines, stats = oracle[kind]
        assert p.stdout.splitlines() == lines, kind
        assert json.loads(out.read_text())["stats"] == stats, kind

    p = run([py, "-m", "vernier.demo"], env=env, cwd=work)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    header, *lines = p.stdout.splitlines()
    assert "parity_mode='strict'" in header and lines == oracle["bbox"][0]

    r, w = os.pipe()
    os.close(r)
    try:
        p = subprocess.run([str(py), "-m", "vernier.demo"], stdout=w, stderr=subprocess.PIPE,
                           text=True, env=env, cwd=work)
    finally:
        os.close(w)
    assert (p.returncode, p.stderr) == (-signal.SIGPIPE, "")


# ---------------------------------------------------------------------------
# The C library's tarball, without Python
# ---------------------------------------------------------------------------

def python_free_path(tmp: Path) -> str:
    """A folder of links to the tools a C build needs, and nothing else."""
    bin_dir = tmp / "c-tools"
    bin_dir.mkdir()
    for tool in ("sh", "make", "cc", "ar", "as", "ld", "sed", "install", "ln", "mkdir", "rm",
                 "chmod", "cp", "grep", "printf"):
        found = shutil.which(tool)
        assert found, f"{tool} is needed to build the C tarball"
        (bin_dir / tool).symlink_to(found)
    path = str(bin_dir)
    for py in ("python", "python3", f"python3.{sys.version_info[1]}"):
        assert shutil.which(py, path=path) is None
    return path


def test_c_tarball_builds_installs_and_links_without_python(artefacts, oracle, tmp_path):
    v = version()
    top = f"libvernier-c-{v}"
    with tarfile.open(artefacts["ctar"]) as t:
        names = set(t.getnames())
        t.extractall(tmp_path, filter="data")
    for f in ("Makefile", "README.md", "LICENSE", "CHANGELOG.md", "vernier.pc.in",
              "include/vernier.h", "examples/evaluate.c", "cli/vernier_cli.c",
              "abi/symbols.txt"):
        assert f"{top}/{f}" in names, f
    assert (tmp_path / top / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
    assert not [n for n in names if n.endswith((".py", ".toml"))]

    src, prefix = tmp_path / top, tmp_path / "prefix"
    env = {"PATH": python_free_path(tmp_path), "HOME": str(tmp_path), "LC_ALL": "C"}
    out = {}
    for args in (["-j2"], ["check"], ["install", f"PREFIX={prefix}"]):
        p = run(["make", "-s", *args], cwd=src, env=env)
        assert p.returncode == 0, f"make {args}: {p.stdout}\n{p.stderr}"
        out[args[0]] = p.stdout
    assert f"check: ok (vernier {v})" in out["check"]
    lib = prefix / "lib"
    major = v.split(".")[0]
    assert (lib / f"libvernier.so.{v}").is_file() and (lib / "libvernier.a").is_file()
    assert os.readlink(lib / f"libvernier.so.{major}") == f"libvernier.so.{v}"
    dyn = run(["readelf", "-d", lib / f"libvernier.so.{v}"]).stdout
    assert f"Library soname: [libvernier.so.{major}]" in dyn
    assert (prefix / "include" / "vernier.h").read_bytes() == HEADER.read_bytes()

    # the example against the installed copy, through pkg-config
    pc_env = dict(os.environ, PKG_CONFIG_PATH=str(lib / "pkgconfig"))
    p = run(["pkg-config", "--modversion", "vernier"], env=pc_env)
    assert p.stdout.strip() == v
    flags = run(["pkg-config", "--cflags", "--libs", "vernier"], env=pc_env).stdout.split()
    exe = tmp_path / "evaluate"
    p = run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", ROOT / "examples/c/evaluate.c",
             *flags, "-o", exe], env=pc_env)
    assert p.returncode == 0, p.stderr
    run_env = dict(os.environ, LD_LIBRARY_PATH=str(lib))
    assert str(lib / "libvernier.so") in run(["ldd", exe], env=run_env).stdout
    for kind, (gt, dt) in CASES.items():
        p = run([exe, gt, dt, kind], env=run_env)
        assert p.returncode == 0, p.stderr
        assert [float(ln.split()[1]) for ln in p.stdout.splitlines()] == oracle[kind][1], kind

    # the installed CLI prints pycocotools' lines
    gt, dt = CASES["bbox"]
    p = run([prefix / "bin" / "vernier", "eval", "-q", "--gt", gt, "--dt", dt, "--iou-type",
             "bbox"], env={"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": str(lib)})
    assert p.returncode == 0 and p.stdout.splitlines() == oracle["bbox"][0]
