"""The training runner: events, stop, NaN guard, queue, one job per owner, failures, saving."""

import threading
import time

import pytest
import torch
from helpers import ToyLab
from torch import nn

from core import checkpoints
from core.events import EpochEnd, Progress, Status, Trained
from core.labs.base import Lab
from core.runner import BusyError, TrainingRunner
from core.specs import LabSpec, Param, SpecError


@pytest.fixture
def runner(tmp_path):
    return TrainingRunner(max_concurrent=1, out_root=tmp_path, device="cpu")


def test_a_job_streams_events_and_saves_a_checkpoint(runner):
    lab = ToyLab()
    job = runner.submit(lab, {"steps": 50})
    events = list(job.stream())
    assert job.state == "finished"
    steps = [e.step for e in events if isinstance(e, Progress)]
    assert steps == list(range(1, 51))
    states = [e.state for e in events if isinstance(e, Status)]
    assert states == ["queued", "running", "finished"]
    assert abs(job.result.metrics["weight"] - 2.0) < 0.05
    saved = checkpoints.read_checkpoint(job.checkpoint_dir)
    assert saved.metrics["stopped_by"] == "completed"
    assert torch.equal(saved.state_dict["weight"], job.result.model.weight.detach())


def test_stop_ends_a_running_job_within_one_step_and_keeps_the_model(runner):
    lab = ToyLab()
    lab.gate = threading.Semaphore(0)
    job = runner.submit(lab, {"steps": 100_000})
    lab.gate.release(3)
    seen = []
    for event in job.stream():
        if isinstance(event, Progress):
            seen.append(event.step)
            if event.step == 3:
                job.stop()
                lab.gate.release(5)  # more steps would be allowed; the runner must not take them
    assert job.state == "stopped"
    assert max(seen) <= 4  # step 4 may already have been under way when stop was asked
    assert job.result is not None and job.checkpoint_dir is not None
    assert "kept" in job.message


def test_nan_loss_stops_with_an_explanation_and_restores_the_last_good_weights(runner):
    job = runner.submit(ToyLab(), {"steps": 200, "learning_rate": 1e5})
    job.wait(30)
    assert job.state == "stopped"
    assert "exploded" in job.message or "NaN or infinite" in job.message
    assert "learning rate" in job.message
    weight = job.result.model.weight.detach()
    assert torch.isfinite(weight).all()
    assert job.result.metrics["stopped_by"] == "nan"
    saved = checkpoints.read_checkpoint(job.checkpoint_dir)
    assert torch.isfinite(saved.state_dict["weight"]).all()


def test_an_exploding_loss_counts_as_divergence(runner):
    job = runner.submit(ToyLab(), {"steps": 200, "learning_rate": 5.0})
    job.wait(30)
    assert job.state == "stopped" and "exploded from" in job.message
    assert abs(job.result.model.weight.item()) < 100


def test_jobs_queue_behind_the_limit_and_know_their_place(runner):
    lab = ToyLab()
    lab.gate = threading.Semaphore(0)
    first = runner.submit(lab, {"steps": 2}, owner="a")
    second = runner.submit(lab, {"steps": 2}, owner="b")
    third = runner.submit(lab, {"steps": 2}, owner="c")
    assert first.queue_position() == 0 or first.state == "running"
    assert (second.queue_position(), third.queue_position()) in ((1, 2), (2, 3))
    assert "queue" in third.message
    third.stop()  # withdrawn before it starts
    assert third.state == "stopped" and third.queue_position() == 0
    lab.gate.release(4)
    assert first.wait(30) and second.wait(30)
    assert (first.state, second.state) == ("finished", "finished")
    assert second.started >= first.finished


def test_one_owner_gets_one_active_job(runner):
    lab = ToyLab()
    lab.gate = threading.Semaphore(0)
    job = runner.submit(lab, {"steps": 1}, owner="student")
    with pytest.raises(BusyError, match="already"):
        runner.submit(lab, {"steps": 1}, owner="student")
    other = runner.submit(lab, {"steps": 1}, owner="someone else")
    lab.gate.release(2)
    assert job.wait(30) and other.wait(30)
    runner.submit(lab, {"steps": 1}, owner="student").stop()  # allowed again once done


def test_bad_settings_are_refused_before_queueing(runner):
    with pytest.raises(SpecError):
        runner.submit(ToyLab(), {"steps": 0})
    assert runner.active_jobs() == []


def test_a_crashing_lab_fails_the_job_with_a_message(runner):
    job = runner.submit(ToyLab(), {"steps": 10, "crash_at": 4})
    job.wait(30)
    assert job.state == "failed"
    assert "simulated bug" in job.message
    assert job.result is None


def test_time_budget_and_step_cap_end_training_cleanly(runner, monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "7")
    job = runner.submit(ToyLab(), {"steps": 100_000})
    job.wait(30)
    assert job.state == "finished" and job.last_step == 7
    assert "step limit" in job.message
    monkeypatch.delenv("DLL_MAX_STEPS")
    job = runner.submit(ToyLab(), {"steps": 100_000}, time_budget=0.2)
    job.wait(60)
    assert job.state == "finished" and job.result.metrics["stopped_by"] == "time budget"


