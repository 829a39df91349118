"""The denoising lab: noise and PSNR, training through the runner, the bundled models, the pure
interactions and the command line (`python -m core denoise restore|heldout|by-noise`)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from helpers import photo_file
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from core.cli import main
from core.data import training_data
from core.events import EpochEnd, Progress, Samples
from core.imaging import ImageInputError, canvas_to_gray
from core.labs.denoise.interactions import denoise, heldout_digit
from core.noise import (
    MAX_PSNR_DB,
    NOISE_KINDS,
    TRAINING_NOISES,
    NoiseError,
    add_noise,
    check_noise,
    psnr_per_image,
    seeded,
)
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("denoise")


def digits_like(count: int = 8, seed: int = 0) -> torch.Tensor:
    """Mostly black frames with a bright bar each, like MNIST's white ink on black."""
    images = torch.zeros(count, 1, 28, 28)
    for i in range(count):
        images[i, 0, 4:24, 8 + i % 10 : 12 + i % 10] = 1.0
    return images


def pad_with(points, width=18, size=280) -> np.ndarray:
    image = Image.new("RGBA", (size, size), "black")
    ImageDraw.Draw(image).line(points, fill="white", width=width, joint="curve")
    return np.asarray(image)


SEVEN = [(70, 62), (210, 62), (125, 235)]


# --- noise and PSNR ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", TRAINING_NOISES)
def test_noise_is_seeded_clipped_and_shaped_like_the_input(kind):
    clean = digits_like()
    noisy = add_noise(clean, kind, 0.5, seeded(3))
    assert noisy.shape == clean.shape and noisy.min() >= 0 and noisy.max() <= 1
    assert torch.equal(noisy, add_noise(clean, kind, 0.5, seeded(3)))
    assert not torch.equal(noisy, add_noise(clean, kind, 0.5, seeded(4)))
    assert torch.equal(add_noise(clean, kind, 0.0, seeded(3)), clean)  # level 0: untouched


def test_each_kind_corrupts_the_way_it_says():
    clean = torch.full((1, 1, 100, 100), 0.5)
    hit = add_noise(clean, "salt-pepper", 0.3, seeded(0))
    changed = hit != 0.5
    assert changed.float().mean() == pytest.approx(0.3, abs=0.03)
    assert set(hit[changed].unique().tolist()) == {0.0, 1.0}  # white or black, nothing else
    masked = add_noise(clean, "mask", 0.3, seeded(0))
    assert (masked == 0).float().mean() == pytest.approx(0.3, abs=0.03)
    assert set(masked.unique().tolist()) == {0.0, 0.5}
    gaussian = add_noise(clean, "gaussian", 0.1, seeded(0))
    assert float((gaussian - clean).std()) == pytest.approx(0.1, rel=0.05)


def test_levels_can_differ_per_image():
    clean = torch.full((2, 1, 50, 50), 0.5)
    noisy = add_noise(clean, "mask", torch.tensor([0.0, 0.8]), seeded(0))
    assert torch.equal(noisy[0], clean[0]) and (noisy[1] == 0).float().mean() > 0.7


@pytest.mark.parametrize("level", [-0.1, 1.5, 3, float("nan"), float("inf"), "loud", None])
def test_a_level_out_of_range_is_refused_with_the_range(level):
    with pytest.raises(NoiseError, match=r"between 0 and 1|must be a number"):
        add_noise(digits_like(), "gaussian", level)
    assert issubclass(NoiseError, SpecError)  # every front already reports SpecError cleanly


def test_an_unknown_kind_is_refused():
    with pytest.raises(NoiseError, match="unknown noise 'blur'"):
        check_noise("blur", 0.5)


