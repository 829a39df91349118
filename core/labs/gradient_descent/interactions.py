"""What a student does in the gradient descent lab: the three ways' loss against epochs, updates
and seconds, and the noise of a mini-batch gradient as the batch grows."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import torch
import torch.nn.functional as F

from core import charts
from core.data import DataUnavailableError, training_data
from core.interactions import Interaction, Output
from core.labs.base import TrainedModel
from core.labs.gradient_descent.spec import METHOD_NAMES, METHODS
from core.labs.gradient_descent.train import ordered
from core.specs import Param, SpecError

AXES = {
    "epoch": ("epoch (digits seen / 12,000)", "Loss against epochs: what each digit read is worth"),
    "updates": ("updates (gradient evaluations)", "Loss against updates: what each step is worth"),
    "seconds": ("own seconds", "Loss against seconds: what you wait for"),
}
SAMPLE = 4096  # training digits whose full gradient the mini-batch gradients are compared with
DRAWS = 40  # mini-batches drawn at the chosen batch size
CURVE_DRAWS = 12  # ... and at each size of the error curve
SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


def colours() -> dict[str, str]:
    return dict(zip(METHODS, charts.CLASS_COLOURS, strict=False))


def curve_figures(curves: dict[str, dict[str, list[float]]]) -> dict[str, go.Figure]:
    """The loss on the fixed training sample against each of the three x-axes, one line per way.
    Batch GD's loss only moves when it updates: against updates it is a point per update."""
    figures = {}
    for axis, (title, heading) in AXES.items():
        figure = go.Figure()
        for name in ordered(curves):
            x, loss = curves[name][axis], curves[name]["loss"]
            if axis == "updates":  # one point per update (the last loss measured at that count),
                # none at 0 updates: a log axis has no 0 (the start is the dotted line)
                last = {}
                for updates, value in zip(x, loss, strict=True):
                    if updates > 0:
                        last[updates] = value
                x, loss = list(last), list(last.values())
            figure.add_scatter(
                x=x,
                y=loss,
                mode="lines+markers" if len(x) < 30 else "lines",
                name=METHOD_NAMES[name],
                line=dict(color=colours()[name], width=2),
            )
        if axis == "updates":
            figure.update_xaxes(type="log")  # 1 to tens of thousands of updates
            start = next((curves[name]["loss"][0] for name in ordered(curves) if curves[name]["loss"]), None)
            if start is not None:
                figure.add_hline(
                    y=start,
                    line=dict(color="grey", dash="dot", width=1),
                    annotation_text="the start, all three",
                )
        figure.update_yaxes(type="log", tickformat=".2~g", dtick="D2")  # 1, 2, 5 only: readable
        figure.update_layout(
            title=heading,
            xaxis_title=title,
            yaxis_title="loss on 1,024 training digits",
            height=320,
            legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        )
        figures[axis] = figure
    return figures


def curves(trained: TrainedModel) -> dict[str, Any]:
    record = trained.metrics.get("curves") or {}
    if not ordered(record):
        raise SpecError("This model has no training curves recorded: train one in this lab.")
    figures = curve_figures(record)
    rows = []
    for name in ordered(record):
        rows.append(
            {
                "way": METHOD_NAMES[name],
                "held-out accuracy (%)": round(100 * trained.metrics["heldout_accuracy"][name], 2),
                "updates": trained.metrics["updates"][name],
                "own seconds": trained.metrics["method_seconds"][name],
            }
        )
    params = trained.config.get("params", {})
    note = (
        f"Every copy started from the same weights and read the same digits in the same order, with "
        f"learning rate {params.get('learning_rate')} and momentum {params.get('momentum')}; the "
        f"mini-batch copy took batches of {params.get('batch_size')}."
    )
    return {
        "note": note,
        "epoch": figures["epoch"],
        "updates": figures["updates"],
        "seconds": figures["seconds"],
        "table": rows,
    }


# --- the noise of a mini-batch gradient --------------------------------------------------------


