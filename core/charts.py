"""Plotly figures and image helpers shared by the Streamlit and Gradio fronts.

Plotly is a charting library, not a UI framework: both fronts show these figures natively
(`st.plotly_chart`, `gr.Plot`), so each chart is written once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.history import TrainingHistory

TRAIN_COLOUR, HELDOUT_COLOUR, ACCENT = "#1f77b4", "#ff7f0e", "#d62728"
SERIES_LABELS = {"train": "train (per step)", "heldout": "held-out (live sample)"}


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = 320) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        height=height,
        margin=dict(l=40, r=10, t=40, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        template="plotly_white",
    )
    return fig


def training_curves(history: TrainingHistory, metric: str = "loss") -> go.Figure:
    """Train metric per step, held-out metric as measured live, and both per epoch."""
    fig = go.Figure()
    train = history.steps.get(metric, [])
    if train:
        x, y = zip(*train, strict=True)
        fig.add_scatter(
            x=x,
            y=y,
            mode="lines",
            name="train (per step)",
            line=dict(color=TRAIN_COLOUR, width=1),
            opacity=0.5,
        )
    live = history.steps.get(f"heldout_{metric}", [])
    if live:
        x, y = zip(*live, strict=True)
        fig.add_scatter(
            x=x,
            y=y,
            mode="lines+markers",
            name="held-out (live sample)",
            line=dict(color=HELDOUT_COLOUR, width=1, dash="dot"),
            marker=dict(size=4),
        )
    # A train epoch figure is a mean over the epoch, so it sits mid-epoch; held-out figures are
    # measured at the epoch's end.
    for prefix, colour, name, shift in (
        ("train", TRAIN_COLOUR, "train (epoch mean)", -0.5),
        ("heldout", HELDOUT_COLOUR, "held-out (epoch end)", 0.0),
    ):
        series = history.epochs.get(f"{prefix}_{metric}", [])
        if series:
            x, y = zip(*((epoch + shift, value) for epoch, value in series), strict=True)
            fig.add_scatter(
                x=x,
                y=y,
                mode="markers+lines",
                name=name,
                line=dict(color=colour, width=3),
                marker=dict(size=9, symbol="diamond"),
            )
    if metric == "accuracy":
        fig.update_yaxes(tickformat=".0%")
    if metric == "loss" and any(v > 0 for _, v in train):
        fig.update_yaxes(type="log", tickformat=".2~g")  # "0.2" rather than plotly's bare "2"
    return _layout(fig, metric.capitalize(), "epoch", metric)


def probability_bars(probabilities: Sequence[float], classes: Sequence[str]) -> go.Figure:
    """The model's ten probabilities, the winner highlighted."""
    probabilities = np.asarray(probabilities, dtype=float)
    winner = int(probabilities.argmax())
    colours = [ACCENT if i == winner else TRAIN_COLOUR for i in range(len(probabilities))]
    fig = go.Figure(
        go.Bar(
            x=list(classes),
            y=probabilities,
            marker_color=colours,
            text=[f"{p:.0%}" if p >= 0.01 else "" for p in probabilities],
            textposition="outside",
        )
    )
    fig.update_yaxes(range=[0, 1.1], tickformat=".0%")
    fig.update_xaxes(type="category")
    return _layout(
        fig,
        f"Prediction: {classes[winner]} ({probabilities[winner]:.1%})",
        "class",
        "probability",
        height=300,
    )


def confusion_heatmap(confusion: np.ndarray, classes: Sequence[str]) -> go.Figure:
    """Rows are the true class, columns the predicted one; counts written in each cell."""
    fig = go.Figure(
        go.Heatmap(
            z=confusion,
            x=list(classes),
            y=list(classes),
            colorscale="Blues",
            texttemplate="%{z}",
            hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return _layout(fig, "Confusion matrix (held-out)", "predicted", "true", height=420)


def upscale(image: np.ndarray, factor: int = 8) -> np.ndarray:
    """Nearest-neighbour enlargement, so a 28x28 frame shows its real pixels."""
    return np.kron(np.asarray(image, dtype=np.float32), np.ones((factor, factor), dtype=np.float32))


def tile(images: np.ndarray, columns: int = 8, pad: int = 1, fill: float = 0.5) -> np.ndarray:
    """(N, H, W) images in [0, 1] -> one grid image, for strips, filters and PNG export."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError("tile expects a non-empty (N, H, W) array")
    count, height, width = images.shape
    columns = max(1, min(columns, count))
    rows = -(-count // columns)
    grid = np.full((rows * (height + pad) + pad, columns * (width + pad) + pad), fill, dtype=np.float32)
    for index, image in enumerate(images):
        r, c = divmod(index, columns)
        top, left = pad + r * (height + pad), pad + c * (width + pad)
        grid[top : top + height, left : left + width] = image
    return grid


def to_uint8(image: np.ndarray) -> np.ndarray:
    return (np.clip(image, 0.0, 1.0) * 255).round().astype(np.uint8)
