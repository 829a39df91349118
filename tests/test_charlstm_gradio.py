"""The character-level text tab's HTTP API through gradio_client: /charlstm_generate with greedy
and sampled decoding, its clamps and bad input, and a tiny training on new sentences that becomes
the session's model (the app and `client` come from conftest.py)."""

from __future__ import annotations

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from core.registry import get_lab


def test_the_endpoints_are_listed_with_the_specs_settings(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/charlstm_generate", "/charlstm_model_info", "/charlstm_train", "/charlstm_stop"} <= set(
        endpoints
    )
    train_params = [p["parameter_name"] for p in endpoints["/charlstm_train"]["parameters"]]
    assert train_params == [p.name for p in get_lab("charlstm").spec.params]


def test_greedy_and_sampled_generation(client: Client) -> None:
    result = client.predict("Deep", 0, 1, 0, "bundled", api_name="/charlstm_generate")
    assert result["texts"] == ["Deep learning models learn patterns from data."]
    assert result["memorised"] == [True] and result["decoding"] == "greedy"
    sampled = client.predict("", 0.5, 4, 7, "bundled", api_name="/charlstm_generate")
    assert len(sampled["texts"]) == 4 and sampled["decoding"] == "sampling"
    hot = client.predict("The", 1e6, 1, 0, "bundled", api_name="/charlstm_generate")
    assert hot["temperature"] == 10 and "clamped" in hot["notes"][0]


@pytest.mark.parametrize(
    ("prompt", "temperature", "count", "model", "message"),
    [
        ("The", -1, 1, "bundled", "0 \\(greedy\\) or more"),
        ("x" * 600, 0.5, 1, "bundled", "the limit is 500"),
        ("Grüße 🙂", 0.5, 1, "bundled", "never saw"),
        ("The", 0.5, 99, "bundled", "between 1 and 50"),
        ("The", 0.5, 1, "session", "no trained model yet"),
        ("The", 0.5, 1, "gpt", "Unknown model 'gpt'"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, prompt, temperature, count, model, message) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(prompt, temperature, count, 0, model, api_name="/charlstm_generate")


def test_a_tiny_training_on_new_sentences_becomes_this_sessions_model(client: Client) -> None:
    with pytest.raises(AppError, match="at least one sentence"):
        client.predict(sentences="  ", api_name="/charlstm_train")
    outputs = client.predict(
        sentences="Hi there.\nGo on.", hidden_size=16, layers=1, epochs=20, api_name="/charlstm_train"
    )
    status, _loss, _samples, download, model_choice, model_text, _memorisation = outputs
    assert "Training finished" in status and download
    assert model_choice == "session" and "Hi there." in model_text
    result = client.predict("H", 0, 1, 0, "session", api_name="/charlstm_generate")
    assert result["texts"][0].startswith("H")
