"""The attention tab's HTTP API through gradio_client: /attention_explore (the explorer), its bad
input, /attention_toy with either bundled model, and a tiny training that becomes the session's
model (the app and `client` come from conftest.py)."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import lab_endpoints, parameters, train_through_api

from core.registry import get_lab


def test_the_endpoints_are_listed(client: Client) -> None:
    endpoints = lab_endpoints(client, "attention", "explore", "toy")
    assert set(parameters(endpoints, "/attention_explore")) == {
        p.name for p in get_lab("attention").interaction("explore").inputs
    }


def test_explore_returns_weights_scores_and_every_head(client: Client) -> None:
    result = client.predict(
        query="the cat sat",
        keys="a cat",
        heads=2,
        temperature=0.5,
        causal=True,
        pad_to=4,
        api_name="/attention_explore",
    )
    weights, scores = result["weights"], result["scores"]
    assert weights["y"] == ["the", "cat", "sat"] and weights["x"] == ["a", "cat", "<pad>", "<pad>"]
    assert weights["values"][0] == [1.0, 0.0, 0.0, 0.0]  # causal: the first word sees key 0 only
    assert scores["values"][0][1] is None  # masked
    assert len(result["per_head"]) == 2  # one heatmap per head
    assert result["outputs"] and result["gru_state"] and result["gru_influence"]["y"] == ["GRU"]
    assert "2 heads of 32 coordinates" in result["summary"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"query": "", "keys": "a cat"}, "query sentence is empty"),
        ({"query": "a cat", "keys": "a cat", "heads": 3}, "3 heads do not divide"),
        ({"query": "a cat", "keys": "a cat", "temperature": -2}, r"out of range \[0.01, 100\]"),
        ({"query": "a cat", "keys": "a cat", "temperature": 1e6}, r"out of range \[0.01, 100\]"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, values: dict, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(**values, api_name="/attention_explore")


def test_the_toy_models_reverse_or_copy_and_refuse_letters(client: Client) -> None:
    result = client.predict(digits="12345", model="reverse", api_name="/attention_toy")
    assert "**54321** (right)" in result["answer"] and result["model"] == "toy attention (reverse)"
    copy = client.predict(digits="12345", model="copy", api_name="/attention_toy")
    assert "**12345** (right)" in copy["answer"]
    with pytest.raises(AppError, match="only the digits 0-9"):
        client.predict(digits="12a", model="reverse", api_name="/attention_toy")
    with pytest.raises(AppError, match="no trained model yet"):
        client.predict(digits="123", model="session", api_name="/attention_toy")


def test_a_tiny_training_becomes_this_sessions_model(client: Client, monkeypatch) -> None:
    monkeypatch.setenv("DLL_MAX_STEPS", "10")  # read by the runner at submit time
    outputs = train_through_api(client, "attention", task="copy", epochs=1)
    status, _loss, _accuracy, alignment, samples, _download, _choice, model_text = outputs
    assert "Training finished (ended by the step limit)" in status
    assert json.loads(alignment["plot"])["data"], "the alignment chart has no series"
    assert samples and "**toy attention (copy)**, trained in this session" in model_text
    result = client.predict(digits="1234", model="session", api_name="/attention_toy")
    assert result["answer"].startswith("**copy** 1234")
