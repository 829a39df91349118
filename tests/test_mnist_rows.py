"""The MNIST row-by-row lab: the readers, the models setting, side-by-side training through the
runner and its comparison charts, the bundled readers against the course's figures, the read and
scores interactions and the CLI (`python -m core mnist-rows read|scores`)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from helpers import digit_one_png
from PIL import Image, ImageDraw

from core.checkpoints import read_checkpoint
from core.cli import main
from core.events import EpochEnd, Progress, Samples
from core.history import TrainingHistory
from core.imaging import ImageInputError, canvas_to_gray
from core.labs.mnist_rows.interactions import read_frame
from core.labs.mnist_rows.model import RowReader
from core.labs.mnist_rows.spec import ROW_MODELS
from core.labs.mnist_rows.train import comparison_figures
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
    reader = RowReader(kind, 16, normalization, extra_fc).eval()
    images = torch.rand(3, 28, 28)
    outputs, summary = reader.read(images)
    width = 32 if kind.startswith("bi") else 16
    assert outputs.shape == (3, 28, width) and summary.shape == (3, width)
    assert reader(images).shape == (3, 10)
    assert torch.allclose(reader(images[:, None]), reader(images))  # (N, 1, 28, 28) works too


def test_a_bidirectional_reader_reads_each_directions_final_state():
    """The course read out[-1], where the backward direction has seen the last row only."""
    reader = RowReader("bilstm", 8, "none", False).eval()
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

    # Every reader's curves on one chart (6 steps: before the first live sample, so epoch ends).
    history = TrainingHistory()
    history.extend(events)
    accuracy, loss = comparison_figures(history)
    assert {trace.name for trace in accuracy.data} == {"RNN (epoch end)", "GRU (epoch end)"}
    assert {trace.name for trace in loss.data} >= {"RNN", "GRU"}
    assert comparison_figures(TrainingHistory()) is None


# --- the bundled readers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


def read(trained, pad) -> dict:
    """The read interaction on a drawing, as the grey picture every front makes of the pad."""
    return LAB.interaction("read")(trained, {"image": canvas_to_gray(pad)})


def test_a_drawn_one_is_read_by_every_model_with_its_hidden_states(bundled):
    result = read(bundled, pad_with(ONE))
    assert sum(result[name].label == "1" for name in ROW_MODELS) >= 4
    assert "| Bidirectional LSTM | **" in result["answers"] and result["seen"].shape == (28, 28)
    readings = read_frame(bundled, result["seen"])
    assert [r.model for r in readings] == list(ROW_MODELS)
    for reading in readings:
        bidirectional = reading.model.startswith("bi")
        width = (2 if bidirectional else 1) * bundled.config["hidden_size"]
        assert reading.hidden.shape == (28, width)
        assert reading.probabilities.values.sum() == pytest.approx(1.0, abs=1e-5)
        assert np.array_equal(reading.probabilities.values, result[reading.model].values)
        (heatmap,) = result[f"{reading.model}_hidden"].data  # units down, rows across
        assert np.shape(heatmap.z) == (width, 28) and heatmap.zmid == 0
        title = result[f"{reading.model}_hidden"].layout.title.text
        assert ("forward units, then backward" in title) == bidirectional


def test_an_empty_drawing_and_a_wrong_frame_are_refused(bundled):
    with pytest.raises(ImageInputError, match="blank"):
        read(bundled, np.zeros((280, 280, 4), dtype=np.uint8))
    with pytest.raises(ImageInputError, match="28x28"):
        read_frame(bundled, np.zeros((20, 20)))


def test_the_scores_stand_beside_the_courses(bundled):
    table = LAB.interaction("scores")(bundled)["table"]
    assert [row["model"] for row in table] == [
        "RNN",
        "LSTM",
        "GRU",
        "Bidirectional RNN",
        "Bidirectional LSTM",
    ]
    bilstm, gru = table[-1], table[2]
    assert bilstm["course (%)"] == 97.31 and bilstm["reaches the course"] == "yes"
    assert gru["course (%)"] is None and gru["reaches the course"] == "-"
    assert bilstm["held-out accuracy (%)"] == round(100 * bundled.metrics["heldout_accuracy"]["bilstm"], 2)


# --- command line --------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_read_reads_with_every_model(capsys, tmp_path):
    image = tmp_path / "one.png"
    image.write_bytes(digit_one_png())
    missing = tmp_path / "missing.png"
    code, out, _ = run(capsys, "mnist-rows", "read", str(image), str(missing), "--json")
    good, bad = (json.loads(line) for line in out.strip().splitlines())
    assert code == 1  # one file failed
    assert set(ROW_MODELS) <= set(good) and good["file"] == str(image)
    assert good["lstm"]["prediction"] == "1"
    assert "No such file" in bad["error"]
    code, out, _ = run(capsys, "mnist-rows", "read", str(image), "--out", str(tmp_path / "rows.png"))
    assert code == 0 and "Bidirectional LSTM: 1 (" in out
    with Image.open(tmp_path / "rows.png") as picture:
        assert picture.size == (28, 28)  # the frame the readers read
    code, out, _ = run(capsys, "mnist-rows", "scores", "--json")
    assert code == 0 and len(json.loads(out)["table"]) == 5


def test_cli_evaluate_shows_the_bundled_readers_reach_the_course_figures(capsys, bundled, data_dir):
    code, out, _ = run(capsys, "evaluate", "mnist-rows", "--data-dir", data_dir, "--json")
    result = json.loads(out)
    assert code == 0 and result["lab"] == "mnist-rows" and result["heldout_size"] == 3604
    assert list(result["models"]) == list(ROW_MODELS)
    for name in ("rnn", "lstm", "bilstm"):  # the course's figures the issue names
        assert result["models"][name]["meets_course"], (name, result["models"][name])
    assert result["models"]["bilstm"]["course_accuracy"] == 0.9731
    assert result["models"]["gru"]["course_accuracy"] is None
    recorded = bundled.metrics["heldout_accuracy"]  # the checkpoint's figures are reproduced
    assert {name: f["heldout_accuracy"] for name, f in result["models"].items()} == recorded
    code, _, err = run(capsys, "train", "mnist-rows", "--set", "models=cnn")
    assert code == 2 and "'cnn' not among" in err
