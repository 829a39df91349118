"""The seq2seq tab's HTTP API through gradio_client: /seq2seq_translate with the bundled pair,
bad text, and a tiny training of both models that becomes the session's pair (the app and
`client` come from conftest.py)."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from core.registry import get_lab


def test_the_endpoints_are_listed(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/seq2seq_translate", "/seq2seq_model_info", "/seq2seq_train", "/seq2seq_stop"} <= set(endpoints)
    train_params = [p["parameter_name"] for p in endpoints["/seq2seq_train"]["parameters"]]
    assert train_params == [p.name for p in get_lab("seq2seq").spec.params]


def test_translate_gives_both_models_and_the_alignment(client: Client) -> None:
    result = client.predict("the zorblax sees the red car.", "bundled", api_name="/seq2seq_translate")
    assert result["unknown_words"] == ["zorblax"] and "<unk>" in result["source_tokens"]
    assert result["attention"] and isinstance(result["plain"], str)
    assert len(result["alignment"]) == len(result["target_tokens"])
    assert all(len(row) == len(result["source_tokens"]) for row in result["alignment"])


@pytest.mark.parametrize(
    ("text", "model", "message"),
    [
        ("", "bundled", "the text is empty"),
        ("x" * 2000, "bundled", "2,000 characters long"),
        ("zorblax 😀", "bundled", "None of these words"),
        ("the cat", "session", "no trained model yet"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, text: str, model: str, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(text, model, api_name="/seq2seq_translate")


def test_a_tiny_training_becomes_this_sessions_pair(client: Client, monkeypatch) -> None:
    monkeypatch.setenv("DLL_MAX_STEPS", "4")  # read by the runner at submit time
    outputs = client.predict(corpus_size=300, hidden=24, embedding=16, epochs=1, api_name="/seq2seq_train")
    status, loss, _bleu, _samples, download, model_choice, model_text = outputs
    assert "Training finished" in status
    names = {series["name"] for series in json.loads(loss["plot"])["data"]}
    assert {"with attention", "without attention"} <= names
    assert download and model_choice == "session" and "This session's" in model_text
    result = client.predict("the cat sleeps.", "session", api_name="/seq2seq_translate")
    assert "alignment" in result
