"""Plotly figures and image helpers shared by the Streamlit and Gradio fronts.

Plotly is a charting library, not a UI framework: both fronts show these figures natively
(`st.plotly_chart`, `gr.Plot`), so each chart is written once.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas  # noqa: F401  # plotly reads a half-imported pandas in other threads (plotly.py#2433)
import plotly.graph_objects as go
import plotly.io as pio

from core.history import TrainingHistory

# Every chart is drawn on plotly's white theme. Set once as the default rather than per figure:
# assigning a template to a figure validates all of it (about 8 ms a chart), which a class of
# students asking for charts at once would wait for.
pio.templates.default = "plotly_white"

TRAIN_COLOUR, HELDOUT_COLOUR, ACCENT = "#1f77b4", "#ff7f0e", "#d62728"
SERIES_LABELS = {"train": "train (per step)", "heldout": "held-out (live sample)"}


def layout(
    fig: go.Figure, title: str, x: str, y: str, height: int = 320, margin: dict | None = None
) -> go.Figure:
    """The project's chart layout: title, axis titles, height, a legend in a row above the plot;
    the title wrapped to fit a phone."""
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        height=height,
        margin=margin or dict(l=40, r=10, t=40, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return fit_title(fig)


TITLE_CHARACTERS = 46  # a line of title a phone's chart (358 px) holds at 15 px
TITLE_LINE_PX = 20


def fit_title(fig: go.Figure) -> go.Figure:
    """Break a long title into lines and make room for them above the plot. Plotly never wraps
    a title: a long one ran off the chart's edge on a phone, and into the axis titles. Both fronts
    call this on every figure they show, so a lab's own figures get it too; it is idempotent."""
    text = fig.layout.title.text
    if not text or "<br>" in text or len(text) <= TITLE_CHARACTERS:
        return fig
    lines = textwrap.wrap(text, TITLE_CHARACTERS)
    extra = TITLE_LINE_PX * (len(lines) - 1)
    top = fig.layout.margin.t if fig.layout.margin.t is not None else 100  # plotly's default
    fig.update_layout(
        title=dict(text="<br>".join(lines), font_size=15),
        margin_t=top + extra,
    )
    if fig.layout.height:
        fig.update_layout(height=fig.layout.height + extra)
    return fig


ACRONYMS = {"psnr": "PSNR", "kl": "KL", "elbo": "ELBO", "mse": "MSE", "bleu": "BLEU"}


def metric_title(metric: str) -> str:
    """A metric's name as a chart title: "psnr_gain" -> "PSNR gain", "loss" -> "Loss"."""
    words = [ACRONYMS.get(word, word) for word in metric.split("_")]
    title = " ".join(words)
    return title[:1].upper() + title[1:]


def _add_points(fig: go.Figure, points: Sequence[tuple[float, float]], **style: Any) -> None:
    """(x, y) points as one scatter trace drawn in `style`; nothing when there are none."""
    if points:
        x, y = zip(*points, strict=True)
        fig.add_scatter(x=x, y=y, **style)