def test_psnr_is_per_image_not_per_batch():
    clean = torch.zeros(2, 1, 28, 28)
    other = clean.clone()
    other[0] += 0.1  # MSE 0.01 -> 20 dB
    other[1] += 0.01  # MSE 0.0001 -> 40 dB
    assert psnr_per_image(clean, other).tolist() == pytest.approx([20.0, 40.0], abs=1e-3)
    # The course's figure, the PSNR of the batch's mean error, is another number entirely.
    per_batch = 10 * math.log10(1 / float(((clean - other) ** 2).mean()))
    assert per_batch == pytest.approx(23.0, abs=0.1)
    assert psnr_per_image(clean[0, 0], clean[0, 0]).tolist() == [MAX_PSNR_DB]  # identical: capped


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 1.0), st.sampled_from(NOISE_KINDS), st.integers(0, 2**32 - 1))
def test_any_level_and_seed_gives_a_valid_image_and_a_finite_psnr(level, kind, seed):
    clean = digits_like(2)
    noisy = add_noise(clean, kind, level, seeded(seed))
    assert noisy.min() >= 0 and noisy.max() <= 1
    assert torch.isfinite(psnr_per_image(clean, noisy)).all()


# --- training ------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_short_training_streams_psnr_and_triples_and_saves_a_checkpoint(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"epochs": 1}, data_dir=data_dir, max_steps=30)
    events = list(job.stream())
    assert job.state == "finished", job.message
    progress = [e for e in events if isinstance(e, Progress)]
    assert {"loss", "psnr", "psnr_in", "psnr_gain"} <= set(progress[0].metrics)
    assert any("heldout_psnr_gain" in e.metrics for e in progress)  # the live held-out probe
    (epoch,) = [e for e in events if isinstance(e, EpochEnd)]
    assert {"train_psnr", "heldout_psnr", "heldout_psnr_in", "heldout_psnr_gain"} <= set(epoch.metrics)
    samples = [e for e in events if isinstance(e, Samples)]
    assert samples and samples[-1].images.shape == (6, 30, 88)  # clean | noisy | denoised strips
    assert all("dB" in caption for caption in samples[-1].captions)

    metrics = job.result.metrics
    assert metrics["heldout_size"] == 3604 and metrics["noise"] == "gaussian 0.5"
    assert metrics["heldout_psnr_gain"] == pytest.approx(
        metrics["heldout_psnr_out"] - metrics["heldout_psnr_in"], abs=0.02
    )
    assert set(metrics["psnr_by_noise"]) == {"gaussian 0.5", "salt-pepper 0.2", "mask 0.5"}
    reloaded = LAB.load(job.checkpoint_dir)
    assert LAB.evaluate(reloaded, data_dir)["heldout_psnr_out"] == metrics["heldout_psnr_out"]


