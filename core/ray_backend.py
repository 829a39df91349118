"""Trainings on a Ray cluster: the runner's second backend, for when one server is not enough.

With `DLL_RAY_ADDRESS` set (`python -m core train --ray ADDRESS` for the CLI), `TrainingRunner`
hands each training to this module instead of a thread of its own. Nothing else changes for a
front: it still submits a job and reads its events; the runner still enforces one training per
student and the queue's length, and saves the finished checkpoint in its own runs folder.

- **One actor per training**, asking for the CPUs (and GPU) the lab declares (`train_cpus`,
  `train_gpus` on the lab, else DLL_RAY_CPUS / DLL_RAY_GPUS, default 1 CPU and no GPU). Ray's
  scheduler places it on a worker with room; beyond the cluster's capacity it waits in Ray's
  queue, and the student sees their place among this front's waiting trainings, with an estimate
  from the trainings finished so far.
- **Inside the actor** the very loop the embedded runner uses (`core.runner.run_training`: NaN
  guard, time and step limits, the best epoch kept) runs in a thread; the front asks for the
  events after the last one it has (a call that waits up to half a second for news), so they
  arrive in order and live. Stop is a call to the actor; a student who left is noticed here and
  sent as a stop too.
- **The finished model comes back through Ray's object store** (the module, moved to the CPU),
  and the runner saves it as a checkpoint and hands it to the front as a local training's. The
  workers need no shared storage, only this repository, its virtualenv and the data.
- **Faults.** A cluster that cannot be reached is a message, never a hang: its address is tried
  with a plain TCP connection first (Ray's own connect waits for minutes), then Ray gets
  DLL_RAY_CONNECT_TIMEOUT seconds (30). A worker that dies mid-training (its computer stopped)
  gives its student a message and the training starts again on another worker, DLL_RAY_RETRIES
  times (1): the same seed retraces the same steps, and the ones already shown are not shown
  twice. A cluster that stops answering fails the training with a message. With
  DLL_RAY_FALLBACK=local, a cluster that cannot be reached or goes away trains here instead.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import socket
import threading
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from core.runner import Job, TrainingRunner

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # longest a poll of a training's events waits for news
CALL_TIMEOUT = 60.0  # a cluster that does not answer a poll in this long has gone away
NAMESPACE = "deep-learning-labs"


class ClusterUnavailable(RuntimeError):
    """The Ray cluster cannot be reached (or Ray is not installed)."""


class WorkerLost(RuntimeError):
    """The worker running a training died (its node was killed or lost); `shown` events of it
    had reached the front."""

    def __init__(self, why: str, shown: int):
        super().__init__(why)
        self.shown = shown


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def _reachable(address: str, timeout: float = 3.0) -> str | None:
    """None when something answers at `address` (host:port or ray://host:port), else why not."""
    if address == "auto":
        return None
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout):
            return None
    except ValueError:
        return f"{address!r} is not an address of the form host:port"
    except OSError as error:
        return str(error.strerror or error)


