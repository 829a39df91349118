"""Palindromes lab: a vanilla RNN and an LSTM, both written from their equations, learn to name
the last digit of a palindrome from the digits before it; the LSTM keeps doing so at lengths
where the RNN falls to chance.

A training is a list of lengths T (one, or a sweep). For each, a fresh RNN and LSTM train side by
side on the same freshly drawn batches; each stops once it names every one of 1,000 fixed
held-out palindromes of that length correctly, or at the step limit. All the pairs go in one
checkpoint (`PalindromeModels`, a module dict keyed by length), so the accuracy-vs-T plot can be
re-measured from the weights (`evaluate`), and Try it runs the pair trained at the length a
typed prefix makes.

What the course did differently: it plotted batch accuracy during training and judged models on
it; here every figure is held-out accuracy on palindromes drawn with a fixed seed.
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
from core.catalogue import PALINDROMES as SPEC
from core.events import EpochEnd, Event, Progress, Trained
from core.history import TrainingHistory
from core.labs.base import Lab, TrainedModel
from core.recurrent import GATES, SequenceInputError, build_recurrent, check_temperature, one_thread
from core.runner import TrainContext
from core.specs import SpecError

DIGITS = 10
CELLS = ("lstm", "rnn")
CELL_NAMES = {"lstm": "LSTM", "rnn": "Vanilla RNN"}
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


# --- models --------------------------------------------------------------------------------


class DigitReader(nn.Module):
    """A recurrence over one-hot digits, then a linear layer from its last hidden state to ten
    logits."""

    def __init__(self, cell: str, hidden_size: int, rnn_init: str = "pytorch"):
        super().__init__()
        self.recurrent = build_recurrent(cell, DIGITS, hidden_size, rnn_init)
        self.head = nn.Linear(hidden_size, DIGITS)

    def forward(self, prefixes: torch.Tensor, record: bool = False):
        """Logits (B, 10) for digit prefixes (B, L); with `record`, also the recording."""
        inputs = F.one_hot(prefixes, DIGITS).float().transpose(0, 1)  # time first
        states, recording = self.recurrent(inputs, record=record)
        logits = self.head(states[-1])
        return (logits, recording) if record else logits


def length_key(length: int) -> str:
    return f"T{length:02d}"


class PalindromeModels(nn.Module):
    """An LSTM and an RNN for each trained length, as one module (one checkpoint)."""

    def __init__(self, lengths: list[int], hidden_size: int, rnn_init: str = "pytorch"):
        super().__init__()
        self.hidden_size = hidden_size
        self.pairs = nn.ModuleDict(
            {
                length_key(length): nn.ModuleDict(
                    {cell: DigitReader(cell, hidden_size, rnn_init) for cell in CELLS}
                )
                for length in sorted(lengths)
            }
        )

    @property
    def lengths(self) -> list[int]:
        return [int(key[1:]) for key in self.pairs]

    def pair(self, length: int) -> nn.ModuleDict:
        return self.pairs[length_key(length)]

    def keep(self, lengths: list[int]) -> PalindromeModels:
        """A model holding only these lengths' pairs (the same modules, not copies)."""
        kept = PalindromeModels([], self.hidden_size)
        for length in lengths:
            kept.pairs[length_key(length)] = self.pair(length)
        return kept


def sweep_lengths(params: dict[str, Any]) -> list[int]:
    """The lengths a training covers: the longest alone, or shortest..longest by the step (the
    longest always included)."""
    longest = params["longest"]
    if params["mode"] == "single":
        return [longest]
    lengths = list(range(params["shortest"], longest + 1, params["length_step"]))
    return lengths if lengths[-1] == longest else [*lengths, longest]


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


# --- the lab -------------------------------------------------------------------------------


