"""The batch-norm lab: the augmentation moves and mirrors each picture as it says, on the whole
batch; the four copies start from the same weights (batch norm as the identity); a short
training side by side records the curves, each layer's activations and the learning-rate sweep;
a copy that blows up stops alone with its good weights back; the CLI."""

from __future__ import annotations

import json

import pytest
import torch

from core.cli import main
from core.history import TrainingHistory
from core.labs.batch_norm.augment import augment, describe
from core.labs.batch_norm.lab import training_figures
from core.labs.batch_norm.model import LAYERS, same_start
from core.labs.batch_norm.spec import COMBINATIONS
from core.labs.batch_norm.train import CopyRun, train_step
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("batch-norm")


def test_each_picture_moves_and_mirrors_as_its_record_says():
    pictures = torch.zeros(64, 28, 28)
    pictures[:, 5, 3] = 1.0  # one bright pixel, row 5, column 3
    result = augment(pictures, flip=True, shift=3, generator=torch.Generator().manual_seed(0))
    for i in range(64):
        down, right = result.offsets[i].tolist()
        column = 27 - 3 if result.flipped[i] else 3
        assert result.images[i, 5 + down, column + right] == 1.0
        assert result.images[i].sum() == 1.0  # moved, not smeared
    assert 10 < int(result.flipped.sum()) < 54  # about half mirrored
    assert set(result.offsets.flatten().tolist()) == set(range(-3, 4))
    again = augment(pictures, flip=True, shift=3, generator=torch.Generator().manual_seed(0))
    assert torch.equal(again.images, result.images)  # a seed gives the same draw
    assert describe(True, (1, -2)) == "mirrored, 1 px down, 2 px left"
    assert describe(False, (0, 0)) == "unchanged"
    plain = augment(pictures, flip=False, shift=0, generator=torch.Generator().manual_seed(0))
    assert torch.equal(plain.images, pictures)


def test_every_copy_starts_from_the_same_weights():
    torch.manual_seed(0)
    copies = same_start(list(COMBINATIONS), width=8)
    plain, normed = copies["plain"].state_dict(), copies["both"].state_dict()
    for name, value in plain.items():
        assert torch.equal(value, normed[name]), name
    assert torch.equal(copies["bn"].bn1.weight, torch.ones(8)) and not copies["plain"].batch_norm
    pictures = torch.rand(32, 28, 28)
    record: dict = {}
    copies["bn"].train()(pictures, record)
    for layer in LAYERS:  # batch norm at the start: mean 0 and spread 1 entering every ReLU
        assert abs(float(record[layer].mean())) < 1e-4
        assert float(record[layer].std()) == pytest.approx(1.0, abs=0.02)


def test_a_copy_that_blows_up_stops_alone_with_its_good_weights_back():
    torch.manual_seed(0)
    model = same_start(["plain"], width=4)["plain"]
    good = [p.detach().clone() for p in model.parameters()]
    run = CopyRun("plain", model, torch.optim.SGD(model.parameters(), lr=0.1), False, good)
    inputs, labels = torch.rand(8, 28, 28), torch.randint(0, 10, (8,))
    assert train_step(run, inputs, labels, 1, None) is not None  # finite: these weights were good
    kept = [p.detach().clone() for p in good]
    with torch.no_grad():
        model.fc2.bias.fill_(float("nan"))  # what step 1's update might have left behind
    assert train_step(run, inputs, labels, 2, None) is None
    assert run.diverged_at == 2
    for parameter, before in zip(model.parameters(), kept, strict=True):
        assert torch.equal(parameter, before)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Four copies, four steps of 64 pictures after a two-step sweep (module-wide: one training)."""
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path_factory.mktemp("runs"))
    settings = {"epochs": 1, "batch_size": 64, "width": 8, "sweep_steps": 2}
    settings |= {"train_pictures": 1000, "test_pictures": 500}
    job = runner.submit(LAB, settings, max_steps=4)
    events = list(job.stream())
    assert job.state == "finished", job.message
    return job, events


def test_the_four_copies_train_side_by_side(trained):
    job, events = trained
    metrics = job.result.metrics
    assert metrics["combinations"] == list(COMBINATIONS) and metrics["steps"] == 4
    curves = metrics["curves"]
    # The first check is at step 1: every batch-norm copy enters its ReLUs at spread 1.
    for name in ("bn", "both"):
        assert curves[name]["activations"]["conv2"]["std"][0] == pytest.approx(1.0, abs=0.02)
    assert curves["plain"]["activations"]["conv2"]["std"][0] != pytest.approx(1.0, abs=0.02)
    assert set(metrics["combination_seconds"]) == set(COMBINATIONS)
    sweep = metrics["sweep"]
    assert sweep["steps"] == 2 and set(sweep["results"]) == {"plain", "bn"}
    assert sweep["results"]["plain"][0]["rate"] == 0.03

    history = TrainingHistory()
    history.extend(events)
    loss, accuracy, spread = training_figures(history)
    assert "Batch norm + augmentation" in {trace.name for trace in loss.data}
    assert "Plain (epoch end)" in {trace.name for trace in accuracy.data}
    assert "Batch norm, conv 2" in {trace.name for trace in spread.data}

    reloaded = LAB.load(job.checkpoint_dir)
    figures = LAB.evaluate(reloaded)["combinations"]
    assert figures["both"]["heldout_accuracy"] == pytest.approx(metrics["heldout_accuracy"]["both"])
    shown = LAB.interaction("curves")(reloaded)
    assert [row["combination"] for row in shown["table"]] == [
        "Plain",
        "Batch norm",
        "Augmentation",
        "Batch norm + augmentation",
    ]
    rates = LAB.interaction("stable-rates")(reloaded)
    assert "Largest stable rate: plain" in rates["summary"] and "2 steps at each rate" in rates["summary"]
    layers = LAB.interaction("activations")(reloaded)
    assert len(layers["table"]) == 4 * len(LAYERS)
    assert "Fashion-MNIST test accuracy Plain" in LAB.headline(metrics)


def test_augmented_pictures_show_the_models_own_transforms(trained):
    job, _ = trained
    model = LAB.load(job.checkpoint_dir)
    first = LAB.interaction("augmented")(model, {"seed": 1})
    assert len(first["pictures"]) == 16 and "`shift=2`" in first["note"] and "½" in first["note"]
    other = LAB.interaction("augmented")(model, {"seed": 2})
    assert [caption for _, caption in first["pictures"]] != [caption for _, caption in other["pictures"]]


def test_a_model_without_the_sweep_says_how_to_get_one(trained):
    job, _ = trained
    model = LAB.load(job.checkpoint_dir)
    model.metrics = dict(model.metrics, sweep=None)
    with pytest.raises(SpecError, match="sweep_steps=0"):
        LAB.interaction("stable-rates")(model)


def test_no_combination_cannot_train():
    with pytest.raises(SpecError):
        LAB.spec.validate({"combinations": []})


def test_the_cli_shows_the_augmented_pictures(trained, capsys):
    job, _ = trained
    code = main(["batch-norm", "augmented", "--checkpoint", str(job.checkpoint_dir), "--seed", "5", "--json"])
    assert code == 0
    answer = json.loads(capsys.readouterr().out)
    assert len(answer["pictures"]) == 16