class RayBackend:
    """Submits a runner's jobs to the Ray cluster at `address`, one actor per training."""

    def __init__(self, address: str, *, fallback: str | None = None, retries: int | None = None):
        self.address = address
        self.fallback_local = (fallback or os.environ.get("DLL_RAY_FALLBACK", "")).strip() == "local"
        self.retries = int(retries if retries is not None else _env_number("DLL_RAY_RETRIES", 1))
        self.connect_timeout = _env_number("DLL_RAY_CONNECT_TIMEOUT", 30.0)
        self._lock = threading.Lock()
        self._connected = False
        self._actor_class: Any = None
        self._durations: deque[float] = deque(maxlen=20)  # seconds of the last trainings, for estimates
        self._slots = 1  # trainings the cluster runs at once, as last asked
        self._slots_checked = 0.0

    # --- the connection ----------------------------------------------------------------------
    def connect(self) -> None:
        """Connect this process to the cluster once; ClusterUnavailable with a readable reason."""
        with self._lock:
            try:
                import ray
            except ImportError:
                raise ClusterUnavailable(
                    "Trainings are set to run on a Ray cluster (DLL_RAY_ADDRESS), but Ray is not "
                    "installed on this server: pip install -r requirements-ray.txt."
                ) from None
            if self._connected and ray.is_initialized():
                return
            problem = _reachable(self.address)
            if problem:
                raise ClusterUnavailable(self._unreachable(problem))
            if not ray.is_initialized():
                # Ray ends a process whose head has been gone a minute; a front must outlive it
                # (its students keep the bundled models) and say so instead.
                os.environ.setdefault("RAY_gcs_rpc_server_reconnect_timeout_s", str(10 * 365 * 86400))
                outcome: dict[str, BaseException | None] = {}

                def init() -> None:
                    try:
                        ray.init(
                            address=self.address,
                            namespace=NAMESPACE,
                            logging_level=logging.WARNING,
                            log_to_driver=False,
                            ignore_reinit_error=True,
                        )
                        outcome["error"] = None
                    except BaseException as error:  # reported below, as a message
                        outcome["error"] = error

                connecting = threading.Thread(target=init, name="ray-connect", daemon=True)
                connecting.start()
                connecting.join(self.connect_timeout)
                if "error" not in outcome:
                    raise ClusterUnavailable(self._unreachable(f"no answer in {self.connect_timeout:.0f} s"))
                if outcome["error"] is not None:
                    raise ClusterUnavailable(self._unreachable(str(outcome["error"]).splitlines()[0]))
            self._actor_class = _actor_class(ray)
            self._connected = True

    def _unreachable(self, why: str) -> str:
        return (
            f"The training cluster at {self.address} cannot be reached ({why}). Trainings are "
            "paused; the bundled models still work. Please tell your teacher."
        )

    # --- what the runner asks ------------------------------------------------------------------
    def queue_message(self, runner: TrainingRunner, job: Job) -> str:
        position = runner.queue_position(job)
        if position <= 1 and not self._connected:
            return "Sending the training to the training cluster..."
        estimate = self._estimate(position)
        return f"Waiting for a free worker of the training cluster: place {position} in the queue{estimate}."

    def _estimate(self, position: int) -> str:
        """' (about N minutes)' from the trainings finished so far and the cluster's CPUs: the
        trainings ahead go in waves of as many as the cluster runs at once."""
        if not self._durations or position < 1:
            return ""
        now = time.monotonic()
        if now - self._slots_checked > 10:
            self._slots_checked = now
            try:
                import ray

                cpus = ray.cluster_resources().get("CPU", 1)
                self._slots = max(1, int(cpus // _env_number("DLL_RAY_CPUS", 1)))
            except Exception:  # an estimate is not worth an error
                pass
        seconds = sum(self._durations) / len(self._durations) * math.ceil(position / self._slots)
        minutes = max(1, round(seconds / 60))
        return f" (about {minutes} minute{'s' if minutes > 1 else ''})"

    def run(self, runner: TrainingRunner, job: Job) -> bool:
        """Train `job` on the cluster; False when it should train here instead (fallback)."""
        try:
            self.connect()
        except ClusterUnavailable as error:
            if self.fallback_local:
                log.warning("%s Training %s here instead.", error, job.id)
                return False
            return self._fail(runner, job, str(error))
        shown = 0  # events already passed on to the front (a retry does not repeat them)
        attempts = 0
        while True:
            try:
                shown = self._attempt(runner, job, shown)
                if not job.done:  # never left waiting: whatever happened, the student is told
                    self._fail(runner, job, "The training ended on the training cluster without a result.")
                return True
            except WorkerLost as lost:
                attempts += 1
                if job.stop_reason:  # Stop was pressed (or the student left): no point retrying
                    return self._fail(
                        runner,
                        job,
                        f"The computer that was running your training stopped ({lost}) before it "
                        "could send the model back. Press Train to start again.",
                    )
                if attempts > self.retries:
                    return self._fail(
                        runner,
                        job,
                        f"The computer that was running your training stopped ({lost}). Nothing "
                        "of yours was changed: press Train to start it again.",
                    )
                shown = lost.shown
                with runner._lock:  # out of the line (a front then shows this message), first in Ray's
                    runner._running.discard(job)
                    runner._lock.notify_all()
                job._set_state(
                    "queued",
                    "The computer that was running your training stopped. It starts again on "
                    "another one as soon as one is free (same seed, so the same steps); the steps "
                    "already shown are not repeated.",
                )
            except Exception as error:  # the cluster went away, or a bug here: a message, never a crash
                log.exception("training %s on the cluster failed", job.id)
                if _reachable(self.address):  # the head is gone: connect afresh next time
                    self._forget()
                if self.fallback_local:
                    with runner._lock:
                        runner._running.discard(job)
                        if job not in runner._waiting:
                            runner._waiting.appendleft(job)
                    job._set_state(
                        "queued",
                        "The training cluster stopped answering: your training starts again on this server.",
                    )
                    return False
                return self._fail(
                    runner,
                    job,
                    f"The training cluster stopped answering ({error}). Your training was lost; "
                    "please try again in a few minutes, or tell your teacher.",
                )

    def _forget(self) -> None:
        """Drop a connection to a cluster that went away, so that the next training connects
        afresh (and is told clearly if it still cannot)."""
        with self._lock:
            self._connected = False
        try:
            import ray

            closing = threading.Thread(target=ray.shutdown, name="ray-shutdown", daemon=True)
            closing.start()
            closing.join(10)
        except Exception:  # nothing more to do about a dead connection
            log.exception("closing the connection to %s", self.address)

    def _fail(self, runner: TrainingRunner, job: Job, message: str) -> bool:
        with runner._lock:
            if job in runner._waiting:
                runner._waiting.remove(job)
            runner._running.discard(job)
            runner._lock.notify_all()
        if not job.done:
            job._set_state("failed", message)
        return True

    def _attempt(self, runner: TrainingRunner, job: Job, shown: int) -> int:
        """One try at the job on the cluster; returns how many events were shown. Raises
        WorkerLost when the actor's worker died, other exceptions when the cluster is gone."""
        import ray
        from ray.exceptions import RayActorError

        from core.registry import UnknownLabError, get_lab
        from core.runner import TrainContext

        lab = job.lab
        try:
            lab_ref: Any = lab.spec.id if get_lab(lab.spec.id) is lab else lab
        except UnknownLabError:
            lab_ref = lab  # a lab not in the registry (a test's) travels pickled
        cpus = float(getattr(lab, "train_cpus", None) or _env_number("DLL_RAY_CPUS", 1))
        gpus = float(getattr(lab, "train_gpus", None) or _env_number("DLL_RAY_GPUS", 0))
        actor = self._actor_class.options(num_cpus=cpus, num_gpus=gpus).remote()
        settings = {
            "job_id": job.id,
            "lab": lab_ref,
            "params": job.params,
            "seed": job.seed,
            "data_dir": job.data_dir,
            "time_budget": job.time_budget,
            "max_steps": job.max_steps,
            "threads": max(1, int(cpus)),
        }
        index = shown  # events shown so far, this try's included
        try:
            started = actor.start.remote(settings)
            # Queued in Ray's scheduler until a worker has the CPUs; withdrawn if the student stops.
            where: dict[str, str] | None = None
            next_check = time.monotonic() + 5
            while where is None:
                ready, _ = ray.wait([started], timeout=POLL_SECONDS)
                if ready:
                    where = ray.get(started, timeout=CALL_TIMEOUT)
                    break
                if job.stop_reason or job.done:  # withdrawn from the queue
                    if not job.done:
                        job._set_state("stopped", "Removed from the queue before it started.")
                    return shown
                message = self.queue_message(runner, job)
                if message != job.message:
                    job._set_state("queued", message)
                if time.monotonic() > next_check:  # a head that went away would leave it queued forever
                    next_check = time.monotonic() + 5
                    problem = _reachable(self.address)
                    if problem:
                        raise ClusterUnavailable(f"its head at {self.address}: {problem}")
            with runner._lock:
                if job.done:
                    return shown  # withdrawn just as it started
                if job in runner._waiting:
                    runner._waiting.remove(job)
                runner._running.add(job)
                runner._lock.notify_all()
            job.started = job.started or time.time()
            job._set_state(
                "running", f"Training on {where['host']} (training cluster)...", worker=where["node"]
            )
            presence = TrainContext(job, torch.device("cpu"))  # only for its "is the student there?"
            sent_stop = ""
            while True:
                if not job.stop_reason and presence._student_gone():
                    job.stop_reason = "closed session"
                if job.stop_reason and job.stop_reason != sent_stop:
                    actor.stop.remote(job.stop_reason)
                    sent_stop = job.stop_reason
                events, finished = ray.get(actor.poll.remote(index, POLL_SECONDS), timeout=CALL_TIMEOUT)
                for event in events:
                    job._emit(event)
                index += len(events)
                if finished:
                    break
            outcome = ray.get(actor.outcome.remote(), timeout=CALL_TIMEOUT)
        except RayActorError as error:
            cause = "its worker was lost" if "node" in str(error).lower() else "its worker died"
            raise WorkerLost(cause, index) from error
        finally:
            with contextlib.suppress(Exception):  # already gone
                ray.kill(actor)
        self._finish(runner, job, outcome)
        return index

    def _finish(self, runner: TrainingRunner, job: Job, outcome: dict[str, Any]) -> None:
        from core.events import Trained

        try:
            if outcome.get("error"):
                job._set_state("failed", f"Training failed: {outcome['error']}")
                return
            job.stop_reason = outcome["stop_reason"]
            job.nan_message = outcome["nan_message"]
            job.best_note = outcome["best_note"]
            model = outcome["model"].to(runner.device)
            runner._finish(job, Trained(model, outcome["config"], outcome["metrics"]))
            if job.started:
                self._durations.append(time.time() - job.started)
        except Exception as error:
            log.exception("finishing %s failed", job.id)
            job._set_state("failed", f"Training failed: {error}")
        finally:
            with runner._lock:
                runner._running.discard(job)
                runner._lock.notify_all()


class _NoRunner:
    """The runner a worker's copy of a job answers to: none (it is never queued there)."""

    def _withdraw(self, job: Job) -> None:
        job.stop_reason = job.stop_reason or "user"


class WorkerTraining:
    """What runs in the actor on a worker: one job, trained by the embedded runner's loop in a
    thread, its events kept for the front to fetch."""

    def __init__(self) -> None:
        self.job: Job | None = None
        self._device = torch.device("cpu")
        self._outcome: dict[str, Any] = {}
        self._thread: threading.Thread | None = None

    def start(self, settings: dict[str, Any]) -> dict[str, str]:
        import ray

        from core.device import pick_device
        from core.registry import get_lab
        from core.runner import Job

        lab = settings["lab"]
        if isinstance(lab, str):
            lab = get_lab(lab)
        self._device = pick_device(os.environ.get("DLL_DEVICE", "auto"))
        # As many maths threads as the CPUs Ray gave the training, not as the machine has: two
        # threads on one CPU's share of a busy machine made each step several times slower.
        torch.set_num_threads(settings["threads"])
        self.job = Job(
            _NoRunner(),  # type: ignore[arg-type]
            settings["job_id"],
            lab,
            settings["params"],
            owner="cluster",
            seed=settings["seed"],
            data_dir=settings["data_dir"],
            time_budget=settings["time_budget"],
            max_steps=settings["max_steps"],
            out_dir=Path("."),
        )
        self.job.state = "running"
        self.job.started = time.time()
        self._thread = threading.Thread(target=self._train, name=f"train-{self.job.id}", daemon=True)
        self._thread.start()
        return {"node": ray.get_runtime_context().get_node_id(), "host": socket.gethostname()}

    def _train(self) -> None:
        from core.runner import run_training

        job = self.job
        assert job is not None
        try:
            trained = run_training(job, self._device)
            self._outcome = {
                "model": trained.model.to("cpu"),
                "config": dict(trained.config),
                "metrics": dict(trained.metrics),
                "stop_reason": job.stop_reason,
                "nan_message": job.nan_message,
                "best_note": job.best_note,
            }
        except Exception as error:  # the front shows it as a failed training, as for a local one
            log.exception("training %s failed on this worker", job.id)
            self._outcome = {"error": str(error) or type(error).__name__}
        finally:
            with job._changed:
                job.state = "finished"
                job._changed.notify_all()

    def poll(self, index: int, wait: float) -> tuple[list[Any], bool]:
        """The events from `index` on (waiting up to `wait` seconds for one), and whether the
        training is over (then every event has been returned)."""
        job = self.job
        assert job is not None
        with job._changed:
            if len(job._events) <= index and not job.done:
                job._changed.wait(wait)
            return job._events[index:], job.done

    def stop(self, reason: str) -> None:
        if self.job is not None and not self.job.stop_reason:
            self.job.stop_reason = reason

    def outcome(self) -> dict[str, Any]:
        """The finished model (moved to the CPU) and how the training ended, or its error."""
        return self._outcome


def _actor_class(ray: Any) -> Any:
    """WorkerTraining as a Ray actor: never restarted (a lost training is retried from the
    front, which knows what was shown), threaded so that polls and Stop reach it mid-training."""
    return ray.remote(max_restarts=0, max_concurrency=4)(WorkerTraining)
