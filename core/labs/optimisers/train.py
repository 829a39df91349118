"""The optimisers lab's training: one copy of the course's MLP per optimiser, side by side.

Every copy starts from the same weights and, at every step, takes its own optimiser's step on
the same batch before the next batch comes: the only difference between the curves is the
update rule. Each copy's own seconds are clocked. An optimiser whose loss blows up (a learning
rate too large for it) is stopped alone, its last good weights kept and the step named, while
the others go on; the runner's own guard stops the training only when every one has diverged.

What the course did (Lab Work 4, a small CNN on CIFAR-10): SGD, Adam and RMSProp all at 0.001,
batches of 4, 5 epochs, each network freshly initialised (its saved initial weights were never
loaded). COURSE_RECIPE holds those settings as this lab's, on its MNIST MLP.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from core.data import ImageData, load_images, training_data
from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import TrainedModel
from core.labs.optimisers.model import CourseMLP, same_start
from core.labs.optimisers.spec import OPTIMISERS, SPEC
from core.labs.optimisers.updates import Rates, torch_optimiser
from core.runner import TrainContext
from core.side_by_side import (
    copies_config,
    final_heldout,
    heldout_report,
    in_order,
    pixel_split,
    still_sound,
    weights_of,
)
from core.training import (
    HELDOUT_CHECKS_PER_EPOCH,
    HELDOUT_PROBE_SIZE,
    TensorSplit,
    evaluate_classifier,
)

COURSE_RECIPE = {
    "optimisers": "sgd, rmsprop, adam",
    "epochs": 5,
    "batch_size": 4,
    "sgd_learning_rate": 0.001,
    "adaptive_learning_rate": 0.001,
}
CURVE_POINTS = 200  # the training-loss curve kept in metrics.json, per optimiser


def ordered(per_optimiser: dict[str, Any]) -> list[str]:
    """The optimisers named in `per_optimiser` in the lab's order (JSON files sort them by name)."""
    return in_order(OPTIMISERS, per_optimiser)


@dataclass
class CopyRun:
    """One optimiser's network, its torch.optim optimiser, clock and record."""

    name: str
    model: CourseMLP
    optimizer: torch.optim.Optimizer
    seconds: float = 0.0  # its own steps only: what it would take trained alone
    first_loss: float | None = None
    diverged_at: int | None = None
    loss_sum: float = 0.0  # this epoch's training figures
    correct: int = 0
    seen: int = 0
    curve: list[tuple[int, float]] = field(default_factory=list)  # (step, mean loss since the last point)
    pending: list[float] = field(default_factory=list)
    last_good: list[torch.Tensor] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.diverged_at is None


