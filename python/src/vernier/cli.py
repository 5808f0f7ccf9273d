"""The ``vernier`` console script: ``vernier eval --gt GT.json --dt DT.json --iou-type bbox``.

The same command line as the C program built from ``cli/vernier_cli.c``
(which needs no Python), implemented on top of :mod:`vernier.instance`.
For the same arguments and inputs both write the same bytes to stdout and
exit with the same status (``python/tests/test_cli.py`` checks it):

* stdout carries data only: the summary lines (text) and/or the JSON
  document; diagnostics and errors go to stderr;
* exit status 0 on success, 1 when the evaluation failed (unreadable or
  invalid input, an evaluation error, output not written), 2 for a bad
  command line.

The reference is docs/reference/cli.md.  Everything here mirrors the C
code rule for rule (argument grammar, messages, number formatting), so a
change to one needs the same change to the other.
"""
from __future__ import annotations

import json
import math
import os
import re
import sys
import tempfile
import time

from . import _lowlevel as _ll
from ._errors import VernierError
from .instance import Bbox, Boundary, CocoDataset, Evaluator, Keypoints, Segm

__all__ = ["main", "console"]

EXIT_EVAL = 1
EXIT_USAGE = 2
EXIT_GATE = 3
MAX_EMITS = 8
MAX_GATES = 16
FORMATS = ("text", "json", "markdown", "csv")
KEYPOINT_METRICS = ("AP", "AP50", "AP75", "APm", "APl", "AR", "AR50", "AR75", "ARm", "ARl")
MAX_MAX_DETS = _ll.MAX_MAX_DETS
JSON_SCHEMA = "vernier.eval/1"

HELP_MAIN = """\
usage: vernier <command> [options]
       vernier --help | --version

COCO-style detection evaluation with libvernier.  In strict parity mode the
numbers are bit for bit those of pycocotools 2.0.11.

Commands:
  eval           evaluate detections against ground truth and print the
                 summary ('vernier eval --help' for its options)
  compare        compare two 'vernier eval --emit json' results
                 ('vernier compare --help')

Options:
  -h, --help     show this help and exit
  --version      print the version and exit

Exit status: 0 success, 1 evaluation failed (unreadable or invalid input),
2 bad command line, 3 a --fail-under or --max-drop gate failed.
"""

HELP_EVAL = """\
usage: vernier eval --gt GT.json --dt DT.json --iou-type TYPE [options]

Evaluate a loadRes-shaped result list against COCO ground truth and print
the summary: the lines pycocotools' COCOeval.summarize() prints (12; 10 for
keypoints), byte for byte in strict mode.

Input:
  --gt PATH             COCO ground-truth JSON ('-': standard input)
  --dt PATH             result list JSON ('-': standard input)
  --iou-type TYPE       bbox, segm, boundary or keypoints (required)

Evaluation:
  --parity-mode MODE    strict (default): pycocotools 2.0.11 bit for bit,
                        quirks included; corrected: the documented quirks
                        fixed
  --max-dets N,N,...    max-detection caps: 1 to 16 distinct integers >= 0
                        (default 1,10,100; keypoints 20)
  --no-use-cats         pool all categories (pycocotools useCats=0)
  --use-cats            evaluate per category (default)
  --dilation-ratio R    boundary only: band width as a fraction of the
                        image diagonal, in (0, 1] (default 0.02)
  --sigmas FILE         keypoints only: OKS sigmas as JSON, a list of
                        numbers for every category or an object mapping
                        category ids ("1") to lists (default: COCO's 17)
  --threads N           match on N threads (0: one per CPU); default 1;
                        the numbers do not depend on it

Output:
  --emit FMT[=PATH]     text, json, markdown or csv (the per-class table),
                        to standard output or written atomically to PATH;
                        repeatable, at most one to standard output
                        (default: text); plot=DIR draws PNG plots into DIR
                        (the Python package's vernier command with
                        matplotlib only)
  --per-class           add the per-class table to text, json and markdown
  -q, --quiet           no progress line and no warnings on stderr
  -h, --help            show this help and exit

Gate:
  --fail-under METRIC=VALUE
                        exit 3 when the metric (AP, AP50, AP75, APs, APm,
                        APl, AR1, AR10, AR100, ARs, ARm, ARl; keypoints AP,
                        AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl; the
                        AR caps follow --max-dets) is below VALUE;
                        repeatable

Errors go to stderr with the file, line, column, byte offset and JSON path
of the problem.  Exit status: 0 success; 1 evaluation failed (unreadable
or invalid input, evaluation error, output not written); 2 bad command
line; 3 a --fail-under gate failed (the outputs are written).  The JSON
output (schema "vernier.eval/1") is described in docs/reference/cli.md.
"""

