"""Sequence-lab benchmarks: the palindromes sweep and binary addition, each timed to its course
criterion beside the course's recipe, in the same process, one after the other.

palindromes_time_to_criterion trains the whole sweep (T = 5, 10, ..., 30, a fresh RNN and LSTM
per length) for 5 seeds (0 to 4) through the app's runner, in the lab's "seeds" mode, twice: with
the lab's defaults and with the course's settings (`core.labs.palindromes.train.COURSE_RECIPE`).
Both use the same hand-written models (128 units, the RNN initialised as nn.RNN), batch 128 and
clipping 10, and stop a model once it is 100% right; the default starts the LSTM's forget bias at
3.0 where the course's recipe keeps 1.0, uses RMSprop 3e-3 where the course used 1e-3, and gives
up on the RNN once its held-out accuracy has stalled for 200 steps, where the course trained
every length to the end. For each recipe and each T it reports in how many seeds each model
learnt the length (100% of 1,000 held-out palindromes), in how many the RNN was near chance (at
most 25%, chance being 10%), and the median; the target is the issue's: the default's LSTM 100%
at every T up to 30 in at least 4 seeds of 5. Seconds are the runner's training clock (held-out
checks included, as a student waits for them).

binary_addition_time_to_criterion trains the lab's default through the runner and notes when
every held-out sum at 5 bits is first right (all 1,024 pairs); then the course's notebook recipe
as written: `nn.LSTM(2, 5)`, linear + sigmoid, MSE, Adam 0.01, one pair per step over 250 fixed
pairs, 100 validation pairs after each epoch, until its validation bit accuracy is 100% (its
criterion), with the one fix it needs to run at all: targets get L + 1 bits, as the sum of two
L-bit numbers can need them (its `B3` had L, and the assignment fails for such sums). Both are then
scored on the lab's held-out pairs at every length from 1 to 20.
"""

from __future__ import annotations

import os
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


PALINDROME_SEEDS, PALINDROME_SEEDS_NEEDED = 5, 4  # the issue: the LSTM learns every T in 4 seeds of 5


@benchmark(
    "palindromes_time_to_criterion",
    "Over 5 seeds, the whole T = 5..30 sweep (RNN and LSTM per length) in the lab's seeds mode: in "
    "how many seeds each model learns each T (100% held-out) and the RNN is near chance, and the "
    "seconds it takes; the lab's default recipe and the course's, through the app's runner, in the "
    "same process.",
)
def palindromes_time_to_criterion(options: Options) -> Result:
    from core.labs.palindromes.train import COURSE_RECIPE

    quick = PALINDROME_QUICK | {"seeds": 2} if options.quick else {"seeds": PALINDROME_SEEDS}
    over = {"mode": "seeds", "seed": 0} | quick
    recipes = {"default": dict(over), "course": COURSE_RECIPE | over}
    figures: dict[str, Any] = {"torch_threads_while_training": 1}
    details = {}
    for name, settings in recipes.items():
        progress(f"palindromes sweep over {settings['seeds']} seeds, {name} recipe...")
        load_before = os.getloadavg()
        trained, wall = run_lab("palindromes", settings)
        metrics = trained.metrics
        count = metrics["seed_count"]
        figures[f"{name}.train_seconds"] = metrics["train_seconds"]
        figures[f"{name}.wall_seconds"] = round(wall, 2)
        figures[f"{name}.load_before_after"] = f"{load_before[0]:.2f} / {os.getloadavg()[0]:.2f}"
        figures[f"{name}.lstm_every_length_in_seeds"] = f"{metrics['lstm_every_length_in_seeds']} of {count}"
        for row in metrics["over_seeds"]:
            t = row["length"]
            figures[f"{name}.T{t}.lstm_100pct_in"] = f"{row['lstm_learnt']} of {row['seeds']}"
            figures[f"{name}.T{t}.lstm_median"] = row["lstm_median"]
            figures[f"{name}.T{t}.rnn_100pct_in"] = f"{row['rnn_learnt']} of {row['seeds']}"
            figures[f"{name}.T{t}.rnn_near_chance_in"] = f"{row['rnn_near_chance']} of {row['seeds']}"
            figures[f"{name}.T{t}.rnn_median_min_max"] = (
                f"{row['rnn_median']:.3f} ({row['rnn_min']:.3f} to {row['rnn_max']:.3f})"
            )
        details[f"{name}_seeds"] = metrics["seeds"]
        details[f"{name}_over_seeds"] = metrics["over_seeds"]
        details[f"{name}_lstm_every_length"] = metrics["lstm_every_length_in_seeds"]
    figures["course_over_default_seconds"] = _ratio(
        figures["course.train_seconds"], figures["default.train_seconds"]
    )
    default_met = details["default_lstm_every_length"] >= PALINDROME_SEEDS_NEEDED
    return Result(
        figures=figures,
        target="default recipe: LSTM 100% at every T up to 30 in at least 4 of 5 seeds",
        met=None if options.quick else default_met,
        notes=[
            "Both recipes use the lab's hand-written models and held-out checks (1,000 fixed "
            "palindromes per length); seed k of a recipe is the sweep `--set seed=k` gives.",
            "Training runs on one thread (see core.recurrent.one_thread); on 2 busy cores the timings "
            "move with the load (the 1-minute load average before and after each recipe is shown).",
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
