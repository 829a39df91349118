"""The one place that runs trainings: background threads, a queue, stops, NaN guard, checkpoints.

Fronts never start threads. They `submit` a job and then read its events: a Streamlit fragment
polls `job.events_since(i)`, Gradio and the CLI iterate `job.stream()`. The runner
- queues jobs first come first served behind a concurrency limit (a 2-core server trains one
  model at a time well; two at once each go at half speed), and tells each its place;
- lets one owner (a browser session) have one active job at a time;
- stops a job within one optimisation step when asked, or when its time budget is spent;
- stops a job whose loss turns NaN or infinite and puts back the last weights that were finite;
- saves the final model as a checkpoint, atomically, into the job's own folder.

With `DLL_RAY_ADDRESS` set (or `ray_address=`), the same runner hands each training to a Ray
cluster instead (core/ray_backend.py): the queue is the cluster's, the events, Stop and the
finished model travel between the front and a worker, and the rest (jobs, limits per student,
saving the checkpoint here) is unchanged.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import math
import os
import random
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from core import checkpoints
from core.device import configure_cpu_threads, pick_device
from core.events import EpochEnd, Event, Progress, Status, Trained
from core.labs.base import Lab, TrainedModel

log = logging.getLogger(__name__)

ACTIVE_STATES = ("queued", "running")
PRESENCE_CHECK_SECONDS = 2.0  # how often a job asks whether its student is still there


class BusyError(RuntimeError):
    """The owner already has a training queued or running."""


class TrainContext:
    """What a lab's training loop may ask of the runner while it runs."""

    def __init__(self, job: Job, device: torch.device):
        self._job = job
        self.device = device
        self.seed = job.seed
        self.data_dir = job.data_dir
        # The job's own folder, where the final checkpoint is saved. A lab may keep files of its
        # own in a subfolder (the early-stopping lab's per-epoch checkpoints, `epochs/`): the
        # final save keeps subfolders (core.checkpoints._swap_in).
        self.out_dir = job.out_dir
        self.time_budget = job.time_budget
        self.max_steps = job.max_steps
        self.generator = torch.Generator().manual_seed(job.seed)  # for data order, per job
        self._model: torch.nn.Module | None = None
        self._good_state: dict[str, torch.Tensor] | None = None  # weights proven healthy
        self._pending_state: dict[str, torch.Tensor] = {}  # weights after the last step
        self._good_step = 0
        self._reference_loss: float | None = None
        self._clock_start: float | None = None
        self.best: BestEpoch | None = None  # the epoch whose held-out figure was best so far
        self._next_presence_check = 0.0
        self._gone_since: float | None = None

    def watch(self, model: torch.nn.Module) -> None:
        """Register the model being trained and start the training clock (data is ready)."""
        self._model = model
        self._good_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        self._pending_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        self._clock_start = time.perf_counter()

    def elapsed(self) -> float:
        """Seconds since `watch`, i.e. time spent training, not loading data or waiting."""
        return 0.0 if self._clock_start is None else time.perf_counter() - self._clock_start

    def should_stop(self) -> bool:
        """True when the loop should finish now: asked to, out of time or steps, or NaN."""
        job = self._job
        if job.stop_reason:
            return True
        if self.time_budget is not None and self.elapsed() >= self.time_budget:
            job.stop_reason = "time budget"
            return True
        if self.max_steps is not None and job.last_step >= self.max_steps:
            job.stop_reason = "step limit"
            return True
        if self._student_gone():
            job.stop_reason = "closed session"
            return True
        return False

    def _student_gone(self) -> bool:
        """True once the job's `still_wanted` check has said no for `abandon_after` seconds in a
        row: the student closed the tab, so the trainer is freed for the others. A short blip
        (a reconnecting laptop) is forgiven."""
        job = self._job
        if job.still_wanted is None:
            return False
        now = time.monotonic()
        if now >= self._next_presence_check:
            self._next_presence_check = now + PRESENCE_CHECK_SECONDS
            try:
                wanted = bool(job.still_wanted())
            except Exception:  # a front's check failing must not stop anyone's training
                log.exception("presence check of %s failed", job.id)
                wanted = True
            self._gone_since = None if wanted else (self._gone_since or now)
        return self._gone_since is not None and now - self._gone_since >= job.abandon_after

    def _check_epoch(self, event: EpochEnd) -> None:
        """Remember the weights of the best epoch so far by the lab's `best_metric`."""
        rule = self._job.lab.best_metric
        if rule is None or self._model is None or rule[0] not in event.metrics:
            return
        name, direction = rule
        value = float(event.metrics[name])
        if not math.isfinite(value):
            return
        if self.best is not None:
            gain = value - self.best.value if direction == "max" else self.best.value - value
            if gain <= 0:
                return
        state = {k: v.detach().to("cpu", copy=True) for k, v in self._model.state_dict().items()}
        self.best = BestEpoch(event.epoch, name, value, dict(event.metrics), state, is_last=True)

    def _note_epoch(self, event: EpochEnd) -> None:
        if self.best is not None and self.best.epoch != event.epoch:
            self.best.is_last = False
        self._check_epoch(event)

    def _check_step(self, event: Progress) -> None:
        """Called by the runner on every step: keep the last healthy weights, and stop when the
        loss turns NaN or infinite or explodes to many times its starting value.

        With batch norm a too-high learning rate often makes the loss explode (2.3 -> 1e11)
        and then settle at chance level, with finite but useless weights; that is caught as
        divergence, since waiting for a NaN that never comes would lose the good weights."""
        loss = event.metrics.get("loss", 0.0)
        if self._reference_loss is None and math.isfinite(loss) and loss > 0:
            self._reference_loss = loss
        problem = ""
        if not math.isfinite(loss):
            problem = "the loss became NaN or infinite"
        elif self._model is not None and not all(torch.isfinite(p).all() for p in self._model.parameters()):
            problem = "the weights became NaN or infinite"
        elif self._reference_loss and loss > self._job.lab.divergence_factor * self._reference_loss:
            problem = f"the loss exploded from {self._reference_loss:.3g} to {loss:.3g}"
        if not problem:
            # This step's loss was measured with the weights from before its update, which
            # proves those (`pending`) healthy; the weights it produced are not yet proven.
            if self._model is not None and self._good_state is not None:
                self._good_state, self._pending_state = self._pending_state, self._good_state
                self._good_step = event.step - 1
                for name, value in self._model.state_dict().items():
                    self._pending_state[name].copy_(value)
            return
        job = self._job
        job.stop_reason = "nan"
        job.nan_message = (
            f"Training stopped at step {event.step}: {problem}, which usually means the "
            f"learning rate is too high. The weights from step {self._good_step}, the last good "
            "step, were kept."
        )
        if self._model is not None and self._good_state is not None:
            self._model.load_state_dict(self._good_state)


