"""Trainings on a Ray cluster (core/ray_backend.py): a real cluster of three nodes on this
machine (a head that trains nothing and two workers of one CPU each, Ray's own
`ray.cluster_utils.Cluster`). Skipped when Ray is not installed (requirements-ray.txt)."""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

import pytest
import torch

ray = pytest.importorskip("ray")

import helpers  # noqa: E402
from helpers import ToyLab  # noqa: E402
from ray import cloudpickle  # noqa: E402
from ray.cluster_utils import Cluster  # noqa: E402

from core import checkpoints  # noqa: E402
from core.cli import main  # noqa: E402
from core.events import Progress, Status  # noqa: E402
from core.registry import get_lab  # noqa: E402
from core.runner import TrainingRunner  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SMALL_STORE = 80 * 2**20  # bytes of object store per node: the checkpoints are tiny


class SlowToyLab(ToyLab):
    """The toy lab, a step every 30 ms: slow enough to stop, or to kill its worker, half-way."""

    def train(self, params, ctx):
        for event in super().train(params, ctx):
            if isinstance(event, Progress):
                time.sleep(0.03)
            yield event


# The test labs travel to the workers pickled by value (only `core` is importable there).
cloudpickle.register_pickle_by_value(helpers)
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A head with no CPUs (it only schedules) and two workers with one CPU each."""
    saved = dict(os.environ)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), saved.get("PYTHONPATH")]))
    os.environ["DLL_CACHE_DIR"] = str(tmp_path_factory.mktemp("worker-cache"))
    head = {"num_cpus": 0, "include_dashboard": False, "object_store_memory": SMALL_STORE}
    started = Cluster(initialize_head=True, head_node_args=head)
    try:
        for _ in range(2):
            started.add_node(num_cpus=1, object_store_memory=SMALL_STORE)
        started.wait_for_nodes()
        yield started
    finally:
        ray.shutdown()
        started.shutdown()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def runner(cluster, tmp_path):
    return TrainingRunner(out_root=tmp_path, device="cpu", ray_address=cluster.address)


def worker_ids(cluster) -> set[str]:
    return {node.node_id for node in cluster.worker_nodes}


def states(events) -> list[str]:
    """The job's states in order, a state repeated (a queue place that moved) counted once."""
    seen = [e.state for e in events if isinstance(e, Status)]
    return [state for i, state in enumerate(seen) if i == 0 or seen[i - 1] != state]


def running_on(job) -> str:
    for event in job.events_since(0):
        if isinstance(event, Status) and event.state == "running":
            return event.details["worker"]
    raise AssertionError(f"the job never ran: {job.state}, {job.message!r}, step {job.last_step}")


def test_a_training_runs_on_a_worker_its_events_arrive_in_order_and_it_is_saved_here(cluster, runner):
    job = runner.submit(ToyLab(), {"steps": 40}, seed=3)
    events = list(job.stream())
    assert job.state == "finished", job.message
    assert [e.step for e in events if isinstance(e, Progress)] == list(range(1, 41))
    assert states(events) == ["queued", "running", "finished"]
    assert running_on(job) in worker_ids(cluster), "trained on the head, or here"
    assert "training cluster" in next(e.message for e in events if getattr(e, "state", "") == "running")
    saved = checkpoints.read_checkpoint(job.checkpoint_dir)
    assert job.checkpoint_dir.parent == runner.out_root
    assert torch.equal(saved.state_dict["weight"], job.result.model.weight.detach())
    assert abs(job.result.metrics["weight"] - 2.0) < 0.05


def test_the_model_that_comes_back_equals_one_trained_here_with_the_same_seed(runner, tmp_path, monkeypatch):
    """The real digits lab (sent by its id, trained from the worker's own data), a few steps."""
    monkeypatch.setenv("DLL_MAX_STEPS", "6")
    lab = get_lab("digits")
    remote = runner.submit(lab, {"epochs": 1}, seed=11)
    # One thread, as the worker's one CPU: the sums then add up in the same order. (A training
    # thread sets its count from DLL_TORCH_THREADS when it starts.)
    monkeypatch.setenv("DLL_TORCH_THREADS", "1")
    here = TrainingRunner(out_root=tmp_path / "here", device="cpu").submit(lab, {"epochs": 1}, seed=11)
    assert here.wait(240)
    assert remote.wait(240)
    assert (remote.state, here.state) == ("finished", "finished"), (remote.message, here.message)

    def figures(job) -> dict:  # every metric but the clock's
        return {k: v for k, v in job.result.metrics.items() if not k.endswith("seconds")}

    assert figures(remote) == figures(here) and "heldout_accuracy" in figures(here)
    mine, theirs = remote.result.model.state_dict(), here.result.model.state_dict()
    assert mine.keys() == theirs.keys()
    assert all(torch.equal(mine[name], theirs[name]) for name in mine)
    saved = checkpoints.read_checkpoint(remote.checkpoint_dir)
    assert saved.metrics["heldout_accuracy"] == here.result.metrics["heldout_accuracy"]


