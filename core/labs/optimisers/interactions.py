"""What a student does in the optimisers lab: paths on a 2-D surface (no model needed), the
trained copies' curves side by side, and a drawn digit read by every copy."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import torch
import torch.nn.functional as F

from core import charts
from core.imaging import example_digit, to_mnist_frame
from core.interactions import Heatmap, Interaction, Output, digit_input
from core.labs.base import TrainedModel
from core.labs.optimisers.paths import Path, descend_all, losses_figure, paths_figure, summary_rows
from core.labs.optimisers.spec import (
    OPTIMISER_NAMES,
    OPTIMISERS,
    SGD_FAMILY,
    adaptive_rate,
    momentum_param,
    sgd_rate,
    weight_decay_param,
)
from core.labs.optimisers.surfaces import SURFACES
from core.labs.optimisers.train import ordered
from core.labs.optimisers.updates import Rates
from core.specs import Param, SpecError

MAX_STEPS = 1000
START_LIMIT = 100.0  # the start inputs' range; the surface's box is checked after


def start_point(surface_name: str, own_start: bool, start_x: float, start_y: float) -> tuple[float, float]:
    """The surface's usual start, or the student's own, which must lie on the plot."""
    surface = SURFACES[surface_name]
    if not own_start:
        return surface.start
    if not surface.contains(start_x, start_y):
        raise SpecError(
            f"Start ({start_x:g}, {start_y:g}) is off the plot of the {surface.title.lower()}: "
            f"pick a point with {surface.box}."
        )
    return (float(start_x), float(start_y))


def describe(paths: list[Path], surface_name: str, rates: Rates) -> str:
    """What happened, in words: the surface's lesson, then each path that ran off, with the
    rate that did it and what to try."""
    surface = SURFACES[surface_name]
    lines = [f"**{surface.title}**, ${surface.formula}$. {surface.lesson}"]
    for path in paths:
        if path.diverged_at is not None:
            family = "SGD" if path.name in SGD_FAMILY else "adaptive"
            lines.append(
                f"- **{OPTIMISER_NAMES[path.name]} diverged** at step {path.diverged_at}: its steps grew "
                f"until it ran off the surface. Its learning rate, {rates.rate(path.name):g}, is too "
                f"large for these slopes: lower the {family} learning rate."
            )
    return "\n".join(lines)


def explore_paths(
    trained: Any,
    surface: str,
    optimisers: list[str],
    sgd_learning_rate: float,
    adaptive_learning_rate: float,
    momentum: float,
    weight_decay: float,
    steps: int,
    own_start: bool,
    start_x: float,
    start_y: float,
) -> dict[str, Any]:
    start = start_point(surface, own_start, start_x, start_y)
    rates = Rates(sgd_learning_rate, adaptive_learning_rate, momentum, weight_decay)
    paths = descend_all(SURFACES[surface], optimisers, rates, start, steps)
    return {
        "summary": describe(paths, surface, rates),
        "paths": paths_figure(SURFACES[surface], paths, steps),
        "losses": losses_figure(SURFACES[surface], paths),
        "table": summary_rows(paths, SURFACES[surface]),
    }


# --- the trained copies ------------------------------------------------------------------


def curves(trained: TrainedModel) -> dict[str, Any]:
    """The training record kept in the model's metrics: each copy's training loss and held-out
    accuracy side by side, and a table of where each ended."""
    record = trained.metrics.get("curves") or {}
    names = ordered(record)
    if not names:
        raise SpecError("This model has no training curves recorded: train one in this lab.")
    loss, accuracy = go.Figure(), go.Figure()
    colours = dict(zip(OPTIMISERS, charts.CLASS_COLOURS, strict=False))
    per_epoch = trained.metrics.get("steps_per_epoch") or 1
    for name in names:
        curve, label, colour = record[name], OPTIMISER_NAMES[name], colours[name]
        loss.add_scatter(
            x=[round(step / per_epoch, 4) for step in curve["steps"]],
            y=curve["train_loss"],
            mode="lines",
            name=label,
            line=dict(color=colour, width=2),
        )
        epochs = np.arange(1, len(curve["epoch_heldout_accuracy"]) + 1)
        accuracy.add_scatter(
            x=epochs,
            y=curve["epoch_heldout_accuracy"],
            mode="lines+markers",
            name=label,
            line=dict(color=colour, width=2),
            marker=dict(size=8, symbol="diamond"),
        )
    loss.update_yaxes(type="log", tickformat=".2~g")
    loss.update_layout(
        title="Training loss, every copy from the same start",
        xaxis_title="epoch",
        yaxis_title="cross-entropy",
        height=340,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    accuracy.update_yaxes(tickformat=".1%")
    accuracy.update_layout(
        title="Held-out accuracy at each epoch's end",
        xaxis_title="epoch",
        yaxis_title="accuracy",
        height=340,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return {
        "note": curves_note(trained),
        "loss": loss,
        "accuracy": accuracy,
        "table": score_rows(trained, names),
    }


def curves_note(trained: TrainedModel) -> str:
    params = trained.config.get("params", {})
    note = (
        f"Every copy of the course's MLP started from the same weights and saw the same "
        f"{params.get('batch_size', '?')}-digit batches in the same order; only the update rule "
        f"differs. Learning rates: {params.get('sgd_learning_rate', '?'):g} for SGD, momentum and "
        f"Nesterov (momentum {params.get('momentum', '?')}), {params.get('adaptive_learning_rate', '?'):g} "
        "for RMSProp, Adam and AdamW."
    )
    steps = trained.metrics.get("diverged_at") or {}
    diverged = [f"{OPTIMISER_NAMES[name]} at step {steps[name]}" for name in ordered(steps) if steps[name]]
    if diverged:
        note += (
            f" Diverged (a learning rate too large for it; its last good weights were kept): "
            f"{', '.join(diverged)}."
        )
    return note


def score_rows(trained: TrainedModel, names: list[str]) -> list[dict[str, Any]]:
    metrics = trained.metrics
    rows = []
    for name in names:
        diverged = (metrics.get("diverged_at") or {}).get(name)
        rows.append(
            {
                "optimiser": OPTIMISER_NAMES[name],
                "held-out accuracy (%)": round(
                    100 * metrics.get("heldout_accuracy", {}).get(name, float("nan")), 2
                ),
                "held-out loss": round(metrics.get("heldout_loss", {}).get(name, float("nan")), 4),
                "own training seconds": (metrics.get("optimiser_seconds") or {}).get(name),
                "diverged": "-" if diverged is None else f"at step {diverged}",
            }
        )
    return rows


@torch.no_grad()
def read(trained: TrainedModel, image: np.ndarray) -> dict[str, Any]:
    """A drawn digit through every copy: each one's answer and its probabilities."""
    frame = to_mnist_frame(image)
    inputs = torch.from_numpy(np.ascontiguousarray(frame))[None]
    classes = tuple(trained.config.get("classes", [str(d) for d in range(10)]))
    names = ordered(dict(trained.model.items()))
    probabilities = np.stack(
        [F.softmax(trained.model[name].eval()(inputs), dim=1)[0].numpy() for name in names]
    )
    rows = "\n".join(
        f"| {OPTIMISER_NAMES[name]} | **{classes[int(p.argmax())]}** | {p.max():.0%} |"
        for name, p in zip(names, probabilities, strict=True)
    )
    return {
        "answers": f"| trained with | reads | sure |\n| --- | --- | --- |\n{rows}",
        "seen": frame,
        "probabilities": Heatmap(
            np.round(probabilities, 4),
            classes,
            tuple(OPTIMISER_NAMES[name] for name in names),
            x_title="digit",
            y_title="trained with",
            zmin=0.0,
            zmax=1.0,
        ),
    }