def train_step(run: CopyRun, inputs: torch.Tensor, labels: torch.Tensor, step: int) -> float | None:
    """One optimisation step of one copy: its loss, or None when it diverged at this step (its
    weights from before the step that broke it are put back, and it trains no further)."""
    started = time.perf_counter()
    logits = run.model(inputs)
    loss = F.cross_entropy(logits, labels)
    value = loss.item()
    if not still_sound(run, value, step):
        run.seconds += time.perf_counter() - started
        return None
    run.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    run.optimizer.step()
    run.seconds += time.perf_counter() - started
    run.loss_sum += value * len(labels)
    run.correct += int((logits.argmax(1) == labels).sum())
    run.seen += len(labels)
    return value


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Train one copy per chosen optimiser, each taking its step on the same batch in turn."""
    data = load_images("mnist", ctx.data_dir)
    train_split = pixel_split(data.train_images, data.train_labels, ctx.device)
    heldout = pixel_split(data.test_images, data.test_labels, ctx.device)
    names = params["optimisers"]
    architecture = "MLP 784-128-64-10, one copy per optimiser"
    config = copies_config(SPEC.id, architecture, "optimisers", names, data, "white ink on black", params)
    copies = same_start(names, len(data.classes)).to(ctx.device)
    rates = Rates.from_params(params)
    runs = {
        name: CopyRun(
            name,
            model,
            torch_optimiser(name, model.parameters(), rates),
            last_good=weights_of(model),
        )
        for name, model in copies.items()
    }
    batch_size = params["batch_size"]
    steps_per_epoch = math.ceil(len(train_split) / batch_size)
    total_steps = params["epochs"] * steps_per_epoch
    check_every = max(1, steps_per_epoch // HELDOUT_CHECKS_PER_EPOCH)
    curve_every = max(1, total_steps // CURVE_POINTS)
    probe = TensorSplit(heldout.inputs[:HELDOUT_PROBE_SIZE], heldout.labels[:HELDOUT_PROBE_SIZE])
    epochs: dict[str, list[dict[str, float]]] = {name: [] for name in names}

    ctx.watch(copies)
    step = 0
    for epoch in range(params["epochs"]):
        copies.train()
        order = torch.randperm(len(train_split), generator=ctx.generator).to(ctx.device)
        for run in runs.values():
            run.loss_sum, run.correct, run.seen = 0.0, 0, 0
        seen = 0
        for start in range(0, len(train_split), batch_size):
            index = order[start : start + batch_size]
            inputs, labels = train_split.inputs[index], train_split.labels[index]
            step += 1
            metrics: dict[str, float] = {}
            for name, run in runs.items():  # the same batch for every copy, in turn
                if not run.live:
                    continue
                loss = train_step(run, inputs, labels, step)
                if loss is None:  # marked on the live chart, where its curve stops
                    metrics[f"{name}_diverged"] = float(step)
                else:
                    metrics[f"{name}_loss"] = loss
                    run.pending.append(loss)
                    if step % curve_every == 0:
                        run.curve.append((step, float(np.mean(run.pending))))
                        run.pending.clear()
            seen += len(labels)
            live = [run for run in runs.values() if run.live]
            # What the runner watches for divergence and the status line shows: the mean over the
            # optimisers still training (NaN once every one has diverged, which stops it).
            metrics["loss"] = float(np.mean([metrics[f"{r.name}_loss"] for r in live])) if live else math.nan
            if step % check_every == 0 or step == total_steps:
                for run in live:  # a live point on the held-out chart, from a fixed sample
                    sampled = evaluate_classifier(run.model, probe)
                    metrics[f"heldout_{run.name}_accuracy"] = sampled["accuracy"]
            yield Progress(step, total_steps, epoch + seen / len(train_split), metrics)
            if ctx.should_stop() or not live:
                break
        epoch_metrics = {}
        for name, run in runs.items():
            held = evaluate_classifier(run.model, heldout)
            epochs[name].append(held | {"seconds": run.seconds})
            epoch_metrics |= {
                f"heldout_{name}_loss": held["loss"],
                f"heldout_{name}_accuracy": held["accuracy"],
            }
            if run.seen:  # it trained this epoch
                epoch_metrics |= {
                    f"train_{name}_loss": run.loss_sum / run.seen,
                    f"train_{name}_accuracy": run.correct / run.seen,
                }
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        if ctx.should_stop() or not any(run.live for run in runs.values()):
            break
    copies.eval()

    metrics = {
        "optimisers": names,
        **final_heldout(runs, heldout),
        "diverged_at": {name: run.diverged_at for name, run in runs.items()},
        # Each copy's own training seconds (its steps only): the time it would take alone.
        "optimiser_seconds": {name: round(run.seconds, 2) for name, run in runs.items()},
        # The curves, so that a bundled model shows how it got there: the training loss
        # (mean over each stretch of steps) and the held-out figures at each epoch's end.
        "curves": {
            name: {
                "steps": [s for s, _ in run.curve],
                "train_loss": [round(v, 5) for _, v in run.curve],
                "epoch_heldout_accuracy": [round(e["accuracy"], 5) for e in epochs[name]],
                "epoch_heldout_loss": [round(e["loss"], 5) for e in epochs[name]],
                "epoch_seconds": [round(e["seconds"], 3) for e in epochs[name]],  # its own, so far
            }
            for name, run in runs.items()
        },
        "steps_per_epoch": steps_per_epoch,
        "heldout_size": len(heldout),
        "steps": step,
        "train_seconds": round(ctx.elapsed(), 2),
        "dataset": data.source.description,
    }
    config["training"] = {"device": str(ctx.device), "seconds": round(ctx.elapsed(), 2)}
    yield Trained(copies.cpu().eval(), config, metrics)


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """Each copy's held-out accuracy and loss."""
    data: ImageData = training_data(trained.config, data_dir)
    heldout = pixel_split(data.test_images, data.test_labels, torch.device("cpu"))
    return heldout_report(SPEC.id, "optimisers", trained.model, OPTIMISERS, heldout, data.source.description)
