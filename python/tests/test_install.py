"""The installable C library: `make install` / `make uninstall`, the pkg-config
file, the exported symbols, the header standing alone, the embedding example
(examples/c/evaluate.c) built against an installed copy, a ctypes smoke test
of the installed libvernier.so, and docs/reference/c-api.md covering every
public function of vernier.h.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADER = ROOT / "libvernier" / "include" / "vernier.h"
C_API_DOC = ROOT / "docs" / "reference" / "c-api.md"
FIXTURES = ROOT / "parity" / "fixtures"
SAMPLE_GT = FIXTURES / "faster_coco_eval/dataset/cocoapi/instances_val2014_100.json"
SAMPLE_DT = FIXTURES / "cocoapi/instances_val2014_fakebbox100_results.json"
SEGM_DT = FIXTURES / "cocoapi/instances_val2014_fakesegm100_results.json"
KP_GT = FIXTURES / "xtcocoapi/example_coco_val.json"
KP_DT = FIXTURES / "xtcocoapi/example_coco_preds.json"


def version_parts():
    text = HEADER.read_text()
    return tuple(int(re.search(rf"#define VERNIER_VERSION_{p} (\d+)", text).group(1))
                 for p in ("MAJOR", "MINOR", "PATCH"))


def make(*args, env=None):
    p = subprocess.run(["make", "-s", "-C", str(ROOT), *args], capture_output=True, text=True,
                       env=env)
    assert p.returncode == 0, f"make {' '.join(args)} failed:\n{p.stdout}\n{p.stderr}"
    return p.stdout


def api_functions():
    """Names of the functions vernier.h declares with VERNIER_API."""
    text = re.sub(r"/\*.*?\*/", "", HEADER.read_text(), flags=re.S)
    names = re.findall(r"VERNIER_API\b[^;(]*?\b(vernier_\w+)\s*\(", text)
    assert len(names) == len(set(names))
    return names


def python_stats(gt, dt, iou):
    from vernier.instance import Bbox, Evaluator, Keypoints, Segm
    kernel = {"bbox": Bbox(), "segm": Segm(), "keypoints": Keypoints()}[iou]
    return list(Evaluator(iou=kernel, parity_mode="strict").evaluate(
        Path(gt).read_bytes(), Path(dt).read_bytes()).stats)


# ---------------------------------------------------------------------------
# Header, symbols, reference documentation
# ---------------------------------------------------------------------------

def test_header_compiles_alone_as_c99_and_cxx():
    assert "headertest: ok" in make("headertest")


def test_only_vernier_symbols_are_exported():
    out = make("symbols")
    assert "symbols: ok" in out
    exported = (ROOT / "build" / "symbols.txt").read_text().split()
    assert set(api_functions()) <= set(exported)
    assert all(s.startswith("vernier_") for s in exported)


def test_c_api_reference_documents_every_function():
    """Each VERNIER_API function of vernier.h is named in docs/reference/c-api.md
    (as a heading or in a heading's list of names)."""
    doc = C_API_DOC.read_text()
    documented = set(re.findall(r"`(vernier_\w+)`", doc))
    missing = [n for n in api_functions() if n not in documented]
    assert not missing, f"not documented in {C_API_DOC.relative_to(ROOT)}: {', '.join(missing)}"


# ---------------------------------------------------------------------------
# make install / uninstall
# ---------------------------------------------------------------------------

def test_install_layout_with_destdir_and_uninstall(tmp_path):
    stage, prefix = tmp_path / "stage", "/opt/vernier-test"
    make("install", f"DESTDIR={stage}", f"PREFIX={prefix}")
    major, minor, patch = version_parts()
    root = stage / prefix.lstrip("/")
    lib = root / "lib"
    real = lib / f"libvernier.so.{major}.{minor}.{patch}"
    files = sorted(str(p.relative_to(stage)) for p in stage.rglob("*") if not p.is_dir())
    assert files == sorted(f"opt/vernier-test/{f}" for f in (
        "bin/vernier", "include/vernier.h", "lib/libvernier.a", "lib/libvernier.so",
        f"lib/libvernier.so.{major}", f"lib/libvernier.so.{major}.{minor}.{patch}",
        "lib/pkgconfig/vernier.pc"))
    assert real.is_file() and not real.is_symlink()
    assert os.readlink(lib / f"libvernier.so.{major}") == real.name
    assert os.readlink(lib / "libvernier.so") == f"libvernier.so.{major}"
    assert os.access(root / "bin" / "vernier", os.X_OK)
    assert (root / "include" / "vernier.h").read_bytes() == HEADER.read_bytes()
    if shutil.which("readelf"):
        dyn = subprocess.run(["readelf", "-d", str(real)], capture_output=True, text=True).stdout
        assert f"Library soname: [libvernier.so.{major}]" in dyn
    pc = (lib / "pkgconfig" / "vernier.pc").read_text()
    assert f"prefix={prefix}\n" in pc and str(stage) not in pc      # DESTDIR is not recorded
    assert f"Version: {major}.{minor}.{patch}\n" in pc

    make("uninstall", f"DESTDIR={stage}", f"PREFIX={prefix}")
    assert [p for p in stage.rglob("*") if not p.is_dir()] == []


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """An installed copy in a temporary prefix, and an environment that finds it."""
    prefix = tmp_path_factory.mktemp("prefix")
    make("install", f"PREFIX={prefix}")
    env = dict(os.environ)
    env["PKG_CONFIG_PATH"] = str(prefix / "lib" / "pkgconfig")
    env["LD_LIBRARY_PATH"] = str(prefix / "lib")
    return prefix, env


def pkg_config(env, *args):
    p = subprocess.run(["pkg-config", *args, "vernier"], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    return p.stdout.split()


def parse_stats(text):
    return [float(line.split()[1]) for line in text.splitlines()]


@pytest.mark.skipif(shutil.which("pkg-config") is None, reason="pkg-config is not installed")
def test_example_builds_with_pkg_config_and_matches_python(installed, tmp_path):
    prefix, env = installed
    cc = os.environ.get("CC", "cc")
    exe = tmp_path / "evaluate"
    cmd = [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic",
           str(ROOT / "examples" / "c" / "evaluate.c"), *pkg_config(env, "--cflags", "--libs"),
           "-o", str(exe)]
    subprocess.run(cmd, check=True, env=env)
    # it really is the shared library from the prefix that gets loaded
    ldd = subprocess.run(["ldd", str(exe)], capture_output=True, text=True, env=env).stdout
    assert str(prefix / "lib" / "libvernier.so") in ldd
    for gt, dt, iou in ((SAMPLE_GT, SAMPLE_DT, "bbox"), (SAMPLE_GT, SEGM_DT, "segm"),
                        (KP_GT, KP_DT, "keypoints")):
        p = subprocess.run([str(exe), str(gt), str(dt), iou], capture_output=True, text=True,
                           env=env)
        assert p.returncode == 0, p.stderr
        assert parse_stats(p.stdout) == python_stats(gt, dt, iou), iou
    p = subprocess.run([str(exe), str(SAMPLE_GT), str(KP_GT)], capture_output=True, text=True,
                       env=env)
    assert p.returncode == 1 and p.stdout == "" and "line 1, column 1" in p.stderr

    # static linking through pkg-config --static works as well
    static = tmp_path / "evaluate-static"
    subprocess.run([cc, "-std=c11", str(ROOT / "examples" / "c" / "evaluate.c"),
                    *pkg_config(env, "--cflags"), str(prefix / "lib" / "libvernier.a"),
                    *[f for f in pkg_config(env, "--static", "--libs") if f != "-lvernier"],
                    "-o", str(static)], check=True, env=env)
    p = subprocess.run([str(static), str(SAMPLE_GT), str(SAMPLE_DT)], capture_output=True,
                       text=True)
    assert parse_stats(p.stdout) == python_stats(SAMPLE_GT, SAMPLE_DT, "bbox")


def test_installed_cli_runs(installed):
    prefix, env = installed
    args = ["eval", "--gt", str(SAMPLE_GT), "--dt", str(SAMPLE_DT), "--iou-type", "bbox"]
    got = subprocess.run([str(prefix / "bin" / "vernier"), *args], capture_output=True,
                         env={"PATH": "/usr/bin:/bin"})
    want = subprocess.run([str(ROOT / "build" / "vernier"), *args], capture_output=True)
    assert got.returncode == 0 and got.stdout == want.stdout and got.stderr == b""


CTYPES_SMOKE = r"""
import ctypes, json, sys

class Error(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("code", ctypes.c_int), ("offset", ctypes.c_int64), ("line", ctypes.c_int64),
                ("column", ctypes.c_int64), ("index", ctypes.c_int64),
                ("path", ctypes.c_char * 160), ("message", ctypes.c_char * 352),
                ("fields", ctypes.c_uint), ("image_id", ctypes.c_int64),
                ("category_id", ctypes.c_int64), ("annotation_id", ctypes.c_int64),
                ("result_index", ctypes.c_int64), ("partial_index", ctypes.c_int64),
                ("rank_id", ctypes.c_uint32), ("other_partial_index", ctypes.c_int64),
                ("other_rank_id", ctypes.c_uint32)]

lib = ctypes.CDLL(sys.argv[1])
P = ctypes.c_void_p
lib.vernier_version_string.restype = ctypes.c_char_p
lib.vernier_dataset_load_json.argtypes = [ctypes.POINTER(P), ctypes.c_char_p, ctypes.c_size_t, P,
                                          ctypes.POINTER(Error)]
lib.vernier_results_load_json.argtypes = lib.vernier_dataset_load_json.argtypes
lib.vernier_eval_run.argtypes = [ctypes.POINTER(P), P, P, P, P, ctypes.POINTER(Error)]
lib.vernier_eval_num_stats.argtypes = [P]
lib.vernier_eval_num_stats.restype = ctypes.c_size_t
lib.vernier_eval_copy_stats.argtypes = [P, ctypes.POINTER(ctypes.c_double), ctypes.c_size_t]
lib.vernier_eval_copy_stats.restype = ctypes.c_int
for name in ("vernier_eval_free", "vernier_results_free", "vernier_dataset_free"):
    getattr(lib, name).argtypes = [P]

def check(rc, err):
    if rc != 0:
        sys.exit(f"status {rc}: {err.message.decode()}")

err = Error()
err.size = ctypes.sizeof(Error)
gt, dt, ev = P(), P(), P()
data = open(sys.argv[2], "rb").read()
check(lib.vernier_dataset_load_json(ctypes.byref(gt), data, len(data), None, ctypes.byref(err)), err)
data = open(sys.argv[3], "rb").read()
check(lib.vernier_results_load_json(ctypes.byref(dt), data, len(data), None, ctypes.byref(err)), err)
check(lib.vernier_eval_run(ctypes.byref(ev), gt, dt, None, None, ctypes.byref(err)), err)
n = lib.vernier_eval_num_stats(ev)
stats = (ctypes.c_double * n)()
check(lib.vernier_eval_copy_stats(ev, stats, n), err)
bad = P()
rc = lib.vernier_dataset_load_json(ctypes.byref(bad), b"[1,", 3, None, ctypes.byref(err))
lib.vernier_eval_free(ev); lib.vernier_results_free(dt); lib.vernier_dataset_free(gt)
assert "cffi" not in sys.modules and "vernier" not in sys.modules
print(json.dumps({"version": lib.vernier_version_string().decode(), "stats": list(stats),
                  "error": [rc, err.code, err.offset, err.line, err.column,
                            err.message.decode()]}))
"""


def test_ctypes_loads_installed_library(installed):
    """The plain C ABI, through ctypes (no cffi, no compiler), gives the same stats."""
    prefix, _ = installed
    major = version_parts()[0]
    so = prefix / "lib" / f"libvernier.so.{major}"
    p = subprocess.run([sys.executable, "-I", "-c", CTYPES_SMOKE, str(so), str(SAMPLE_GT),
                        str(SAMPLE_DT)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout)
    import vernier
    assert got["version"] == vernier.version()
    assert got["stats"] == python_stats(SAMPLE_GT, SAMPLE_DT, "bbox")
    rc, code, offset, line, column, message = got["error"]
    assert rc == code < 0 and offset >= 0 and line == 1 and column >= 1 and message
