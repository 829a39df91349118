"""Runs: every training a student (or the CLI) made, and what compares them.

A run is a training's settings (seed included), its data, its curves, its final held-out
figures, how long it took and where its checkpoint is, with a label the student may change.
Two runs of a lab with the same settings and seed start from the same weights and see the
same batches (every lab seeds its model and its data order from the run's seed), so "train
again with one change" is a controlled experiment: the change is the only difference.

The fronts keep a session's runs in memory; the CLI's trainings leave `history.json` beside
their checkpoint, and `python -m core runs list|show|compare` reads them back from disk.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core import charts
from core.history import TrainingHistory
from core.specs import SpecError

HISTORY_FILE = "history.json"


class RunError(SpecError):
    """A run that cannot be read or compared, said plainly (a user error: core.errors)."""


@dataclass
class Run:
    lab: str
    label: str
    params: dict[str, Any]
    metrics: dict[str, Any]
    history: TrainingHistory = field(default_factory=TrainingHistory)
    seconds: float | None = None
    checkpoint: str | None = None
    note: str = ""  # the student's answer to a lesson's question, written before training
    trained: Any = field(default=None, repr=False, compare=False)  # the model, while in memory

    @property
    def seed(self) -> Any:
        return self.params.get("seed")

    def one_change(self) -> dict[str, Any]:
        """The settings to start "train again with one change" from: all of this run's, seed
        included, so the new run starts from the same weights and sees the same batches."""
        return dict(self.params)


def from_job(job: Any, label: str = "", note: str = "") -> Run:
    """A finished (or stopped) training of the runner as a run."""
    metrics = dict(job.result.metrics) if job.result is not None else {}
    history = TrainingHistory()
    history.extend(job.events_since(0))
    return Run(
        lab=job.lab.spec.id,
        label=label or f"run {job.id}",
        params={**job.params, "seed": job.seed},
        metrics=metrics,
        history=history,
        seconds=metrics.get("train_seconds"),
        checkpoint=str(job.checkpoint_dir) if job.checkpoint_dir else None,
        note=note,
        trained=job.result,
    )


MAX_LABEL_CHARS = 60


def with_models(kept: Sequence[Run], labels: Sequence[str]) -> list[Run]:
    """The runs called `labels` that still hold their model, in the order kept: the models an
    interaction runs on side by side."""
    return [run for run in kept if run.label in labels and run.trained is not None]


def relabel(kept: Sequence[Run], run: Run, label: str) -> None:
    """Give `run` the student's own label: one line, short, and not another run's (runs are
    compared by their labels)."""
    label = " ".join(str(label or "").split())
    if not label:
        raise RunError("a run's label cannot be empty")
    if len(label) > MAX_LABEL_CHARS:
        raise RunError(f"keep a run's label under {MAX_LABEL_CHARS} characters ({len(label)} now)")
    if any(other is not run and other.label == label for other in kept):
        raise RunError(f"another run is already called {label!r}")
    run.label = label


# --- on disk ---------------------------------------------------------------------------------


def save_history(folder: str | Path, history: TrainingHistory) -> None:
    """The curves of a training beside its checkpoint, for `runs compare` later."""
    data = {"steps": history.steps, "epochs": history.epochs, "step": history.step, "marks": history.marks}
    (Path(folder) / HISTORY_FILE).write_text(json.dumps(data))


def load_run(folder: str | Path) -> Run:
    """A run from its checkpoint folder (config.json, metrics.json and, if the training left
    one, history.json)."""
    path = Path(folder)
    try:
        config = json.loads((path / "config.json").read_text())
        metrics = json.loads((path / "metrics.json").read_text()) if (path / "metrics.json").is_file() else {}
    except (OSError, ValueError) as error:
        raise RunError(f"{path} is not a run (a checkpoint folder with config.json): {error}") from None
    history = TrainingHistory()
    if (path / HISTORY_FILE).is_file():
        try:
            saved = json.loads((path / HISTORY_FILE).read_text())
            history.steps = {k: [tuple(p) for p in v] for k, v in saved.get("steps", {}).items()}
            history.epochs = {k: [tuple(p) for p in v] for k, v in saved.get("epochs", {}).items()}
            history.step = int(saved.get("step", 0))
            history.marks = [tuple(mark) for mark in saved.get("marks", [])]
        except (ValueError, TypeError, AttributeError) as error:
            raise RunError(f"{path / HISTORY_FILE} is damaged: {error}") from None
    return Run(
        lab=str(config.get("lab", "?")),
        label=path.name,
        params=dict(config.get("params", {})),
        metrics=metrics,
        history=history,
        seconds=metrics.get("train_seconds"),
        checkpoint=str(path),
    )


def list_runs(root: str | Path, lab: str | None = None) -> list[Run]:
    """The runs under `root` (each a checkpoint folder), newest first."""
    folders = [p.parent for p in Path(root).glob("*/config.json")] if Path(root).is_dir() else []
    runs = []
    for folder in sorted(folders, key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            run = load_run(folder)
        except RunError:
            continue  # a half-written or foreign folder is no run
        if lab is None or run.lab == lab:
            runs.append(run)
    return runs


# --- comparing -------------------------------------------------------------------------------


def check_comparable(runs: Sequence[Run]) -> None:
    if len(runs) < 2:
        raise RunError("pick two or more runs to compare")
    labs = {run.lab for run in runs}
    if len(labs) > 1:
        raise RunError(f"runs of different labs do not compare: {', '.join(sorted(labs))}")


def settings_table(runs: Sequence[Run]) -> list[dict[str, Any]]:
    """One row per setting: each run's value, and whether they differ (the change to look at)."""
    names = sorted({name for run in runs for name in run.params})
    rows = []
    for name in names:
        values = [run.params.get(name) for run in runs]
        row = {"setting": name, **{run.label: value for run, value in zip(runs, values, strict=True)}}
        row["differs"] = len({json.dumps(v, sort_keys=True, default=str) for v in values}) > 1
        rows.append(row)
    return sorted(rows, key=lambda row: not row["differs"])  # the differences first


