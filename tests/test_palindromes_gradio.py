"""The palindromes tab's HTTP API through gradio_client: /palindrome, its bad input, and a tiny
training that becomes the session's models."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from core.registry import get_lab


def test_the_palindrome_endpoints_are_listed(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    wanted = {"/palindrome", "/palindromes_model_info", "/palindromes_train", "/palindromes_stop"}
    assert wanted <= set(endpoints)
    train_params = [p["parameter_name"] for p in endpoints["/palindromes_train"]["parameters"]]
    assert train_params == [p.name for p in get_lab("palindromes").spec.params]


def test_both_models_answer_a_prefix(client: Client) -> None:
    result = client.predict("4" + "0123456789" * 2 + "8765432", 1.0, "bundled", api_name="/palindrome")
    assert result["length"] == 29 and result["expected"] == 4
    assert result["predictions"]["lstm"]["digit"] == 4 and result["predictions"]["lstm"]["correct"]
    assert len(result["predictions"]["rnn"]["probabilities"]) == 10
    assert len(result["lstm_gate_means"]["forget"]) == 28


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("12b4", 1.0, "bundled"), "only the digits 0-9"),
        (("1" * 50, 1.0, "bundled"), "T = 51"),
        (("12345", -3, "bundled"), "temperature must be 0 or more"),
        (("12345", 1.0, "lstm-2000"), "Unknown model 'lstm-2000'"),
        (("12345", 1.0, "session"), "no trained model yet"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/palindrome")


def test_a_huge_temperature_is_clamped_and_said(client: Client) -> None:
    result = client.predict("1234432", 1e6, "bundled", api_name="/palindrome")
    assert result["temperature"] == 20 and "clamped to 20" in result["notes"][0]


def test_a_tiny_training_becomes_this_sessions_models(client: Client) -> None:
    outputs = client.predict(mode="single", longest=6, hidden_size=16, api_name="/palindromes_train")
    status, sweep, loss, _heldout, _samples, download, model_choice, model_text = outputs
    assert "Training finished (ended by the step limit)" in status
    assert json.loads(sweep["plot"])["data"], "the accuracy-vs-T chart has no series"
    assert json.loads(loss["plot"])["data"], "the loss chart has no series"
    assert download and model_choice == "session" and "trained at T = 6" in model_text
    result = client.predict("12332", 1.0, "session", api_name="/palindrome")
    assert result["model_length"] == 6
