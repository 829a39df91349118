"""The Transformer tab's HTTP API through gradio_client: /transformer_translate with its tokens and
attention, /transformer_heldout, bad input, and a tiny training that becomes the session's
model."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import lab_endpoints, train_through_api

SENTENCE = "the small cat does not see the red car near the old house."


def test_the_transformer_endpoints_are_listed(client: Client) -> None:
    lab_endpoints(client, "transformer", "translate", "heldout")


def test_translate_returns_tokens_and_attention(client: Client) -> None:
    result = client.predict(text=SENTENCE, model="generated", api_name="/transformer_translate")
    assert result["translation"].startswith("le petit chat ne voit pas la voiture rouge")
    assert result["origin"] == "bundled" and result["model"].startswith("Transformer 2+2 layers")
    cross = result["cross_attention"]
    assert cross["x"][-1] == "<eos>" and cross["y"][-1] == "<eos>"
    assert len(cross["values"]) == len(cross["y"]) and len(cross["values"][0]) == len(cross["x"])
    assert len(result["every_head"]) == 2 * 4  # layers x heads
    beam = client.predict(
        text=SENTENCE, beam=10, layer=1, head=3, model="generated", api_name="/transformer_translate"
    )
    assert "beam search, width 10" in beam["details"]
    assert beam["cross_attention"]["values"] != cross["values"]  # layer 1, head 3: another map
    real = client.predict(text="Tom is here.", api_name="/transformer_translate")  # the default: Tatoeba
    assert "Tom" in real["translation"] and real["words"][0]["word"] == "tom"


def test_a_heldout_sentence_comes_with_its_reference(client: Client) -> None:
    result = client.predict(index=3, api_name="/transformer_heldout")
    assert result["source"].startswith("Held-out sentence 3:") and "Reference" in result["details"]


@pytest.mark.parametrize(
    ("text", "model", "beam", "message"),
    [
        ("", "tatoeba", 1, "the text is empty"),
        ("x" * 2000, "tatoeba", 1, "2,000 characters"),
        ("🙂🙂", "generated", 1, "None of these words"),
        ("the cat sleeps.", "tatoeba", 100, "greater than maximum value 10"),
        ("the cat sleeps.", "session", 1, "no trained model yet"),
        ("the cat sleeps.", "gpt", 1, "Unknown model 'gpt'"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, text: str, model: str, beam: int, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(text=text, beam=beam, model=model, api_name="/transformer_translate")


def test_a_tiny_training_becomes_this_sessions_model(client: Client) -> None:
    settings = {
        "corpus": "generated",
        "corpus_size": 500,
        "d_model": 32,
        "heads": 2,
        "layers": 1,
        "ff_size": 64,
    }
    settings["epochs"] = 1
    outputs = train_through_api(client, "transformer", **settings)
    _status, _loss, bleu, translations, _gallery, _download, _choice, model_text = outputs
    assert json.loads(bleu["plot"])["data"], "the BLEU chart has no series"
    table = json.loads(translations["plot"])
    assert table["layout"]["title"]["text"].startswith("Held-out sentences at epoch")
    assert all("→" in line for line in table["data"][0]["cells"]["values"][0])
    assert "**Transformer 1+1 layers" in model_text
    result = client.predict(text="the cat sleeps.", model="session", api_name="/transformer_translate")
    assert result["origin"] == "session" and len(result["every_head"]) == 2  # 1 layer x 2 heads
