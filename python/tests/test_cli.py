"""The ``vernier`` command line: the C program (cli/vernier_cli.c, ``make cli``)
and the Python console script (vernier.cli) against pycocotools and each other.

* On every fixture pair of parity/fixtures/expected_pycocotools.json,
  ``vernier eval`` prints exactly what pycocotools' summarize() prints
  (pycocotools is run here), and both programs print the same bytes and
  exit with the same status.
* Every error class reachable from the command line exits with its status
  (1: evaluation failed, 2: bad command line) and says where on stderr.
* ``--emit json`` round-trips to the very same doubles.

The C program runs as a subprocess (it is fast); the Python one runs
in-process through ``vernier.cli.main`` (one interpreter start per case
would dominate the test time), plus a few real console-script runs.
"""
from __future__ import annotations

import io
import json
import math
import os
import pty
import random
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from parity.checks import FIXTURES, expected_pairs, pair_id  # noqa: E402
from parity.oracle import run_pycocotools  # noqa: E402

from vernier import cli as pycli  # noqa: E402
from vernier.instance import Bbox, Evaluator, Keypoints  # noqa: E402

C_CLI = ROOT / "build" / "vernier"
ALL_PAIRS = expected_pairs("bbox") + expected_pairs("segm") + expected_pairs("keypoints")


@pytest.fixture(scope="session")
def c_cli():
    """build/vernier, (re)built with `make cli` (a no-op when up to date)."""
    subprocess.run(["make", "-s", "-C", str(ROOT), "cli"], check=True)
    assert C_CLI.is_file()
    return str(C_CLI)


def run_c(c_cli, args, stdin=None, cwd=None):
    p = subprocess.run([c_cli, *args], capture_output=True, input=stdin, cwd=cwd)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def run_py(args):
    out, err = io.BytesIO(), io.StringIO()
    rc = pycli.main(list(args), stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def run_both(c_cli, args):
    """Run both programs; assert equal exit status and stdout; return C's result
    and Python's stderr."""
    c = run_c(c_cli, args)
    p = run_py(args)
    assert (c[0], c[1]) == (p[0], p[1]), (
        f"C and Python CLIs differ on {args}:\nC  rc={c[0]} stdout={c[1][:300]!r} "
        f"stderr={c[2]!r}\nPy rc={p[0]} stdout={p[1][:300]!r} stderr={p[2]!r}")
    return c, p[2]


def pair_files(entry, tmp_path):
    """GT and DT paths of a pair; a hotcoco ``file#detections`` pair is split
    into two files (the DT list re-serialised with json.dumps, exact floats)."""
    if entry["dt"].endswith("#detections"):
        whole = json.loads((FIXTURES / entry["gt"]).read_bytes())
        dets = whole.pop("detections")
        gt, dt = tmp_path / "gt.json", tmp_path / "dt.json"
        gt.write_text(json.dumps(whole))
        dt.write_text(json.dumps(dets))
        return gt, dt
    return FIXTURES / entry["gt"], FIXTURES / entry["dt"]


# ---------------------------------------------------------------------------
# Parity with pycocotools' printed summary, on every fixture pair
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("entry", ALL_PAIRS, ids=[f"{p['iouType']}-{pair_id(p)}" for p in ALL_PAIRS])
def test_fixture_summary_matches_pycocotools(entry, c_cli, tmp_path):
    gt, dt = pair_files(entry, tmp_path)
    args = ["eval", "--gt", str(gt), "--dt", str(dt), "--iou-type", entry["iouType"]]
    sigmas = entry.get("kpt_oks_sigmas")
    if sigmas is not None:
        (tmp_path / "sigmas.json").write_text(json.dumps(sigmas))
        args += ["--sigmas", str(tmp_path / "sigmas.json")]
    (rc, out, err), _ = run_both(c_cli, args)

    if "error" in entry:
        with pytest.raises(Exception):
            run_pycocotools(gt.read_bytes(), dt.read_bytes(), entry["iouType"],
                            kpt_oks_sigmas=sigmas)
        assert rc == 1 and out == b"", err
        assert err.startswith("vernier: ") and "error: " in err
        return
    ref = run_pycocotools(gt.read_bytes(), dt.read_bytes(), entry["iouType"],
                          kpt_oks_sigmas=sigmas)
    assert ref.stats.tolist() == entry["stats"]
    expected = "".join(line + "\n" for line in ref.lines).encode()
    assert rc == 0, err
    assert out == expected
    assert err == ""                      # not a terminal: no progress line


def test_fixture_inventory():
    assert len(ALL_PAIRS) == 109
    assert sum("kpt_oks_sigmas" in p for p in ALL_PAIRS) >= 2


# ---------------------------------------------------------------------------
# Help and version
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["--help"], ["-h"], ["eval", "--help"],
                                  ["eval", "--gt", "x", "-h"], ["--version"],
                                  ["compare", "--help"], ["compare", "a.json", "-h"]])
def test_help_and_version(args, c_cli):
    (rc, out, err), _ = run_both(c_cli, args)
    assert rc == 0 and err == ""
    text = out.decode()
    if args == ["--version"]:
        import vernier
        assert text == f"vernier {vernier.version()}\n"
    elif args[0] == "eval":
        for flag in ("--gt", "--dt", "--iou-type", "--parity-mode", "--max-dets", "--no-use-cats",
                     "--dilation-ratio", "--sigmas", "--threads", "--emit", "--quiet", "--help",
                     "Exit status", "vernier.eval/1", "--per-class", "--fail-under", "markdown",
                     "csv"):
            assert flag in text, flag
    elif args[0] == "compare":
        for flag in ("--max-drop", "--per-class", "Exit status", "vernier.eval/1"):
            assert flag in text, flag
    else:
        assert "eval" in text and "--version" in text and "Exit status" in text


# ---------------------------------------------------------------------------
# Options, on the shipped sample
# ---------------------------------------------------------------------------

SAMPLE_GT = FIXTURES / "faster_coco_eval/dataset/cocoapi/instances_val2014_100.json"
SAMPLE_DT = FIXTURES / "cocoapi/instances_val2014_fakebbox100_results.json"
SAMPLE = ["eval", "--gt", str(SAMPLE_GT), "--dt", str(SAMPLE_DT), "--iou-type", "bbox"]