class PalindromesLab(Lab):
    spec = SPEC

    def check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        if params["mode"] == "sweep" and params["shortest"] > params["longest"]:
            raise SpecError(
                f"Shortest T ({params['shortest']}) is longer than the longest ({params['longest']}): "
                "lower it, or pick mode single."
            )
        return params

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return PalindromeModels([int(t) for t in config["lengths"]], int(config["hidden_size"]))

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        with one_thread():  # see one_thread: tiny recurrent steps run faster on one core
            yield from self._train(params, ctx)

    def _train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
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
                cell: torch.optim.RMSprop(pair[cell].parameters(), lr=params["learning_rate"])
                for cell in CELLS
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
            yield EpochEnd(
                index + 1,
                step,
                {"length": length, "lstm_accuracy": row["lstm"], "rnn_accuracy": row["rnn"]},
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

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        rows = length_rows(trained.model)
        return {
            "lab": SPEC.id,
            "accuracy_by_length": rows,
            **criterion(rows),
            "heldout_size_per_length": HELDOUT_SIZE,
            "course": "LSTM 100% up to T = 30; the vanilla RNN at chance (10%) past about T = 20",
        }

    def headline(self, metrics: dict[str, Any]) -> str:
        rows = metrics.get("lengths") or []
        if not rows:
            return ""
        longest = max(rows, key=lambda row: row["length"])
        text = (
            f"at T = {longest['length']}: LSTM {longest['lstm']:.0%}, RNN {longest['rnn']:.0%} held-out"
            if len(rows) == 1
            else f"held-out accuracy over T = {rows[0]['length']}..{longest['length']}"
        )
        if len(rows) > 1 and metrics.get("lstm_perfect_up_to"):
            text += f": LSTM 100% up to T = {metrics['lstm_perfect_up_to']}"
        if len(rows) > 1 and metrics.get("rnn_near_chance_from"):
            text += f", RNN near chance from T = {metrics['rnn_near_chance_from']}"
        return text

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        return (
            "---\nlibrary_name: pytorch\ntags:\n- lstm\n- rnn\n- palindromes\n- deep-learning-labs\n---\n\n"
            f"# Palindromes: vanilla RNN vs LSTM ({config.get('hidden_size')} units)\n\n"
            "Each length T has its own pair, trained by Deep Learning Labs' palindromes lab to name the "
            "last digit of a palindrome from the first T-1 (one-hot digits).\n\n"
            f"Held-out accuracy ({HELDOUT_SIZE:,} fixed palindromes per length) and steps to reach 100%:\n\n"
            f"{steps_table(metrics.get('lengths', []))}\n\n"
            f"Reproduce: `python -m core train palindromes {settings}`\n"
        )

    def add_cli_commands(self, commands: argparse._SubParsersAction) -> None:
        command = commands.add_parser(
            "palindrome", help="the last digit that the RNN and the LSTM give a palindrome's first digits"
        )
        command.add_argument("prefix", help="the first T-1 digits, e.g. 1234543 (T = 8)")
        command.add_argument("--temperature", default=1.0, help="softmax temperature (default 1)")
        command.add_argument("--checkpoint", help="checkpoint folder (default: the bundled models)")
        command.add_argument(
            "--gates", action="store_true", help="include the LSTM's gates per step and unit"
        )
        command.add_argument("--json", action="store_true", help="print the result as one JSON object")
        command.set_defaults(handler=self.cli_palindrome)

    def cli_palindrome(self, args: argparse.Namespace) -> int:
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        result = predict_last_digit(trained, args.prefix, args.temperature)
        if args.json:
            print(json.dumps(result.to_dict(gates=args.gates)))
            return 0
        print(f"prefix {result.prefix} (T = {result.length}), a palindrome's last digit: {result.expected}")
        for cell in CELLS:
            guess = result.guesses[cell]
            mark = "right" if guess.digit == result.expected else "wrong"
            print(f"  {CELL_NAMES[cell]:<12} {guess.digit} ({guess.confidence:.1%}, {mark})")
        for note in result.notes:
            print(f"note: {note}")
        return 0


# --- interaction: a pure function of (model, prefix) ----------------------------------------


@dataclass
class Guess:
    """One model's answer: its digit and the softmax probabilities of all ten."""

    digit: int
    probabilities: np.ndarray

    @property
    def confidence(self) -> float:
        return float(self.probabilities[self.digit])


@dataclass
class PalindromePrediction:
    """Both models' answers for one prefix, and what the LSTM did at each step: its four gates
    and its cell state, (steps, hidden units) each; the RNN's hidden state, likewise."""

    prefix: str
    length: int  # T: the prefix plus the digit to name
    model_length: int  # the length the pair used was trained at
    expected: int  # the digit that completes a palindrome: the first
    guesses: dict[str, Guess]
    gates: dict[str, np.ndarray]
    cell: np.ndarray
    rnn_hidden: np.ndarray
    temperature: float
    notes: list[str] = field(default_factory=list)

    def to_dict(self, gates: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = {
            "prefix": self.prefix,
            "length": self.length,
            "model_length": self.model_length,
            "expected": self.expected,
            "temperature": self.temperature,
            "predictions": {
                cell: {
                    "digit": guess.digit,
                    "confidence": round(guess.confidence, 4),
                    "correct": guess.digit == self.expected,
                    "probabilities": [round(float(p), 4) for p in guess.probabilities],
                }
                for cell, guess in self.guesses.items()
            },
            "notes": self.notes,
        }
        # The mean of each gate over the units, per step: a compact view for scripts.
        result["lstm_gate_means"] = {
            name: np.round(v.mean(axis=1), 4).tolist() for name, v in self.gates.items()
        }
        if gates:
            result["lstm_gates"] = {name: np.round(v, 4).tolist() for name, v in self.gates.items()}
            result["lstm_cell"] = np.round(self.cell, 4).tolist()
            result["rnn_hidden"] = np.round(self.rnn_hidden, 4).tolist()
        return result


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
    """Both models' answer for a typed prefix, with the LSTM's gates at every step. The prefix
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
    guesses, recordings = {}, {}
    with torch.no_grad():
        for cell in CELLS:
            logits, recordings[cell] = pair[cell].eval()(inputs, record=True)
            probabilities = torch.softmax(logits[0] / temperature, dim=0).numpy()
            guesses[cell] = Guess(int(probabilities.argmax()), probabilities)
    lstm = recordings["lstm"]
    return PalindromePrediction(
        prefix=prefix,
        length=length,
        model_length=model_length,
        expected=int(prefix[0]),
        guesses=guesses,
        gates={name: lstm.gates[name][:, 0].numpy() for name in GATES},
        cell=lstm.cell[:, 0].numpy(),
        rnn_hidden=recordings["rnn"].hidden[:, 0].numpy(),
        temperature=temperature,
        notes=notes,
    )


def busiest_units(prediction: PalindromePrediction, count: int = 32) -> np.ndarray:
    """The LSTM units whose cell state ends furthest from zero, in unit order: the ones holding
    the most at the moment the answer is read, which is where the first digit is kept."""
    ends = np.abs(prediction.cell[-1])
    return np.sort(np.argsort(-ends)[:count])


# --- figures for both fronts ---------------------------------------------------------------


def accuracy_figure(rows: list[dict[str, Any]], title: str = "Held-out accuracy against palindrome length T"):
    """Accuracy vs T of both models, from a checkpoint's rows or a training's finished lengths."""
    series = {CELL_NAMES[cell]: [(row["length"], row[cell]) for row in rows] for cell in CELLS}
    return sequence_charts.accuracy_by_length(
        series, title=title, x_title="palindrome length T", chance=CHANCE
    )


def finished_rows(history: TrainingHistory) -> list[dict[str, Any]]:
    """The lengths a running training has finished, as rows like a checkpoint's."""
    lengths = history.epochs.get("length", [])
    lstm = dict(history.epochs.get("lstm_accuracy", []))
    rnn = dict(history.epochs.get("rnn_accuracy", []))
    return [{"length": int(t), "lstm": lstm[i], "rnn": rnn[i]} for i, t in lengths if i in lstm and i in rnn]


def current_length_curves(history: TrainingHistory) -> tuple[Any, Any]:
    """Loss and held-out accuracy of both models at the length being trained now (or last),
    against the step at that length."""
    lengths = dict(history.steps.get("length", []))
    steps = dict(history.steps.get("length_step", []))
    current = history.steps["length"][-1][1] if lengths else None

    def points(name: str) -> list[tuple[float, float]]:
        return [(steps[x], v) for x, v in history.steps.get(name, []) if lengths.get(x) == current]

    where = f" at T = {current:g}" if current is not None else ""
    loss = sequence_charts.step_curves(
        {CELL_NAMES[cell]: points(f"{cell}_loss") for cell in CELLS},
        title=f"Training loss{where}",
        y_title="cross-entropy",
        x_title="step at this length",
        log_y=True,
    )
    held = sequence_charts.step_curves(
        {CELL_NAMES[cell]: points(f"heldout_{cell}_accuracy") for cell in CELLS},
        title=f"Held-out accuracy{where}",
        y_title="accuracy",
        x_title="step at this length",
        unit_range=True,
    )
    return loss, held


def gate_figure(prediction: PalindromePrediction, gate: str, units: np.ndarray):
    """One LSTM gate (or "cell" state) per unit and step, for the chosen units."""
    if gate == "cell state":
        values, value_range, scale = prediction.cell[:, units], (-1.5, 1.5), "RdBu"
    elif gate == "cell":  # the candidate g is a tanh: it lives in [-1, 1]
        values, value_range, scale = prediction.gates[gate][:, units], (-1.0, 1.0), "RdBu"
    else:
        values, value_range, scale = prediction.gates[gate][:, units], (0.0, 1.0), "Viridis"
    return sequence_charts.step_heatmap(
        values.T,
        list(prediction.prefix),
        title=GATE_TITLES[gate],
        value_range=value_range,
        colorscale=scale,
        row_labels=[f"unit {u}" for u in units],
    )


GATE_TITLES = {
    "input": "Input gate i: how much new content is written",
    "forget": "Forget gate f: how much of the cell is kept (near 1 = remember)",
    "cell": "Cell candidate g: the content on offer",
    "output": "Output gate o: how much of the cell is shown",
    "cell state": "Cell state c: the memory itself",
}
