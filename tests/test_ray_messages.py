"""What the fronts show of a training that a Ray cluster runs, without a cluster: a training
out of the line for a reason the runner words (its worker was lost, it waits for another) shows
that message, and Stop still reaches it."""

from __future__ import annotations

from helpers import ToyLab

from core.history import TrainingHistory
from core.runner import Job, TrainingRunner
from gradio_tabs.common import job_status


def waiting_for_another_worker(tmp_path) -> Job:
    runner = TrainingRunner(out_root=tmp_path, device="cpu")
    job = Job(
        runner, "toy-1", ToyLab(), {"steps": 3}, owner="a", seed=0, data_dir=None, time_budget=None,
        max_steps=None, out_dir=tmp_path / "toy-1",
    )  # fmt: skip
    job._set_state("queued", "The computer that was running your training stopped. It starts again.")
    return job


def test_a_queued_training_out_of_the_line_shows_the_runners_message_in_gradio(tmp_path):
    job = waiting_for_another_worker(tmp_path)
    assert job.queue_position() == 0
    status = job_status(job, TrainingHistory())
    assert "computer that was running your training stopped" in status and "Queued" in status


def test_stop_reaches_a_queued_training_out_of_the_line(tmp_path):
    job = waiting_for_another_worker(tmp_path)
    job.stop()
    assert job.stop_reason == "user"  # the cluster's backend ends it before it starts again
