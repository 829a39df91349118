"""The binary addition lab's data, training and held-out evaluation: the loop a student can read.

Trained at one length, the model is tested at every length from 1 to 20.

What the course did differently, and why: its targets had as many bits as the inputs, so the
final carry was lost (the sum of two 5-bit numbers can need 6 bits); here the model reads one
extra column of zeros and emits it. It trained on 250 fixed pairs with a squared error and
validated on 100 more, most of them also in training (there are only 1,024 pairs of 5-bit
numbers); here each step draws fresh pairs, the loss is the bits' cross-entropy, and the
held-out check at the training length is every one of its pairs (up to 4,096 of them).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import TrainedModel
from core.labs.binary_addition.model import BitAdder
from core.labs.binary_addition.spec import SPEC
from core.recurrent import one_thread
from core.runner import TrainContext

TEST_LENGTHS = range(1, 21)  # the course tested lengths 1 to 20
MAX_BITS = 20  # the longest numbers the interaction takes: the longest the models are tested at
TEST_PAIRS = 1_000  # per length; lengths with fewer distinct pairs are tested on all of them
EXHAUSTIVE_PAIRS = 4_096  # up to this many pairs, a length is tested on every one
TEST_SEED = 2_024
STEPS_PER_ROUND = 100  # a "round" plays the role of an epoch for the curves
# The course's settings (its notebook) as lab settings: LSTM with 5 hidden units, Adam 0.01, MSE,
# one pair per step (8 epochs of 250 pairs: 2,000 steps).
COURSE_RECIPE = {"hidden_size": 5, "learning_rate": 0.01, "loss": "mse", "batch_size": 1, "steps": 2_000}


# --- data ----------------------------------------------------------------------------------


def to_bits(numbers: torch.Tensor, width: int) -> torch.Tensor:
    """(N,) integers -> (N, width) bits, least significant first."""
    return (numbers.unsqueeze(1) >> torch.arange(width)) & 1


def columns(a: torch.Tensor, b: torch.Tensor, length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs (length + 1, N, 2) and target sum bits (length + 1, N) for pairs of numbers below
    2**length: one column per step, LSB first, plus a column of zeros for the last carry."""
    width = length + 1
    inputs = torch.stack([to_bits(a, width), to_bits(b, width)], dim=2).float()
    return inputs.transpose(0, 1), to_bits(a + b, width).float().transpose(0, 1)