@pytest.mark.parametrize("extra,kwargs", [
    ([], {}),
    (["--parity-mode", "corrected"], {"parity_mode": "corrected"}),
    (["--parity-mode=strict", "--no-use-cats"], {"use_cats": False}),
    (["--max-dets", "100,1,10"], {"max_dets": (100, 1, 10)}),
    (["--max-dets=5,50,500", "--use-cats"], {"max_dets": (5, 50, 500)}),
    (["--threads", "1", "-q"], {}),
    (["--threads", "2"], {}),
    (["--threads=0"], {}),
])
def test_options_match_python_api(extra, kwargs, c_cli):
    (rc, out, err), _ = run_both(c_cli, SAMPLE + extra)
    assert rc == 0 and err == ""
    kwargs.setdefault("parity_mode", "strict")
    summary = Evaluator(iou=Bbox(), **kwargs).evaluate(SAMPLE_GT.read_bytes(),
                                                       SAMPLE_DT.read_bytes())
    assert out == "".join(line + "\n" for line in summary.pretty_lines()).encode()


@pytest.mark.parametrize("caps", ["100", "1,10"])
@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_fewer_than_three_caps_is_a_usage_error(c_cli, caps, quiet):
    # pycocotools' summarize() has no summary for fewer than three caps (it
    # raises IndexError): an empty output with status 0 would pass a CI gate.
    ref = run_pycocotools(SAMPLE_GT.read_bytes(), SAMPLE_DT.read_bytes(), "bbox",
                          max_dets=[int(c) for c in caps.split(",")])
    assert ref.summarize_error is not None and ref.summarize_error.startswith("IndexError")
    for emit in ([], ["--emit", "json"]):
        (rc, out, err), py_err = run_both(c_cli, SAMPLE + ["--max-dets", caps] + quiet + emit)
        n = len(caps.split(","))
        want = (f"vernier: --max-dets: --iou-type bbox needs at least three caps for its summary "
                f"(pycocotools' summarize() reads the first three), got {n}\n"
                "Try 'vernier eval --help'.\n")
        assert rc == 2 and out == b""
        assert err == want and py_err == want


def test_three_caps_for_keypoints_are_not_required(c_cli, tmp_path):
    # keypoints' summary looks its one cap (20) up by value: one cap is fine,
    # and the output is pycocotools' printout for the same cap
    entry = next(p for p in expected_pairs("keypoints") if "kpt_oks_sigmas" not in p
                 and "error" not in p)
    gt, dt = pair_files(entry, tmp_path)
    (rc, out, err), _ = run_both(c_cli, ["eval", "--gt", str(gt), "--dt", str(dt),
                                         "--iou-type", "keypoints", "--max-dets", "20"])
    ref = run_pycocotools(gt.read_bytes(), dt.read_bytes(), "keypoints", max_dets=[20])
    assert rc == 0 and err == ""
    assert out == "".join(line + "\n" for line in ref.lines).encode()


def test_threads_do_not_change_the_output(c_cli):
    (rc1, out1, _), _ = run_both(c_cli, SAMPLE + ["--threads", "1", "--emit", "json"])
    (rc4, out4, err4), _ = run_both(c_cli, SAMPLE + ["--threads", "4", "--emit", "json"])
    assert rc1 == rc4 == 0 and err4 == "" and out4 == out1


def test_standard_input(c_cli):
    p = subprocess.run([c_cli, "eval", "--gt", str(SAMPLE_GT), "--dt", "-", "--iou-type", "bbox"],
                       input=SAMPLE_DT.read_bytes(), capture_output=True)
    assert p.returncode == 0
    assert p.stdout == run_c(c_cli, SAMPLE)[1]


def test_console_script_and_module(c_cli):
    """The installed console script and ``python -m vernier`` are the same program."""
    script = Path(sys.executable).with_name("vernier")
    want = run_c(c_cli, SAMPLE + ["--emit", "json"])
    assert want[0] == 0
    runs = [[sys.executable, "-m", "vernier", *SAMPLE, "--emit", "json"]]
    if script.exists():
        runs.append([str(script), *SAMPLE, "--emit", "json"])
    for cmd in runs:
        p = subprocess.run(cmd, capture_output=True)
        assert (p.returncode, p.stdout) == want[:2], cmd
    p = subprocess.run([sys.executable, "-m", "vernier", "eval", "--bogus"], capture_output=True)
    assert p.returncode == 2 and p.stdout == b"" and b"unknown option '--bogus'" in p.stderr


# ---------------------------------------------------------------------------
# JSON output
# ---------------------------------------------------------------------------

def test_json_schema_and_exact_round_trip(c_cli, tmp_path):
    (rc, out, err), _ = run_both(c_cli, SAMPLE + ["--emit", "json"])
    assert rc == 0 and err == ""
    doc = json.loads(out)
    assert list(doc) == ["schema", "vernier_version", "iou_type", "parity_mode", "use_cats",
                         "max_dets", "dilation_ratio", "lines", "stats", "metrics"]
    assert doc["schema"] == "vernier.eval/1"
    assert (doc["iou_type"], doc["parity_mode"], doc["use_cats"]) == ("bbox", "strict", True)
    assert doc["max_dets"] == [1, 10, 100] and doc["dilation_ratio"] is None
    summary = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(SAMPLE_GT.read_bytes(),
                                                                   SAMPLE_DT.read_bytes())
    bits = [struct.pack("<d", v) for v in summary.stats]
    assert [struct.pack("<d", v) for v in doc["stats"]] == bits
    assert all(type(v) is float for v in doc["stats"])
    assert [struct.pack("<d", ln["value"]) for ln in doc["lines"]] == bits
    assert [list(ln) for ln in doc["lines"]] == [["metric", "iou", "area", "max_dets", "value"]] * 12
    assert doc["lines"][0] == {"metric": "AP", "iou": "0.50:0.95", "area": "all",
                               "max_dets": 100, "value": summary.stats[0]}
    assert doc["lines"][1]["iou"] == "0.50" and doc["lines"][8]["metric"] == "AR"
    assert [ln["max_dets"] for ln in doc["lines"][6:9]] == [1, 10, 100]

    # to files, atomically, and together with text on stdout
    c_json, py_json = tmp_path / "c.json", tmp_path / "py.json"
    rc, text, _ = run_c(c_cli, SAMPLE + ["--emit", f"json={c_json}", "--emit", "text"])
    assert rc == 0 and text == run_c(c_cli, SAMPLE)[1]
    assert run_py(SAMPLE + ["--emit", f"json={py_json}"])[:2] == (0, b"")
    assert c_json.read_bytes() == py_json.read_bytes() == out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json", "py.json"]   # no temp left
    assert (c_json.stat().st_mode & 0o777) == (py_json.stat().st_mode & 0o777)


