"""What a student does with the palindrome models: type the first digits of a palindrome and
see both models' last digit with what the LSTM did at each step, and read accuracy against T."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from core.interactions import Interaction, Output, Probabilities
from core.labs.base import TrainedModel
from core.labs.palindromes.figures import GATE_VIEWS, accuracy_figure, gate_heatmap, seeds_figure
from core.labs.palindromes.model import CELL_NAMES, CELLS, DIGITS, PalindromeModels
from core.labs.palindromes.train import HELDOUT_SIZE, NEAR_CHANCE, length_rows, seeds_headline, steps_taken
from core.recurrent import GATES, TEMPERATURE_RANGE, SequenceInputError, check_temperature, one_thread
from core.specs import Param

DIGIT_NAMES = tuple(str(d) for d in range(DIGITS))


@dataclass
class PalindromePrediction:
    """Both models' answers for one prefix (ten probabilities each), and what they did at each
    step: the LSTM's four gates and cell state, the RNN's hidden state, (steps, units) each."""

    prefix: str
    length: int  # T: the prefix plus the digit to name
    model_length: int  # the length the pair used was trained at
    expected: int  # the digit that completes a palindrome: the first
    probabilities: dict[str, np.ndarray]
    gates: dict[str, np.ndarray]
    cell: np.ndarray
    rnn_hidden: np.ndarray
    temperature: float
    notes: list[str] = field(default_factory=list)

    def digit(self, cell: str) -> int:
        return int(self.probabilities[cell].argmax())

    def view(self, name: str) -> np.ndarray:
        """A gate, "cell state" or "rnn hidden": (steps, units)."""
        return {"cell state": self.cell, "rnn hidden": self.rnn_hidden}.get(name, self.gates.get(name))


def parse_prefix(text: Any) -> str:
    """The digits of a typed prefix (spaces and commas between digits are allowed)."""
    if not isinstance(text, str):
        raise SequenceInputError(f"expected a string of digits, got {text!r}")
    digits = "".join(text.replace(",", " ").split())
    if not digits:
        raise SequenceInputError("type the first digits of a palindrome, e.g. 1234543")
    wrong = sorted({ch for ch in digits if ch not in "0123456789"})
    if wrong:
        shown = ", ".join(repr(ch) for ch in wrong[:5])
        raise SequenceInputError(f"a prefix holds only the digits 0-9; {digits!r} also has {shown}")
    return digits


def palindrome_mismatch(prefix: str) -> str:
    """ "" when the prefix can start a palindrome one digit longer, else which digits disagree."""
    length = len(prefix) + 1
    for i in range(length // 2):
        j = length - 1 - i
        if j < len(prefix) and prefix[i] != prefix[j]:
            return f"digit {i + 1} ({prefix[i]}) and digit {j + 1} ({prefix[j]}) differ"
    return ""


@one_thread()  # tiny recurrent steps: see one_thread
def predict_last_digit(trained: TrainedModel, text: Any, temperature: Any = 1.0) -> PalindromePrediction:
    """Both models' answer for a typed prefix, with what they did at every step. The prefix
    makes T = its length + 1, which must lie within the lengths the checkpoint was trained at;
    the pair trained at the nearest length answers (a note says so when it is not T itself)."""
    prefix = parse_prefix(text)
    temperature, temperature_note = check_temperature(temperature)
    models: PalindromeModels = trained.model
    lengths = models.lengths
    length = len(prefix) + 1
    low, high = min(lengths), max(lengths)
    if not low <= length <= high:
        trained_at = f"T = {low}" if low == high else f"T = {low} to {high}"
        wanted = f"{low - 1}" if low == high else f"{low - 1} to {high - 1}"
        raise SequenceInputError(
            f"{len(prefix)} digits make a palindrome of length T = {length}, but these models were "
            f"trained at {trained_at}: type {wanted} digits"
        )
    model_length = min(lengths, key=lambda t: (abs(t - length), t))
    notes = [temperature_note] if temperature_note else []
    if model_length != length:
        notes.append(f"no pair was trained at T = {length}; the pair trained at T = {model_length} answers")
    if mismatch := palindrome_mismatch(prefix):
        notes.append(
            f"{prefix} cannot start a palindrome ({mismatch}); the models still answer with what they "
            "learnt, and the palindrome answer is still the first digit"
        )
    inputs = torch.tensor([[int(d) for d in prefix]])
    pair = models.pair(model_length)
    probabilities, recordings = {}, {}
    with torch.no_grad():
        for cell in CELLS:
            logits, recordings[cell] = pair[cell].eval()(inputs, record=True)
            probabilities[cell] = torch.softmax(logits[0] / temperature, dim=0).numpy()
    lstm = recordings["lstm"]
    return PalindromePrediction(
        prefix=prefix,
        length=length,
        model_length=model_length,
        expected=int(prefix[0]),
        probabilities=probabilities,
        gates={name: lstm.gates[name][:, 0].numpy() for name in GATES},
        cell=lstm.cell[:, 0].numpy(),
        rnn_hidden=recordings["rnn"].hidden[:, 0].numpy(),
        temperature=temperature,
        notes=notes,
    )


def busiest_units(states: np.ndarray, count: int = 32) -> np.ndarray:
    """The units whose state (steps, units) ends furthest from zero, in unit order: for the
    LSTM's cell, the ones holding the most when the answer is read, where the first digit is kept."""
    ends = np.abs(states[-1])
    return np.sort(np.argsort(-ends)[:count])


