"""The MNIST row-by-row lab's training: the selected readers side by side, step-interleaved.

Every reader takes its optimisation step on the same batch before the next batch comes, so each
gets the same data and the same number of steps whenever the training stops. Each reader's own
seconds are clocked, so the time it would take trained alone can be compared with the course's.
The course's validation loss was never accumulated; here every epoch end scores every reader on
the whole held-out set.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import charts
from core.data import ImageData, load_images, training_data
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.history import TrainingHistory
from core.labs.base import TrainedModel
from core.labs.mnist_rows.model import ROWS, RowReader, RowReaders, build_readers
from core.labs.mnist_rows.spec import MODEL_NAMES, ROW_MODELS, SPEC
from core.runner import TrainContext
from core.training import HELDOUT_CHECKS_PER_EPOCH, HELDOUT_PROBE_SIZE, TensorSplit, evaluate_classifier

# The course's test accuracies (full MNIST, 50,000 training images, 10 epochs on a GPU), for the
# plain readers: no normalisation, no extra layer. It reported no GRU.
COURSE_ACCURACY = {"rnn": 0.924, "lstm": 0.9728, "birnn": 0.964, "bilstm": 0.9731}
SAMPLE_COUNT = 12
# The course's settings (Programming Assignment 4) as lab settings: Adam 1e-3, batch 512, 10
# epochs, hidden 128, plain readers, no clipping.
COURSE_RECIPE = {
    "hidden_size": 128,
    "normalization": "none",
    "extra_fc": False,
    "epochs": 10,
    "batch_size": 512,
    "learning_rate": 1e-3,
    "schedule": "constant",
    "clip": 0.0,
}


def to_split(images: torch.Tensor, labels: torch.Tensor, device: torch.device) -> TensorSplit:
    """uint8 (N, 28, 28) -> float (N, 28, 28) in [0, 1] on the device: rows are time steps."""
    return TensorSplit(images.float().div(255).to(device), labels.to(device))


def ordered(per_model: dict[str, Any]) -> list[str]:
    """The readers named in `per_model` in the lab's order (JSON files sort them by name)."""
    return [name for name in ROW_MODELS if name in per_model]


def course_criterion(name: str, accuracy: float) -> dict[str, Any]:
    """The course's figure for this reader, if it gave one, and whether `accuracy` reaches it."""
    course = COURSE_ACCURACY.get(name)
    return {"course_accuracy": course, "meets_course": None if course is None else accuracy >= course}


@dataclass
class ReaderRun:
    """One reader's optimiser, schedule and clock while the readers train side by side."""

    model: RowReader
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler | None
    seconds: float = 0.0  # its own steps only: what it would take trained alone
    reached_course_at: float | None = None  # its seconds when an epoch end first met the course figure
    loss_sum: float = 0.0
    correct: int = 0


def make_run(model: RowReader, params: dict[str, Any], total_steps: int) -> ReaderRun:
    optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"])
    scheduler = None
    if params["schedule"] == "one-cycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=params["learning_rate"], total_steps=total_steps, pct_start=0.25
        )
    return ReaderRun(model, optimizer, scheduler)


