"""The MNIST row-by-row tab's HTTP API through gradio_client: /mnist_rows_classify and
/mnist_rows_classify_drawing with every reader's answer and hidden states, their bad input, and a
tiny side-by-side training that becomes the session's models (the app and `client` come from
conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image, ImageDraw

from core.labs.mnist_rows import ROW_MODELS
from core.registry import get_lab

ONE = [[1.0 if 13 <= x <= 15 and 4 <= y <= 23 else 0.0 for x in range(28)] for y in range(28)]


def test_the_endpoints_are_listed_with_the_specs_settings(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    wanted = {"/mnist_rows_classify", "/mnist_rows_classify_drawing", "/mnist_rows_train", "/mnist_rows_stop"}
    assert wanted <= set(endpoints)
    train_params = [p["parameter_name"] for p in endpoints["/mnist_rows_train"]["parameters"]]
    assert train_params == [p.name for p in get_lab("mnist-rows").spec.params]


def test_every_reader_answers_with_its_hidden_states(client: Client, tmp_path: Path) -> None:
    result = client.predict(ONE, "bundled", api_name="/mnist_rows_classify_drawing")
    assert list(result["models"]) == list(ROW_MODELS) and result["origin"] == "bundled"
    assert result["models"]["lstm"]["prediction"] == "1"
    assert len(result["models"]["bilstm"]["hidden"]) == 28
    image = Image.new("RGB", (120, 160), "white")
    ImageDraw.Draw(image).line([(60, 20), (60, 140)], fill="black", width=12)
    image.save(tmp_path / "one.png")
    result = client.predict(
        handle_file(str(tmp_path / "one.png")), "bundled", api_name="/mnist_rows_classify"
    )
    assert result["models"]["bilstm"]["prediction"] == "1"


@pytest.mark.parametrize(
    ("pixels", "model", "message"),
    [
        ([[0] * 28] * 28, "bundled", "blank"),
        ([1, 2, 3], "bundled", "2-D list"),
        (ONE, "resnet", "Unknown model 'resnet'"),
        (ONE, "session", "no trained model yet"),
    ],
)
def test_bad_input_gets_a_clear_error(client: Client, pixels, model: str, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(pixels, model, api_name="/mnist_rows_classify_drawing")


@pytest.mark.usefixtures("data_dir")
def test_a_tiny_side_by_side_training_becomes_this_sessions_models(client: Client, monkeypatch) -> None:
    monkeypatch.setenv("DLL_MAX_STEPS", "4")  # read by the runner at submit time
    with pytest.raises(AppError, match=r"'cnn'.*not in the list of choices"):
        client.predict(models=["cnn"], api_name="/mnist_rows_train")  # Gradio checks the choices
    outputs = client.predict(models=["rnn", "gru"], hidden_size=16, epochs=1, api_name="/mnist_rows_train")
    status, samples, download, model_choice, model_text, accuracy, _loss = outputs
    assert "Training finished (ended by the step limit)" in status
    traces = {trace["name"] for trace in json.loads(accuracy["plot"])["data"]}
    assert traces == {"RNN (epoch end)", "GRU (epoch end)"}  # 4 steps: before the first live sample
    assert samples and download
    assert model_choice == "session" and "RNN" in model_text
    result = client.predict(ONE, "session", api_name="/mnist_rows_classify_drawing")
    assert list(result["models"]) == ["rnn", "gru"] and result["origin"] == "session"
