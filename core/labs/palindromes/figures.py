"""The palindromes lab's charts: accuracy against T, a gate per unit and step, and the live
curves of a sweep in training (plotly figures, shown natively by both fronts)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import sequence_charts
from core.history import TrainingHistory
from core.interactions import Heatmap
from core.labs.palindromes.model import CELL_NAMES, CELLS
from core.labs.palindromes.train import CHANCE

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
    """The lengths a running training has finished, as rows like a checkpoint's."""
    lengths = history.epochs.get("length", [])
    held = {cell: dict(history.epochs.get(f"heldout_{cell}_accuracy", [])) for cell in CELLS}
    return [
        {"length": int(t), **{cell: held[cell][i] for cell in CELLS}}
        for i, t in lengths
        if all(i in held[cell] for cell in CELLS)
    ]


def current_length_curves(history: TrainingHistory) -> tuple[Any, Any]:
    """Loss and held-out accuracy of both models at the length being trained now (or last),
    against the step at that length."""
    lengths = dict(history.steps.get("length", []))
    steps = dict(history.steps.get("length_step", []))
    current = history.steps["length"][-1][1] if lengths else None

    def points(name: str) -> list[tuple[float, float]]:
        return [(steps[x], v) for x, v in history.steps.get(name, []) if lengths.get(x) == current]

    where = f" at T = {current:g}" if current is not None else ""
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
