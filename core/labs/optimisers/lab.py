"""Optimisers: SGD, momentum, Nesterov, RMSProp, Adam and AdamW on 2-D surfaces and on the
course's MNIST MLP, every copy from the same starting weights."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import torch
from torch import nn

from core import charts
from core.export import SideBySide
from core.history import TrainingHistory
from core.labs.base import MNIST_DATA_DIR, Lab, TrainedModel
from core.labs.optimisers import train as training
from core.labs.optimisers.interactions import INTERACTIONS
from core.labs.optimisers.model import build_copies
from core.labs.optimisers.spec import OPTIMISER_NAMES, OPTIMISERS, SPEC


class OptimisersLab(Lab):
    spec = SPEC
    variants = {"all": "optimisers-all"}  # noqa: RUF012  (one checkpoint holds every copy)
    interactions = INTERACTIONS
    trainer = training
    # Two charts, every optimiser on each (`training_figures`): the training loss, the held-out accuracy.
    train_metrics = ("loss", "heldout_accuracy")
    samples_label = None  # no pictures: the charts compare the optimisers
    course_recipe = training.COURSE_RECIPE

    onnx_traced = True  # written in under a second, where torch.export takes 6 to 8 s

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        return SideBySide(trained.model)

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(2, 28, 28),)

    onnx_about = (
        "every copy side by side: (N, 28, 28) pixels in [0, 1], white on black, in; (N, copies, 10) "
        "logits out, the copies in config.json's `optimisers` order."
    )

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        unknown = set(config["optimisers"]) - set(OPTIMISERS)
        if unknown:
            raise ValueError(f"unknown optimisers {sorted(unknown)}")
        return build_copies(config)

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        return training_figures(history)

    def next_step(self) -> str:
        return (
            "train again with one change, say an SGD learning rate 10 times larger (0.5), and "
            "watch which copies speed up and which blow up."
        )

    def model_name(self, trained) -> str:
        names = training.ordered(dict(trained.model.items()))
        return "MLP 784-128-64-10 trained by " + ", ".join(OPTIMISER_NAMES[name] for name in names)

    def headline(self, metrics: dict[str, Any]) -> str:
        accuracy = metrics.get("heldout_accuracy")
        if not isinstance(accuracy, dict) or not accuracy:
            return ""
        return "held-out accuracy " + ", ".join(
            f"{OPTIMISER_NAMES[name]} {accuracy[name]:.1%}" for name in training.ordered(accuracy)
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        rows = "\n".join(
            f"| {OPTIMISER_NAMES[name]} | `{name}.` | {metrics['heldout_accuracy'][name]:.2%} | "
            f"{metrics['heldout_loss'][name]:.4f} | {metrics.get('optimiser_seconds', {}).get(name, '-')} | "
            + (
                "-"
                if metrics.get("diverged_at", {}).get(name) is None
                else f"step {metrics['diverged_at'][name]}"
            )
            + " |"
            for name in training.ordered(metrics.get("heldout_accuracy", {}))
        )
        body = (
            "# The course's MNIST MLP, trained by six optimisers\n\n"
            f"Trained by Deep Learning Labs' optimisers lab on {config.get('data', {}).get('description')}. "
            "One copy of a 784-128-64-10 ReLU MLP per optimiser, every copy from the same initial "
            "weights, each taking its step on the same batch in turn.\n\n"
            "| optimiser | tensor prefix | held-out accuracy | held-out loss | own training s | diverged |\n"
            f"| --- | --- | --- | --- | --- | --- |\n{rows}\n\n"
            f"- Learning rates: {params.get('sgd_learning_rate')} (SGD, momentum, Nesterov; momentum "
            f"{params.get('momentum')}), {params.get('adaptive_learning_rate')} (RMSProp, Adam, AdamW; "
            f"AdamW weight decay {params.get('weight_decay')}); torch.optim's defaults otherwise\n"
            f"- {params.get('epochs')} epochs, batches of {params.get('batch_size')}\n"
            "- Input: 28x28 floats in [0, 1], white ink on black\n\n"
        )
        return self.card(("image-classification", "optimizers", "mnist"), body, config, MNIST_DATA_DIR)


def training_figures(history: TrainingHistory) -> list[go.Figure]:
    """Every optimiser's training loss (per step, smoothed) on one chart, and its held-out
    accuracy (live sample, then each epoch's end) on another."""
    models = [(name, OPTIMISER_NAMES[name]) for name in OPTIMISERS if f"{name}_loss" in history.steps]
    loss = charts.per_model_curves(
        history, models, "{name}_loss", "Training loss (per step, smoothed)", "cross-entropy", smooth=20
    )
    for (name, label), colour in zip(models, charts.CLASS_COLOURS, strict=False):
        stopped = history.steps.get(f"{name}_diverged")
        if stopped:  # where its curve ends: an x, and the step in the legend
            epoch, value = history.steps[f"{name}_loss"][-1]
            loss.add_scatter(
                x=[epoch],
                y=[value],
                mode="markers",
                name=f"{label} diverged (step {int(stopped[-1][1])})",
                marker=dict(symbol="x", size=14, color=colour, line=dict(width=2)),
            )
    if any(value > 0 for name, _ in models for _, value in history.steps[f"{name}_loss"]):
        loss.update_yaxes(type="log", tickformat=".2~g")
    accuracy = charts.per_model_curves(
        history,
        models,
        "heldout_{name}_accuracy",
        "Held-out accuracy (live sample, then epoch ends)",
        "accuracy",
    )
    accuracy.update_yaxes(tickformat=".0%")
    return [loss, accuracy]


LAB = OptimisersLab()
