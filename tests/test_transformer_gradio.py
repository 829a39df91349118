"""The Transformer tab's HTTP API through gradio_client: /translate with its tokens and attention,
bad input, and a tiny training that becomes the session's model."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from core.registry import get_lab

SENTENCE = "the small cat does not see the red car near the old house."


def test_the_transformer_endpoints_are_listed(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/translate", "/transformer_train", "/transformer_stop"} <= set(endpoints)
    train_params = [p["parameter_name"] for p in endpoints["/transformer_train"]["parameters"]]
    assert train_params == [p.name for p in get_lab("transformer").spec.params]


def test_translate_returns_tokens_and_attention(client: Client) -> None:
    result = client.predict(SENTENCE, 1, "bundled", api_name="/translate")
    assert result["translation"].startswith("le petit chat ne voit pas la voiture rouge")
    assert result["origin"] == "bundled" and result["source_tokens"][-1] == "<eos>"
    cross = result["cross_attention"]
    assert len(cross[0][0]) == len(result["target_tokens"])
    assert len(cross[0][0][0]) == len(result["source_tokens"])
    beam = client.predict(SENTENCE, 100, "bundled", api_name="/translate")
    assert beam["beam"] == 10 and "Beam width 100 was changed to 10" in beam["notes"][0]


@pytest.mark.parametrize(
    ("text", "model", "message"),
    [
        ("", "bundled", "the text is empty"),
        ("x" * 2000, "bundled", "2,000 characters"),
        ("🙂🙂", "bundled", "None of these words"),
        ("the cat sleeps.", "session", "no trained model yet"),
        ("the cat sleeps.", "gpt", "Unknown model 'gpt'"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, text: str, model: str, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(text, 1, model, api_name="/translate")


def test_a_tiny_training_becomes_this_sessions_model(client: Client) -> None:
    outputs = client.predict(
        corpus_size=500, d_model=32, heads=2, layers=1, ff_size=64, epochs=1, api_name="/transformer_train"
    )
    status, _loss, bleu, _gallery, download, model_choice, model_text, samples = outputs
    assert "Training finished" in status and download
    assert json.loads(bleu["plot"])["data"], "the BLEU chart has no series"
    assert model_choice == "session" and "This session's Transformer 1+1 layers" in model_text
    assert "Held-out sentences" in samples
    result = client.predict("the cat sleeps.", 1, "session", api_name="/translate")
    assert result["origin"] == "session"