def test_json_keypoints_boundary_and_undefined_values(c_cli, tmp_path):
    entry = next(p for p in expected_pairs("keypoints") if "error" not in p)
    gt, dt = pair_files(entry, tmp_path)
    (rc, out, _), _ = run_both(c_cli, ["eval", "--gt", str(gt), "--dt", str(dt), "--iou-type",
                                       "keypoints", "--emit", "json", "--max-dets", "20,5"])
    doc = json.loads(out)
    assert rc == 0 and len(doc["stats"]) == 10 and doc["max_dets"] == [5, 20]
    summary = Evaluator(iou=Keypoints(), parity_mode="strict", max_dets=(20, 5)).evaluate(
        gt.read_bytes(), dt.read_bytes())
    assert doc["stats"] == list(summary.stats)
    # boundary: the ratio is reported; -1 (undefined) is written as -1.0
    (rc, out, _), _ = run_both(c_cli, SAMPLE[:-1] + ["boundary", "--emit", "json",
                                                     "--dilation-ratio", "0.008",
                                                     "--max-dets", "1,10,1000"])
    doc = json.loads(out)
    assert rc == 0 and doc["dilation_ratio"] == 0.008 and doc["iou_type"] == "boundary"
    assert b"-1.0" in out and -1.0 in doc["stats"]


def test_format_double_round_trips():
    rng = random.Random(8)
    values = [0.0, -0.0, -1.0, 1.0, 0.1, 1 / 3, 2 / 3, 1e-300, 5e-324, 1.7976931348623157e308,
              0.5045806987249628, 123456789012345678.0, 1e22, 1e-5]
    values += [rng.random() for _ in range(3000)]
    values += [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0] for _ in range(3000)]
    same_as_repr = 0
    for v in values:
        if not math.isfinite(v):
            assert pycli.format_double(v) == "null"
            continue
        s = pycli.format_double(v)
        back = json.loads(s)
        assert type(back) is float and struct.pack("<d", back) == struct.pack("<d", v), (v, s)
        same_as_repr += s == repr(v)
    assert same_as_repr > 0.9 * len(values)


# ---------------------------------------------------------------------------
# Errors: exit status and where
# ---------------------------------------------------------------------------

GT = {"images": [{"id": 1, "width": 100, "height": 80}],
      "categories": [{"id": 1, "name": "person", "keypoints": ["a", "b"]}],
      "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20],
                       "area": 400, "iscrowd": 0, "num_keypoints": 2,
                       "keypoints": [12, 12, 2, 20, 20, 2],
                       "segmentation": [[10, 10, 30, 10, 30, 30, 10, 30]]}]}
DT = [{"image_id": 1, "category_id": 1, "bbox": [11, 10, 20, 20], "score": 0.9}]


@pytest.fixture
def files(tmp_path):
    def write(name, content):
        p = tmp_path / name
        p.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
        return str(p)
    return write


def base(files, gt=GT, dt=DT, iou="bbox"):
    return ["eval", "--gt", files("gt.json", gt), "--dt", files("dt.json", dt), "--iou-type", iou]


def test_ok_baseline(c_cli, files):
    (rc, out, err), _ = run_both(c_cli, base(files))
    assert rc == 0 and out.count(b"\n") == 12 and err == ""


def test_bad_json_reports_offset_line_column(c_cli, files):
    bad = b'{"images": [\n  {"id": 1, "width": 100 "height": 80}]}'
    (rc, out, err), py_err = run_both(c_cli, base(files, gt=bad))
    assert rc == 1 and out == b""
    off = bad.index(b'"height"')
    col = off - bad.rindex(b"\n", 0, off)
    path = files("gt.json", bad)
    assert f"vernier: {path}:2:{col}: error: " in err
    assert f"byte offset {off}, line 2, column {col}" in err and "VERNIER_E_JSON (-4)" in err
    assert py_err == err                       # the same report from both programs


def test_bad_results_json(c_cli, files):
    (rc, out, err), py_err = run_both(c_cli, base(files, dt=b'[{"image_id": 1,, }]'))
    assert rc == 1 and out == b"" and "dt.json:1:" in err and "VERNIER_E_JSON" in err
    assert py_err == err


def test_schema_error_names_json_path(c_cli, files):
    gt = json.loads(json.dumps(GT))
    gt["images"][0]["id"] = "1"
    (rc, out, err), py_err = run_both(c_cli, base(files, gt=gt))
    assert rc == 1 and out == b""
    assert "JSON path images[0].id" in err and "VERNIER_E_SCHEMA (-5)" in err and "gt.json:" in err
    assert py_err == err


def test_unknown_image(c_cli, files):
    dt = DT + [{"image_id": 7, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.5}]
    (rc, out, err), py_err = run_both(c_cli, base(files, dt=dt))
    assert rc == 1 and out == b""
    assert "dt.json:" in err and "image id 7" in err and "VERNIER_E_UNKNOWN_IMAGE (-6)" in err
    assert "element 1" in err and "line 1, column" in err
    assert py_err == err


def test_bad_rle(c_cli, files):
    dt = [{"image_id": 1, "category_id": 1, "score": 0.5,
           "segmentation": {"size": [80, 100], "counts": "!!bad"}}]
    (rc, out, err), py_err = run_both(c_cli, base(files, dt=dt, iou="segm"))
    assert rc == 1 and out == b"" and "VERNIER_E_RLE (-7)" in err and "dt.json:" in err
    assert py_err == err


def test_unusable_results(c_cli, files):
    dt = [{"image_id": 1, "category_id": 1, "score": 0.5}]
    (rc, out, err), py_err = run_both(c_cli, base(files, dt=dt))
    assert rc == 1 and out == b"" and "error: " in err and "dt.json" in err
    assert py_err == err


def test_keypoint_count_mismatch(c_cli, files):
    dt = [{"image_id": 1, "category_id": 1, "score": 0.5, "keypoints": [1, 1, 2]}]
    (rc, out, err), py_err = run_both(c_cli, base(files, dt=dt, iou="keypoints"))
    assert rc == 1 and out == b"" and "error: " in err


