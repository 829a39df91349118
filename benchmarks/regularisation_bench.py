"""regularisation_gap: the regularisation lab's default recipe beside the course's (Lab Work 5,
on the Titanic table this lab has), with logistic regression, in one run.

Every recipe trains through the app's runner, as a student's training does, on the same split
(1,047 training and 262 held-out passengers of vcdExtra::Titanicp, split seed 2024, stratified
by survival) and the same eight inputs. Each trains four copies of one MLP side by side from the
same weights on the same batches: no regularisation, L1, L2, dropout.
- default: the lab's settings (MLP 128-128-128, Adam 3e-3, batch 64, 80 epochs; L1 1e-4, L2
  1e-3, dropout 0.5), seeds 0 to 4;
- course: Lab Work 5's settings (one hidden layer of 64, Adam 1e-3, batch 32, 30 epochs; L1 5e-4,
  L2 as weight_decay 0.01, i.e. 0.005 here, dropout 0.3), seeds 0 to 2;
- weaker / stronger: the default with every strength ten times smaller (L1 1e-5, L2 1e-4,
  dropout 0.2) or larger (L1 1e-3, L2 1e-2, dropout 0.8), seeds 0 to 2: what the chosen
  strengths are worth, so that the default's figures are not read as the only possible ones.

Figures per model are measured in eval mode at the end of training (no early stopping): held-out
log loss, the gap (held-out minus train log loss) and held-out accuracy. The lab's criterion,
from the issue: the plain model's overfitting is visible (gap >= 0.05 nats) and the best
regularised model (lowest held-out loss) closes most of it (gap_closed = 1 - its gap / the
plain gap >= 0.5). Seconds to visible overfitting: the runner's training clock at the first
epoch end with the plain gap >= 0.05.

Run it alone with `python -m benchmarks.regularisation_bench`, or `python -m benchmarks
regularisation_gap`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from typing import Any

from benchmarks.harness import Options, Result, benchmark, progress

NAME = "regularisation_gap"
MODELS = ("plain", "l1", "l2", "dropout")
VISIBLE_GAP = 0.05  # nats: the plain model's held-out loss clearly above its training loss
MOST = 0.5  # the best regularised model closes at least half the plain model's gap
TARGET_SECONDS = 30.0  # a default training on 2 cores (the bound)
WEAKER = {"l1": 1e-5, "l2": 1e-4, "dropout": 0.2}
STRONGER = {"l1": 1e-3, "l2": 1e-2, "dropout": 0.8}


def recipes(quick: bool) -> dict[str, dict[str, Any]]:
    from core.labs.regularisation.train import COURSE_RECIPE

    short = {"epochs": 3} if quick else {}
    seeds = (0,) if quick else (0, 1, 2, 3, 4)
    few = seeds[:3]
    found = {f"default-seed{seed}": {"seed": seed} | short for seed in seeds}
    found |= {f"course-seed{seed}": COURSE_RECIPE | {"seed": seed} | short for seed in few}
    found |= {f"weaker-seed{seed}": WEAKER | {"seed": seed} | short for seed in few}
    found |= {f"stronger-seed{seed}": STRONGER | {"seed": seed} | short for seed in few}
    return found


def run(settings: dict[str, Any]) -> tuple[Any, list[Any], float]:
    """Train through the app's runner: the result, its events and the wall seconds."""
    from core.registry import get_lab
    from core.runner import TrainingRunner

    with tempfile.TemporaryDirectory() as runs:
        runner = TrainingRunner(max_concurrent=1, out_root=runs)
        started = time.perf_counter()
        job = runner.submit(get_lab("regularisation"), settings, owner="benchmark")
        job.wait()
        wall = time.perf_counter() - started
    if job.result is None or job.state != "finished":
        raise RuntimeError(f"the regularisation training did not finish: {job.state}: {job.message}")
    return job.result, job.events_since(0), wall


def seconds_to_visible(events: list[Any]) -> float | None:
    """The training seconds at the first epoch end where the plain model's gap is visible."""
    from core.events import EpochEnd

    for event in events:
        if isinstance(event, EpochEnd) and event.metrics.get("plain_gap", 0.0) >= VISIBLE_GAP:
            return round(event.metrics["seconds"], 2)
    return None


