"""Checkpoints: Hugging Face layout, atomic saves, safetensors only, clear refusals."""

import io
import json
import pickle
import zipfile

import pytest
import torch
from torch import nn

from core import checkpoints
from core.checkpoints import CheckpointError
from core.registry import get_lab


def small_model() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))


def save(directory, model=None, metrics=None):
    return checkpoints.save_checkpoint(
        directory, model or small_model(), {"lab": "toy", "width": 3}, metrics or {"accuracy": 0.5}, "# Toy"
    )


def test_round_trip_in_the_hub_layout(tmp_path):
    model = small_model()
    path = save(tmp_path / "ckpt", model)
    assert sorted(p.name for p in path.iterdir()) == [
        "README.md",
        "config.json",
        "metrics.json",
        "model.safetensors",
    ]
    loaded = checkpoints.read_checkpoint(path)
    assert loaded.config == {"lab": "toy", "width": 3} and loaded.metrics == {"accuracy": 0.5}
    restored = small_model()
    checkpoints.load_weights(restored, loaded.state_dict, path)
    for name, value in model.state_dict().items():
        assert torch.equal(value, restored.state_dict()[name])


def test_a_failed_save_leaves_the_previous_checkpoint_intact(tmp_path, monkeypatch):
    path = save(tmp_path / "ckpt", metrics={"accuracy": 0.9})

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoints, "save_file", disk_full)
    with pytest.raises(CheckpointError, match="No space left"):
        save(path, metrics={"accuracy": 0.1})
    assert checkpoints.read_checkpoint(path).metrics == {"accuracy": 0.9}
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt"], "no half-written folder may be left"


def test_overwriting_replaces_the_whole_folder(tmp_path):
    path = save(tmp_path / "ckpt", metrics={"accuracy": 0.1})
    save(path, metrics={"accuracy": 0.2})
    assert checkpoints.read_checkpoint(path).metrics == {"accuracy": 0.2}
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt"]


def test_pickles_are_refused_without_being_opened(tmp_path):
    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('pickle code ran')",))

    folder = tmp_path / "evil"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"lab": "digits"}))
    (folder / "model.safetensors").write_bytes(pickle.dumps(Boom()))
    with pytest.raises(CheckpointError, match="pickled"):
        checkpoints.read_checkpoint(folder)

    torch_file = tmp_path / "model.pt"
    torch.save(small_model().state_dict(), torch_file)  # a zip-based pickle
    (folder / "model.safetensors").write_bytes(torch_file.read_bytes())
    with pytest.raises(CheckpointError, match="pickled"):
        checkpoints.read_checkpoint(folder)
    with pytest.raises(CheckpointError, match="pickled"):
        checkpoints.read_checkpoint(torch_file)

    only_pickle = tmp_path / "old-style"
    only_pickle.mkdir()
    (only_pickle / "pytorch_model.bin").write_bytes(torch_file.read_bytes())
    with pytest.raises(CheckpointError, match="only safetensors"):
        checkpoints.read_checkpoint(only_pickle)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (b"", "not a valid safetensors"),
        (b"\x10\x00\x00\x00\x00\x00\x00\x00{garbage", "not a valid safetensors"),
    ],
)
def test_corrupt_weights_are_reported(tmp_path, weights, message):
    path = save(tmp_path / "ckpt")
    (path / "model.safetensors").write_bytes(weights)
    with pytest.raises(CheckpointError, match=message):
        checkpoints.read_checkpoint(path)


def test_missing_or_broken_config(tmp_path):
    path = save(tmp_path / "ckpt")
    (path / "config.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        checkpoints.read_checkpoint(path)
    (path / "config.json").unlink()
    with pytest.raises(CheckpointError, match=r"no config\.json"):
        checkpoints.read_checkpoint(path)
    with pytest.raises(CheckpointError, match="no checkpoint folder"):
        checkpoints.read_checkpoint(tmp_path / "absent")


def test_wrong_shapes_name_the_tensor(tmp_path):
    lab = get_lab("digits")
    config = {"lab": "digits", "architecture": "fast-cnn", "dropout": 0.2}
    wrong = lab.build_model({**config, "architecture": "mlp"})
    path = checkpoints.save_checkpoint(tmp_path / "ckpt", wrong, config, {}, "card")
    with pytest.raises(CheckpointError, match="do not fit this model"):
        lab.load(path)
    resized = lab.build_model({**config, "classes": list("abc")})
    path = checkpoints.save_checkpoint(tmp_path / "ckpt2", resized, config, {}, "card")
    with pytest.raises(CheckpointError, match=r"has shape \(3, 128\), the model needs \(10, 128\)"):
        lab.load(path)


def test_a_checkpoint_of_another_lab_is_refused(tmp_path):
    path = save(tmp_path / "ckpt")
    with pytest.raises(CheckpointError, match="for lab 'toy', not 'digits'"):
        get_lab("digits").load(path)


def test_archive_round_trip_and_unsafe_archives(tmp_path):
    path = save(tmp_path / "ckpt")
    data = checkpoints.archive_bytes(path)
    unpacked = checkpoints.extract_archive(data, tmp_path / "unpacked")
    assert checkpoints.read_checkpoint(unpacked).config["lab"] == "toy"

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../escape/config.json", "{}")
        archive.writestr("x/model.safetensors", (path / "model.safetensors").read_bytes())
    target = tmp_path / "safe"
    checkpoints.extract_archive(buffer.getvalue(), target)
    assert (target / "config.json").is_file() and not (tmp_path.parent / "escape").exists()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x/pytorch_model.bin", b"\x80\x04")
    with pytest.raises(CheckpointError, match="pickled"):
        checkpoints.extract_archive(buffer.getvalue(), tmp_path / "pickled")
    with pytest.raises(CheckpointError, match="not a zip"):
        checkpoints.extract_archive(b"hello", tmp_path / "nozip")
