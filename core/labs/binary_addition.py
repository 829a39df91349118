"""Binary addition lab: an LSTM reads two binary numbers least significant bit first, one column
per step, and emits each bit of their sum through a sigmoid; trained at one length, it is tested
at every length from 1 to 20.

What the course did differently, and why: its targets had as many bits as the inputs, so the
final carry was lost (the sum of two 5-bit numbers can need 6 bits); here the model reads one
extra column of zeros and emits it. It trained on 250 fixed pairs with a squared error and
validated on 100 more, most of them also in training (there are only 1,024 pairs of 5-bit
numbers); here each step draws fresh pairs, the loss is the bits' cross-entropy, and the
held-out check at the training length is every one of its pairs (up to 4,096 of them).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import sequence_charts
from core.catalogue import BINARY_ADDITION as SPEC
from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import Lab, TrainedModel
from core.recurrent import GatedLSTM, SequenceInputError, check_temperature, one_thread
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


# --- model ---------------------------------------------------------------------------------


class BitAdder(nn.Module):
    """A GatedLSTM over the columns, then one logit per step for that column's sum bit."""

    def __init__(self, hidden_size: int):
        super().__init__()
        self.lstm = GatedLSTM(2, hidden_size)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Logits (T, B) for columns (T, B, 2)."""
        states, _ = self.lstm(inputs)
        return self.head(states).squeeze(-1)


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


# --- the lab -------------------------------------------------------------------------------


class BinaryAdditionLab(Lab):
    spec = SPEC

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        # Adding reads these later: a hand-edited config is refused on load instead.
        for key, default in (("max_bits", MAX_BITS), ("train_length", None)):
            value = config.get(key, default)
            if (value is not None or key == "max_bits") and not (type(value) is int and value > 0):
                raise ValueError(f"{key} must be a positive whole number, got {value!r}")
        return BitAdder(int(config["hidden_size"]))

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        with one_thread():  # see one_thread: tiny recurrent steps run faster on one core
            yield from self._train(params, ctx)

    def _train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
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

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        rows = length_rows(trained.model)
        return {
            "lab": SPEC.id,
            "accuracy_by_length": rows,
            **generalisation(rows, int(trained.config.get("train_length", 5))),
            "test_pairs_per_length": f"every pair up to {EXHAUSTIVE_PAIRS:,}, else {TEST_PAIRS:,} seeded",
            "course": "100% validation bit accuracy at length 5 (5 hidden units, 5 of 8 epochs)",
        }

    def headline(self, metrics: dict[str, Any]) -> str:
        rows = {row["length"]: row for row in metrics.get("lengths", [])}
        length = metrics.get("train_length")
        if not rows or length not in rows:
            return ""
        longest = max(rows)
        return (
            f"trained at {length} bits: {rows[length]['sum_accuracy']:.0%} of sums right there, "
            f"every sum right up to {metrics.get('all_sums_right_up_to', 0)} bits, "
            f"{rows[longest]['sum_accuracy']:.0%} at {longest} bits"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        table = "\n".join(
            f"| {r['length']} | {r['bit_accuracy']:.2%} | {r['sum_accuracy']:.2%} |"
            for r in metrics.get("lengths", [])
        )
        return (
            "---\nlibrary_name: pytorch\ntags:\n- lstm\n- binary-addition\n- deep-learning-labs\n---\n\n"
            f"# Binary addition LSTM ({config.get('hidden_size')} units)\n\n"
            f"Trained by Deep Learning Labs on pairs of {config.get('train_length')}-bit numbers, "
            "least significant bit first; tested at every length from 1 to 20:\n\n"
            "| bits | bit accuracy | sums all right |\n| --- | --- | --- |\n"
            f"{table}\n\n"
            f"Reproduce: `python -m core train binary-addition {settings}`\n"
        )

    def add_cli_commands(self, commands: argparse._SubParsersAction) -> None:
        command = commands.add_parser("add", help="add two binary numbers with the LSTM, bit by bit")
        command.add_argument("a", help="a binary number, e.g. 1011")
        command.add_argument("b", help="another, e.g. 111")
        command.add_argument("--temperature", default=1.0, help="sigmoid temperature of the confidences")
        command.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
        command.add_argument("--json", action="store_true", help="print the result as one JSON object")
        command.set_defaults(handler=self.cli_add)

    def cli_add(self, args: argparse.Namespace) -> int:
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        result = add_numbers(trained, args.a, args.b, args.temperature)
        if args.json:
            print(json.dumps(result.to_dict()))
            return 0
        verdict = "right" if result.correct else f"wrong (the sum is {result.expected_bits})"
        print(f"{result.a} + {result.b} = {result.predicted_bits} ({result.predicted_value}): {verdict}")
        confidences = " ".join(f"{c:.0%}" for c in result.confidences[::-1])
        print(f"confidence per bit, most significant first: {confidences}")
        for note in result.notes:
            print(f"note: {note}")
        return 0


# --- interaction: a pure function of (model, two numbers) ----------------------------------


@dataclass
class AdditionResult:
    """The model's sum of two binary numbers; `probabilities` and `confidences` are per bit,
    least significant first (the order the model emits them)."""

    a: str
    b: str
    probabilities: np.ndarray  # P(bit = 1)
    expected_value: int
    temperature: float
    notes: list[str] = field(default_factory=list)

    @property
    def bits(self) -> list[int]:
        return [int(p > 0.5) for p in self.probabilities]

    @property
    def confidences(self) -> list[float]:
        """How sure the model is of each bit it gave: p for a 1, 1 - p for a 0."""
        return [float(p if bit else 1 - p) for p, bit in zip(self.probabilities, self.bits, strict=True)]

    @property
    def predicted_value(self) -> int:
        return sum(bit << i for i, bit in enumerate(self.bits))

    @property
    def predicted_bits(self) -> str:
        return "".join(map(str, self.bits[::-1]))

    @property
    def expected_bits(self) -> str:
        return format(self.expected_value, f"0{len(self.bits)}b")

    @property
    def wrong_bits(self) -> list[int]:
        """Positions (0 = least significant) where the model's bit is wrong."""
        expected = [(self.expected_value >> i) & 1 for i in range(len(self.bits))]
        return [i for i, (got, want) in enumerate(zip(self.bits, expected, strict=True)) if got != want]

    @property
    def correct(self) -> bool:
        return not self.wrong_bits

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "a_value": int(self.a, 2),
            "b_value": int(self.b, 2),
            "sum_bits": self.predicted_bits,
            "sum_value": self.predicted_value,
            "expected_bits": self.expected_bits,
            "expected_value": self.expected_value,
            "correct": self.correct,
            "wrong_bits": self.wrong_bits,
            "confidence_per_bit_lsb_first": [round(c, 4) for c in self.confidences],
            "probability_of_one_lsb_first": [round(float(p), 4) for p in self.probabilities],
            "temperature": self.temperature,
            "notes": self.notes,
        }


