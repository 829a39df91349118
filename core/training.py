"""The plain supervised training loop that classifier labs share.

Kept visible on purpose, like pytorch/examples: shuffle, forward, loss, backward, step. What is
added is only what a live classroom needs: an event after every step, a held-out check a few
times per epoch for the curves, and a clean exit within one step when the runner says stop.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from core.events import EpochEnd, Event, Progress
from core.runner import TrainContext

HELDOUT_CHECKS_PER_EPOCH = 5
HELDOUT_PROBE_SIZE = 512  # the live held-out points use a fixed sample; epoch ends use it all


@dataclass
class TensorSplit:
    """Inputs already normalised and on the training device, with their labels."""

    inputs: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)


@torch.no_grad()
def evaluate_classifier(
    model: torch.nn.Module, split: TensorSplit, batch_size: int = 1024
) -> dict[str, float]:
    """Mean cross-entropy and accuracy over a whole split, in eval mode."""
    was_training = model.training
    model.eval()
    loss_sum, correct = 0.0, 0
    for start in range(0, len(split), batch_size):
        logits = model(split.inputs[start : start + batch_size])
        labels = split.labels[start : start + batch_size]
        loss_sum += F.cross_entropy(logits, labels, reduction="sum").item()
        correct += (logits.argmax(1) == labels).sum().item()
    model.train(was_training)
    count = max(1, len(split))
    return {"loss": loss_sum / count, "accuracy": correct / count}


def fit_classifier(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    train: TensorSplit,
    heldout: TensorSplit,
    ctx: TrainContext,
    *,
    epochs: int,
    batch_size: int,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
    on_epoch_end: Callable[[int, int], Iterator[Event]] | None = None,
) -> Iterator[Event]:
    """Train with cross-entropy, yielding Progress per step and EpochEnd per epoch.

    Returns early, after the current step, when `ctx.should_stop()`; the model is left in eval
    mode either way.
    """
    steps_per_epoch = (len(train) + batch_size - 1) // batch_size
    total_steps = epochs * steps_per_epoch
    check_every = max(1, steps_per_epoch // HELDOUT_CHECKS_PER_EPOCH)
    probe = TensorSplit(heldout.inputs[:HELDOUT_PROBE_SIZE], heldout.labels[:HELDOUT_PROBE_SIZE])
    ctx.watch(model)
    step = 0
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(train), generator=ctx.generator).to(train.labels.device)
        loss_sum, correct, seen = 0.0, 0, 0
        for start in range(0, len(train), batch_size):
            index = order[start : start + batch_size]
            inputs, labels = train.inputs[index], train.labels[index]
            if augment is not None:
                inputs = augment(inputs)
            logits = model(inputs)
            loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            step += 1

            batch_loss = loss.item()
            batch_correct = (logits.argmax(1) == labels).sum().item()
            loss_sum += batch_loss * len(labels)
            correct += batch_correct
            seen += len(labels)
            metrics = {"loss": batch_loss, "accuracy": batch_correct / len(labels)}
            if step % check_every == 0 or step == total_steps:
                held = evaluate_classifier(model, probe)
                metrics |= {"heldout_loss": held["loss"], "heldout_accuracy": held["accuracy"]}
            yield Progress(step, total_steps, epoch + seen / len(train), metrics)
            if ctx.should_stop():
                break
        epoch_metrics = {"train_loss": loss_sum / max(1, seen), "train_accuracy": correct / max(1, seen)}
        held = evaluate_classifier(model, heldout)
        epoch_metrics |= {"heldout_loss": held["loss"], "heldout_accuracy": held["accuracy"]}
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        if on_epoch_end is not None:
            yield from on_epoch_end(epoch + 1, step)
        if ctx.should_stop():
            break
    model.eval()


WARM_UP = 0.05  # share of the training spent raising the learning rate, for the cosine schedule


def learning_rate_at(progress: float, peak: float, schedule: str) -> float:
    """The step size after `progress` (0 to 1) of the training: constant, or a linear warm-up
    over the first WARM_UP followed by a cosine decay to zero."""
    if schedule == "constant":
        return peak
    progress = min(max(progress, 0.0), 1.0)
    if progress < WARM_UP:
        return peak * progress / WARM_UP
    return peak * 0.5 * (1 + math.cos(math.pi * (progress - WARM_UP) / (1 - WARM_UP)))


def training_progress(step: int, total_steps: int, ctx: TrainContext) -> float:
    """How far the training is, 0 to 1: by steps, or by the runner's time or step limit when
    that comes first, so that a schedule always finishes annealing when the training ends."""
    progress = step / total_steps
    if ctx.max_steps:
        progress = max(progress, step / ctx.max_steps)
    if ctx.time_budget:
        progress = max(progress, ctx.elapsed() / ctx.time_budget)
    return min(progress, 1.0)


def heldout_per_copy(copies: Any, names: list[str], heldout: Any) -> dict[str, dict[str, float]]:
    """Held-out accuracy and loss of each of the models trained side by side (a ModuleDict),
    by name, in `names`' order: the labs that train copies from the same start report these."""
    figures = {name: evaluate_classifier(copies[name], heldout) for name in names}
    return {
        name: {"heldout_accuracy": f["accuracy"], "heldout_loss": f["loss"]} for name, f in figures.items()
    }
