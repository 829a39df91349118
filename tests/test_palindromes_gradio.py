"""The palindromes tab's HTTP API through gradio_client: /palindromes_last_digit, its bad input,
accuracy against T, and a tiny training that becomes the session's models."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import lab_endpoints, parameters, train_through_api

LAST_DIGIT = "/palindromes_last_digit"


def test_the_palindrome_endpoints_are_listed(client: Client) -> None:
    endpoints = lab_endpoints(client, "palindromes", "last_digit", "accuracy_by_length")
    assert parameters(endpoints, LAST_DIGIT) == ["model", "prefix", "temperature", "view", "units"]


def test_both_models_answer_a_prefix(client: Client) -> None:
    result = client.predict(prefix="4" + "0123456789" * 2 + "8765432", model="sweep", api_name=LAST_DIGIT)
    assert "**T = 29**: a palindrome ends in its first digit, **4**" in result["answer"]
    lstm, rnn = result["models"]
    assert lstm["answer"] == 4 and lstm["correct"] and rnn["model"] == "Vanilla RNN"
    assert result["lstm"]["prediction"] == "4" and len(result["rnn"]["probabilities"]) == 10
    assert len(result["inside"]["x"]) == 28 and len(result["inside"]["y"]) == 32  # steps, units
    assert result["model"].startswith("RNN and LSTM pairs") and result["origin"] == "bundled"


def test_accuracy_against_t_is_answered(client: Client) -> None:
    result = client.predict(api_name="/palindromes_accuracy_by_length")
    assert [row["T"] for row in result["lengths"]] == [5, 10, 15, 20, 25, 30]
    assert all(row["LSTM"] == 1.0 for row in result["lengths"])


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"prefix": "12b4"}, "only the digits 0-9"),
        ({"prefix": "1" * 50}, "T = 51"),
        ({"prefix": "12345", "temperature": -3}, r"temperature: -3 is out of range \[0, 1000\]"),
        ({"prefix": "12345", "view": "hidden"}, "not in the list of choices"),
        ({"prefix": "12345", "model": "lstm-2000"}, "Unknown model 'lstm-2000'"),
        ({"prefix": "12345", "model": "session"}, "no trained model yet"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, inputs: dict, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(**inputs, api_name=LAST_DIGIT)


def test_a_huge_temperature_is_clamped_and_said(client: Client) -> None:
    result = client.predict(prefix="1234432", temperature=500, api_name=LAST_DIGIT)
    assert "clamped to 20" in result["answer"]
    assert max(result["lstm"]["probabilities"].values()) < 0.2  # flattened towards uniform


def test_a_tiny_training_becomes_this_sessions_models(client: Client) -> None:
    outputs = train_through_api(client, "palindromes", mode="single", longest=6, hidden_size=16)
    status, loss, lstm, _rnn, _samples, _download, _choice, model_text = outputs
    assert "Training finished (ended by the step limit)" in status
    assert json.loads(loss["plot"])["data"], "the loss chart has no series"
    assert json.loads(lstm["plot"])["data"], "the LSTM's accuracy chart has no series"
    assert "trained at T = 6" in model_text
    result = client.predict(prefix="12332", model="session", api_name=LAST_DIGIT)
    assert "the pair trained at T = 6" in result["answer"] and result["origin"] == "session"
