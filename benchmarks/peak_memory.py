"""peak_memory: peak resident memory of a default Digits training and of a classify loop.

Each workload runs in its own fresh Python process (`python -m benchmarks.peak_memory WORKLOAD`)
so its peak is not mixed with anything this process did before; the peak is the kernel's own
high-water mark (VmHWM in /proc/self/status). A process that only imports the same modules is
measured too, so the workloads' own share can be read off.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.harness import ROOT, Options, Result, benchmark

WORKLOADS = ("imports_only", "default_training", "classify_loop")


def peak_rss_mb() -> float:
    """This process's high-water RSS. VmHWM, not getrusage's ru_maxrss: Linux carries
    ru_maxrss over from the parent through fork and exec, so a child started by a big parent
    would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status (peak_memory needs Linux)")


def workload(name: str, quick: bool, data_dir: str | None) -> dict[str, Any]:
    """Run one workload in this process; what it did, for the report."""
    from core import models
    from core.registry import get_lab
    from core.runner import TrainingRunner

    lab = get_lab("digits")
    if name == "imports_only":
        return {}
    if name == "default_training":
        import tempfile

        with tempfile.TemporaryDirectory() as runs:
            runner = TrainingRunner(max_concurrent=1, out_root=runs)
            job = runner.submit(lab, {}, data_dir=data_dir, max_steps=12 if quick else None)
            job.wait()
        if job.result is None:
            raise RuntimeError(f"training failed: {job.message}")
        return {"steps": job.last_step, "data": job.result.config.get("data", {}).get("description")}
    if name == "classify_loop":
        from benchmarks.classify_latency import drawing_pad, drawing_reader, photo_jpeg, upload_reader

        trained = models.bundled(lab, models.default_choice(lab))
        classify_drawing, classify_upload = drawing_reader(lab), upload_reader(lab)
        pad, photo = drawing_pad(), photo_jpeg()
        runs = 10 if quick else 300
        for _ in range(runs):
            classify_drawing(trained, pad)
            classify_upload(trained, photo)
        return {"calls": 2 * runs}
    raise ValueError(f"unknown workload {name!r}")


def measure(name: str, options: Options) -> dict[str, Any]:
    """Run a workload in a fresh interpreter and read back its peak."""
    command = [sys.executable, "-m", "benchmarks.peak_memory", name]
    command += ["--quick"] if options.quick else []
    command += ["--data-dir", options.data_dir] if options.data_dir else []
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"workload {name} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@benchmark(
    "peak_memory",
    "Peak RSS of a fresh process that runs a default Digits training (through the runner) or "
    "300 drawing + 300 photo classifications, beside one that only imports the same modules.",
)
def peak_memory(options: Options) -> Result:
    figures: dict[str, Any] = {}
    details = {}
    for name in WORKLOADS:
        report = measure(name, options)
        figures[f"{name}.peak_rss_mb"] = round(report.pop("peak_rss_mb"), 1)
        details[name] = report
    return Result(
        figures=figures,
        notes=["No target. Peak RSS is VmHWM of a fresh process per workload."],
        details=details,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Run one peak_memory workload and print its peak RSS.")
    parser.add_argument("workload", choices=WORKLOADS)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    report = workload(args.workload, args.quick, args.data_dir)
    print(json.dumps({"peak_rss_mb": peak_rss_mb(), **report}))


if __name__ == "__main__":
    main()
