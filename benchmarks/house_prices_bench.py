"""house_prices_time_to_criterion: the house prices lab's default recipe beside the course's
(Lab Work 2, adapted to Ames), with scikit-learn's baselines, in one run.

Every recipe trains through the app's runner, as a student's training does, on the same split
(2,344 training and 586 held-out Ames houses, split seed 2024) and the same preprocessing (the
lab's: standardised numbers, one-hot categories):
- default: the lab's settings (MLP 256-128, AdamW 2e-3 with a cosine decay, batch 64, 60 epochs,
  dropout 0.1, log price), seeds 0, 1 and 2;
- course: Lab Work 2's code on Ames: a linear model, Adam 0.01, the whole training set per step
  for 100 epochs, the raw price (standardised here, in $100k there), no regularisation;
- course-mlp: the course's theory architecture (MLP 128-64, ReLU) with the same optimiser
  settings;
- outliers: the default with 30 training prices made 10 times dearer, to measure what they do
  to each loss.
Each trains an MSE model and an MAE model side by side (the course trained the MAE model on
from the MSE model's weights; here both start from the same fresh weights).

The criterion is the lab's: held-out RMSE within 10% of gradient boosting's (scikit-learn's
HistGradientBoostingRegressor on the same inputs and log price). Seconds to it are the runner's
training clock at the first epoch end that meets it (held-out checks included, as a student
waits for them; the baselines fitted before the first step are not). Baselines: linear
regression and gradient boosting on log price and on the raw price, and the training median.

Run it alone with `python -m benchmarks.house_prices_bench` (the harness's module list is a
framework file; see the lab's report).
"""

from __future__ import annotations

import statistics
import sys
from typing import Any

from benchmarks.harness import Options, Result, benchmark, progress, train_in_runner

NAME = "house_prices_time_to_criterion"
DEFAULT_SEEDS = (0, 1, 2)
TARGET_SECONDS = 30.0  # a default training on 2 cores (the bound)
DOLLARS = ("rmse", "mae", "bias")  # whole dollars in the tables


def recipes(quick: bool) -> dict[str, dict[str, Any]]:
    from core.labs.house_prices.train import COURSE_RECIPE

    short = {"epochs": 3} if quick else {}
    found = {f"default-seed{seed}": {"seed": seed} | short for seed in DEFAULT_SEEDS[: 1 if quick else 3]}
    found["course"] = COURSE_RECIPE | short
    found["course-mlp"] = COURSE_RECIPE | {"hidden_sizes": "128, 64"} | short
    found["outliers"] = {"outliers": 30, "outlier_factor": 10.0} | short
    return found


def run(settings: dict[str, Any]) -> tuple[Any, list[Any], float]:
    """Train through the app's runner: the result, its events and the wall seconds."""
    job, wall = train_in_runner("house-prices", settings)
    return job.result, job.events_since(0), wall


def seconds_to(events: list[Any], key: str, criterion: float) -> float | None:
    """The training seconds at the first epoch end where `key` is at or below `criterion`."""
    from core.events import EpochEnd

    for event in events:
        if isinstance(event, EpochEnd) and event.metrics.get(key, float("inf")) <= criterion:
            return round(event.metrics["seconds"], 2)
    return None


def baselines() -> dict[str, dict[str, float]]:
    """Scikit-learn on the lab's split and inputs, on log price and on the raw price."""
    from core.labs.house_prices.train import fit_baselines, house_data

    found = {}
    for log_target, suffix in ((True, "log"), (False, "raw")):
        fitted = fit_baselines(house_data(0, 1.0, 0, None, log_target))
        found[f"linear_{suffix}"] = fitted["linear"]
        found[f"boosting_{suffix}"] = fitted["boosting"]
        found["median"] = fitted["median"]
    return found