INTERACTIONS = (
    Interaction(
        "paths",
        "Paths on a 2-D surface",
        "Each optimiser walks downhill from the same start on a surface of two weights: its path "
        "over the loss contours (drag the slider to move along the steps), its loss step by step, "
        "and where it ended. Computed in milliseconds with the same update rules as torch.optim.",
        explore_paths,
        inputs=(
            Param(
                "surface",
                "choice",
                "ravine",
                "ravine: steep across, gentle along; rosenbrock: a curved valley; saddle: a ridge "
                "to roll off.",
                choices=tuple(SURFACES),
            ),
            Param(
                "optimisers",
                "multichoice",
                OPTIMISERS,
                "Which optimisers walk: sgd, momentum, nesterov, rmsprop, adam, adamw.",
                choices=OPTIMISERS,
            ),
            sgd_rate(0.1, "Step size of SGD, momentum and Nesterov: the step is this times the gradient."),
            adaptive_rate(
                0.05, "Step size of RMSProp, Adam and AdamW: about how far each coordinate moves per step."
            ),
            momentum_param(0.9),
            weight_decay_param(0.01),
            Param("steps", "int", 500, "How many steps each optimiser takes.", low=1, high=MAX_STEPS),
            Param(
                "own_start",
                "bool",
                False,
                "Start from the point below instead of the surface's usual start.",
                label="Start from my own point",
            ),
            Param(
                "start_x",
                "float",
                -1.0,
                "Where the paths start: x.",
                label="Start x",
                low=-START_LIMIT,
                high=START_LIMIT,
            ),
            Param(
                "start_y",
                "float",
                1.5,
                "Where the paths start: y.",
                label="Start y",
                low=-START_LIMIT,
                high=START_LIMIT,
            ),
        ),
        outputs=(
            Output("summary", "markdown", "What the surface shows"),
            Output(
                "paths",
                "plot",
                "Paths over the loss contours",
                help="Darker is lower loss; each dot is one step; the slider moves each optimiser "
                "to the step it shows.",
            ),
            Output(
                "losses",
                "plot",
                "Loss step by step",
                help="How far above the lowest loss each path is after each step: lower is better.",
            ),
            Output("table", "table", "Where each path ended"),
        ),
        example={"surface": "rosenbrock", "steps": 200},
        needs_model=False,
    ),
    Interaction(
        "curves",
        "Curves side by side",
        "The model's own training record: every copy's training loss and held-out accuracy, all "
        "from the same starting weights, and where each ended.",
        curves,
        outputs=(
            Output("note", "markdown", ""),
            Output(
                "loss",
                "plot",
                "Training loss",
                help="Cross-entropy on the training batches, averaged over stretches of steps: "
                "lower is better.",
            ),
            Output(
                "accuracy",
                "plot",
                "Held-out accuracy",
                help="Share of the 3,604 held-out digits each copy reads right: higher is better.",
            ),
            Output("table", "table", "Where each copy ended"),
        ),
    ),
    Interaction(
        "read",
        "Draw or upload a digit",
        "Every copy reads your digit: the same network, trained by a different optimiser.",
        read,
        inputs=(digit_input(),),
        outputs=(
            Output("answers", "markdown", "Every copy's answer"),
            Output("seen", "image", "What the networks see", size=168),
            Output(
                "probabilities",
                "heatmap",
                "Each copy's probabilities",
                help="How sure each copy is of each digit, from 0 (white) to 1.",
            ),
        ),
        example={"image": example_digit},
    ),
)
