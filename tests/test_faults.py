"""Faults: a server killed in the middle of a training or of a save, a full disk while saving.
On restart every checkpoint on disk is complete or absent, never corrupt; a full disk is a
message, never a crash."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import savers
import torch
from gradio_client import Client
from helpers import ToyLab

from benchmarks.servers import free_port, start_server, stop_server, wait_until_answers
from core import checkpoints
from core.runner import TrainingRunner

ROOT = Path(__file__).resolve().parents[1]


def checkpoint_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def assert_complete_or_absent(root: Path) -> None:
    for folder in checkpoint_folders(root):
        checkpoints.read_checkpoint(folder)  # raises on anything half-written


# --- a killed save ---------------------------------------------------------------------------


def test_a_save_killed_at_any_moment_leaves_a_whole_checkpoint(tmp_path):
    """Kill a process that overwrites one checkpoint in a loop at 12 moments: each time the
    checkpoint on disk is a whole one (weights, config and metrics of one and the same save),
    and the sweep at the next start tidies the leftovers, putting back a checkpoint that a kill
    had parked aside. The savers are forked from a server that imported torch once."""
    target = tmp_path / "runs" / "model"
    processes = multiprocessing.get_context("forkserver")
    # The server starts in the repo's root (it does not see tests/): torch and core are what cost.
    processes.set_forkserver_preload(["torch", "core.checkpoints"])
    for attempt in range(12):
        first_save_done = processes.Event()
        saver = processes.Process(target=savers.save_until_killed, args=(str(target), first_save_done))
        saver.start()
        assert first_save_done.wait(timeout=60), "the saver never saved"
        time.sleep(0.005 + 0.013 * attempt)  # then a kill lands at a different point each time
        saver.kill()  # SIGKILL: no cleanup
        saver.join()
        checkpoints.sweep_interrupted_saves(target.parent, min_age=0)  # what a restart does
        saved = checkpoints.read_checkpoint(target)
        version = saved.config["version"]
        assert saved.metrics["version"] == version
        assert torch.all(saved.state_dict["weight"] == version), "weights from another save"
        assert [p.name for p in target.parent.iterdir()] == ["model"], "leftovers after the sweep"


def test_the_sweep_leaves_a_save_in_progress_alone(tmp_path):
    staging = tmp_path / ".model.abcd1234"
    staging.mkdir()
    assert checkpoints.sweep_interrupted_saves(tmp_path) == []  # young: maybe another process's
    old = time.time() - 3600
    os.utime(staging, (old, old))
    assert checkpoints.sweep_interrupted_saves(tmp_path) == ["removed .model.abcd1234"]


# --- a killed server -------------------------------------------------------------------------


def test_a_server_killed_mid_training_restarts_clean(tmp_path, data_dir):
    runs = tmp_path / "runs"
    env = {
        "GRADIO_ANALYTICS_ENABLED": "False",
        "DLL_RUNS_DIR": str(runs),
        "DLL_DATA_DIR": data_dir,
        "DLL_OFFLINE": "1",
        "DLL_LABS": "digits",  # the one lab the test trains: a server that starts in seconds
    }

    def serve(**settings: str) -> tuple[subprocess.Popen, str]:
        port = free_port()
        log = tmp_path / f"gradio-{port}.log"
        server_env = env | settings | {"GRADIO_SERVER_PORT": str(port)}
        server = start_server([sys.executable, "gradio_app.py"], log, server_env)
        url = f"http://127.0.0.1:{port}/"
        wait_until_answers(url, server, log)
        return server, url

    server, url = serve()
    try:
        # A finished training first, so that there is a checkpoint on disk to protect.
        client = Client(url, verbose=False)
        status = client.predict(architecture="mlp", epochs=1, batch_size=256, api_name="/digits_train")[0]
        assert "Training finished" in status
        job = client.submit(architecture="mlp", epochs=10, api_name="/digits_train")
        deadline = time.monotonic() + 120
        while len(job.outputs()) < 4 and time.monotonic() < deadline:  # a few live updates: running
            time.sleep(0.2)
        assert len(job.outputs()) >= 4, "the training never started"
        server.send_signal(signal.SIGKILL)  # mid-training: no goodbye, no cleanup
        server.wait()
    finally:
        stop_server(server)

    assert_complete_or_absent(runs)
    assert len(checkpoint_folders(runs)) == 1, "the finished training's checkpoint must survive"

    server, url = serve(DLL_MAX_STEPS="10")  # the restart, whose training need only finish and save
    try:
        status = Client(url, verbose=False).predict(
            architecture="mlp", epochs=1, batch_size=256, api_name="/digits_train"
        )[0]
        assert "Training finished" in status
    finally:
        stop_server(server)
    assert_complete_or_absent(runs)
    assert len(checkpoint_folders(runs)) == 2


# --- a full disk -----------------------------------------------------------------------------


def test_a_full_disk_at_the_end_of_a_training_is_a_message_and_the_model_stays(tmp_path, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoints, "save_file", disk_full)
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path, device="cpu")
    job = runner.submit(ToyLab(), {"steps": 5})
    assert job.wait(30)
    assert job.state == "finished" and job.result is not None
    assert "No space left on device" in job.message and "kept in memory" in job.message
    assert job.checkpoint_dir is None
    assert checkpoint_folders(tmp_path) == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("stage", ["config", "card"])
def test_a_full_disk_part_way_through_a_save_leaves_nothing_behind(tmp_path, monkeypatch, stage):
    previous = checkpoints.save_checkpoint(
        tmp_path / "model", torch.nn.Linear(2, 2), {"v": 1}, {"v": 1}, "first"
    )
    real_write = checkpoints._write_text

    def fail_at_stage(path, text):
        if (stage == "config" and path.name == checkpoints.CONFIG_FILE) or (
            stage == "card" and path.name == checkpoints.CARD_FILE
        ):
            raise OSError(28, "No space left on device")
        real_write(path, text)

    monkeypatch.setattr(checkpoints, "_write_text", fail_at_stage)
    with pytest.raises(checkpoints.CheckpointError, match="No space left"):
        checkpoints.save_checkpoint(previous, torch.nn.Linear(2, 2), {"v": 2}, {"v": 2}, "second")
    assert checkpoints.read_checkpoint(previous).config == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


# --- a student who leaves --------------------------------------------------------------------


def test_a_streamlit_training_stops_when_its_student_closes_the_tab(tmp_path, data_dir):
    """On a real Streamlit server: press Train on the Digits page, close the connection; after
    DLL_ABANDONED_SECONDS the training stops (freeing the trainer) and its model is saved with
    the reason."""
    from benchmarks.streamlit_sessions import StreamlitSession, streamlit_server

    runs = tmp_path / "runs"
    env = {
        "DLL_RUNS_DIR": str(runs),
        "DLL_DATA_DIR": data_dir,
        "DLL_ABANDONED_SECONDS": "2",
        "DLL_LABS": "digits",
    }
    with streamlit_server(log=tmp_path / "streamlit.log", env=env) as url:
        student = StreamlitSession(url)
        assert student.run_page("digits").ok
        assert student.rerun(values={"Epochs": [20]}, click="Train").ok
        student.close()  # the tab is closed while the training runs
        deadline = time.monotonic() + 180
        while not list(runs.glob("*/metrics.json")) and time.monotonic() < deadline:
            time.sleep(0.5)
    saved = [checkpoints.read_checkpoint(path.parent) for path in runs.glob("*/metrics.json")]
    assert len(saved) == 1, "the training neither stopped nor saved"
    assert saved[0].metrics["stopped_by"] == "closed session"
