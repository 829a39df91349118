"""The batch-norm lab's training: one copy of the course's CNN per combination, on the same batches.

Every copy starts from the same weights (see model.py) and, at every step, takes its step on the
same batch of Fashion-MNIST pictures before the next batch comes; the augmenting copies take the
batch as augmented once for both of them (augment.py). So the curves differ only by batch norm
and augmentation. Each copy's own seconds are clocked (its steps, plus the augmentation for the
copies that use it): what it would take trained alone. At a few steps per epoch every copy also
records what enters each of its ReLUs (mean and spread per layer): batch norm's effect, seen.

Before the training, a short sweep finds the largest stable learning rate of the plain and the
batch-norm network from the same starting weights (sweep.py says how, and what it is not).

A copy whose loss blows up (a learning rate too large for it) is stopped alone, its last good
weights put back and the step named, while the others go on: at a rate of 0.5 the plain copies
typically stop and the batch-norm ones learn. The runner's own guard stops the training only when
every copy has.

What the course did (Lab Work 6, on CIFAR-10): the baseline CNN on plain pictures and the
batch-norm CNN on augmented ones (flip, crop with padding 4), each freshly initialised, SGD with
momentum 0.9 at 0.01, batches of 64, 10 epochs. COURSE_RECIPE holds its settings as this lab's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F

from core.data import ImageData, load_images
from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import TrainedModel
from core.labs.batch_norm import sweep as rate_sweep
from core.labs.batch_norm.augment import augment
from core.labs.batch_norm.model import LAYERS, CourseCNN, activation_stats, copies_of, starting_networks
from core.labs.batch_norm.spec import COMBINATIONS, SPEC, WITH_AUGMENTATION
from core.runner import TrainContext
from core.side_by_side import copies_config, heldout_report, in_order, pixel_split, still_sound, weights_of
from core.training import (
    HELDOUT_CHECKS_PER_EPOCH,
    HELDOUT_PROBE_SIZE,
    TensorSplit,
    evaluate_classifier,
    learning_rate_at,
    training_progress,
)

COURSE_RECIPE = {
    "combinations": "plain, both",
    "epochs": 10,
    "batch_size": 64,
    "learning_rate": 0.01,
    "schedule": "constant",
    "flip": True,
    "shift": 4,
}
MOMENTUM = 0.9  # the course's


def test_split(data: ImageData, params: dict[str, Any], device: torch.device) -> TensorSplit:
    """The first `test_pictures` of the official test set (all 10,000 by default)."""
    count = params.get("test_pictures", len(data.test_labels))
    return pixel_split(data.test_images[:count], data.test_labels[:count], device)


def ordered(per_combination: dict[str, Any]) -> list[str]:
    """The combinations named in `per_combination` in the lab's order (JSON sorts them by name)."""
    return in_order(COMBINATIONS, per_combination)


@dataclass
class CopyRun:
    """One combination's network, optimiser, clock and record."""

    name: str
    model: CourseCNN
    optimizer: torch.optim.Optimizer
    augmented: bool
    last_good: list[torch.Tensor]
    seconds: float = 0.0  # its own steps (and augmentation) only
    first_loss: float | None = None
    diverged_at: int | None = None
    loss_sum: float = 0.0  # this epoch's training figures
    correct: int = 0
    seen: int = 0
    # At each held-out check: the epoch, the live held-out accuracy, and each layer's activations.
    checks: dict[str, list[float]] = field(default_factory=lambda: {"epoch": [], "heldout_accuracy": []})
    activations: dict[str, dict[str, list[float]]] = field(
        default_factory=lambda: {layer: {"mean": [], "std": [], "active": []} for layer in LAYERS}
    )
    epochs: list[dict[str, float]] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.diverged_at is None


def train_step(
    run: CopyRun, inputs: torch.Tensor, labels: torch.Tensor, step: int, record: dict | None
) -> float | None:
    """One step of one copy: its loss, or None when it blew up at this step (its weights from
    before the step that broke it are put back, and it trains no further)."""
    logits = run.model(inputs, record)
    loss = F.cross_entropy(logits, labels)
    value = loss.item()
    if not still_sound(run, value, step):
        return None
    run.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    run.optimizer.step()
    run.loss_sum += value * len(labels)
    run.correct += int((logits.argmax(1) == labels).sum())
    run.seen += len(labels)
    return value


