"""Batch, mini-batch and stochastic gradient descent: the course's MNIST MLP trained three ways
from the same weights on the same digits, the loss against epochs, updates and seconds."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from core import charts
from core.history import TrainingHistory
from core.labs.base import MNIST_DATA_DIR
from core.labs.gradient_descent import train as training
from core.labs.gradient_descent.interactions import INTERACTIONS, curve_figures
from core.labs.gradient_descent.model import build_copies
from core.labs.gradient_descent.spec import METHOD_NAMES, METHODS, SPEC
from core.side_by_side import MnistCopiesLab


class GradientDescentLab(MnistCopiesLab):
    spec = SPEC
    variants = {"all": "gradient-descent-all"}  # noqa: RUF012  (one checkpoint holds every copy)
    interactions = INTERACTIONS
    trainer = training
    # The loss against each of the three x-axes, then the held-out accuracy (`training_figures`).
    train_metrics = ("loss", "updates", "seconds", "heldout_accuracy")
    course_recipe = training.COURSE_RECIPE
    copies_key = "methods"
    copy_names = METHOD_NAMES
    copies_word = "ways"
    model_name_prefix = "MLP 784-128-64-10 trained by "
    build_copies = staticmethod(build_copies)

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        return training_figures(history)

    def next_step(self) -> str:
        return (
            "train again with one change, a learning rate of 0.05: the mini-batch copy speeds up, "
            "and stochastic GD? Compare the three x-axes."
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        rows = self.card_rows(
            metrics,
            lambda way: (
                f"{metrics['heldout_accuracy'][way]:.2%} | {metrics['updates'][way]:,} | "
                f"{metrics['method_seconds'][way]}"
            ),
        )
        data = config.get("data", {}).get("description")
        body = (
            "# The course's MNIST MLP, trained by batch, mini-batch and stochastic gradient descent\n\n"
            f"Trained by Deep Learning Labs' gradient-descent lab on {data}. "
            "One copy of a 784-128-64-10 ReLU MLP per way, every copy from the same initial weights, "
            "reading the same digits in the same order.\n\n"
            "| way | tensor prefix | held-out accuracy | updates | own seconds |\n"
            f"| --- | --- | --- | --- | --- |\n{rows}\n\n"
            f"- SGD, learning rate {params.get('learning_rate')}, momentum {params.get('momentum')}; "
            f"mini-batches of {params.get('batch_size')}; {params.get('epochs')} epochs\n"
            "- Input: 28x28 floats in [0, 1], white ink on black\n\n"
        )
        return self.card(("image-classification", "gradient-descent", "mnist"), body, config, MNIST_DATA_DIR)


def history_curves(history: TrainingHistory) -> dict[str, dict[str, list[float]]]:
    """Each way's measured loss with its epoch, updates and seconds, from a live training."""
    curves = {}
    for way in METHODS:
        points = history.steps.get(f"{way}_loss")
        if not points:
            continue
        curves[way] = {
            "epoch": [epoch for epoch, _ in points],
            "loss": [value for _, value in points],
            "updates": [value for _, value in history.steps[f"{way}_updates"]],
            "seconds": [value for _, value in history.steps[f"{way}_seconds"]],
        }
    return curves


def training_figures(history: TrainingHistory) -> list[go.Figure]:
    figures = curve_figures(history_curves(history))
    models = [(way, METHOD_NAMES[way]) for way in METHODS if f"heldout_{way}_accuracy" in history.epochs]
    accuracy = charts.per_model_curves(
        history, models, "heldout_{name}_accuracy", "Held-out accuracy at each epoch's end", "accuracy"
    )
    accuracy.update_yaxes(tickformat=".0%")
    return [figures["epoch"], figures["updates"], figures["seconds"], accuracy]


LAB = GradientDescentLab()