def test_same_seed_same_result(runner):
    first = runner.submit(ToyLab(), {"steps": 3}, seed=7)
    first.wait(30)
    second = runner.submit(ToyLab(), {"steps": 3}, seed=7)
    second.wait(30)
    assert first.result.metrics["weight"] == second.result.metrics["weight"]


def test_a_full_queue_refuses_new_trainings_with_a_message(tmp_path):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path, device="cpu", max_queued=2)
    lab = ToyLab()
    lab.gate = threading.Semaphore(0)
    jobs = [runner.submit(lab, {"steps": 2}, owner=f"student-{i}") for i in range(3)]  # 1 runs, 2 wait
    with pytest.raises(BusyError, match="queue is full"):
        runner.submit(lab, {"steps": 2}, owner="student-late")
    for _ in range(6):
        lab.gate.release()
    assert all(job.wait(30) and job.state == "finished" for job in jobs)
    late = runner.submit(lab, {"steps": 1}, owner="student-late")  # room again
    lab.gate.release()
    assert late.wait(30) and late.state == "finished"


class EpochLab(Lab):
    """Scripted held-out scores per epoch; the weight after epoch k is k, so the test can tell
    which epoch's weights were kept. `stop_after` epochs, the test's hand presses Stop."""

    spec = LabSpec(
        "epochs",
        "Epochs",
        "Testing",
        "Scripted epochs.",
        params=(Param("stop_after", "int", 0, "press stop after this epoch (0: never)", low=0, high=10),),
    )
    best_metric = ("heldout_score", "max")
    scores = (0.5, 0.9, 0.6, 0.4)

    def build_model(self, config):
        return nn.Linear(1, 1, bias=False)

    def evaluate(self, trained, data_dir=None):
        return {"heldout_score": self.scores[round(trained.model.weight.item()) - 1]}

    def train(self, params, ctx):
        model = self.build_model({})
        ctx.watch(model)
        for epoch, score in enumerate(self.scores, start=1):
            with torch.no_grad():
                model.weight.fill_(float(epoch))
            yield Progress(epoch, len(self.scores), epoch, {"loss": 1.0})
            yield EpochEnd(epoch, epoch, {"heldout_score": score})
            if epoch == params["stop_after"]:
                ctx._job.stop()  # as the Stop button does, from outside the loop
            if ctx.should_stop():
                break
        yield Trained(model, {"lab": "epochs"}, {"heldout_score": score, "weight": model.weight.item()})


def test_a_stopped_training_keeps_its_best_epochs_weights(runner):
    job = runner.submit(EpochLab(), {"stop_after": 3})
    assert job.wait(30) and job.state == "stopped"
    assert job.result.model.weight.item() == 2.0  # epoch 2 scored 0.9; epoch 3 only 0.6
    assert job.result.metrics["heldout_score"] == 0.9  # re-scored: the kept model's figure
    assert job.result.metrics["kept_best_epoch"] == 2
    assert "epoch 2" in job.message and "were kept" in job.message
    saved = checkpoints.read_checkpoint(job.checkpoint_dir)
    assert saved.state_dict["weight"].item() == 2.0


def test_a_stop_at_the_best_epoch_and_a_full_training_keep_the_last_weights(runner):
    at_best = runner.submit(EpochLab(), {"stop_after": 2}, owner="a")
    assert at_best.wait(30) and at_best.result.model.weight.item() == 2.0
    assert "kept_best_epoch" not in at_best.result.metrics
    full = runner.submit(EpochLab(), {}, owner="b")  # completed: the lab's final model stands
    assert full.wait(30) and full.state == "finished"
    assert full.result.model.weight.item() == 4.0


def test_a_training_whose_student_left_stops_and_frees_the_trainer(runner, monkeypatch):
    import core.runner

    monkeypatch.setattr(core.runner, "PRESENCE_CHECK_SECONDS", 0.01)
    monkeypatch.setenv("DLL_ABANDONED_SECONDS", "0.2")
    here = {"alice": True}
    job = runner.submit(ToyLab(), {"steps": 100_000}, owner="alice", still_wanted=lambda: here["alice"])
    waiting = runner.submit(ToyLab(), {"steps": 3}, owner="bob")
    time.sleep(0.3)
    assert job.state == "running", "a student who is there keeps training"
    here["alice"] = False  # the tab is closed
    assert job.wait(30) and job.stop_reason == "closed session"
    assert job.last_step < 100_000 and "ended by the closed session" in job.message
    assert waiting.wait(30) and waiting.state == "finished"


def test_the_runner_forgets_finished_jobs(runner):
    for index in range(5):
        assert runner.submit(ToyLab(), {"steps": 1}, owner=f"s{index}").wait(30)
    runner.submit(ToyLab(), {"steps": 1}, owner="last").wait(30)
    assert len(runner._jobs) <= 1  # only the last one, until the next submit