def run_sweep(
    plain: CourseCNN,
    normed: CourseCNN,
    train_split: TensorSplit,
    params: dict[str, Any],
    total_steps: int,
    ctx: TrainContext,
) -> Iterator[Event]:
    """The learning-rate sweep before the training; returns {"plain": [...], "bn": [...]}. Its
    progress is reported at step 0 (the training's steps, and its step limit, start after it),
    with the loss of the starting weights as the loss: a rate that blew up is the sweep's
    finding, not the training's divergence."""
    results: dict[str, list[dict[str, Any]]] = {"plain": [], "bn": []}
    generator = torch.Generator().manual_seed(ctx.seed)
    networks = {"plain": plain, "bn": normed}
    for name, result in rate_sweep.sweep(
        networks, train_split, params["batch_size"], params["sweep_steps"], generator
    ):
        results[name].append(result)
        figures = {f"sweep_{name}_rate": result["rate"], f"sweep_{name}_stable": float(result["stable"])}
        yield Progress(0, total_steps, 0.0, figures | {"loss": result["first_loss"] or 0.0})
        if ctx.should_stop():
            break
    return results


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """The sweep, then one copy per chosen combination, each taking its step on the same batch."""
    data = load_images("fashion-mnist", ctx.data_dir)
    count = min(params["train_pictures"], len(data.train_labels))
    train_split = pixel_split(data.train_images[:count], data.train_labels[:count], ctx.device)
    heldout = test_split(data, params, ctx.device)
    names = params["combinations"]
    architecture = "the course's CNN (Lab Work 6), one copy per combination"
    config = copies_config(
        SPEC.id, architecture, "combinations", names, data, "light garment on black", params
    )
    plain, normed = starting_networks(params["width"], len(data.classes))
    plain, normed = plain.to(ctx.device), normed.to(ctx.device)
    batch_size = params["batch_size"]
    steps_per_epoch = math.ceil(count / batch_size)
    total_steps = params["epochs"] * steps_per_epoch
    sweep = {}
    if params["sweep_steps"]:
        sweep = yield from run_sweep(plain, normed, train_split, params, total_steps, ctx)
    copies = copies_of(plain, normed, names)
    runs = {
        name: CopyRun(
            name,
            model,
            torch.optim.SGD(model.parameters(), lr=params["learning_rate"], momentum=MOMENTUM),
            augmented=name in WITH_AUGMENTATION,
            last_good=weights_of(model),
        )
        for name, model in copies.items()
    }
    # The augmentation's own random draws, apart from the data order: a copy trained alone with
    # the same seed sees the same batches, augmented the same way, as in a four-way training.
    augment_generator = torch.Generator().manual_seed(ctx.seed + 1)
    check_every = max(1, steps_per_epoch // HELDOUT_CHECKS_PER_EPOCH)
    probe = TensorSplit(heldout.inputs[:HELDOUT_PROBE_SIZE], heldout.labels[:HELDOUT_PROBE_SIZE])

    ctx.watch(copies)
    step = 0
    for epoch in range(params["epochs"]):
        copies.train()
        order = torch.randperm(count, generator=ctx.generator).to(ctx.device)
        for run in runs.values():
            run.loss_sum, run.correct, run.seen = 0.0, 0, 0
        seen = 0
        for start in range(0, count, batch_size):
            index = order[start : start + batch_size]
            inputs, labels = train_split.inputs[index], train_split.labels[index]
            rate = learning_rate_at(
                training_progress(step, total_steps, ctx), params["learning_rate"], params["schedule"]
            )
            step += 1
            check = step % check_every == 0 or step == total_steps or step == 1
            live = [run for run in runs.values() if run.live]
            augmented, augment_seconds = None, 0.0
            if any(run.augmented for run in live):
                started = time.perf_counter()
                augmented = augment(inputs, params["flip"], params["shift"], augment_generator).images
                augment_seconds = time.perf_counter() - started
            metrics: dict[str, float] = {"learning_rate": rate}
            for run in live:  # the same batch for every copy, in turn
                for group in run.optimizer.param_groups:
                    group["lr"] = rate
                record: dict | None = {} if check else None
                started = time.perf_counter()
                loss = train_step(run, augmented if run.augmented else inputs, labels, step, record)
                run.seconds += time.perf_counter() - started + (augment_seconds if run.augmented else 0.0)
                if loss is None:  # marked on the live chart, where its curve stops
                    metrics[f"{run.name}_diverged"] = float(step)
                    continue
                metrics[f"{run.name}_loss"] = loss
                if check:
                    position = epoch + (seen + len(labels)) / count
                    held = evaluate_classifier(run.model, probe)["accuracy"]
                    metrics[f"heldout_{run.name}_accuracy"] = held
                    run.checks["epoch"].append(round(position, 4))
                    run.checks["heldout_accuracy"].append(round(held, 4))
                    for layer, stats in activation_stats(record).items():
                        for stat, value in stats.items():
                            run.activations[layer][stat].append(round(value, 4))
                        metrics[f"{run.name}_{layer}_mean"] = stats["mean"]
                        metrics[f"{run.name}_{layer}_std"] = stats["std"]
            seen += len(labels)
            live = [run for run in runs.values() if run.live]
            # What the runner watches for divergence and the status line shows: the mean over the
            # copies still training (NaN once every one has blown up, which stops it).
            losses = [metrics[f"{run.name}_loss"] for run in live]
            metrics["loss"] = sum(losses) / len(losses) if losses else math.nan
            yield Progress(step, total_steps, epoch + seen / count, metrics)
            if ctx.should_stop() or not live:
                break
        epoch_metrics = {}
        for name, run in runs.items():
            held = evaluate_classifier(run.model, heldout)
            figures = {"heldout_accuracy": held["accuracy"], "heldout_loss": held["loss"]}
            if run.seen:  # it trained this epoch
                figures |= {"train_loss": run.loss_sum / run.seen, "train_accuracy": run.correct / run.seen}
            run.epochs.append(
                {key: round(value, 5) for key, value in figures.items()} | {"seconds": round(run.seconds, 2)}
            )
            for key, value in figures.items():  # "heldout_accuracy" -> "heldout_both_accuracy"
                split, figure = key.split("_")
                epoch_metrics[f"{split}_{name}_{figure}"] = value
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        if ctx.should_stop() or not any(run.live for run in runs.values()):
            break
    copies.eval()

    # The last epoch's end scored the final weights (a stop ends the epoch where it is).
    metrics = {
        "combinations": names,
        "heldout_accuracy": {name: run.epochs[-1]["heldout_accuracy"] for name, run in runs.items()},
        "heldout_loss": {name: run.epochs[-1]["heldout_loss"] for name, run in runs.items()},
        "diverged_at": {name: run.diverged_at for name, run in runs.items()},
        "combination_seconds": {name: round(run.seconds, 2) for name, run in runs.items()},
        # What a bundled model shows of its training: the live held-out checks, each layer's
        # activations at the same points, and every epoch's end.
        "curves": {
            name: {"checks": run.checks, "activations": run.activations, "epochs": run.epochs}
            for name, run in runs.items()
        },
        "sweep": {
            "rates": list(rate_sweep.RATES),
            "steps": params["sweep_steps"],
            "batch_size": batch_size,
            "momentum": rate_sweep.MOMENTUM,
            "results": sweep,
            "largest_stable": {name: rate_sweep.largest_stable(found) for name, found in sweep.items()},
        }
        if sweep
        else None,
        "steps_per_epoch": steps_per_epoch,
        "train_pictures": count,
        "heldout_size": len(heldout),
        "steps": step,
        "train_seconds": round(ctx.elapsed(), 2),
        "dataset": data.source.description,
    }
    config["training"] = {"device": str(ctx.device), "seconds": round(ctx.elapsed(), 2)}
    yield Trained(copies.cpu().eval(), config, metrics)


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """Each copy's held-out (Fashion-MNIST test set) accuracy and loss."""
    data: ImageData = load_images("fashion-mnist", data_dir)
    heldout = test_split(data, trained.config.get("params", {}), torch.device("cpu"))
    return heldout_report(
        SPEC.id, "combinations", trained.model, COMBINATIONS, heldout, data.source.description
    )