HELP_COMPARE = """\
usage: vernier compare A.json B.json [--max-drop METRIC=DELTA]... [--per-class]

Compare two results of 'vernier eval --emit json' (schema vernier.eval/1):
one line per metric with A's value, B's value and B - A; with --per-class,
also the per-class AP of categories both documents list (written with
'vernier eval --per-class').

Options:
  --max-drop METRIC=DELTA
                        exit 3 when METRIC (a name of the documents'
                        "metrics") fell from A to B by more than DELTA;
                        repeatable
  --per-class           the per-class AP table after the metrics
  -h, --help            show this help and exit

Exit status: 0 no gate failed; 1 a file is unreadable or not a
vernier.eval/1 document, or lacks a metric a gate names; 2 bad command
line; 3 a --max-drop gate failed.
"""

IOU_NAMES = ("bbox", "segm", "boundary", "keypoints")
MODE_NAMES = ("strict", "corrected")
WITH_VALUE = ("--gt", "--dt", "--iou-type", "--parity-mode", "--max-dets", "--dilation-ratio",
              "--sigmas", "--threads", "--emit", "--fail-under")
REPEATABLE = ("--emit", "--fail-under")
STATUS_NAMES = ("VERNIER_OK", "VERNIER_E_INVALID_ARG", "VERNIER_E_NOMEM", "VERNIER_E_BUDGET",
                "VERNIER_E_JSON", "VERNIER_E_SCHEMA", "VERNIER_E_UNKNOWN_IMAGE", "VERNIER_E_RLE",
                "VERNIER_E_STATE", "VERNIER_E_LIMIT", "VERNIER_E_UNSUPPORTED",
                "VERNIER_E_DUPLICATE_IMAGE", "VERNIER_E_QUEUE_FULL", "VERNIER_E_PARTIAL_CORRUPT",
                "VERNIER_E_PARTIAL_VERSION", "VERNIER_E_PARTIAL_MISMATCH",
                "VERNIER_E_PARTIAL_DATASET")
_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"(?=\.?[0-9])[0-9]*(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")
_CAT_ID = re.compile(r"-?[0-9]+")


class _Exit(Exception):
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


