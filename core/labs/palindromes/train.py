"""The palindromes lab's data, training and held-out evaluation: the loop a student can read.

A training is a list of lengths T (one, or a sweep). For each, a fresh RNN and LSTM train side by
side on the same freshly drawn batches; each stops once it names every one of 1,000 fixed
held-out palindromes of that length correctly, or at the step limit. All the pairs go in one
checkpoint, so the accuracy-vs-T plot can be re-measured from the weights (`evaluate`).

What the course did differently: it plotted batch accuracy during training and judged models on
it; here every figure is held-out accuracy on palindromes drawn with a fixed seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import TrainedModel
from core.labs.palindromes.model import CELLS, DIGITS, PalindromeModels
from core.labs.palindromes.spec import SPEC
from core.recurrent import one_thread
from core.runner import TrainContext

CHANCE = 1 / DIGITS
HELDOUT_SIZE = 1_000
HELDOUT_SEED = 4_321  # plus T: each length's held-out palindromes, the same for every model
CHECK_EVERY = 20  # steps between held-out checks (and early-stop decisions)
MIN_GAIN = 0.02  # two points: more than the noise of 1,000 palindromes at chance (about 1 point)
# "Near chance" (10%): a stalled RNN often keeps a few lucky points above it (it may recall one
# digit in ten of the middle ones), so the criterion allows up to 25% on 1,000 held-out answers.
NEAR_CHANCE = 0.25
COURSE_LONGEST = 30  # the course: LSTM 100% up to T = 30, the RNN at chance past about 20
# The course's settings (its LSTM report) as lab settings: RMSprop 1e-3, hidden 128, batch 128,
# clipping 10, T = 5, 10, ..., 30, every length trained to the end (no giving up).
COURSE_RECIPE = {
    "learning_rate": 1e-3,
    "hidden_size": 128,
    "batch_size": 128,
    "clip_norm": 10.0,
    "rnn_patience": 0,
}


# --- data ----------------------------------------------------------------------------------


def palindromes(length: int, count: int, generator: torch.Generator) -> torch.Tensor:
    """`count` random palindromes of `length` digits, (count, length): a random first half,
    mirrored."""
    half = (length + 1) // 2
    first = torch.randint(0, DIGITS, (count, half), generator=generator)
    return torch.cat([first, first[:, : length - half].flip(1)], dim=1)


def split(sequences: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(prefixes, last digits): the inputs and the targets."""
    return sequences[:, :-1], sequences[:, -1]


