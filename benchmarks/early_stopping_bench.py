"""early_stopping_vs_training_to_the_end: what the early-stopping lab's rule saves and costs,
beside the course's Lab Work 7 recipe, over several seeds, in one run.

Every training goes through the app's runner, as a student's does, on the lab's split (500
training and 500 validation digits drawn from MNIST-12k's training set with split seed 2024; the
3,604 held-out digits only for the final figures):
- default: the lab's settings (MLP 784-128-10, Adam 0.001, batches of 32, at most 60 epochs,
  validation loss, patience 5, min delta 0, restore best);
- course: Lab Work 7's settings on the same data: at most 20 epochs, otherwise the same (the
  course's cats-and-dogs CNN has no place on MNIST digits);
- to-the-end: the default without the rule (all 60 epochs, last weights kept); its run also
  gives the held-out accuracy of its own best-validation epoch, from that epoch's checkpoint.
Seeds 0 to 4 change the initial weights and the batch order, not the split.

Figures per recipe: held-out accuracy (mean, min, max), epochs trained, training seconds, epoch
checkpoints' bytes. `epochs_saved` is 60 minus the epochs the rule trained.

Run it alone with `python -m benchmarks.early_stopping_bench --data-dir ../shared/datasets`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from typing import Any

from benchmarks.harness import Options, Result, benchmark, progress, require_mnist

NAME = "early_stopping_vs_training_to_the_end"
SEEDS = (0, 1, 2, 3, 4)
FULL_EPOCHS = 60
ACCURACY_MARGIN = 0.01  # the kept model may lose at most 1 point of held-out accuracy


def recipes() -> dict[str, dict[str, Any]]:
    from core.labs.early_stopping.train import COURSE_RECIPE

    return {
        "default": {},
        "course": dict(COURSE_RECIPE),
        "to-the-end": {"early_stopping": False, "restore_best": False, "epochs": FULL_EPOCHS},
    }


def train(settings: dict[str, Any], data_dir: str | None, runs: str) -> Any:
    """One training through the app's runner; returns the finished job."""
    from core.registry import get_lab
    from core.runner import TrainingRunner

    runner = TrainingRunner(max_concurrent=1, out_root=runs)
    job = runner.submit(get_lab("early-stopping"), settings, owner="benchmark", data_dir=data_dir)
    job.wait()
    if job.result is None or job.state != "finished":
        raise RuntimeError(f"the early-stopping training did not finish: {job.state}: {job.message}")
    return job


def best_epoch_accuracy(job: Any) -> float:
    """Held-out accuracy of the run's best-validation epoch, read back from its checkpoint."""
    from core.labs.early_stopping.interactions import load_epoch

    return load_epoch(job.result, job.result.metrics["best_epoch"])["heldout_accuracy"]


def spread(values: list[float], digits: int = 4) -> dict[str, float]:
    return {
        "mean": round(statistics.mean(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


@benchmark(
    NAME,
    "Early stopping (MNIST-12k/3.6k, 500 training digits): held-out accuracy, epochs and seconds of "
    "the lab's default rule (patience 5, restore best), the course's Lab Work 7 recipe and training "
    "all 60 epochs, over 5 seeds, in one run.",
)
def early_stopping_vs_training_to_the_end(options: Options) -> Result:
    require_mnist(options)
    seeds = SEEDS[:2] if options.quick else SEEDS
    figures: dict[str, Any] = {}
    details: dict[str, Any] = {}
    per_recipe: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as runs:
        for name, settings in recipes().items():
            found: dict[str, list[float]] = {
                key: [] for key in ("accuracy", "epochs", "seconds", "bytes", "best_epoch_accuracy")
            }
            for seed in seeds:
                progress(f"early stopping, {name} recipe, seed {seed}...")
                job = train(settings | {"seed": seed}, options.data_dir, runs)
                metrics = job.result.metrics
                found["accuracy"].append(metrics["heldout_accuracy"])
                found["epochs"].append(metrics["last_epoch"])
                found["seconds"].append(metrics["train_seconds"])
                found["bytes"].append(metrics["epoch_checkpoint_bytes"])
                found["best_epoch_accuracy"].append(best_epoch_accuracy(job))
                details[f"{name}-seed{seed}"] = {
                    key: metrics[key]
                    for key in (
                        "heldout_accuracy",
                        "best_epoch",
                        "kept_epoch",
                        "last_epoch",
                        "stopped_epoch",
                        "train_seconds",
                    )
                }
            per_recipe[name] = found
            for key, values in found.items():
                if key == "best_epoch_accuracy" and name != "to-the-end":
                    continue  # the same as the kept model's with restore best
                for stat, value in spread(values, 4 if "accuracy" in key else 2).items():
                    figures[f"{name}.{key}_{stat}"] = value
    stopped, full = per_recipe["default"], per_recipe["to-the-end"]
    figures["default.epochs_saved_mean"] = round(FULL_EPOCHS - statistics.mean(stopped["epochs"]), 2)
    figures["default_vs_to_the_end.seconds_ratio"] = round(
        statistics.mean(stopped["seconds"]) / statistics.mean(full["seconds"]), 3
    )
    figures["default_vs_to_the_end.accuracy_gain_mean"] = round(
        statistics.mean(a - b for a, b in zip(stopped["accuracy"], full["accuracy"], strict=True)), 4
    )
    figures["course_vs_default.seconds_ratio"] = round(
        statistics.mean(per_recipe["course"]["seconds"]) / statistics.mean(stopped["seconds"]), 3
    )
    met = all(
        kept >= end - ACCURACY_MARGIN and epochs <= FULL_EPOCHS / 2
        for kept, end, epochs in zip(stopped["accuracy"], full["accuracy"], stopped["epochs"], strict=True)
    )
    return Result(
        figures=figures,
        target=(
            "every seed: the default rule's kept model within 1 point of the held-out accuracy of "
            f"training all {FULL_EPOCHS} epochs, in at most half the epochs"
        ),
        met=None if options.quick else met,
        notes=[
            "Held-out accuracy on MNIST-12k/3.6k's 3,604 held-out digits; the validation digits that "
            "decide the stop are 500 other training digits.",
            "to-the-end.best_epoch_accuracy: the same 60-epoch run's best-validation-loss epoch, "
            "loaded from its checkpoint (what restore best would have kept).",
            "Training runs niced in the runner's thread; seconds move with the machine's load.",
        ],
        details=details,
    )


if __name__ == "__main__":  # run alone: python -m benchmarks.early_stopping_bench --data-dir ...
    from benchmarks.harness import main

    sys.exit(main([*(sys.argv[1:] or []), *([] if NAME in sys.argv else [NAME])]))
