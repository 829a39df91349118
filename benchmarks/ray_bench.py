"""Trainings on a Ray cluster: does a second worker double the trainings per minute?

ray_trainings_per_minute starts a real Ray cluster on this machine (`ray.cluster_utils.Cluster`:
a head that trains nothing, and workers of one CPU each), points the app's own `TrainingRunner`
at it (as DLL_RAY_ADDRESS does), and submits 8 short default digits trainings at once, from 8
students: first on 1 worker, then with a second worker added. Each training is the default
recipe capped at MAX_STEPS steps, so a run takes minutes, not an hour; its time includes what a
student waits for (Ray's queue, a worker process starting, loading the data, the held-out
evaluation, the model coming back and being saved). Figures: trainings per minute for each,
their ratio (target >= 1.8), and the load average around each phase, since on a shared 2-core
machine two workers compete with everything else for the same two cores.

Needs Ray (requirements-ray.txt).
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

from benchmarks.harness import ROOT, Options, Result, benchmark, progress

TRAININGS = 8
MAX_STEPS = 60  # of the default digits recipe's 4 epochs of 94 steps (MNIST-12k, batch 128)
STORE = 100 * 2**20  # bytes of object store per node


def run_phase(runner: Any, trainings: int, max_steps: int, data_dir: str | None) -> dict[str, Any]:
    """Submit `trainings` default digits trainings at once; wait for all; the figures."""
    from core.registry import get_lab

    lab = get_lab("digits")
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    jobs = [
        runner.submit(lab, {}, owner=f"student-{index}", seed=index, data_dir=data_dir, max_steps=max_steps)
        for index in range(trainings)
    ]
    for job in jobs:
        job.wait()
    seconds = time.perf_counter() - start
    failed = [f"{job.id}: {job.state}: {job.message}" for job in jobs if job.state != "finished"]
    if failed:
        raise RuntimeError("trainings did not finish: " + "; ".join(failed))
    workers = {_worker(job) for job in jobs}
    return {
        "seconds": round(seconds, 1),
        "per_minute": round(trainings / seconds * 60, 2),
        "mean_training_s": round(sum(job.finished - job.started for job in jobs) / trainings, 1),
        "workers_used": len(workers),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "heldout_accuracy_mean": round(
            sum(job.result.metrics["heldout_accuracy"] for job in jobs) / trainings, 4
        ),
    }


def _worker(job: Any) -> str:
    from core.events import Status

    nodes = [
        e.details.get("worker") for e in job.events_since(0) if isinstance(e, Status) and e.state == "running"
    ]
    return nodes[-1] if nodes else "?"


@benchmark(
    "ray_trainings_per_minute",
    "Trainings per minute on a Ray cluster on this machine: 8 short default digits trainings "
    f"(capped at {MAX_STEPS} steps) submitted at once through the app's runner, on 1 worker of 1 CPU, "
    "then on 2 workers of 1 CPU each; the ratio and the load average.",
)
def ray_trainings_per_minute(options: Options) -> Result:
    import ray
    from ray.cluster_utils import Cluster

    from core.runner import TrainingRunner

    trainings, max_steps = (2, 5) if options.quick else (TRAININGS, MAX_STEPS)
    saved = dict(os.environ)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), saved.get("PYTHONPATH")]))
    head = {"num_cpus": 0, "include_dashboard": False, "object_store_memory": STORE}
    cluster = Cluster(initialize_head=True, head_node_args=head)
    phases: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory() as runs:
            for workers in (1, 2):
                cluster.add_node(num_cpus=1, object_store_memory=STORE)
                cluster.wait_for_nodes()
                runner = TrainingRunner(out_root=runs, device="cpu", ray_address=cluster.address)
                progress(f"ray: {trainings} trainings on {workers} worker(s)...")
                phases[f"{workers}_worker"] = run_phase(runner, trainings, max_steps, options.data_dir)
    finally:
        ray.shutdown()
        cluster.shutdown()
        os.environ.clear()
        os.environ.update(saved)
    ratio = round(phases["2_worker"]["per_minute"] / phases["1_worker"]["per_minute"], 2)
    figures: dict[str, Any] = {"trainings": trainings, "max_steps": max_steps, "speed_up": ratio}
    for name, phase in phases.items():
        figures |= {f"{name}.{key}": value for key, value in phase.items()}
    figures["cpu_count"] = os.cpu_count()
    notes = [
        "Both phases in one process, one after the other, on the same machine: the 2-worker "
        "phase's two workers share this machine's cores with the head, this process and any "
        "other load (see load_before/after)."
    ]
    return Result(figures, target="speed_up >= 1.8", met=ratio >= 1.8, notes=notes)
