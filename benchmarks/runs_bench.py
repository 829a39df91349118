"""compare_speed: how long the comparison view takes to build for 4 runs of 50 epochs (issue
19's target: under 1 s): every shared curve overlaid, the settings table, the figures table.

The runs are made up with the shape real ones have (a digits training of 50 epochs: 94 steps an
epoch, a loss and an accuracy per step and per epoch), since what is timed is the comparison,
not the trainings.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.harness import Options, Result, benchmark

TARGET_SECONDS = 1.0


def made_up_run(index: int, epochs: int = 50, steps_per_epoch: int = 94):
    from core.history import TrainingHistory
    from core.runs import Run

    rng = np.random.default_rng(index)
    history = TrainingHistory()
    steps = np.arange(1, epochs * steps_per_epoch + 1) / steps_per_epoch
    history.steps = {
        "loss": [
            (float(x), float(v))
            for x, v in zip(steps, np.exp(-steps / 10) + rng.normal(0, 0.02, len(steps)), strict=True)
        ],
        "accuracy": [(float(x), float(v)) for x, v in zip(steps, 1 - np.exp(-steps / 5) / 2, strict=True)],
    }
    history.epochs = {
        name: [(epoch, 0.9 + epoch / 1000) for epoch in range(1, epochs + 1)]
        for name in ("train_loss", "heldout_loss", "heldout_accuracy")
    }
    params = {"architecture": "fast-cnn", "epochs": epochs, "learning_rate": 0.003 * (index + 1), "seed": 0}
    return Run(
        "digits", f"run {index + 1}", params, {"heldout_accuracy": 0.98, "train_seconds": 100.0}, history
    )


@benchmark("compare_speed", "Seconds to build the comparison of 4 runs of 50 epochs (target < 1 s)")
def compare_speed(options: Options) -> Result:
    from core import runs

    chosen = [made_up_run(i) for i in range(4)]
    times = []
    for _ in range(3 if options.quick else 10):
        started = time.perf_counter()
        figures = [runs.overlay(chosen, metric).to_json() for metric in runs.shared_metrics(chosen)]
        runs.settings_table(chosen)
        runs.figures_table(chosen)
        times.append(time.perf_counter() - started)
    worst = max(times)
    return Result(
        {
            "runs": 4,
            "epochs": 50,
            "curves": len(figures),
            "median_seconds": round(float(np.median(times)), 3),
            "worst_seconds": round(worst, 3),
        },
        target=f"< {TARGET_SECONDS:g} s",
        met=None if options.quick else worst < TARGET_SECONDS,
        notes=["Built as a front builds it, figures serialised to JSON (what is sent to the browser)."],
    )
