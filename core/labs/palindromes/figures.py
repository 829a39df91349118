"""The palindromes lab's charts: accuracy against T (one run, or median and range over seeds),
a gate per unit and step, and the live curves of a sweep in training (plotly figures, shown
natively by both fronts)."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from core import sequence_charts
from core.charts import SERIES_COLOURS, layout
from core.history import TrainingHistory
from core.interactions import Heatmap
from core.labs.palindromes.model import CELL_NAMES, CELLS
from core.labs.palindromes.train import CHANCE, over_seeds

GATE_TITLES = {
    "forget": "Forget gate f: how much of the cell is kept (near 1 = remember)",
    "input": "Input gate i: how much new content is written",
    "cell": "Cell candidate g: the content on offer",
    "output": "Output gate o: how much of the cell is shown",
    "cell state": "Cell state c: the memory itself",
    "rnn hidden": "The vanilla RNN's hidden state h, for comparison",
}
GATE_VIEWS = tuple(GATE_TITLES)


def accuracy_figure(rows: list[dict[str, Any]], title: str = "Held-out accuracy against palindrome length T"):
    """Accuracy vs T of both models, from a checkpoint's rows or a training's finished lengths."""
    series = {CELL_NAMES[cell]: [(row["length"], row[cell]) for row in rows] for cell in CELLS}
    return sequence_charts.accuracy_by_length(
        series, title=title, x_title="palindrome length T", chance=CHANCE
    )


def _translucent(colour: str, alpha: float = 0.18) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def seeds_figure(summary: list[dict[str, Any]], title: str = "") -> go.Figure:
    """Accuracy vs T over several seeds: each model's median as a line, and the range from its
    worst to its best seed as a band, so a student sees how reliable each model is."""
    count = max((row["seeds"] for row in summary), default=0)
    title = title or f"Held-out accuracy against palindrome length T: median and range over {count} seeds"
    fig = go.Figure()
    lengths = [row["length"] for row in summary]
    for cell, colour in zip(CELLS, SERIES_COLOURS, strict=False):
        name = CELL_NAMES[cell]
        fig.add_scatter(
            x=lengths + lengths[::-1],
            y=[row[f"{cell}_max"] for row in summary] + [row[f"{cell}_min"] for row in summary][::-1],
            fill="toself",
            fillcolor=_translucent(colour),
            line=dict(width=0),
            hoverinfo="skip",
            name=f"{name}: range over seeds",
            legendgroup=cell,
        )
        fig.add_scatter(
            x=lengths,
            y=[row[f"{cell}_median"] for row in summary],
            customdata=[
                [row[f"{cell}_min"], row[f"{cell}_max"], row[f"{cell}_learnt"], row["seeds"]]
                for row in summary
            ],
            mode="lines+markers",
            name=f"{name}: median",
            legendgroup=cell,
            line=dict(color=colour, width=2),
            marker=dict(size=7),
            hovertemplate=(
                f"{name}, T = %{{x}}<br>median %{{y:.1%}}, range %{{customdata[0]:.1%}} to "
                "%{customdata[1]:.1%}<br>100% in %{customdata[2]} of %{customdata[3]} seeds<extra></extra>"
            ),
        )
    fig.add_hline(y=CHANCE, line=dict(color="grey", dash="dot", width=1), annotation_text="chance")
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    fig.update_xaxes(dtick=5 if len(lengths) > 12 else 1 if len(lengths) > 1 else None)
    return layout(fig, title, "palindrome length T", "held-out accuracy")


def gate_heatmap(values: np.ndarray, view: str, prefix: str, units: np.ndarray) -> Heatmap:
    """One view (steps, units) for the chosen units, as rows of units and columns of steps, each
    column labelled with the digit read there. Gates live in [0, 1]; the candidate, the cell state
    and the RNN's state are signed."""
    return Heatmap(
        np.asarray(values[:, units].T, dtype=float),
        x=tuple(f"{t + 1}: {digit}" for t, digit in enumerate(prefix)),
        y=tuple(f"unit {u}" for u in units),
        title=GATE_TITLES[view],
        x_title="step: digit read",
        y_title="hidden unit",
    )


def finished_rows(history: TrainingHistory) -> list[dict[str, Any]]:
    """The lengths a running training has finished, as rows like a checkpoint's (with the seed
    in a several-seeds run)."""
    lengths = history.epochs.get("length", [])
    seeds = dict(history.epochs.get("seed", []))
    held = {cell: dict(history.epochs.get(f"heldout_{cell}_accuracy", [])) for cell in CELLS}
    return [
        {
            "length": int(t),
            **({"seed": int(seeds[i])} if i in seeds else {}),
            **{cell: held[cell][i] for cell in CELLS},
        }
        for i, t in lengths
        if all(i in held[cell] for cell in CELLS)
    ]


def live_accuracy_figure(history: TrainingHistory) -> go.Figure | None:
    """Accuracy vs T as lengths finish: one run's lines, or, once a several-seeds run has
    finished lengths of a second seed, the median and range over the seeds finished there."""
    rows = finished_rows(history)
    if not rows:
        return None
    seeds = sorted({row.get("seed", 0) for row in rows})
    if len(seeds) == 1:
        return accuracy_figure(rows, "Held-out accuracy against T, as each length finishes")
    runs = [{"seed": seed, "lengths": [row for row in rows if row.get("seed", 0) == seed]} for seed in seeds]
    return seeds_figure(over_seeds(runs), f"Held-out accuracy against T over the seeds so far ({len(seeds)})")


def current_length_curves(history: TrainingHistory) -> tuple[Any, Any]:
    """Loss and held-out accuracy of both models at the length being trained now (or last),
    against the step at that length."""
    lengths = dict(history.steps.get("length", []))
    seeds = dict(history.steps.get("seed", []))  # several seeds: the same length comes back
    steps = dict(history.steps.get("length_step", []))
    current = history.steps["length"][-1][1] if lengths else None
    seed = history.steps["seed"][-1][1] if seeds else None

    def points(name: str) -> list[tuple[float, float]]:
        return [
            (steps[x], v)
            for x, v in history.steps.get(name, [])
            if lengths.get(x) == current and seeds.get(x) == seed
        ]

    where = f" at T = {current:g}" if current is not None else ""
    where += f", seed {seed:g}" if seed is not None else ""
    loss = sequence_charts.step_curves(
        {CELL_NAMES[cell]: points(f"{cell}_loss") for cell in CELLS},
        title=f"Training loss{where}",
        y_title="cross-entropy",
        x_title="step at this length",
        log_y=True,
    )
    held = sequence_charts.step_curves(
        {CELL_NAMES[cell]: points(f"heldout_{cell}_accuracy") for cell in CELLS},
        title=f"Held-out accuracy{where}",
        y_title="accuracy",
        x_title="step at this length",
        unit_range=True,
    )
    return loss, held
