"""The imbalanced data lab: its data, split and imbalance control, what each method trains on,
the figures, a training through the runner, the bundled models' held-out figures beside the
baselines, every interaction and its bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, roc_auc_score
from tampering import check_tampered_config

from core import checkpoints, tables
from core.cli import main
from core.data import DataUnavailableError
from core.history import TrainingHistory
from core.labs.base import TrainedModel
from core.labs.imbalanced import data as credit
from core.labs.imbalanced import train as training
from core.labs.imbalanced.model import DefaultModels
from core.labs.imbalanced.spec import METHODS
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("imbalanced")
DEFAULT = "Credit card defaults (ISLR::Default, GPL-2 (ISLR)), 8,000 train / 2,000 held-out (split seed 2024)"


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


@pytest.fixture(scope="module")
def rarer():
    return LAB.load_bundled({"defaults_kept": 0.25})


@pytest.fixture(scope="module")
def data():
    return credit.credit_data(1.0, 0)


def run(trained, name, **inputs):
    return LAB.interaction(name)(trained, inputs)


# --- data, split and the imbalance control --------------------------------------------------


def test_the_split_is_stratified_and_the_scaling_fitted_on_training_only(data):
    assert len(data.y_train) == 8000 and len(data.y_heldout) == 2000
    assert data.y_train.sum() == 266 and data.y_heldout.sum() == 67  # 3.3% in both parts
    assert data.scaling.balance_mean == pytest.approx(data.train_customers["balance"].mean())
    assert data.scaling.balance_mean != pytest.approx(data.table.frame["balance"].mean(), abs=1e-6)
    assert data.x_train[:, 0].mean() == pytest.approx(0, abs=1e-5)
    assert data.x_train[:, 1].std(ddof=1) == pytest.approx(1, abs=1e-4)
    assert set(np.unique(data.x_train[:, 2])) == {0.0, 1.0}
    assert data.x_train.dtype == np.float32 and data.x_train.shape == (8000, 3)
    assert np.intersect1d(data.split.train, data.split.heldout).size == 0


def test_the_imbalance_control_drops_training_defaulters_only(data):
    fewer = credit.credit_data(0.25, 0)
    assert fewer.y_train.sum() == round(266 * 0.25) and len(fewer.y_train) == 8000 - 200
    assert len(fewer.removed) == 200 and (data.y_train[fewer.removed] == 1).all()
    assert np.array_equal(fewer.x_heldout[:, 2], data.x_heldout[:, 2])  # held-out customers untouched
    assert np.array_equal(fewer.y_heldout, data.y_heldout)
    assert np.array_equal(credit.credit_data(0.25, 0).removed, fewer.removed)  # by seed
    assert not np.array_equal(credit.credit_data(0.25, 1).removed, fewer.removed)
    assert credit.credit_data(0.02, 0).y_train.sum() == 5


def test_the_scaling_round_trips_and_refuses_junk(data):
    again = credit.Scaling.from_dict(json.loads(json.dumps(data.scaling.to_dict())))
    assert np.array_equal(again.features(data.heldout_customers), data.x_heldout)
    with pytest.raises(ValueError, match="standard deviations"):
        credit.Scaling.from_dict(data.scaling.to_dict() | {"income_std": 0.0})
    with pytest.raises(ValueError, match="finite number"):
        credit.Scaling.from_dict(data.scaling.to_dict() | {"balance_mean": "lots"})


def test_each_method_trains_on_its_own_set(data):
    x, y = data.x_train, data.y_train
    plain = credit.training_set("plain", x, y, 0)
    assert plain.counts() == {"rows": 8000, "defaulters": 266, "payers": 7734}
    weights = credit.training_set("weights", x, y, 0).class_weights
    assert weights == pytest.approx([8000 / (2 * 7734), 8000 / (2 * 266)])  # scikit-learn's "balanced"
    under = credit.training_set("under", x, y, 0)
    assert under.counts() == {"rows": 532, "defaulters": 266, "payers": 266}
    over = credit.training_set("over", x, y, 0)
    assert over.counts() == {"rows": 15468, "defaulters": 7734, "payers": 7734}
    # Oversampling repeats real defaulters; SMOTE makes new ones between them.
    real = {tuple(row) for row in x[y == 1]}
    assert {tuple(row) for row in over.x[over.y == 1]} == real
    smote = credit.training_set("smote", x, y, 0)
    assert smote.synthetic == 7734 - 266 and smote.counts()["defaulters"] == 7734
    made = smote.x[-smote.synthetic :]
    assert not {tuple(row) for row in made} <= real
    assert set(np.unique(made[:, 2])) <= {0.0, 1.0}  # the student flag is copied, not interpolated
    low, high = x[y == 1, :2].min(axis=0), x[y == 1, :2].max(axis=0)
    assert (made[:, :2] >= low - 1e-5).all() and (made[:, :2] <= high + 1e-5).all()


def test_classification_figures_are_scikit_learns():
    y = np.array([0, 0, 0, 0, 1, 1])
    p = np.array([0.1, 0.6, 0.2, 0.3, 0.9, 0.4])
    figures = training.classification_figures(y, p)
    assert (figures["tp"], figures["fp"], figures["fn"], figures["tn"]) == (1, 1, 1, 3)
    assert figures["precision"] == 0.5 and figures["recall"] == 0.5 and figures["accuracy"] == 0.6667
    assert figures["pr_auc"] == pytest.approx(average_precision_score(y, p), abs=1e-4)
    assert figures["roc_auc"] == pytest.approx(roc_auc_score(y, p), abs=1e-4)
    nobody = training.classification_figures(y, np.zeros(6))
    assert nobody["precision"] == 0 and nobody["recall"] == 0 and nobody["accuracy"] == 0.6667
    assert "pr_auc" not in training.classification_figures(y, p, 0.3, areas=False)


# --- settings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"methods": []}, "pick at least one of plain"),
        ({"methods": "plain,xgboost"}, "'xgboost' not among plain"),
        ({"defaults_kept": 0}, r"Defaulters kept in training: 0 is out of range \[0.02, 1\]"),
        ({"defaults_kept": 1.5}, "out of range"),
        ({"hidden_sizes": "wide"}, "'wide' is not a layer width"),
        ({"smote_neighbours": 0}, r"SMOTE neighbours \(k\): 0 is out of range \[1, 20\]"),
        ({"threshold": 0.3}, "unknown setting 'threshold'"),
    ],
)
def test_bad_settings_are_refused_with_a_message(settings, message):
    with pytest.raises(SpecError, match=message):
        LAB.spec.validate(settings)


def test_smote_with_more_neighbours_than_defaulters_is_refused_before_training():
    params = LAB.spec.validate({"defaults_kept": 0.02, "smote_neighbours": 5})
    with pytest.raises(SpecError, match="needs more than 5 training defaulters, and only 5 are kept"):
        LAB.check_params(params)
    LAB.check_params(LAB.spec.validate({"defaults_kept": 0.02, "smote_neighbours": 4}))
    LAB.check_params(LAB.spec.validate({"defaults_kept": 0.02, "methods": "plain,under"}))


def test_the_cli_refuses_bad_settings_and_inputs_in_one_line(capsys):
    assert main(["train", "imbalanced", "--set", "methods=gan"]) == 2
    assert "'gan' not among" in capsys.readouterr().err
    assert main(["train", "imbalanced", "--set", "defaults_kept=0.02", "--set", "smote_neighbours=9"]) == 2
    assert "lower k or keep more defaulters" in capsys.readouterr().err
    assert main(["imbalanced", "customer", "--balance", "5000"]) == 2
    assert "out of range [0, 3000]" in capsys.readouterr().err
    assert main(["imbalanced", "heldout", "--group", "defaulters", "--index", "67"]) == 2
    assert "there are 67 defaulters; pick a number from 0 to 66" in capsys.readouterr().err


def test_the_cli_answers_a_customer_as_json(capsys):
    assert main(["imbalanced", "customer", "--balance", "2200", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    said = {row["model"]: row["probability of default"] for row in answer["probabilities"]}
    assert list(said) == ["plain", "class weights", "undersampling", "oversampling", "SMOTE"]
    assert all(0 <= p <= 1 for p in said.values())


# --- training through the runner -----------------------------------------------------------


@pytest.mark.slow
def test_a_short_training_streams_every_model_and_saves_one_checkpoint(tmp_path):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"epochs": 2, "hidden_sizes": "8", "defaults_kept": 0.5}, max_steps=90)
    assert job.wait(180)
    assert job.state == "finished", job.message
    history = TrainingHistory()
    history.extend(job.events_since(0))
    for method in METHODS:
        assert history.steps[f"{method}_loss"], "every model's loss, every step"
        for name in training.FIGURES:
            assert 0 <= history.epochs[f"heldout_{method}_{name}"][-1][1] <= 1
    assert [epoch for epoch, _ in history.epochs["seconds"]] == [1, 2]  # 62 steps, then 28 of the next
    figures = LAB.training_figures(history)
    assert len(figures) == len(LAB.train_metrics) == 4 and all(figure.data for figure in figures)
    reloaded = LAB.load(job.checkpoint_dir)
    assert reloaded.metrics["stopped_by"] == "step limit" and reloaded.metrics["steps"] == 90
    assert reloaded.data_source == DEFAULT and set(reloaded.model.keys()) == set(METHODS)
    assert (
        reloaded.metrics["train_defaults"] == 133 and len(reloaded.config["imbalance"]["removed_rows"]) == 133
    )
    sets = reloaded.config["training_sets"]
    assert sets["under"]["rows"] == 266 and sets["smote"]["synthetic"] == 7734 - 133
    assert set(reloaded.metrics["baselines"]) == set(training.BASELINES)
    names = {path.name for path in job.checkpoint_dir.iterdir()}
    assert "model.safetensors" in names and not any(n.endswith((".pt", ".pkl", ".bin")) for n in names)


@pytest.mark.slow
def test_the_plain_model_learns_the_same_whichever_methods_train_beside_it(tmp_path):
    """Each method draws its own batches and all start from the same weights: adding methods
    changes nothing for the plain model."""
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    results = []
    for methods in ("plain", "plain,smote,under"):
        job = runner.submit(LAB, {"methods": methods, "hidden_sizes": "8"}, max_steps=30)
        assert job.wait(180) and job.state == "finished", job.message
        results.append(job.result.model)
    alone, beside = results
    for name, value in alone["plain"].state_dict().items():
        assert torch.equal(value, beside["plain"].state_dict()[name]), name
    assert set(beside.keys()) == {"plain", "smote", "under"}


# --- the bundled models --------------------------------------------------------------------


def test_the_bundled_models_say_what_they_learnt_from(bundled, rarer):
    for trained in (bundled, rarer):
        assert trained.origin == "bundled" and trained.data_source == DEFAULT
        assert list(trained.model.keys()) == list(METHODS)
        assert trained.config["data"]["source"]["licence"] == "GPL-2 (ISLR)"
    assert bundled.metrics["train_defaults"] == 266 and rarer.metrics["train_defaults"] == 66
    assert "25% of the training defaulters kept" in LAB.model_name(rarer)
    assert "recall / precision at 0.5: plain" in LAB.headline(bundled.metrics)


def test_at_least_one_method_catches_80_percent_of_the_defaulters_with_its_precision(bundled):
    metrics = bundled.metrics
    assert metrics["target_met"] is True
    caught = [m for m, f in metrics["heldout"].items() if f["recall"] >= 0.8]
    assert caught and all(metrics["meets_target_recall"][m] for m in caught)
    for method in caught:
        assert 0 < metrics["heldout"][method]["precision"] < 1  # reported beside it, as measured


def test_the_accuracy_trap_is_in_the_figures(bundled, rarer):
    nobody = bundled.metrics["baselines"]["nobody"]
    assert nobody["accuracy"] == pytest.approx(1933 / 2000, abs=1e-4) and nobody["recall"] == 0
    plain = bundled.metrics["heldout"]["plain"]
    assert plain["accuracy"] > 0.96 and plain["recall"] < 0.5  # high accuracy, most defaulters missed
    # With a quarter of the defaulters the plain model's recall falls further; class weights hold up.
    assert rarer.metrics["heldout"]["plain"]["recall"] < plain["recall"]
    assert rarer.metrics["heldout"]["weights"]["recall"] >= 0.8


def test_evaluate_reproduces_the_recorded_figures(bundled):
    figures = LAB.evaluate(bundled)
    assert figures["heldout_size"] == 2000 and figures["data"] == DEFAULT
    for method in METHODS:
        for name in training.FIGURES:
            assert figures["heldout"][method][name] == pytest.approx(
                bundled.metrics["heldout"][method][name], abs=1e-3
            )
    recorded = bundled.metrics["baselines"]["logistic_balanced"]["recall"]
    assert figures["baselines"]["logistic_balanced"]["recall"] == pytest.approx(recorded)


def test_a_hand_edited_config_is_refused_on_load(bundled, tmp_path):
    folder = tmp_path / "edited"
    folder.mkdir()
    for path in bundled.path.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    config = json.loads((folder / "config.json").read_text())
    for key, value in (
        ("methods", ["plain", "gan"]),
        ("hidden_sizes", [-5]),
        ("scaling", None),
        ("inputs", 4),
    ):
        edited = config | {key: value}
        (folder / "config.json").write_text(json.dumps(edited))
        with pytest.raises(checkpoints.CheckpointError, match=r"config\.json is not usable"):
            LAB.load(folder)


# --- interactions --------------------------------------------------------------------------


def probabilities(answer) -> dict[str, float]:
    return {row["model"]: row["probability of default"] for row in answer["probabilities"]}


def test_a_bigger_balance_means_a_higher_chance_of_default_for_every_model(bundled):
    low = probabilities(run(bundled, "customer", balance=500))
    high = probabilities(run(bundled, "customer", balance=2200))
    for model in low:
        assert low[model] < high[model]
    # Trained on rebalanced data, the other models say far more than the plain one.
    middle = probabilities(run(bundled, "customer", balance=1500))
    assert all(middle[m] > middle["plain"] for m in middle if m != "plain")
    answer = run(bundled, "customer", balance=1500, threshold=0.99)
    assert "no model flags this customer" in answer["answer"]
    curve = answer["curve"]
    assert [trace.name for trace in curve.data] == list(middle) and len(curve.data[0].x) == 121


def test_a_held_out_customer_shows_what_really_happened(bundled, data):
    answer = run(bundled, "heldout", group="defaulters", index=0)
    assert "**defaulted**" in answer["answer"]
    row = int(answer["answer"].split("(row ")[1].split(" ")[0])
    assert tables.split_table(tables.load_table("default"), stratify="default").part_of(row - 1) == "held-out"
    assert len(answer["probabilities"]) == 5
    assert "**paid**" in run(bundled, "heldout", group="payers", index=1932)["answer"]
    with pytest.raises(SpecError, match="there are 1,933 payers; pick a number from 0 to 1932"):
        run(bundled, "heldout", group="payers", index=1933)


def test_the_threshold_moves_the_confusion_matrix(bundled):
    counts = []
    for threshold in (0.9, 0.5, 0.2, 0.05):
        answer = run(bundled, "threshold", method="plain", threshold=threshold)
        matrix = np.array(answer["confusion"].data[0].z)
        assert matrix.sum() == 2000 and matrix[1].sum() == 67  # the 67 held-out defaulters
        counts.append(matrix[1, 1])
    assert counts == sorted(counts) and counts[-1] > counts[0]  # lower threshold, more caught
    plain = bundled.metrics["heldout"]["plain"]
    at_half = run(bundled, "threshold", method="plain", threshold=0.5)
    assert f"catches **{plain['tp']} of 67 defaulters**" in at_half["answer"]
    assert at_half["table"][0]["model"] == "plain"
    assert len(at_half["sweep"].data) == 3


def test_a_method_the_model_was_not_trained_with_is_refused(bundled):
    only = DefaultModels(["plain", "weights"], tuple(bundled.config["hidden_sizes"]))
    for method in only:
        only[method].load_state_dict(bundled.model[method].state_dict())
    config = bundled.config | {"methods": ["plain", "weights"]}
    trained = TrainedModel("imbalanced", only.eval(), config, bundled.metrics)
    with pytest.raises(SpecError, match="trained without SMOTE; pick one of plain, class weights"):
        run(trained, "threshold", method="smote", threshold=0.5)
    assert len(probabilities(run(trained, "customer"))) == 2


def test_the_scores_show_the_trap_beside_the_baselines(bundled):
    answer = run(bundled, "scores")
    models = [row["model"] for row in answer["table"]]
    assert models[:5] == ["plain", "class weights", "undersampling", "oversampling", "SMOTE"]
    assert "no one defaults (always 'pays') (scikit-learn)" in models
    assert "logistic regression, class_weight='balanced' (scikit-learn)" in models
    assert "**96.7% accuracy**" in answer["note"] and "the lab's target" in answer["note"]
    assert set(answer["table"][0]) == {"model", "accuracy", "precision", "recall", "F1", "PR-AUC", "ROC-AUC"}


def test_the_curves_draw_every_model(bundled):
    answer = run(bundled, "curves")
    assert len(answer["pr"].data) == 5 and len(answer["roc"].data) == 6  # and the diagonal
    assert all(trace.x[0] <= trace.x[-1] for trace in answer["roc"].data)
    assert "PR-AUC 0." in answer["pr"].data[0].name


def test_the_data_view_lists_rows_by_split_and_each_methods_set(bundled, rarer, data):
    answer = run(bundled, "data", view="split", part="held-out", start=0)
    assert len(answer["rows"]) == 25 and {row["split"] for row in answer["rows"]} == {"held-out"}
    assert answer["rows"][0]["row"] == int(data.heldout_customers.index[0])
    assert "GPL-2 (ISLR)" in answer["card"] and "8,000 training and 2,000 held-out" in answer["card"]
    sizes = {row["method"]: row for row in answer["sizes"]}
    assert sizes["undersampling"]["rows"] == 532 and sizes["SMOTE"]["made up by SMOTE"] == 7468
    smote = run(bundled, "data", view="smote", part="all", start=0)["scatter"]
    assert [trace.name for trace in smote.data][-1] == "synthetic defaulters (SMOTE) (7,468)"
    # The 200 defaulters the rarer model dropped are marked where they are listed, and only they:
    # the pages holding the first, a middle and the last of them (8,000 rows are 320 pages).
    rarer_data = training.data_for(rarer)
    dropped = set(rarer_data.split.train[rarer_data.removed].tolist())
    assert len(dropped) == 200
    train_rows = np.flatnonzero(rarer_data.split.labels() == "train")
    dropped_at = sorted(int(np.flatnonzero(train_rows == position)[0]) for position in dropped)
    frame_index = rarer_data.table.frame.index
    for start in {at // 25 * 25 for at in (dropped_at[0], dropped_at[100], dropped_at[-1])}:
        rows = run(rarer, "data", view="split", part="train", start=start)["rows"]
        expected = {int(frame_index[p]) for p in train_rows[start : start + 25] if p in dropped}
        assert {row["row"] for row in rows if row["dropped from training"] == "yes"} == expected != set()
    assert (
        "200 training defaulters were dropped"
        in run(rarer, "data", view="under", part="all", start=0)["card"]
    )
    with pytest.raises(SpecError, match="2,000 held-out rows; pick a number from 0 to 1999"):
        run(bundled, "data", view="split", part="held-out", start=2000)


def test_a_table_that_cannot_be_loaded_is_a_clear_error(bundled, monkeypatch):
    def broken(name):
        raise DataUnavailableError("Credit card defaults cannot be read: TypeError: pickle")

    training._data_for.cache_clear()
    monkeypatch.setattr(tables, "_read", broken)
    try:
        with pytest.raises(DataUnavailableError, match="cannot be read"):
            run(bundled, "heldout", group="all", index=0)
    finally:
        training._data_for.cache_clear()


def test_another_split_of_the_table_is_noticed(bundled, monkeypatch):
    real = tables.split_table
    monkeypatch.setattr(
        credit, "split_table", lambda table, stratify=None: real(table, seed=1, stratify=stratify)
    )
    training._data_for.cache_clear()
    try:
        with pytest.raises(DataUnavailableError, match="other held-out customers"):
            run(bundled, "curves")
    finally:
        training._data_for.cache_clear()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_tampered_config_is_refused_on_load_or_still_works(data, tmp_path_factory):
    """config.json edited by hand, anywhere (a key dropped or set to junk): refused when loaded
    with a CheckpointError, or every interaction still answers or refuses with a user error."""
    source = LAB.bundled_checkpoint({"defaults_kept": 0.25})
    check_tampered_config(LAB, source, data, tmp_path_factory.mktemp("ckpt"))
