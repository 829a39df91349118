"""The binary autoencoder lab: bits in and out, their bad input, the straight-through estimator,
the bundled model against the course's criterion, training through the runner, and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from helpers import SEVEN, photo_file
from PIL import Image, ImageDraw

from core import bit_codes
from core.cli import main
from core.data import training_data
from core.imaging import ImageInputError, canvas_to_gray
from core.labs.base import TrainedModel
from core.labs.binary_ae import interactions as binary_ae
from core.labs.binary_ae.model import binarize, build_autoencoder
from core.labs.binary_ae.train import TARGET_PSNR_DB
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("binary-ae")
CODE = "0101" * 12


@pytest.fixture(scope="module")
def bundled() -> TrainedModel:
    return LAB.load_bundled()


def seven_png(path) -> str:
    return str(photo_file(path, SEVEN))


def test_bits_are_parsed_flipped_and_shown_as_a_3x4x4_grid():
    bits = bit_codes.parse_bits(" 0101 0101, 0101_0101 " + "0101" * 8)
    assert bits.shape == (48,) and bit_codes.bits_to_text(bits) == CODE
    grid = bit_codes.bits_grid(CODE)
    assert grid.shape == (3, 4, 4) and grid[2, 3, 3] == 1
    flipped = bit_codes.flip(bits, 47)
    assert flipped[47] == 0 and bits[47] == 1  # a copy: the original is untouched
    assert (bit_codes.check_bits([[-1, 1] * 24]) == bit_codes.check_bits("01" * 24)).all()
    codes = bit_codes.parse_codes(f"{CODE}\n{'1' * 48}; {'0' * 48}\n")
    assert codes.shape == (3, 48)
    assert bit_codes.parse_flips(" 3, 17 40;[5]") == [3, 17, 40, 5]
    twice = bit_codes.flip_all(codes, [0, 1, 0])  # a bit named twice flips back
    assert (twice[:, 0] == codes[:, 0]).all() and (twice[:, 1] != codes[:, 1]).all()


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
    with pytest.raises(bit_codes.BitsInputError, match=message):
        bit_codes.parse_bits(text)


def test_a_bit_number_out_of_range_is_refused():
    for index in (-1, 48, 2.5):
        with pytest.raises(bit_codes.BitsInputError, match="numbered 0 to 47"):
            bit_codes.flip(CODE, index)
    for text in ("48", "-1", "2.5", "three"):
        with pytest.raises(bit_codes.BitsInputError, match="numbered 0 to 47"):
            bit_codes.parse_flips(text)
    with pytest.raises(bit_codes.BitsInputError, match="type a code"):
        bit_codes.parse_codes(" ;\n")


def test_the_straight_through_estimator_binarises_forward_and_passes_gradients_back():
    x = torch.tensor([-0.3, 0.0, 2.0], requires_grad=True)
    out = binarize(x)
    assert out.tolist() == [-1.0, 1.0, 1.0]
    (out * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("architecture", ["fast", "course"])
def test_both_networks_map_32x32_digits_to_48_bits_and_back(architecture):
    model = build_autoencoder(architecture).eval()
    x = torch.rand(2, 1, 32, 32) * 2 - 1
    out, real = model(x)
    assert real.shape == (2, 3, 4, 4) and out.shape == (2, 1, 32, 32)
    assert out.abs().max() <= 1.0


def test_the_bundled_model_meets_the_course_criterion_with_binary_codes(bundled):
    metrics = bundled.metrics
    assert bundled.config["params"] == LAB.spec.defaults()
    assert metrics["train_psnr"] > TARGET_PSNR_DB and metrics["criterion_met"]
    assert metrics["heldout_psnr"] < metrics["train_psnr"]  # it memorises; held-out digits are harder
    assert metrics["weights_hash"] == bit_codes.weights_hash(bundled.model)
    assert "training digits it memorises" in LAB.headline(metrics)
    scores = {row["figure"]: row["value"] for row in binary_ae.scores(bundled)["scores"]}
    assert scores["Memorised digits, 48-bit codes"] == f"{metrics['train_psnr']:.2f} dB"
    assert scores["Memorised digits, real-valued codes (no binarisation)"].endswith("dB")
    assert scores["Distinct codes among the memorised digits"] == "1023 of 1024"


def test_a_memorised_digit_comes_back_and_flipping_bits_changes_it(bundled, data_dir):
    data = training_data(bundled.config, data_dir)
    encoding = binary_ae.encode_frame(bundled, binary_ae.data_digit(data, binary_ae.MEMORISED, 3))
    assert encoding.psnr > 20 and len(encoding.bits_text) == 48
    original = bit_codes.decode(bundled, encoding.bits)[0]
    assert np.allclose(original, encoding.reconstruction, atol=1e-5)
    changed = bit_codes.decode(bundled, bit_codes.flip(encoding.bits, 5))[0]
    assert np.abs(changed - original).mean() > 1e-3

    decode = LAB.interaction("decode")
    plain = decode(bundled, {"bits": encoding.bits_text, "flips": ""})
    flipped = decode(bundled, {"bits": encoding.bits_text, "flips": "5"})
    assert np.allclose(plain["digits"][0][0], original) and np.allclose(flipped["digits"][0][0], changed)
    assert flipped["bits"][5] != encoding.bits_text[5] and "1 bit flipped" in flipped["summary"]


def test_memorised_digits_come_back_better_than_held_out_ones(bundled, monkeypatch, data_dir):
    monkeypatch.setenv("DLL_DATA_DIR", data_dir)
    digit = LAB.interaction("digit")
    memorised = digit(bundled, {"split": "memorised", "index": 3})
    assert memorised["psnr"] > 20 and "one of the 1,024 it memorised" in memorised["summary"]
    assert np.asarray(memorised["grid"]).shape == (3, 4, 4)
    heldout = [digit(bundled, {"split": "held-out", "index": i})["psnr"] for i in range(8)]
    assert np.mean(heldout) < memorised["psnr"]
    with pytest.raises(SpecError, match="from 0 to 1,023"):  # only the digits it memorised
        digit(bundled, {"split": "memorised", "index": 1024})
    with pytest.raises(SpecError, match="from 0 to 3,603"):
        digit(bundled, {"split": "held-out", "index": 3604})


def test_a_drawing_is_encoded_and_an_empty_one_is_refused(bundled):
    image = Image.new("RGBA", (280, 280), "black")
    ImageDraw.Draw(image).line([(150, 20), (150, 260)], fill="white", width=18)
    one = LAB.interaction("encode")(bundled, {"image": canvas_to_gray(np.asarray(image))})
    assert len(one["bits"]) == 48 and one["input"].shape == (32, 32) and one["psnr"] > 5
    with pytest.raises(ImageInputError, match="blank"):
        binary_ae.encode(bundled, canvas_to_gray(np.zeros((280, 280, 4), dtype=np.uint8)))
    with pytest.raises(SpecError, match="draw or upload"):
        LAB.interaction("encode")(bundled, {"image": None})


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
    assert bit_codes.weights_hash(reloaded.model) == metrics["weights_hash"]
    again = LAB.evaluate(reloaded, data_dir)
    assert again["train_psnr"] == pytest.approx(metrics["train_psnr"], abs=0.01)


def test_the_command_line_encodes_decodes_and_evaluates(tmp_path, capsys, data_dir):
    assert main(["binary-ae", "encode", seven_png(tmp_path / "seven.png"), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert len(row["bits"]) == 48 and set(row["bits"]) <= {"0", "1"} and row["psnr"] > 0

    out = tmp_path / "digits.png"
    codes = f"{row['bits']}\n{CODE}"
    assert main(["binary-ae", "decode", codes, "3", "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["bits"].splitlines()[1][3] != CODE[3] and len(printed["digits"]) == 2
    assert Image.open(out).size[0] > Image.open(out).size[1]  # a row of digits
    npy = tmp_path / "digits.npy"
    assert main(["binary-ae", "decode", CODE, "--out", str(npy)]) == 0
    assert np.load(npy).shape == (1, 32, 32)

    assert main(["binary-ae", "decode", "0123"]) == 2
    assert "is not a bit" in capsys.readouterr().err

    assert main(["evaluate", "binary-ae", "--json", "--data-dir", data_dir]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["criterion_met"] and figures["heldout_size"] == 3604
