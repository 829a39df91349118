"""The seq2seq tab's HTTP API through gradio_client: /seq2seq_translate and /seq2seq_heldout with
the bundled pair, bad text, and a tiny training of both models that becomes the session's pair
(the app and `client` come from conftest.py)."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import lab_endpoints, train_through_api

BUNDLED = "tatoeba"


def test_the_endpoints_are_listed(client: Client) -> None:
    lab_endpoints(client, "seq2seq", "translate", "heldout")


def test_translate_gives_both_models_and_the_alignment(client: Client) -> None:
    result = client.predict(
        text="the zorblax sees the red car.", model=BUNDLED, api_name="/seq2seq_translate"
    )
    assert "read as `<unk>`: `zorblax`" in result["notes"]
    assert result["attention"].startswith("**With attention:**")
    assert result["plain"].startswith("**Without attention:**")
    alignment = result["alignment"]
    assert "<unk>" in alignment["x"] and alignment["x"][-1] == "<eos>"
    assert len(alignment["values"]) == len(alignment["y"])
    assert all(len(row) == len(alignment["x"]) for row in alignment["values"])
    assert result["model"] == "GRU seq2seq, additive attention vs none" and result["origin"] == "bundled"
    assert {"word": "zorblax", "seen in training": "never: unknown", "read as": "<unk>"} in result["words"]


def test_a_heldout_sentence_comes_with_its_reference(client: Client) -> None:
    result = client.predict(index=0, api_name="/seq2seq_heldout")
    assert result["source"].startswith("Held-out sentence 0:") and "Reference" in result["notes"]


@pytest.mark.parametrize(
    ("text", "model", "message"),
    [
        ("", BUNDLED, "the text is empty"),
        ("x" * 2000, BUNDLED, "2,000 characters long"),
        ("zorblax 😀", BUNDLED, "None of these words"),
        ("the cat", "session", "no trained model yet"),
        ("the cat", "bundled", "Unknown model 'bundled'"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, text: str, model: str, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(text=text, model=model, api_name="/seq2seq_translate")


def test_a_tiny_training_becomes_this_sessions_pair(client: Client, monkeypatch) -> None:
    monkeypatch.setenv("DLL_MAX_STEPS", "4")  # read by the runner at submit time
    settings = {"corpus": "generated", "corpus_size": 300, "hidden": 24, "embedding": 16, "epochs": 1}
    outputs = train_through_api(client, "seq2seq", **settings)
    _status, loss, bleu, bleu_long, _samples, _download, _choice, text = outputs
    for chart in (loss, bleu, bleu_long):  # both models on each chart
        names = " / ".join(series.get("name", "") for series in json.loads(chart["plot"])["data"])
        assert "with attention" in names and "without attention" in names, names
    assert {"with attention", "without attention"} <= {s["name"] for s in json.loads(loss["plot"])["data"]}
    assert "trained in this session" in text
    result = client.predict(text="the cat sleeps.", model="session", api_name="/seq2seq_translate")
    assert "alignment" in result and result["origin"] == "session"
