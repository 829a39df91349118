"""The cnn-architectures tab's HTTP API through gradio_client: /cnn_architectures_classify with
every network's answer, /cnn_architectures_compare and /cnn_architectures_gradients, bad input,
and a tiny training that becomes the session's networks (the app and `client` from conftest.py)."""

from __future__ import annotations

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from helpers import lab_endpoints, train_through_api

from core.labs.cnn_architectures.spec import ARCHITECTURES


def test_the_endpoints_are_listed_with_the_specs_settings(client: Client) -> None:
    lab_endpoints(client, "cnn-architectures", "compare", "classify", "gradients", "deep")


def test_every_network_answers_and_the_table_compares_them(client: Client) -> None:
    result = client.predict(index=0, api_name="/cnn_architectures_classify")
    assert set(ARCHITECTURES) <= set(result) and result["origin"] == "bundled"
    assert result["resnet"]["prediction"] == "Ankle boot"
    table = client.predict(model="all", api_name="/cnn_architectures_compare")["table"]
    assert [row["network"] for row in table][-1] == "EfficientNet-Lite0 (pretrained)"
    gradients = client.predict(depth=10, seed=0, api_name="/cnn_architectures_gradients")
    assert "without skips" in gradients["summary"]


def test_bad_input_gets_a_clear_error(client: Client) -> None:
    with pytest.raises(AppError, match="Test picture 20000 does not exist"):
        client.predict(index=20000, api_name="/cnn_architectures_classify")
    with pytest.raises(AppError, match="Unknown model 'resnet'"):
        client.predict(index=0, model="resnet", api_name="/cnn_architectures_classify")
    with pytest.raises(AppError, match="no trained model yet"):
        client.predict(model="session", api_name="/cnn_architectures_compare")


@pytest.mark.usefixtures("data_dir")
def test_a_tiny_training_becomes_this_sessions_networks(client: Client, monkeypatch) -> None:
    monkeypatch.setenv("DLL_MAX_STEPS", "4")  # read by the runner at submit time
    outputs = train_through_api(
        client,
        "cnn-architectures",
        models=["simple", "resnet"],
        width=8,
        train_images=500,
        test_images=200,
        deep_layers=0,
    )
    assert "Training finished (ended by the step limit)" in outputs[0]
    result = client.predict(index=1, model="session", api_name="/cnn_architectures_classify")
    assert {"simple", "resnet"} <= set(result) and "vgg" not in result and result["origin"] == "session"
    with pytest.raises(AppError, match="without the skip-connection experiment"):
        client.predict(model="session", api_name="/cnn_architectures_deep")