def parse_binary(text: Any, name: str, max_bits: int) -> str:
    """A typed binary number without spaces, underscores or a 0b prefix; a clear error for
    anything else, or for more than `max_bits` bits."""
    if not isinstance(text, str):
        raise SequenceInputError(f"{name}: expected a binary number such as 1011, got {text!r}")
    cleaned = "".join(text.split()).replace("_", "")
    cleaned = cleaned[2:] if cleaned.lower().startswith("0b") else cleaned
    if not cleaned:
        raise SequenceInputError(f"{name}: type a binary number such as 1011")
    wrong = sorted(set(cleaned) - {"0", "1"})
    if wrong:
        shown = ", ".join(repr(ch) for ch in wrong[:5])
        raise SequenceInputError(f"{name}: a binary number has only the digits 0 and 1; {text!r} has {shown}")
    if len(cleaned) > max_bits:
        raise SequenceInputError(
            f"{name}: {len(cleaned)} bits is longer than this model takes ({max_bits} bits, the longest it "
            "was tested at)"
        )
    return cleaned


@one_thread()  # tiny recurrent steps: see one_thread
def add_numbers(trained: TrainedModel, a: Any, b: Any, temperature: Any = 1.0) -> AdditionResult:
    """The model's sum of two typed binary numbers, bit by bit, with its confidence in each."""
    max_bits = int(trained.config.get("max_bits", MAX_BITS))
    a, b = parse_binary(a, "first number", max_bits), parse_binary(b, "second number", max_bits)
    temperature, note = check_temperature(temperature)
    length = max(len(a), len(b))
    inputs, _ = columns(torch.tensor([int(a, 2)]), torch.tensor([int(b, 2)]), length)
    with torch.no_grad():
        logits = trained.model.eval()(inputs)[:, 0]
    probabilities = torch.sigmoid(logits / temperature).numpy()
    notes = [note] if note else []
    train_length = trained.config.get("train_length")
    if train_length and length > train_length:
        notes.append(f"longer than the {train_length} bits it was trained at: a test of generalisation")
    return AdditionResult(a, b, probabilities, int(a, 2) + int(b, 2), temperature, notes)


# --- figures for both fronts ---------------------------------------------------------------


def accuracy_figure(rows: list[dict[str, Any]], train_length: int | None):
    """Bit and sum accuracy against the numbers' length, the training length shaded."""
    series = {
        "bits right": [(row["length"], row["bit_accuracy"]) for row in rows],
        "sums all right": [(row["length"], row["sum_accuracy"]) for row in rows],
    }
    return sequence_charts.accuracy_by_length(
        series,
        title="How far it generalises: held-out accuracy against length (shaded: trained at)",
        x_title="bits per number",
        marks=[train_length] if train_length else [],
    )


def confidence_figure(result: AdditionResult):
    verdict = "right" if result.correct else f"wrong: {len(result.wrong_bits)} bit(s) in red"
    return sequence_charts.bit_confidences(
        result.bits,
        result.confidences,
        result.wrong_bits,
        title=f"{result.a} + {result.b} = {result.predicted_bits} ({verdict})",
    )
