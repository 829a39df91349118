"""The benchmark harness: a registry of named benchmarks, a runner, and the report writers.

A benchmark is a function `(Options) -> Result`, registered with `@benchmark("name")`. It
measures, then checks its own target (the harness never judges figures). A `--quick` run is a
much shorter version that only shows the benchmark works: its figures are marked quick and never
compared with a target.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / "results"
# The workspace keeps the real MNIST-12k/3.6k beside the repo (as the tests' conftest assumes).
SHARED_DATA = ROOT.parent / "shared" / "datasets"


@dataclass
class Options:
    quick: bool = False
    data_dir: str | None = None
    out: Path = DEFAULT_OUT
    sessions: tuple[int, ...] = ()  # the load benchmark's class sizes (default: its own)


@dataclass
class Result:
    """What a benchmark returns. `figures` are flat scalars for the tables; `details` holds
    anything larger (curves, per-run lists) and goes to results.json only."""

    figures: dict[str, Any]
    target: str | None = None
    met: bool | None = None  # None: no target, or a quick run, or the figures are not comparable
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


BenchmarkFunction = Callable[[Options], Result]


@dataclass(frozen=True)
class Benchmark:
    name: str
    summary: str
    run: BenchmarkFunction


REGISTRY: dict[str, Benchmark] = {}


def benchmark(name: str, summary: str) -> Callable[[BenchmarkFunction], BenchmarkFunction]:
    """Register a benchmark function under `name` (the order of registration is the run order)."""

    def register(function: BenchmarkFunction) -> BenchmarkFunction:
        REGISTRY[name] = Benchmark(name, summary, function)
        return function

    return register


MODULES = (
    "digits_speed",
    "classify_latency",
    "gan_bench",
    "vae_bench",
    "denoise_bench",
    "binary_bench",
    "transformer_bench",
    "attention_bench",
    "seq2seq_bench",
    "mnist_rows_bench",
    "optimisers_bench",
    "look_at_data_bench",
    "gradient_descent_bench",
    "early_stopping_bench",
    "charlstm_bench",
    "sequence_bench",
    "forecast_bench",
    "cnn_architectures_bench",
    "cold_start",
    "peak_memory",
    "load_bench",
)  # in run order


def load_benchmarks() -> None:
    """Import the modules that register benchmarks, so that `--list` shows them all: those above
    in their run order, then any other `benchmarks/*_bench.py` (a new lab's benchmark is found,
    not listed)."""
    found = sorted(path.stem for path in Path(__file__).parent.glob("*_bench.py"))
    for module in [*MODULES, *(name for name in found if name not in MODULES)]:
        importlib.import_module(f"benchmarks.{module}")


def require_mnist(options: Options) -> None:
    """Training benchmarks need MNIST: fail clearly, before any work, when none was given."""
    if not options.data_dir:
        raise RuntimeError("needs MNIST in torchvision's layout: pass --data-dir or set DLL_DATA_DIR")


def series_figures(series: dict[str, dict[str, Any]], sep: str = ".") -> dict[str, Any]:
    """Each named series' figures under its name: {"drawing": {"p95_ms": 3.1}} gives
    {"drawing.p95_ms": 3.1}."""
    return {f"{name}{sep}{key}": value for name, figures in series.items() for key, value in figures.items()}


def train_in_runner(
    lab_id: str,
    settings: dict[str, Any],
    data_dir: str | None = None,
    max_steps: int | None = None,
    lab: Any = None,
) -> tuple[Any, float]:
    """Train `lab_id` (or `lab`, e.g. a lab wrapped to time itself) through the app's own runner,
    as a student's training runs, in a scratch runs folder: the finished job and its wall
    seconds. Raises when the training did not finish with a model."""
    import tempfile

    from core.registry import get_lab
    from core.runner import TrainingRunner

    with tempfile.TemporaryDirectory() as runs:
        runner = TrainingRunner(max_concurrent=1, out_root=runs)
        started = time.perf_counter()
        job = runner.submit(
            lab or get_lab(lab_id), settings, owner="benchmark", data_dir=data_dir, max_steps=max_steps
        )
        job.wait()
        wall = time.perf_counter() - started
    if job.result is None or job.state != "finished":
        raise RuntimeError(f"the {lab_id} training did not finish: {job.state}: {job.message}")
    return job, wall


def progress(message: str) -> None:
    """Progress goes to stderr so that `--json` output on stdout stays machine-readable."""
    print(f"[benchmarks] {message}", file=sys.stderr, flush=True)


def run_one(bench: Benchmark, options: Options) -> dict[str, Any]:
    progress(f"{bench.name}{' (quick)' if options.quick else ''}...")
    started = time.perf_counter()
    record: dict[str, Any] = {"name": bench.name, "summary": bench.summary, "quick": options.quick}
    try:
        result = bench.run(options)
    except Exception as error:  # one broken benchmark must not lose the others' figures
        traceback.print_exc(file=sys.stderr)
        record |= {"error": f"{type(error).__name__}: {error}", "target": None, "met": None}
    else:
        record |= {
            "figures": result.figures,
            "target": result.target,
            # A quick run is too short to say anything about a target.
            "met": None if options.quick else result.met,
            "notes": result.notes,
            "details": result.details,
        }
    record["benchmark_seconds"] = round(time.perf_counter() - started, 2)
    progress(f"{bench.name} done in {record['benchmark_seconds']} s")
    return record


def environment(options: Options) -> dict[str, Any]:
    """Where and when the figures were taken; the load average says how busy the machine was."""
    import torch

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    if commit and git("status", "--porcelain"):
        commit += " (with uncommitted changes)"
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": commit,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "quick": options.quick,
        "data_dir": options.data_dir,
        "dll_settings": {k: v for k, v in sorted(os.environ.items()) if k.startswith("DLL_")},
    }


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if value is None:
        return "-"
    return str(value)


def _met(record: dict[str, Any]) -> str:
    if "error" in record:
        return "error"
    if record["quick"]:
        return "quick run"
    return {True: "yes", False: "NO", None: "-"}[record["met"]]


def markdown(report: dict[str, Any]) -> str:
    """A summary table of targets, then each benchmark's figures and notes."""
    env = report["environment"]
    lines = [
        "# Benchmark results" + (" (quick run: figures not comparable with targets)" if env["quick"] else ""),
        "",
        f"{env['date']}, commit {env['commit']}, Python {env['python']}, torch {env['torch']}, "
        f"{env['cpus']} CPUs ({env['torch_threads']} torch threads), load average at start "
        f"{env['load_average_at_start']}, at end {env.get('load_average_at_end')}.",
        "",
        "| benchmark | target | met |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {r['name']} | {r.get('target') or '-'} | {_met(r)} |" for r in report["results"]]
    for record in report["results"]:
        lines += ["", f"## {record['name']}", "", record["summary"], ""]
        if "error" in record:
            lines.append(f"Failed: `{record['error']}`")
            continue
        lines += ["| figure | value |", "| --- | --- |"]
        lines += [f"| {key} | {_cell(value)} |" for key, value in record["figures"].items()]
        if record["notes"]:
            lines += ["", *[f"- {note}" for note in record["notes"]]]
    return "\n".join(lines) + "\n"


