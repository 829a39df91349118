"""The autoregressive prior lab: the LSTM predicts each bit from the bits before it only, the
memorisation rate and its coverage, temperatures and counts that are refused or clamped, the
pairing with its autoencoder, the bundled prior against the course's criterion, training through
the runner, and the CLI."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch
from PIL import Image

from core import bit_codes
from core.cli import main
from core.data import training_data
from core.labs.base import TrainedModel
from core.labs.binary_ae.model import build_autoencoder
from core.labs.binary_prior import interactions as binary_prior
from core.labs.binary_prior import train as prior_training
from core.labs.binary_prior.model import LSTMPrior, build_prior
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("binary-prior")


@pytest.fixture(scope="module")
def bundled() -> TrainedModel:
    return LAB.load_bundled()


def test_the_lstm_predicts_each_bit_from_the_earlier_bits_only():
    torch.manual_seed(0)
    model = LSTMPrior().eval()
    bits = torch.randint(0, 2, (1, 48))
    changed = bits.clone()
    changed[0, 20] ^= 1
    before, after = model(bits), model(changed)
    assert before.shape == (1, 48)
    assert torch.equal(before[:, :21], after[:, :21])  # logit i reads bits 0..i-1
    assert not torch.allclose(before[:, 21:], after[:, 21:])
    samples = model.sample(5, 1.0, torch.Generator().manual_seed(0))
    assert samples.shape == (5, 48) and set(samples.unique().tolist()) <= {0, 1}


def test_memorisation_counts_exact_matches_and_coverage_counts_distinct_ones():
    codes = torch.tensor([[0] * 48, [1] * 48, [0, 1] * 24])
    generated = torch.tensor([[0] * 48, [0] * 48, [1] * 47 + [0], [0, 1] * 24])
    figures = prior_training.memorisation(generated, codes)
    assert figures["memorisation"] == 0.75
    assert figures["coverage"] == pytest.approx(2 / 3)
    assert figures["mean_distance"] == 0.25
    index, distance = prior_training.nearest_codes(generated, codes)
    assert index.tolist() == [0, 0, 1, 2] and distance.tolist() == [0, 0, 1, 0]


def test_temperatures_are_clamped_or_refused_with_a_message():
    assert binary_prior.check_temperature(0) == (0.0, "")
    assert binary_prior.check_temperature("0.5") == (0.5, "")
    value, note = binary_prior.check_temperature(1e6)
    assert value == binary_prior.TEMPERATURE_MAX and "clamped to 10" in note
    for bad, message in ((-1, "0 .* or more"), (float("nan"), "0 .* or more"), ("hot", "must be a number")):
        with pytest.raises(binary_prior.PriorInputError, match=message):
            binary_prior.check_temperature(bad)
    for bad in (0, 513, 2.5, "many"):
        with pytest.raises(binary_prior.PriorInputError, match="number of samples"):
            binary_prior.check_samples(bad)


def test_the_bundled_prior_meets_the_course_criterion(bundled):
    metrics = bundled.metrics
    assert metrics["memorisation_rate"] > prior_training.TARGET_RATE and metrics["criterion_met"]
    assert metrics["coverage"] > 0.5  # not one favourite code repeated
    assert "memorisation" in LAB.headline(metrics)


def test_generated_codes_are_decoded_and_matched_to_training_digits(bundled, data_dir):
    data = training_data(bundled.config, data_dir)
    result = binary_prior.generate(bundled, 16, 1e6, seed=3, data=data)
    assert result.temperature == binary_prior.TEMPERATURE_MAX and "clamped" in result.notes[0]
    greedy = binary_prior.generate(bundled, 8, 0, seed=1, data=data)
    assert greedy.images.shape == (8, 32, 32) and greedy.originals.shape == (8, 32, 32)
    assert len(set(map(bytes, greedy.bits))) == 1  # T = 0: always the likelier bit, the same code
    again = binary_prior.generate(bundled, 8, 1.0, seed=7, data=data)
    assert np.array_equal(again.bits, binary_prior.generate(bundled, 8, 1.0, seed=7, data=data).bits)
    row = again.to_dict()["samples"][0]
    assert (row["match"] is None) == (row["distance"] > 0)


def test_a_prior_refuses_an_autoencoder_it_was_not_trained_on(bundled):
    torch.manual_seed(1)
    stranger = TrainedModel("binary-ae", build_autoencoder("fast").eval(), {"architecture": "fast"})
    with pytest.raises(prior_training.PriorInputError, match="learnt the codes of autoencoder"):
        binary_prior.generate(bundled, 4, 1.0, autoencoder=stranger)
    moved = dataclasses.replace(bundled, config={**bundled.config, "autoencoder": {"weights_hash": "0" * 16}})
    with pytest.raises(prior_training.PriorInputError, match="not of the one given"):
        prior_training.autoencoder_for(moved)


def test_a_tiny_training_runs_through_the_runner_and_reloads(tmp_path, monkeypatch, data_dir):
    monkeypatch.setenv("DLL_MAX_STEPS", "4")
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"digits": 16, "epochs": 10}, data_dir=data_dir)
    assert job.wait(timeout=240) and job.state == "finished", job.message
    assert job.result.metrics["steps"] == 4 and job.result.metrics["digits"] == 16
    reloaded = LAB.load(job.checkpoint_dir)
    assert len(reloaded.config["codes"]) == 16
    assert reloaded.config["autoencoder"]["weights_hash"] == bit_codes.weights_hash(
        prior_training.bundled_autoencoder().model
    )
    assert LAB.evaluate(reloaded)["memorisation_rate"] == job.result.metrics["memorisation_rate"]


def test_the_course_denoising_variant_restores_flipped_bits_and_refines_random_ones():
    torch.manual_seed(0)
    model = build_prior("denoise-fc")
    generator = torch.Generator().manual_seed(0)
    codes = torch.randint(0, 2, (8, 48), generator=generator)
    noisy = prior_training.flip_bits(codes, 0.5, generator)
    assert 0 < (noisy != codes).float().mean() < 1
    assert model(noisy).shape == (8, 48)
    samples = model.eval().sample(6, 1.0, generator)
    assert samples.shape == (6, 48) and set(samples.unique().tolist()) <= {0, 1}


def test_the_generate_interaction_shows_each_sample_beside_the_digit_it_reproduced(
    bundled, monkeypatch, data_dir
):
    monkeypatch.setenv("DLL_DATA_DIR", data_dir)
    generate = LAB.interaction("generate")
    result = generate(bundled, {"n": 8, "temperature": 1.0, "seed": 3})
    assert len(result["samples"]) == 8 and len(result["codes"]) == 8
    for (picture, caption), row in zip(result["samples"], result["codes"], strict=True):
        assert picture.shape == (32, 65)
        assert (row["match"] is None) == (row["distance"] > 0)
        if row["match"] is not None:
            assert caption == f"= training digit {row['match']}"
        else:
            assert caption.startswith("new") and picture[:, 33:].max() == 0  # black: no match
    rate = sum(row["match"] is not None for row in result["codes"]) / 8
    assert result["memorisation_rate"] == rate and f"{rate:.0%}" in result["summary"]
    hottest = generate(bundled, {"n": 4, "temperature": 10, "seed": 0})
    assert hottest["temperature"] == 10 and "clamped" not in hottest["summary"]
    for temperature in (-0.5, 1e6, 10**400):  # every front offers 0 to 10 (generate clamps above)
        with pytest.raises(SpecError, match=r"out of range \[0, 10\]"):
            generate(bundled, {"n": 4, "temperature": temperature})


def test_the_command_line_generates_and_evaluates(tmp_path, capsys):
    out = tmp_path / "samples.png"
    arguments = ["binary-prior", "generate", "--n", "6", "--temperature", "0.5", "--out", str(out), "--json"]
    assert main(arguments) == 0
    printed = json.loads(capsys.readouterr().out)
    assert len(printed["codes"]) == 6 and len(printed["samples"]) == 6
    assert 0 <= printed["memorisation_rate"] <= 1 and printed["model"] == "lstm prior"
    assert Image.open(out).size[0] > Image.open(out).size[1]  # a row of samples beside their matches

    assert main(["binary-prior", "generate", "--n", "6", "--temperature", "-1"]) == 2
    assert "Temperature: '-1' is out of range [0, 10]" in capsys.readouterr().err
    assert main(["binary-prior", "generate", "--n", "0"]) == 2
    assert "out of range" in capsys.readouterr().err

    assert main(["evaluate", "binary-prior", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["criterion_met"]
