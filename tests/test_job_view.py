"""core.job_view: what both fronts show of a training job, from its events and its state."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from helpers import ToyLab

from core import job_view
from core.events import Progress
from core.history import TrainingHistory
from core.runner import TrainingRunner


@dataclass
class StateOnly:
    """What the status words read of a job: its state, message, stop reason and queue place."""

    state: str
    message: str = ""
    stop_reason: str = ""
    place: int = 0

    def queue_position(self) -> int:
        return self.place


def history_at(step: int, total: int, **metrics: float) -> TrainingHistory:
    history = TrainingHistory()
    history.extend([Progress(step, total, step / total, metrics)])
    return history


def test_a_finished_toy_training_is_followed_to_its_last_step(tmp_path):
    runner = TrainingRunner(out_root=tmp_path, device="cpu")
    job = runner.submit(ToyLab(), {"steps": 3}, owner="a")
    histories = list(job_view.watch_job(job, interval=0.05))
    assert job.done and histories, "the job was not followed to its end"
    last = histories[-1]
    assert (last.step, last.total_steps) == (3, 3)
    assert job_view.status_tone(job) == "success"
    assert job_view.job_status(job, last) == job.message  # the runner words the outcome


def test_a_view_reads_each_event_once(tmp_path):
    runner = TrainingRunner(out_root=tmp_path, device="cpu")
    job = runner.submit(ToyLab(), {"steps": 2}, owner="a")
    assert job.wait(timeout=60)
    view = job_view.TrainingView(job)
    assert view.poll() == len(job.events_since(0)) > 0
    assert view.poll() == 0  # nothing new: nothing read twice
    assert view.history.step == 2


@pytest.mark.parametrize(
    ("job", "tone"),
    [
        (StateOnly("queued", place=2), "info"),
        (StateOnly("running"), None),
        (StateOnly("finished", "Training finished."), "success"),
        (StateOnly("stopped", "Stopped.", stop_reason="user"), "warning"),
        (StateOnly("stopped", "The loss blew up.", stop_reason="nan"), "error"),
        (StateOnly("failed", "It broke."), "error"),
    ],
)
def test_each_state_has_its_tone(job, tone):
    assert job_view.status_tone(job) == tone


def test_a_queued_job_says_its_place_or_the_runners_reason():
    assert job_view.status_message(StateOnly("queued", place=3)) == (
        "Waiting for a free trainer: place 3 in the queue."
    )
    assert job_view.status_message(StateOnly("queued", "Its worker was lost.")) == "Its worker was lost."
    assert job_view.job_status(StateOnly("queued", place=1), TrainingHistory()).endswith(
        "next in line for a free trainer."
    )
    assert "place 4 in the line" in job_view.job_status(StateOnly("queued", place=4), TrainingHistory())


def test_a_running_job_shows_its_progress_and_latest_metrics():
    history = history_at(5, 10, loss=0.25, heldout_accuracy=0.875)
    status = job_view.job_status(StateOnly("running"), history)
    assert status.startswith("**Training** `" + "█" * 10 + "░" * 10 + "`")
    assert "step 5/10 · loss 0.250 · held-out accuracy 87.5%" in status
    assert job_view.job_status(StateOnly("running"), TrainingHistory()).startswith("**Loading**")
    assert job_view.progress_text(history, "loss") == "Step 5 of 10 · epoch 0.50 · loss 0.25"
    assert job_view.progress_text(history, "accuracy") == "Step 5 of 10"


def test_the_progress_bar_stays_within_its_width():
    assert job_view.progress_bar(0.0, width=4) == "░░░░"
    assert job_view.progress_bar(0.5, width=4) == "██░░"
    assert job_view.progress_bar(2.0, width=4) == "████"
