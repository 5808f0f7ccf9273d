#!/usr/bin/env python3
"""Compare COCO evaluators on the same files: wall time, peak memory, stats.

    python benchmarks/compare.py                      # val2017-scale synthetic bbox workload
    python benchmarks/compare.py --gt GT.json --dt RESULTS.json --repeat 5
    python benchmarks/compare.py --images 500         # a smaller generated workload
    python benchmarks/compare.py --iou-type segm      # masks (make_segm_val2017_scale)
    python benchmarks/compare.py --iou-type boundary  # Boundary IoU, dilation ratio 0.02

``--iou-type`` is bbox (default), segm or boundary.  For boundary the
"pycocotools" row is the parity suite's Boundary IoU reference
(``parity.boundary_oracle``: boundary-iou-api restated on pycocotools and
OpenCV); faster_coco_eval has its own "boundary" iouType.

Evaluators: vernier, pycocotools and, when importable, faster_coco_eval,
hotcoco and ultrafast_pycocotools (adapters in ``benchmarks/evaluators.py``);
the ones that are not installed are reported as such.  Every run is a fresh
child process (``--worker``), so runs do not share caches or memory:

* wall time: measured in the child around "files on disk -> 12 stats"
  (imports excluded); best and median of the runs.  An evaluator is run
  ``--repeat`` times, or once only if a run takes longer than
  ``--slow-seconds`` (pycocotools on val2017 scale).
* peak RSS: ``ru_maxrss`` of the child as reported by ``wait4``, and the
  increase over the child's own ``ru_maxrss`` right after its imports
  (interpreter + library baseline).  Largest over the runs.  On Linux a
  child's ``ru_maxrss`` starts at the spawning process's RSS (exec keeps the
  old image's high-water mark), so this parent never loads a workload before
  its last child: generation runs in a child of its own, and the workload is
  only parsed (for the report header) after all runs.
* stats: each evaluator's 12 numbers compared bit for bit with pycocotools'.

The report is a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:           # run as a script: make `benchmarks`/`parity` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.evaluators import BOUNDARY_DILATION_RATIO, EVALUATORS, IOU_TYPES  # noqa: E402

STATS_NAMES = ("AP", "AP50", "AP75", "APs", "APm", "APl",
               "AR1", "AR10", "AR100", "ARs", "ARm", "ARl")
_KIB = 1024 if sys.platform == "darwin" else 1      # ru_maxrss unit: bytes on macOS, KiB on Linux


def _maxrss_kib(ru_maxrss: int) -> float:
    return ru_maxrss / _KIB


# ---------------------------------------------------------------------------
# Child side
# ---------------------------------------------------------------------------

def _worker(name: str, gt: Path, dt: Path, iou_type: str) -> None:
    """Run one evaluator once and write a JSON report to the original stdout.

    fd 1 is pointed at /dev/null first, so whatever the library prints (from
    Python or from native code) does not mix with the report.
    """
    report_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    module, dist, adapter = EVALUATORS[name]
    try:
        importlib.import_module(module)
    except ImportError as exc:
        report = {"status": "not installed", "detail": f"{type(exc).__name__}: {exc}"}
    else:
        try:
            lib_version = version(dist)
        except PackageNotFoundError:
            lib_version = getattr(sys.modules[module.split(".")[0]], "__version__", "?")
        baseline = _maxrss_kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        try:
            t0 = time.perf_counter()
            stats = adapter(gt, dt, iou_type)
            seconds = time.perf_counter() - t0
        except Exception as exc:  # reported, not raised: the table shows it
            report = {"status": "error", "detail": f"{type(exc).__name__}: {exc}", "version": lib_version}
        else:
            report = {"status": "ok", "seconds": seconds, "baseline_kib": baseline,
                      "stats": [float(v) for v in stats], "version": lib_version}
    sys.stdout.flush()
    os.write(report_fd, json.dumps(report).encode())
    os.close(report_fd)


# ---------------------------------------------------------------------------
# Parent side
# ---------------------------------------------------------------------------

def _spawn(name: str, gt: Path, dt: Path, iou_type: str) -> dict:
    """One fresh child process; adds the child's peak RSS (from wait4) to its report."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--gt", str(gt), "--dt", str(dt),
           "--iou-type", iou_type]
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, cwd=str(ROOT))
        out = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)   # reaped by wait4, tell Popen
        if proc.returncode != 0 or not out:
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
            return {"status": "error", "detail": f"exit {proc.returncode}: " + " | ".join(tail)}
    report = json.loads(out)
    report["peak_kib"] = _maxrss_kib(usage.ru_maxrss)
    return report


