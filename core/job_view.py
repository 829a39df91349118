"""What a front shows of a training job while it queues, runs and ends: its events read into a
history as they come, and the words and tone of its status. Both fronts follow jobs through
here, so a training reads the same wherever it is watched."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from core.history import TrainingHistory
from core.runner import Job

REFRESH_SECONDS = 0.5  # how often a followed training is read again
QUEUED_REDRAW_SECONDS = 10.0  # how often a training waiting in the queue redraws when nothing moved


@dataclass
class TrainingView:
    """A job and what has been read of it so far."""

    job: Job
    history: TrainingHistory = field(default_factory=TrainingHistory)
    seen: int = 0
    note: str = ""  # the student's answer to a lesson's question, kept with the run

    def poll(self) -> int:
        """Read the events that came since the last poll; returns how many there were."""
        events = self.job.events_since(self.seen)
        self.seen += len(events)
        self.history.extend(events)
        return len(events)


def watch_job(job: Job, interval: float = REFRESH_SECONDS) -> Iterator[TrainingHistory]:
    """The job's history, refreshed about every `interval` seconds and once more at the end.

    Waiting on the job rather than sleeping means the last update comes as soon as the job is
    done, and the regular tick keeps the queue place current while nothing else happens. The
    tick also throttles redraws: a fast model takes dozens of steps a second.
    """
    view = TrainingView(job)
    place, quiet = None, 0.0
    while True:
        finished = job.wait(timeout=interval)
        new_events = view.poll()
        # A job waiting in the queue has nothing new to draw most ticks: redraw only when its
        # place moves (or now and then), since every redraw re-sends all of its charts and ten
        # students waiting at once made the server slow for everyone else.
        now_place = job.queue_position()
        quiet += interval
        if new_events or finished or now_place != place or quiet >= QUEUED_REDRAW_SECONDS:
            place, quiet = now_place, 0.0
            yield view.history
        if finished:  # a finished job emits nothing more
            return


def progress_bar(fraction: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def job_status(job: Job, history: TrainingHistory) -> str:
    """A line of markdown: queue place, progress and the latest metrics, or the outcome."""
    if job.state == "queued":
        place = job.queue_position()
        if not place:  # out of the line for a reason the runner words (a training cluster's retry)
            return f"**Queued**: {job.message}"
        where = "next in line" if place <= 1 else f"place {place} in the line"
        return f"**Queued**: {where} for a free trainer."
    if job.state == "running":
        if not history.total_steps:
            return "**Loading** the data and building the model..."
        parts = [f"step {history.step}/{history.total_steps}"]
        for name, label, fmt in (
            ("loss", "loss", ".3f"),
            ("heldout_accuracy", "held-out accuracy", ".1%"),
        ):
            value = history.latest(name)
            if value is not None:
                parts.append(f"{label} {value:{fmt}}")
        return f"**Training** `{progress_bar(history.fraction_done)}` " + " · ".join(parts)
    return job.message  # the runner words each outcome itself


def status_tone(job: Job) -> str | None:
    """How the job's state is shown in a coloured box: "info" while queued, "success",
    "warning" when stopped, "error" when it failed or its loss blew up; None while it runs
    (the progress bar says it)."""
    if job.state == "queued":
        return "info"
    if job.state == "finished":
        return "success"
    if job.stop_reason == "nan" or job.state == "failed":
        return "error"
    if job.state == "stopped":
        return "warning"
    return None


def status_message(job: Job) -> str:
    """The words in that box: the place in the queue, or the runner's own message."""
    place = job.queue_position() if job.state == "queued" else 0
    return f"Waiting for a free trainer: place {place} in the queue." if place else job.message


def progress_text(history: TrainingHistory, metric: str) -> str:
    """The label of a progress bar: the step, and `metric`'s latest value with its epoch."""
    text = f"Step {history.step:,} of {history.total_steps:,}"
    if series := history.steps.get(metric):
        epoch, value = series[-1]
        text += f" · epoch {epoch:.2f} · {metric} {value:.4g}"
    return text