class _Cli:
    def __init__(self, stdout, stderr):
        self.out = stdout          # binary
        self.err = stderr          # text
        self.progress_on = False

    # -- diagnostics ---------------------------------------------------------

    def say(self, text: str) -> None:
        self.err.write(text)
        self.err.flush()

    def usage_error(self, msg: str, command: str = "eval"):
        self.say(f"vernier: {msg}\nTry 'vernier {command} --help'.\n")
        raise _Exit(EXIT_USAGE)

    def progress(self, msg: str) -> None:
        if self.progress_on:
            self.say(f"\r\033[Kvernier: {msg}")

    def progress_end(self) -> None:
        if self.progress_on:
            self.say("\r\033[K")

    def report(self, file, data, code, message, offset=None, line=None, column=None,
               path=None, index=None) -> None:
        """The two stderr lines of the C program's report()."""
        if offset is not None and line is None and data is not None and offset <= len(data):
            line = data.count(b"\n", 0, offset) + 1
            column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        if file is not None and line is not None:
            self.say(f"vernier: {file}:{line}:{column}: error: {message}\n")
        elif file is not None:
            self.say(f"vernier: {file}: error: {message}\n")
        else:
            self.say(f"vernier: error: {message}\n")
        parts = []
        if offset is not None:
            parts.append(f"byte offset {offset}")
        if line is not None:
            parts.append(f"line {line}, column {column}")
        if path:
            parts.append(f"JSON path {path}")
        if index is not None:
            parts.append(f"element {index}")
        if code:
            name = STATUS_NAMES[-code] if -len(STATUS_NAMES) < code <= 0 else "VERNIER_E_UNKNOWN"
            parts.append(f"status {name} ({code})")
        if parts:
            self.say("vernier: note: " + ", ".join(parts) + "\n")

    def report_exc(self, file, data, e: VernierError) -> None:
        self.report(file, data, e.code, e.args[0] if e.args else str(e), e.offset, e.line,
                    e.column, e.path, e.index)

    # -- input ---------------------------------------------------------------

    @staticmethod
    def display(path: str) -> str:
        return "<stdin>" if path == "-" else path

    def read_file(self, path: str) -> bytes:
        try:
            if path == "-":
                return sys.stdin.buffer.read()
            with open(path, "rb") as f:
                return f.read()
        except OSError as e:
            self.say(f"vernier: {self.display(path)}: cannot read: {e.strerror}\n")
            raise _Exit(EXIT_EVAL) from None

    def load_sigmas(self, path: str):
        """A list of floats, or a dict category id -> list of floats, as the
        C reader accepts them; errors exit 1."""
        data = self.read_file(path)

        def fail(msg, pos=None):
            self.report(path, data, 0, f"sigmas: {msg}", offset=pos)
            raise _Exit(EXIT_EVAL)

        def pairs(items):
            out = {}
            for k, v in items:
                if not _CAT_ID.fullmatch(k):
                    fail("a key must be a category id: an integer in quotes")
                cid = int(k)
                if not -2**63 <= cid < 2**63:
                    fail("category id out of range")
                if cid in out:
                    fail("a category id is given twice")
                out[cid] = v
            return out

        def constant(name):
            raise ValueError(f"{name} is not a number")

        try:
            value = json.loads(data.decode("utf-8"), object_pairs_hook=pairs,
                               parse_constant=constant)
        except json.JSONDecodeError as e:
            fail(f"invalid JSON: {e.msg}", len(data.decode("utf-8")[:e.pos].encode("utf-8")))
        except (UnicodeDecodeError, ValueError) as e:
            fail(f"invalid JSON: {e}")

        def numbers(v):
            if not isinstance(v, list):
                fail("expected a list of numbers")
            if not v:
                fail("a list of sigmas must not be empty")
            out = []
            for x in v:
                if isinstance(x, bool) or not isinstance(x, (int, float)):
                    fail("expected a number")
                x = float(x)
                if not (x > 0 and math.isfinite(x)):
                    fail("each sigma must be finite and > 0")
                out.append(x)
            return out

        if isinstance(value, list):
            return numbers(value)
        if isinstance(value, dict):
            return {cid: numbers(v) for cid, v in sorted(value.items())}
        fail("expected a list of numbers or an object of category id -> list")

    # -- command line --------------------------------------------------------

    def parse_max_dets(self, v: str):
        caps = []
        for tok in v.split(","):
            if not _DIGITS.fullmatch(tok) or len(tok) >= 24:
                self.usage_error(
                    f"--max-dets: '{v}' is not a comma-separated list of integers >= 0")
            x = int(tok)
            if x > 2**63 - 1:
                self.usage_error(f"--max-dets: {tok} is too large")
            if len(caps) == MAX_MAX_DETS:
                self.usage_error(f"--max-dets: at most {MAX_MAX_DETS} caps")
            if x in caps:
                self.usage_error(f"--max-dets: {x} is given twice")
            caps.append(x)
        return caps

    def parse_gate(self, gates, option: str, v: str, command: str = "eval"):
        """METRIC=VALUE of --fail-under / --max-drop: (name, value text,
        value)."""
        name, eq, val = v.partition("=")
        if not eq or name == "":
            self.usage_error(f"{option}: '{v}' is not METRIC=VALUE", command)
        if not _DECIMAL.fullmatch(val):
            self.usage_error(f"{option}: '{val}' is not a number", command)
        if len(gates) == MAX_GATES:
            self.usage_error(f"{option}: at most {MAX_GATES} gates", command)
        gates.append((name, val, float(val)))

    def parse_emit(self, emits, v: str):
        fmt, eq, path = v.partition("=")
        if fmt == "plot":
            self.parse_plot_emit(emits, v, path if eq else None)
            return
        if fmt not in FORMATS:
            self.usage_error(f"--emit: unknown format in '{v}' (expected text, json, markdown "
                             "or csv)")
        if eq and path == "":
            self.usage_error(f"--emit: empty path in '{v}'")
        target = None if (not eq or path == "-") else path
        for _, other in emits:
            if target is None and other is None:
                self.usage_error("--emit: at most one output may go to standard output")
            if target is not None and other == target:
                self.usage_error(f"--emit: '{target}' is given twice")
        if len(emits) == MAX_EMITS:
            self.usage_error(f"--emit: at most {MAX_EMITS} outputs")
        emits.append((fmt, target))

    def parse_plot_emit(self, emits, v: str, path):
        """plot=DIR (this program only: the C one refuses it): PNG files
        written into DIR, created if missing; needs matplotlib."""
        if path is None or path in ("", "-"):
            self.usage_error(f"--emit: plot needs a directory in '{v}' (plot=DIR)")
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            self.usage_error("--emit: plot needs matplotlib, which is not installed: "
                             "pip install 'libvernier[plot]'")
        for _, other in emits:
            if other == path:
                self.usage_error(f"--emit: '{path}' is given twice")
        if len(emits) == MAX_EMITS:
            self.usage_error(f"--emit: at most {MAX_EMITS} outputs")
        emits.append(("plot", path))

    def write_plots(self, summary, directory: str) -> bool:
        """The figures of vernier.plot's save_all, each written atomically
        as DIR/<name>.png; category names from the ground truth (the
        summary carries them)."""
        import io

        from . import plot
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as e:
            self.say(f"vernier: {directory}: cannot create: {e.strerror}\n")
            return False
        ok = True
        for stem, fig in plot._figures(summary, area=summary.area_ranges[0],
                                       max_dets=summary.max_dets[-1]).items():
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=plot.DPI)
            ok = self.write_atomic(os.path.join(directory, f"{stem}.png"), buf.getvalue()) and ok
        return ok

    def parse_eval_args(self, argv):
        a = {"gt": None, "dt": None, "iou": None, "mode": 0, "use_cats": True,
             "max_dets": None, "ratio": None, "sigmas": None, "threads": 1, "quiet": False,
             "emits": [], "per_class": False, "gates": []}
        seen = set()
        i = 0
        while i < len(argv):
            arg = argv[i]
            i += 1
            if arg in ("-h", "--help"):
                self.out.write(HELP_EVAL.encode())
                self.out.flush()
                raise _Exit(0)
            if arg in ("-q", "--quiet"):
                a["quiet"] = True
                continue
            if arg == "--no-use-cats":
                a["use_cats"] = False
                continue
            if arg == "--use-cats":
                a["use_cats"] = True
                continue
            if arg == "--per-class":
                a["per_class"] = True
                continue
            if not arg.startswith("--") or arg == "--":
                if arg.startswith("-") and len(arg) > 1:
                    self.usage_error(f"unknown option '{arg}'")
                self.usage_error(f"unexpected argument '{arg}'")
            name, eq, val = arg.partition("=")
            if len(name.encode()) >= 32:
                self.usage_error(f"unknown option '{arg}'")
            if name not in WITH_VALUE:
                self.usage_error(f"unknown option '{name}'")
            if not eq:
                if i < len(argv):
                    val = argv[i]
                    i += 1
                else:
                    self.usage_error(f"option {name} needs a value")
            if name in seen and name not in REPEATABLE:
                self.usage_error(f"option {name} is given twice")
            seen.add(name)
            if name == "--gt":
                a["gt"] = val
            elif name == "--dt":
                a["dt"] = val
            elif name == "--iou-type":
                if val not in IOU_NAMES:
                    self.usage_error(
                        f"--iou-type: '{val}' is not one of bbox, segm, boundary, keypoints")
                a["iou"] = val
            elif name == "--parity-mode":
                if val not in MODE_NAMES:
                    self.usage_error(f"--parity-mode: '{val}' is not one of strict, corrected")
                a["mode"] = MODE_NAMES.index(val)
            elif name == "--max-dets":
                a["max_dets"] = self.parse_max_dets(val)
            elif name == "--dilation-ratio":
                if not _DECIMAL.fullmatch(val):
                    self.usage_error(f"--dilation-ratio: '{val}' is not a number")
                r = float(val)
                if not 0 < r <= 1:
                    self.usage_error(f"--dilation-ratio: {val} is not in (0, 1]")
                a["ratio"] = r
            elif name == "--sigmas":
                if val == "":
                    self.usage_error("--sigmas: empty path")
                a["sigmas"] = val
            elif name == "--threads":
                if not _DIGITS.fullmatch(val) or len(val) > len(str(_ll.MAX_THREADS)) \
                        or int(val) > _ll.MAX_THREADS:
                    self.usage_error(f"--threads: '{val}' is not an integer from 0 to "
                                     f"{_ll.MAX_THREADS}")
                a["threads"] = int(val)
            elif name == "--fail-under":
                self.parse_gate(a["gates"], name, val)
            else:
                self.parse_emit(a["emits"], val)
        if not a["gt"]:
            self.usage_error("--gt PATH is required")
        if not a["dt"]:
            self.usage_error("--dt PATH is required")
        if a["iou"] is None:
            self.usage_error("--iou-type is required (bbox, segm, boundary or keypoints)")
        if a["gt"] == "-" and a["dt"] == "-":
            self.usage_error("--gt and --dt cannot both read standard input")
        if a["ratio"] is not None and a["iou"] != "boundary":
            self.usage_error("--dilation-ratio applies to --iou-type boundary only")
        if a["sigmas"] is not None and a["iou"] != "keypoints":
            self.usage_error("--sigmas applies to --iou-type keypoints only")
        # pycocotools' summarize() reads maxDets[0], [1] and [2] for the box and
        # mask kernels: fewer caps leave no summary, and an empty output with
        # status 0 would read as success.
        if (a["max_dets"] is not None and a["iou"] != "keypoints"
                and len(a["max_dets"]) < 3):
            self.usage_error(f"--max-dets: --iou-type {a['iou']} needs at least three caps for "
                             "its summary (pycocotools' summarize() reads the first three), "
                             f"got {len(a['max_dets'])}")
        names = metric_names(a["iou"], a["max_dets"])
        for name, _, _ in a["gates"]:
            if name not in names:
                self.usage_error(f"--fail-under: unknown metric '{name}' (--iou-type "
                                 f"{a['iou']} has {', '.join(names)})")
        if not a["emits"]:
            a["emits"].append(("text", None))
        return a

    # -- output --------------------------------------------------------------

    @staticmethod
    def class_rows(summary, names):
        """(category id, [metric values], n_gt, n_dt, name) per category;
        ``names`` maps ids to the names' bytes, here as str with
        surrogateescape so that they are written back byte for byte."""
        stats, n_gt, n_dt = summary._class_data()
        return [(int(c), [float(v) for v in stats[k]], int(n_gt[k, 0]) if n_gt.size else 0,
                 int(n_dt[k]), names.get(int(c), b"").decode("utf-8", "surrogateescape"))
                for k, c in enumerate(summary.category_ids)]

    @classmethod
    def render_text(cls, summary, a) -> bytes:
        out = [line + "\n" for line in summary.pretty_lines()]
        if a["per_class"]:
            out.append("\n%8s" % "category")
            out += [" %7s" % m for m in summary.metric_names]
            out.append(" %7s %7s name\n" % ("n_gt", "n_dt"))
            for cat, vals, n_gt, n_dt, name in cls.class_rows(summary, a["names"]):
                out.append("%8d" % cat)
                out += [" %7.3f" % v for v in vals]
                out.append(" %7d %7d %s\n" % (n_gt, n_dt, _one_line(name, False)))
        return "".join(out).encode("utf-8", "surrogateescape")

    @classmethod
    def render_markdown(cls, summary, a) -> bytes:
        out = [f"### vernier eval: {a['iou']}, {MODE_NAMES[a['mode']]} mode\n\n",
               "| metric | IoU | area | maxDets | value |\n|---|---|---|---|---|\n"]
        for name, d, v in zip(summary.metric_names, summary.stat_descriptors(), summary.stats):
            iou = f"{d.iou_lo:0.2f}:{d.iou_hi:0.2f}" if d.all_ious else f"{d.iou_lo:0.2f}"
            out.append(f"| {name} | {iou} | {d.area} | {d.max_dets} | {v:0.3f} |\n")
        if a["per_class"]:
            out.append("\n| category | name | " + " | ".join(summary.metric_names)
                       + " | n_gt | n_dt |\n|---|---|")
            out.append("---|" * (len(summary.metric_names) + 2) + "\n")
            for cat, vals, n_gt, n_dt, name in cls.class_rows(summary, a["names"]):
                out.append(f"| {cat} | {_one_line(name, True)} | "
                           + " | ".join(f"{v:0.3f}" for v in vals) + f" | {n_gt} | {n_dt} |\n")
        return "".join(out).encode("utf-8", "surrogateescape")

    @classmethod
    def render_csv(cls, summary, a) -> bytes:
        out = ["category_id,name," + ",".join(summary.metric_names) + ",n_gt,n_dt\n"]
        for cat, vals, n_gt, n_dt, name in cls.class_rows(summary, a["names"]):
            if any(c in name for c in ',"\r\n'):
                name = '"' + name.replace('"', '""') + '"'
            out.append(f"{cat},{name}," + ",".join(format_double(v) for v in vals)
                       + f",{n_gt},{n_dt}\n")
        return "".join(out).encode("utf-8", "surrogateescape")

    @staticmethod
    def render_json(summary, a) -> bytes:
        stats = list(summary.stats)
        out = ["{\n  \"schema\": \"", JSON_SCHEMA, "\",\n  \"vernier_version\": ",
               _json_string(_version()),
               f",\n  \"iou_type\": \"{a['iou']}\",\n  \"parity_mode\": \"{MODE_NAMES[a['mode']]}\""
               f",\n  \"use_cats\": {'true' if a['use_cats'] else 'false'},\n",
               "  \"max_dets\": [", ", ".join(str(int(m)) for m in summary.max_dets),
               "],\n  \"dilation_ratio\": "]
        if a["iou"] == "boundary":
            out.append(format_double(a["ratio"] if a["ratio"] is not None else 0.02))
        else:
            out.append("null")
        out.append(",\n  \"lines\": [")
        for i, d in enumerate(summary.stat_descriptors()):
            out.append(",\n    " if i else "\n    ")
            iou = f"{d.iou_lo:0.2f}:{d.iou_hi:0.2f}" if d.all_ious else f"{d.iou_lo:0.2f}"
            out.append(f"{{\"metric\": \"{d.metric}\", \"iou\": {_json_string(iou)}"
                       f", \"area\": {_json_string(d.area)}, \"max_dets\": {d.max_dets}")
            out.append(f", \"value\": {format_double(stats[i])}}}")
        out.append("\n  ],\n  \"stats\": [" if stats else "],\n  \"stats\": [")
        out.append(", ".join(format_double(s) for s in stats))
        out.append("],\n  \"metrics\": {")
        out.append(", ".join(f"{_json_string(n)}: {format_double(v)}"
                             for n, v in zip(summary.metric_names, stats)))
        out.append("}")
        if a["per_class"]:
            out.append(",\n  \"per_class\": [")
            for i, (cat, vals, n_gt, n_dt, name) in enumerate(
                    _Cli.class_rows(summary, a["names"])):
                out.append(",\n    " if i else "\n    ")
                out.append(f"{{\"category_id\": {cat}, \"name\": {_json_string(name)}")
                out += [f", {_json_string(n)}: {format_double(v)}"
                        for n, v in zip(summary.metric_names, vals)]
                out.append(f", \"n_gt\": {n_gt}, \"n_dt\": {n_dt}}}")
            out.append("\n  ]" if summary.category_ids else "]")
        out.append("\n}\n")
        return "".join(out).encode("utf-8", "surrogateescape")

    def write_atomic(self, path: str, data: bytes) -> bool:
        d, base = os.path.split(path)
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{base}.tmp.", dir=d or ".")
            try:
                mask = os.umask(0)
                os.umask(mask)
                os.fchmod(fd, 0o666 & ~mask)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
            return True
        except OSError as e:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
            self.say(f"vernier: {path}: cannot write: {e.strerror}\n")
            return False

    # -- vernier eval --------------------------------------------------------

    def cmd_eval(self, argv) -> int:
        a = self.parse_eval_args(argv)
        self.progress_on = not a["quiet"] and _isatty(self.err)
        sig = self.load_sigmas(a["sigmas"]) if a["sigmas"] is not None else None
        gt_name, dt_name = self.display(a["gt"]), self.display(a["dt"])

        t0 = time.monotonic()
        self.progress(f"reading ground truth {gt_name}")
        gt_bytes = self.read_file(a["gt"])
        self.progress(f"parsing ground truth {gt_name} ({len(gt_bytes) / 1e6:.1f} MB)")
        try:
            ds = CocoDataset.from_json(gt_bytes)
        except VernierError as e:
            self.progress_end()
            self.report_exc(gt_name, gt_bytes, e)
            return EXIT_EVAL
        t_gt = time.monotonic()

        self.progress(f"reading results {dt_name}")
        dt_bytes = self.read_file(a["dt"])
        self.progress(f"parsing results {dt_name} ({len(dt_bytes) / 1e6:.1f} MB)")
        try:
            # parsed here once on its own so that its errors name the file
            res = _ll.results_load_json(dt_bytes)
        except VernierError as e:
            self.progress_end()
            self.report_exc(dt_name, dt_bytes, e)
            return EXIT_EVAL
        n_res = res.count()
        res.close()
        t_dt = time.monotonic()

        try:
            if a["iou"] == "bbox":
                iou = Bbox()
            elif a["iou"] == "segm":
                iou = Segm()
            elif a["iou"] == "boundary":
                iou = Boundary() if a["ratio"] is None else Boundary(dilation_ratio=a["ratio"])
            else:
                # a list applies to every category, as the C program passes it
                iou = Keypoints(sigmas=sig)
            ev = Evaluator(iou=iou, parity_mode=MODE_NAMES[a["mode"]], use_cats=a["use_cats"],
                           max_dets=None if a["max_dets"] is None else tuple(a["max_dets"]))
            self.progress(f"evaluating {n_res} results on {ds.num_images} images, "
                          f"{ds.num_annotations} annotations ({a['iou']})")
            summary = ev.evaluate(ds, dt_bytes, num_threads=a["threads"])
        except VernierError as e:
            self.progress_end()
            who = _blame(a, e)
            if who == 1:
                self.report_exc(gt_name, gt_bytes, e)
            elif who == 2:
                self.report_exc(dt_name, dt_bytes, e)
            else:
                self.report_exc(a["sigmas"] if who == 3 else None, None, e)
            return EXIT_EVAL
        t_ev = time.monotonic()

        def rate(n, dt):
            return n / max(dt, 1e-9)

        self.progress(f"done: ground truth {t_gt - t0:.2f} s "
                      f"({rate(len(gt_bytes) / 1e6, t_gt - t0):.1f} MB/s), results "
                      f"{t_dt - t_gt:.2f} s ({rate(n_res, t_dt - t_gt):.0f}/s), evaluation "
                      f"{t_ev - t_dt:.2f} s ({rate(n_res, t_ev - t_dt):.0f} results/s)\n")
        if not summary.stats:
            # unreachable after the argument checks: kept so that no path
            # prints an empty summary with status 0
            self.say("vernier: error: the evaluation produced no summary statistics\n")
            return EXIT_EVAL

        a["names"] = ds._h().category_names(raw=True)
        status = 0
        for fmt, target in a["emits"]:
            if fmt == "plot":
                if not self.write_plots(summary, target):
                    status = EXIT_EVAL
                continue
            if fmt == "json":
                data = self.render_json(summary, a)
            elif fmt == "markdown":
                data = self.render_markdown(summary, a)
            elif fmt == "csv":
                data = self.render_csv(summary, a)
            else:
                data = self.render_text(summary, a)
            if target is None:
                try:
                    self.out.write(data)
                    self.out.flush()
                except OSError as e:
                    self.say(f"vernier: <stdout>: cannot write: {e.strerror}\n")
                    status = EXIT_EVAL
            elif not self.write_atomic(target, data):
                status = EXIT_EVAL
        if status == 0:
            values = summary.metrics
            for name, text, threshold in a["gates"]:
                if values[name] < threshold:
                    self.say(f"vernier: fail-under: {name} = {format_double(values[name])} "
                             f"is below {text}\n")
                    status = EXIT_GATE
        return status

    # -- vernier compare -----------------------------------------------------

    def parse_compare_args(self, argv):
        a = {"files": [], "gates": [], "per_class": False}
        i = 0
        while i < len(argv):
            arg = argv[i]
            i += 1
            if arg in ("-h", "--help"):
                self.out.write(HELP_COMPARE.encode())
                self.out.flush()
                raise _Exit(0)
            if arg == "--per-class":
                a["per_class"] = True
                continue
            name, eq, val = arg.partition("=")
            if name == "--max-drop":
                if not eq:
                    if i >= len(argv):
                        self.usage_error("option --max-drop needs a value", "compare")
                    val = argv[i]
                    i += 1
                self.parse_gate(a["gates"], "--max-drop", val, "compare")
                continue
            if arg.startswith("-") and arg != "-":
                self.usage_error(f"unknown option '{name}'", "compare")
            a["files"].append(arg)
        if len(a["files"]) != 2:
            self.usage_error(f"compare takes two files (A.json B.json), got "
                             f"{len(a['files'])}", "compare")
        return a

    def load_result(self, path):
        """(metrics {name: value}, per-class {category id: AP}) of a
        vernier.eval/1 document; exits 1 when it is not one (strict UTF-8
        JSON, an object with that "schema" and a "metrics" object of
        finite numbers under printable-ASCII names -- the C program's
        rule)."""
        data = self.read_file(path)

        def refuse():
            self.say(f"vernier: {self.display(path)}: not a {JSON_SCHEMA} document with "
                     "\"metrics\" (written by 'vernier eval --emit json')\n")
            raise _Exit(EXIT_EVAL)

        def number(v):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return None
            try:
                v = float(v)
            except OverflowError:
                return None
            return v if math.isfinite(v) else None

        def no_constant(name):
            raise ValueError(name)

        try:
            doc = json.loads(data.decode("utf-8"), parse_constant=no_constant)
        except (ValueError, RecursionError):
            refuse()
        if not isinstance(doc, dict) or doc.get("schema") != JSON_SCHEMA \
                or not isinstance(doc.get("metrics"), dict):
            refuse()
        metrics = {}
        for name, v in doc["metrics"].items():
            if number(v) is None or not all(0x20 <= ord(c) < 0x7f for c in name):
                refuse()
            metrics[name] = number(v)
        per_class = {}
        rows = doc.get("per_class")
        for r in rows if isinstance(rows, list) else []:
            c = r.get("category_id") if isinstance(r, dict) else None
            if isinstance(c, int) and not isinstance(c, bool) and -2**63 <= c < 2**63:
                ap = number(r.get("AP"))
                per_class[c] = -1.0 if ap is None else ap
        return metrics, per_class

    def cmd_compare(self, argv) -> int:
        a = self.parse_compare_args(argv)
        (ma, ca), (mb, cb) = (self.load_result(p) for p in a["files"])
        for name, _, _ in a["gates"]:
            for path, m in zip(a["files"], (ma, mb)):
                if name not in m:
                    self.say(f"vernier: {self.display(path)}: no metric '{name}' "
                             "(--max-drop)\n")
                    return EXIT_EVAL
        out = ["%-8s %10s %10s %10s\n" % ("metric", "A", "B", "B-A")]
        for name in ma:
            if name in mb:
                va, vb = ma[name], mb[name]
                out.append("%-8s %10.4f %10.4f %+10.4f\n" % (name, va, vb, vb - va))
        if a["per_class"]:
            out.append("\n%8s %10s %10s %10s\n" % ("category", "AP A", "AP B", "B-A"))
            for cat in sorted(c for c in ca if c in cb):
                va, vb = ca[cat], cb[cat]
                out.append("%8d %10.4f %10.4f %+10.4f\n" % (cat, va, vb, vb - va))
        self.out.write("".join(out).encode("ascii"))
        self.out.flush()
        status = 0
        for name, text, delta in a["gates"]:
            va, vb = ma[name], mb[name]
            if va - vb > delta:
                self.say(f"vernier: max-drop: {name} fell by {format_double(va - vb)} "
                         f"({format_double(va)} -> {format_double(vb)}), more than {text}\n")
                status = EXIT_GATE
        return status

    def run(self, argv) -> int:
        if not argv:
            self.say("vernier: missing command\nTry 'vernier --help'.\n")
            return EXIT_USAGE
        if argv[0] in ("-h", "--help"):
            self.out.write(HELP_MAIN.encode())
            self.out.flush()
            return 0
        if argv[0] == "--version":
            self.out.write(f"vernier {_version()}\n".encode())
            self.out.flush()
            return 0
        if argv[0] == "eval":
            return self.cmd_eval(argv[1:])
        if argv[0] == "compare":
            return self.cmd_compare(argv[1:])
        self.say(f"vernier: unknown command '{argv[0]}'\nTry 'vernier --help'.\n")
        return EXIT_USAGE