@benchmark(
    NAME,
    "House prices (Ames): held-out RMSE, MAE and R² in dollars and seconds to within 10% of "
    "gradient boosting's RMSE, for the lab's default recipe (3 seeds), the course's Lab Work 2 "
    "recipe (linear, and its 128-64 MLP) and 30 extreme prices, both losses each, beside "
    "scikit-learn's linear regression and gradient boosting, in one run.",
)
def house_prices_time_to_criterion(options: Options) -> Result:
    progress("house prices: scikit-learn baselines...")
    base = baselines()
    criterion = 1.10 * base["boosting_log"]["rmse"]
    figures: dict[str, Any] = {"criterion_rmse": round(criterion)}
    for name, values in base.items():
        for key in ("rmse", "mae", "r2", "seconds"):
            figures[f"{name}.{key}"] = round(values[key]) if key in DOLLARS else values[key]
    details: dict[str, Any] = {"baselines": base}
    for name, settings in recipes(options.quick).items():
        progress(f"house prices, {name} recipe...")
        trained, events, wall = run(settings)
        metrics = trained.metrics
        figures[f"{name}.train_seconds"] = metrics["train_seconds"]
        figures[f"{name}.wall_seconds"] = round(wall, 2)
        for loss in ("mse", "mae"):
            held = metrics["heldout"][loss]
            for key in ("rmse", "mae", "r2", "bias"):
                figures[f"{name}.{loss}.{key}"] = round(held[key]) if key in DOLLARS else held[key]
            figures[f"{name}.{loss}.seconds_to_criterion"] = seconds_to(
                events, f"heldout_{loss}_rmse", criterion
            )
        if "extreme_prices" in metrics:
            extreme = metrics["extreme_prices"]
            figures[f"{name}.extreme_real_mean"] = round(extreme["mean_real_price"])
            figures[f"{name}.extreme_shown_mean"] = round(extreme["mean_extreme_price"])
            for loss in ("mse", "mae"):
                figures[f"{name}.{loss}.extreme_prediction_mean"] = round(extreme["mean_prediction"][loss])
        details[name] = {"settings": settings, "metrics": metrics}

    seeds = [name for name in figures if name.startswith("default-seed") and name.endswith(".mse.rmse")]
    default_rmse = [figures[name] for name in seeds]
    default_seconds = [figures[name.replace(".mse.rmse", ".train_seconds")] for name in seeds]
    figures["default.mse.rmse_mean"] = round(statistics.mean(default_rmse))
    figures["default.mae.rmse_mean"] = round(
        statistics.mean(figures[name.replace(".mse.", ".mae.")] for name in seeds)
    )
    figures["default.train_seconds_max"] = max(default_seconds)
    met = (
        all(rmse < base["linear_log"]["rmse"] for rmse in default_rmse)
        and all(rmse <= criterion for rmse in default_rmse)
        and max(default_seconds) <= TARGET_SECONDS
    )
    return Result(
        figures=figures,
        target=(
            "default MLP (MSE loss), every seed: held-out RMSE below linear regression's and within 10% "
            f"of gradient boosting's, trained in <= {TARGET_SECONDS:.0f} s"
        ),
        met=None if options.quick else met,
        notes=[
            "Held-out figures in dollars on the 586 held-out houses; the same split, preprocessing and "
            "inputs for every model. seconds_to_criterion: - when never reached.",
            "Baselines on log price (_log) and on the raw price (_raw); the criterion uses gradient "
            "boosting on log price, the lab's default target.",
            "The held-out split holds Ames' 5,642 sq ft partial sale at $160,000: linear models "
            "extrapolate it (linear regression on log price says about $1 million), and that one house "
            "dominates their RMSE.",
            "Training runs niced in the runner's thread; timings move with the machine's load.",
        ],
        details=details,
    )


if __name__ == "__main__":  # the harness's module list does not name this file
    from benchmarks.harness import main

    sys.exit(main([*(sys.argv[1:] or []), *([] if NAME in sys.argv else [NAME])]))
