"""The toy attention model's task, training loop and held-out figures.

The data is random digit strings of lengths 2 to `max_length`, drawn afresh every batch (an
"epoch" is 100 batches); the held-out figures use 1,000 fixed strings. While it trains, the loop
shows the attention on a fixed string (the digits of pi): uniform at first, then a clean
diagonal (copy) or anti-diagonal (reverse).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.labs.attention.model import PAD_ID, SYMBOLS, ToyAttention
from core.labs.attention.spec import SPEC
from core.labs.base import TrainedModel
from core.runner import TrainContext

STEPS_PER_EPOCH = 100  # the data is drawn afresh every batch: an "epoch" is 100 batches
HELDOUT_SEED = 4321  # the fixed held-out sequences, the same for every model
HELDOUT_SIZE = 1000
SNAPSHOTS = 6  # attention heatmaps kept while training: the first (uniform) and the latest ones
CELL_PIXELS = 16  # a snapshot's heatmap cell, in pixels


# --- the task ------------------------------------------------------------------------------


def random_sequences(
    count: int, max_length: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """`count` digit strings of random lengths 2..max_length, padded with PAD_ID."""
    lengths = torch.randint(2, max_length + 1, (count,), generator=generator)
    digits = torch.randint(0, len(SYMBOLS), (count, max_length), generator=generator)
    padding = torch.arange(max_length)[None] >= lengths[:, None]
    return digits.masked_fill(padding, PAD_ID), lengths


def source_positions(lengths: torch.Tensor, width: int, task: str) -> torch.Tensor:
    """The input position each output position should read."""
    positions = torch.arange(width, device=lengths.device)[None].expand(len(lengths), width)
    return positions if task == "copy" else (lengths[:, None] - 1 - positions).clamp_min(0)


def toy_targets(digits: torch.Tensor, lengths: torch.Tensor, task: str) -> torch.Tensor:
    """The wanted output: the digits themselves (copy) or reversed within each length; -100
    (ignored by the loss) beyond each sequence's end."""
    positions = torch.arange(digits.shape[1], device=digits.device)[None]
    valid = positions < lengths[:, None]
    source = source_positions(lengths, digits.shape[1], task)
    return torch.where(valid, digits.gather(1, source), torch.full_like(digits, -100))


def heldout_sequences(max_length: int) -> tuple[torch.Tensor, torch.Tensor]:
    return random_sequences(HELDOUT_SIZE, max_length, torch.Generator().manual_seed(HELDOUT_SEED))


def example_sequence(max_length: int) -> str:
    """The fixed example whose attention the snapshots show: the digits of pi, max_length long."""
    return "31415926535897932384"[:max_length]


# --- scoring -------------------------------------------------------------------------------


def score_toy(
    logits: torch.Tensor, weights: torch.Tensor, digits: torch.Tensor, lengths: torch.Tensor, task: str
) -> dict[str, float]:
    """Loss, per-digit accuracy, whole-sequence accuracy and alignment (the mean weight an output
    position puts on the input position it should read: 1/n when uniform, 1 when clean)."""
    targets = toy_targets(digits, lengths, task)
    valid = targets != -100
    loss = F.cross_entropy(logits.reshape(-1, len(SYMBOLS)), targets.reshape(-1), ignore_index=-100)
    right = (logits.argmax(-1) == targets) & valid
    source = source_positions(lengths, digits.shape[1], task)
    on_source = weights.gather(2, source[..., None])[..., 0]
    return {
        "loss": float(loss),
        "accuracy": float(right.sum() / valid.sum()),
        "sequence_accuracy": float((right | ~valid).all(dim=1).float().mean()),
        "alignment": float(on_source[valid].mean()),
    }


