"""The MNIST row-by-row tab's HTTP API through gradio_client: /mnist_rows_read with every
reader's answer and hidden states, /mnist_rows_scores, their bad input, and a tiny side-by-side
training that becomes the session's models (the app and `client` come from conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from helpers import digit_one_png, lab_endpoints, train_through_api
from PIL import Image

from core.labs.mnist_rows.spec import ROW_MODELS


def one(path: Path) -> Path:
    path.write_bytes(digit_one_png(mode="RGB"))
    return path


def test_the_endpoints_are_listed_with_the_specs_settings(client: Client) -> None:
    lab_endpoints(client, "mnist-rows", "read", "scores")


def test_every_reader_answers_with_its_hidden_states(client: Client, tmp_path: Path) -> None:
    result = client.predict(image=handle_file(str(one(tmp_path / "one.png"))), api_name="/mnist_rows_read")
    assert set(ROW_MODELS) <= set(result) and result["origin"] == "bundled" and result["model"]
    assert result["lstm"]["prediction"] == "1" and result["bilstm"]["prediction"] == "1"
    (heatmap,) = result["bilstm_hidden"]  # one trace: hidden units down, the 28 rows across
    assert len(heatmap["z"]) == 256 and len(heatmap["z"][0]) == 28
    assert "| Bidirectional LSTM | **1** |" in result["answers"]
    scores = client.predict(model="all", api_name="/mnist_rows_scores")["table"]
    assert [row["model"] for row in scores][-1] == "Bidirectional LSTM"


def test_bad_input_gets_a_clear_error(client: Client, tmp_path: Path) -> None:
    Image.new("L", (28, 28), 0).save(tmp_path / "black.png")
    (tmp_path / "notes.png").write_text("not a picture")
    cases = [
        ("black.png", "all", r"No digit found|blank"),
        ("notes.png", "all", "not a readable png, jpg or webp image"),
        ("black.png", "resnet", "Unknown model 'resnet'"),
        ("black.png", "session", "no trained model yet"),
    ]
    for name, model, message in cases:
        with pytest.raises(AppError, match=message):
            client.predict(image=handle_file(str(tmp_path / name)), model=model, api_name="/mnist_rows_read")


@pytest.mark.usefixtures("data_dir")
def test_a_tiny_side_by_side_training_becomes_this_sessions_models(
    client: Client, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DLL_MAX_STEPS", "4")  # read by the runner at submit time
    with pytest.raises(AppError, match=r"'cnn'.*not in the list of choices"):
        client.predict(models=["cnn"], api_name="/mnist_rows_train")  # Gradio checks the choices
    outputs = train_through_api(client, "mnist-rows", models=["rnn", "gru"], hidden_size=16, epochs=1)
    status, _loss, samples, _download, _choice, model_text = outputs
    assert "Training finished (ended by the step limit)" in status
    assert samples and "rnn, gru" in model_text
    result = client.predict(
        image=handle_file(str(one(tmp_path / "one.png"))), model="session", api_name="/mnist_rows_read"
    )
    assert {"rnn", "gru"} <= set(result) and "lstm" not in result and result["origin"] == "session"


def test_the_scores_panel_draws_this_sessions_curves_reader_by_reader() -> None:
    """The Gradio workaround for the side-by-side curves (the generated Train tab charts the mean
    loss only): a button under the scores draws every reader's curves from the session's job."""
    from types import SimpleNamespace

    import gradio as gr

    from core.events import EpochEnd, Progress
    from gradio_tabs.common import LabSession
    from gradio_tabs.panels.mnist_rows import _curves

    events = [
        Progress(1, 2, 0.5, {"loss": 2.0, "rnn_loss": 2.1, "lstm_loss": 1.9}),
        Progress(2, 2, 1.0, {"loss": 1.5, "rnn_loss": 1.6, "lstm_loss": 1.4, "heldout_lstm_accuracy": 0.6}),
        EpochEnd(1, 2, {"heldout_rnn_accuracy": 0.4, "heldout_lstm_accuracy": 0.7}),
    ]
    job = SimpleNamespace(events_since=lambda index: events[index:])
    accuracy, loss = _curves(LabSession(job=job))
    assert {"RNN (epoch end)", "LSTM (epoch end)"} <= {trace.name for trace in accuracy.data}
    assert {"RNN", "LSTM"} <= {trace.name for trace in loss.data}
    with pytest.raises(gr.Error, match="not trained yet"):
        _curves(LabSession())