def _one_line(name: str, markdown: bool) -> str:
    """A category name on one line: control characters read "?"; in
    Markdown "|" is escaped (the C program's put_name)."""
    out = "".join("?" if ord(c) < 0x20 or c == "\x7f" else c for c in name)
    return out.replace("|", "\\|") if markdown else out


def metric_names(iou: str, max_dets) -> tuple:
    """The names of the summary statistics for --iou-type ``iou`` and the
    --max-dets ladder (None: the default), as vernier_stat_info names
    them."""
    if iou == "keypoints":
        return KEYPOINT_METRICS
    caps = sorted(max_dets) if max_dets is not None else [1, 10, 100]
    return ("AP", "AP50", "AP75", "APs", "APm", "APl", f"AR{caps[0]}", f"AR{caps[1]}",
            f"AR{caps[2]}", "ARs", "ARm", "ARl")


def format_double(v: float) -> str:
    """The shortest of %.15g, %.16g, %.17g that reads back to ``v`` (".0"
    added to integers), as the C program prints; "null" if not finite."""
    if not math.isfinite(v):
        return "null"
    for p in (15, 16, 17):
        s = "%.*g" % (p, v)
        if float(s) == v:
            break
    if all(c in "-0123456789" for c in s):
        s += ".0"
    return s


def _json_string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _blame(a, e: VernierError) -> int:
    """1 ground truth, 2 results, 3 the sigmas file, 0 none (the C rule)."""
    path = e.path or ""
    if e.code == _ll.E_UNKNOWN_IMAGE or path.startswith("["):
        return 2
    if path.startswith(("annotations", "images", "categories")):
        return 1
    if e.code == _ll.E_INVALID_ARG and a["sigmas"] is not None:
        return 3
    return 0


def _version() -> str:
    return _ll.version()


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def main(argv=None, stdout=None, stderr=None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); return the
    exit status.  ``stdout`` is a binary stream (default
    ``sys.stdout.buffer``), ``stderr`` a text stream (default ``sys.stderr``)."""
    cli = _Cli(stdout if stdout is not None else sys.stdout.buffer,
               stderr if stderr is not None else sys.stderr)
    try:
        return cli.run(list(sys.argv[1:] if argv is None else argv))
    except _Exit as e:
        return e.status


def console() -> None:
    """The ``vernier`` console-script entry point (a closed stdout pipe ends
    it quietly, as it ends the C program: see ``vernier._run_entry_point``)."""
    from . import _run_entry_point
    _run_entry_point(main)