def _run_evaluator(name: str, gt: Path, dt: Path, repeat: int, slow_seconds: float,
                   iou_type: str = "bbox") -> dict:
    runs = []
    for _ in range(repeat):
        report = _spawn(name, gt, dt, iou_type)
        if report["status"] != "ok":
            return report
        runs.append(report)
        print(f"  {name}: {report['seconds']:.3f}s", file=sys.stderr)
        if report["seconds"] > slow_seconds:
            break
    times = [r["seconds"] for r in runs]
    distinct = {tuple(float(v).hex() for v in r["stats"]) for r in runs}
    return {
        "status": "ok",
        "version": runs[0]["version"],
        "runs": len(runs),
        "best": min(times),
        "median": statistics.median(times),
        "peak_mib": max(r["peak_kib"] for r in runs) / 1024,
        "delta_mib": max(r["peak_kib"] - r["baseline_kib"] for r in runs) / 1024,
        "stats": runs[0]["stats"],
        "deterministic": len(distinct) == 1,
    }


def _stats_verdict(stats: list[float], reference: list[float] | None) -> str:
    if reference is None:
        return "(no pycocotools reference)"
    if len(stats) != len(reference):
        return f"{len(stats)} stats vs {len(reference)}"
    diffs = [(STATS_NAMES[i], abs(a - b)) for i, (a, b) in enumerate(zip(stats, reference))
             if float(a).hex() != float(b).hex()]
    if not diffs:
        return "identical (bit for bit)"
    worst = max(d for _, d in diffs)
    return f"{len(diffs)} differ ({', '.join(n for n, _ in diffs)}; max abs diff {worst:.3g})"


def _describe_workload(gt: Path, dt: Path) -> str:
    g = json.loads(gt.read_bytes())
    d = json.loads(dt.read_bytes())
    return (f"{len(g['images'])} images, {len(g['annotations'])} GT annotations, {len(g['categories'])} categories, "
            f"{len(d)} detections; {gt.stat().st_size / 2**20:.1f} MiB + {dt.stat().st_size / 2**20:.1f} MiB JSON")


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def _workload_files(workdir: Path, iou_type: str) -> tuple[Path, Path]:
    """bbox: gt.json / dt.json; segm and boundary share segm-gt.json / segm-dt.json."""
    prefix = "" if iou_type == "bbox" else "segm-"
    return workdir / f"{prefix}gt.json", workdir / f"{prefix}dt.json"


def _write_workload(workdir: Path, images: int, seed: int | None, iou_type: str = "bbox") -> None:
    """(child side of ``--generate``) write the workload files into ``workdir``."""
    from parity.generate import (VAL2017_SEED, make_segm_val2017_scale, make_val2017_scale,
                                 make_workload)

    if iou_type == "bbox":
        if images == 5000 and seed is None:
            gt, dt = make_val2017_scale()
        else:
            gt, dt = make_workload(images, VAL2017_SEED if seed is None else seed)
    else:
        gt, dt = make_segm_val2017_scale(VAL2017_SEED if seed is None else seed, n_images=images)
    workdir.mkdir(parents=True, exist_ok=True)
    gt_path, dt_path = _workload_files(workdir, iou_type)
    gt_path.write_text(json.dumps(gt), encoding="utf-8")
    dt_path.write_text(json.dumps(dt), encoding="utf-8")


