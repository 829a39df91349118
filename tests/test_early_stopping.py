"""The early-stopping lab: the visible EarlyStopping rule (patience, min delta, loss or accuracy),
a training that stops and puts back its best epoch, a checkpoint every epoch (listed, loaded,
pruned to best-and-last), a resume that ends with the very weights of a training never
interrupted, a CLI training killed with SIGKILL that resumes from its last checkpoint, the
bundled model, and a clear message for every resume that cannot work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from core.checkpoints import read_checkpoint
from core.cli import main
from core.events import EpochEnd
from core.history import TrainingHistory
from core.labs.early_stopping import epochs as epoch_store
from core.labs.early_stopping.train import EarlyStopping
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("early-stopping")
ROOT = Path(__file__).resolve().parents[1]
# Small and quick: 4 steps an epoch, and a network that still overfits 200 digits.
SMALL = {
    "train_digits": 200,
    "validation_digits": 200,
    "hidden": 32,
    "batch_size": 50,
    "learning_rate": 0.003,
}


def train(tmp_path: Path, name: str, data_dir: str, **settings):
    """One training through the runner into tmp_path/name; returns the finished job."""
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, SMALL | settings, data_dir=data_dir, out_dir=tmp_path / name)
    job.wait(timeout=120)
    assert job.state == "finished", job.message
    return job


def weights(folder: Path) -> dict[str, torch.Tensor]:
    return read_checkpoint(folder).state_dict


# --- the rule --------------------------------------------------------------------------------


def test_the_rule_waits_patience_epochs_and_ignores_changes_below_min_delta():
    model = torch.nn.Linear(1, 1)
    rule = EarlyStopping("min", patience=2, min_delta=0.05)
    losses = [1.0, 0.8, 0.78, 0.9, 0.5]  # 0.78 improves by less than min delta
    stops = [rule.step(loss, epoch, model) for epoch, loss in enumerate(losses, 1)]
    assert stops == [False, False, False, True, False] and rule.best_epoch == 5
    accuracy = EarlyStopping("max", patience=1, min_delta=0.0)
    assert [accuracy.step(v, e, model) for e, v in enumerate([0.5, 0.6, 0.6], 1)] == [False, False, True]
    assert accuracy.best_epoch == 2
    nan = EarlyStopping("min", patience=3, min_delta=0.0)  # a NaN is never an improvement
    assert not nan.step(float("nan"), 1, model) and nan.best is None and nan.wait == 1


# --- a training ------------------------------------------------------------------------------


def test_it_stops_after_patience_epochs_and_puts_back_the_best_epoch(tmp_path, data_dir):
    job = train(tmp_path, "run", data_dir, epochs=80, patience=3)
    metrics = job.result.metrics
    best, stopped = metrics["best_epoch"], metrics["stopped_epoch"]
    assert stopped == best + 3 == metrics["last_epoch"], metrics  # it overfits 200 digits well before 80
    assert metrics["kept_epoch"] == best and "stopped_by" in metrics
    assert f"The weights of epoch {best}, the best by validation loss" in job.message  # the runner's
    curve = metrics["curve"]
    assert curve["epoch"] == list(range(1, stopped + 1))
    assert min(curve["validation_loss"]) == pytest.approx(metrics["best_value"], abs=1e-5)
    assert curve["train_loss"][-1] < curve["train_loss"][best - 1]  # still learning the training digits
    # The kept model is the best epoch's checkpoint, weight for weight; every epoch has one.
    saved = epoch_store.list_epochs(job.checkpoint_dir)
    assert [c.epoch for c in saved] == curve["epoch"]
    kept, best_epoch = weights(job.checkpoint_dir), weights(saved[best - 1].folder)
    assert all(torch.equal(kept[name], best_epoch[name]) for name in kept)
    assert metrics["heldout_accuracy"] == pytest.approx(
        LAB.evaluate(LAB.load(job.checkpoint_dir), data_dir)["heldout_accuracy"]
    )

    history = TrainingHistory()
    history.extend(list(job.events_since(0)))
    loss, _ = LAB.training_figures(history)
    notes = " ".join(a.text for a in loss.layout.annotations)
    assert f"stopped: epoch {stopped}" in notes and f"kept: epoch {best}" in notes

    reloaded = LAB.load(job.checkpoint_dir)
    table = LAB.interaction("checkpoints")(reloaded)
    assert [row["epoch"] for row in table["epochs"]] == curve["epoch"] and "every epoch" in table["note"]
    assert table["epochs"][best - 1]["mark"] == "best kept"
    loaded = LAB.interaction("load-epoch")(reloaded, {"epoch": 1})
    assert "**Epoch 1**" in loaded["summary"] and 0 < loaded["heldout_accuracy"] < metrics["heldout_accuracy"]
    assert loaded["mistakes"] and loaded["mistakes"][0][1].startswith("said ")
    drawn = LAB.interaction("curve")(reloaded, {"figure": "loss"})
    assert f"stopped the training after epoch {stopped}" in drawn["summary"]


def test_best_and_last_keeps_two_folders_and_without_restore_the_last_weights_stay(tmp_path, data_dir):
    job = train(
        tmp_path, "run", data_dir, epochs=80, patience=3, keep_checkpoints="best-and-last", restore_best=False
    )
    metrics = job.result.metrics
    assert metrics["epoch_checkpoints"] == [metrics["best_epoch"], metrics["last_epoch"]]
    assert metrics["kept_epoch"] == metrics["last_epoch"]
    last = epoch_store.epoch_folder(job.checkpoint_dir, metrics["last_epoch"])
    kept = weights(job.checkpoint_dir)
    assert all(torch.equal(kept[name], weights(last)[name]) for name in kept)
    reloaded = LAB.load(job.checkpoint_dir)
    assert "keeps the checkpoints of epochs" in LAB.interaction("checkpoints")(reloaded)["note"]
    with pytest.raises(SpecError, match=r"Epoch 1 has no checkpoint in this run: it keeps epochs \d+, \d+"):
        LAB.interaction("load-epoch")(reloaded, {"epoch": 1})


def test_a_stop_mid_epoch_leaves_no_half_epoch_checkpoint_and_says_which_weights_it_kept(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, SMALL | {"epochs": 20, "patience": 20}, data_dir=data_dir, max_steps=4 * 12 + 2)
    job.wait(timeout=120)
    metrics = job.result.metrics
    assert job.state == "finished" and "(ended by the step limit)" in job.message
    assert metrics["stopped_mid_epoch"] and metrics["epoch_checkpoints"] == list(range(1, 13))
    if metrics["best_epoch"] != 12:  # restore best put back an earlier epoch, and the message says so
        assert f"The weights of epoch {metrics['best_epoch']}, the best by validation loss" in job.message
    assert (
        "stopped during epoch 13; epoch 12 was the last whole one"
        in LAB.interaction("curve")(job.result)["summary"]
    )


# --- resuming --------------------------------------------------------------------------------


def test_a_resumed_training_ends_with_the_weights_of_one_never_interrupted(tmp_path, data_dir):
    fixed = {"epochs": 8, "early_stopping": False, "restore_best": False}
    whole = train(tmp_path, "whole", data_dir, **fixed)
    first = train(tmp_path, "first", data_dir, **(fixed | {"epochs": 3}))
    resumed = train(tmp_path, "resumed", data_dir, **(fixed | {"resume_from": str(first.checkpoint_dir)}))
    # The same final weights, optimiser state and curve, to the last bit.
    expected, got = weights(whole.checkpoint_dir), weights(resumed.checkpoint_dir)
    assert all(torch.equal(expected[name], got[name]) for name in expected)
    adam = [
        torch.load(epoch_store.epoch_folder(job.checkpoint_dir, 8) / "optimizer.pt", weights_only=True)
        for job in (whole, resumed)
    ]
    assert all(
        torch.equal(adam[0]["state"][0][key], adam[1]["state"][0][key])
        for key in ("exp_avg", "exp_avg_sq", "step")
    )
    assert resumed.result.metrics["curve"] == whole.result.metrics["curve"]
    assert resumed.result.metrics["resumed_from_epoch"] == 3
    # One line: the three epochs replayed, then epoch 4 onwards; its folder holds all eight.
    epochs = [event.epoch for event in resumed.events_since(0) if isinstance(event, EpochEnd)]
    assert epochs == list(range(1, 9))
    assert [c.epoch for c in epoch_store.list_epochs(resumed.checkpoint_dir)] == list(range(1, 9))
    # An epoch folder works too: from epoch 2 of the uninterrupted run, in its own folder.
    again = train(
        tmp_path,
        "from-two",
        data_dir,
        **(fixed | {"resume_from": str(epoch_store.epoch_folder(whole.checkpoint_dir, 2))}),
    )
    assert all(torch.equal(expected[name], weights(again.checkpoint_dir)[name]) for name in expected)


def test_resumes_that_cannot_continue_the_curve_are_refused_plainly(tmp_path, data_dir):
    job = train(tmp_path, "run", data_dir, epochs=3, early_stopping=False)
    run = str(job.checkpoint_dir)
    cases = [
        ({"resume_from": str(tmp_path / "nowhere")}, "there is no folder"),
        ({"resume_from": "runs/\x00epoch"}, "that is not a folder path"),
        ({"resume_from": "~nobody-here/run"}, "there is no folder"),
        ({"resume_from": str(ROOT / "checkpoints" / "digits-mlp")}, "is not an early-stopping checkpoint"),
        ({"resume_from": "/etc"}, "is not one of this app's runs"),
        ({"resume_from": run, "epochs": 3}, "has already trained 3 epochs; set Epochs above 3"),
        ({"resume_from": run, "epochs": 6, "hidden": 64}, r"hidden 32 \(yours: 64\)"),
        ({"resume_from": run, "epochs": 6, "learning_rate": 0.01}, "learning_rate"),
    ]
    for settings, message in cases:
        with pytest.raises(SpecError, match=message):
            LAB.check_params(LAB.spec.validate(SMALL | settings))
    (job.checkpoint_dir / "epochs" / "epoch-003" / "optimizer.pt").write_bytes(b"not a pickle")
    with pytest.raises(SpecError, match="cannot be read back"):
        epoch_store.read_training_state(job.checkpoint_dir / "epochs" / "epoch-003")


def cli(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "core", "train", "early-stopping", *args],
        cwd=ROOT,
        env=os.environ | {"DLL_TORCH_THREADS": "1"} | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def test_a_cli_training_killed_with_sigkill_resumes_from_its_last_checkpoint(tmp_path, data_dir):
    settings = [f"--set={key}={value}" for key, value in SMALL.items()]
    settings += ["--set=early_stopping=false", "--set=restore_best=false"]
    run = tmp_path / "killed"
    # 300 epochs of 4 steps: the kill lands after the third checkpoint, long before the end.
    process = cli(*settings, "--set=epochs=300", "--out", str(run), "--data-dir", data_dir)
    deadline = time.monotonic() + 90
    while len(epoch_store.list_epochs(run)) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    saved = epoch_store.list_epochs(run)
    assert len(saved) >= 3 and not (run / "model.safetensors").exists()  # killed: no final model
    last = saved[-1].epoch
    resumed = train(
        tmp_path,
        "resumed",
        data_dir,
        early_stopping=False,
        restore_best=False,
        epochs=last + 2,
        resume_from=str(run),
    )
    metrics = resumed.result.metrics
    assert metrics["resumed_from_epoch"] == last and metrics["last_epoch"] == last + 2
    assert metrics["curve"]["epoch"] == list(range(1, last + 3))
    assert metrics["curve"]["validation_loss"][:last] == saved[-1].state["curve"]["validation_loss"]


# --- the bundled model and the CLI -----------------------------------------------------------


def test_the_bundled_model_says_which_epochs_it_keeps(data_dir, capsys):
    bundled = LAB.load_bundled()
    metrics = bundled.metrics
    assert metrics["stopped_epoch"] and metrics["kept_epoch"] == metrics["best_epoch"]
    table = LAB.interaction("checkpoints")(bundled)
    assert "This bundled model keeps the checkpoints of epochs" in table["note"]
    assert [row["epoch"] for row in table["epochs"]] == metrics["epoch_checkpoints"]
    best = LAB.interaction("load-epoch")(bundled, {"epoch": 0})
    assert best["heldout_accuracy"] == pytest.approx(metrics["heldout_accuracy"], abs=1e-4)
    assert main(["early-stopping", "checkpoints", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert [row["epoch"] for row in answer["epochs"]] == metrics["epoch_checkpoints"]