@pytest.mark.parametrize("content,rc_want", [
    ([0.1, 0.2], 0),
    ({"1": [0.1, 0.2]}, 0),
    ({}, 1),                                    # COCO's 17 sigmas vs 2 keypoints
    ([], 1),
    ([0.1, -0.2], 1),
    ({"1": [0.1, 0.2], "9": [0.1, 0.2]}, 1),    # category 9 is not in the ground truth
    ({"1": [0.1, 0.2, 0.3]}, 1),                # category 1 has 2 keypoint names
    ({"x": [0.1]}, 1),
    (b'{"1": [0.1, 0.2], "1": [0.1, 0.2]}', 1),
    (b"[0.1, NaN]", 1),
    (b"[0.1, 0.2] x", 1),
    (b"nope", 1),
])
def test_sigmas_file(content, rc_want, c_cli, files):
    args = base(files, iou="keypoints",
                dt=[{"image_id": 1, "category_id": 1, "score": 0.5,
                     "keypoints": [12, 13, 2, 20, 21, 2]}])
    (rc, out, err), _ = run_both(c_cli, args + ["--sigmas", files("s.json", content)])
    assert rc == rc_want, err
    assert (out == b"") == (rc != 0)
    if content == {}:
        assert "gt.json" in err and "17 sigmas" in err
    else:
        assert ("s.json" in err) == (rc != 0)


def test_list_sigmas_match_per_category_sigmas(c_cli, files):
    dt = [{"image_id": 1, "category_id": 1, "score": 0.5, "keypoints": [12, 13, 2, 20, 21, 2]}]
    a = run_both(c_cli, base(files, iou="keypoints", dt=dt) + ["--sigmas", files("a.json", [0.3, 0.1])])
    b = run_both(c_cli, base(files, iou="keypoints", dt=dt) + ["--sigmas",
                                                              files("b.json", {"1": [0.3, 0.1]})])
    assert a[0][:2] == b[0][:2] and a[0][0] == 0


@pytest.mark.parametrize("how", ["missing", "directory"])
def test_unreadable_input_exits_1(how, c_cli, files, tmp_path):
    path = str(tmp_path / "nope.json") if how == "missing" else str(tmp_path)
    args = ["eval", "--gt", path, "--dt", files("dt.json", DT), "--iou-type", "bbox"]
    (rc, out, err), py_err = run_both(c_cli, args)
    assert rc == 1 and out == b""
    reason = "No such file or directory" if how == "missing" else "Is a directory"
    assert err == f"vernier: {path}: cannot read: {reason}\n" == py_err


def test_unwritable_output_exits_1(c_cli, files, tmp_path):
    target = str(tmp_path / "no" / "such" / "dir.json")
    (rc, out, err), py_err = run_both(c_cli, base(files) + ["--emit", f"json={target}", "--emit",
                                                           "text"])
    assert rc == 1 and out.count(b"\n") == 12          # stdout still got the text
    assert f"vernier: {target}: cannot write: No such file or directory" in err
    assert err == py_err


@pytest.mark.parametrize("argv,needle", [
    ([], "missing command"),
    (["frobnicate"], "unknown command 'frobnicate'"),
    (["eval"], "--gt PATH is required"),
    (["eval", "--gt", "g"], "--dt PATH is required"),
    (["eval", "--gt", "g", "--dt", "d"], "--iou-type is required"),
    (["eval", "--gt", "g", "--dt", "d", "--iou-type", "mask"], "--iou-type: 'mask'"),
    (["eval", "--bogus"], "unknown option '--bogus'"),
    (["eval", "-x"], "unknown option '-x'"),
    (["eval", "stray"], "unexpected argument 'stray'"),
    (["eval", "--gt"], "option --gt needs a value"),
    (["eval", "--gt", "a", "--gt", "b"], "option --gt is given twice"),
    (["eval", "--parity-mode", "aligned"], "--parity-mode: 'aligned'"),
    (["eval", "--max-dets", "1,x"], "--max-dets: '1,x'"),
    (["eval", "--max-dets", "1,,2"], "--max-dets: '1,,2'"),
    (["eval", "--max-dets", "-1"], "--max-dets: '-1'"),
    (["eval", "--max-dets", "1,1"], "--max-dets: 1 is given twice"),
    (["eval", "--max-dets", "99999999999999999999"], "is too large"),
    (["eval", "--max-dets", ",".join(str(i) for i in range(17))], "at most 16 caps"),
    (["eval", "--dilation-ratio", "0"], "not in (0, 1]"),
    (["eval", "--dilation-ratio", "nan"], "'nan' is not a number"),
    (["eval", "--dilation-ratio", "0x1p-3"], "is not a number"),
    (["eval", "--threads", "257"], "--threads: '257'"),
    (["eval", "--threads", "two"], "--threads: 'two'"),
    (["eval", "--emit", "xml"], "unknown format in 'xml'"),
    (["eval", "--emit", "json="], "empty path"),
    (["eval", "--emit", "json", "--emit", "text"], "at most one output may go to standard output"),
    (["eval", "--emit", "json=a", "--emit", "text=a"], "'a' is given twice"),
    (["eval", "--gt", "-", "--dt", "-", "--iou-type", "bbox"], "cannot both read standard input"),
    (["eval", "--gt", "g", "--dt", "d", "--iou-type", "bbox", "--dilation-ratio", "0.1"],
     "--dilation-ratio applies to --iou-type boundary only"),
    (["eval", "--gt", "g", "--dt", "d", "--iou-type", "segm", "--sigmas", "s"],
     "--sigmas applies to --iou-type keypoints only"),
])
def test_bad_command_line_exits_2(argv, needle, c_cli):
    (rc, out, err), py_err = run_both(c_cli, argv)
    assert rc == 2 and out == b""
    assert needle in err, err
    assert err == py_err


def test_error_classes_covered():
    """Every status a one-shot evaluation can return has a test above; the
    others (budget, state, duplicate image, queue full: sessions and workers;
    out of memory) cannot be provoked from the command line."""
    import vernier
    reachable = {"JSON", "SCHEMA", "UNKNOWN_IMAGE", "RLE", "INVALID_ARG", "UNSUPPORTED"}
    names = set(pycli.STATUS_NAMES)
    assert {f"VERNIER_E_{n}" for n in reachable} <= names
    src = Path(__file__).read_text()
    for n in reachable - {"INVALID_ARG", "UNSUPPORTED"}:
        assert f"VERNIER_E_{n}" in src
    assert vernier.UnsupportedInputError and vernier.InvalidConfigError