def _generate(workdir: Path, images: int, seed: int | None, iou_type: str = "bbox") -> tuple[Path, Path]:
    """The workload files in ``workdir``, generated in a child process if absent."""
    gt_path, dt_path = _workload_files(workdir, iou_type)
    if gt_path.exists() and dt_path.exists():
        print(f"reusing {gt_path} and {dt_path}", file=sys.stderr)
        return gt_path, dt_path
    kind = "bbox" if iou_type == "bbox" else "segm"
    print(f"generating a {images}-image {kind} workload in {workdir} ...", file=sys.stderr)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--generate", str(workdir),
           "--images", str(images), "--iou-type", iou_type] + ([] if seed is None else ["--seed", str(seed)])
    subprocess.run(cmd, check=True, cwd=str(ROOT))
    return gt_path, dt_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gt", type=Path, help="ground-truth JSON (default: generate a workload)")
    parser.add_argument("--dt", type=Path, help="results JSON (with --gt)")
    parser.add_argument("--images", type=int, default=5000,
                        help="size of the generated workload (5000 = val2017 scale)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the generated workload")
    parser.add_argument("--workdir", type=Path,
                        help="keep the generated files here and reuse them next time (default: a temp dir)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per evaluator (best of N)")
    parser.add_argument("--slow-seconds", type=float, default=20.0,
                        help="an evaluator whose run takes longer than this is run only once")
    parser.add_argument("--iou-type", choices=IOU_TYPES, default="bbox",
                        help="what to evaluate: bbox (default), segm or boundary (dilation ratio 0.02)")
    parser.add_argument("--only", help="comma-separated subset of: " + ", ".join(EVALUATORS))
    parser.add_argument("--worker", choices=list(EVALUATORS), help=argparse.SUPPRESS)
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        _worker(args.worker, args.gt, args.dt, args.iou_type)
        return 0
    if args.generate:
        _write_workload(args.generate, args.images, args.seed, args.iou_type)
        return 0
    if (args.gt is None) != (args.dt is None):
        parser.error("--gt and --dt go together")

    names = list(EVALUATORS) if not args.only else [n.strip() for n in args.only.split(",")]
    unknown = [n for n in names if n not in EVALUATORS]
    if unknown:
        parser.error(f"unknown evaluator(s): {', '.join(unknown)}")

    tmp = None
    if args.gt is None:
        workdir = args.workdir
        if workdir is None:
            tmp = tempfile.mkdtemp(prefix="vernier-compare-")
            workdir = Path(tmp)
        gt, dt = _generate(workdir, args.images, args.seed, args.iou_type)
    else:
        gt, dt = args.gt, args.dt
    try:
        parent_mib = _maxrss_kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
        results = {name: _run_evaluator(name, gt, dt, args.repeat, args.slow_seconds, args.iou_type)
                   for name in names}
        workload = _describe_workload(gt, dt)     # only now: parsing it grows this process
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    ref = results.get("pycocotools", {})
    reference = ref.get("stats") if ref.get("status") == "ok" else None

    print(f"**Workload:** {workload}; iouType {args.iou_type}"
          + (f" (dilation ratio {BOUNDARY_DILATION_RATIO})" if args.iou_type == "boundary" else "") + "  ")
    if args.iou_type == "boundary":
        print("**Reference:** the pycocotools row is parity.boundary_oracle (boundary-iou-api restated "
              "on pycocotools 2.0.11 and OpenCV); pycocotools itself has no Boundary IoU  ")
    print(f"**Machine:** {_machine()}  ")
    print(f"**Runs:** up to {args.repeat} per evaluator, each in a fresh process "
          f"(1 when a run exceeds {args.slow_seconds:g} s); the spawning process peaked at "
          f"{parent_mib:.0f} MiB, a floor for every child's ru_maxrss\n")
    print("| evaluator | version | wall time, best (s) | median (s) | runs | peak RSS (MiB) "
          "| RSS over post-import baseline (MiB) | stats vs pycocotools |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for name, r in results.items():
        if r["status"] != "ok":
            status = r["status"] if r["status"] == "not installed" else f"error: {r['detail']}"
            print(f"| {name} | - | - | - | - | - | - | {status} |")
            continue
        verdict = _stats_verdict(r["stats"], reference)
        if not r["deterministic"]:
            verdict += "; NOT the same across runs"
        print(f"| {name} | {r['version']} | {r['best']:.3f} | {r['median']:.3f} | {r['runs']} "
              f"| {r['peak_mib']:.0f} | {r['delta_mib']:.0f} | {verdict} |")
    if reference is not None:
        print("\npycocotools stats: " + ", ".join(f"{n}={v:.6f}" for n, v in zip(STATS_NAMES, reference)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
