"""What a student does in the batch-norm lab: the four copies' curves, the augmented pictures,
each layer's activations with and without batch norm, and the largest stable learning rate."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from core import charts
from core.data import DataUnavailableError, load_images
from core.interactions import Interaction, Output
from core.labs.base import TrainedModel
from core.labs.batch_norm import sweep as rate_sweep
from core.labs.batch_norm.augment import augment, describe
from core.labs.batch_norm.model import LAYERS
from core.labs.batch_norm.spec import COMBINATION_NAMES, COMBINATIONS
from core.labs.batch_norm.train import ordered
from core.specs import Param, SpecError

SAMPLES = 8  # training pictures shown, each beside its augmented draw
LAYER_NAMES = {"conv1": "conv 1", "conv2": "conv 2", "fc1": "hidden (fc 1)"}


def colours() -> dict[str, str]:
    return dict(zip(COMBINATIONS, charts.CLASS_COLOURS, strict=False))


def recorded_curves(trained: TrainedModel) -> dict[str, Any]:
    record = trained.metrics.get("curves") or {}
    if not ordered(record):
        raise SpecError("This model has no training curves recorded: train one in this lab.")
    return record


def curves(trained: TrainedModel) -> dict[str, Any]:
    """Held-out accuracy through the training (live checks, then each epoch's end) and the
    training accuracy at each epoch's end: augmentation narrows the gap between the two."""
    record = recorded_curves(trained)
    figure = go.Figure()
    rows = []
    for name in ordered(record):
        colour, label = colours()[name], COMBINATION_NAMES[name]
        checks, epochs = record[name]["checks"], record[name]["epochs"]
        figure.add_scatter(
            x=checks["epoch"],
            y=checks["heldout_accuracy"],
            mode="lines",
            name=f"{label}, held-out",
            line=dict(color=colour, width=2),
        )
        ends = list(range(1, len(epochs) + 1))
        train = [epoch.get("train_accuracy") for epoch in epochs]
        figure.add_scatter(
            x=ends,
            y=train,
            mode="lines+markers",
            name=f"{label}, training pictures",
            line=dict(color=colour, width=1, dash="dot"),
        )
        last = epochs[-1] if epochs else {}
        diverged = trained.metrics.get("diverged_at", {}).get(name)
        rows.append(
            {
                "combination": label,
                "held-out accuracy (%)": round(100 * trained.metrics["heldout_accuracy"][name], 2),
                "training accuracy, last epoch (%)": round(100 * last["train_accuracy"], 2)
                if "train_accuracy" in last
                else None,
                "own seconds": trained.metrics.get("combination_seconds", {}).get(name),
                "blew up": "-" if diverged is None else f"step {diverged}",
            }
        )
    figure.update_yaxes(tickformat=".0%", title="accuracy")
    figure.update_layout(
        title="Held-out accuracy (lines) and training accuracy (dots, each epoch)",
        xaxis_title="epoch",
        height=380,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    params = trained.config.get("params", {})
    note = (
        f"Every copy started from the same weights and took its step on the same batches of "
        f"{params.get('batch_size')} pictures, SGD with momentum 0.9 at a peak rate of "
        f"{params.get('learning_rate')} ({params.get('schedule')}). The training accuracy of the "
        "augmenting copies is measured on the augmented pictures they trained on."
    )
    return {"note": note, "accuracy": figure, "table": rows}


def augmented(trained: TrainedModel, seed: int) -> dict[str, Any]:
    """Training pictures beside a random draw of the augmentation this model trained with:
    move the seed for another draw."""
    params = trained.config.get("params", {})
    flip, shift = bool(params.get("flip", True)), int(params.get("shift", 2))
    try:
        data = load_images("fashion-mnist")
    except DataUnavailableError as error:
        raise SpecError(f"The training pictures are not available here: {error}") from None
    generator = torch.Generator().manual_seed(seed)
    index = torch.randperm(len(data.train_labels), generator=generator)[:SAMPLES]
    originals = data.train_images[index].float().div(255)
    result = augment(originals, flip, shift, generator)
    gallery = []
    for i, picture in enumerate(index.tolist()):
        name = data.classes[int(data.train_labels[picture])]
        gallery.append((originals[i].numpy(), f"#{picture} {name}"))
        change = describe(bool(result.flipped[i]), tuple(result.offsets[i].tolist()))
        gallery.append((result.images[i].numpy(), change))
    transforms = []
    if flip:
        transforms.append("mirrored left to right with probability ½ (`flip`)")
    if shift:
        transforms.append(
            f"moved by a whole number of pixels from -{shift} to {shift}, down and right apart, the "
            f"gap filled with black (`shift={shift}`)"
        )
    note = (
        "Each picture, as the augmenting copies may see it: "
        + ("; ".join(transforms) if transforms else "no transform (this model trained with none)")
        + ". A new draw every time a picture comes round, on the whole batch at once."
    )
    return {"note": note, "pictures": gallery}


def activations(trained: TrainedModel) -> dict[str, Any]:
    """What enters each ReLU through the training: its mean and its spread, per layer, with and
    without batch norm (the live checks' batches)."""
    record = recorded_curves(trained)
    names = ordered(record)
    figures = {}
    for stat, heading in (
        ("std", "Spread (standard deviation) of what enters each ReLU"),
        ("mean", "Mean of what enters each ReLU"),
        ("active", "Share above zero (what the ReLU lets through)"),
    ):
        figure = make_subplots(
            rows=1, cols=len(LAYERS), subplot_titles=[LAYER_NAMES[layer] for layer in LAYERS]
        )
        for column, layer in enumerate(LAYERS, start=1):
            for name in names:
                figure.add_scatter(
                    x=record[name]["checks"]["epoch"],
                    y=record[name]["activations"][layer][stat],
                    mode="lines",
                    name=COMBINATION_NAMES[name],
                    legendgroup=name,
                    showlegend=column == 1,
                    line=dict(color=colours()[name], width=2),
                    row=1,
                    col=column,
                )
        figure.update_xaxes(title="epoch")
        figure.update_layout(
            title=heading, height=320, legend=dict(orientation="h", yanchor="bottom", y=1.08, x=0)
        )
        figures[stat] = figure
    rows = []
    for name in names:
        for layer in LAYERS:
            values = record[name]["activations"][layer]
            if values["std"]:
                rows.append(
                    {
                        "combination": COMBINATION_NAMES[name],
                        "layer": LAYER_NAMES[layer],
                        "mean, first → last": f"{values['mean'][0]:.2f} → {values['mean'][-1]:.2f}",
                        "spread, first → last": f"{values['std'][0]:.2f} → {values['std'][-1]:.2f}",
                        "share above 0, last": f"{values['active'][-1]:.0%}",
                    }
                )
    summary = (
        "With batch norm each layer's input to its ReLU starts at mean 0 and spread 1 and moves "
        "only as far as its learnt scale γ and shift β take it; without, each layer's spread is "
        "whatever the weights before it make of it, and it drifts as they learn."
    )
    return {
        "summary": summary,
        "spread": figures["std"],
        "mean": figures["mean"],
        "active": figures["active"],
        "table": rows,
    }


def stable_rates(trained: TrainedModel) -> dict[str, Any]:
    """The sweep that found the largest stable learning rate of the plain and the batch-norm
    network, as a chart of the loss each rate reached."""
    found = trained.metrics.get("sweep")
    if not found:
        raise SpecError(
            "This model was trained without the learning-rate sweep (sweep_steps=0): train one "
            "with a few sweep steps, say 30."
        )
    labels = {"plain": "Plain", "bn": "Batch norm"}
    figure = go.Figure()
    rows = []
    for name, results in found["results"].items():
        colour = colours()[name]
        stable = [r for r in results if r["last_loss"] is not None]
        figure.add_scatter(
            x=[r["rate"] for r in stable],
            y=[r["last_loss"] for r in stable],
            mode="lines+markers",
            name=f"{labels[name]}: loss after {found['steps']} steps",
            line=dict(color=colour, width=2),
        )
        broken = [r for r in results if r["last_loss"] is None]
        if broken:
            figure.add_scatter(
                x=[r["rate"] for r in broken],
                y=[r["first_loss"] or 2.3 for r in broken],
                mode="markers",
                name=f"{labels[name]}: blew up",
                marker=dict(symbol="x", size=14, color=colour, line=dict(width=2)),
            )
        best = found["largest_stable"].get(name)
        if best is not None:
            figure.add_vline(x=best, line=dict(color=colour, dash="dash"))
        for r in results:
            rows.append(
                {
                    "network": labels[name],
                    "learning rate": r["rate"],
                    "stable": "yes" if r["stable"] else "no",
                    "loss, first → last": f"{r['first_loss']} → {r['last_loss']}"
                    if r["last_loss"] is not None
                    else f"blew up at step {r['blew_up_at']}",
                }
            )
    figure.update_xaxes(type="log", title="learning rate (constant, SGD with momentum 0.9)")
    figure.update_yaxes(type="log", title="training loss, mean of the last quarter of the steps")
    figure.update_layout(
        title="The largest stable learning rate (dashed), with and without batch norm",
        height=380,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )

    def shown(rate: float | None) -> str:
        return "none of the rates tried" if rate is None else f"**{rate:g}**"

    largest = found["largest_stable"]
    summary = (
        f"Largest stable rate: plain {shown(largest.get('plain'))}, batch norm "
        f"{shown(largest.get('bn'))}. Measured from the training's starting weights: "
        f"{found['steps']} steps at each rate of {', '.join(f'{r:g}' for r in found['rates'])}, on "
        f"the same batches of {found['batch_size']} pictures, momentum {found['momentum']}, no "
        f"warm-up. Stable: the loss never rose above {rate_sweep.BLOW_UP:g}x its first value and "
        "ended below it; the first rate that failed ended a network's sweep."
    )
    return {"summary": summary, "rates": figure, "table": rows}


INTERACTIONS = (
    Interaction(
        "curves",
        "Four curves",
        "The held-out accuracy of every combination through its training, with its training "
        "accuracy at each epoch's end, from the same weights on the same batches.",
        curves,
        outputs=(
            Output("note", "markdown", ""),
            Output(
                "accuracy",
                "plot",
                "Held-out and training accuracy",
                help="The gap between a copy's dots and its line is how much it fits its training "
                "pictures better than new ones.",
            ),
            Output("table", "table", "Where each combination ended"),
        ),
    ),
    Interaction(
        "augmented",
        "Augmented pictures",
        "Training pictures beside a random draw of the augmentation this model trained with: move "
        "the seed for another draw.",
        augmented,
        inputs=(Param("seed", "int", 0, "Which pictures and which draw.", label="Draw", low=0, high=999),),
        outputs=(
            Output("note", "markdown", "The transforms"),
            Output(
                "pictures",
                "gallery",
                "Pictures, each beside its augmented draw",
                columns=4,
                size=112,
                help="Left of each pair the training picture, right what the network saw instead.",
            ),
        ),
        example={"seed": 3},
    ),
    Interaction(
        "activations",
        "Activations per layer",
        "What enters each ReLU through the training, with and without batch norm: its spread, "
        "its mean and the share of it above zero, per layer.",
        activations,
        outputs=(
            Output("summary", "markdown", ""),
            Output("spread", "plot", "Spread", help="Batch norm holds it near 1 (times its learnt γ)."),
            Output("mean", "plot", "Mean", help="Batch norm holds it near 0 (plus its learnt β)."),
            Output("active", "plot", "Share above zero", help="Near 0: a layer whose ReLUs have died."),
            Output("table", "table", "First and last check"),
        ),
    ),
    Interaction(
        "stable-rates",
        "Largest stable learning rate",
        "How large a constant learning rate the plain and the batch-norm network survive, measured "
        "by a short sweep before the training.",
        stable_rates,
        outputs=(
            Output("summary", "markdown", ""),
            Output(
                "rates",
                "plot",
                "Loss by learning rate",
                help="Lower is better; an x is a rate at which the loss blew up.",
            ),
            Output("table", "table", "Every rate tried"),
        ),
    ),
)
