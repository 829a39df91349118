"""Regularisation lab: four copies of one over-sized MLP learn which Titanic passengers survived,
side by side on the same batches: with no help, with an L1 penalty, with an L2 penalty and with
dropout; logistic regression beside them."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import torch
from torch import nn

from core import charts
from core.export import SideBySide
from core.history import TrainingHistory
from core.labs.base import Lab, TrainedModel
from core.labs.regularisation import train as training
from core.labs.regularisation.interactions import INTERACTIONS, model_line
from core.labs.regularisation.model import RegularisedSet
from core.labs.regularisation.spec import MODEL_NAMES, MODELS, SPEC

LABELLED = [(name, MODEL_NAMES[name]) for name in MODELS]


class RegularisationLab(Lab):
    spec = SPEC
    variants = {"default": "regularisation-default"}  # noqa: RUF012
    interactions = INTERACTIONS
    # Drawn by `training_figures`: every model on every chart.
    train_metrics = ("batch_loss", "log_loss", "gap", "accuracy", "near_zero")
    samples_label = None  # no pictures: the charts compare the four models
    # No best_metric: keeping the epoch with the best held-out loss would be early stopping,
    # a regulariser of its own, and would hide the plain model's overfitting.
    course_recipe = training.COURSE_RECIPE
    trainer = training

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        training.check_config(config)  # refuse now what the interactions could not use later
        return RegularisedSet(config["inputs"], tuple(config["hidden_sizes"]), float(config["dropout"]))

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        return SideBySide(trained.model, torch.sigmoid)  # (N, 4): each model's p(survived)

    onnx_traced = True  # written in a tenth of a second, where torch.export takes about one

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(1, trained.config["inputs"]),)  # a passenger as config.json's "encoding" makes it

    onnx_about = (
        '(N, 8) passengers encoded as config.json\'s "features" and "encoding" say (predict.py does it) '
        "in; (N, 4) out: the survival probability from the plain, L1, L2 and dropout models."
    )

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        return training_figures(history)

    def next_step(self) -> str:
        return (
            "train again with one change, say an L2 strength ten times larger or smaller, and watch "
            "its gap curve: too little leaves the gap open, too much raises both losses (underfitting)."
        )

    def model_name(self, trained: Any) -> str:
        return f"{trained.config.get('architecture', 'MLP')}: plain, L1, L2 and dropout"

    def headline(self, metrics: dict[str, Any]) -> str:
        measured, best = metrics.get("models"), metrics.get("best_regularised")
        try:
            plain, regular = measured["plain"], measured[best]
            baseline = metrics["baselines"]["logistic_regression"]["heldout_log_loss"]
            return (
                f"held-out log loss {plain['heldout_log_loss']:.3f} with no regularisation (gap "
                f"{plain['gap']:+.3f}), {regular['heldout_log_loss']:.3f} with {MODEL_NAMES[best]} (gap "
                f"{regular['gap']:+.3f}); logistic regression {baseline:.3f}"
            )
        except (KeyError, TypeError):
            return ""

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        measured = metrics.get("models", {})
        baseline = metrics.get("baselines", {}).get("logistic_regression")
        lines = [model_line(MODEL_NAMES[name], measured[name]) for name in MODELS if name in measured]
        if baseline:
            lines.append(model_line("logistic regression (scikit-learn)", baseline))
        data = config.get("data", {})
        source = data.get("source", {})
        hidden = str(params.get("hidden_sizes", "")).replace(" ", "")
        body = (
            f"# Titanic survival: {config.get('architecture')}, plain and with L1, L2 and dropout\n\n"
            f"Trained by Deep Learning Labs' regularisation lab on {data.get('description')}. Data: "
            f"{source.get('origin')}; licence {source.get('licence')}; loaded through "
            f"{source.get('reference')}. Tensors `plain.*`, `l1.*`, `l2.*` and `dropout.*` are the four "
            "models; all started from the same weights and saw the same batches.\n\n"
            f"- Strengths: L1 λ = {params.get('l1')}, L2 λ = {params.get('l2')} (penalties on the weights, "
            f"not the biases), dropout {params.get('dropout')}\n"
            "- Input: class (one-hot), female, age unknown, age, sibsp, parch (standardised as "
            "config.json's `encoding` says)\n"
            "- Output: one logit, log-odds of survival\n\n"
            "Log loss and accuracy on the training split and on the held-out split (eval mode):\n\n"
            + "\n".join(lines)
            + "\n\n"
        )
        return self.card(
            ("tabular-classification", "titanic", "regularisation"),
            body,
            config,
            extra=f" --set hidden_sizes={hidden}",
            skip=("hidden_sizes",),
        )


def training_figures(history: TrainingHistory) -> list[go.Figure]:
    """The batch loss of each model; train and held-out log loss at each epoch's end; their gap;
    train and held-out accuracy; the share of near-zero weights."""
    batch = charts.per_model_curves(
        history,
        LABELLED,
        "{name}_batch_loss",
        "Log loss on each training batch (dropout on, penalty left out)",
        "log loss",
        smooth=10,
    )
    both = _by_epoch(
        history, "log_loss", "Log loss: train (solid) and held-out (dashed), epoch ends", "log loss"
    )
    accuracy = _by_epoch(history, "accuracy", "Accuracy: train (solid) and held-out (dashed)", "accuracy")
    accuracy.update_yaxes(tickformat=".0%")
    gap = _per_model(history, "gap", "The gap: held-out minus train log loss", "gap (nats)")
    gap.add_hline(y=0, line=dict(color="grey", dash="dot", width=1))
    zeros = _per_model(history, "near_zero", f"Weights within {training.NEAR_ZERO:g} of zero", "share")
    zeros.update_yaxes(tickformat=".0%", range=[0, 1])
    return [batch, both, gap, accuracy, zeros]


def _per_model(history: TrainingHistory, metric: str, title: str, y_title: str) -> go.Figure:
    figure = go.Figure()
    for (name, label), colour in zip(LABELLED, charts.CLASS_COLOURS, strict=False):
        _line(figure, history.epochs.get(f"{name}_{metric}", []), label, colour, "solid")
    return _layout(figure, title, y_title)


def _by_epoch(history: TrainingHistory, metric: str, title: str, y_title: str) -> go.Figure:
    figure = go.Figure()
    for (name, label), colour in zip(LABELLED, charts.CLASS_COLOURS, strict=False):
        _line(figure, history.epochs.get(f"{name}_train_{metric}", []), f"{label}, train", colour, "solid")
        _line(
            figure, history.epochs.get(f"{name}_heldout_{metric}", []), f"{label}, held-out", colour, "dash"
        )
    return _layout(figure, title, y_title)


def _line(figure: go.Figure, points: list, name: str, colour: str, dash: str) -> None:
    if points:
        x, y = zip(*points, strict=True)
        figure.add_scatter(
            x=x,
            y=y,
            mode="lines+markers",
            name=name,
            line=dict(color=colour, dash=dash, width=2),
            marker=dict(size=4),
        )


def _layout(figure: go.Figure, title: str, y_title: str) -> go.Figure:
    figure.update_layout(
        title=title,
        xaxis_title="epoch",
        yaxis_title=y_title,
        height=320,
        margin=dict(l=40, r=10, t=40, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return figure


LAB = RegularisationLab()
