"""The batch-norm lab's benchmark: the default recipe beside the course's, in the same run.

batch_norm_course_recipe: through the app's own `TrainingRunner`, on the official Fashion-MNIST
split (60,000 training pictures, scored on the 10,000 test pictures), each training given the same
BUDGET seconds of wall-clock time (`time_budget`; a one-cycle schedule anneals to end with it):
- the lab's default recipe with batch norm and augmentation (`combinations=both`: the course's
  BatchNormCNN, batches of 128, SGD with momentum 0.9 at a peak of 0.1, one-cycle, flips and
  shifts of up to 2 pixels), seeds 0 and 1;
- the course's recipe (Lab Work 6: batches of 64, a constant 0.01, flips and shifts of up to 4
  pixels, its RandomCrop(32, padding=4)) as this lab's settings, for its enhanced model (`both`)
  and its baseline (`plain`), seed 0.
Target (the issue): the default recipe with both reaches >= 91% test accuracy within 3 minutes on
2 cores. Figures: each run's test accuracy, its steps and epochs, its own training seconds; the
ratio of the course's error rate over the default's at the same budget. The wall clock counts
the time other processes held the cores: the load average is recorded beside it.

Run it alone with `python -m benchmarks.batch_norm_bench`, or `python -m benchmarks NAME`.
"""

from __future__ import annotations

import os
import statistics
import sys
from typing import Any

from benchmarks.harness import Options, Result, benchmark, progress

BUDGET = 180.0  # seconds of training each: the 3 minutes
TARGET = 0.91
SEEDS = (0, 1)
COURSE = {"batch_size": 64, "learning_rate": 0.01, "schedule": "constant", "flip": True, "shift": 4}


def load() -> float:
    return round(os.getloadavg()[0], 2)


def train(settings: dict[str, Any], budget: float) -> dict[str, Any]:
    """One training through the runner with a time budget: its figures for the table."""
    import tempfile

    from core.registry import get_lab
    from core.runner import TrainingRunner

    before = load()
    with tempfile.TemporaryDirectory() as runs:
        runner = TrainingRunner(max_concurrent=1, out_root=runs)
        job = runner.submit(get_lab("batch-norm"), settings, owner="benchmark", time_budget=budget)
        job.wait()
    if job.result is None or job.state != "finished":
        raise RuntimeError(f"the batch-norm training did not finish: {job.state}: {job.message}")
    metrics = job.result.metrics
    (name,) = metrics["combinations"]
    return {
        "test_accuracy": metrics["heldout_accuracy"][name],
        "steps": metrics["steps"],
        "epochs": round(metrics["steps"] / metrics["steps_per_epoch"], 2),
        "train_seconds": metrics["train_seconds"],
        "own_seconds": metrics["combination_seconds"][name],
        "load_1min_before_after": [before, load()],
    }


@benchmark(
    "batch_norm_course_recipe",
    "Fashion-MNIST test accuracy after 3 minutes of training: the lab's default recipe with batch "
    "norm and augmentation (two seeds) beside the course's Lab Work 6 recipe (its enhanced and its "
    "baseline model), through the app's runner.",
)
def batch_norm_course_recipe(options: Options) -> Result:
    budget = 8.0 if options.quick else BUDGET
    # The sweep is the lab's lesson, not part of the recipe's 3 minutes; a quick run trains on
    # a slice only to show the benchmark works.
    common: dict[str, Any] = {"sweep_steps": 0, "epochs": 30}
    if options.quick:
        common |= {"train_pictures": 2_000, "test_pictures": 1_000}
    runs = {}
    for seed in SEEDS[:1] if options.quick else SEEDS:
        progress(f"batch-norm default recipe, both, seed {seed}, {budget:g} s...")
        runs[f"default.both.seed{seed}"] = train(common | {"combinations": "both", "seed": seed}, budget)
    for name in ("both", "plain"):
        progress(f"batch-norm course recipe, {name}, seed 0, {budget:g} s...")
        runs[f"course.{name}.seed0"] = train(common | COURSE | {"combinations": name, "seed": 0}, budget)
    defaults = [run["test_accuracy"] for key, run in runs.items() if key.startswith("default.")]
    mean = statistics.mean(defaults)
    course = runs["course.both.seed0"]["test_accuracy"]
    figures = {f"{key}.{figure}": value for key, run in runs.items() for figure, value in run.items()}
    figures |= {
        "budget_seconds": budget,
        "default.both.mean_test_accuracy": round(mean, 4),
        "ratio_course_error_over_default_error": round((1 - course) / (1 - mean), 2),
        "torch_threads": int(os.environ.get("DLL_TORCH_THREADS") or os.cpu_count() or 1),
    }
    return Result(
        figures=figures,
        target=f"default recipe with both: >= {TARGET:.0%} Fashion-MNIST test accuracy in {BUDGET:.0f} s",
        met=all(accuracy >= TARGET for accuracy in defaults),
        notes=[
            "Each training gets the same wall-clock budget through the runner (the held-out "
            "checks and epoch ends count in it); own_seconds is the copy's own steps and "
            "augmentation. Test accuracy on the official 10,000 Fashion-MNIST test pictures.",
            "On 2 cores shared with other busy processes the budget buys fewer steps: the load "
            "average before and after each run is recorded beside it.",
        ],
    )


if __name__ == "__main__":
    from benchmarks.harness import main

    sys.exit(main(["batch_norm_course_recipe", *sys.argv[1:]]))
