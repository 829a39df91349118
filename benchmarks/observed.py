"""A lab run by the app's own runner for a budget of training seconds, and measured from inside
its training thread (the GAN and VAE time-to-quality benchmarks).

Time is the benchmark's training clock: it starts at the first step and stops while anything is
evaluated. The lab's own evaluations are excluded by patching them in its module; the
benchmark's checks, every `check_every` seconds of training, run between steps with the clock
paused, so they never race the training.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from types import ModuleType
from typing import Any
from unittest import mock

import torch

from benchmarks.digits_speed import TrainingClock


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
    observed: ObservedLab,
    params: dict[str, Any],
    data_dir: str,
    lab_module: ModuleType,
    views: Iterable[str],
    label: str,
) -> Any:
    """Train `observed` once through the app's runner and return the job's result. `views` are
    the functions of `lab_module` the lab evaluates with: they are not training, so the clock
    stops while they run. `label` names the lab in the error if the training fails."""
    from core.runner import TrainingRunner

    clock, run = observed.clock, observed.run
    with tempfile.TemporaryDirectory() as runs, ExitStack() as patches:
        for name in views:
            original = getattr(lab_module, name)
            patches.enter_context(mock.patch.object(lab_module, name, clock.excluding(original, "recipe")))
        runner = TrainingRunner(max_concurrent=1, out_root=runs)
        started = time.perf_counter()
        job = runner.submit(observed, params, owner="benchmark", data_dir=data_dir)
        job.wait()
        run.wall_seconds = time.perf_counter() - started
    if job.result is None:
        raise RuntimeError(f"the {label} training did not finish: {job.state}: {job.message}")
    run.recipe_eval_seconds = clock.paused_seconds.get("recipe", 0.0)
    run.benchmark_eval_seconds = clock.paused_seconds.get("benchmark", 0.0)
    return job.result
