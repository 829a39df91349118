"""The house prices lab: its preprocessing, a training through the runner, the bundled models'
held-out figures beside the baselines, every interaction and its bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tampering import check_tampered_config

from core import checkpoints, tables
from core.cli import main
from core.data import DataUnavailableError
from core.history import TrainingHistory
from core.labs.house_prices import interactions as houses
from core.labs.house_prices import train as training
from core.labs.house_prices.features import MISSING, OTHER, Preprocessing
from core.labs.house_prices.spec import clean_hidden, hidden_layers
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("house-prices")
AMES = "Ames house prices (modeldata::ames, MIT licence), 2,344 train / 586 held-out (split seed 2024)"


@pytest.fixture(scope="module")
def clean():
    return LAB.load_bundled()


@pytest.fixture(scope="module")
def extreme():
    return LAB.load_bundled({"outliers": 30})


@pytest.fixture(scope="module")
def data():
    return training.house_data(0, 1.0, 0, None, True)


# --- preprocessing -------------------------------------------------------------------------


def test_the_preprocessing_is_fitted_on_the_training_split_only(data):
    train = data.train_houses
    year = next(c for c in data.prep.numeric if c.name == "Year_Built")
    assert year.mean == pytest.approx(train["Year_Built"].mean()) and not year.log
    assert year.mean != pytest.approx(data.table.frame["Year_Built"].mean(), abs=1e-6)
    area = next(c for c in data.prep.numeric if c.name == "Gr_Liv_Area")
    assert area.log and area.mean == pytest.approx(np.log1p(train["Gr_Liv_Area"]).mean())
    assert data.prep.target_mean == pytest.approx(np.log(data.train_prices).mean())
    # Standardised on the training split: mean 0, std 1 there (not on the held-out houses).
    column = data.prep.feature_names.index("Year_Built")
    assert data.x_train[:, column].mean() == pytest.approx(0, abs=1e-5)
    assert data.x_train[:, column].std(ddof=1) == pytest.approx(1, abs=1e-4)
    assert data.x_train.shape == (2344, data.prep.width) and data.x_heldout.shape == (586, data.prep.width)
    assert data.x_train.dtype == np.float32 and np.isfinite(data.x_train).all()


def test_categories_are_one_hot_with_missing_and_rare_levels_handled(data):
    names = data.prep.feature_names
    assert "Neighborhood=North_Ames" in names and f"Neighborhood={OTHER}" in names
    assert "Neighborhood=Landmark" not in names  # one house in all of Ames: "(other)"
    assert f"Mas_Vnr_Type={MISSING}" in names  # no veneer: a level of its own
    assert "Sale_Type=WD" in names  # "WD " in the table: stray spaces removed
    row = data.heldout_houses.iloc[[0]].copy()
    row["Neighborhood"] = "Atlantis"  # never seen: the "(other)" column
    row["Year_Built"] = np.nan  # missing number: the training median
    x = data.prep.features(row)[0]
    place = [n for n in names if n.startswith("Neighborhood=")]
    assert [x[names.index(n)] for n in place if x[names.index(n)]] == [1.0]
    assert x[names.index(f"Neighborhood={OTHER}")] == 1.0
    year = next(c for c in data.prep.numeric if c.name == "Year_Built")
    assert x[names.index("Year_Built")] == pytest.approx((year.fill - year.mean) / year.std)


def test_the_preprocessing_round_trips_through_json_and_back_to_dollars(data):
    again = Preprocessing.from_dict(json.loads(json.dumps(data.prep.to_dict())))
    assert np.array_equal(again.features(data.heldout_houses), data.x_heldout)
    prices = np.array([50_000.0, 160_000.0, 755_000.0])
    assert again.dollars(again.scaled_target(prices)) == pytest.approx(prices)
    raw = training.house_data(0, 1.0, 0, None, False).prep
    assert not raw.log_target and raw.dollars(raw.scaled_target(prices)) == pytest.approx(prices)
    assert np.isfinite(again.dollars(np.array([1e6]))).all()  # a wild output is capped, not inf


def test_extreme_prices_are_picked_by_seed_and_multiplied():
    prices = np.full(100, 100_000.0)
    changed, chosen = training.extreme_prices(prices, 5, 10.0, seed=0)
    assert len(chosen) == 5 and (changed[chosen] == 1_000_000).all()
    assert (np.delete(changed, chosen) == 100_000).all() and (prices == 100_000).all()
    assert np.array_equal(training.extreme_prices(prices, 5, 10.0, seed=0)[1], chosen)
    assert not np.array_equal(training.extreme_prices(prices, 5, 10.0, seed=1)[1], chosen)


def test_regression_figures_are_in_the_units_of_the_prices():
    figures = training.regression_figures(np.array([100.0, 200.0, 300.0]), np.array([110.0, 190.0, 330.0]))
    assert figures["mae"] == pytest.approx(50 / 3) and figures["bias"] == pytest.approx(10)
    assert figures["rmse"] == pytest.approx(np.sqrt((100 + 100 + 900) / 3))
    assert figures["r2"] == pytest.approx(1 - 1100 / 20_000)


# --- settings ------------------------------------------------------------------------------


def test_hidden_sizes_are_read_or_refused_with_a_message():
    assert hidden_layers("128, 64") == (128, 64) and hidden_layers("256;128") == (256, 128)
    assert hidden_layers("none") == () and hidden_layers("") == () and clean_hidden("0") == "none"
    assert clean_hidden(" 64 ,32 ") == "64, 32"
    with pytest.raises(SpecError, match="'abc' is not a layer width"):
        hidden_layers("abc")
    with pytest.raises(SpecError, match="from 1 to 1024"):
        hidden_layers("128, 5000")
    with pytest.raises(SpecError, match="at most 4 hidden layers"):
        hidden_layers("8,8,8,8,8")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"epochs": 0}, r"Epochs: 0 is out of range \[1, 500\]"),
        ({"hidden_sizes": "big"}, "'big' is not a layer width"),
        ({"outliers": 501}, r"Extreme prices added: 501 is out of range \[0, 500\]"),
        ({"outlier_factor": 0.5}, r"Extreme price factor: 0.5 is out of range"),
        ({"log_target": "maybe"}, "Predict log price: expected true or false"),
        ({"loss": "huber"}, "unknown setting 'loss'"),
    ],
)
def test_bad_settings_are_refused_with_a_message(settings, message):
    with pytest.raises(SpecError, match=message):
        LAB.spec.validate(settings)


def test_the_cli_refuses_bad_settings_and_inputs_in_one_line(capsys):
    assert main(["train", "house-prices", "--set", "hidden_sizes=1,2,3,4,5"]) == 2
    assert "at most 4 hidden layers" in capsys.readouterr().err
    assert main(["house-prices", "house", "--index", "586"]) == 2
    assert "out of range [0, 585]" in capsys.readouterr().err
    assert main(["house-prices", "predict", "--neighbourhood", "Atlantis"]) == 2
    assert "'Atlantis' is not one of" in capsys.readouterr().err


# --- training through the runner -----------------------------------------------------------


@pytest.mark.slow
def test_a_short_training_streams_both_models_and_saves_one_checkpoint(tmp_path):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"epochs": 2, "hidden_sizes": "32", "outliers": 5}, max_steps=45)
    assert job.wait(180)
    assert job.state == "finished", job.message
    events = job.events_since(0)
    history = TrainingHistory()
    history.extend(events)
    for name in ("mse", "mae"):
        for error in ("squared_error", "absolute_error"):
            assert history.steps[f"{name}_{error}"], "both errors of both models, every step"
            assert history.epochs[f"heldout_{name}_{error}"]
        assert history.epochs[f"heldout_{name}_rmse"][-1][1] > 0
    assert [epoch for epoch, _ in history.epochs["seconds"]] == [1, 2]  # 37 steps, then 8 of the next
    figures = LAB.training_figures(history)
    assert len(figures) == len(LAB.train_metrics) == 4
    assert all(figure.data for figure in figures)
    reloaded = LAB.load(job.checkpoint_dir)
    assert reloaded.metrics["stopped_by"] == "step limit" and reloaded.metrics["steps"] == 45
    assert reloaded.data_source == AMES
    assert set(reloaded.model.keys()) == {"mse", "mae"}
    assert reloaded.config["outliers"]["count"] == 5 and len(reloaded.config["outliers"]["rows"]) == 5
    assert reloaded.metrics["extreme_prices"]["count"] == 5
    assert {"linear", "boosting", "median"} <= set(reloaded.metrics["baselines"])
    names = {path.name for path in job.checkpoint_dir.iterdir()}
    assert "model.safetensors" in names and not any(n.endswith((".pt", ".pkl", ".bin")) for n in names)


@pytest.mark.slow
def test_a_learning_rate_that_blows_up_is_caught(tmp_path):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(
        LAB,
        {
            "learning_rate": 1.0,
            "schedule": "constant",
            "log_target": False,
            "outliers": 50,
            "outlier_factor": 100,
        },
        max_steps=150,
    )
    assert job.wait(180)
    assert job.state == "stopped" and "learning rate is too high" in job.message, job.message
    assert job.result is not None and job.checkpoint_dir is not None
    for value in job.result.model.state_dict().values():
        assert np.isfinite(value.numpy()).all()


# --- the bundled models --------------------------------------------------------------------


def test_the_bundled_models_say_what_they_learnt_from(clean, extreme):
    for trained in (clean, extreme):
        assert trained.origin == "bundled" and trained.data_source == AMES
        assert trained.config["preprocessing"]["log_target"] is True
    assert clean.config["outliers"]["count"] == 0 and extreme.config["outliers"]["count"] == 30
    assert "30 extreme prices" in LAB.model_name(extreme)


def test_the_default_mlp_beats_linear_regression_and_comes_within_ten_percent_of_boosting(clean):
    metrics = clean.metrics
    linear, boosting = metrics["baselines"]["linear"]["rmse"], metrics["baselines"]["boosting"]["rmse"]
    for name in ("mse", "mae"):
        assert metrics["heldout"][name]["rmse"] < linear
        assert metrics["heldout"][name]["rmse"] <= 1.10 * boosting
        assert metrics["heldout"][name]["r2"] > 0.85
    assert metrics["heldout"]["mse"]["rmse"] < metrics["baselines"]["median"]["rmse"] / 3


def test_evaluate_reproduces_the_recorded_figures(clean):
    figures = LAB.evaluate(clean)
    assert figures["heldout_size"] == 586 and figures["data"] == AMES
    for name in ("mse", "mae"):
        assert figures["heldout"][name]["rmse"] == pytest.approx(
            clean.metrics["heldout"][name]["rmse"], abs=1
        )
    for name in ("linear", "boosting"):
        recorded = clean.metrics["baselines"][name]["rmse"]
        assert figures["baselines"][name]["rmse"] == pytest.approx(recorded, rel=1e-3)


def test_extreme_prices_pull_the_mse_model_and_hardly_the_mae_model(clean, extreme):
    said = extreme.metrics["extreme_prices"]
    real, shown = said["mean_real_price"], said["mean_extreme_price"]
    assert shown == pytest.approx(10 * real, rel=1e-6)
    # For the houses whose price was made extreme, the MSE model moved most of the way there.
    assert said["mean_prediction"]["mse"] > real + 0.5 * (shown - real)
    assert said["mean_prediction"]["mae"] < real + 0.25 * (shown - real)
    bias = {name: extreme.metrics["heldout"][name]["bias"] for name in ("mse", "mae")}
    assert bias["mse"] > abs(bias["mae"]) + 1_000
    assert extreme.metrics["heldout"]["mse"]["rmse"] > clean.metrics["heldout"]["mse"]["rmse"]
    moved = {
        name: extreme.metrics["heldout"][name]["rmse"] - clean.metrics["heldout"][name]["rmse"]
        for name in ("mse", "mae")
    }
    assert moved["mse"] > moved["mae"]


def test_a_hand_edited_config_is_refused_on_load(clean, tmp_path):
    folder = tmp_path / "edited"
    folder.mkdir()
    for path in clean.path.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    config = json.loads((folder / "config.json").read_text())
    config["hidden_sizes"] = [-5]
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(checkpoints.CheckpointError, match=r"config\.json is not usable"):
        LAB.load(folder)
    config["hidden_sizes"] = [256, 128]
    config["preprocessing"] = None
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(checkpoints.CheckpointError, match=r"config\.json is not usable"):
        LAB.load(folder)


# --- interactions --------------------------------------------------------------------------


def run(trained, name, **inputs):
    return LAB.interaction(name)(trained, inputs)


def price(answer) -> dict[str, int]:
    return {row["model"]: row["price ($)"] for row in answer["prices"]}


def test_a_typical_house_is_priced_near_the_typical_price(clean):
    prices = price(run(clean, "predict"))
    assert set(prices) == {"MSE model", "MAE model"}
    assert all(120_000 < p < 220_000 for p in prices.values())


def test_a_bigger_newer_house_in_a_dearer_neighbourhood_costs_more(clean):
    small = price(run(clean, "predict", living_area=1000))
    big = price(run(clean, "predict", living_area=2500))
    dear = price(run(clean, "predict", living_area=2500, neighbourhood="Northridge_Heights", year_built=2007))
    for model in small:
        assert small[model] < big[model] < dear[model]


def test_the_form_keeps_the_house_consistent(clean):
    house = houses.house_from_form(
        clean,
        LAB.interaction("predict").check(
            {"garage_cars": 0, "basement_area": 0, "storeys": "two", "living_area": 2000}
        ),
    )
    assert house["Garage_Type"] == "No_Garage" and house["Garage_Area"] == 0
    assert house["Bsmt_Cond"] == "No_Basement" and house["Bsmt_Unf_SF"] == 0
    assert house["First_Flr_SF"] + house["Second_Flr_SF"] == 2000 and house["House_Style"] == "Two_Story"
    stone = houses.house_from_form(clean, LAB.interaction("predict").check({"neighbourhood": "Stone_Brook"}))
    ames = houses.house_from_form(clean, LAB.interaction("predict").check({}))
    assert stone["Latitude"] != ames["Latitude"]  # the location follows the neighbourhood


def test_a_rare_neighbourhood_is_said_to_be_read_as_other(clean):
    assert "(other)" in run(clean, "predict", neighbourhood="Landmark")["answer"]
    assert "(other)" not in run(clean, "predict", neighbourhood="Somerset")["answer"]


def test_a_held_out_house_shows_its_real_price_and_both_predictions(clean, data):
    answer = run(clean, "house", index=585)
    rows = {row[""]: row for row in answer["prices"]}
    assert rows["true sale price"]["price ($)"] == round(data.heldout_prices[585])
    for model in ("MSE model", "MAE model"):
        assert rows[model]["error ($)"] == rows[model]["price ($)"] - rows["true sale price"]["price ($)"]
    row = int(data.heldout_houses.index[585])
    assert f"row {row} of the Ames table" in answer["answer"]
    assert tables.split_table(tables.load_table("ames")).part_of(row - 1) == "held-out"
    with pytest.raises(SpecError, match=r"out of range \[0, 585\]"):
        run(clean, "house", index=586)


def test_residuals_plot_both_models_on_every_held_out_house(clean):
    answer = run(clean, "residuals")
    scatter = answer["scatter"]
    models = [trace for trace in scatter.data if trace.mode == "markers"]
    assert [trace.name for trace in models] == ["MSE model", "MAE model"]
    assert all(len(trace.x) == 586 for trace in models)
    assert len([t for t in answer["residuals"].data if t.mode == "markers"]) == 2
    rmse = clean.metrics["heldout"]["mse"]["rmse"]
    assert f"RMSE ${rmse:,.0f}" in answer["note"]


def test_the_scores_put_both_models_beside_the_baselines(clean):
    answer = run(clean, "scores")
    models = [row["model"] for row in answer["table"]]
    assert models == [
        "MSE model",
        "MAE model",
        "Linear regression (scikit-learn)",
        "Gradient boosting (scikit-learn)",
        "Training median for every house",
    ]
    assert "within the 10% the lab aims for" in answer["note"]
    assert all(isinstance(row["RMSE ($)"], int) for row in answer["table"])


def test_the_outlier_view_moves_the_mean_and_the_squares_line_most(clean, extreme):
    answer = run(clean, "outliers", count=50, factor=10.0)
    constant, line = answer["table"]
    assert constant["MSE: with"] - constant["MSE: without"] > 10 * (
        constant["MAE: with"] - constant["MAE: without"]
    )
    assert line["MSE: with"] - line["MSE: without"] > 5 * abs(line["MAE: with"] - line["MAE: without"])
    assert "saw no extreme prices" in answer["note"]
    assert {row["model"] for row in answer["models"]} == {"this model", "bundled outliers"}
    none = run(clean, "outliers", count=0, factor=10.0)
    assert "MSE: with" not in none["table"][0]
    assert "saw 30 extreme prices" in run(extreme, "outliers", count=30, factor=10.0)["note"]


def test_the_data_view_lists_rows_by_split(clean, extreme, data):
    answer = run(clean, "data", part="held-out", start=0)
    assert len(answer["rows"]) == 25 and {row["split"] for row in answer["rows"]} == {"held-out"}
    assert answer["rows"][0]["row"] == int(data.heldout_houses.index[0])
    assert "MIT licence" in answer["card"] and "2,344 training and 586 held-out" in answer["card"]
    assert "266 inputs" in answer["card"]
    marked = [
        row for start in range(0, 2344, 25) for row in run(extreme, "data", part="train", start=start)["rows"]
    ]
    assert sum(row["extreme price"] == "yes" for row in marked) == 30
    with pytest.raises(SpecError, match="586 held-out rows; pick a number from 0 to 585"):
        run(clean, "data", part="held-out", start=586)


def test_a_table_that_cannot_be_loaded_is_a_clear_error(clean, monkeypatch):
    def broken(name):
        raise DataUnavailableError("Ames house prices cannot be read: TypeError: pickle")

    training._data_for.cache_clear()
    monkeypatch.setattr(tables, "_read", broken)
    try:
        with pytest.raises(DataUnavailableError, match="cannot be read"):
            run(clean, "house", index=0)
    finally:
        training._data_for.cache_clear()


def test_another_split_of_the_table_is_noticed(clean, monkeypatch):
    real = tables.split_table
    monkeypatch.setattr(training, "split_table", lambda table: real(table, seed=1))
    training._data_for.cache_clear()
    try:
        with pytest.raises(DataUnavailableError, match="other held-out houses"):
            run(clean, "residuals")
    finally:
        training._data_for.cache_clear()


def test_the_typical_house_has_every_column(data):
    typical = pd.Series(data.prep.typical)
    assert set(typical.index) == set(data.train_houses.columns)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_tampered_config_is_refused_on_load_or_still_works(data, tmp_path_factory):
    """config.json edited by hand, anywhere (a key dropped or set to junk): refused when loaded
    with a CheckpointError, or every interaction still answers or refuses with a user error."""
    source = LAB.bundled_checkpoint({"outliers": 30})
    check_tampered_config(LAB, source, data, tmp_path_factory.mktemp("ckpt"))