@pytest.mark.slow
def test_the_course_model_without_dark_start_is_named_when_it_outputs_blank_images(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    course = {"architecture": "course", "learning_rate": 1e-3, "schedule": "constant", "dark_start": False}
    job = runner.submit(LAB, course | {"epochs": 1}, data_dir=data_dir, max_steps=15)
    assert job.wait(120) and job.state == "finished", job.message
    assert job.result.metrics["blank_output"] is True
    assert "outputs blank images (plateau)" in LAB.headline(job.result.metrics)
    titles = [e.title for e in job.events_since(0) if isinstance(e, Samples)]
    assert "dark-start plateau" in titles[-1]


# --- the bundled models --------------------------------------------------------------------


@pytest.mark.parametrize("architecture", ["skip-ae", "course"])
def test_every_bundled_model_loads_and_clears_gaussian_noise(architecture):
    trained = LAB.load_bundled({"architecture": architecture})
    assert trained.origin == "bundled" and trained.config["architecture"] == architecture
    assert "MNIST, 12,000 train / 3,604 held-out" in trained.data_source
    gaussian = trained.metrics["psnr_by_noise"]["gaussian 0.5"]
    assert gaussian["psnr_gain"] >= 8.0
    assert not trained.metrics["blank_output"]


def test_the_default_bundled_model_reaches_its_recorded_psnr(data_dir):
    trained = LAB.load_bundled()
    metrics = LAB.evaluate(trained, data_dir)
    assert metrics["heldout_size"] == 3604
    assert metrics["psnr_by_noise"] == trained.metrics["psnr_by_noise"]
    for figures in metrics["psnr_by_noise"].values():  # trained on mixed noise: every kind gains
        assert figures["psnr_gain"] > 3.0


# --- interactions --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


def restore(trained, pad, noise="gaussian", level=0.5, seed=0) -> dict:
    """The interaction a drawing goes through: the pad as the grey picture every front makes."""
    values = {"image": canvas_to_gray(pad), "noise": noise, "level": level, "seed": seed}
    return LAB.interaction("restore")(trained, values)


def test_a_drawing_is_corrupted_seeded_and_restored(bundled):
    result = restore(bundled, pad_with(SEVEN), seed=7)
    (clean, _), (noisy, noisy_caption), (denoised, denoised_caption) = result["images"]
    assert clean.shape == noisy.shape == denoised.shape == (28, 28)
    assert result["psnr_out"] > result["psnr_in"] + 5
    assert result["psnr_gain"] == pytest.approx(result["psnr_out"] - result["psnr_in"], abs=0.011)
    assert noisy_caption == f"Noisy: {result['psnr_in']:.1f} dB" and denoised_caption.startswith("Denoised: ")
    again = restore(bundled, pad_with(SEVEN), seed=7)
    assert np.array_equal(again["images"][1][0], noisy)
    other = restore(bundled, pad_with(SEVEN), seed=8)
    assert not np.array_equal(other["images"][1][0], noisy)


def test_denoise_takes_one_frame_or_a_stack(bundled):
    frames = np.random.default_rng(0).random((3, 28, 28), dtype=np.float32)
    out = denoise(bundled, frames)
    assert out.shape == (3, 28, 28) and out.min() >= 0 and out.max() <= 1
    assert np.allclose(denoise(bundled, frames[1]), out[1], atol=1e-5)
    with pytest.raises(ImageInputError, match="28x28"):
        denoise(bundled, np.zeros((32, 32)))


def test_bad_input_gets_a_clear_message(bundled):
    blank = np.zeros((280, 280, 4), dtype=np.uint8)
    with pytest.raises(ImageInputError, match="blank"):
        restore(bundled, blank, "mask", 0.5)
    # A bad level is the clearer message, and comes before the blank picture's.
    for pad in (pad_with(SEVEN), blank):
        with pytest.raises(SpecError, match=r"Level: 2 is out of range \[0, 1\]"):
            restore(bundled, pad, "gaussian", 2)
    with pytest.raises(SpecError, match="Noise seed: -1 is out of range"):
        restore(bundled, pad_with(SEVEN), seed=-1)
    with pytest.raises(SpecError, match="'blur' is not one of gaussian, salt-pepper, mask"):
        restore(bundled, pad_with(SEVEN), "blur")


def test_heldout_digits_are_picked_by_number(bundled, data_dir):
    data = training_data(bundled.config, data_dir)
    frame = heldout_digit(data, 3603)
    assert frame.shape == (28, 28) and frame.min() >= 0 and frame.max() <= 1
    with pytest.raises(SpecError, match="from 0 to 3603"):
        heldout_digit(data, 3604)
    result = LAB.interaction("heldout")(bundled, {"index": 3603, "noise": "salt-pepper", "level": 0.2})
    assert np.array_equal(result["images"][0][0], frame)
    assert f"a **{data.classes[int(data.test_labels[3603])]}**" in result["truth"]
    assert result["psnr_out"] > result["psnr_in"]
    with pytest.raises(SpecError, match="from 0 to 3603"):
        LAB.interaction("heldout")(bundled, {"index": 3604})


def test_the_table_by_noise_is_the_recorded_one(bundled):
    result = LAB.interaction("by-noise")(bundled)
    recorded = bundled.metrics["psnr_by_noise"]
    assert [row["noise"] for row in result["table"]] == list(recorded)
    assert result["table"][0]["gain (dB)"] == recorded[result["table"][0]["noise"]]["psnr_gain"]
    assert "seed 1234" in result["note"] and "mixed" in result["note"]


# --- command line --------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def seven_png(path):
    """A photo of a 7, dark ink on light paper."""
    return photo_file(path, [(80, 50), (220, 50), (120, 260)], size=(300, 300), width=22, paper=235, ink=20)


def test_cli_denoise_writes_the_triple_and_reports_psnr(capsys, tmp_path):
    image = seven_png(tmp_path / "seven.png")
    out = tmp_path / "out.png"
    code, stdout, _ = run(
        capsys,
        "denoise",
        "restore",
        str(image),
        "--noise",
        "gaussian",
        "--seed",
        "3",
        "--out",
        str(out),
        "--json",
    )
    assert code == 0
    result = json.loads(stdout)
    assert result["psnr_out"] > result["psnr_in"] and result["model"] == "skip-ae"
    assert [item["caption"].split(":")[0] for item in result["images"]] == ["Clean", "Noisy", "Denoised"]
    with Image.open(out) as picture:
        assert picture.size == (88, 30)  # clean | noisy | denoised, side by side on a grey frame

    array_out = tmp_path / "out.npy"
    code, stdout, _ = run(
        capsys, "denoise", "restore", str(image), "--noise", "mask", "--level", "0.3", "--out", str(array_out)
    )
    assert code == 0 and "PSNR of the denoised output (dB): " in stdout
    assert np.load(array_out).shape == (3, 28, 28)

    code, stdout, _ = run(capsys, "denoise", "heldout", "--index", "5", "--model", "course", "--json")
    result = json.loads(stdout)
    assert (
        code == 0 and result["truth"].startswith("Held-out digit 5 of 3,604") and result["model"] == "course"
    )
    code, stdout, _ = run(capsys, "denoise", "by-noise", "--json")
    assert code == 0 and len(json.loads(stdout)["table"]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--noise", "gaussian", "--level", "1.5"], "Level: '1.5' is out of range [0, 1]"),
        (["--noise", "salt-pepper", "--level", "nan"], "Level: expected a finite number"),
        (["--noise", "gaussian", "--seed", "-4"], "Noise seed: '-4' is out of range"),
        (["--noise", "blur"], "Noise: 'blur' is not one of gaussian, salt-pepper, mask"),
    ],
)
def test_cli_bad_levels_and_seeds_are_one_line_and_exit_code_two(capsys, tmp_path, args, message):
    image = seven_png(tmp_path / "seven.png")
    code, _, err = run(capsys, "denoise", "restore", str(image), *args, "--out", str(tmp_path / "o.png"))
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "o.png").exists()


def test_cli_refuses_files_that_are_not_images(capsys, tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    out = str(tmp_path / "o.png")
    code, stdout, _ = run(capsys, "denoise", "restore", str(text), "--noise", "gaussian", "--out", out)
    assert code == 1 and "not a readable png, jpg or webp image" in stdout
    code, stdout, _ = run(capsys, "denoise", "restore", str(tmp_path / "missing.png"), "--out", out)
    assert code == 1 and "No such file" in stdout
    assert not (tmp_path / "o.png").exists()


def test_cli_evaluate_reports_psnr_in_and_out(capsys, data_dir):
    code, stdout, _ = run(capsys, "evaluate", "denoise", "--data-dir", data_dir, "--json")
    result = json.loads(stdout)
    assert code == 0 and result["lab"] == "denoise" and result["heldout_size"] == 3604
    gaussian = result["psnr_by_noise"]["gaussian 0.5"]
    assert gaussian["psnr_out"] - gaussian["psnr_in"] == pytest.approx(gaussian["psnr_gain"], abs=0.02)