def figures_table(runs: Sequence[Run]) -> list[dict[str, Any]]:
    """The final held-out figures (numbers only) side by side, and each run's seconds."""
    names = sorted(
        {name for run in runs for name, value in run.metrics.items() if isinstance(value, int | float)}
    )
    rows = [
        {"figure": name, **{run.label: run.metrics.get(name) for run in runs}}
        for name in names
        if name.startswith("heldout") or name in ("train_seconds", "steps")
    ]
    return rows


def shared_metrics(runs: Sequence[Run]) -> list[str]:
    """The curves every run has, per-epoch ones first."""
    epoch_sets = [set(run.history.epochs) for run in runs]
    step_sets = [set(run.history.steps) for run in runs]
    epochs = sorted(set.intersection(*epoch_sets)) if epoch_sets else []
    steps = sorted(set.intersection(*step_sets)) if step_sets else []
    return epochs + [name for name in steps if name not in epochs]


X_AXES = ("epochs", "steps", "seconds")


def overlay(runs: Sequence[Run], metric: str, x: str = "epochs") -> go.Figure:
    """One metric of every run on shared axes, one colour per run; `x` is epochs, steps or
    seconds of training (the three tell different stories: a bigger batch takes fewer steps
    per epoch, a bigger model more seconds per step)."""
    if x not in X_AXES:
        raise RunError(f"the x-axis is one of {', '.join(X_AXES)}, not {x!r}")
    figure = go.Figure()
    for index, run in enumerate(runs):
        series = run.history.epochs.get(metric) or run.history.steps.get(metric) or []
        if not series:
            continue
        epochs, y = zip(*series, strict=True)
        colour = charts.CLASS_COLOURS[index % len(charts.CLASS_COLOURS)]
        per_epoch = metric in run.history.epochs
        figure.add_scatter(
            x=along(run, epochs, x),
            y=list(y),
            mode="lines+markers" if per_epoch else "lines",
            name=run.label,
            line=dict(color=colour),
        )
    title = f"{charts.metric_title(metric)}: {len(runs)} runs on the same axes"
    axis_title = {"epochs": "epoch", "steps": "step", "seconds": "seconds of training"}[x]
    figure.update_layout(
        title=title, xaxis_title=axis_title, yaxis_title=charts.metric_title(metric), height=340
    )
    return charts.fit_title(figure)


def along(run: Run, epochs: Sequence[float], x: str) -> list[float]:
    """Epoch positions (whole at an epoch's end, fractional within one) as `x`: steps or
    seconds, read from where each epoch ended (exact at the epochs' ends, linear between)."""
    if x == "epochs":
        return list(epochs)
    column = 1 if x == "steps" else 2
    marks = [(0.0, 0.0)] + [(float(mark[0]), mark[column]) for mark in run.history.marks]
    if any(value is None for _, value in marks) or len(marks) < 2:
        raise RunError(
            f"{run.label} has no record of its {x} per epoch (it was trained before runs kept them, "
            "or stopped in its first epoch): compare it against epochs"
        )
    known_epochs, known = zip(*marks, strict=True)
    rate = known[-1] / known_epochs[-1]  # past the last epoch's end: at the average pace
    return [
        float(np.interp(e, known_epochs, known))
        if e <= known_epochs[-1]
        else known[-1] + (e - known_epochs[-1]) * rate
        for e in epochs
    ]