def last_digit(
    trained: TrainedModel, prefix: str, temperature: float, view: str, units: int
) -> dict[str, Any]:
    result = predict_last_digit(trained, prefix, temperature)
    rows = [
        {
            "model": CELL_NAMES[cell],
            "answer": result.digit(cell),
            "expected": result.expected,
            "correct": result.digit(cell) == result.expected,
            "confidence": round(float(result.probabilities[cell].max()), 4),
        }
        for cell in CELLS
    ]
    # Units are picked by the memory they end with: the LSTM's cell state, or the RNN's state.
    shown = busiest_units(result.rnn_hidden if view == "rnn hidden" else result.cell, units)
    answer = [
        f"**T = {result.length}**: a palindrome ends in its first digit, **{result.expected}**.",
        *(f"*Note: {note}.*" for note in result.notes),
        f"Inside the networks (the pair trained at T = {result.model_length}): each row of the heatmap "
        f"is a hidden unit, each column a step; shown: the {len(shown)} units whose memory is fullest "
        "when the answer is read.",
    ]
    return {
        "answer": "\n\n".join(answer),
        "models": rows,
        **{cell: Probabilities(DIGIT_NAMES, result.probabilities[cell]) for cell in CELLS},
        "inside": gate_heatmap(result.view(view), view, result.prefix, shown),
    }


def accuracy_by_length(trained: TrainedModel) -> dict[str, Any]:
    if summary := trained.metrics.get("over_seeds"):
        return accuracy_over_seeds(trained.metrics, summary)
    rows = trained.metrics.get("lengths") or length_rows(trained.model)
    table = [
        {
            "T": row["length"],
            "LSTM": row["lstm"],
            "RNN": row["rnn"],
            "LSTM steps to 100%": steps_taken(row, "lstm"),
            "RNN steps to 100%": steps_taken(row, "rnn"),
        }
        for row in rows
    ]
    note = (
        f"Held-out accuracy on {HELDOUT_SIZE:,} fixed palindromes per length; chance is 10%, and "
        f"the RNN counts as near chance at {NEAR_CHANCE:.0%} or less. The course: the LSTM 100% up to "
        "T = 30, the vanilla RNN at chance past about T = 20. This is one seed: pick the bundled "
        "seeds model, or train in mode seeds, to see how much another seed changes."
    )
    return {"chart": accuracy_figure(rows), "note": note, "lengths": table}