def flat_gradient(model: torch.nn.Module, inputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The gradient of the mean loss on these examples, as one vector."""
    model.zero_grad(set_to_none=True)
    F.cross_entropy(model(inputs), labels).backward()
    return torch.cat([p.grad.reshape(-1) for p in model.parameters()])


def mini_batch_gradients(model, inputs, labels, size: int, draws: int, generator) -> torch.Tensor:
    return torch.stack(
        [
            flat_gradient(model, inputs[index], labels[index])
            for index in (torch.randperm(len(labels), generator=generator)[:size] for _ in range(draws))
        ]
    )


def noise(trained: TrainedModel, weights: str, batch_size: int, seed: int) -> dict[str, Any]:
    """Mini-batch gradients of `batch_size` digits against the gradient of 4,096: how far off
    they point, drawn as a cloud, and how the error shrinks as the batch grows."""
    if weights not in dict(trained.model.items()):
        trained_ways = ", ".join(ordered(dict(trained.model.items())))
        raise SpecError(f"Weights: this model has no {weights} copy; it has: {trained_ways}")
    try:
        data = training_data(trained.config)
    except DataUnavailableError as error:
        raise SpecError(f"The training digits are not available here: {error}") from None
    generator = torch.Generator().manual_seed(seed)
    index = torch.randperm(len(data.train_labels), generator=generator)[:SAMPLE]
    inputs, labels = data.train_images[index].float().div(255), data.train_labels[index]
    model = trained.model[weights]
    model.eval()
    full = flat_gradient(model, inputs, labels)
    length = full.norm()
    direction = full / length
    other = torch.randn(full.shape, generator=generator, dtype=full.dtype)  # a fixed sideways direction
    other = other - (other @ direction) * direction
    other = other / other.norm()

    errors = []
    for size in SIZES:
        draws = mini_batch_gradients(model, inputs, labels, size, CURVE_DRAWS, generator)
        errors.append(float(((draws - full).norm(dim=1) / length).mean()))
    chosen = mini_batch_gradients(model, inputs, labels, batch_size, DRAWS, generator)
    along = (chosen @ direction / length).numpy()
    across = (chosen @ other / length).numpy()
    cosine = (chosen @ direction / chosen.norm(dim=1).clamp_min(1e-12)).numpy()
    model.zero_grad(set_to_none=True)

    cloud = go.Figure()
    cloud.add_scatter(
        x=np.round(along, 4).tolist(),
        y=np.round(across, 4).tolist(),
        mode="markers",
        name=f"{DRAWS} mini-batches of {batch_size}",
        marker=dict(size=8, color=charts.CLASS_COLOURS[1], opacity=0.7),
    )
    cloud.add_scatter(
        x=[1.0],
        y=[0.0],
        mode="markers",
        name="the full gradient",
        marker=dict(symbol="star", size=16, color="gold"),
    )
    cloud.add_scatter(
        x=[0.0], y=[0.0], mode="markers", name="no step", marker=dict(symbol="x", size=10, color="black")
    )
    cloud.update_layout(
        title=f"Mini-batch gradients of {batch_size} digits, in units of the full gradient",
        xaxis_title="along the full gradient",
        yaxis_title="across it (a fixed random direction)",
        height=380,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    cloud.update_yaxes(scaleanchor="x", scaleratio=1)

    shrink = go.Figure()
    shrink.add_scatter(x=list(SIZES), y=[round(e, 4) for e in errors], mode="lines+markers", name="measured")
    reference = [errors[0] / np.sqrt(size) for size in SIZES]
    shrink.add_scatter(
        x=list(SIZES),
        y=[round(r, 4) for r in reference],
        mode="lines",
        name="1/√b from b = 1",
        line=dict(dash="dot"),
    )
    shrink.add_vline(x=batch_size, line=dict(color="grey", dash="dash"))
    shrink.update_xaxes(type="log", title="batch size b")
    shrink.update_yaxes(type="log", title="error / length of the full gradient")
    shrink.update_layout(title="How far off a mini-batch gradient is, by batch size", height=340)

    mean_angle = float(np.degrees(np.arccos(np.clip(cosine, -1, 1))).mean())
    error = float(((chosen - full).norm(dim=1) / length).mean())
    plural = "s" * (batch_size != 1)
    summary = (
        f"With **{batch_size}** digit{plural} per batch ({METHOD_NAMES[weights]} copy's weights), a "
        f"mini-batch gradient points on average **{mean_angle:.0f}°** away from the gradient of "
        f"{SAMPLE:,} digits, and its error is **{error:.1f}x** the full gradient's length. Four "
        "times the batch halves the error (1/√b): the noise that makes stochastic GD's loss jump."
    )
    return {"summary": summary, "cloud": cloud, "shrink": shrink}


INTERACTIONS = (
    Interaction(
        "curves",
        "Three x-axes",
        "The loss of every way on the same 1,024 training digits, against epochs, against updates "
        "and against seconds: each axis tells a different story.",
        curves,
        outputs=(
            Output("note", "markdown", ""),
            Output(
                "epoch",
                "plot",
                "Against epochs",
                help="Digits seen: stochastic GD learns most from each digit.",
            ),
            Output(
                "updates",
                "plot",
                "Against updates",
                help="Steps taken: batch GD takes one an epoch, stochastic GD 12,000.",
            ),
            Output(
                "seconds",
                "plot",
                "Against seconds",
                help="Time waited: a step on 64 digits costs about twice a step on one.",
            ),
            Output("table", "table", "Where each way ended"),
        ),
    ),
    Interaction(
        "noise",
        "Gradient noise",
        "Draw mini-batches of training digits and compare their gradients with the gradient of "
        "4,096 digits: how far off a small batch points, and how the error shrinks as it grows.",
        noise,
        inputs=(
            Param(
                "weights",
                "choice",
                "mini-batch",
                "Whose weights to take the gradients at: the batch, mini-batch or stochastic copy.",
                choices=METHODS,
            ),
            Param("batch_size", "int", 16, "Digits per mini-batch.", label="Batch size", low=1, high=1024),
            Param("seed", "int", 0, "Which mini-batches are drawn.", low=0, high=2**31 - 1),
        ),
        outputs=(
            Output("summary", "markdown", "How noisy"),
            Output(
                "cloud",
                "plot",
                "Mini-batch gradients",
                help="Each dot is one mini-batch's gradient; the star is the full gradient: the "
                "tighter the cloud, the less noise.",
            ),
            Output(
                "shrink",
                "plot",
                "Error by batch size",
                help="Lower is less noise; the dotted line falls as 1/√b.",
            ),
        ),
        example={"batch_size": 8},
        live=False,
    ),
)
