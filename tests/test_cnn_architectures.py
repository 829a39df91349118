"""The cnn-architectures lab: the networks and their costs, the frozen pretrained trunk (not in
the checkpoint), the time-shared training through the runner, the skip-connection experiment,
the interactions on the bundled networks, their bad input and the CLI."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

from core.checkpoints import read_checkpoint
from core.cli import main
from core.events import EpochEnd, Progress, Samples
from core.history import TrainingHistory
from core.labs.cnn_architectures.model import (
    DeepNet,
    FineTunedEfficientNet,
    SimpleCNN,
    SmallResNet,
    SmallVGG,
    multiply_adds,
    parameter_count,
)
from core.labs.cnn_architectures.spec import ARCHITECTURES
from core.labs.cnn_architectures.train import (
    NetworkRun,
    build_pretrained,
    comparison_figures,
    deep_experiment,
    pretrained_inputs,
    to_split,
)
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("cnn-architectures")


# --- the networks ------------------------------------------------------------------------------


@pytest.mark.parametrize("network", [SimpleCNN, SmallVGG, SmallResNet])
def test_each_small_network_reads_28x28_pictures_into_ten_logits(network):
    model = network(8).eval()
    pictures = torch.rand(3, 1, 28, 28)
    assert model(pictures).shape == (3, 10)
    assert torch.allclose(model(pictures[:, 0]), model(pictures))  # (N, 28, 28) works too


def test_costs_grow_as_the_course_says_and_are_counted_not_guessed():
    simple, vgg, resnet = SimpleCNN(16), SmallVGG(16), SmallResNet(16)
    # One convolution per stage, then two per stage, then two residual blocks per stage.
    assert multiply_adds(simple) < multiply_adds(vgg) < multiply_adds(resnet)
    # The simple CNN's first convolution alone: 16 filters of 3x3 at each of 28x28 places.
    assert multiply_adds(torch.nn.Sequential(simple.features[0])) == 16 * 9 * 28 * 28
    assert parameter_count(simple) == sum(p.numel() for p in simple.parameters())


@pytest.fixture(scope="module")
def pretrained():
    return build_pretrained()  # loading ImageNet's weights takes seconds: once for the file


def test_the_pretrained_network_saves_only_what_it_trains(pretrained):
    model = pretrained
    saved = model.state_dict()
    assert not any(key.startswith(("conv_stem", "bn1.", "blocks", "trunk")) for key in saved)
    assert {key.split(".")[0] for key in saved} == {"last_block", "conv_head", "bn2", "classifier"}
    assert all(not p.requires_grad for p in model.trunk.parameters())
    assert parameter_count(model) == sum(
        v.numel() for k, v in saved.items() if "running" not in k and "num_batches" not in k
    )
    model.train()
    assert not model.trunk.training  # its batch norms keep ImageNet's statistics
    pictures = torch.rand(2, 1, 28, 28)
    assert FineTunedEfficientNet.prepare(pictures).shape == (2, 3, 96, 96)
    assert model.eval()(pictures).shape == (2, 10)


def test_the_frozen_trunk_runs_once_per_picture(pretrained):
    model = pretrained
    images = torch.rand(6, 1, 28, 28)
    run = NetworkRun("efficientnet", model, torch.optim.Adam(model.parameters()), 6, torch.Generator())
    first = pretrained_inputs(run, images, torch.tensor([0, 1, 2]))
    spent = run.trunk_seconds
    again = pretrained_inputs(run, images, torch.tensor([2, 1, 0]))
    assert run.trunk_seconds == spent  # nothing recomputed
    assert torch.equal(again, first.flip(0)) and run.cached.tolist() == [True] * 3 + [False] * 3
    assert torch.allclose(first, model.trunk_features(images[:3]), atol=1e-5)


# --- training ----------------------------------------------------------------------------------


def test_the_networks_share_the_seconds_and_save_under_their_own_prefixes(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    settings = {
        "models": "simple,resnet",
        "width": 8,
        "seconds": 600,
        "train_images": 500,
        "test_images": 200,
        "deep_layers": 0,
    }
    job = runner.submit(LAB, settings, data_dir=data_dir, max_steps=12)
    events = list(job.stream())
    assert job.state == "finished", job.message
    progress = [e for e in events if isinstance(e, Progress)]
    assert len(progress) == 12 and all("loss" in p.metrics for p in progress)
    # Time-sharing: the network that has had the least time steps next, so both step.
    metrics = job.result.metrics
    assert (
        all(n > 0 for n in metrics["steps_per_model"].values())
        and sum(metrics["steps_per_model"].values()) == 12
    )
    assert abs(metrics["model_seconds"]["simple"] - metrics["model_seconds"]["resnet"]) < max(
        metrics["model_seconds"].values()
    )
    (check,) = [e for e in events if isinstance(e, EpochEnd)]  # stopped: one last check
    assert {"heldout_simple_accuracy", "heldout_resnet_accuracy", "resnet_seconds"} <= set(check.metrics)
    (samples,) = [e for e in events if isinstance(e, Samples)]
    assert samples.images.shape == (12, 28, 28) and "resnet" in samples.captions[0]
    assert metrics["heldout_size"] == 200 and metrics["deep"] is None
    assert metrics["multiply_adds"]["resnet"] > metrics["multiply_adds"]["simple"]
    keys = read_checkpoint(job.checkpoint_dir).state_dict
    assert {key.split(".")[0] for key in keys} == {"simple", "resnet"}
    reloaded = LAB.load(job.checkpoint_dir)
    figures = LAB.evaluate(reloaded, data_dir)["models"]
    assert figures["simple"]["heldout_accuracy"] == pytest.approx(metrics["heldout_accuracy"]["simple"])

    history = TrainingHistory()
    history.extend(events)
    accuracy, loss = comparison_figures(history)
    assert {"Simple CNN (epoch end)", "Small ResNet (epoch end)"} <= {t.name for t in accuracy.data}
    assert {"Simple CNN", "Small ResNet"} <= {t.name for t in loss.data}
    with pytest.raises(SpecError, match="without the skip-connection experiment"):
        LAB.interaction("deep")(reloaded)


class FakeContext:
    seed = 0

    def should_stop(self) -> bool:
        return False


def test_the_deep_experiment_trains_both_nets_from_every_seed_on_the_same_batches():
    from core.data import load_images

    data = load_images("fashion-mnist")
    split = to_split(data.train_images[:256], data.train_labels[:256], torch.device("cpu"))
    runner = deep_experiment(12, 2, 5, split, FakeContext(), 0)
    events = []
    try:
        while True:
            events.append(next(runner))
    except StopIteration as done:
        results = done.value
    assert len(events) == 2 * 2 * 5 and events[-1].step == 20
    assert [len(runs) for runs in results["losses"].values()] == [2, 2]
    plain, residual = (np.mean(results["gradient_norms"][k], axis=0) for k in ("plain", "residual"))
    assert len(plain) == 12
    # Without skips the gradient fades towards the input; with them it does not.
    assert plain[0] < plain[-1] / 100 and residual[0] > residual[-1] / 10


def test_the_skip_is_the_only_difference_between_the_deep_nets():
    torch.manual_seed(0)
    plain = DeepNet(5, 8, skip=False)
    torch.manual_seed(0)
    residual = DeepNet(5, 8, skip=True)
    for (name, a), (_, b) in zip(plain.state_dict().items(), residual.state_dict().items(), strict=True):
        assert torch.equal(a, b), name


# --- the bundled networks ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


def test_the_bundled_networks_were_all_trained_with_the_experiment(bundled):
    metrics = bundled.metrics
    assert list(bundled.model) == list(ARCHITECTURES)
    assert all(a > 0.5 for a in metrics["heldout_accuracy"].values()), metrics["heldout_accuracy"]
    deep = metrics["deep"]
    # Every seed: the plain deep net stays near a guess, the residual one learns.
    assert max(deep["final_loss"]["residual"]) < min(deep["final_loss"]["plain"])


def test_the_comparison_and_the_experiment_read_the_training(bundled):
    result = LAB.interaction("compare")(bundled)
    assert [row["network"] for row in result["table"]][:3] == ["Simple CNN", "Small VGG", "Small ResNet"]
    assert "FlopCounterMode" in result["note"] and "frozen" in result["note"]
    assert len(result["chart"].data) == 4
    deep = LAB.interaction("deep")(bundled)
    assert len(deep["curves"].data) == 2 * bundled.config["params"]["deep_seeds"]
    assert "ln 10" in deep["summary"]
    without_figures = dataclasses.replace(bundled, metrics={})  # a folder without metrics.json
    with pytest.raises(SpecError, match="came without its training figures"):
        LAB.interaction("compare")(without_figures)
    assert (
        LAB.headline({"heldout_accuracy": {"simple": 0.5}})
        == "test accuracy after ? s each: Simple CNN 50.0%"
    )


def test_a_test_picture_is_classified_by_every_network_and_a_missing_one_refused(bundled):
    result = LAB.interaction("classify")(bundled, {"index": 0})
    assert "Ankle boot" in result["answers"] and result["picture"].shape == (28, 28)
    assert sum(result[name].label == "Ankle boot" for name in ARCHITECTURES) >= 3
    with pytest.raises(SpecError, match="Test picture 12000 does not exist: pick a number from 0 to 9999"):
        LAB.interaction("classify")(bundled, {"index": 12000})


def test_gradients_need_no_model_and_refuse_a_depth_out_of_range():
    result = LAB.interaction("gradients")(None, {"depth": 20, "seed": 1})
    plain, residual = (trace.y for trace in result["chart"].data)
    assert len(plain) == 20 and plain[0] < plain[-1] / 1000 and residual[0] > residual[-1] / 10
    with pytest.raises(SpecError, match="Layers"):
        LAB.interaction("gradients")(None, {"depth": 500, "seed": 1})


def test_settings_are_checked():
    with pytest.raises(SpecError, match="pick at least one"):
        LAB.spec.validate({"models": []})
    with pytest.raises(SpecError, match="'alexnet' not among"):
        LAB.spec.validate({"models": "simple,alexnet"})


# --- command line ------------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_compares_classifies_and_refuses(capsys):
    code, out, _ = run(capsys, "cnn-architectures", "compare", "--json")
    assert code == 0 and len(json.loads(out)["table"]) == 4
    code, out, _ = run(capsys, "cnn-architectures", "classify", "--index", "0", "--json")
    assert code == 0 and json.loads(out)["resnet"]["prediction"] == "Ankle boot"
    code, _, err = run(capsys, "cnn-architectures", "classify", "--index", "20000")
    assert code == 2 and "Test picture 20000 does not exist" in err
    code, out, _ = run(capsys, "cnn-architectures", "gradients", "--depth", "8")
    assert code == 0 and "without skips" in out
    code, _, err = run(capsys, "train", "cnn-architectures", "--set", "models=alexnet")
    assert code == 2 and "'alexnet' not among" in err