@dataclass
class BestEpoch:
    """The weights and held-out figures of the best epoch of a training so far."""

    epoch: int
    metric: str
    value: float
    metrics: dict[str, float]
    state: dict[str, torch.Tensor]
    is_last: bool  # the model's current weights are these (nothing trained since)


class Job:
    """One training: its settings, state, event log and result. Safe to read from any thread."""

    def __init__(
        self,
        runner: TrainingRunner,
        job_id: str,
        lab: Lab,
        params: dict[str, Any],
        *,
        owner: str,
        seed: int,
        data_dir: str | None,
        time_budget: float | None,
        max_steps: int | None,
        out_dir: Path,
        still_wanted: Callable[[], bool] | None = None,
    ):
        self.runner = runner
        self.id = job_id
        self.lab = lab
        self.params = params
        self.owner = owner
        self.seed = seed
        self.data_dir = data_dir
        self.time_budget = time_budget
        self.max_steps = max_steps
        self.out_dir = out_dir
        self.still_wanted = still_wanted  # the front's "is the student still there?"
        self.abandon_after = _env_float("DLL_ABANDONED_SECONDS") or 120.0
        self.state = "queued"
        self.message = ""
        self.stop_reason = ""  # "user", "time budget", "step limit", "nan"
        self.nan_message = ""
        self.best_note = ""  # set when an early stop went back to the best epoch's weights
        self.last_step = 0
        self.result: TrainedModel | None = None
        self.checkpoint_dir: Path | None = None
        self.created = time.time()
        self.started: float | None = None
        self.finished: float | None = None
        self._events: list[Event] = []
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    # --- reading, from any thread -------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.state not in ACTIVE_STATES

    def events_since(self, index: int) -> list[Event]:
        with self._changed:
            return self._events[index:]

    def queue_position(self) -> int:
        """1 for the next job to start, 0 when not waiting."""
        return self.runner.queue_position(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job is done; True if it is."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while not self.done:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._changed.wait(remaining)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)  # let the thread unwind before the caller moves on
        return True

    def stream(self, poll: float = 0.5) -> Iterator[Event]:
        """Every event, as it comes, until the job is done (for Gradio and the CLI)."""
        index = 0
        while True:
            with self._changed:
                while len(self._events) == index and not self.done:
                    self._changed.wait(poll)
                batch = self._events[index:]
                finished = self.done
            index += len(batch)
            yield from batch
            if finished and not self.events_since(index):
                return

    # --- control -----------------------------------------------------------------------
    def stop(self) -> None:
        """Ask the job to stop: a queued job is withdrawn, a running one ends after this step."""
        if self.state == "queued":
            self.runner._withdraw(self)
        elif self.state == "running" and not self.stop_reason:
            self.stop_reason = "user"

    # --- writing, by the runner thread -----------------------------------------------
    def _emit(self, event: Event) -> None:
        with self._changed:
            self._events.append(event)
            if isinstance(event, Progress):
                self.last_step = event.step
            self._changed.notify_all()

    def _set_state(self, state: str, message: str = "", **details: Any) -> None:
        with self._changed:
            self.state = state
            self.message = message
            if state not in ACTIVE_STATES:
                self.finished = time.time()
            self._events.append(Status(state, message, details))
            self._changed.notify_all()


def default_runs_root() -> Path:
    """Where trainings keep their runs unless told otherwise: $DLL_RUNS_DIR, else a folder in
    the system's temporary directory."""
    return Path(os.environ.get("DLL_RUNS_DIR") or Path(tempfile.gettempdir()) / "deep-learning-labs-runs")


JOB_NUMBERS = itertools.count(1)  # for the whole process: two runners never share a job id


class TrainingRunner:
    """Runs jobs in background threads, at most `max_concurrent` at a time, first come first
    served."""

    def __init__(
        self,
        max_concurrent: int | None = None,
        out_root: str | Path | None = None,
        device: str = "auto",
        max_queued: int | None = None,
        ray_address: str | None = None,
    ):
        self.max_concurrent = max(1, max_concurrent or int(os.environ.get("DLL_MAX_TRAININGS", "1")))
        # A queue longer than this is refused up front: better "try again in a few minutes"
        # than a place 40 that the student watches for an hour.
        self.max_queued = max(1, max_queued or int(os.environ.get("DLL_MAX_QUEUE", "20")))
        self.out_root = Path(out_root or default_runs_root())
        self.device = pick_device(device)
        for note in checkpoints.sweep_interrupted_saves(self.out_root):  # a kill mid-save, earlier
            log.warning("runs folder %s: %s", self.out_root, note)
        self._lock = threading.Condition()
        self._waiting: deque[Job] = deque()
        self._running: set[Job] = set()
        self._jobs: dict[str, Job] = {}
        # None: trainings run here, in threads (the default). Otherwise a Ray cluster runs them.
        self.remote = None
        address = (ray_address or os.environ.get("DLL_RAY_ADDRESS", "")).strip()
        if address:
            from core.ray_backend import RayBackend

            self.remote = RayBackend(address)

    def submit(
        self,
        lab: Lab,
        params: dict[str, Any] | None = None,
        *,
        owner: str = "cli",
        seed: int = 0,
        data_dir: str | None = None,
        time_budget: float | None = None,
        max_steps: int | None = None,
        out_dir: str | Path | None = None,
        still_wanted: Callable[[], bool] | None = None,
    ) -> Job:
        """Validate the settings and queue a training; raises SpecError or BusyError.

        `still_wanted`, when given, says whether the student who asked is still connected; a
        training nobody is there for any more stops (see `TrainContext._student_gone`)."""
        checked = lab.check_params(lab.spec.validate(params))
        seed = int(checked.get("seed", seed))
        time_budget = _cap(time_budget, _env_float("DLL_TIME_BUDGET"))
        max_steps = _cap(max_steps, _env_float("DLL_MAX_STEPS"))
        with self._lock:
            for job in self._jobs.values():
                if job.owner == owner and not job.done:
                    raise BusyError(
                        "A training of yours is already queued or running: stop it or wait for it to finish."
                    )
            if len(self._waiting) >= self.max_queued:
                raise BusyError(
                    f"The training queue is full ({len(self._waiting)} trainings waiting for "
                    f"{self.max_concurrent} trainer{'s' if self.max_concurrent > 1 else ''}): "
                    "try again in a few minutes, or use a bundled model meanwhile."
                )
            # Finished jobs belong to the sessions that hold them; the runner forgets them, so a
            # server that runs for weeks does not keep every model ever trained.
            self._jobs = {key: known for key, known in self._jobs.items() if not known.done}
            # The time as well as the process: a later process may get the same pid, and a run
            # folder must never be another run's (the CLI keeps runs on disk).
            job_id = f"{lab.spec.id}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{next(JOB_NUMBERS)}"
            job = Job(
                self,
                job_id,
                lab,
                checked,
                owner=owner,
                seed=seed,
                data_dir=data_dir,
                time_budget=time_budget,
                max_steps=max_steps,
                out_dir=Path(out_dir) if out_dir else self.out_root / job_id,
                still_wanted=still_wanted,
            )
            self._jobs[job_id] = job
            self._waiting.append(job)
        job._set_state("queued", self._queue_message(job))
        job._thread = threading.Thread(target=self._run, args=(job,), name=f"train-{job_id}", daemon=True)
        job._thread.start()
        return job

    def queue_position(self, job: Job) -> int:
        with self._lock:
            return list(self._waiting).index(job) + 1 if job in self._waiting else 0

    def active_jobs(self) -> list[Job]:
        with self._lock:
            return [job for job in self._jobs.values() if not job.done]

    def _queue_message(self, job: Job) -> str:
        if self.remote is not None:
            return self.remote.queue_message(self, job)
        position = self.queue_position(job)
        if position <= 1 and len(self._running) < self.max_concurrent:
            return "Starting..."
        return f"Waiting for a free trainer: place {position} in the queue."

    def _withdraw(self, job: Job) -> None:
        with self._lock:
            if job not in self._waiting:
                # Just leaving the line to start (or, on a training cluster, waiting for another
                # worker after its own was lost): it stops at its first step, as a running one does.
                job.stop_reason = job.stop_reason or "user"
                return
            self._waiting.remove(job)
            self._lock.notify_all()
        job.stop_reason = "user"
        job._set_state("stopped", "Removed from the queue before it started.")

    def _run(self, job: Job) -> None:
        if self.remote is not None and self.remote.run(self, job):
            return  # trained on the cluster (or failed there with a message)
        with self._lock:
            while job in self._waiting and (
                self._waiting[0] is not job or len(self._running) >= self.max_concurrent
            ):
                self._lock.wait()
            if job not in self._waiting:  # withdrawn while waiting
                return
            self._waiting.popleft()
            self._running.add(job)
            self._lock.notify_all()
        try:
            self._train(job)
        finally:
            with self._lock:
                self._running.discard(job)
                self._lock.notify_all()

    def _train(self, job: Job) -> None:
        _lower_this_threads_priority()
        if self.device.type == "cpu":  # a new thread starts with whatever count another left
            configure_cpu_threads()
        job.started = time.time()
        job._set_state("running", "Training...")
        try:
            self._finish(job, run_training(job, self.device))
        except Exception as error:  # a lab bug or bad data must never take the server down
            log.exception("training %s failed", job.id)
            job._set_state("failed", f"Training failed: {error}")

    def _finish(self, job: Job, trained: Trained) -> None:
        metrics = dict(trained.metrics)
        metrics["stopped_by"] = job.stop_reason or "completed"
        config = dict(trained.config)
        model = trained.model.eval()
        card = job.lab.model_card(config, metrics)
        try:
            checkpoints.save_checkpoint(job.out_dir, model, config, metrics, card)
            job.checkpoint_dir = job.out_dir
        except checkpoints.CheckpointError as error:
            job.message = str(error)  # the model stays usable in memory
        job.result = TrainedModel(
            job.lab.spec.id, model, config, metrics, origin="session", path=job.checkpoint_dir
        )
        save_note = "" if job.checkpoint_dir else f" {job.message} The model is kept in memory."
        if job.stop_reason == "nan":
            job._set_state("stopped", job.nan_message + save_note, metrics=metrics)
        elif job.stop_reason == "user":
            kept = job.best_note or " The model as it was is kept."
            job._set_state("stopped", "Stopped on request." + kept + save_note, metrics=metrics)
        else:
            ended = f" (ended by the {job.stop_reason})" if job.stop_reason else ""
            message = f"Training finished{ended}." + job.best_note + save_note
            job._set_state("finished", message, metrics=metrics)


def run_training(job: Job, device: torch.device) -> Trained:
    """Run the job's lab's training loop here, with the NaN guard and the best-epoch rule; its
    events go to `job._emit`. Returns the model to keep; raises what the lab raised. (The
    embedded runner calls it in a thread, a Ray worker in its actor.)"""
    _seed_everything(job.seed)
    ctx = TrainContext(job, device)
    trained: Trained | None = None
    for event in job.lab.train(job.params, ctx):
        if isinstance(event, Progress):
            ctx._check_step(event)
        elif isinstance(event, EpochEnd):
            # Stamped here, where the clock is, so that runs compare against seconds too.
            event = dataclasses.replace(event, seconds=round(ctx.elapsed(), 3))
            ctx._note_epoch(event)
        if isinstance(event, Trained):
            trained = event
        else:
            job._emit(event)
    if trained is None:
        raise RuntimeError(f"lab {job.lab.spec.id} ended its training without a model")
    return _keep_best(job, ctx, trained)


def _keep_best(job: Job, ctx: TrainContext, trained: Trained) -> Trained:
    """A training stopped early (by its user, time budget or step limit) keeps its best epoch's
    weights: a stop in the middle of a bad stretch must not cost the student the better model
    they watched a minute before. A NaN stop already went back to the last healthy step. A lab
    that picks its kept weights itself (early stopping's restore best) says so in its metrics'
    `kept_note`, which the final message carries."""
    if trained.metrics.get("kept_note"):  # the lab chose the weights itself and says which
        job.best_note = f" {trained.metrics['kept_note']}"
    best = ctx.best
    if job.stop_reason in ("", "nan") or best is None or best.is_last:
        return trained
    trained.model.load_state_dict(best.state)
    metrics = dict(trained.metrics)
    try:  # re-score, so every figure shown is the kept model's
        rescored = job.lab.evaluate(
            TrainedModel(job.lab.spec.id, trained.model, trained.config, metrics), job.data_dir
        )
        metrics.update({k: v for k, v in rescored.items() if k in metrics})
    except Exception:  # the epoch's own held-out figures are the next best thing
        log.exception("re-scoring the best epoch of %s failed", job.id)
        metrics.update({k: v for k, v in best.metrics.items() if k in metrics})
    metrics["kept_best_epoch"] = best.epoch
    metrics[f"kept_best_{best.metric}"] = best.value
    figure = f"{best.metric.replace('_', ' ')} {best.value:.4g}"
    job.best_note = f" The weights of epoch {best.epoch}, its best ({figure}), were kept."
    return Trained(trained.model, trained.config, metrics)


def _lower_this_threads_priority() -> None:
    """Training runs niced (DLL_TRAINING_NICE, default 10): it takes all the CPU nobody else
    wants, and a student's click, on this server or the other front, goes first. Linux gives
    each thread its own nice value, and the maths threads this one starts inherit it."""
    nice = int(os.environ.get("DLL_TRAINING_NICE") or 10)
    try:
        current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(current, nice))
    except (AttributeError, OSError):  # not Linux, or not allowed: train at normal priority
        pass


def _env_float(name: str) -> float | None:
    value = os.environ.get(name, "").strip()
    return float(value) if value else None


def _cap(asked: float | None, limit: float | None) -> float | None:
    """The smaller of what a caller asked for and the server's configured limit."""
    if asked is None or limit is None:
        return asked if limit is None else limit
    return min(asked, limit)


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


_default_runner: TrainingRunner | None = None
_default_lock = threading.Lock()


def default_runner() -> TrainingRunner:
    """The process-wide runner that every session of a server shares (one queue for all)."""
    global _default_runner
    with _default_lock:
        if _default_runner is None:
            _default_runner = TrainingRunner()
        return _default_runner
