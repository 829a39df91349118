"""The gradient descent lab's training: one copy of the course's MLP per way, on the same digits.

Every copy starts from the same weights and reads the training digits in the same order, in
stretches of one mini-batch: on each stretch the mini-batch copy takes one step, the stochastic
copy one step per digit, and the batch copy adds the stretch's gradient to its sum, stepping once
the whole training set is in (the exact full-batch gradient, computed a stretch at a time so it
fits in memory). After each stretch every copy's loss is measured on the same fixed sample of
training digits, beside its count of updates and its own seconds: the three x-axes.

What the course did (Lab Work 3): each way from a freshly initialised network, SGD with
momentum 0.9 and learning rate 0.01, 15 epochs on full MNIST, the loss averaged over each epoch's
batches. COURSE_RECIPE holds its settings as this lab's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F

from core.data import ImageData, load_images, training_data
from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import TrainedModel
from core.labs.gradient_descent.model import same_start
from core.labs.gradient_descent.spec import METHODS, SPEC
from core.labs.optimisers.model import CourseMLP
from core.runner import TrainContext
from core.side_by_side import copies_config, final_heldout, heldout_report, in_order, pixel_split
from core.training import TensorSplit, evaluate_classifier

COURSE_RECIPE = {"batch_size": 64, "learning_rate": 0.01, "momentum": 0.9, "epochs": 15}
PROBE_SIZE = 1024  # the fixed training digits every copy's loss is measured on
POINTS_PER_EPOCH = 60  # loss measurements per epoch (at most): enough for the noise to show


def ordered(per_method: dict[str, Any]) -> list[str]:
    """The ways named in `per_method` in the lab's order (JSON files sort them by name)."""
    return in_order(METHODS, per_method)


@dataclass
class MethodRun:
    """One way's network, optimiser, update count, clock and curve."""

    name: str
    model: CourseMLP
    optimizer: torch.optim.Optimizer
    updates: int = 0
    seconds: float = 0.0  # its own computation only
    last_loss: float = math.nan  # the loss its latest update was computed on
    epoch_loss: float = 0.0  # batch GD: the full-set loss, summed a stretch at a time
    curve: dict[str, list[float]] = field(
        default_factory=lambda: {"epoch": [], "updates": [], "seconds": [], "loss": []}
    )


def update(run: MethodRun, inputs: torch.Tensor, labels: torch.Tensor) -> None:
    """One gradient descent step on these examples: the loop of every way."""
    loss = F.cross_entropy(run.model(inputs), labels)
    run.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    run.optimizer.step()
    run.updates += 1
    run.last_loss = loss.item()


def train_on_stretch(run: MethodRun, inputs: torch.Tensor, labels: torch.Tensor, total: int) -> None:
    """What each way does with one stretch of digits (`total`: the training set's size)."""
    started = time.perf_counter()
    if run.name == "mini-batch":
        update(run, inputs, labels)
    elif run.name == "stochastic":
        for i in range(len(labels)):  # one update per digit
            update(run, inputs[i : i + 1], labels[i : i + 1])
    else:  # batch: add this stretch's share of the full-set gradient; step at the epoch's end
        loss = F.cross_entropy(run.model(inputs), labels, reduction="sum") / total
        loss.backward()
        run.epoch_loss += loss.item()
    run.seconds += time.perf_counter() - started


def finish_epoch(run: MethodRun) -> None:
    """The batch way's one update per epoch, with the gradient summed over every stretch."""
    if run.name == "batch":
        started = time.perf_counter()
        run.optimizer.step()
        run.optimizer.zero_grad(set_to_none=True)
        run.updates += 1
        run.last_loss, run.epoch_loss = run.epoch_loss, 0.0
        run.seconds += time.perf_counter() - started


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Train one copy per way on the same digits in the same order, a stretch at a time."""
    data = load_images("mnist", ctx.data_dir)
    train_split = pixel_split(data.train_images, data.train_labels, ctx.device)
    heldout = pixel_split(data.test_images, data.test_labels, ctx.device)
    methods = params["methods"]
    architecture = "MLP 784-128-64-10, one copy per way"
    config = copies_config(SPEC.id, architecture, "methods", methods, data, "white ink on black", params)
    copies = same_start(methods, len(data.classes)).to(ctx.device)
    runs = {
        name: MethodRun(
            name,
            model,
            torch.optim.SGD(model.parameters(), lr=params["learning_rate"], momentum=params["momentum"]),
        )
        for name, model in copies.items()
    }
    total, stretch = len(train_split), params["batch_size"]
    stretches = math.ceil(total / stretch)
    measure_every = max(1, stretches // POINTS_PER_EPOCH)
    probe_index = torch.randperm(total, generator=torch.Generator().manual_seed(0))[:PROBE_SIZE]
    probe = TensorSplit(train_split.inputs[probe_index], train_split.labels[probe_index])

    def measure(epoch: float) -> dict[str, float]:
        metrics = {}
        for name, run in runs.items():
            loss = evaluate_classifier(run.model, probe)["loss"]
            for axis, value in (
                ("epoch", epoch),
                ("updates", run.updates),
                ("seconds", run.seconds),
                ("loss", loss),
            ):
                run.curve[axis].append(round(value, 5))
            metrics |= {f"{name}_loss": loss, f"{name}_updates": run.updates, f"{name}_seconds": run.seconds}
            if math.isfinite(run.last_loss):
                metrics[f"{name}_update_loss"] = run.last_loss
        # What the runner watches for divergence and the status line shows.
        metrics["loss"] = sum(metrics[f"{name}_loss"] for name in runs) / len(runs)
        return metrics

    ctx.watch(copies)
    measure(0.0)  # every copy's starting loss: the same weights give the same figure
    step = 0
    for epoch in range(params["epochs"]):
        copies.train()
        order = torch.randperm(total, generator=ctx.generator).to(ctx.device)
        seen = 0
        for start in range(0, total, stretch):
            index = order[start : start + stretch]
            inputs, labels = train_split.inputs[index], train_split.labels[index]
            for run in runs.values():  # the same digits for every way, in turn
                train_on_stretch(run, inputs, labels, total)
            seen += len(labels)
            step += 1
            last = seen == total
            if last:
                for run in runs.values():
                    finish_epoch(run)
            if step % measure_every == 0 or last:
                yield Progress(
                    step, params["epochs"] * stretches, epoch + seen / total, measure(epoch + seen / total)
                )
            if ctx.should_stop():
                break
        epoch_metrics = {}
        for name, run in runs.items():
            held = evaluate_classifier(run.model, heldout)
            epoch_metrics |= {
                f"heldout_{name}_loss": held["loss"],
                f"heldout_{name}_accuracy": held["accuracy"],
            }
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        if ctx.should_stop():
            break
    copies.eval()

    metrics = {
        "methods": methods,
        **final_heldout(runs, heldout),
        "updates": {name: run.updates for name, run in runs.items()},
        "method_seconds": {name: round(run.seconds, 2) for name, run in runs.items()},
        # The loss on the fixed training sample after each stretch, with each way's epoch,
        # updates and own seconds: the three x-axes, kept so a bundled model draws its curves.
        "curves": {name: run.curve for name, run in runs.items()},
        "probe_size": PROBE_SIZE,
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
    return heldout_report(SPEC.id, "methods", trained.model, METHODS, heldout, data.source.description)