def summary(metrics: dict[str, Any]) -> dict[str, Any]:
    """The figures of one run, flat."""
    figures: dict[str, Any] = {}
    for name in MODELS:
        measured = metrics["models"][name]
        for key in ("heldout_log_loss", "gap", "heldout_accuracy", "near_zero"):
            figures[f"{name}.{key}"] = measured[key]
    plain = metrics["curves"]["plain"]["heldout_log_loss"]
    lowest = min(range(len(plain)), key=plain.__getitem__)
    figures["plain.lowest_heldout_log_loss"] = plain[lowest]
    figures["plain.lowest_at_epoch"] = lowest + 1
    figures["best_regularised"] = metrics["best_regularised"]
    figures["gap_closed"] = metrics["gap_closed"]
    return figures


@benchmark(
    NAME,
    "Regularisation (Titanic): train/held-out log-loss gap of an over-sized MLP with no "
    "regularisation, L1, L2 and dropout, side by side, and how much of the gap the best closes, for "
    "the lab's default (5 seeds), the course's Lab Work 5 recipe (3 seeds) and strengths ten times "
    "weaker and stronger (3 seeds each), beside scikit-learn's logistic regression, in one run.",
)
def regularisation_gap(options: Options) -> Result:
    figures: dict[str, Any] = {}
    details: dict[str, Any] = {}
    for name, settings in recipes(options.quick).items():
        progress(f"regularisation, {name} recipe...")
        trained, events, wall = run(settings)
        metrics = trained.metrics
        figures |= {f"{name}.{key}": value for key, value in summary(metrics).items()}
        figures[f"{name}.seconds_to_visible_overfitting"] = seconds_to_visible(events)
        figures[f"{name}.train_seconds"] = metrics["train_seconds"]
        figures[f"{name}.wall_seconds"] = round(wall, 2)
        details[name] = {"settings": settings, "metrics": metrics}
    baseline = next(iter(details.values()))["metrics"]["baselines"]
    for key in ("train_log_loss", "heldout_log_loss", "gap", "heldout_accuracy"):
        figures[f"logistic_regression.{key}"] = baseline["logistic_regression"][key]
    figures["majority.heldout_accuracy"] = baseline["majority"]["heldout_accuracy"]

    for recipe in ("default", "course", "weaker", "stronger"):
        runs = [name for name in details if name.startswith(f"{recipe}-seed")]
        if not runs:
            continue
        for key in [f"{m}.{k}" for m in MODELS for k in ("heldout_log_loss", "gap", "heldout_accuracy")]:
            values = [figures[f"{name}.{key}"] for name in runs]
            figures[f"{recipe}.{key}_mean"] = round(statistics.mean(values), 4)
            figures[f"{recipe}.{key}_range"] = [min(values), max(values)]
        closed = [figures[f"{name}.gap_closed"] for name in runs if figures[f"{name}.gap_closed"] is not None]
        figures[f"{recipe}.gap_closed_range"] = [min(closed), max(closed)] if closed else None
        figures[f"{recipe}.best_regularised"] = [figures[f"{name}.best_regularised"] for name in runs]
        figures[f"{recipe}.train_seconds_max"] = max(figures[f"{name}.train_seconds"] for name in runs)

    defaults = [name for name in details if name.startswith("default-seed")]
    met = all(
        figures[f"{name}.plain.gap"] >= VISIBLE_GAP
        and (figures[f"{name}.gap_closed"] or 0) >= MOST
        and figures[f"{name}.train_seconds"] <= TARGET_SECONDS
        for name in defaults
    )
    return Result(
        figures=figures,
        target=(
            f"default, every seed: the plain model's gap >= {VISIBLE_GAP} nats, the best regularised "
            f"model closes >= {MOST:.0%} of it, trained (all four models) in <= {TARGET_SECONDS:.0f} s"
        ),
        met=None if options.quick else met,
        notes=[
            "Log loss in nats on the 1,047 training and 262 held-out passengers, eval mode (dropout "
            "off, no penalty), at the end of training. gap = held-out minus train log loss.",
            "Logistic regression is scikit-learn's default (C = 1, itself mildly L2-penalised), on the "
            "same split and inputs; it does not depend on the seed.",
            "Training runs niced in the runner's thread on one core; other agents' tests shared this "
            "2-core machine, so seconds move with the load (recorded above).",
        ],
        details=details,
    )


if __name__ == "__main__":  # run this one benchmark through the harness
    from benchmarks.harness import main

    sys.exit(main([*(sys.argv[1:] or []), *([] if NAME in sys.argv else [NAME])]))
