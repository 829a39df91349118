"""A lab run by the app's own runner, measured from inside its training thread (the Digits, GAN
and VAE time-to-quality benchmarks), on a clock of training seconds.

Time is the benchmark's training clock: it starts at the first step and stops while anything is
evaluated. The lab's own evaluations are excluded by patching them in its module; the
benchmark's checks, every `check_every` seconds of training, run between steps with the clock
paused, so they never race the training.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from types import ModuleType
from typing import Any
from unittest import mock

import torch

from benchmarks.harness import Options

NOT_MNIST = "Not trained on MNIST: the figures are not comparable with the target."


def mnist_target_met(
    options: Options, data: dict[str, Any], notes: list[str], met: Callable[[], bool]
) -> bool | None:
    """Whether a training benchmark met its target (`met()`): None for a quick run, and None,
    said in `notes`, when the lab recorded other data than MNIST (`data`)."""
    if data.get("dataset") != "mnist":
        notes.append(NOT_MNIST)
        return None
    return None if options.quick else met()


def curves(runs: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each run's points (dataclasses) as `<name>_curve`, for results.json's details."""
    return {f"{name}_curve": [asdict(point) for point in run.points] for name, run in runs.items()}


@contextmanager
def load_around() -> Iterator[list[float]]:
    """The 1-minute load average before and after the block, [before, after]: how much of the
    machine the block had."""
    load = [round(os.getloadavg()[0], 2)]
    try:
        yield load
    finally:
        load.append(round(os.getloadavg()[0], 2))


class TrainingClock:
    """Seconds of training: wall time since `start`, minus every `paused` stretch.

    Pauses nest (an evaluation may call another timed function); only the outermost counts.
    """

    def __init__(self) -> None:
        self._started: float | None = None
        self._paused_since = 0.0
        self._depth = 0
        self.paused_seconds: dict[str, float] = {}

    def start(self) -> None:
        self._started = time.perf_counter()

    def now(self) -> float:
        if self._started is None:
            return 0.0
        paused = sum(self.paused_seconds.values())
        if self._depth:  # read while paused: the current pause is not training either
            paused += time.perf_counter() - self._paused_since
        return time.perf_counter() - self._started - paused

    @contextmanager
    def paused(self, reason: str) -> Iterator[None]:
        if self._depth == 0:
            self._paused_since = time.perf_counter()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self._started is not None:
                spent = time.perf_counter() - self._paused_since
                self.paused_seconds[reason] = self.paused_seconds.get(reason, 0.0) + spent

    def excluding(self, function: Callable[..., Any], reason: str) -> Callable[..., Any]:
        """`function`, with the clock paused while it runs."""

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.paused(reason):
                return function(*args, **kwargs)

        return timed


@dataclass
class ObservedRun:
    """One recipe's training, measured: the benchmark's checks (`points`), the lab's final
    metrics, and the times `run_observed` fills in."""

    points: list[Any] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    train_seconds: float = 0.0
    steps: int = 0
    recipe_eval_seconds: float = 0.0
    benchmark_eval_seconds: float = 0.0
    wall_seconds: float = 0.0

    def first_seconds(self, reached: Callable[[Any], bool]) -> float | None:
        """Seconds of training at the first check where `reached(point)`; None if none."""
        return next((point.seconds for point in self.points if reached(point)), None)

    def last_by(self, seconds: float) -> Any | None:
        """The last check at or before `seconds` of training: the model as it was by then."""
        before = [point for point in self.points if point.seconds <= seconds + 1e-9]
        return before[-1] if before else None

    def time_figures(self) -> dict[str, Any]:
        """Seconds of training, steps, and the seconds spent evaluating (the recipe's own checks
        and the benchmark's), then the whole wall time."""
        return {
            "train_seconds": round(self.train_seconds, 2),
            "steps": self.steps,
            "recipe_eval_seconds": round(self.recipe_eval_seconds, 2),
            "benchmark_eval_seconds": round(self.benchmark_eval_seconds, 2),
            "wall_seconds": round(self.wall_seconds, 2),
        }


class ClockedContext:
    """The runner's TrainContext, except that time is the benchmark's training clock: `elapsed`,
    the time budget and `should_stop` all read it; `watch` also starts it."""

    def __init__(self, ctx: Any, clock: TrainingClock, budget: float, on_watch: Any):
        self._ctx, self._clock, self._on_watch = ctx, clock, on_watch
        self.time_budget = budget

    def watch(self, model: torch.nn.Module) -> None:
        self._ctx.watch(model)
        self._on_watch(model)
        self._clock.start()

    def elapsed(self) -> float:
        return self._clock.now()

    def should_stop(self) -> bool:
        return self._ctx.should_stop() or self._clock.now() >= self.time_budget

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)


class ObservedLab:
    """A lab, passed through to the runner, that trains for `budget` seconds of the clock and
    calls `check(step)` every `check_every` of them. `run` collects the figures: it needs `steps`,
    `train_seconds`, `wall_seconds`, `recipe_eval_seconds` and `benchmark_eval_seconds`.

    A benchmark subclasses it with its `check`, and may also see every event (`observe`) or the
    model as training starts (`on_watch`)."""

    def __init__(self, lab: Any, run: Any, budget: float, check_every: float):
        self._lab, self.run = lab, run
        self._budget, self._check_every = budget, check_every
        self.clock = TrainingClock()
        self._next_check = check_every
        self._model: Any = None

    def __getattr__(self, name: str) -> Any:  # spec, model_card, ...: the lab's own
        return getattr(self._lab, name)

    def train(self, params: dict[str, Any], ctx: Any) -> Iterator[Any]:
        from core.events import Progress

        clocked = ClockedContext(ctx, self.clock, self._budget, self.on_watch)
        for event in self._lab.train(params, clocked):
            if isinstance(event, Progress):
                self.run.steps, self.run.train_seconds = event.step, self.clock.now()
                if self.clock.now() >= self._next_check:
                    self.check(event.step)
                    self._next_check += self._check_every
            self.observe(event, params)
            yield event

    def on_watch(self, model: torch.nn.Module) -> None:
        self._model = model

    def observe(self, event: Any, params: dict[str, Any]) -> None:
        """Called for every event the lab yields, after the clock has noted it."""

    def check(self, step: int) -> None:
        raise NotImplementedError


def run_observed(
    observed: Any,
    params: dict[str, Any],
    data_dir: str | None,
    views: Iterable[tuple[ModuleType, str]],
    label: str,
    max_steps: int | None = None,
) -> Any:
    """Train `observed` (an ObservedLab, or a lab with its own `clock` and `run`) once through
    the app's runner and return the finished job. `views` are the lab's evaluation functions,
    as (module, name): they are not training, so the clock stops while they run. `label` names
    the lab in the error if the training fails."""
    from core.runner import TrainingRunner

    clock, run = observed.clock, observed.run
    with tempfile.TemporaryDirectory() as runs, ExitStack() as patches:
        for module, name in views:
            original = getattr(module, name)
            patches.enter_context(mock.patch.object(module, name, clock.excluding(original, "recipe")))
        runner = TrainingRunner(max_concurrent=1, out_root=runs)
        started = time.perf_counter()
        job = runner.submit(observed, params, owner="benchmark", data_dir=data_dir, max_steps=max_steps)
        job.wait()
        run.wall_seconds = time.perf_counter() - started
    if job.result is None:
        raise RuntimeError(f"the {label} training did not finish: {job.state}: {job.message}")
    run.recipe_eval_seconds = clock.paused_seconds.get("recipe", 0.0)
    run.benchmark_eval_seconds = clock.paused_seconds.get("benchmark", 0.0)
    return job