def test_the_queue_is_the_clusters_and_stop_reaches_the_worker(runner):
    """Two workers of one CPU: a third training waits and knows its place; Stop ends a running
    one on its worker within a step or so, and withdraws a waiting one."""
    lab = SlowToyLab()
    first = runner.submit(lab, {"steps": 2000}, owner="a")
    second = runner.submit(lab, {"steps": 2000}, owner="b")
    deadline = time.monotonic() + 120
    while not (first.state == second.state == "running") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert first.state == second.state == "running", (first.message, second.message)
    third = runner.submit(lab, {"steps": 3}, owner="c")
    fourth = runner.submit(lab, {"steps": 3}, owner="d")
    time.sleep(1.5)
    assert (third.state, third.queue_position(), fourth.queue_position()) == ("queued", 1, 2)
    assert "place 2 in the queue" in fourth.message
    fourth.stop()  # withdrawn before it starts
    assert fourth.state == "stopped" and fourth.queue_position() == 0

    while first.last_step < 5:
        time.sleep(0.05)
    first.stop()
    asked_at = first.last_step
    assert first.wait(60) and first.state == "stopped"
    assert first.result.metrics["stopped_by"] == "user" and "Stopped on request" in first.message
    assert asked_at <= first.last_step < 2000, "the worker went on to the end"
    assert first.checkpoint_dir is not None
    assert third.wait(120) and third.state == "finished", "the freed worker took the next one"
    second.stop()
    assert second.wait(60) and second.state == "stopped"


def test_a_killed_worker_node_is_a_message_and_a_retry_elsewhere(cluster, runner):
    """Its worker node killed mid-training: the student is told, the training starts again on
    the other worker from the same seed, and the steps already shown are not shown twice. With
    no retries left, a clear message and a failed job (never a traceback or a hang)."""
    job = runner.submit(SlowToyLab(), {"steps": 120}, seed=5)
    while job.last_step < 10 and not job.done:
        time.sleep(0.05)
    node = next(n for n in cluster.worker_nodes if n.node_id == running_on(job))
    cluster.remove_node(node, allow_graceful=False)
    events = list(job.stream())
    assert job.state == "finished", job.message
    # Until Ray has seen the node go, it may still place the next training there (and lose it):
    # the no-retry case below must start on the worker that is left.
    cluster.wait_for_nodes()
    told = [e.message for e in events if isinstance(e, Status) and e.state == "queued"]
    assert any("stopped" in message and "starts again" in message for message in told), told
    assert [e.step for e in events if isinstance(e, Progress)] == list(range(1, 121))
    assert states(events) == ["queued", "running", "queued", "running", "finished"]

    here = TrainingRunner(out_root=runner.out_root / "here", device="cpu").submit(
        ToyLab(), {"steps": 120}, seed=5
    )
    assert here.wait(60) and here.result.metrics == job.result.metrics  # the retry retraced it

    runner.remote.retries = 0
    job = runner.submit(SlowToyLab(), {"steps": 2000}, seed=5)
    while job.last_step < 5 and not job.done:
        time.sleep(0.05)
    last = next(n for n in cluster.worker_nodes if n.node_id == running_on(job))
    cluster.remove_node(last, allow_graceful=False)
    assert job.wait(120) and job.state == "failed"
    assert "stopped (its worker" in job.message and "press Train to start it again" in job.message
    assert "Traceback" not in job.message


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_cluster_is_a_message_or_a_local_training(tmp_path, monkeypatch):
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    runner = TrainingRunner(out_root=tmp_path, device="cpu", ray_address=address)
    job = runner.submit(ToyLab(), {"steps": 3})
    assert job.wait(60) and job.state == "failed"
    assert "cannot be reached" in job.message and address in job.message
    assert runner.active_jobs() == [] and runner.queue_position(job) == 0

    monkeypatch.setenv("DLL_RAY_FALLBACK", "local")
    runner = TrainingRunner(out_root=tmp_path, device="cpu", ray_address=address)
    job = runner.submit(ToyLab(), {"steps": 3})
    assert job.wait(60) and job.state == "finished", job.message
    assert job.last_step == 3 and job.checkpoint_dir is not None


def test_the_cli_train_command_says_so_when_the_cluster_cannot_be_reached(capsys, tmp_path):
    code = main(["train", "digits", "--ray", f"127.0.0.1:{free_port()}", "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err
    assert code != 0
    assert "cannot be reached" in err and "Traceback" not in err
    assert not (tmp_path / "m").exists()
