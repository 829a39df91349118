"""The character-level text tab's HTTP API through gradio_client: /charlstm_generate with greedy
and sampled decoding, its clamps and bad input, /charlstm_memorisation, and a tiny training on
new sentences that becomes the session's model (the app and `client` come from conftest.py)."""

from __future__ import annotations

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import lab_endpoints, parameters, train_through_api

GENERATE = "/charlstm_generate"


def test_the_endpoints_are_listed_with_the_specs_settings(client: Client) -> None:
    endpoints = lab_endpoints(client, "charlstm", "generate", "memorisation")
    assert parameters(endpoints, GENERATE) == ["model", "prompt", "greedy", "temperature", "count", "seed"]


def test_greedy_and_sampled_generation(client: Client) -> None:
    result = client.predict(prompt="Deep", temperature=0, count=1, model="default", api_name=GENERATE)
    assert result["texts"] == [
        {"text": "Deep learning models learn patterns from data.", "memorised": True, "finished": True}
    ]
    assert "Greedy decoding" in result["written"]
    greedy = client.predict(prompt="Deep", greedy=True, api_name=GENERATE)
    assert greedy["texts"] == result["texts"]
    sampled = client.predict(temperature=0.5, count=4, seed=7, api_name=GENERATE)
    assert len(sampled["texts"]) == 4 and "Sampled at temperature 0.5" in sampled["written"]
    hot = client.predict(prompt="The", temperature=50, count=1, api_name=GENERATE)
    assert "clamped to 10" in hot["written"]


def test_memorisation_lists_what_it_learnt(client: Client) -> None:
    result = client.predict(samples=20, api_name="/charlstm_memorisation")
    assert len(result["sentences"]) == 5 and "Memorisation rate" in result["summary"]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"prompt": "The", "temperature": -1}, r"Temperature: -1 is out of range \[0, 1000\]"),
        ({"prompt": "x" * 600}, "the limit is 500"),
        ({"prompt": "Grüße 🙂"}, "never saw"),
        ({"prompt": "The", "count": 99}, "greater than maximum value 50"),
        ({"prompt": "The", "model": "session"}, "no trained model yet"),
        ({"prompt": "The", "model": "gpt"}, "Unknown model 'gpt'"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, inputs: dict, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(**inputs, api_name=GENERATE)


def test_a_tiny_training_on_new_sentences_becomes_this_sessions_model(client: Client) -> None:
    with pytest.raises(AppError, match="at least one sentence"):
        client.predict(sentences="  ", api_name="/charlstm_train")
    outputs = train_through_api(
        client, "charlstm", sentences="Hi there.\nGo on.", hidden_size=16, layers=1, epochs=20
    )
    assert "2 sentences typed in the lab" in outputs[-1]
    learnt = client.predict(samples=5, model="session", api_name="/charlstm_memorisation")
    assert [row["sentence"] for row in learnt["sentences"]] == ["Hi there.", "Go on."]
    result = client.predict(prompt="H", greedy=True, model="session", api_name=GENERATE)
    assert result["texts"][0]["text"].startswith("H")