def training_curves(history: TrainingHistory, metric: str = "loss") -> go.Figure:
    """Train metric per step, held-out metric as measured live, and both per epoch."""
    fig = go.Figure()
    train = history.steps.get(metric, [])
    _add_points(
        fig,
        train,
        mode="lines",
        name="train (per step)",
        line=dict(color=TRAIN_COLOUR, width=1),
        opacity=0.5,
    )
    _add_points(
        fig,
        history.steps.get(f"heldout_{metric}", []),
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
        _add_points(
            fig,
            [(epoch + shift, value) for epoch, value in series],
            mode="markers+lines",
            name=name,
            line=dict(color=colour, width=3),
            marker=dict(size=9, symbol="diamond"),
        )
    if metric == "accuracy":
        fig.update_yaxes(tickformat=".0%")
    if metric == "loss" and any(v > 0 for _, v in train):
        fig.update_yaxes(type="log", tickformat=".2~g")  # "0.2" rather than plotly's bare "2"
    title = metric_title(metric)
    return layout(fig, title, "epoch", title)


SERIES_COLOURS = (TRAIN_COLOUR, HELDOUT_COLOUR, "#2ca02c", "#9467bd")


def series_curves(
    history: TrainingHistory,
    series: Sequence[tuple[str, str]],
    title: str,
    y_title: str,
    *,
    smooth: int = 1,
    reference: tuple[float, str] | None = None,
    unit_range: bool = False,
    colours: Sequence[str] = SERIES_COLOURS,
) -> go.Figure:
    """Several per-step metrics on one chart, `series` as (metric, label) pairs: a GAN's two
    losses, or D's opinion of real and of generated images. With `smooth` > 1 each raw series is
    drawn faintly under its running mean over that many steps, since one step's figure is noisy.
    `reference` draws a dotted horizontal line, e.g. (0.5, "balance"). More than four series
    need more `colours` (CLASS_COLOURS has ten)."""
    fig = go.Figure()
    for (metric, label), colour in zip(series, colours, strict=False):
        points = history.steps.get(metric, [])
        if not points:
            continue
        x, y = (np.asarray(values, dtype=float) for values in zip(*points, strict=True))
        mean = y
        if smooth > 1 and len(y) > 1:
            fig.add_scatter(
                x=x,
                y=y,
                mode="lines",
                name=label,
                line=dict(color=colour, width=1),
                opacity=0.25,
                showlegend=False,
                hoverinfo="skip",
            )
            window = min(smooth, len(y))
            mean = np.convolve(y, np.ones(window) / window, mode="valid")
            mean = np.concatenate([np.cumsum(y[: window - 1]) / np.arange(1, window), mean])
        fig.add_scatter(
            x=x,
            y=mean,
            mode="lines+markers" if len(y) < 30 else "lines",
            name=label,
            line=dict(color=colour, width=2),
            marker=dict(size=5),
        )
    if reference is not None:
        fig.add_hline(
            y=reference[0], line=dict(color="grey", dash="dot", width=1), annotation_text=reference[1]
        )
    if unit_range:
        fig.update_yaxes(range=[0, 1.02])
    return layout(fig, title, "epoch", y_title)


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
    return layout(
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
    return layout(fig, "Confusion matrix (held-out)", "predicted", "true", height=420)


CLASS_COLOURS = (  # ten distinguishable colours (Plotly's D3 palette), one per class
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def class_scatter(
    points: np.ndarray,
    labels: Sequence[int],
    classes: Sequence[str],
    *,
    title: str,
    x_title: str = "x",
    y_title: str = "y",
    overlays: Sequence[tuple[str, np.ndarray]] = (),
    height: int = 480,
) -> go.Figure:
    """2-D points coloured by class, one legend entry per class (a click on it hides the class).

    Each point carries its row number in `customdata`, so a clicked point can be looked up.
    `overlays` are named (K, 2) point sets drawn on top as large black markers, joined by a line
    when K > 1 (a drawn digit, a path between two codes).
    """
    points = np.asarray(points, dtype=float)
    labels = np.asarray(labels)
    fig = go.Figure()
    for index, name in enumerate(classes):
        rows = np.flatnonzero(labels == index)
        if len(rows) == 0:
            continue
        fig.add_scatter(
            x=points[rows, 0].tolist(),  # plain lists: typed arrays lose points in some plotly.js
            y=points[rows, 1].tolist(),
            mode="markers",
            name=str(name),
            customdata=rows.tolist(),
            marker=dict(size=5, color=CLASS_COLOURS[index % len(CLASS_COLOURS)], opacity=0.7),
            hovertemplate=f"{name}<br>({x_title} %{{x:.2f}}, {y_title} %{{y:.2f}})<extra></extra>",
        )
    symbols = ("star", "x", "diamond", "cross")
    for number, (name, overlay) in enumerate(overlays):
        overlay = np.asarray(overlay, dtype=float).reshape(-1, 2)
        fig.add_scatter(
            x=overlay[:, 0],
            y=overlay[:, 1],
            mode="lines+markers" if len(overlay) > 1 else "markers",
            name=name,
            line=dict(color="black", width=2),
            marker=dict(size=14, color="black", symbol=symbols[number % len(symbols)], line=dict(width=1)),
            hovertemplate=f"{name}<br>({x_title} %{{x:.2f}}, {y_title} %{{y:.2f}})<extra></extra>",
        )
    fig.update_yaxes(scaleanchor="x", scaleratio=1)  # equal units: distances read true
    layout(fig, title, x_title, y_title, height=height)
    # One entry per class, in a column beside the plot, where it cannot cover the title.
    fig.update_layout(legend=dict(orientation="v", x=1.02, y=1.0, yanchor="top", itemsizing="constant"))
    return fig


def upscale(image: np.ndarray, factor: int = 8) -> np.ndarray:
    """Nearest-neighbour enlargement, so a 28x28 frame shows its real pixels (grey (H, W) or
    colour (H, W, 3): only the two pixel axes grow)."""
    return np.asarray(image, dtype=np.float32).repeat(factor, axis=0).repeat(factor, axis=1)


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


def matrix_heatmap(
    matrix: np.ndarray, title: str, x_title: str, y_title: str, *, height: int = 320
) -> go.Figure:
    """A matrix of signed values (hidden states, weights) as a heatmap centred on 0: red is
    positive, blue negative, white zero, so the sign reads at a glance."""
    matrix = np.asarray(matrix, dtype=float)
    fig = go.Figure(
        go.Heatmap(
            z=matrix.tolist(),
            x=list(range(1, matrix.shape[1] + 1)),
            y=list(range(1, matrix.shape[0] + 1)),
            colorscale="RdBu",
            reversescale=True,
            zmid=0,
            hovertemplate=f"{x_title} %{{x}}, {y_title} %{{y}}: %{{z:.2f}}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return layout(fig, title, x_title, y_title, height=height)


def word_heatmap(
    weights: np.ndarray,
    rows: Sequence[str],
    columns: Sequence[str],
    title: str,
    *,
    x_title: str = "keys",
    y_title: str = "queries",
    value_format: str = ".2f",
    zmax: float | None = 1.0,
) -> go.Figure:
    """Attention weights (rows attend over columns) with each cell's value written in it.

    The axes are positions labelled with the words, so a word that appears twice ("the ... the")
    keeps two rows instead of plotly merging them into one category. Masked cells (NaN) stay
    blank. `zmax` fixes the colour scale (1 for weights) so two heatmaps compare by eye."""
    weights = np.asarray(weights, dtype=float)
    text = [["" if np.isnan(v) else format(v, value_format) for v in row] for row in weights]
    fig = go.Figure(
        go.Heatmap(
            z=np.where(np.isnan(weights), None, weights).tolist(),
            x=list(range(len(columns))),
            y=list(range(len(rows))),
            colorscale="Blues",
            zmin=0.0 if zmax is not None else None,
            zmax=zmax,
            text=text,
            texttemplate="%{text}" if weights.size <= 400 else None,  # too many cells to read
            customdata=[[f"{r} → {c}" for c in columns] for r in rows],
            hovertemplate="%{customdata}: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(tickvals=list(range(len(columns))), ticktext=list(columns), side="top", tickangle=-45)
    fig.update_yaxes(tickvals=list(range(len(rows))), ticktext=list(rows), autorange="reversed")
    height = max(260, 60 + 28 * len(rows))
    return layout(fig, title, x_title, y_title, height=height, margin=dict(l=80, r=10, t=90, b=20))


def attention_grid(
    weights: np.ndarray, rows: Sequence[str], columns: Sequence[str], title: str, *, row_name: str = "layer"
) -> go.Figure:
    """(layers, heads, R, C) attention weights as small multiples, one heatmap per layer (down)
    and head (across), on one colour scale from 0 to 1, so the heads compare at a glance.

    The grid's axes are laid out here in one layout, not with plotly's make_subplots and an
    update per panel: that took most of a translation's time (about 80 of 90 ms)."""
    weights = np.asarray(weights, dtype=float)
    layers, heads = weights.shape[:2]
    labels = [[f"{r} → {c}" for c in columns] for r in rows]
    x_ticks = dict(tickvals=list(range(len(columns))), ticktext=list(columns), tickangle=-60, tickfont_size=9)
    y_ticks = dict(
        tickvals=list(range(len(rows))), ticktext=list(rows), autorange="reversed", tickfont_size=9
    )
    x_spans, y_spans = _spans(heads, 0.03), _spans(layers, 0.12)[::-1]  # layer 1 on top
    traces, axes, titles = [], {}, []
    for layer in range(layers):
        for head in range(heads):
            n = layer * heads + head + 1
            suffix = "" if n == 1 else str(n)
            traces.append(
                go.Heatmap(
                    z=weights[layer, head].tolist(),
                    colorscale="Blues",
                    zmin=0.0,
                    zmax=1.0,
                    showscale=n == 1,
                    customdata=labels,
                    hovertemplate="%{customdata}: %{z:.3f}<extra></extra>",
                    xaxis=f"x{suffix}",
                    yaxis=f"y{suffix}",
                )
            )
            axes[f"xaxis{suffix}"] = dict(domain=x_spans[head], anchor=f"y{suffix}", **x_ticks)
            axes[f"yaxis{suffix}"] = dict(
                domain=y_spans[layer], anchor=f"x{suffix}", showticklabels=head == 0, **y_ticks
            )
            titles.append(
                dict(
                    text=f"{row_name} {layer + 1}, head {head + 1}",
                    x=sum(x_spans[head]) / 2,
                    y=y_spans[layer][1],
                    xref="paper",
                    yref="paper",
                    xanchor="center",
                    yanchor="bottom",
                    showarrow=False,
                    font_size=12,
                )
            )
    fig = go.Figure(traces, axes | {"annotations": titles})
    height = layers * max(220, 40 + 16 * len(rows)) + 80
    layout(fig, title, "", "", height=height)
    return fig


def _spans(count: int, spacing: float) -> list[tuple[float, float]]:
    """`count` equal spans of [0, 1] in order, `spacing` apart: subplot domains."""
    width = (1 - spacing * (count - 1)) / count
    return [(i * (width + spacing), i * (width + spacing) + width) for i in range(count)]


def per_model_curves(
    history: TrainingHistory,
    models: Sequence[tuple[str, str]],
    metric: str,
    title: str,
    y_title: str,
    *,
    smooth: int = 1,
) -> go.Figure:
    """Several models trained side by side, one colour each: `models` as (name, label) pairs and
    `metric` a pattern such as "heldout_{name}_accuracy". Its per-step points are drawn as in
    `series_curves`, and its per-epoch points, where the history has them, as diamonds (a short
    run may have no live point yet but always has its epoch end)."""
    series = [(metric.format(name=name), label) for name, label in models]
    fig = series_curves(history, series, title, y_title, smooth=smooth, colours=CLASS_COLOURS)
    for (name, label), colour in zip(models, CLASS_COLOURS, strict=False):
        _add_points(
            fig,
            history.epochs.get(metric.format(name=name), []),
            mode="markers",
            name=f"{label} (epoch end)",
            marker=dict(size=10, symbol="diamond", color=colour),
        )
    return fig


def picture(image: np.ndarray, size: int = 224) -> np.ndarray:
    """A [0, 1] image (grey or RGB) enlarged by whole pixels to about `size` on its longer side,
    as 8-bit: a browser's smooth scaling would blur a 28x28 digit."""
    image = np.asarray(image, dtype=np.float32)
    factor = max(1, round(size / max(image.shape[:2])))
    return to_uint8(image.repeat(factor, axis=0).repeat(factor, axis=1))


def labelled_heatmap(
    values: np.ndarray,
    x: Sequence[str],
    y: Sequence[str],
    title: str,
    *,
    x_title: str = "",
    y_title: str = "",
    zmin: float | None = None,
    zmax: float | None = None,
    signed: bool = False,
) -> go.Figure:
    """Any matrix with labelled rows and columns. Positions, not categories, on the axes, so a
    label that comes twice keeps its own row; each value written in its cell when they are few;
    `signed` values on a red-white-blue scale centred on 0, others on a blue one (fixed by
    `zmin`/`zmax` where given, so two maps compare by eye). The height grows with the rows, up
    to a screen."""
    values = np.asarray(values, dtype=float)
    rows, columns = values.shape
    text = [["" if np.isnan(v) else f"{v:.2f}" for v in row] for row in values]
    fig = go.Figure(
        go.Heatmap(
            z=np.where(np.isnan(values), None, values).tolist(),
            x=list(range(columns)),
            y=list(range(rows)),
            colorscale="RdBu" if signed else "Blues",
            reversescale=signed,
            zmid=0 if signed else None,
            zmin=zmin,
            zmax=zmax,
            text=text,
            texttemplate="%{text}" if values.size <= 400 else None,  # too many cells to read
            customdata=[[f"{r} → {c}" for c in x] for r in y],
            hovertemplate="%{customdata}: %{z:.3f}<extra></extra>",
        )
    )
    step = max(1, columns // 40), max(1, rows // 40)  # at most 40 tick labels an axis
    fig.update_xaxes(tickvals=list(range(0, columns, step[0])), ticktext=list(x)[:: step[0]], tickangle=-45)
    fig.update_yaxes(
        tickvals=list(range(0, rows, step[1])), ticktext=list(y)[:: step[1]], autorange="reversed"
    )
    height = min(720, max(260, 80 + 24 * rows))
    return layout(fig, title, x_title, y_title, height=height, margin=dict(l=80, r=10, t=60, b=60))
