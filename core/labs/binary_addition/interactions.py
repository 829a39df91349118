"""What a student does with the adder: type two binary numbers and see its sum with its
confidence in each bit, and read how far beyond its training length it stays right."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from core import sequence_charts
from core.interactions import Interaction, Output
from core.labs.base import TrainedModel
from core.labs.binary_addition.train import MAX_BITS, columns, length_rows
from core.recurrent import TEMPERATURE_RANGE, SequenceInputError, check_temperature, one_thread
from core.specs import Param


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


def add(trained: TrainedModel, a: str, b: str, temperature: float) -> dict[str, Any]:
    result = add_numbers(trained, a, b, temperature)
    verdict = "✓ right" if result.correct else f"✗ {len(result.wrong_bits)} bit(s) wrong (in red)"
    answer = [
        f"{result.a} + {result.b} = **{result.predicted_bits}** ({result.predicted_value}): {verdict}",
        *(f"*Note: {note}.*" for note in result.notes),
    ]
    sums = [
        {"number": "first", "binary": result.a, "decimal": int(result.a, 2)},
        {"number": "second", "binary": result.b, "decimal": int(result.b, 2)},
        {"number": "the LSTM's sum", "binary": result.predicted_bits, "decimal": result.predicted_value},
        {"number": "the true sum", "binary": result.expected_bits, "decimal": result.expected_value},
    ]
    wrong = set(result.wrong_bits)
    per_bit = [  # most significant first, as numbers are written
        {
            "bit": f"2^{i}",
            "LSTM": result.bits[i],
            "true": (result.expected_value >> i) & 1,
            "P(1)": round(float(result.probabilities[i]), 4),
            "confidence": round(result.confidences[i], 4),
            "right": i not in wrong,
        }
        for i in reversed(range(len(result.bits)))
    ]
    chart = sequence_charts.bit_confidences(
        result.bits,
        result.confidences,
        result.wrong_bits,
        title=f"{result.a} + {result.b} = {result.predicted_bits}: the LSTM's confidence in each bit",
    )
    return {"answer": "\n\n".join(answer), "sums": sums, "bits": chart, "per_bit": per_bit}


def accuracy_by_length(trained: TrainedModel) -> dict[str, Any]:
    rows = trained.metrics.get("lengths") or length_rows(trained.model)
    train_length = trained.config.get("train_length")
    series = {
        "bits right": [(row["length"], row["bit_accuracy"]) for row in rows],
        "sums all right": [(row["length"], row["sum_accuracy"]) for row in rows],
    }
    chart = sequence_charts.accuracy_by_length(
        series,
        title="How far it generalises: held-out accuracy against length (shaded: trained at)",
        x_title="bits per number",
        marks=[train_length] if train_length else [],
    )
    exact = 0
    for row in sorted(rows, key=lambda r: r["length"]):
        if row["sum_accuracy"] < 1.0:
            break
        exact = row["length"]
    note = (
        f"Trained at {train_length} bits; every held-out sum is right up to {exact} bits. Each length "
        "is tested on every pair of numbers when there are at most 4,096, else on 1,000 seeded pairs."
    )
    table = [
        {"bits": row["length"], "bit accuracy": row["bit_accuracy"], "sum accuracy": row["sum_accuracy"]}
        for row in rows
    ]
    return {"chart": chart, "note": note, "lengths": table}


TEMPERATURE = Param(
    "temperature",
    "float",
    1.0,
    "Scales the confidences: below 1 sharper, above 1 softer; one outside "
    f"{TEMPERATURE_RANGE[0]:g} to {TEMPERATURE_RANGE[1]:g} is clamped to it, with a note.",
    label="Sigmoid temperature",
    low=0.0,
    high=1000.0,  # typed beyond TEMPERATURE_RANGE, it is clamped with a note
)

INTERACTIONS = (
    Interaction(
        "add",
        "Add two numbers",
        "Type two binary numbers (up to 20 bits): the LSTM adds them one column at a time, least "
        "significant bit first, and shows how sure it is of each bit of the sum.",
        add,
        inputs=(
            Param("a", "text", "1011", "A binary number, e.g. 1011.", label="First number (binary)"),
            Param("b", "text", "111", "Another, e.g. 111.", label="Second number (binary)"),
            TEMPERATURE,
        ),
        outputs=(
            Output("answer", "markdown", "The LSTM's sum"),
            Output("sums", "table", "The numbers"),
            Output("bits", "plot", "Confidence per bit"),
            Output("per_bit", "table", "Each bit of the sum"),
        ),
        example={"a": "110110", "b": "1011"},
    ),
    Interaction(
        "accuracy-by-length",
        "Accuracy against length",
        "How far beyond its training length it stays right: the share of bits right and of sums with "
        "every bit right, at every length from 1 to 20 bits.",
        accuracy_by_length,
        outputs=(
            Output("chart", "plot", "Accuracy against length"),
            Output("note", "markdown", ""),
            Output("lengths", "table", "Each length"),
        ),
    ),
)