# ---------------------------------------------------------------------------
# Progress line: on a terminal only, never with --quiet
# ---------------------------------------------------------------------------

def _stderr_on_pty(c_cli, args):
    master, slave = pty.openpty()
    try:
        p = subprocess.run([c_cli, *args], stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        slave = None
        chunks = []
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return p.returncode, p.stdout, b"".join(chunks).decode()
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)


def test_progress_only_on_a_terminal(c_cli):
    rc, out, err = _stderr_on_pty(c_cli, SAMPLE)
    assert rc == 0 and out == run_c(c_cli, SAMPLE)[1]
    assert "\x1b[K" in err and "parsing ground truth" in err and "done:" in err
    assert "results/s" in err
    rc, out, err = _stderr_on_pty(c_cli, SAMPLE + ["--quiet"])
    assert rc == 0 and err == ""

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    assert pycli.main(SAMPLE, stdout=io.BytesIO(), stderr=tty) == 0
    assert "\x1b[K" in tty.getvalue() and "done:" in tty.getvalue()


def test_sigmas_object_out_of_order(c_cli, files):
    """Ids in any order, lists of different lengths: the C reader sorts them
    and keeps each list with its id (the output equals the Python API's)."""
    gt = json.loads(json.dumps(GT))
    gt["categories"].append({"id": 2, "name": "tri", "keypoints": ["a", "b", "c"]})
    gt["annotations"].append({"id": 2, "image_id": 1, "category_id": 2, "bbox": [50, 40, 20, 20],
                              "area": 400, "iscrowd": 0, "num_keypoints": 3,
                              "keypoints": [52, 42, 2, 60, 50, 2, 66, 44, 2]})
    dt = [{"image_id": 1, "category_id": 1, "score": 0.5, "keypoints": [12, 13, 2, 21, 20, 2]},
          {"image_id": 1, "category_id": 2, "score": 0.7,
           "keypoints": [53, 42, 2, 60, 52, 2, 64, 44, 2]}]
    sig = {"2": [0.05, 0.2, 0.01], "1": [0.3, 0.02]}
    args = base(files, gt=gt, dt=dt, iou="keypoints") + ["--sigmas", files("s.json", sig),
                                                         "--emit", "json"]
    (rc, out, err), _ = run_both(c_cli, args)
    assert rc == 0, err
    summary = Evaluator(iou=Keypoints(sigmas={1: [0.3, 0.02], 2: [0.05, 0.2, 0.01]}),
                        parity_mode="strict").evaluate(json.dumps(gt).encode(),
                                                       json.dumps(dt).encode())
    assert json.loads(out)["stats"] == list(summary.stats)
    swapped = Evaluator(iou=Keypoints(sigmas={2: [0.3, 0.02, 0.3], 1: [0.05, 0.2]}),
                        parity_mode="strict").evaluate(json.dumps(gt).encode(),
                                                       json.dumps(dt).encode())
    assert list(swapped.stats) != list(summary.stats)     # the sigmas do matter here


# ---------------------------------------------------------------------------
# --emit plot=DIR: the Python console script draws, the C program refuses
# ---------------------------------------------------------------------------

PLOT_FILES = ["f1_vs_score.png", "per_class_ap.png", "per_class_pr.png", "pr_curves.png"]


