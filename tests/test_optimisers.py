"""The optimisers lab: the 2-D paths follow torch.optim's own update rules, a learning rate too
large shows as a divergence (never a traceback), a start off the plot is refused; the network's
copies start from the same weights and train side by side through the runner, one diverging
alone; the bundled copies, their curves and the CLI (`python -m core optimisers ...`)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core.cli import main
from core.events import EpochEnd, Progress
from core.history import TrainingHistory
from core.imaging import example_digit
from core.labs.optimisers.lab import training_figures
from core.labs.optimisers.model import same_start
from core.labs.optimisers.paths import descend, descend_all, steps_to_reach
from core.labs.optimisers.spec import OPTIMISERS
from core.labs.optimisers.surfaces import SURFACES
from core.labs.optimisers.updates import Rates, torch_optimiser
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("optimisers")
PATHS = LAB.interaction("paths")
RATES = Rates(sgd=0.1, adaptive=0.05, momentum=0.9, weight_decay=0.01)


# --- the 2-D paths ---------------------------------------------------------------------------


def torch_path(surface, name: str, rates: Rates, start, steps: int) -> np.ndarray:
    """The same walk with torch.optim's own optimiser on a float64 tensor of two numbers."""
    point = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimiser = torch_optimiser(name, [point], rates)
    points = [point.detach().clone()]
    for _ in range(steps):
        optimiser.zero_grad()
        surface.loss(point[0], point[1]).backward()
        optimiser.step()
        points.append(point.detach().clone())
    return torch.stack(points).numpy()


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("name", OPTIMISERS)
def test_the_paths_follow_torch_optims_own_rules(surface, name):
    """The plane rules against torch.optim (autograd's gradient, not the written-out one), with
    settings other than the defaults so that every term counts."""
    rates = Rates(sgd=0.03, adaptive=0.02, momentum=0.8, weight_decay=0.05)
    ours = descend(SURFACES[surface], name, rates, SURFACES[surface].start, 300)
    theirs = torch_path(SURFACES[surface], name, rates, SURFACES[surface].start, 300)
    assert ours.diverged_at is None
    np.testing.assert_allclose(ours.points, theirs, rtol=1e-7, atol=1e-9)


def test_momentum_without_momentum_is_sgd_and_adamw_without_decay_is_adam():
    surface = SURFACES["ravine"]
    still = Rates(sgd=0.1, adaptive=0.05, momentum=0.0, weight_decay=0.0)
    sgd, momentum, nesterov, adam, adamw = (
        descend(surface, name, still, surface.start, 50).points
        for name in ("sgd", "momentum", "nesterov", "adam", "adamw")
    )
    assert np.array_equal(sgd, momentum) and np.array_equal(sgd, nesterov)
    assert np.array_equal(adam, adamw)


def test_in_the_ravine_momentum_reaches_the_floor_first_and_sgd_crawls():
    surface = SURFACES["ravine"]
    reached = {
        p.name: steps_to_reach(p, surface)
        for p in descend_all(surface, list(OPTIMISERS), RATES, surface.start, 500)
    }
    assert reached["sgd"] is None  # along the floor the slope is x/10: 500 steps are not enough
    assert reached["momentum"] < 200 and reached["nesterov"] < reached["momentum"]


def test_on_the_saddles_ridge_the_gradient_never_leaves_it():
    """Started exactly on the ridge y = 0, every path goes to the saddle point, not a minimum."""
    result = PATHS(None, {"surface": "saddle", "own_start": True, "start_x": -1.5, "start_y": 0.0})
    for row in result["table"]:
        assert row["final y"] == 0.0 and abs(row["final x"]) < 0.05, row
        assert row["steps to the minimum"] is None


def test_a_learning_rate_too_large_diverges_visibly_not_with_a_traceback():
    result = PATHS(None, {"surface": "rosenbrock", "sgd_learning_rate": 2.0})
    rows = {row["optimiser"]: row for row in result["table"]}
    for name in ("SGD", "SGD + momentum", "Nesterov"):
        assert rows[name]["what happened"].startswith("diverged at step"), rows[name]
    assert "diverged" not in rows["Adam"]["what happened"]
    assert (
        "**SGD diverged** at step" in result["summary"] and "lower the SGD learning rate" in result["summary"]
    )
    figure = result["paths"]
    assert list(figure.layout.xaxis.range) == [-2.0, 2.0]  # the plot stays on the surface's box
    assert all(np.isfinite(np.asarray(trace.x, dtype=float)).all() for trace in figure.data[1:])


def test_a_start_off_the_plot_is_refused_with_the_plots_box():
    with pytest.raises(
        SpecError, match=r"Start \(6.5, 0\) is off the plot of the ravine: pick a point with x from -6"
    ):
        PATHS(None, {"surface": "ravine", "own_start": True, "start_x": 6.5, "start_y": 0})
    with pytest.raises(SpecError, match="Start x"):
        PATHS(None, {"own_start": True, "start_x": "left"})
    with pytest.raises(SpecError, match="pick at least one"):
        PATHS(None, {"optimisers": []})
    # Off the plot but not asked for: the surface's own start is used.
    assert PATHS(None, {"start_x": 99})["table"][0]["final x"] is not None


def test_the_slider_moves_each_optimisers_marker_along_its_path():
    result = PATHS(None, {"surface": "ravine", "optimisers": ["sgd", "adam"], "steps": 100})
    figure = result["paths"]
    (slider,) = figure.layout.sliders
    stops = slider.steps
    assert [stop.label for stop in stops[:3]] == ["0", "2", "4"] and stops[-1].label == "100"
    paths = {trace.name: trace for trace in figure.data if trace.name in ("SGD", "Adam")}
    changes, markers = stops[10].args
    assert len(markers) == 2 and all(figure.data[i].mode == "markers" for i in markers)
    assert changes["x"][0] == [paths["SGD"].x[20]] and changes["y"][1] == [paths["Adam"].y[20]]
    assert len(result["losses"].data) == 2


