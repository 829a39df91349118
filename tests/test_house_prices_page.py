"""The house prices page through Streamlit's AppTest: both models price the typical house at
once, a bigger house costs more, the scores and the split are there, bad settings are refused,
and a tiny training becomes the page's model."""

from __future__ import annotations

import re

from helpers import open_lab, texts

import ui_streamlit as ui
from core.registry import get_lab

LAB = get_lab("house-prices")
MODEL_RADIO = "house-prices-training-model"
PREDICT = "house-prices-predict"


def prices(at) -> list[int]:
    """Both models' prices, from the answer of the Price a house panel."""
    answer = next(m.value for m in at.markdown if m.value.startswith("**MSE model: $"))
    return [int(p.replace(",", "")) for p in re.findall(r"\$([\d,]+)\*\*", answer)]


def test_the_page_opens_on_the_bundled_models_and_prices_a_house():
    at = open_lab("house-prices")
    assert at.title[0].value == LAB.spec.heading
    assert at.radio(key=MODEL_RADIO).value == "Bundled clean"
    assert "held-out RMSE $" in texts(at.caption) and "gradient boosting $" in texts(at.caption)
    assert "Ames house prices (modeldata::ames, MIT licence)" in texts(at.caption)
    assert "hidden sizes none" in texts(at.caption)  # the course's recipe beside Train
    typical = prices(at)
    assert len(typical) == 2 and all(100_000 < p < 250_000 for p in typical)
    at.number_input(key=f"{PREDICT}-living_area").set_value(2800).run()
    bigger = prices(at)
    assert all(b > t for b, t in zip(bigger, typical, strict=True))
    assert not at.exception and not at.warning


def test_the_other_panels_answer_and_the_bundled_outlier_model_can_be_picked():
    at = open_lab("house-prices")
    tables = [frame.value for frame in at.dataframe]
    scores = next(t for t in tables if "RMSE ($)" in t.columns)
    assert list(scores["model"])[:2] == ["MSE model", "MAE model"]
    rows = next(t for t in tables if "split" in t.columns)
    assert set(rows["split"]) == {"train", "held-out"} and list(rows["row"])[:3] == [1, 2, 3]
    at.radio(key=MODEL_RADIO).set_value("Bundled outliers").run()
    assert "30 extreme prices in training" in texts(at.caption)
    assert not at.exception


def test_bad_settings_and_inputs_get_a_message():
    at = open_lab("house-prices")
    at.text_input(key="house-prices-hidden_sizes").set_value("lots").run()
    assert "'lots' is not a layer width" in texts(at.error)
    assert at.button(key="house-prices-train").disabled  # nothing to train until it is fixed
    at.selectbox(key="house-prices-data-part").set_value("held-out")
    at.number_input(key="house-prices-data-start").set_value(600).run()
    assert "586 held-out rows; pick a number from 0 to 585" in texts(at.warning)
    assert not at.exception


def test_a_tiny_training_becomes_the_pages_model(monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "20")
    at = open_lab("house-prices")
    at.text_input(key="house-prices-hidden_sizes").set_value("32")
    at.button(key="house-prices-train").click().run()
    view = at.session_state["house-prices-training"]
    assert view.job.wait(timeout=240), "the training did not finish"
    at.run()
    assert not at.exception
    assert "Training finished (ended by the step limit)" in texts(at.success)
    assert view.history.steps["mse_squared_error"] and view.history.steps["mae_absolute_error"]
    assert at.radio(key=MODEL_RADIO).value == ui.SESSION
    assert "trained in this session" in texts(at.caption)
    assert len(prices(at)) == 2
