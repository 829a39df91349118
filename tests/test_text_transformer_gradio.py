"""The text Transformer tab's HTTP API through gradio_client: /text_transformer_classify with
the [CLS] attention, /text_transformer_scores beside the LSTM and GRU, bad input, and a tiny
training that becomes the session's model (the app and `client` come from conftest.py)."""

from __future__ import annotations

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import lab_endpoints

REVIEW = "Smooth coffee, but the bag arrived torn."


def test_the_endpoints_are_listed_with_the_specs_settings(client: Client) -> None:
    lab_endpoints(client, "text-transformer", "classify", "scores")


def test_a_review_and_the_scores(client: Client) -> None:
    result = client.predict(review=REVIEW, api_name="/text_transformer_classify")
    assert result["origin"] == "bundled" and result["cls"]["x"][0] == "[CLS]"
    assert result["great"]["prediction"] in ("great", "other")
    table = client.predict(api_name="/text_transformer_scores")["table"]
    models = [row["model"] for row in table]
    assert models[:3] == ["Transformer", "LSTM (sentiment lab)", "GRU (sentiment lab)"]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [({"review": ""}, "the text is empty"), ({"review": "qwzx"}, "None of these words")],
)
def test_bad_input_gets_a_clear_error(client: Client, inputs: dict, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(**inputs, api_name="/text_transformer_classify")


def test_a_tiny_training_becomes_this_sessions_model(client: Client) -> None:
    with pytest.raises(AppError, match="do not divide the width"):
        client.predict(heads=3, api_name="/text_transformer_train")
    outputs = client.predict(d_model=16, heads=2, layers=1, epochs=1, api_name="/text_transformer_train")
    status, model_choice = outputs[0], outputs[-2]
    assert "Training finished (ended by the step limit)" in status and model_choice == "session"
    result = client.predict(review=REVIEW, model="session", api_name="/text_transformer_classify")
    assert result["origin"] == "session" and len(result["cls"]["y"]) == 2