# --- the network ---------------------------------------------------------------------------


def test_every_copy_starts_from_the_same_weights():
    torch.manual_seed(3)
    copies = same_start(list(OPTIMISERS))
    first = copies["sgd"].state_dict()
    for name in OPTIMISERS[1:]:
        state = copies[name].state_dict()
        assert all(torch.equal(first[key], state[key]) for key in first)
        assert all(
            a.data_ptr() != b.data_ptr()
            for a, b in zip(copies["sgd"].parameters(), copies[name].parameters(), strict=True)
        )


def test_the_copies_train_side_by_side_and_one_diverges_alone(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    settings = {"optimisers": "sgd,momentum,adam", "epochs": 1, "sgd_learning_rate": 8.0}
    job = runner.submit(LAB, settings, data_dir=data_dir, max_steps=30)
    events = list(job.stream())
    assert job.state == "finished", job.message
    progress = [e for e in events if isinstance(e, Progress)]
    # The first step's loss is measured before any update: equal weights give equal losses.
    first = progress[0].metrics
    assert first["sgd_loss"] == first["momentum_loss"] == first["adam_loss"]
    metrics = job.result.metrics
    assert metrics["diverged_at"]["sgd"] is not None and metrics["diverged_at"]["adam"] is None
    assert "sgd_loss" not in progress[-1].metrics and "adam_loss" in progress[-1].metrics
    assert metrics["heldout_accuracy"]["adam"] > 0.7
    (epoch,) = [e for e in events if isinstance(e, EpochEnd)]
    assert {"heldout_sgd_accuracy", "heldout_adam_loss", "train_adam_loss"} <= set(epoch.metrics)
    reloaded = LAB.load(job.checkpoint_dir)  # the diverged copy kept its last good, finite weights
    assert all(torch.isfinite(p).all() for p in reloaded.model.parameters())
    assert LAB.evaluate(reloaded, data_dir)["optimisers"]["adam"]["heldout_accuracy"] == pytest.approx(
        metrics["heldout_accuracy"]["adam"]
    )
    curves = LAB.interaction("curves")(reloaded)
    assert "Diverged (a learning rate too large for it" in curves["note"] and "SGD at step" in curves["note"]

    history = TrainingHistory()
    history.extend(events)
    loss, accuracy = training_figures(history)
    names = {trace.name for trace in loss.data}
    assert {"SGD", "Adam"} <= names and any(name.startswith("SGD diverged (step") for name in names)
    assert "Adam (epoch end)" in {trace.name for trace in accuracy.data}


def test_when_every_copy_diverges_the_training_stops_with_the_runners_message(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(
        LAB, {"optimisers": "sgd", "sgd_learning_rate": 10.0}, data_dir=data_dir, max_steps=50
    )
    job.wait()
    assert job.state == "stopped" and "learning rate is too high" in job.message


# --- the bundled copies --------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


def test_the_bundled_copies_and_their_curves(bundled):
    assert list(bundled.model) == list(OPTIMISERS)
    result = LAB.interaction("curves")(bundled)
    assert [trace.name for trace in result["loss"].data] == [
        "SGD",
        "SGD + momentum",
        "Nesterov",
        "RMSProp",
        "Adam",
        "AdamW",
    ]
    assert len(result["accuracy"].data[0].y) == bundled.config["params"]["epochs"]
    table = {row["optimiser"]: row for row in result["table"]}
    assert table["Adam"]["held-out accuracy (%)"] == round(
        100 * bundled.metrics["heldout_accuracy"]["adam"], 2
    )
    assert "same weights" in result["note"]
    assert LAB.headline(bundled.metrics).startswith("held-out accuracy SGD ")


def test_a_drawn_digit_is_read_by_every_copy(bundled):
    result = LAB.interaction("read")(bundled, {"image": example_digit()})
    assert result["answers"].count("**7**") >= 5
    assert result["probabilities"].values.shape == (6, 10)


# --- command line --------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_paths_and_its_bad_input(capsys):
    code, out, _ = run(capsys, "optimisers", "paths", "--surface", "saddle", "--steps", "80", "--json")
    result = json.loads(out)
    assert code == 0 and len(result["table"]) == 6 and result["table"][0]["optimiser"] == "SGD"
    code, out, _ = run(capsys, "optimisers", "paths", "--own-start", "--start-x", "3", "--start-y", "0")
    assert code == 0 and "Ravine" in out
    code, _, err = run(capsys, "optimisers", "paths", "--surface", "saddle", "--own-start", "--start-x", "3")
    assert code == 2 and "off the plot of the saddle" in err
    code, _, err = run(capsys, "train", "optimisers", "--set", "optimisers=sgd,lion")
    assert code == 2 and "'lion' not among" in err


def test_cli_evaluate_reproduces_the_bundled_figures(capsys, bundled, data_dir):
    code, out, _ = run(capsys, "evaluate", "optimisers", "--data-dir", data_dir, "--json")
    result = json.loads(out)
    assert code == 0 and result["heldout_size"] == 3604 and list(result["optimisers"]) == list(OPTIMISERS)
    recorded = bundled.metrics["heldout_accuracy"]
    assert {name: f["heldout_accuracy"] for name, f in result["optimisers"].items()} == recorded