def default_data_dir() -> str | None:
    explicit = os.environ.get("DLL_DATA_DIR")
    if explicit:
        return explicit
    return str(SHARED_DATA) if SHARED_DATA.is_dir() else None


def main(argv: list[str] | None = None) -> int:
    load_benchmarks()
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Time-to-quality, latency and memory benchmarks."
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="a short run that only checks the harness")
    parser.add_argument("--json", action="store_true", help="print results as JSON instead of a table")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--data-dir", default=default_data_dir(), help="MNIST in torchvision's layout")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for results.json, RESULTS.md")
    parser.add_argument(
        "--sessions",
        type=int,
        action="append",
        metavar="N",
        help="simulated students for the load benchmark (repeatable; default 10 and 30, quick 4)",
    )
    args = parser.parse_args(argv)

    if args.list:
        if args.json:
            print(json.dumps([{"name": b.name, "summary": b.summary} for b in REGISTRY.values()]))
        else:
            for bench in REGISTRY.values():
                print(f"{bench.name:<26} {bench.summary}")
        return 0
    unknown = [name for name in args.names if name not in REGISTRY]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(REGISTRY)}")

    # Benchmarks never reach the network: data and models are local or the run fails clearly.
    os.environ.setdefault("DLL_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # A server's training limits would cut the default recipe short: measure it whole.
    for limit in ("DLL_TIME_BUDGET", "DLL_MAX_STEPS"):
        if os.environ.pop(limit, None) is not None:
            progress(f"ignoring {limit} for the benchmarks")
    sessions = tuple(args.sessions or ())
    options = Options(quick=args.quick, data_dir=args.data_dir, out=args.out, sessions=sessions)
    report = {"environment": environment(options), "results": []}
    for name in args.names or list(REGISTRY):
        report["results"].append(run_one(REGISTRY[name], options))
    report["environment"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "RESULTS.md").write_text(markdown(report))
    print(json.dumps(report, indent=2) if args.json else markdown(report))
    progress(f"wrote {args.out / 'results.json'} and {args.out / 'RESULTS.md'}")
    return 1 if any("error" in r for r in report["results"]) else 0
