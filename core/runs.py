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
    )


# --- on disk ---------------------------------------------------------------------------------


def save_history(folder: str | Path, history: TrainingHistory) -> None:
    """The curves of a training beside its checkpoint, for `runs compare` later."""
    data = {"steps": history.steps, "epochs": history.epochs, "step": history.step}
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


def overlay(runs: Sequence[Run], metric: str) -> go.Figure:
    """One metric of every run on shared axes (x: epochs), one colour per run."""
    figure = go.Figure()
    for index, run in enumerate(runs):
        series = run.history.epochs.get(metric) or run.history.steps.get(metric) or []
        if not series:
            continue
        x, y = zip(*series, strict=True)
        colour = charts.CLASS_COLOURS[index % len(charts.CLASS_COLOURS)]
        per_epoch = metric in run.history.epochs
        figure.add_scatter(
            x=list(x),
            y=list(y),
            mode="lines+markers" if per_epoch else "lines",
            name=run.label,
            line=dict(color=colour),
        )
    title = f"{charts.metric_title(metric)}: {len(runs)} runs on the same axes"
    figure.update_layout(
        title=title, xaxis_title="epoch", yaxis_title=charts.metric_title(metric), height=340
    )
    return charts.fit_title(figure)
