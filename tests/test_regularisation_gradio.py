"""The regularisation tab's HTTP API through gradio_client: /regularisation_predict with the
form's inputs by name, a held-out passenger, the gap, the weights and the split, bad input, and
a tiny training that becomes the session's models (the app and `client` come from conftest.py)."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import lab_endpoints, parameters, train_through_api

from core.registry import get_lab

LAB = get_lab("regularisation")
MODELS = ["no regularisation", "L1", "L2", "dropout", "logistic regression"]


def chances(result: dict) -> dict[str, float]:
    return {row["model"]: row["survival probability"] for row in result["probabilities"]}


def test_the_endpoints_are_listed_with_the_forms_inputs(client: Client) -> None:
    endpoints = lab_endpoints(client, "regularisation", "predict", "passenger", "gap", "weights", "data")
    inputs = [p.name for p in LAB.interaction("predict").inputs]
    assert parameters(endpoints, "/regularisation_predict") == ["model", *inputs]


def test_every_model_gives_a_passenger_a_survival_probability(client: Client) -> None:
    woman = client.predict(pclass="1st", sex="female", age=35, api_name="/regularisation_predict")
    man = client.predict(pclass="3rd", sex="male", age=35, api_name="/regularisation_predict")
    assert woman["origin"] == "bundled" and "Titanic passengers" in woman["trained_on"]
    assert list(chances(woman)) == MODELS
    for model in MODELS:
        assert chances(man)[model] < 0.5 < chances(woman)[model]


def test_a_held_out_passenger_the_gap_the_weights_and_the_split(client: Client) -> None:
    passenger = client.predict(index=3, api_name="/regularisation_passenger")
    assert [row["model"] for row in passenger["probabilities"]] == MODELS
    gap = client.predict(api_name="/regularisation_gap")
    assert "closes" in gap["note"] and gap["table"][0]["model"] == "no regularisation"
    weights = client.predict(threshold=0.01, api_name="/regularisation_weights")
    shares = {row["model"]: row["|w| < 0.01"] for row in weights["table"]}
    assert shares["L1"] > shares["no regularisation"]
    rows = client.predict(part="train", start=0, api_name="/regularisation_data")["rows"]
    assert len(rows) == 25 and {row["split"] for row in rows} == {"train"}


@pytest.mark.parametrize(
    ("endpoint", "inputs", "message"),
    [
        # Gradio checks a slider's bounds and a dropdown's choices itself; a number box's range is
        # the lab's check.
        ("/regularisation_passenger", {"index": 262}, "greater than maximum value 261"),
        ("/regularisation_predict", {"pclass": "4th"}, r"'4th' .* is not in the list of choices"),
        ("/regularisation_predict", {"age": 90}, "greater than maximum value 80"),
        ("/regularisation_weights", {"threshold": 0}, r"Near zero means below: 0 is out of range"),
        ("/regularisation_data", {"part": "held-out", "start": 300}, "pick a number from 0 to 261"),
        ("/regularisation_gap", {"model": "session"}, "no trained model yet"),
        ("/regularisation_gap", {"model": "xgboost"}, "Unknown model 'xgboost'"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, endpoint: str, inputs: dict, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(**inputs, api_name=endpoint)


def test_a_tiny_training_becomes_this_sessions_models(client: Client) -> None:
    with pytest.raises(AppError, match="not a layer width"):
        client.predict(hidden_sizes="wide", api_name="/regularisation_train")
    outputs = train_through_api(client, "regularisation", hidden_sizes="32", epochs=1)
    for chart in outputs[1:6]:
        assert json.loads(chart["plot"])["data"], "a training chart has no series"
    result = client.predict(model="session", api_name="/regularisation_predict")
    assert result["origin"] == "session" and list(chances(result)) == MODELS
