"""Sequence-lab benchmarks: the palindromes sweep and binary addition, each timed to its course
criterion beside the course's recipe, in the same process, one after the other.

palindromes_time_to_criterion trains the whole sweep (T = 5, 10, ..., 30, a fresh RNN and LSTM
per length) through the app's runner twice: with the lab's defaults and with the course's
settings (`core.labs.palindromes.train.COURSE_RECIPE`). Both use the same hand-written models (128
units, the RNN initialised as nn.RNN), batch 128 and clipping 10, and stop a model once it is
100% right; the default uses RMSprop 3e-3 where the course used 1e-3, and gives up on the RNN
once its held-out accuracy has stalled for 200 steps (at chance), where the course trained every
length to the end. The criterion is the course's: the LSTM 100% on held-out palindromes at every
length up to 30, and the RNN near chance (at most 25%, chance being 10%) at T = 30. One seed per
recipe, and whether the RNN escapes at T = 30 varies from run to run. Seconds are the runner's
training clock (held-out checks included, as a student waits for them).

binary_addition_time_to_criterion trains the lab's default through the runner and notes when
every held-out sum at 5 bits is first right (all 1,024 pairs); then the course's notebook recipe
as written: `nn.LSTM(2, 5)`, linear + sigmoid, MSE, Adam 0.01, one pair per step over 250 fixed
pairs, 100 validation pairs after each epoch, until its validation bit accuracy is 100% (its
criterion), with the one fix it needs to run at all: targets get L + 1 bits, as the sum of two
L-bit numbers can need them (its `B3` had L, and the assignment fails for such sums). Both are then
scored on the lab's held-out pairs at every length from 1 to 20.
"""

from __future__ import annotations

import tempfile
import time
from typing import Any

import numpy as np
import torch
from torch import nn

from benchmarks.digits_speed import TrainingClock
from benchmarks.harness import Options, Result, benchmark, progress

PALINDROME_QUICK = {"shortest": 5, "longest": 7, "length_step": 2, "hidden_size": 32, "steps_per_length": 60}
ADDITION_LENGTH = 5
COURSE_TRAIN_PAIRS, COURSE_VAL_PAIRS, COURSE_EPOCHS = 250, 100, 8


def run_lab(lab_id: str, settings: dict[str, Any], max_steps: int | None = None) -> tuple[Any, float]:
    """Train through the app's runner; the result and the wall seconds it took."""
    from core.registry import get_lab
    from core.runner import TrainingRunner

    with tempfile.TemporaryDirectory() as runs:
        runner = TrainingRunner(max_concurrent=1, out_root=runs)
        started = time.perf_counter()
        job = runner.submit(get_lab(lab_id), settings, owner="benchmark", max_steps=max_steps)
        job.wait()
        wall = time.perf_counter() - started
    if job.result is None:
        raise RuntimeError(f"the {lab_id} training did not finish: {job.state}: {job.message}")
    return job.result, wall


def _ratio(slow: float | None, fast: float | None) -> float | None:
    return None if not slow or not fast else round(slow / fast, 2)


@benchmark(
    "palindromes_time_to_criterion",
    "Seconds for the whole T = 5..30 sweep (RNN and LSTM per length) to show the course's result "
    "(LSTM 100% at every T, RNN near chance at 30): the lab's default recipe and the course's, "
    "through the app's runner, in the same process.",
)
def palindromes_time_to_criterion(options: Options) -> Result:
    from core.labs.palindromes.train import COURSE_RECIPE, NEAR_CHANCE

    quick = PALINDROME_QUICK if options.quick else {}
    recipes = {"default": dict(quick), "course": COURSE_RECIPE | quick}
    figures: dict[str, Any] = {"torch_threads_while_training": 1}
    met = {}
    details = {}
    for name, settings in recipes.items():
        progress(f"palindromes sweep, {name} recipe...")
        trained, wall = run_lab("palindromes", settings)
        metrics = trained.metrics
        rows = {row["length"]: row for row in metrics["lengths"]}
        longest = max(rows)
        figures[f"{name}.train_seconds"] = metrics["train_seconds"]
        figures[f"{name}.wall_seconds"] = round(wall, 2)
        figures[f"{name}.lstm_perfect_up_to"] = metrics["lstm_perfect_up_to"]
        figures[f"{name}.rnn_accuracy_at_longest"] = round(rows[longest]["rnn"], 3)
        figures[f"{name}.lstm_steps_to_100_at_longest"] = rows[longest]["lstm_steps_to_100"]
        met[name] = metrics["lstm_100_percent_at_every_length"] and rows[longest]["rnn"] <= NEAR_CHANCE
        figures[f"{name}.criterion_met"] = met[name]
        details[f"{name}_lengths"] = metrics["lengths"]
    figures["course_over_default_seconds"] = _ratio(
        figures["course.train_seconds"], figures["default.train_seconds"]
    )
    return Result(
        figures=figures,
        target="default recipe: LSTM 100% at every T up to 30, RNN <= 25% at T = 30, sooner than the course",
        met=None if options.quick else met["default"] and figures["course_over_default_seconds"] >= 1,
        notes=[
            "Both recipes use the lab's hand-written models and held-out checks (1,000 fixed "
            "palindromes per length).",
            "Training runs on one thread (see core.recurrent.one_thread); on 2 busy cores the timings "
            "move with the load: compare the ratio, from one run.",
        ],
        details=details,
    )


