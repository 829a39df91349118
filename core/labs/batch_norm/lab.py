"""Batch norm and data augmentation: the course's CNN on Fashion-MNIST four ways (plain, batch
norm, augmentation, both) from the same weights on the same batches."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from core import charts
from core.history import TrainingHistory
from core.labs.batch_norm import train as training
from core.labs.batch_norm.interactions import INTERACTIONS, LAYER_NAMES
from core.labs.batch_norm.model import LAYERS, build_copies
from core.labs.batch_norm.spec import COMBINATION_NAMES, COMBINATIONS, SPEC
from core.side_by_side import SideBySideLab


class BatchNormLab(SideBySideLab):
    spec = SPEC
    variants = {"all": "batch-norm-all"}  # noqa: RUF012  (one checkpoint holds every copy)
    interactions = INTERACTIONS
    trainer = training
    # Three charts, every copy on each (`training_figures`): the training loss, the held-out
    # accuracy, and the spread of what enters each layer's ReLU.
    train_metrics = ("loss", "heldout_accuracy", "activations")
    samples_label = None  # the augmented pictures are an interaction of their own
    course_recipe = training.COURSE_RECIPE
    needs_datasets = ("fashion-mnist",)  # Debian's dataset-fashion-mnist
    copies_key = "combinations"
    copy_names = COMBINATION_NAMES
    copies_word = "combinations"
    model_name_prefix = "The course's CNN: "
    headline_prefix = "Fashion-MNIST test accuracy "
    build_copies = staticmethod(build_copies)

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        return training_figures(history)

    def next_step(self) -> str:
        return (
            "train again with one change, a learning rate of 0.5 with a constant schedule: which "
            "copies survive it? Then look at their activations."
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        rows = self.card_rows(
            metrics,
            lambda name: (
                f"{metrics['heldout_accuracy'][name]:.2%} | {metrics['heldout_loss'][name]:.4f} | "
                f"{metrics.get('combination_seconds', {}).get(name, '-')}"
            ),
        )
        sweep = metrics.get("sweep") or {}
        largest = sweep.get("largest_stable", {})
        rates = (
            f"- Largest stable learning rate (a {sweep.get('steps')}-step sweep, constant rate, momentum "
            f"0.9): plain {largest.get('plain')}, batch norm {largest.get('bn')}\n"
            if sweep
            else ""
        )
        body = (
            "# The course's CNN on Fashion-MNIST, with and without batch norm and augmentation\n\n"
            f"Trained by Deep Learning Labs' batch-norm lab on {config.get('data', {}).get('description')} "
            "(Debian's dataset-fashion-mnist, MIT licence); accuracy on the official 10,000-picture "
            "test set. One copy per combination, every copy from the same initial weights, each "
            "taking its step on the same batch in turn.\n\n"
            "| combination | tensor prefix | test accuracy | test loss | own training s |\n"
            f"| --- | --- | --- | --- | --- |\n{rows}\n\n"
            f"- Conv 3x3 ({params.get('width')}, then {2 * int(params.get('width', 32))} channels), 2x2 "
            "max-pool after each, a hidden layer of 128; batch norm after each of the three\n"
            f"- SGD, momentum 0.9, peak learning rate {params.get('learning_rate')} "
            f"({params.get('schedule')}), batches of {params.get('batch_size')}, "
            f"{params.get('epochs')} epochs on "
            f"{metrics.get('train_pictures', 0):,} pictures\n"
            f"- Augmentation: flip {params.get('flip')}, shift up to {params.get('shift')} pixels\n"
            f"{rates}"
            "- Input: 28x28 floats in [0, 1], the garment light on black\n\n"
        )
        return self.card(("image-classification", "batch-normalization", "fashion-mnist"), body, config)


def training_figures(history: TrainingHistory) -> list[go.Figure]:
    """Every copy's training loss (per step, smoothed), its held-out accuracy (live sample,
    then each epoch's end), and the spread entering each ReLU of each copy."""
    models = [(name, COMBINATION_NAMES[name]) for name in COMBINATIONS if f"{name}_loss" in history.steps]
    loss = charts.per_model_curves(
        history, models, "{name}_loss", "Training loss (per step, smoothed)", "cross-entropy", smooth=20
    )
    accuracy = charts.per_model_curves(
        history,
        models,
        "heldout_{name}_accuracy",
        "Held-out accuracy (live sample, then epoch ends)",
        "accuracy",
    )
    accuracy.update_yaxes(tickformat=".0%")
    spread = go.Figure()
    dashes = dict(zip(LAYERS, ("dot", "dash", "solid"), strict=True))
    for (name, label), colour in zip(models, charts.CLASS_COLOURS, strict=False):
        for layer in LAYERS:
            points = history.steps.get(f"{name}_{layer}_std", [])
            if points:
                x, y = zip(*points, strict=True)
                spread.add_scatter(
                    x=list(x),
                    y=list(y),
                    mode="lines",
                    name=f"{label}, {LAYER_NAMES[layer]}",
                    line=dict(color=colour, dash=dashes[layer], width=2),
                )
    spread.update_yaxes(type="log", tickformat=".2~g", title="standard deviation")
    spread.update_layout(
        title="Spread of what enters each ReLU (conv 1 dotted, conv 2 dashed, hidden solid)",
        xaxis_title="epoch",
        height=340,
    )
    return [loss, accuracy, spread]


LAB = BatchNormLab()
