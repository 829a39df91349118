"""The largest stable learning rate, with and without batch norm, measured by a short sweep.

How it is measured (and what it is not): from the training's starting weights, the plain and the
batch-norm network each take `steps` steps of SGD with momentum 0.9 at one constant learning rate
(no warm-up), on the same first batches of the training pictures (not augmented), for each rate
of RATES from the smallest up. A rate is **stable** when the loss never turns NaN nor rises above
BLOW_UP times its first value, and the mean loss of the last quarter of the steps is below the
first: the network learnt something. The first rate that is not stable ends that network's sweep
(the rates above it are not tried: they would only blow up faster). So the figure is the largest
stable rate of this grid, for this batch size and this many steps: a longer training, or a
warm-up, can survive rates a little larger or fail at rates a little smaller.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.functional as F

from core.labs.batch_norm.model import CourseCNN
from core.training import TensorSplit

RATES = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # a factor of about 3 between neighbours
BLOW_UP = 3.0  # a loss this many times its first one has blown up
MOMENTUM = 0.9


def try_rate(
    start: CourseCNN, rate: float, batches: list[tuple[torch.Tensor, torch.Tensor]]
) -> dict[str, Any]:
    """Train a copy of `start` on `batches` at one rate: its losses and whether it was stable."""
    model = copy.deepcopy(start).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=rate, momentum=MOMENTUM)
    losses: list[float] = []
    blew_up_at = None
    for step, (inputs, labels) in enumerate(batches, start=1):
        loss = F.cross_entropy(model(inputs), labels)
        value = loss.item()
        if not math.isfinite(value) or (losses and value > BLOW_UP * losses[0]):
            blew_up_at = step
            break
        losses.append(value)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    tail = losses[-max(1, len(losses) // 4) :]
    learnt = blew_up_at is None and sum(tail) / len(tail) < losses[0]
    return {
        "rate": rate,
        "stable": learnt,
        "blew_up_at": blew_up_at,
        "first_loss": round(losses[0], 4) if losses else None,
        "last_loss": round(sum(tail) / len(tail), 4) if blew_up_at is None else None,
        "losses": [round(value, 4) for value in losses],
    }


def sweep(
    networks: dict[str, CourseCNN],
    train: TensorSplit,
    batch_size: int,
    steps: int,
    generator: torch.Generator,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each network's rates from the smallest up, until one is not stable: (network, result)
    after each rate, so that the caller can report progress (and stop between rates)."""
    order = torch.randperm(len(train), generator=generator)[: steps * batch_size].to(train.labels.device)
    batches = [
        (train.inputs[order[start : start + batch_size]], train.labels[order[start : start + batch_size]])
        for start in range(0, len(order), batch_size)
    ]
    for name, start in networks.items():
        for rate in RATES:
            result = try_rate(start, rate, batches)
            yield name, result
            if not result["stable"]:
                break


def largest_stable(results: list[dict[str, Any]]) -> float | None:
    """The largest rate that was stable (None: not even the smallest)."""
    stable = [result["rate"] for result in results if result["stable"]]
    return max(stable) if stable else None
