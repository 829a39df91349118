"""The sentiment tab's HTTP API through gradio_client: /sentiment_classify with both readers'
verdicts and each word's push, /sentiment_scores and /sentiment_mistakes, their bad input, and a
tiny side-by-side training that becomes the session's readers (the app and `client` come from
conftest.py)."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import lab_endpoints

REVIEW = "Stale crackers, half the box broken. Not worth the price."


def test_the_endpoints_are_listed_with_the_specs_settings(client: Client) -> None:
    lab_endpoints(client, "sentiment", "classify", "scores", "mistakes")


def test_both_readers_score_a_review_word_by_word(client: Client) -> None:
    result = client.predict(review=REVIEW, api_name="/sentiment_classify")
    assert result["origin"] == "bundled" and "Amazon fine-food reviews" in result["trained_on"]
    assert result["lstm"]["prediction"] in ("great", "other") and "gru" in result
    assert result["contributions"]["y"] == ["LSTM", "GRU"] and "Stale" in result["contributions"]["x"]
    assert "TF-IDF + logistic regression" in result["answers"]
    scores = client.predict(api_name="/sentiment_scores")["table"]
    assert [row["model"] for row in scores][:2] == ["LSTM", "GRU"]
    wrong = client.predict(reader="gru", count=3, api_name="/sentiment_mistakes")["table"]
    assert len(wrong) == 3


@pytest.mark.parametrize(
    ("endpoint", "inputs", "message"),
    [
        ("/sentiment_classify", {"review": "   "}, "the text is empty"),
        ("/sentiment_classify", {"review": "qwzx vbnq"}, "None of these words"),
        ("/sentiment_classify", {"review": "yum " * 400}, "read at most 256"),
        ("/sentiment_mistakes", {"reader": "rnn"}, r"'rnn'.*not in the list of choices"),
        ("/sentiment_scores", {"model": "session"}, "no trained model yet"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, endpoint: str, inputs: dict, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(**inputs, api_name=endpoint)


def test_a_tiny_side_by_side_training_becomes_this_sessions_readers(client: Client) -> None:
    outputs = client.predict(embedding_dim=8, hidden_size=8, epochs=1, api_name="/sentiment_train")
    status, _accuracy, loss, _samples, download, model_choice, model_text = outputs
    assert "Training finished (ended by the step limit)" in status
    assert json.loads(loss["plot"])["data"], "no loss curves"
    assert download and model_choice == "session" and "trained in this session" in model_text
    result = client.predict(review=REVIEW, model="session", api_name="/sentiment_classify")
    assert result["origin"] == "session" and {"lstm", "gru"} <= set(result)
