"""The forecast tab's HTTP API through gradio_client: a forecast from a held-out day, the error
against the horizon, the windows, a what-if, their bad input, and a tiny side-by-side training
that becomes the session's models (the app and `client` come from conftest.py)."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import lab_endpoints, train_through_api


def test_the_endpoints_are_listed_with_the_specs_settings(client: Client) -> None:
    lab_endpoints(client, "forecast", "forecast", "horizon", "windows", "what_if")


def test_the_bundled_models_forecast_and_are_scored_beside_the_baselines(client: Client) -> None:
    result = client.predict(start=100, horizon=5, strategy="direct", api_name="/forecast_forecast")
    assert result["origin"] == "bundled" and "Melbourne" in result["trained_on"]
    assert [row["model"] for row in result["table"]][:3] == ["RNN", "LSTM", "GRU"]
    scores = client.predict(model="co2", api_name="/forecast_horizon")["table"]
    assert {row["model"]: row["beats seasonal naive"] for row in scores}["LSTM"] == "yes"
    moved = client.predict(shift=-5, days=10, api_name="/forecast_what_if")["table"]
    assert all(row["mean change over 7"] < 0 for row in moved)
    view = client.predict(series="co2", window=52, position=1000, api_name="/forecast_windows")
    assert "Mauna Loa" in view["card"]


@pytest.mark.parametrize(
    ("endpoint", "inputs", "message"),
    [
        ("/forecast_forecast", {"start": 800}, "pick a start from 0 to 723"),
        ("/forecast_forecast", {"horizon": 20, "strategy": "direct"}, "trained to forecast 7 days at once"),
        ("/forecast_what_if", {"values": "20, twenty"}, "'twenty' is not a number"),
        ("/forecast_windows", {"window": 3000}, "longer than the 2,920 training days"),
        ("/forecast_horizon", {"model": "session"}, "no trained model yet"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, endpoint: str, inputs: dict, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(**inputs, api_name=endpoint)


def test_a_tiny_side_by_side_training_becomes_this_sessions_models(client: Client, monkeypatch) -> None:
    monkeypatch.setenv("DLL_MAX_STEPS", "6")  # read by the runner at submit time
    outputs = train_through_api(client, "forecast", models=["rnn", "gru"], hidden_size=8, epochs=1, window=10)
    status, loss, mae = outputs[:3]
    assert "Training finished (ended by the step limit)" in status
    for chart in (loss, mae):
        assert json.loads(chart["plot"])["data"], "a training chart has no series"
    result = client.predict(model="session", api_name="/forecast_horizon")
    assert [row["model"] for row in result["table"]][:2] == ["RNN", "GRU"] and result["origin"] == "session"