def test_emit_plot_writes_the_plots(c_cli, tmp_path):
    import matplotlib.image as mpimg
    from vernier import plot

    out_dir = tmp_path / "plots" / "run1"          # created, parents too
    rc, out, err = run_py(SAMPLE + ["--emit", "text", "--emit", f"plot={out_dir}"])
    assert (rc, err) == (0, "")
    assert out == run_c(c_cli, SAMPLE)[1]          # the text output is unchanged
    assert sorted(p.name for p in out_dir.iterdir()) == PLOT_FILES   # no temp file left
    summary = Evaluator(iou=Bbox(), parity_mode="strict").evaluate(SAMPLE_GT.read_bytes(),
                                                                   SAMPLE_DT.read_bytes())
    names = {c["id"]: c["name"] for c in json.loads(SAMPLE_GT.read_bytes())["categories"]}
    want = {f"{stem}.png": fig for stem, fig in plot._figures(
        summary, names=names, area="all", max_dets=100).items()}
    for name in PLOT_FILES:
        data = (out_dir / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        w, h = want[name].get_size_inches() * plot.DPI
        assert mpimg.imread(str(out_dir / name)).shape[:2] == (round(h), round(w)), name
    # only plots: nothing on stdout
    assert run_py(SAMPLE + ["--emit", f"plot={tmp_path / 'p2'}"])[:2] == (0, b"")


@pytest.mark.parametrize("extra", [[], ["--gt", "/no/such/file"]])
def test_c_program_refuses_emit_plot(c_cli, tmp_path, extra):
    target = tmp_path / "plots"
    args = (SAMPLE if not extra else ["eval", *extra]) + ["--emit", f"plot={target}"]
    rc, out, err = run_c(c_cli, args)
    assert (rc, out) == (2, b"")
    assert err == (f"vernier: --emit: this program cannot draw plots (in 'plot={target}'); use "
                   "the Python package's vernier command: pip install 'libvernier[plot]'\n"
                   "Try 'vernier eval --help'.\n")
    assert not target.exists()


@pytest.mark.parametrize("value,needle", [
    ("plot", "plot needs a directory in 'plot' (plot=DIR)"),
    ("plot=", "plot needs a directory in 'plot=' (plot=DIR)"),
    ("plot=-", "plot needs a directory in 'plot=-' (plot=DIR)"),
])
def test_emit_plot_usage_errors(value, needle):
    rc, out, err = run_py(SAMPLE + ["--emit", value])
    assert (rc, out) == (2, b"")
    assert err == f"vernier: --emit: {needle}\nTry 'vernier eval --help'.\n"


def test_emit_plot_same_path_twice():
    rc, out, err = run_py(SAMPLE + ["--emit", "json=x", "--emit", "plot=x"])
    assert (rc, out) == (2, b"") and "--emit: 'x' is given twice" in err


def test_emit_plot_without_matplotlib(monkeypatch, tmp_path):
    for mod in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, mod, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    rc, out, err = run_py(SAMPLE + ["--emit", f"plot={tmp_path / 'p'}"])
    assert (rc, out) == (2, b"")
    assert err == ("vernier: --emit: plot needs matplotlib, which is not installed: "
                   "pip install 'libvernier[plot]'\nTry 'vernier eval --help'.\n")
    assert not (tmp_path / "p").exists()


def test_emit_plot_unwritable_directory_exits_1(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    target = blocker / "plots"
    rc, out, err = run_py(SAMPLE + ["--emit", "text", "--emit", f"plot={target}"])
    assert rc == 1 and out.count(b"\n") == 12          # stdout still got the text
    assert err == f"vernier: {target}: cannot create: Not a directory\n"


def test_help_mentions_emit_plot(c_cli):
    (rc, out, _), _ = run_both(c_cli, ["eval", "--help"])
    assert rc == 0 and b"plot=DIR" in out and b"matplotlib" in out


# ---------------------------------------------------------------------------
# For CI: --per-class, --emit markdown / csv, --fail-under, vernier compare
# ---------------------------------------------------------------------------

def _sample_summary(**kw):
    kw.setdefault("parity_mode", "strict")
    return Evaluator(iou=Bbox(), **kw).evaluate(SAMPLE_GT.read_bytes(), SAMPLE_DT.read_bytes())


def test_per_class_outputs(c_cli, tmp_path):
    """The per-class table in text, json, markdown and csv: the same bytes
    from both programs, and the values of Summary.per_class() (which
    parity/test_tables.py checks against pycocotools) bit for bit."""
    table = _sample_summary().per_class()
    metrics = [c for c in table.columns if c not in ("category_id", "name", "n_gt", "n_dt")]
    (rc, out, err), _ = run_both(c_cli, SAMPLE + ["--per-class"])
    assert rc == 0 and err == ""
    lines = out.decode().splitlines()
    assert lines[12] == ""
    assert lines[13].split() == ["category"] + metrics + ["n_gt", "n_dt", "name"]
    assert len(lines) == 14 + len(table)
    row = lines[14].split()
    assert row[0] == str(table["category_id"][0]) and row[1] == f"{table['AP'][0]:.3f}"
    assert row[-1] == "person"
    assert out.startswith(run_both(c_cli, SAMPLE)[0][1])       # the summary first, unchanged

    (rc, out, _), _ = run_both(c_cli, SAMPLE + ["--per-class", "--emit", "json"])
    doc = json.loads(out)
    assert list(doc)[-2:] == ["metrics", "per_class"]
    assert len(doc["per_class"]) == len(table)
    for got, want in zip(doc["per_class"], table.rows()):
        assert list(got) == ["category_id", "name"] + metrics + ["n_gt", "n_dt"]
        assert all(got[k] == want[k] for k in got), got["category_id"]

    (rc, out, _), _ = run_both(c_cli, SAMPLE + ["--emit", "csv"])
    rows = out.decode().splitlines()
    assert rows[0] == ",".join(["category_id", "name"] + metrics + ["n_gt", "n_dt"])
    for line, want in zip(rows[1:], table.rows()):
        cells = line.split(",")
        assert int(cells[0]) == want["category_id"] and cells[1] == want["name"]
        assert [float(c) for c in cells[2:-2]] == [want[m] for m in metrics]
        assert [int(c) for c in cells[-2:]] == [want["n_gt"], want["n_dt"]]
    assert len(rows) == 1 + len(table)

    (rc, out, _), _ = run_both(c_cli, SAMPLE + ["--emit", "markdown", "--per-class"])
    md = out.decode().splitlines()
    assert md[0] == "### vernier eval: bbox, strict mode"
    assert md[4] == "| AP | 0.50:0.95 | all | 100 | 0.505 |"
    assert md[16] == ""
    assert md[17] == "| category | name | " + " | ".join(metrics) + " | n_gt | n_dt |"
    assert md[19].startswith("| 1 | person | ")
    assert len(md) == 19 + len(table)
    (rc, out, _), _ = run_both(c_cli, SAMPLE + ["--emit", "markdown"])
    assert len(out.decode().splitlines()) == 16

    # to files, several formats at once
    c_dir, p_dir = tmp_path / "c", tmp_path / "p"
    c_dir.mkdir()
    p_dir.mkdir()
    for d, run in ((c_dir, lambda a: run_c(c_cli, a)), (p_dir, run_py)):
        rc, out, _ = run(SAMPLE + ["--per-class", "--emit", f"csv={d / 't.csv'}", "--emit",
                                   f"markdown={d / 't.md'}", "--emit", f"json={d / 't.json'}"])
        assert rc == 0 and out == b""
    for name in ("t.csv", "t.md", "t.json"):
        assert (c_dir / name).read_bytes() == (p_dir / name).read_bytes()


def test_per_class_category_names(c_cli, tmp_path):
    """Names as the C library parsed them, the same bytes from both
    programs: escaped in JSON, quoted in CSV, on one line in text and
    Markdown; a name that is not a string, or a category without one,
    reads as ""; a repeated id takes its last entry."""
    names = {1: 'a, "b"', 2: "line\nbreak|pipe", 3: "caf\u00e9 \u732b", 4: "\ud800x", 5: 7, 6: None}
    cats = [{"id": i} if n is None else {"id": i, "name": n} for i, n in names.items()]
    cats.insert(0, {"id": 5, "name": "replaced"})
    gt = {"images": [{"id": 1, "width": 100, "height": 100}], "categories": cats,
          "annotations": [{"id": i, "image_id": 1, "category_id": i, "bbox": [i, i, 10, 10],
                           "area": 100, "iscrowd": 0} for i in names]}
    dt = [{"image_id": 1, "category_id": i, "bbox": [i, i, 10, 10], "score": 0.5}
          for i in names]
    gt_p, dt_p = tmp_path / "gt.json", tmp_path / "dt.json"
    gt_p.write_text(json.dumps(gt))
    dt_p.write_text(json.dumps(dt))
    args = ["eval", "--gt", str(gt_p), "--dt", str(dt_p), "--iou-type", "bbox", "--per-class"]
    outs = {}
    for fmt in ("text", "json", "markdown", "csv"):
        (rc, out, err), _ = run_both(c_cli, args + ["--emit", fmt])
        assert rc == 0 and err == ""
        outs[fmt] = out
    want = ['a, "b"', "line\nbreak|pipe", "caf\u00e9 \u732b", "\ud800x", "", ""]
    doc = json.loads(outs["json"])
    assert [r["name"] for r in doc["per_class"][:3]] == want[:3]
    assert [r["name"] for r in doc["per_class"][4:]] == want[4:]
    import csv
    rows = list(csv.reader(io.StringIO(outs["csv"].decode("utf-8", "surrogateescape"),
                                       newline="")))
    assert [r[1] for r in rows[1:4]] == want[:3] and [r[1] for r in rows[5:]] == ["", ""]
    text = outs["text"].decode("utf-8", "surrogateescape").splitlines()
    assert text[15].endswith(" line?break|pipe") and text[16].endswith(" caf\u00e9 \u732b")
    md = outs["markdown"].decode("utf-8", "surrogateescape").splitlines()
    assert "| 2 | line?break\\|pipe | " in md[20]


def test_per_class_keypoints_and_pooled(c_cli, tmp_path):
    entry = next(p for p in expected_pairs("keypoints") if "error" not in p
                 and "kpt_oks_sigmas" not in p)
    gt, dt = pair_files(entry, tmp_path)
    (rc, out, err), _ = run_both(c_cli, ["eval", "--gt", str(gt), "--dt", str(dt), "--iou-type",
                                         "keypoints", "--per-class", "--emit", "json"])
    doc = json.loads(out)
    assert rc == 0 and list(doc["metrics"]) == ["AP", "AP50", "AP75", "APm", "APl", "AR", "AR50",
                                                "AR75", "ARm", "ARl"]
    summary = Evaluator(iou=Keypoints(), parity_mode="strict").evaluate(gt.read_bytes(),
                                                                        dt.read_bytes())
    assert [r["AP"] for r in doc["per_class"]] == summary.per_class()["AP"].tolist()
    (rc, out, _), _ = run_both(c_cli, SAMPLE + ["--no-use-cats", "--per-class", "--emit", "json"])
    doc = json.loads(out)
    assert [r["category_id"] for r in doc["per_class"]] == [-1]
    assert [doc["per_class"][0][m] for m in doc["metrics"]] == doc["stats"]


@pytest.mark.parametrize("emit", [[], ["--emit", "json"]])
def test_fail_under(c_cli, emit, tmp_path):
    ap = _sample_summary()["AP"]
    (rc, out, err), py_err = run_both(c_cli, SAMPLE + emit + ["--fail-under", "AP=0.9"])
    assert rc == 3
    assert err == py_err == f"vernier: fail-under: AP = {pycli.format_double(ap)} is below 0.9\n"
    assert out == run_both(c_cli, SAMPLE + emit)[0][1]          # the outputs are still written
    # met: status 0; several gates: every failing one named
    (rc, _, err), _ = run_both(c_cli, SAMPLE + ["--fail-under", "AP=0.5", "--fail-under=AR100=0.1"])
    assert rc == 0 and err == ""
    (rc, _, err), py_err = run_both(c_cli, SAMPLE + ["--fail-under", "AP50=0.99", "--fail-under",
                                                     "APs=0.1", "--fail-under", "ARl=1"])
    assert rc == 3 and err == py_err
    assert [ln.split()[2] for ln in err.splitlines()] == ["AP50", "ARl"]
    # a failed output (status 1) wins over a failed gate
    rc, _, _ = run_c(c_cli, SAMPLE + ["--fail-under", "AP=0.9", "--emit",
                                      f"json={tmp_path / 'no' / 'x.json'}"])
    assert rc == 1 == run_py(SAMPLE + ["--fail-under", "AP=0.9", "--emit",
                                       f"json={tmp_path / 'no' / 'x.json'}"])[0]


@pytest.mark.parametrize("gate,message", [
    ("AP40=0.5", "unknown metric 'AP40' (--iou-type bbox has AP, AP50, AP75, APs, APm, APl, AR1, "
                 "AR10, AR100, ARs, ARm, ARl)"),
    ("AP", "'AP' is not METRIC=VALUE"),
    ("=0.5", "'=0.5' is not METRIC=VALUE"),
    ("AP=high", "'high' is not a number"),
])
def test_fail_under_usage_errors(c_cli, gate, message):
    (rc, out, err), py_err = run_both(c_cli, SAMPLE + ["--fail-under", gate])
    assert rc == 2 and out == b""
    assert err == py_err == f"vernier: --fail-under: {message}\nTry 'vernier eval --help'.\n"


def test_fail_under_names_follow_the_ladder(c_cli):
    (rc, _, err), _ = run_both(c_cli, SAMPLE + ["--max-dets", "5,50,500", "--fail-under",
                                                "AR500=0.99"])
    assert rc == 3 and "AR500 = " in err
    (rc, _, err), _ = run_both(c_cli, SAMPLE + ["--max-dets", "5,50,500", "--fail-under",
                                                "AR100=0.1"])
    assert rc == 2 and "unknown metric 'AR100'" in err
    # the command line's names are the library's
    assert pycli.metric_names("bbox", [500, 5, 50]) == \
        _sample_summary(max_dets=(5, 50, 500)).metric_names


def _eval_json(c_cli, tmp_path, name, extra=()):
    path = tmp_path / name
    rc, _, _ = run_c(c_cli, SAMPLE + ["--per-class", "--emit", f"json={path}", *extra])
    assert rc == 0
    return path


def test_compare_equal_improved_regressed(c_cli, tmp_path):
    strict = _eval_json(c_cli, tmp_path, "strict.json")
    same = _eval_json(c_cli, tmp_path, "same.json")
    (rc, out, err), _ = run_both(c_cli, ["compare", str(strict), str(same), "--per-class",
                                         "--max-drop", "AP=0"])
    assert rc == 0 and err == ""
    lines = out.decode().splitlines()
    assert lines[0].split() == ["metric", "A", "B", "B-A"] and len(lines[1:13]) == 12
    assert all(ln.split()[3] == "+0.0000" for ln in lines[1:13])
    assert lines[14].split() == ["category", "AP", "A", "AP", "B", "B-A"]

    # B better than A: drops are negative, no gate fails
    doc = json.loads(strict.read_text())
    better = tmp_path / "better.json"
    doc["metrics"]["AP"] += 0.25
    doc["per_class"][0]["AP"] += 0.5
    better.write_text(json.dumps(doc))
    (rc, out, err), _ = run_both(c_cli, ["compare", str(strict), str(better), "--per-class",
                                         "--max-drop", "AP=0"])
    assert rc == 0 and err == ""
    text = out.decode().splitlines()
    assert text[1].split()[0] == "AP" and text[1].split()[3] == "+0.2500"
    assert text[15].split()[0] == str(doc["per_class"][0]["category_id"])
    assert text[15].split()[3] == "+0.5000"

    # B worse than A: the gate names the metric, both values and the bound
    (rc, out, err), py_err = run_both(c_cli, ["compare", str(better), str(strict), "--max-drop",
                                              "AP=0.1", "--max-drop", "AP50=0"])
    assert rc == 3 and err == py_err
    va, vb = doc["metrics"]["AP"], json.loads(strict.read_text())["metrics"]["AP"]
    assert err == (f"vernier: max-drop: AP fell by {pycli.format_double(va - vb)} "
                   f"({pycli.format_double(va)} -> {pycli.format_double(vb)}), more than 0.1\n")
    (rc, _, err), _ = run_both(c_cli, ["compare", str(better), str(strict), "--max-drop",
                                       "AP=0.3"])
    assert rc == 0 and err == ""

    # corrected vs strict: real differences
    corrected = _eval_json(c_cli, tmp_path, "corrected.json", ["--parity-mode", "corrected"])
    (rc, out, _), _ = run_both(c_cli, ["compare", str(strict), str(corrected)])
    assert rc == 0 and any(ln.split()[3] != "+0.0000" for ln in out.decode().splitlines()[1:])


COMPARE_DOCS = {
    "not_json": b"{",
    "a_list": b"[1, 2]",
    "other_schema": b'{"schema": "vernier.eval/2", "metrics": {"AP": 0.5}}',
    "no_metrics": b'{"schema": "vernier.eval/1", "stats": [0.5]}',
    "null_value": b'{"schema": "vernier.eval/1", "metrics": {"AP": null}}',
    "bool_value": b'{"schema": "vernier.eval/1", "metrics": {"AP": true}}',
    "huge_value": b'{"schema": "vernier.eval/1", "metrics": {"AP": 1' + b"0" * 400 + b"}}",
    "nan": b'{"schema": "vernier.eval/1", "metrics": {"AP": NaN}}',
    "bom": b'\xef\xbb\xbf{"schema": "vernier.eval/1", "metrics": {"AP": 0.5}}',
    "bad_utf8": b'{"schema": "vernier.eval/1", "metrics": {"AP": 0.5}, "x": "\xc3("}',
    "trailing_comma": b'{"schema": "vernier.eval/1", "metrics": {"AP": 0.5,}}',
    "control_in_name": b'{"schema": "vernier.eval/1", "metrics": {"A\\u0000P": 0.5}}',
    "trailing_data": b'{"schema": "vernier.eval/1", "metrics": {"AP": 0.5}} x',
    # accepted: escapes, a later "metrics" replacing a bad one, odd per_class rows
    "escapes": b'{"schema": "vernier.eval\\/1", "metrics": {"\\u0041P": 0.5, "AR": 1e-1}}',
    "replaced": b'{"schema": "vernier.eval/1", "metrics": {"AP": null}, '
                b'"metrics": {"AP": 0.5, "AR": 0.25, "AP": 0.75}}',
    "rows": b'{"schema": "vernier.eval/1", "metrics": {"AP": 0.5}, "per_class": [7, '
            b'{"category_id": 3, "AP": 0.1}, {"category_id": 1.0, "AP": 1}, '
            b'{"category_id": 2, "AP": "x"}, {"category_id": 3, "AP": 0.2}, '
            b'{"category_id": 99999999999999999999, "AP": 1}, {"category_id": -4}]}',
}


@pytest.mark.parametrize("name", list(COMPARE_DOCS))
def test_compare_reads_documents_as_the_python_script_does(c_cli, tmp_path, name):
    path = tmp_path / f"{name}.json"
    path.write_bytes(COMPARE_DOCS[name])
    (rc, out, err), py_err = run_both(c_cli, ["compare", str(path), str(path), "--per-class"])
    assert err == py_err
    if name in ("escapes", "replaced", "rows"):
        assert rc == 0, err
        lines = out.decode().splitlines()
        if name == "replaced":
            assert [ln.split()[:2] for ln in lines[1:3]] == [["AP", "0.7500"], ["AR", "0.2500"]]
        if name == "rows":
            assert [ln.split()[:2] for ln in lines[4:]] == [["-4", "-1.0000"], ["2", "-1.0000"],
                                                            ["3", "0.2000"]]
    else:
        assert rc == 1 and out == b""
        assert err == (f"vernier: {path}: not a vernier.eval/1 document with \"metrics\" "
                       "(written by 'vernier eval --emit json')\n")


@pytest.mark.parametrize("args,rc_want,message", [
    (["compare"], 2, "compare takes two files (A.json B.json), got 0"),
    (["compare", "a.json"], 2, "compare takes two files (A.json B.json), got 1"),
    (["compare", "a", "b", "--x=1"], 2, "unknown option '--x'"),
    (["compare", "a", "b", "--max-drop"], 2, "option --max-drop needs a value"),
    (["compare", "a", "b", "--max-drop", "AP"], 2, "--max-drop: 'AP' is not METRIC=VALUE"),
    (["compare", "/nonexistent/a.json", "b"], 1, "/nonexistent/a.json: cannot read"),
])
def test_compare_errors(c_cli, args, rc_want, message):
    (rc, out, err), py_err = run_both(c_cli, args)
    assert rc == rc_want and out == b"" and message in err and err == py_err
    if rc_want == 2:
        assert err.endswith("Try 'vernier compare --help'.\n")


def test_compare_gate_on_a_missing_metric(c_cli, tmp_path):
    a = _eval_json(c_cli, tmp_path, "a.json")
    (rc, out, err), py_err = run_both(c_cli, ["compare", str(a), str(a), "--max-drop", "AR7=0"])
    assert rc == 1 and out == b"" and err == py_err == f"vernier: {a}: no metric 'AR7' (--max-drop)\n"
