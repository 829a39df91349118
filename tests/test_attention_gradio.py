"""The attention tab's HTTP API through gradio_client: /attention (the explorer), its bad input,
/attention_toy, and a tiny training that becomes the session's model (the app and `client` come
from conftest.py)."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from core.registry import get_lab


def test_the_endpoints_are_listed(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    wanted = {"/attention", "/attention_toy", "/attention_model_info", "/attention_train", "/attention_stop"}
    assert wanted <= set(endpoints)
    train_params = [p["parameter_name"] for p in endpoints["/attention_train"]["parameters"]]
    assert train_params == [p.name for p in get_lab("attention").spec.params]


def test_attention_returns_weights_per_head(client: Client) -> None:
    result = client.predict(
        "the cat sat", "a cat", 2, 0.5, True, True, 4, True, False, 64, api_name="/attention"
    )
    assert result["query_tokens"] == ["the", "cat", "sat"]
    assert result["key_tokens"] == ["a", "cat", "<pad>", "<pad>"]
    assert len(result["weights"]) == 2
    assert result["mean_weights"][0] == [1.0, 0.0, 0.0, 0.0]  # causal: the first word sees key 0 only
    assert result["scores"][0][0][1] is None  # masked


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", "a cat", 1, 1.0), "query sentence is empty"),
        (("a cat", "a cat", 3, 1.0), "3 heads do not divide"),
        (("a cat", "a cat", 1, -2), "positive number"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/attention")


def test_a_huge_temperature_is_clamped_and_said(client: Client) -> None:
    result = client.predict("the cat", "a cat", 1, 1e6, api_name="/attention")
    assert result["settings"]["temperature"] == 100 and "100 is used" in result["notes"][0]


def test_the_toy_model_reverses_and_refuses_letters(client: Client) -> None:
    result = client.predict("12345", "reverse", api_name="/attention_toy")
    assert result["output"] == "54321" and result["correct"]
    with pytest.raises(AppError, match="only the digits 0-9"):
        client.predict("12a", "reverse", api_name="/attention_toy")
    with pytest.raises(AppError, match="no trained model yet"):
        client.predict("123", "session", api_name="/attention_toy")


def test_a_tiny_training_becomes_this_sessions_model(client: Client, monkeypatch) -> None:
    monkeypatch.setenv("DLL_MAX_STEPS", "10")  # read by the runner at submit time
    outputs = client.predict(task="copy", epochs=1, api_name="/attention_train")
    status, _loss, _accuracy, alignment, samples, download, model_choice, model_text = outputs
    assert "Training finished (ended by the step limit)" in status
    assert json.loads(alignment["plot"])["data"], "the alignment chart has no series"
    assert samples and download
    assert model_choice == "session" and "This session's **toy attention (copy)**" in model_text
    result = client.predict("1234", "session", api_name="/attention_toy")
    assert result["task"] == "copy"
