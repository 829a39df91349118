"""Optimisers: SGD, momentum, Nesterov, RMSProp, Adam and AdamW on 2-D surfaces and on the
course's MNIST MLP, every copy from the same starting weights."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from core import charts
from core.history import TrainingHistory
from core.labs.base import MNIST_DATA_DIR
from core.labs.optimisers import train as training
from core.labs.optimisers.interactions import INTERACTIONS
from core.labs.optimisers.model import build_copies
from core.labs.optimisers.spec import OPTIMISER_NAMES, OPTIMISERS, SPEC
from core.side_by_side import MnistCopiesLab


class OptimisersLab(MnistCopiesLab):
    spec = SPEC
    variants = {"all": "optimisers-all"}  # noqa: RUF012  (one checkpoint holds every copy)
    interactions = INTERACTIONS
    trainer = training
    # Two charts, every optimiser on each (`training_figures`): the training loss, the held-out accuracy.
    train_metrics = ("loss", "heldout_accuracy")
    course_recipe = training.COURSE_RECIPE
    copies_key = "optimisers"
    copy_names = OPTIMISER_NAMES
    copies_word = "optimisers"
    model_name_prefix = "MLP 784-128-64-10 trained by "
    build_copies = staticmethod(build_copies)

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        return training_figures(history)

    def next_step(self) -> str:
        return (
            "train again with one change, say an SGD learning rate 10 times larger (0.5), and "
            "watch which copies speed up and which blow up."
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        rows = self.card_rows(
            metrics,
            lambda name: (
                f"{metrics['heldout_accuracy'][name]:.2%} | {metrics['heldout_loss'][name]:.4f} | "
                f"{metrics.get('optimiser_seconds', {}).get(name, '-')} | "
                + (
                    "-"
                    if metrics.get("diverged_at", {}).get(name) is None
                    else f"step {metrics['diverged_at'][name]}"
                )
            ),
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