def toy_figures(
    model: ToyAttention, digits: torch.Tensor, lengths: torch.Tensor, task: str
) -> dict[str, float]:
    """`score_toy` of the model in eval mode on these strings."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits, weights = model(digits, lengths)
    model.train(was_training)
    return score_toy(logits, weights, digits, lengths, task)


def heldout_summary(model: ToyAttention, task: str) -> dict[str, Any]:
    """The held-out figures a checkpoint keeps, on the 1,000 fixed strings."""
    figures = toy_figures(model, *heldout_sequences(model.max_length), task)
    return {
        "task": task,
        "heldout_loss": round(figures["loss"], 4),
        "heldout_accuracy": round(figures["accuracy"], 4),
        "heldout_sequence_accuracy": round(figures["sequence_accuracy"], 4),
        "heldout_alignment": round(figures["alignment"], 4),
        "heldout_size": HELDOUT_SIZE,
    }


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    return {
        "lab": SPEC.id,
        "architecture": trained.config["architecture"],
        **heldout_summary(trained.model, trained.config["task"]),
        "data": f"{HELDOUT_SIZE} fixed random digit strings (seed {HELDOUT_SEED})",
    }


def heatmap_image(weights: np.ndarray) -> np.ndarray:
    """An (n, n) weight matrix as a picture, each cell CELL_PIXELS wide, white = 1."""
    return np.kron(np.asarray(weights, dtype=np.float32), np.ones((CELL_PIXELS, CELL_PIXELS), np.float32))


# --- training ------------------------------------------------------------------------------


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Adam on fresh random strings; held-out figures five times an epoch and at each epoch's
    end; a snapshot of the attention on a fixed string as it sharpens."""
    task, max_length = params["task"], params["max_length"]
    model = ToyAttention(max_length, params["dim"]).to(ctx.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"])
    total_steps = params["epochs"] * STEPS_PER_EPOCH
    heldout = tuple(t.to(ctx.device) for t in heldout_sequences(max_length))
    probe = tuple(t[:256] for t in heldout)
    example = example_sequence(max_length)
    example_ids = torch.tensor([[SYMBOLS.index(ch) for ch in example]], device=ctx.device)
    example_length = torch.tensor([max_length], device=ctx.device)
    n = len(example)
    expected_sources = list(range(n)) if task == "copy" else list(range(n - 1, -1, -1))
    snapshots: list[tuple[np.ndarray, str]] = []
    check_every = max(1, STEPS_PER_EPOCH // 5)
    config = {
        "lab": SPEC.id,
        "architecture": f"toy attention ({task})",
        "task": task,
        "max_length": max_length,
        "dim": params["dim"],
        "symbols": SYMBOLS,
        "data": {
            "description": f"random digit strings of length 2 to {max_length}, drawn afresh every batch",
            "kind": "generated",
        },
        "params": params,
    }

    def snapshot(step: int) -> Samples:
        with torch.no_grad():
            weights = model.eval()(example_ids, example_length)[1][0].cpu().numpy()
        model.train()
        aligned = float(np.mean([weights[i, j] for i, j in enumerate(expected_sources)]))
        snapshots.append((heatmap_image(weights), f"step {step}: alignment {aligned:.2f}"))
        if len(snapshots) > SNAPSHOTS:
            del snapshots[1]  # keep the uniform start and the latest ones
        images, captions = zip(*snapshots, strict=True)
        title = (
            f"Attention of each output position (rows) over the input {example} (columns), "
            f"task {task}: from uniform to the {'diagonal' if task == 'copy' else 'anti-diagonal'}"
        )
        return Samples(step, np.stack(images), tuple(captions), title=title)

    ctx.watch(model)
    yield snapshot(0)
    step = 0
    for epoch in range(params["epochs"]):
        sums = {"loss": 0.0, "accuracy": 0.0, "alignment": 0.0}
        for _ in range(STEPS_PER_EPOCH):
            digits, lengths = random_sequences(params["batch_size"], max_length, ctx.generator)
            digits, lengths = digits.to(ctx.device), lengths.to(ctx.device)
            logits, weights = model(digits, lengths)
            targets = toy_targets(digits, lengths, task)
            loss = F.cross_entropy(logits.reshape(-1, len(SYMBOLS)), targets.reshape(-1), ignore_index=-100)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            metrics = score_toy(logits.detach(), weights.detach(), digits, lengths, task)
            metrics.pop("sequence_accuracy")
            for name in sums:
                sums[name] += metrics[name]
            if step % check_every == 0 or step == total_steps:
                live = toy_figures(model, *probe, task)
                metrics |= {f"heldout_{k}": v for k, v in live.items() if k in sums}
            yield Progress(step, total_steps, step / STEPS_PER_EPOCH, metrics)
            if step % check_every == 0:
                yield snapshot(step)
            if ctx.should_stop():
                break
        done = step - epoch * STEPS_PER_EPOCH
        epoch_metrics = {f"train_{k}": v / max(1, done) for k, v in sums.items()}
        epoch_metrics |= {f"heldout_{k}": v for k, v in toy_figures(model, *heldout, task).items()}
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        if ctx.should_stop():
            break
    yield snapshot(step)
    seconds = round(ctx.elapsed(), 2)
    model = model.cpu().eval()
    metrics = {**heldout_summary(model, task), "train_seconds": seconds, "steps": step}
    config["training"] = {"device": str(ctx.device), "seconds": seconds}
    yield Trained(model, config, metrics)