def heldout_set(length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed held-out palindromes of one length. With T <= 6 there are at most 1,000
    distinct palindromes, so training has seen them all: the task needs no memorising, though,
    since the answer is always the first digit."""
    return split(palindromes(length, HELDOUT_SIZE, torch.Generator().manual_seed(HELDOUT_SEED + length)))


def sweep_lengths(params: dict[str, Any]) -> list[int]:
    """The lengths a training covers: the longest alone, or shortest..longest by the step (the
    longest always included)."""
    longest = params["longest"]
    if params["mode"] == "single":
        return [longest]
    lengths = list(range(params["shortest"], longest + 1, params["length_step"]))
    return lengths if lengths[-1] == longest else [*lengths, longest]


# --- held-out measures ---------------------------------------------------------------------


@torch.no_grad()
def accuracy(model: nn.Module, prefixes: torch.Tensor, targets: torch.Tensor) -> float:
    was_training = model.training
    model.eval()
    correct = (model(prefixes).argmax(dim=1) == targets).float().mean().item()
    model.train(was_training)
    return correct


@one_thread()  # tiny recurrent steps: see one_thread
def length_rows(models: PalindromeModels) -> list[dict[str, Any]]:
    """Held-out accuracy of each length's pair, one row per length."""
    rows = []
    for length in models.lengths:
        prefixes, targets = heldout_set(length)
        pair = models.pair(length)
        rows.append(
            {"length": length, **{cell: round(accuracy(pair[cell], prefixes, targets), 4) for cell in CELLS}}
        )
    return rows


def criterion(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The course's criterion read off the rows: the longest T up to which the LSTM is 100% at
    every measured length, the shortest T from which the RNN is near chance, and whether the LSTM
    is 100% at every measured length up to 30."""
    lstm_perfect_up_to = None
    for row in sorted(rows, key=lambda r: r["length"]):
        if row["lstm"] < 1.0:
            break
        lstm_perfect_up_to = row["length"]
    rnn_chance_from = next(
        (row["length"] for row in sorted(rows, key=lambda r: r["length"]) if row["rnn"] <= NEAR_CHANCE), None
    )
    course_rows = [row for row in rows if row["length"] <= COURSE_LONGEST]
    return {
        "lstm_perfect_up_to": lstm_perfect_up_to,
        "rnn_near_chance_from": rnn_chance_from,
        "lstm_100_percent_at_every_length": bool(course_rows) and all(r["lstm"] == 1.0 for r in course_rows),
    }


@dataclass
class EarlyStop:
    """When to stop training one model at one length: once it is right on every held-out
    palindrome, or once its held-out accuracy has not gained MIN_GAIN in `patience` steps (0:
    never give up). Giving up spares the 2-core server hundreds of steps of an RNN at chance."""

    patience: int
    best: float = -1.0
    best_step: int = 0
    solved_at: int | None = None
    gave_up_at: int | None = None

    @property
    def done(self) -> bool:
        return self.solved_at is not None or self.gave_up_at is not None

    def check(self, held_out_accuracy: float, step: int) -> None:
        if held_out_accuracy == 1.0:
            self.solved_at = step
        elif held_out_accuracy >= self.best + MIN_GAIN:
            self.best, self.best_step = held_out_accuracy, step
        elif self.patience and step - self.best_step >= self.patience:
            self.gave_up_at = step


def steps_taken(row: dict[str, Any], cell: str) -> str:
    """How one model's training at one length ended, for tables: "120", "gave up at 320" or "-"."""
    if row.get(f"{cell}_steps_to_100"):
        return str(row[f"{cell}_steps_to_100"])
    if row.get(f"{cell}_gave_up_at"):
        return f"gave up at {row[f'{cell}_gave_up_at']}"
    return "-"


def steps_table(rows: list[dict[str, Any]]) -> str:
    """Markdown: each length's held-out accuracies and how each model's training there ended."""
    lines = [
        "| T | LSTM | RNN | LSTM steps to 100% | RNN steps to 100% |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {r['length']} | {r['lstm']:.1%} | {r['rnn']:.1%} "
            f"| {steps_taken(r, 'lstm')} | {steps_taken(r, 'rnn')} |"
            for r in rows
        ),
    ]
    return "\n".join(lines)


# --- training ------------------------------------------------------------------------------


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Train a fresh RNN and LSTM at each length in turn, side by side on the same batches."""
    with one_thread():  # see one_thread: tiny recurrent steps run faster on one core
        yield from _train(params, ctx)


def _train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    lengths = sweep_lengths(params)
    models = PalindromeModels(lengths, params["hidden_size"], params["rnn_init"]).to(ctx.device)
    limit = params["steps_per_length"]
    total_steps = limit * len(lengths)  # an upper bound: lengths end early at 100%
    rows: list[dict[str, Any]] = []
    ctx.watch(models)
    step = 0
    for index, length in enumerate(lengths):
        pair = models.pair(length)
        optimizers = {
            cell: torch.optim.RMSprop(pair[cell].parameters(), lr=params["learning_rate"]) for cell in CELLS
        }
        prefixes, targets = heldout_set(length)
        prefixes, targets = prefixes.to(ctx.device), targets.to(ctx.device)
        # Only the RNN may be given up on: an LSTM's plateau is no sign that it cannot learn.
        watches = {cell: EarlyStop(params["rnn_patience"] if cell == "rnn" else 0) for cell in CELLS}
        for length_step in range(1, limit + 1):
            batch, answers = split(palindromes(length, params["batch_size"], ctx.generator))
            batch, answers = batch.to(ctx.device), answers.to(ctx.device)
            metrics: dict[str, float] = {"length": length, "length_step": length_step}
            losses = []
            for cell in CELLS:
                if watches[cell].done:  # early stop: solved, or given up on
                    continue
                model = pair[cell]
                logits = model(batch)
                loss = F.cross_entropy(logits, answers)
                optimizers[cell].zero_grad(set_to_none=True)
                loss.backward()
                if params["clip_norm"] > 0:
                    nn.utils.clip_grad_norm_(model.parameters(), params["clip_norm"])
                optimizers[cell].step()
                losses.append(loss.item())
                metrics[f"{cell}_loss"] = loss.item()
                metrics[f"{cell}_accuracy"] = (logits.argmax(1) == answers).float().mean().item()
            step += 1
            metrics["loss"] = sum(losses) / len(losses)
            if length_step % CHECK_EVERY == 0 or length_step == limit:
                for cell in CELLS:
                    if not watches[cell].done:
                        held = accuracy(pair[cell], prefixes, targets)
                        metrics[f"heldout_{cell}_accuracy"] = held
                        watches[cell].check(held, length_step)
            yield Progress(step, total_steps, index + length_step / limit, metrics)
            if all(watch.done for watch in watches.values()) or ctx.should_stop():
                break
        row = {
            "length": length,
            **{cell: round(accuracy(pair[cell], prefixes, targets), 4) for cell in CELLS},
        }
        row |= {f"{cell}_steps_to_100": watches[cell].solved_at for cell in CELLS}
        row |= {f"{cell}_gave_up_at": watches[cell].gave_up_at for cell in CELLS}
        row["steps"] = length_step
        rows.append(row)
        # An "epoch" is one length: its end gives both models' held-out accuracy there.
        yield EpochEnd(
            index + 1,
            step,
            {"length": length, **{f"heldout_{cell}_accuracy": row[cell] for cell in CELLS}},
        )
        if ctx.should_stop():
            break
    seconds = round(ctx.elapsed(), 2)
    trained = models.keep([row["length"] for row in rows])  # lengths never reached are dropped
    config = {
        "lab": SPEC.id,
        "architecture": f"LSTM and vanilla RNN, {params['hidden_size']} units",
        "lengths": trained.lengths,
        "hidden_size": params["hidden_size"],
        "input": {"digits": DIGITS, "encoding": "one-hot, one digit per step"},
        "data": {"description": "random palindromes of digits 0-9, drawn afresh each step"},
        "params": params,
        "training": {"device": str(ctx.device), "seconds": seconds},
    }
    metrics = {
        "lengths": rows,
        **criterion(rows),
        "heldout_size_per_length": HELDOUT_SIZE,
        "train_seconds": seconds,
    }
    yield Trained(trained.cpu().eval(), config, metrics)


def evaluate(trained: TrainedModel) -> dict[str, Any]:
    """Each length's held-out accuracy, re-measured from the weights, and the course's criterion."""
    rows = length_rows(trained.model)
    return {
        "lab": SPEC.id,
        "accuracy_by_length": rows,
        **criterion(rows),
        "heldout_size_per_length": HELDOUT_SIZE,
        "course": "LSTM 100% up to T = 30; the vanilla RNN at chance (10%) past about T = 20",
    }
