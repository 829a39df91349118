"""Forecasting lab: an RNN, an LSTM and a GRU forecast a real series side by side, one step and
many steps ahead, beside last value, seasonal naive and a linear autoregression."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import torch
from torch import nn

from core import charts
from core.export import SideBySide
from core.history import TrainingHistory
from core.labs.base import Lab, TrainedModel
from core.labs.forecast import train as training
from core.labs.forecast.forecasting import BASELINE_NAMES, BASELINES
from core.labs.forecast.interactions import INTERACTIONS
from core.labs.forecast.model import build_forecasters
from core.labs.forecast.spec import CELL_NAMES, CELLS, SPEC


class ForecastLab(Lab):
    spec = SPEC
    # One checkpoint per series, each holding all three cells.
    variants = {  # noqa: RUF012
        "melbourne": "forecast-melbourne",
        "co2": "forecast-co2",
        "clemson": "forecast-clemson",
    }
    variant_setting = "series"
    interactions = INTERACTIONS
    trainer = training
    # Every cell on each chart (`training_figures`): its training loss, and its held-out one-step
    # error at each epoch's end beside the baselines'.
    train_metrics = ("loss", "heldout_mae")
    samples_label = None
    # No best_metric: picking the epoch by held-out figures would flatter them.
    course_recipe = training.COURSE_RECIPE

    onnx_traced = True  # PyTorch's recurrent layers: see Lab.onnx_traced

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        return SideBySide(trained.model)

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.linspace(-1, 1, 2 * int(trained.config["window"])).view(2, -1),)

    onnx_about = (
        "every cell side by side: (N, window) scaled windows in; (N, cells, horizon) scaled direct "
        "forecasts out, the cells in config.json's `models` order. Scale as predict.py does (config.json's "
        "`scaling`: (value - anchor) / scale, the anchor the training mean or, for a relative series, "
        "the window's last value), and feed the first output back for recursive forecasts."
    )

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        training.check_config(config)  # refuse now what the interactions could not use later
        return build_forecasters(config)

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        return training_figures(history)

    def next_step(self) -> str:
        return (
            "train again with one change, say a window of 7 or of 90 days, and compare each cell's "
            "held-out MAE with seasonal naive's in the Error against horizon tab."
        )

    def headline(self, metrics: dict[str, Any]) -> str:
        one_step, baselines = metrics.get("one_step"), metrics.get("baselines")
        unit = metrics.get("unit", "")
        try:
            cells = ", ".join(
                f"{CELL_NAMES[name]} {one_step[name]['mae']:.2f} {unit} (MASE {one_step[name]['mase']:.2f})"
                for name in training.ordered(one_step)
            )
            naive = baselines["seasonal_naive"]["mae"]
            return f"held-out one-step MAE {cells}; seasonal naive {naive:.2f} {unit}"
        except (KeyError, TypeError, ValueError, AttributeError):
            return ""

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        one_step, baselines = metrics.get("one_step", {}), metrics.get("baselines", {})
        horizon = metrics.get("mae_by_horizon", {})
        unit = metrics.get("unit", "")
        rows = [
            f"| {CELL_NAMES[name]} | `{name}.` | {f['mae']} | {f['rmse']} | {f['mase']} | "
            f"{horizon.get(name, {}).get('recursive', ['-'])[-1]} |"
            for name, f in ((n, one_step[n]) for n in training.ordered(one_step))
        ]
        rows += [
            f"| {BASELINE_NAMES[name]} | - | {baselines[name]['mae']} | {baselines[name]['rmse']} | "
            f"{baselines[name]['mase']} | {baselines[name]['mae_by_horizon'][-1]} |"
            for name in BASELINES
            if name in baselines
        ]
        data = config.get("data", {})
        source = data.get("source", {})
        steps = metrics.get("scored_steps", "?")
        body = (
            f"# {data.get('source', {}).get('title', 'A series')}: RNN, LSTM and GRU forecasters\n\n"
            f"Trained by Deep Learning Labs' forecast lab on {data.get('description')}. Data: "
            f"{source.get('origin')}; {source.get('licence')}; cleaning: {data.get('cleaning')}\n\n"
            f"Held-out errors in {unit} over {metrics.get('heldout_size')} forecasts from the held-out "
            f"years (MASE: MAE over seasonal naive's; the last column: MAE {steps} steps ahead, "
            "recursive for the cells):\n\n"
            "| model | tensor prefix | one-step MAE | RMSE | MASE | MAE at the last step |\n"
            "| --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n\n"
            f"- Window {config.get('window')}, horizon {config.get('horizon')} (direct outputs), "
            f"hidden size {config.get('hidden_size')}\n"
            f"- Input: the last {config.get('window')} values, scaled as config.json's `scaling` says "
            "(minus the centre, or the window's last value when `relative`, over the scale)\n\n"
        )
        return self.card(("time-series-forecasting", "rnn", "lstm", "gru"), body, config)


def training_figures(history: TrainingHistory) -> list[go.Figure]:
    """Each cell's training loss, and each cell's held-out one-step MAE at each epoch's end with
    the baselines' as dashed lines."""
    cells = [(name, CELL_NAMES[name]) for name in CELLS if f"{name}_loss" in history.steps]
    loss = charts.per_model_curves(
        history, cells, "{name}_loss", "Training loss of each cell (per step, smoothed)", "MSE", smooth=10
    )
    if any(value > 0 for name, _ in cells for _, value in history.steps.get(f"{name}_loss", [])):
        loss.update_yaxes(type="log", tickformat=".2~g")
    mae = charts.per_model_curves(
        history, cells, "heldout_{name}_mae", "Held-out one-step MAE (each epoch's end)", "MAE"
    )
    mae.update_traces(mode="lines+markers", selector=dict(mode="markers"))  # join each cell's epochs
    for name in BASELINES:
        value = history.latest(f"{name}_mae")
        if value is not None:
            mae.add_hline(
                y=value,
                line=dict(color="grey", dash="dash", width=1),
                annotation_text=BASELINE_NAMES[name],
            )
    return [loss, mae]


LAB = ForecastLab()