def random_pairs(length: int, count: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """`count` pairs of numbers of up to `length` bits (all values 0 .. 2**length - 1)."""
    numbers = torch.randint(0, 2**length, (2, count), generator=generator)
    return numbers[0], numbers[1]


def heldout_pairs(length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed held-out pairs of one length: every pair when there are few, else a seeded
    sample of TEST_PAIRS."""
    size = 2**length
    if size * size <= EXHAUSTIVE_PAIRS:
        grid = torch.arange(size * size)
        return grid // size, grid % size
    return random_pairs(length, TEST_PAIRS, torch.Generator().manual_seed(TEST_SEED + length))


# --- loss and held-out measures ------------------------------------------------------------


def loss_of(logits: torch.Tensor, targets: torch.Tensor, kind: str) -> torch.Tensor:
    if kind == "mse":  # the course's: a squared error on the sigmoid's output
        return F.mse_loss(torch.sigmoid(logits), targets)
    return F.binary_cross_entropy_with_logits(logits, targets)


@torch.no_grad()
def score(model: nn.Module, length: int) -> dict[str, float]:
    """Bit accuracy and sum accuracy (every bit right) on the held-out pairs of one length."""
    was_training = model.training
    model.eval()
    inputs, targets = columns(*heldout_pairs(length), length)
    right = (model(inputs) > 0).float() == targets
    model.train(was_training)
    return {
        "bit_accuracy": right.float().mean().item(),
        "sum_accuracy": right.all(dim=0).float().mean().item(),
    }


@one_thread()  # tiny recurrent steps: see one_thread
def length_rows(model: nn.Module) -> list[dict[str, Any]]:
    return [
        {"length": length, **{k: round(v, 4) for k, v in score(model, length).items()}}
        for length in TEST_LENGTHS
    ]


def generalisation(rows: list[dict[str, Any]], train_length: int) -> dict[str, Any]:
    """The course's criterion (every bit right at the training length) and how far beyond it
    every sum stays right."""
    by_length = {row["length"]: row for row in rows}
    exact_up_to = 0
    for length in TEST_LENGTHS:
        if by_length[length]["sum_accuracy"] < 1.0:
            break
        exact_up_to = length
    at_training = by_length.get(train_length, {})
    return {
        "train_length": train_length,
        "bit_accuracy_at_train_length": at_training.get("bit_accuracy"),
        "sum_accuracy_at_train_length": at_training.get("sum_accuracy"),
        "criterion_met": at_training.get("bit_accuracy") == 1.0,
        "all_sums_right_up_to": exact_up_to,
    }


# --- training ------------------------------------------------------------------------------


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Fresh random pairs every step; held-out checks at the training length as it goes."""
    with one_thread():  # see one_thread: tiny recurrent steps run faster on one core
        yield from _train(params, ctx)


def _train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    length, total_steps = params["train_length"], params["steps"]
    model = BitAdder(params["hidden_size"]).to(ctx.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"])
    ctx.watch(model)
    solved_at, solved_seconds = None, None
    round_loss, round_bits, round_seen = 0.0, 0.0, 0
    for step in range(1, total_steps + 1):
        inputs, targets = columns(*random_pairs(length, params["batch_size"], ctx.generator), length)
        inputs, targets = inputs.to(ctx.device), targets.to(ctx.device)
        logits = model(inputs)
        loss = loss_of(logits, targets, params["loss"])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        right = (logits.detach() > 0).float() == targets
        metrics = {
            "loss": loss.item(),
            "bit_accuracy": right.float().mean().item(),
            "sum_accuracy": right.all(dim=0).float().mean().item(),
        }
        round_loss += metrics["loss"]
        round_bits += metrics["bit_accuracy"]
        round_seen += 1
        end_of_round = step % STEPS_PER_ROUND == 0 or step == total_steps
        if step % (STEPS_PER_ROUND // 4) == 0 or end_of_round:
            held = score(model, length)
            metrics |= {f"heldout_{k}": v for k, v in held.items()}
            if held["sum_accuracy"] == 1.0 and solved_at is None:
                solved_at, solved_seconds = step, ctx.elapsed()  # every held-out sum is right
        yield Progress(step, total_steps, step / STEPS_PER_ROUND, metrics)
        stopping = (params["early_stop"] and solved_at is not None) or ctx.should_stop()
        if end_of_round or stopping:
            held = score(model, length)
            yield EpochEnd(
                -(-step // STEPS_PER_ROUND),
                step,
                {
                    "train_loss": round_loss / round_seen,
                    "train_bit_accuracy": round_bits / round_seen,
                    **{f"heldout_{k}": v for k, v in held.items()},
                },
            )
            round_loss, round_bits, round_seen = 0.0, 0.0, 0
        if stopping:
            break
    seconds = round(ctx.elapsed(), 2)
    model = model.cpu().eval()
    rows = length_rows(model)
    config = {
        "lab": SPEC.id,
        "architecture": f"LSTM, {params['hidden_size']} units",
        "hidden_size": params["hidden_size"],
        "train_length": length,
        "max_bits": MAX_BITS,
        "input": {"order": "least significant bit first", "columns": "(a bit, b bit), plus one of zeros"},
        "data": {"description": f"random pairs of {length}-bit numbers, drawn afresh each step"},
        "params": params,
        "training": {"device": str(ctx.device), "seconds": seconds},
    }
    metrics = {
        "lengths": rows,
        **generalisation(rows, length),
        "steps_to_all_sums_right": solved_at,
        "seconds_to_all_sums_right": None if solved_seconds is None else round(solved_seconds, 2),
        "steps": step,
        "train_seconds": seconds,
    }
    yield Trained(model, config, metrics)


def evaluate(trained: TrainedModel) -> dict[str, Any]:
    """Bit and sum accuracy at every length from 1 to 20, and the course's criterion."""
    rows = length_rows(trained.model)
    return {
        "lab": SPEC.id,
        "accuracy_by_length": rows,
        **generalisation(rows, int(trained.config.get("train_length", 5))),
        "test_pairs_per_length": f"every pair up to {EXHAUSTIVE_PAIRS:,}, else {TEST_PAIRS:,} seeded",
        "course": "100% validation bit accuracy at length 5 (5 hidden units, 5 of 8 epochs)",
    }
