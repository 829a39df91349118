"""The house prices tab's HTTP API through gradio_client: /house_prices_predict with the form's
inputs by name, a held-out house, the scores and the split, bad input, and a tiny training that
becomes the session's models (the app and `client` come from conftest.py)."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from core.registry import get_lab

LAB = get_lab("house-prices")


def prices(result: dict) -> dict[str, int]:
    return {row["model"]: row["price ($)"] for row in result["prices"]}


def test_the_endpoints_are_listed_with_the_forms_inputs(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    names = ["predict", "house", "residuals", "scores", "outliers", "data", "train", "stop", "model_info"]
    assert {f"/house_prices_{name}" for name in names} <= set(endpoints)
    train = [p["parameter_name"] for p in endpoints["/house_prices_train"]["parameters"]]
    assert train == [*(p.name for p in LAB.spec.params), "lesson", "lesson_answer"]
    predict = [p["parameter_name"] for p in endpoints["/house_prices_predict"]["parameters"]]
    assert predict == ["model", *(p.name for p in LAB.interaction("predict").inputs)]


def test_both_models_price_a_described_house(client: Client) -> None:
    small = client.predict(living_area=1000, api_name="/house_prices_predict")
    big = client.predict(
        living_area=2600,
        neighbourhood="Northridge_Heights",
        year_built=2006,
        api_name="/house_prices_predict",
    )
    assert small["origin"] == "bundled" and "Ames house prices" in small["trained_on"]
    for model in ("MSE model", "MAE model"):
        assert 50_000 < prices(small)[model] < prices(big)[model] < 1_000_000
    assert big["answer"].startswith("**MSE model: $")


def test_a_held_out_house_the_scores_and_the_split(client: Client) -> None:
    house = client.predict(index=3, model="outliers", api_name="/house_prices_house")
    assert [row[""] for row in house["prices"]] == ["true sale price", "MSE model", "MAE model"]
    scores = client.predict(api_name="/house_prices_scores")["table"]
    assert [row["model"] for row in scores][2:4] == [
        "Linear regression (scikit-learn)",
        "Gradient boosting (scikit-learn)",
    ]
    rows = client.predict(part="train", start=0, api_name="/house_prices_data")["rows"]
    assert len(rows) == 25 and {row["split"] for row in rows} == {"train"}
    moved = client.predict(count=40, factor=10, api_name="/house_prices_outliers")
    assert moved["table"][0]["MSE: with"] > moved["table"][0]["MSE: without"]


@pytest.mark.parametrize(
    ("endpoint", "inputs", "message"),
    [
        # Gradio checks a slider's bounds and a dropdown's choices itself; a number box's range is
        # the lab's check.
        ("/house_prices_house", {"index": 586}, "greater than maximum value 585"),
        (
            "/house_prices_predict",
            {"living_area": 10},
            r"Living area \(sq ft\): 10 is out of range \[300, 6000\]",
        ),
        ("/house_prices_predict", {"neighbourhood": "Atlantis"}, "Atlantis is not in the list of choices"),
        ("/house_prices_data", {"part": "held-out", "start": 600}, "pick a number from 0 to 585"),
        ("/house_prices_scores", {"model": "session"}, "no trained model yet"),
        ("/house_prices_scores", {"model": "xgboost"}, "Unknown model 'xgboost'"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, endpoint: str, inputs: dict, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(**inputs, api_name=endpoint)


def test_a_tiny_training_becomes_this_sessions_models(client: Client) -> None:
    with pytest.raises(AppError, match="not a layer width"):
        client.predict(hidden_sizes="wide", api_name="/house_prices_train")
    outputs = client.predict(hidden_sizes="32", epochs=1, api_name="/house_prices_train")
    status, own, squared, absolute, dollars, _samples, download, model_choice, model_text = outputs
    assert "Training finished (ended by the step limit)" in status
    for chart in (own, squared, absolute, dollars):
        assert json.loads(chart["plot"])["data"], "a training chart has no series"
    assert download and model_choice == "session" and "trained in this session" in model_text
    result = client.predict(model="session", api_name="/house_prices_predict")
    assert result["origin"] == "session" and set(prices(result)) == {"MSE model", "MAE model"}
