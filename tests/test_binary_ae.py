"""The binary autoencoder lab: bits in and out, their bad input, the straight-through estimator,
the bundled model against the course's criterion, training through the runner, and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from core.cli import main
from core.imaging import ImageInputError
from core.labs import binary_ae
from core.labs.base import TrainedModel
from core.registry import get_lab
from core.runner import TrainingRunner

LAB = get_lab("binary-ae")
CODE = "0101" * 12


@pytest.fixture(scope="module")
def bundled() -> TrainedModel:
    return LAB.load_bundled()


def seven_png(path) -> str:
    image = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(image).line([(50, 40), (150, 40), (90, 170)], fill=0, width=16)
    image.save(path)
    return str(path)


def test_bits_are_parsed_flipped_and_shown_as_a_3x4x4_grid():
    bits = binary_ae.parse_bits(" 0101 0101, 0101_0101 " + "0101" * 8)
    assert bits.shape == (48,) and binary_ae.bits_to_text(bits) == CODE
    grid = binary_ae.bits_grid(CODE)
    assert grid.shape == (3, 4, 4) and grid[2, 3, 3] == 1
    flipped = binary_ae.flip(bits, 47)
    assert flipped[47] == 0 and bits[47] == 1  # a copy: the original is untouched
    assert (binary_ae.check_bits([[-1, 1] * 24]) == binary_ae.check_bits("01" * 24)).all()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("01" * 23, "has 48 bits, got 46"),
        ("01" * 25, "has 48 bits, got 50"),
        ("0120" + "0" * 44, "'2' at position 2 is not a bit"),
        ("", "has 48 bits, got 0"),
    ],
)
def test_a_bad_bit_string_gets_a_one_line_message(text, message):
    with pytest.raises(binary_ae.BitsInputError, match=message):
        binary_ae.parse_bits(text)


def test_a_bit_number_out_of_range_is_refused():
    for index in (-1, 48, 2.5):
        with pytest.raises(binary_ae.BitsInputError, match="numbered 0 to 47"):
            binary_ae.flip(CODE, index)


def test_the_straight_through_estimator_binarises_forward_and_passes_gradients_back():
    x = torch.tensor([-0.3, 0.0, 2.0], requires_grad=True)
    out = binary_ae.binarize(x)
    assert out.tolist() == [-1.0, 1.0, 1.0]
    (out * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("architecture", ["fast", "course"])
def test_both_networks_map_32x32_digits_to_48_bits_and_back(architecture):
    model = binary_ae.build_autoencoder(architecture).eval()
    x = torch.rand(2, 1, 32, 32) * 2 - 1
    out, real = model(x)
    assert real.shape == (2, 3, 4, 4) and out.shape == (2, 1, 32, 32)
    assert out.abs().max() <= 1.0


def test_the_bundled_model_meets_the_course_criterion_with_binary_codes(bundled):
    metrics = bundled.metrics
    assert bundled.config["params"] == LAB.spec.defaults()
    assert metrics["train_psnr"] > binary_ae.TARGET_PSNR_DB and metrics["criterion_met"]
    assert metrics["heldout_psnr"] < metrics["train_psnr"]  # it memorises; held-out digits are harder
    assert metrics["weights_hash"] == binary_ae.weights_hash(bundled.model)
    assert "training digits it memorises" in LAB.headline(metrics)


def test_a_memorised_digit_comes_back_and_flipping_bits_changes_it(bundled, data_dir):
    data = binary_ae.training_data(bundled.config, data_dir)
    encoding = binary_ae.encode(bundled, binary_ae.training_digit(data, 3))
    assert encoding.psnr > 20 and len(encoding.bits_text) == 48
    original = binary_ae.decode(bundled, encoding.bits)[0]
    assert np.allclose(original, encoding.reconstruction, atol=1e-5)
    changed = binary_ae.decode(bundled, binary_ae.flip(encoding.bits, 5))[0]
    assert np.abs(changed - original).mean() > 1e-3
    with pytest.raises(ImageInputError, match="training images"):
        binary_ae.training_digit(data, len(data.train_images))


def test_an_empty_drawing_is_refused(bundled):
    with pytest.raises(ImageInputError, match="blank"):
        binary_ae.encode_drawing(bundled, np.zeros((280, 280, 4), dtype=np.uint8))


def test_a_tiny_training_memorises_through_the_runner_and_reloads(tmp_path, monkeypatch, data_dir):
    monkeypatch.setenv("DLL_MAX_STEPS", "6")
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(
        LAB, {"train_size": 64, "epochs": 3, "batch_size": 32, "warmup": 0.5}, data_dir=data_dir
    )
    assert job.wait(timeout=240) and job.state == "finished", job.message
    metrics = job.result.metrics
    assert metrics["steps"] == 6 and metrics["train_size"] == 64 and metrics["warmup_finished"]
    assert 0 < metrics["distinct_codes"] <= 64
    reloaded = LAB.load(job.checkpoint_dir)
    assert binary_ae.weights_hash(reloaded.model) == metrics["weights_hash"]
    again = LAB.evaluate(reloaded, data_dir)
    assert again["train_psnr"] == pytest.approx(metrics["train_psnr"], abs=0.01)


def test_the_command_line_encodes_decodes_and_evaluates(tmp_path, capsys, data_dir):
    assert main(["encode", "binary-ae", seven_png(tmp_path / "seven.png"), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert len(row["bits"]) == 48 and set(row["bits"]) <= {"0", "1"}

    out = tmp_path / "digits.png"
    assert (
        main(["decode", "binary-ae", "--bits", row["bits"], "--bits", CODE, "--flip", "3", "--out", str(out)])
        == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed["bits"][1][3] != CODE[3] and Image.open(out).size[0] > Image.open(out).size[1]

    assert main(["decode", "binary-ae", "--bits", "0123", "--out", str(out)]) == 2
    assert "is not a bit" in capsys.readouterr().err

    assert main(["evaluate", "binary-ae", "--json", "--data-dir", data_dir]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["criterion_met"] and figures["heldout_size"] == 3604
