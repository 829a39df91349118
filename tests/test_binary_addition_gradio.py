"""The binary addition tab's HTTP API through gradio_client: /add, its bad input, and a tiny
training that becomes the session's model."""

from __future__ import annotations

import json

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from core.registry import get_lab


def test_the_addition_endpoints_are_listed(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    wanted = {"/add", "/binary_addition_model_info", "/binary_addition_train", "/binary_addition_stop"}
    assert wanted <= set(endpoints)
    train_params = [p["parameter_name"] for p in endpoints["/binary_addition_train"]["parameters"]]
    assert train_params == [p.name for p in get_lab("binary-addition").spec.params]


def test_add_gives_the_sum_and_a_confidence_per_bit(client: Client) -> None:
    result = client.predict("1011", "111", 1.0, "bundled", api_name="/add")
    assert result["sum_bits"] == "10010" and result["sum_value"] == 18 and result["correct"]
    assert len(result["confidence_per_bit_lsb_first"]) == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("1012", "1", 1.0, "bundled"), "only the digits 0 and 1"),
        (("1" * 22, "1", 1.0, "bundled"), "22 bits is longer than this model takes"),
        (("1", "1", -1, "bundled"), "temperature must be 0 or more"),
        (("1", "1", 1.0, "session"), "no trained model yet"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/add")


def test_a_tiny_training_becomes_this_sessions_model(client: Client) -> None:
    outputs = client.predict(train_length=3, api_name="/binary_addition_train")
    status, loss, _bits, _sums, _samples, download, model_choice, model_text = outputs
    assert "Training finished (ended by the step limit)" in status
    assert json.loads(loss["plot"])["data"], "the loss chart has no series"
    assert download and model_choice == "session" and "This session's" in model_text
    result = client.predict("11", "1", 1.0, "session", api_name="/add")
    assert result["expected_value"] == 4 and len(result["confidence_per_bit_lsb_first"]) == 3
