"""look_at_data_latency_and_training: the look-at-data lab's interactions, timed, and its default
training beside the course's Lab Work 1 recipe, in one run on MNIST-12k/3.6k.

- Latency: each interaction's example through core (as every front calls it), the first call in
  this process (it reads the images, fits the PCA) and the median of 5 calls after it; the t-SNE
  map of 1,000 training images computed (in a fresh cache folder) and then read from the cache;
  the same first calls on Fashion-MNIST (60,000 images); the bundled model's mistakes on the map.
- Training, through the app's runner: the lab's default (Adam 1e-3, batches of 64, 5 epochs,
  dropout 0.2) with seeds 0 and 1, and the course's recipe (Adam 1e-4, batches of 64, 10
  epochs, dropout 0.2) with seed 0: held-out accuracy, training seconds, and the seconds to the
  first epoch end at 95% held-out accuracy or more. Ratios: the course's over the default's.

Run it alone with `python -m benchmarks.look_at_data_bench`.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from typing import Any

from benchmarks.harness import Options, Result, benchmark, progress, require_mnist

NAME = "look_at_data_latency_and_training"
CRITERION = 0.95  # held-out accuracy on MNIST-12k/3.6k


def timed(call, *args) -> float:
    started = time.perf_counter()
    call(*args)
    return time.perf_counter() - started


def latencies(figures: dict[str, Any]) -> None:
    from core.registry import get_lab

    lab = get_lab("look-at-data")
    for interaction in lab.interactions:
        if not interaction.needs_model:
            inputs = interaction.example_inputs()
            figures[f"latency.{interaction.name}.first_s"] = round(timed(interaction, None, inputs), 3)
            warm = [timed(interaction, None, inputs) for _ in range(5)]
            figures[f"latency.{interaction.name}.median_s"] = round(statistics.median(warm), 3)
    with tempfile.TemporaryDirectory() as cache:
        os.environ["DLL_CACHE_DIR"] = cache
        tsne = lab.interaction("map")
        inputs = {"dataset": "mnist", "method": "t-sne", "points": 1000}
        figures["latency.tsne_1000.compute_s"] = round(timed(tsne, None, inputs), 2)
        figures["latency.tsne_1000.cached_s"] = round(timed(tsne, None, inputs), 3)
    for name in ("overview", "map", "neighbours"):
        interaction = lab.interaction(name)
        inputs = interaction.example_inputs() | {"dataset": "fashion-mnist"}
        figures[f"latency.fashion.{name}.first_s"] = round(timed(interaction, None, inputs), 3)
        figures[f"latency.fashion.{name}.second_s"] = round(timed(interaction, None, inputs), 3)
    bundled = lab.load_bundled()
    mistakes = lab.interaction("mistakes")
    inputs = mistakes.example_inputs()
    figures["latency.mistakes.first_s"] = round(timed(mistakes, bundled, inputs), 3)
    figures["latency.mistakes.second_s"] = round(timed(mistakes, bundled, inputs), 3)


def train(settings: dict[str, Any], data_dir: str, max_steps: int | None) -> tuple[dict[str, Any], list]:
    from core.registry import get_lab
    from core.runner import TrainingRunner

    with tempfile.TemporaryDirectory() as runs:
        runner = TrainingRunner(max_concurrent=1, out_root=runs)
        job = runner.submit(
            get_lab("look-at-data"), settings, owner="benchmark", data_dir=data_dir, max_steps=max_steps
        )
        job.wait()
    if job.result is None or job.state != "finished":
        raise RuntimeError(f"the look-at-data training did not finish: {job.state}: {job.message}")
    return job.result.metrics, job.events_since(0)


def seconds_to(events: list, criterion: float) -> float | None:
    from core.events import EpochEnd

    for event in events:
        if isinstance(event, EpochEnd) and event.metrics.get("heldout_accuracy", 0.0) >= criterion:
            return round(event.seconds, 2) if event.seconds is not None else None
    return None


@benchmark(
    NAME,
    "Look at the data: every interaction's latency (first and warm, MNIST and Fashion-MNIST, the "
    "t-SNE map computed then cached), and the course's MLP at the lab's default (2 seeds) beside "
    "the course's Lab Work 1 recipe: held-out accuracy and seconds to 95%, in one run.",
)
def look_at_data_latency_and_training(options: Options) -> Result:
    from core.labs.look_at_data.spec import COURSE_RECIPE

    require_mnist(options)
    os.environ.setdefault("DLL_DATA_DIR", options.data_dir)
    figures: dict[str, Any] = {}
    loads = [round(os.getloadavg()[0], 2)]
    progress("look at the data: latencies...")
    latencies(figures)
    loads.append(round(os.getloadavg()[0], 2))
    quick = {"epochs": 1} if options.quick else {}
    limit = 20 if options.quick else None
    recipes = {f"default-seed{seed}": {"seed": seed} for seed in ((0,) if options.quick else (0, 1))}
    recipes["course-seed0"] = dict(COURSE_RECIPE) | {"seed": 0}
    for run, settings in recipes.items():
        progress(f"look at the data, {run}...")
        metrics, events = train(settings | quick, options.data_dir, limit)
        loads.append(round(os.getloadavg()[0], 2))
        figures[f"{run}.heldout_accuracy"] = round(metrics["heldout_accuracy"], 4)
        figures[f"{run}.train_seconds"] = metrics["train_seconds"]
        figures[f"{run}.seconds_to_{CRITERION}"] = seconds_to(events, CRITERION)
    defaults = [run for run in recipes if run.startswith("default")]
    accuracy = statistics.mean(figures[f"{run}.heldout_accuracy"] for run in defaults)
    figures["ratio.accuracy_course_over_default"] = round(
        figures["course-seed0.heldout_accuracy"] / accuracy, 3
    )
    reached = [figures[f"{run}.seconds_to_{CRITERION}"] for run in defaults]
    course = figures[f"course-seed0.seconds_to_{CRITERION}"]
    figures[f"ratio.seconds_to_{CRITERION}_course_over_default"] = (
        round(course / statistics.mean(reached), 2) if course and None not in reached else None
    )
    figures["load_1min_before_and_after_each_part"] = loads
    return Result(
        figures=figures,
        target=None,
        met=None,
        notes=[
            "first_s: the first call in this process (reading the images, fitting the PCA); "
            "median_s: 5 calls after it. The Gradio app's warm-up makes the first calls of the "
            "MNIST examples before it serves.",
            "seconds_to_0.95: the runner's training clock at the first epoch end at 95% held-out "
            "accuracy or more (null: never within the recipe's epochs).",
            "On 2 cores shared with other busy processes, seconds move with the load (recorded).",
        ],
    )


if __name__ == "__main__":  # run this one benchmark through the harness
    from benchmarks.harness import main

    sys.exit(main([*(sys.argv[1:] or []), *([] if NAME in sys.argv else [NAME])]))
