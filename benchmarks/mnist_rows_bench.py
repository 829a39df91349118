"""MNIST row-by-row benchmark: seconds for each recurrent reader to reach the course's accuracy.

mnist_rows_time_to_course trains, one after the other in this process, on the same data and
threads, both through the app's own `TrainingRunner`:
- the app's default recipe, exactly as a student gets it by pressing Train (`{}`: RNN, LSTM and
  bidirectional LSTM side by side, layer norm, Adam one-cycle 3e-3, batch 128, clipping 1, 8
  epochs);
- the course's recipe as lab settings (`COURSE_RECIPE`: plain readers, no normalisation and no
  extra layer, Adam 1e-3 constant, batch 512, 10 epochs, no clipping), the same three readers.
Each reader's clock counts its own optimisation steps only (the readers take turns on each batch),
so it is the time that reader would take trained alone; the held-out accuracy on all 3,604
held-out digits is checked at every epoch end, and "seconds to course" is the first epoch end at
or above the course's figure (RNN 92.4%, LSTM 97.28%, bidirectional LSTM 97.31%; full MNIST, GPU).
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import torch

from benchmarks.digits_speed import data_label
from benchmarks.harness import Options, Result, benchmark, progress, require_mnist

MODELS = ("rnn", "lstm", "bilstm")  # the readers whose course figures the issue names


def run_recipe(settings: dict[str, Any], data_dir: str, quick: bool) -> Any:
    """Train through the app's runner; the trained readers with their metrics."""
    from core.registry import get_lab
    from core.runner import TrainingRunner

    with tempfile.TemporaryDirectory() as runs:
        runner = TrainingRunner(max_concurrent=1, out_root=runs)
        settings = settings | ({"epochs": 1, "models": ["rnn"]} if quick else {})
        job = runner.submit(
            get_lab("mnist-rows"),
            settings,
            owner="benchmark",
            data_dir=data_dir,
            max_steps=3 if quick else None,
        )
        job.wait()
    if job.result is None:
        raise RuntimeError(f"the mnist-rows training did not finish: {job.state}: {job.message}")
    return job.result


def _ratio(course: float | None, default: float | None) -> float | None:
    return None if course is None or not default else round(course / default, 2)


@benchmark(
    "mnist_rows_time_to_course",
    "Seconds for the RNN, LSTM and bidirectional LSTM (each one's own steps) to reach the course's "
    "held-out accuracy on MNIST-12k/3.6k: the app's default recipe and the course's recipe, both "
    "through the app's runner, in the same process.",
)
def mnist_rows_time_to_course(options: Options) -> Result:
    from core.labs.mnist_rows.train import COURSE_ACCURACY, COURSE_RECIPE

    require_mnist(options)
    load = [round(os.getloadavg()[0], 2)]
    progress("default mnist-rows recipe (app runner)...")
    default = run_recipe({}, options.data_dir, options.quick)
    load.append(round(os.getloadavg()[0], 2))
    progress("course mnist-rows recipe (app runner)...")
    course = run_recipe(COURSE_RECIPE | {"models": list(MODELS)}, options.data_dir, options.quick)
    load.append(round(os.getloadavg()[0], 2))

    figures: dict[str, Any] = {
        "data": data_label(default.config.get("data", {})),
        "torch_threads": torch.get_num_threads(),
    }
    met = True
    for name in default.metrics["models"]:
        reached = default.metrics["seconds_to_course"][name]
        course_reached = course.metrics["seconds_to_course"].get(name)
        figures |= {
            f"{name}.course_figure": COURSE_ACCURACY.get(name),
            f"{name}.default_accuracy": round(default.metrics["heldout_accuracy"][name], 4),
            f"{name}.default_seconds_to_course": reached,
            f"{name}.default_total_seconds": default.metrics["model_seconds"][name],
            f"{name}.course_recipe_accuracy": round(course.metrics["heldout_accuracy"][name], 4),
            f"{name}.course_recipe_seconds_to_course": course_reached,
            f"{name}.course_recipe_total_seconds": course.metrics["model_seconds"][name],
            # How many times longer the course's recipe takes to reach the same figure.
            f"{name}.ratio_course_over_default": _ratio(course_reached, reached),
        }
        met = met and reached is not None
    figures["load_1min_before_between_after"] = load
    notes = [
        "Seconds are each reader's own optimisation steps (forward, backward, update); epoch-end "
        "held-out checks are not counted. A ratio above 1 means the default recipe is faster.",
        "A recipe that never reaches the course's figure shows '-' for its seconds and ratio; its "
        "total seconds and final accuracy say how far it got.",
        "The course's recipe is run with the lab's readers, which read each direction's final "
        "state; the course's own bidirectional LSTM read out[-1], where the backward direction has "
        "seen one row only.",
        "On 2 cores other busy processes slow PyTorch several-fold: compare timings only from runs "
        "whose load averages stayed near 2.",
    ]
    return Result(
        figures=figures,
        target="default recipe: RNN >= 92.4%, LSTM >= 97.28%, bidirectional LSTM >= 97.31% held-out",
        met=None if options.quick else met,
        notes=notes,
        details={"default_metrics": default.metrics, "course_metrics": course.metrics},
    )