def train_step(run: ReaderRun, inputs: torch.Tensor, labels: torch.Tensor, clip: float) -> tuple[float, int]:
    """One optimisation step of one reader; returns its loss and how many it got right."""
    started = time.perf_counter()
    logits = run.model(inputs)
    loss = F.cross_entropy(logits, labels)
    run.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if clip > 0:
        # Exploding gradients are the RNN's classic failure: cap the step's length.
        nn.utils.clip_grad_norm_(run.model.parameters(), clip)
    run.optimizer.step()
    if run.scheduler is not None:
        run.scheduler.step()
    run.seconds += time.perf_counter() - started
    return loss.item(), int((logits.argmax(1) == labels).sum())


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Train the selected readers side by side: each takes its step on the same batch in turn."""
    data = load_images("mnist", ctx.data_dir)
    train_split = to_split(data.train_images, data.train_labels, ctx.device)
    heldout = to_split(data.test_images, data.test_labels, ctx.device)
    config = {
        "lab": SPEC.id,
        "architecture": ", ".join(params["models"]),
        "models": params["models"],
        "hidden_size": params["hidden_size"],
        "normalization": params["normalization"],
        "extra_fc": params["extra_fc"],
        "classes": list(data.classes),
        "input": {"size": [ROWS, ROWS], "range": [0, 1], "polarity": "white ink on black"},
        "data": data.source.to_dict(),
        "params": params,
    }
    readers = build_readers(config).to(ctx.device)
    batch_size = params["batch_size"]
    steps_per_epoch = math.ceil(len(train_split) / batch_size)
    total_steps = params["epochs"] * steps_per_epoch
    runs = {name: make_run(model, params, total_steps) for name, model in readers.items()}
    check_every = max(1, steps_per_epoch // HELDOUT_CHECKS_PER_EPOCH)
    probe = TensorSplit(heldout.inputs[:HELDOUT_PROBE_SIZE], heldout.labels[:HELDOUT_PROBE_SIZE])
    shown = TensorSplit(heldout.inputs[:SAMPLE_COUNT], heldout.labels[:SAMPLE_COUNT])

    ctx.watch(readers)
    step = 0
    for epoch in range(params["epochs"]):
        readers.train()
        order = torch.randperm(len(train_split), generator=ctx.generator).to(ctx.device)
        for run in runs.values():
            run.loss_sum, run.correct = 0.0, 0
        seen = 0
        for start in range(0, len(train_split), batch_size):
            index = order[start : start + batch_size]
            if len(index) < 2:  # a last batch of one image: batch norm cannot learn from it
                continue
            inputs, labels = train_split.inputs[index], train_split.labels[index]
            metrics: dict[str, float] = {}
            for name, run in runs.items():  # the same batch for every reader, in turn
                loss, correct = train_step(run, inputs, labels, params["clip"])
                run.loss_sum += loss * len(labels)
                run.correct += correct
                metrics[f"{name}_loss"] = loss
                metrics[f"{name}_accuracy"] = correct / len(labels)
            # The mean is what the runner watches for divergence and the status line shows.
            metrics["loss"] = float(np.mean([metrics[f"{name}_loss"] for name in runs]))
            step += 1
            seen += len(labels)
            if step % check_every == 0 or step == total_steps:
                for name, run in runs.items():
                    metrics[f"heldout_{name}_accuracy"] = evaluate_classifier(run.model, probe)["accuracy"]
            yield Progress(step, total_steps, epoch + seen / len(train_split), metrics)
            if ctx.should_stop():
                break
        epoch_metrics = {}
        for name, run in runs.items():
            held = evaluate_classifier(run.model, heldout)
            epoch_metrics |= {
                f"train_{name}_loss": run.loss_sum / max(1, seen),
                f"train_{name}_accuracy": run.correct / max(1, seen),
                f"heldout_{name}_loss": held["loss"],
                f"heldout_{name}_accuracy": held["accuracy"],
            }
            if run.reached_course_at is None and course_criterion(name, held["accuracy"])["meets_course"]:
                run.reached_course_at = run.seconds
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        yield prediction_samples(readers, shown, data.classes, step, epoch + 1)
        if ctx.should_stop():
            break
    readers.eval()

    final = {name: evaluate_classifier(run.model, heldout) for name, run in runs.items()}
    metrics = {
        "models": params["models"],
        "heldout_accuracy": {name: f["accuracy"] for name, f in final.items()},
        "heldout_loss": {name: f["loss"] for name, f in final.items()},
        "course_accuracy": {name: COURSE_ACCURACY.get(name) for name in runs},
        "meets_course": {
            name: course_criterion(name, f["accuracy"])["meets_course"] for name, f in final.items()
        },
        # Each reader's own training seconds (its steps only), and when it first met the
        # course's figure at an epoch end: the time it would take trained alone.
        "model_seconds": {name: round(run.seconds, 2) for name, run in runs.items()},
        "seconds_to_course": {
            name: None if run.reached_course_at is None else round(run.reached_course_at, 2)
            for name, run in runs.items()
        },
        "heldout_size": len(heldout),
        "steps": step,
        "train_seconds": round(ctx.elapsed(), 2),
        "dataset": data.source.description,
    }
    config["training"] = {"device": str(ctx.device), "seconds": round(ctx.elapsed(), 2)}
    yield Trained(readers.cpu().eval(), config, metrics)


def heldout_data(trained: TrainedModel, data_dir: str | None = None) -> ImageData:
    """The data these readers were trained on (its held-out split is what they are scored on)."""
    return training_data(trained.config, data_dir)


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """Each reader's held-out accuracy and loss, beside the course's figure."""
    data = heldout_data(trained, data_dir)
    heldout = to_split(data.test_images, data.test_labels, torch.device("cpu"))
    per_model = {}
    for name, model in trained.model.items():
        figures = evaluate_classifier(model, heldout)
        per_model[name] = {
            "heldout_accuracy": figures["accuracy"],
            "heldout_loss": figures["loss"],
            **course_criterion(name, figures["accuracy"]),
        }
    return {
        "lab": SPEC.id,
        "models": per_model,
        "hidden_size": trained.config["hidden_size"],
        "normalization": trained.config["normalization"],
        "extra_fc": trained.config["extra_fc"],
        "heldout_size": len(heldout),
        "data": data.source.description,
    }


@torch.no_grad()
def prediction_samples(
    readers: RowReaders, shown: TensorSplit, classes: tuple[str, ...], step: int, epoch: int
) -> Samples:
    """Fixed held-out digits, each captioned with every reader's answer (✗ when wrong)."""
    answers = {}
    for name, model in readers.items():
        was_training = model.training
        model.eval()
        answers[name] = model(shown.inputs).argmax(1).tolist()
        model.train(was_training)
    captions = []
    for i, truth in enumerate(shown.labels.tolist()):
        said = " ".join(
            f"{name} {classes[a[i]]}" + ("" if a[i] == truth else "✗") for name, a in answers.items()
        )
        captions.append(f"{classes[truth]}: {said}")
    images = shown.inputs.cpu().numpy()
    return Samples(
        step, images, tuple(captions), title=f"Held-out digits and each model's answer, epoch {epoch}"
    )


def comparison_figures(history: TrainingHistory) -> tuple[Any, Any] | None:
    """Every reader's held-out accuracy and training loss, each on one chart (one colour per
    reader), or None before the first step."""
    models = [(name, MODEL_NAMES[name]) for name in ROW_MODELS if f"{name}_loss" in history.steps]
    if not models:
        return None
    accuracy = charts.per_model_curves(
        history,
        models,
        "heldout_{name}_accuracy",
        "Held-out accuracy (live sample, then epoch ends)",
        "accuracy",
    )
    accuracy.update_yaxes(tickformat=".0%")
    loss = charts.per_model_curves(
        history, models, "{name}_loss", "Training loss (per step, smoothed)", "cross-entropy", smooth=20
    )
    return accuracy, loss
