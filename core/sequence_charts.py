"""Plotly figures of the sequence labs (palindromes, binary addition), for both fronts: accuracy
against sequence length, several models' curves on one chart, and per-step heatmaps of what a
recurrent network did."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from core.charts import ACCENT, SERIES_COLOURS, layout


def accuracy_by_length(
    series: Mapping[str, Sequence[tuple[int, float]]],
    *,
    title: str,
    x_title: str = "length",
    chance: float | None = None,
    marks: Sequence[int] = (),
) -> go.Figure:
    """One line per named series of (length, accuracy) points, a dotted chance line, and shaded
    `marks` (e.g. the training length) so the reader sees where the model was trained."""
    fig = go.Figure()
    for (name, points), colour in zip(series.items(), SERIES_COLOURS, strict=False):
        if not points:
            continue
        x, y = zip(*sorted(points), strict=True)
        fig.add_scatter(
            x=list(x),
            y=list(y),
            mode="lines+markers",
            name=name,
            line=dict(color=colour, width=2),
            marker=dict(size=7),
            hovertemplate=f"{name}<br>{x_title} %{{x}}: %{{y:.1%}}<extra></extra>",
        )
    if chance is not None:
        fig.add_hline(y=chance, line=dict(color="grey", dash="dot", width=1), annotation_text="chance")
    for mark in marks:
        fig.add_vrect(x0=mark - 0.5, x1=mark + 0.5, fillcolor="grey", opacity=0.15, line_width=0)
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    fig.update_xaxes(dtick=5 if len({x for pts in series.values() for x, _ in pts}) > 12 else 1)
    return layout(fig, title, x_title, "held-out accuracy")


def step_curves(
    series: Mapping[str, Sequence[tuple[float, float]]],
    *,
    title: str,
    y_title: str,
    x_title: str = "step",
    log_y: bool = False,
    unit_range: bool = False,
) -> go.Figure:
    """Several models' per-step curves on one chart: each name's (x, value) points."""
    fig = go.Figure()
    for (name, points), colour in zip(series.items(), SERIES_COLOURS, strict=False):
        if not points:
            continue
        x, y = zip(*points, strict=True)
        fig.add_scatter(
            x=list(x),
            y=list(y),
            mode="lines+markers" if len(points) < 30 else "lines",
            name=name,
            line=dict(color=colour, width=2),
            marker=dict(size=5),
        )
    if log_y:
        fig.update_yaxes(type="log", tickformat=".2~g")
    if unit_range:
        fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    return layout(fig, title, x_title, y_title)


def step_heatmap(
    values: np.ndarray,
    step_labels: Sequence[str],
    *,
    title: str,
    value_range: tuple[float, float] = (0.0, 1.0),
    colorscale: str = "Viridis",
    row_labels: Sequence[str] | None = None,
    height: int = 300,
) -> go.Figure:
    """A (rows, steps) matrix, e.g. one gate's value for each hidden unit at each step; each
    column is labelled by what the network read at that step."""
    values = np.asarray(values, dtype=float)
    rows = list(row_labels) if row_labels is not None else [f"unit {i}" for i in range(len(values))]
    columns = [f"{t + 1}: {label}" for t, label in enumerate(step_labels)]
    fig = go.Figure(
        go.Heatmap(
            z=values.round(3).tolist(),
            x=columns,
            y=rows,
            zmin=value_range[0],
            zmax=value_range[1],
            colorscale=colorscale,
            hovertemplate="step %{x}, %{y}: %{z:.2f}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", tickangle=0)
    fig.update_yaxes(type="category", autorange="reversed", showticklabels=len(rows) <= 24)
    return layout(fig, title, "step: digit read", "", height=height)


def bit_confidences(
    bits: Sequence[int], confidences: Sequence[float], wrong: Sequence[int], title: str
) -> go.Figure:
    """One bar per output bit, most significant on the left as numbers are written: the model's
    confidence in the bit it gave, with the bit on the bar and wrong bits in red. `bits`,
    `confidences` and `wrong` (positions) count from the least significant bit."""
    order = list(range(len(bits)))[::-1]
    wrong_set = set(wrong)
    fig = go.Figure(
        go.Bar(
            x=[f"2^{i}" for i in order],
            y=[confidences[i] for i in order],
            text=[str(bits[i]) for i in order],
            textposition="inside",
            textfont=dict(size=18),
            marker_color=[ACCENT if i in wrong_set else SERIES_COLOURS[0] for i in order],
            hovertemplate="%{x}: bit %{text}, confidence %{y:.1%}<extra></extra>",
        )
    )
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    fig.update_xaxes(type="category")
    return layout(fig, title, "bit of the sum", "confidence", height=300)