def accuracy_over_seeds(metrics: dict[str, Any], summary: list[dict[str, Any]]) -> dict[str, Any]:
    """A several-seeds run: the median and range of each model over the seeds, per length."""
    table = [
        {
            "T": row["length"],
            "LSTM median": row["lstm_median"],
            "LSTM worst seed": row["lstm_min"],
            "LSTM best seed": row["lstm_max"],
            "LSTM 100% in": f"{row['lstm_learnt']} of {row['seeds']}",
            "RNN median": row["rnn_median"],
            "RNN worst seed": row["rnn_min"],
            "RNN best seed": row["rnn_max"],
            "RNN 100% in": f"{row['rnn_learnt']} of {row['seeds']}",
            "RNN near chance in": f"{row['rnn_near_chance']} of {row['seeds']}",
        }
        for row in summary
    ]
    seeds = ", ".join(str(run["seed"]) for run in metrics.get("seeds", []))
    note = (
        f"Seeds {seeds}, each a fresh sweep: the line is each model's median held-out accuracy "
        f"({HELDOUT_SIZE:,} fixed palindromes per length), the band runs from its worst seed to its "
        f"best. Chance is 10%; the RNN counts as near chance at {NEAR_CHANCE:.0%} or less. "
        f"{seeds_headline(metrics)[0].upper()}{seeds_headline(metrics)[1:]}. The heatmaps of the "
        "other tab show the first seed's models."
    )
    return {"chart": seeds_figure(summary), "note": note, "lengths": table}


INTERACTIONS = (
    Interaction(
        "last-digit",
        "Name the last digit",
        "Type the first T-1 digits of a palindrome: both models name the last one (a palindrome "
        "needs the first), and heatmaps show what each LSTM gate did at each step.",
        last_digit,
        inputs=(
            Param(
                "prefix",
                "text",
                "1234567876543",
                "The first T-1 digits of a palindrome, e.g. 1234543 (T = 8): both models name the last. "
                "Try a long prefix: the RNN forgets the first digit.",
                label="The first T-1 digits of a palindrome",
            ),
            Param(
                "temperature",
                "float",
                1.0,
                "Below 1 sharpens the probabilities, above 1 flattens them; one outside "
                f"{TEMPERATURE_RANGE[0]:g} to {TEMPERATURE_RANGE[1]:g} is clamped to it, with a note.",
                label="Softmax temperature",
                low=0.0,
                high=1000.0,  # typed beyond TEMPERATURE_RANGE, it is clamped with a note
            ),
            Param(
                "view",
                "choice",
                "forget",
                "Which LSTM gate, its cell state, or the RNN's hidden state: look for units whose forget "
                "gate stays near 1 after the first digit.",
                label="Inside the networks: show",
                choices=GATE_VIEWS,
            ),
            Param(
                "units",
                "int",
                32,
                "How many hidden units the heatmap shows: those whose memory is fullest at the end.",
                label="Units shown",
                low=1,
                high=256,
            ),
        ),
        outputs=(
            Output("answer", "markdown", "The answer a palindrome needs"),
            Output("models", "table", "Both models' answers"),
            Output("lstm", "label", "LSTM"),
            Output("rnn", "label", "Vanilla RNN"),
            Output("inside", "heatmap", "Inside the networks, per unit and step"),
        ),
        example={"prefix": "8123456787654321", "view": "cell state", "units": 16},
    ),
    Interaction(
        "accuracy-by-length",
        "Accuracy against T",
        "Held-out accuracy of both models at each length they were trained at, and how many steps "
        "each took to reach 100% (or when the RNN was given up on); for a several-seeds run, the "
        "median and the range over the seeds.",
        accuracy_by_length,
        outputs=(
            Output("chart", "plot", "Accuracy against T"),
            Output("note", "markdown", ""),
            Output("lengths", "table", "Each length"),
        ),
    ),
)
