"""The gradient descent lab: the three ways start from the same weights and read the same
digits; batch GD takes one exact step per epoch (the gradient summed a stretch at a time equals
the full-set gradient), stochastic GD one per digit; the three x-axes; the gradient noise shrinks
as the batch grows; the bundled copies and the CLI (`python -m core gradient-descent ...`)."""

from __future__ import annotations

import json

import pytest
import torch
import torch.nn.functional as F

from core.cli import main
from core.events import EpochEnd, Progress
from core.history import TrainingHistory
from core.labs.gradient_descent.lab import training_figures
from core.labs.gradient_descent.model import same_start
from core.labs.gradient_descent.spec import METHODS
from core.labs.gradient_descent.train import MethodRun, finish_epoch, train_on_stretch
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("gradient-descent")


def test_batch_gd_summed_a_stretch_at_a_time_takes_the_full_set_gradient_step():
    torch.manual_seed(0)
    inputs, labels = torch.rand(40, 28, 28), torch.randint(0, 10, (40,))
    copies = same_start(["batch", "mini-batch"])
    whole = copies["mini-batch"]  # the same weights, one step on all 40 at once
    optimiser = torch.optim.SGD(whole.parameters(), lr=0.5)
    F.cross_entropy(whole(inputs), labels).backward()
    optimiser.step()
    run = MethodRun("batch", copies["batch"], torch.optim.SGD(copies["batch"].parameters(), lr=0.5))
    for start in range(0, 40, 16):  # stretches of 16, 16 and 8
        train_on_stretch(run, inputs[start : start + 16], labels[start : start + 16], total=40)
    assert run.updates == 0  # nothing moves before the whole set is in
    finish_epoch(run)
    assert run.updates == 1
    for ours, theirs in zip(copies["batch"].parameters(), whole.parameters(), strict=True):
        torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-6)


def test_the_three_ways_train_side_by_side_from_the_same_weights(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"batch_size": 1000, "epochs": 1}, data_dir=data_dir, max_steps=3)
    events = list(job.stream())
    assert job.state == "finished", job.message
    metrics = job.result.metrics
    # Three stretches of 1,000 digits: batch GD still summing, one update per stretch, one per digit.
    assert metrics["updates"] == {"batch": 0, "mini-batch": 3, "stochastic": 3000}
    curves = metrics["curves"]
    starts = {curves[way]["loss"][0] for way in METHODS}
    assert len(starts) == 1, "the copies did not start from the same weights"
    assert curves["stochastic"]["loss"][-1] < curves["mini-batch"]["loss"][-1] < curves["batch"]["loss"][-1]
    assert metrics["heldout_accuracy"]["stochastic"] > 0.7
    progress = [e for e in events if isinstance(e, Progress)]
    assert {"batch_loss", "stochastic_updates", "mini-batch_seconds", "stochastic_update_loss"} <= set(
        progress[-1].metrics
    )
    assert sum(isinstance(e, EpochEnd) for e in events) == 1

    history = TrainingHistory()
    history.extend(events)
    epochs, updates, seconds, accuracy = training_figures(history)
    assert [trace.name for trace in epochs.data] == ["Batch GD", "Mini-batch GD", "Stochastic GD"]
    mini_batch = next(trace for trace in updates.data if trace.name == "Mini-batch GD")
    assert list(mini_batch.x) == [1, 2, 3]  # a point per update, not per measurement
    assert "seconds" in seconds.layout.xaxis.title.text
    assert "Stochastic GD (epoch end)" in {trace.name for trace in accuracy.data}

    reloaded = LAB.load(job.checkpoint_dir)
    figures = LAB.evaluate(reloaded, data_dir)["methods"]
    assert figures["stochastic"]["heldout_accuracy"] == pytest.approx(
        metrics["heldout_accuracy"]["stochastic"]
    )
    shown = LAB.interaction("curves")(reloaded)
    assert [row["updates"] for row in shown["table"]] == [0, 3, 3000]


def test_a_learning_rate_that_diverges_stops_with_a_message(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    settings = {"methods": "mini-batch", "learning_rate": 10.0, "momentum": 0.9}
    job = runner.submit(LAB, settings, data_dir=data_dir, max_steps=100)
    job.wait()
    assert job.state == "stopped" and "learning rate is too high" in job.message


# --- the bundled copies --------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


def test_the_bundled_curves_tell_three_stories(bundled):
    result = LAB.interaction("curves")(bundled)
    table = {row["way"]: row for row in result["table"]}
    assert table["Batch GD"]["updates"] == bundled.config["params"]["epochs"]
    assert table["Stochastic GD"]["updates"] == 12_000 * bundled.config["params"]["epochs"]
    # Per epoch stochastic GD is ahead, but its 12,000 updates an epoch cost it the most seconds.
    curves = bundled.metrics["curves"]
    assert curves["stochastic"]["loss"][-1] < curves["mini-batch"]["loss"][-1] < curves["batch"]["loss"][-1]
    seconds = bundled.metrics["method_seconds"]
    assert seconds["stochastic"] > 5 * seconds["mini-batch"]
    assert "same weights" in result["note"]


def test_the_gradient_noise_shrinks_as_the_batch_grows(bundled):
    noise = LAB.interaction("noise")
    small = noise(bundled, {"batch_size": 2})
    large = noise(bundled, {"batch_size": 512})
    spread = [float(torch.tensor(result["cloud"].data[0].y).std()) for result in (small, large)]
    assert spread[0] > 4 * spread[1]
    (measured, _) = large["shrink"].data
    assert measured.y[0] > 5 * measured.y[-1]  # b = 1 against b = 1024
    assert "digits per batch" in small["summary"] and "1/√b" in small["summary"]
    with pytest.raises(SpecError, match="Batch size"):
        noise(bundled, {"batch_size": 0})


# --- command line --------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_curves_noise_and_bad_settings(capsys, data_dir):
    code, out, _ = run(capsys, "gradient-descent", "curves", "--json")
    assert code == 0 and json.loads(out)["table"][0]["way"] == "Batch GD"
    code, out, _ = run(capsys, "gradient-descent", "noise", "--batch-size", "4", "--json")
    assert code == 0 and "4** digits per batch" in json.loads(out)["summary"]
    code, _, err = run(capsys, "train", "gradient-descent", "--set", "batch_size=1")
    assert code == 2 and "out of range" in err
    code, out, _ = run(capsys, "evaluate", "gradient-descent", "--data-dir", data_dir, "--json")
    assert code == 0 and list(json.loads(out)["methods"]) == list(METHODS)
