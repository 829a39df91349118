"""The binary addition tab's HTTP API through gradio_client: /binary_addition_add, its bad input,
accuracy against length, and a tiny training that becomes the session's model."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import lab_endpoints, parameters, train_through_api

ADD = "/binary_addition_add"


def sums(result: dict) -> dict[str, dict]:
    return {row["number"]: row for row in result["sums"]}


def test_the_addition_endpoints_are_listed(client: Client) -> None:
    endpoints = lab_endpoints(client, "binary-addition", "add", "accuracy_by_length")
    assert parameters(endpoints, ADD) == ["model", "a", "b", "temperature"]


def test_add_gives_the_sum_and_a_confidence_per_bit(client: Client) -> None:
    result = client.predict(a="1011", b="111", model="5-bit", api_name=ADD)
    assert sums(result)["the LSTM's sum"] == {"number": "the LSTM's sum", "binary": "10010", "decimal": 18}
    assert "✓ right" in result["answer"] and len(result["per_bit"]) == 5
    assert all(0.5 <= row["confidence"] <= 1 for row in result["per_bit"])


def test_accuracy_against_length_is_answered(client: Client) -> None:
    result = client.predict(api_name="/binary_addition_accuracy_by_length")
    assert len(result["lengths"]) == 20 and result["lengths"][4]["sum accuracy"] == 1.0


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"a": "1012", "b": "1"}, "only the digits 0 and 1"),
        ({"a": "1" * 22, "b": "1"}, "22 bits is longer than this model takes"),
        ({"a": "1", "b": "1", "temperature": -1}, r"temperature: -1 is out of range \[0, 1000\]"),
        ({"a": "1", "b": "1", "model": "session"}, "no trained model yet"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, inputs: dict, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(**inputs, api_name=ADD)


def test_a_tiny_training_becomes_this_sessions_model(client: Client) -> None:
    outputs = train_through_api(client, "binary-addition", train_length=3)
    status, loss, _bits, _sums, _samples, _download, _choice, model_text = outputs
    assert "Training finished (ended by the step limit)" in status
    assert json.loads(loss["plot"])["data"], "the loss chart has no series"
    assert "trained in this session" in model_text
    result = client.predict(a="11", b="1", model="session", api_name=ADD)
    assert sums(result)["the true sum"]["decimal"] == 4 and len(result["per_bit"]) == 3
