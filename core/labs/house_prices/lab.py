"""House prices lab: two MLPs price Ames houses, one trained on squared errors (MSE) and one on
absolute errors (MAE), side by side, beside linear regression and gradient boosting."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import torch
from torch import nn

from core import charts
from core.export import SideBySide
from core.history import TrainingHistory
from core.labs.base import Lab, TrainedModel, card_front_matter
from core.labs.house_prices import train as training
from core.labs.house_prices.interactions import INTERACTIONS
from core.labs.house_prices.model import PricePair
from core.labs.house_prices.spec import LOSS_NAMES, LOSSES, SPEC

MODELS = [(name, LOSS_NAMES[name]) for name in LOSSES]


def dollars(value: Any) -> str:
    return f"${value:,.0f}" if isinstance(value, int | float) else "-"


class HousePricesLab(Lab):
    spec = SPEC
    # "clean": the lab's defaults; "outliers": the same with 30 extreme prices in training.
    variants = {"clean": "house-prices-clean", "outliers": "house-prices-outliers"}  # noqa: RUF012
    interactions = INTERACTIONS
    # Both models on every chart (`training_figures`): each one's own loss, both errors of both
    # models (train per step, held-out at each epoch's end), held-out figures in dollars.
    train_metrics = ("loss", "squared_error", "absolute_error", "heldout_dollars")
    samples_label = None  # no pictures: the charts compare the two models
    # No best_metric: picking the epoch by its held-out figures would flatter them; a stopped
    # training keeps its last weights.
    course_recipe = training.COURSE_RECIPE
    trainer = training

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        training.check_config(config)  # refuse now what the interactions could not use later
        return PricePair(config["inputs"], tuple(config["hidden_sizes"]), float(config.get("dropout", 0.0)))

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        return SideBySide(trained.model)  # (N, 2): the MSE and MAE models' standardised prices

    onnx_traced = True  # written in a tenth of a second, where torch.export takes about one

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(1, trained.config["inputs"]),)  # a house as preprocessing.features makes it

    onnx_about = (
        '(N, inputs) houses preprocessed as predict.py does (config.json\'s "preprocessing") in; (N, 2) '
        "out, the MSE and MAE models' standardised (log) prices: predict.py turns them into dollars."
    )

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Any:
        outliers = (params or {}).get("outliers", 0)
        return self.variant_path("outliers" if outliers else "clean")

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        return training_figures(history)

    def next_step(self) -> str:
        return (
            "train again with one change, say 30 extreme prices added, and compare the two models' "
            "held-out RMSE and bias in the Scores tab (or switch off log price and watch the dear houses)."
        )

    def model_name(self, trained: TrainedModel) -> str:
        extreme = trained.config.get("outliers", {}).get("count", 0)
        name = f"{trained.config.get('architecture', 'MLP')}, MSE and MAE"
        return name + (f", {extreme} extreme prices in training" if extreme else "")

    def headline(self, metrics: dict[str, Any]) -> str:
        heldout, baselines = metrics.get("heldout"), metrics.get("baselines")
        if not isinstance(heldout, dict) or not isinstance(baselines, dict):
            return ""
        try:
            return (
                f"held-out RMSE {dollars(heldout['mse']['rmse'])} (MSE model), "
                f"{dollars(heldout['mae']['rmse'])} (MAE model); linear regression "
                f"{dollars(baselines['linear']['rmse'])}, gradient boosting "
                f"{dollars(baselines['boosting']['rmse'])}"
            )
        except (KeyError, TypeError):
            return ""

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        heldout, baselines = metrics.get("heldout", {}), metrics.get("baselines", {})
        rows = [(LOSS_NAMES[name], heldout.get(name, {})) for name in LOSSES] + [
            ("linear regression (scikit-learn)", baselines.get("linear", {})),
            ("gradient boosting (scikit-learn)", baselines.get("boosting", {})),
            ("training median for every house", baselines.get("median", {})),
        ]
        table = "\n".join(
            f"| {name} | {dollars(f.get('rmse'))} | {dollars(f.get('mae'))} | {f.get('r2', '-')} |"
            for name, f in rows
        )
        data = config.get("data", {})
        source = data.get("source", {})
        extreme = config.get("outliers", {})
        hidden = str(params.get("hidden_sizes", "none")).replace(" ", "")
        return (
            card_front_matter("tabular-regression", "house-prices", "ames")
            + f"# Ames house prices: {config.get('architecture')}, trained with MSE and with MAE\n\n"
            f"Trained by Deep Learning Labs' house-prices lab on {data.get('description')}. "
            f"Data: {source.get('origin')}; {source.get('licence')}; loaded through "
            f"{source.get('reference')}. Tensors `mse.*` are the model trained on squared errors, "
            "`mae.*` the one trained on absolute errors; both started from the same weights.\n\n"
            f"Held-out figures ({metrics.get('heldout_size')} houses never trained on), in dollars:\n\n"
            "| model | RMSE | MAE | R² |\n| --- | --- | --- | --- |\n"
            f"{table}\n\n"
            f"- Extreme prices in training: {extreme.get('count', 0)} (price x {extreme.get('factor')})\n"
            "- Input: the 73 Ames columns, preprocessed as config.json's `preprocessing` says "
            "(standardised numbers, one-hot categories), no pickles\n"
            "- Output: the standardised "
            + ("log price" if params.get("log_target") else "price")
            + "\n\n"
            + self.reproduce(config, extra=f" --set hidden_sizes={hidden}", skip=("hidden_sizes",))
        )


def training_figures(history: TrainingHistory) -> list[go.Figure]:
    """Each model's own loss; the squared and the absolute error of both models (train per step,
    smoothed, and held-out at each epoch's end); held-out RMSE and MAE in dollars against the
    baselines."""
    own = charts.series_curves(
        history,
        [
            ("mse_squared_error", "MSE model: squared error"),
            ("mae_absolute_error", "MAE model: absolute error"),
        ],
        "Each model's own loss (training batches)",
        "loss (standardised target)",
        smooth=10,
    )
    squared = _both_models(history, "squared_error", "Squared error of both models", "MSE")
    absolute = _both_models(history, "absolute_error", "Absolute error of both models", "MAE")
    money = go.Figure()
    colours = charts.CLASS_COLOURS
    for (name, label), colour in zip(MODELS, colours, strict=False):
        for kind, dash in (("rmse", "solid"), ("mae", "dot")):
            points = history.epochs.get(f"heldout_{name}_{kind}", [])
            if points:
                x, y = zip(*points, strict=True)
                money.add_scatter(
                    x=x,
                    y=y,
                    mode="lines+markers",
                    name=f"{label} {kind.upper()}",
                    line=dict(color=colour, dash=dash, width=2),
                    marker=dict(size=5),
                )
    for key, label in (
        ("linear_rmse", "linear regression RMSE"),
        ("boosting_rmse", "gradient boosting RMSE"),
    ):
        value = history.latest(key)
        if value is not None:
            money.add_hline(y=value, line=dict(color="grey", dash="dash", width=1), annotation_text=label)
    money.update_yaxes(tickprefix="$", tickformat=",.0f")
    money.update_layout(
        title="Held-out error in dollars (each epoch's end)",
        xaxis_title="epoch",
        yaxis_title="dollars",
        height=320,
        margin=dict(l=40, r=10, t=40, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return [own, squared, absolute, money]


def _both_models(history: TrainingHistory, error: str, title: str, short: str) -> go.Figure:
    figure = charts.per_model_curves(
        history, MODELS, f"{{name}}_{error}", f"{title} (train per step; held-out diamonds)", short, smooth=10
    )
    for (name, label), colour in zip(MODELS, charts.CLASS_COLOURS, strict=False):
        points = history.epochs.get(f"heldout_{name}_{error}", [])
        if points:
            x, y = zip(*points, strict=True)
            figure.add_scatter(
                x=x,
                y=y,
                mode="lines+markers",
                name=f"{label}, held-out",
                line=dict(color=colour, dash="dash", width=2),
                marker=dict(size=8, symbol="diamond", color=colour),
            )
    if any(value > 0 for _, value in history.steps.get(f"mse_{error}", [])):
        figure.update_yaxes(type="log", tickformat=".2~g")
    return figure


LAB = HousePricesLab()