# --- binary addition -----------------------------------------------------------------------


class CourseAdder(nn.Module):
    """The course's LSTM_Binary: nn.LSTM(2, hidden), then Linear(hidden, 1) and a sigmoid."""

    def __init__(self, hidden: int = 5):
        super().__init__()
        self.lstm = nn.LSTM(2, hidden)
        self.layer2 = nn.Sequential(nn.Linear(hidden, 1), nn.Sigmoid())

    def forward(self, columns: torch.Tensor) -> torch.Tensor:  # (T, B, 2) -> (T, B) probabilities
        out, _ = self.lstm(columns)
        return self.layer2(out).squeeze(-1)


def course_pairs(count: int, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """The course's generator: numbers from randint(0, 2**L - 1), so never the largest."""
    numbers = rng.integers(0, 2**ADDITION_LENGTH - 1, size=(2, count))
    return torch.from_numpy(numbers[0]), torch.from_numpy(numbers[1])


def run_course_adder(quick: bool, seed: int = 0) -> dict[str, Any]:
    """The course's recipe, timed to its own criterion (100% validation bit accuracy)."""
    from core.labs.binary_addition.train import columns, length_rows

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    train_x, train_y = columns(*course_pairs(COURSE_TRAIN_PAIRS, rng), ADDITION_LENGTH)
    val_x, val_y = columns(*course_pairs(COURSE_VAL_PAIRS, rng), ADDITION_LENGTH)
    model = CourseAdder()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    clock, reached, epochs_run = TrainingClock(), None, 0
    clock.start()
    for epoch in range(1 if quick else COURSE_EPOCHS):
        for i in range(COURSE_TRAIN_PAIRS):  # one pair per step, as the course did
            output = model(train_x[:, i : i + 1])
            loss = loss_fn(output, train_y[:, i : i + 1])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        epochs_run = epoch + 1
        with clock.paused("validation"), torch.no_grad():
            bit_accuracy = ((model(val_x) >= 0.5).float() == val_y).float().mean().item()
        if bit_accuracy == 1.0 and reached is None:
            reached = clock.now()
    seconds = clock.now()

    class AsLogits(nn.Module):  # the lab's scoring reads logits: sigmoid p >= 0.5 <=> logit >= 0
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.logit(model(x).clamp(1e-6, 1 - 1e-6))

    rows = length_rows(AsLogits())
    return {"seconds_to_criterion": reached, "train_seconds": seconds, "epochs": epochs_run, "lengths": rows}


@benchmark(
    "binary_addition_time_to_criterion",
    "Seconds until every held-out sum of two 5-bit numbers is right: the lab's default recipe "
    "through the app's runner, and the course's notebook recipe (to its 100% validation bit "
    "accuracy), in the same process; both then scored at every length from 1 to 20.",
)
def binary_addition_time_to_criterion(options: Options) -> Result:
    from core.recurrent import one_thread

    progress("binary addition, default recipe (app runner)...")
    trained, wall = run_lab("binary-addition", {"steps": 300} if options.quick else {})
    metrics = trained.metrics
    progress("binary addition, course recipe...")
    with one_thread():  # the same threading as the lab's training, for a fair comparison
        course = run_course_adder(options.quick)
    default_rows = {row["length"]: row for row in metrics["lengths"]}
    course_rows = {row["length"]: row for row in course["lengths"]}
    figures: dict[str, Any] = {
        "default.seconds_to_all_sums_right": metrics["seconds_to_all_sums_right"],
        "default.steps_to_all_sums_right": metrics["steps_to_all_sums_right"],
        "default.train_seconds_all_steps": metrics["train_seconds"],
        "default.wall_seconds": round(wall, 2),
        "default.all_sums_right_up_to": metrics["all_sums_right_up_to"],
        "default.sum_accuracy_at_20_bits": default_rows[20]["sum_accuracy"],
        "course.seconds_to_100pct_val_bits": None
        if course["seconds_to_criterion"] is None
        else round(course["seconds_to_criterion"], 2),
        "course.epochs": course["epochs"],
        "course.sum_accuracy_at_5_bits": course_rows[5]["sum_accuracy"],
        "course.sum_accuracy_at_20_bits": course_rows[20]["sum_accuracy"],
    }
    figures["course_over_default_seconds"] = _ratio(
        figures["course.seconds_to_100pct_val_bits"], figures["default.seconds_to_all_sums_right"]
    )
    met = None
    if not options.quick:
        met = metrics["criterion_met"] and (figures["course_over_default_seconds"] or 0) >= 1
    return Result(
        figures=figures,
        target="default recipe: every held-out 5-bit sum right, sooner than the course's recipe reaches "
        "100% validation bits",
        met=met,
        notes=[
            "The course's criterion is weaker: 100 validation pairs, bits not sums, drawn from the "
            "same 961 pairs as its training; the lab's is all 1,024 pairs, every bit of every sum.",
            "Training clocks exclude the course's per-epoch validation; the default's include its "
            "held-out checks (the runner's clock).",
        ],
        details={"default_lengths": metrics["lengths"], "course_lengths": course["lengths"]},
    )
