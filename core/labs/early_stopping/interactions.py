"""What a student does with an early-stopped model: read its curve with the stop point and the
restored epoch marked, list its epoch checkpoints, and load one epoch to score it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import torch

from core import charts
from core.checkpoints import CheckpointError
from core.data import training_data
from core.interactions import Interaction, Output
from core.labs.base import TrainedModel
from core.labs.early_stopping import epochs as epoch_store
from core.labs.early_stopping.model import DigitMLP
from core.labs.early_stopping.train import heldout_split
from core.specs import Param, SpecError
from core.training import TensorSplit, evaluate_classifier

FIGURES = {"loss": "Loss (cross-entropy)", "accuracy": "Accuracy"}
MONITOR_NAMES = {"validation_loss": "validation loss", "validation_accuracy": "validation accuracy"}
MAX_MISTAKES = 24


def curve_figure(
    curve: dict[str, list[float]],
    figure: str = "loss",
    best_epoch: int | None = None,
    stopped_epoch: int | None = None,
    kept_epoch: int | None = None,
) -> go.Figure:
    """Training and validation `figure` per epoch, with the best epoch, the epoch where the rule
    stopped and the epoch whose weights were kept marked, and the patience window shaded."""
    fig = go.Figure()
    epochs = curve.get("epoch", [])
    for split, colour in (("train", charts.TRAIN_COLOUR), ("validation", charts.HELDOUT_COLOUR)):
        fig.add_scatter(
            x=epochs,
            y=curve.get(f"{split}_{figure}", []),
            mode="lines+markers",
            name=split,
            line=dict(color=colour, width=3),
            marker=dict(size=6),
        )
    if best_epoch and stopped_epoch and stopped_epoch > best_epoch:
        fig.add_vrect(
            x0=best_epoch,
            x1=stopped_epoch,
            fillcolor="#999999",
            opacity=0.15,
            line_width=0,
            annotation_text="no improvement",
            annotation_position="top left",
        )
    if stopped_epoch:
        fig.add_vline(
            x=stopped_epoch,
            line=dict(color=charts.ACCENT, dash="dash"),
            annotation_text=f"stopped: epoch {stopped_epoch}",
            annotation_position="bottom right",
        )
    marked = kept_epoch or best_epoch
    if marked:
        label = f"kept: epoch {marked}" if kept_epoch else f"best so far: epoch {marked}"
        fig.add_vline(
            x=marked,
            line=dict(color="#2ca02c", width=2),
            annotation_text=label,
            annotation_position="top right",
        )
    if figure == "accuracy":
        fig.update_yaxes(tickformat=".0%")
    fig.update_layout(
        title=f"{FIGURES[figure]} per epoch: train and validation digits",
        xaxis_title="epoch",
        yaxis_title=FIGURES[figure],
        height=340,
        margin=dict(l=40, r=10, t=60, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return charts.fit_title(fig)


def summary(metrics: dict[str, Any]) -> str:
    """What the rule did, in words."""
    monitor = MONITOR_NAMES.get(metrics.get("monitor", ""), "validation loss")
    best, value = metrics.get("best_epoch"), metrics.get("best_value")
    lines = [f"The rule watched the **{monitor}**; it was best at **epoch {best}** ({value:.4g})."]
    stopped, last = metrics.get("stopped_epoch"), metrics.get("last_epoch")
    if stopped:
        lines.append(f"It **stopped the training after epoch {stopped}**: no improvement since epoch {best}.")
    elif metrics.get("stopped_mid_epoch"):
        lines.append(
            f"The training was stopped during epoch {(last or 0) + 1}; epoch {last} was the last whole one."
        )
    else:
        lines.append(f"It never fired: the training ran to its last epoch, {last}.")
    kept = metrics.get("kept_epoch")
    if kept != last:
        lines.append(f"The weights of **epoch {kept}** were put back (restore best).")
    else:
        lines.append(f"The weights of the last epoch, {kept}, were kept.")
    size = metrics.get("heldout_size", 0)
    lines.append(
        f"Held-out accuracy ({size:,} digits never used in training or to stop): kept model "
        f"**{metrics.get('heldout_accuracy', 0):.1%}**, "
        f"last epoch's {metrics.get('last_epoch_heldout_accuracy', 0):.1%}."
    )
    if metrics.get("resumed_from_epoch"):
        lines.append(f"Resumed from the checkpoint of epoch {metrics['resumed_from_epoch']}.")
    return "\n\n".join(lines)


def curve(trained: TrainedModel, figure: str = "loss") -> dict[str, Any]:
    metrics = trained.metrics
    if not metrics.get("curve", {}).get("epoch"):
        raise SpecError("This model has no recorded curve: train one, or pick the bundled model.")
    plot = curve_figure(
        metrics["curve"],
        figure,
        metrics.get("best_epoch"),
        metrics.get("stopped_epoch"),
        metrics.get("kept_epoch"),
    )
    return {"curve": plot, "summary": summary(metrics)}


def run_folder(trained: TrainedModel) -> Path | None:
    return Path(trained.path) if trained.path else None


def what_is_kept(trained: TrainedModel, saved: list[epoch_store.EpochCheckpoint]) -> str:
    """Which epochs this model has on disk, said plainly."""
    last = trained.metrics.get("last_epoch")
    if not saved:
        return (
            "This model has **no epoch checkpoints** beside it: only its final weights (a model "
            "loaded from a file, or one whose run folder is gone). Train one to get them."
        )
    numbers = ", ".join(str(c.epoch) for c in saved)
    origin = "This bundled model" if trained.origin == "bundled" else "This run"
    if len(saved) < (last or 0):
        return (
            f"{origin} keeps the checkpoints of epochs {numbers} of its {last} (keep checkpoints: "
            "best-and-last): the best epoch, to restore, and the last, to resume from. The others "
            f"were deleted as the training went. Folder: `{run_folder(trained)}/epochs`."
        )
    return f"{origin} keeps a checkpoint of every epoch, 1 to {last}, in `{run_folder(trained)}/epochs`."


def list_checkpoints(trained: TrainedModel) -> dict[str, Any]:
    saved = epoch_store.list_epochs(run_folder(trained))
    best, kept, last = (trained.metrics.get(k) for k in ("best_epoch", "kept_epoch", "last_epoch"))
    monitor = trained.metrics.get("monitor", "validation_loss")
    rows = []
    for checkpoint in saved:
        marks = [
            word
            for word, epoch in (("best", best), ("kept", kept), ("last", last))
            if epoch == checkpoint.epoch
        ]
        rows.append(
            {
                "epoch": checkpoint.epoch,
                MONITOR_NAMES.get(monitor, monitor): round(checkpoint.metrics.get(monitor, float("nan")), 4),
                "train loss": round(checkpoint.metrics.get("train_loss", float("nan")), 4),
                "mark": " ".join(marks),
                "folder": str(checkpoint.folder),
            }
        )
    return {"note": what_is_kept(trained, saved), "epochs": rows}


def heldout_digits(trained: TrainedModel) -> TensorSplit:
    """The held-out digits of the data the model learnt from: from the folder its config names
    when that is still here (a benchmark's --data-dir), else as the server resolves MNIST; a
    server that only has other digits says so rather than scoring the model on them."""
    recorded = trained.config.get("data", {})
    folder = recorded.get("location") if recorded.get("kind") == "directory" else None
    data = training_data(trained.config, folder if folder and Path(folder).is_dir() else None)
    if recorded.get("dataset") and data.source.dataset != recorded["dataset"]:
        raise SpecError(
            f"This model learnt from {recorded.get('description', recorded['dataset'])}, which this "
            f"server does not have (it has {data.source.description}): its held-out digits cannot "
            "be scored here."
        )
    return heldout_split(data)


def load_epoch(trained: TrainedModel, epoch: int = 0) -> dict[str, Any]:
    saved = epoch_store.list_epochs(run_folder(trained))
    if not saved:
        raise SpecError(what_is_kept(trained, saved).replace("**", ""))
    wanted = epoch or trained.metrics.get("best_epoch") or saved[-1].epoch
    chosen = [c for c in saved if c.epoch == wanted]
    if not chosen:
        numbers = ", ".join(str(c.epoch) for c in saved)
        raise SpecError(
            f"Epoch {wanted} has no checkpoint in this run: it keeps epochs {numbers}. Pick one of those."
        )
    checkpoint = chosen[0]
    model = DigitMLP(int(trained.config["hidden"]), len(trained.config.get("classes", range(10))))
    try:
        weights, _, _ = epoch_store.read_training_state(checkpoint.folder)
        model.load_state_dict(weights)
    except (SpecError, RuntimeError, CheckpointError) as error:
        raise SpecError(f"Epoch {wanted}'s checkpoint cannot be loaded: {error}") from None
    model.eval()
    heldout = heldout_digits(trained)
    figures = evaluate_classifier(model, heldout)
    with torch.no_grad():
        predicted = model(heldout.inputs).argmax(1)
    wrong = torch.nonzero(predicted != heldout.labels).flatten()[:MAX_MISTAKES]
    gallery = [
        (heldout.inputs[i].numpy(), f"said {int(predicted[i])}, was {int(heldout.labels[i])}") for i in wrong
    ]
    monitor = trained.metrics.get("monitor", "validation_loss")
    watched = checkpoint.metrics.get(monitor, float("nan"))
    kept = trained.metrics.get("heldout_accuracy", float("nan"))
    text = (
        f"**Epoch {wanted}** ({MONITOR_NAMES.get(monitor, monitor)} {watched:.4g}): "
        f"held-out accuracy **{figures['accuracy']:.1%}** on {len(heldout):,} digits "
        f"({int((predicted != heldout.labels).sum())} mistakes; the first {len(gallery)} below). "
        f"The kept model (epoch {trained.metrics.get('kept_epoch')}): {kept:.1%}."
    )
    return {
        "summary": text,
        "heldout_accuracy": round(figures["accuracy"], 4),
        "mistakes": gallery,
    }


INTERACTIONS = (
    Interaction(
        name="curve",
        title="Curve and stop",
        help="The training and validation figures per epoch, with the epoch the rule stopped at "
        "and the epoch whose weights were kept.",
        run=curve,
        inputs=(
            Param(
                "figure", "choice", "loss", "Which figure to draw: loss or accuracy.", choices=tuple(FIGURES)
            ),
        ),
        outputs=(
            Output(
                "curve",
                "plot",
                "Curve",
                help="Grey: the epochs without improvement; green: the weights kept.",
            ),
            Output("summary", "markdown", "What the rule did"),
        ),
        example={"figure": "accuracy"},
    ),
    Interaction(
        name="checkpoints",
        title="Checkpoints",
        help="The epoch checkpoints this model's run keeps: each one's figures and folder (resume from it "
        "with the Resume from setting).",
        run=list_checkpoints,
        outputs=(
            Output("note", "markdown", "What is kept"),
            Output(
                "epochs",
                "table",
                "Epoch checkpoints",
                help="best: the best monitored figure; kept: the weights in use.",
            ),
        ),
    ),
    Interaction(
        name="load-epoch",
        title="Load an epoch",
        help="Load one epoch's weights and score them on the held-out digits, with their mistakes.",
        run=load_epoch,
        inputs=(Param("epoch", "int", 0, "Which epoch's checkpoint (0: the best epoch).", low=0, high=300),),
        outputs=(
            Output("summary", "markdown", "This epoch"),
            Output(
                "heldout_accuracy",
                "number",
                "Held-out accuracy",
                help="Share of the held-out digits it reads right.",
            ),
            Output(
                "mistakes",
                "gallery",
                "Its mistakes",
                size=84,
                help="Held-out digits it read wrong: what it said, what they were.",
            ),
        ),
        example={"epoch": 0},
    ),
)
