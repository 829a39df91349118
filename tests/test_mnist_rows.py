"""The MNIST row-by-row lab: the readers, the models setting, side-by-side training through the
runner, the bundled readers against the course's figures, the drawing interaction and the CLI."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from core.checkpoints import read_checkpoint
from core.cli import main
from core.events import EpochEnd, Progress, Samples
from core.imaging import ImageInputError
from core.labs import mnist_rows
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("mnist-rows")


def pad_with(points, width=18, size=280) -> np.ndarray:
    image = Image.new("RGBA", (size, size), "black")
    ImageDraw.Draw(image).line(points, fill="white", width=width, joint="curve")
    return np.asarray(image)


ONE = [(140, 40), (140, 240)]


# --- the readers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "normalization", "extra_fc"),
    [
        ("rnn", "none", False),
        ("lstm", "layer", False),
        ("gru", "batch", True),
        ("birnn", "layer", True),
        ("bilstm", "none", False),
    ],
)
def test_every_reader_reads_28_rows_into_ten_logits(kind, normalization, extra_fc):
    reader = mnist_rows.RowReader(kind, 16, normalization, extra_fc).eval()
    images = torch.rand(3, 28, 28)
    outputs, summary = reader.read(images)
    width = 32 if kind.startswith("bi") else 16
    assert outputs.shape == (3, 28, width) and summary.shape == (3, width)
    assert reader(images).shape == (3, 10)
    assert torch.allclose(reader(images[:, None]), reader(images))  # (N, 1, 28, 28) works too


def test_a_bidirectional_reader_reads_each_directions_final_state():
    """The course read out[-1], where the backward direction has seen the last row only."""
    reader = mnist_rows.RowReader("bilstm", 8, "none", False).eval()
    outputs, summary = reader.read(torch.rand(2, 28, 28))
    assert torch.allclose(summary[:, :8], outputs[:, -1, :8])  # forward, after the last row
    assert torch.allclose(summary[:, 8:], outputs[:, 0, 8:])  # backward, after the first row


def test_the_models_setting_takes_lists_or_comma_separated_names():
    spec = LAB.spec
    assert spec.validate({"models": "bilstm, rnn"})["models"] == ["rnn", "bilstm"]
    assert spec.validate({"models": ["gru"]})["models"] == ["gru"]
    assert spec.validate()["models"] == ["rnn", "lstm", "bilstm"]
    with pytest.raises(SpecError, match="pick at least one"):
        spec.validate({"models": []})
    with pytest.raises(SpecError, match="'cnn' not among rnn, lstm, gru, birnn, bilstm"):
        spec.validate({"models": "rnn,cnn"})


# --- training ------------------------------------------------------------------------------


def test_readers_train_side_by_side_and_save_under_their_own_prefixes(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    settings = {"models": "rnn,gru", "hidden_size": 16, "epochs": 1, "batch_size": 256}
    job = runner.submit(LAB, settings, data_dir=data_dir, max_steps=6)
    events = list(job.stream())
    assert job.state == "finished", job.message
    progress = [e for e in events if isinstance(e, Progress)]
    assert len(progress) == 6
    assert {"loss", "rnn_loss", "gru_loss", "rnn_accuracy", "gru_accuracy"} <= set(progress[0].metrics)
    (epoch,) = [e for e in events if isinstance(e, EpochEnd)]
    assert {"heldout_rnn_accuracy", "heldout_gru_accuracy", "train_gru_loss"} <= set(epoch.metrics)
    (samples,) = [e for e in events if isinstance(e, Samples)]
    assert samples.images.shape == (12, 28, 28) and "rnn" in samples.captions[0]

    metrics = job.result.metrics
    assert set(metrics["heldout_accuracy"]) == {"rnn", "gru"} and metrics["heldout_size"] == 3604
    assert metrics["course_accuracy"] == {"rnn": 0.924, "gru": None}
    assert metrics["model_seconds"]["rnn"] > 0
    keys = read_checkpoint(job.checkpoint_dir).state_dict
    assert {key.split(".")[0] for key in keys} == {"rnn", "gru"}
    reloaded = LAB.load(job.checkpoint_dir)
    figures = LAB.evaluate(reloaded, data_dir)["models"]
    assert figures["rnn"]["heldout_accuracy"] == metrics["heldout_accuracy"]["rnn"]


# --- the bundled readers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


def test_a_drawn_one_is_read_by_every_model_with_its_hidden_states(bundled):
    readings = mnist_rows.read_drawing_rows(bundled, pad_with(ONE))
    assert [r.model for r in readings] == list(mnist_rows.ROW_MODELS)
    assert sum(r.label == "1" for r in readings) >= 4
    for reading in readings:
        width = (
            2 * bundled.config["hidden_size"]
            if reading.model.startswith("bi")
            else bundled.config["hidden_size"]
        )
        assert reading.hidden.shape == (28, width)
        assert reading.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert len(readings[0].to_dict(hidden=True)["hidden"]) == 28


def test_an_empty_drawing_and_a_wrong_frame_are_refused(bundled):
    with pytest.raises(ImageInputError, match="blank"):
        mnist_rows.read_drawing_rows(bundled, np.zeros((280, 280, 4), dtype=np.uint8))
    with pytest.raises(ImageInputError, match="28x28"):
        mnist_rows.read_frame(bundled, np.zeros((20, 20)))
    with pytest.raises(ImageInputError, match="not a readable"):
        mnist_rows.read_upload_rows(bundled, b"not an image")


# --- command line --------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_png(path):
    image = Image.new("L", (120, 160), 255)  # dark ink on light paper
    ImageDraw.Draw(image).line([(60, 20), (60, 140)], fill=0, width=12)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_cli_classify_rows_reads_with_every_model(capsys, tmp_path):
    image = one_png(tmp_path / "one.png")
    missing = tmp_path / "missing.png"
    code, out, _ = run(capsys, "classify-rows", str(image), str(missing), "--json")
    good, bad = (json.loads(line) for line in out.strip().splitlines())
    assert code == 1  # one file failed
    assert set(good["models"]) == set(mnist_rows.ROW_MODELS)
    assert good["models"]["lstm"]["prediction"] == "1"
    assert "No such file" in bad["error"]
    code, out, _ = run(capsys, "classify-rows", str(image))
    assert code == 0 and "Bidirectional LSTM 1" in out


def test_cli_evaluate_shows_the_bundled_readers_reach_the_course_figures(capsys, bundled, data_dir):
    code, out, _ = run(capsys, "evaluate", "mnist-rows", "--data-dir", data_dir, "--json")
    result = json.loads(out)
    assert code == 0 and result["lab"] == "mnist-rows" and result["heldout_size"] == 3604
    assert list(result["models"]) == list(mnist_rows.ROW_MODELS)
    for name in ("rnn", "lstm", "bilstm"):  # the course's figures the issue names
        assert result["models"][name]["meets_course"], (name, result["models"][name])
    assert result["models"]["bilstm"]["course_accuracy"] == 0.9731
    assert result["models"]["gru"]["course_accuracy"] is None
    recorded = bundled.metrics["heldout_accuracy"]  # the checkpoint's figures are reproduced
    assert {name: f["heldout_accuracy"] for name, f in result["models"].items()} == recorded
    code, _, err = run(capsys, "train", "mnist-rows", "--set", "models=cnn")
    assert code == 2 and "'cnn' not among" in err
