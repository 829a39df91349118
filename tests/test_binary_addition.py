"""The binary addition lab: the columns and the final carry, a short training through the runner,
the bundled model's generalisation, the interaction and its bad input, and the CLI."""

from __future__ import annotations

import json

import pytest
import torch

from core.cli import main
from core.events import EpochEnd
from core.labs.base import TrainedModel
from core.labs.binary_addition import interactions as binary_addition
from core.labs.binary_addition import train as training
from core.recurrent import SequenceInputError
from core.registry import get_lab
from core.runner import TrainingRunner

LAB = get_lab("binary-addition")


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


def train(params: dict, tmp_path):
    job = TrainingRunner(max_concurrent=1, out_root=tmp_path).submit(LAB, params)
    assert job.wait(timeout=300), "the training did not finish"
    return job


def test_columns_are_lsb_first_with_one_more_for_the_carry():
    inputs, targets = training.columns(torch.tensor([0b11]), torch.tensor([0b01]), 2)
    assert inputs[:, 0].tolist() == [[1, 1], [1, 0], [0, 0]]  # (a bit, b bit) per column
    assert targets[:, 0].tolist() == [0, 0, 1]  # 3 + 1 = 4 = 100: the carry needs the extra column


def test_short_lengths_are_tested_on_every_pair():
    a, b = training.heldout_pairs(2)
    assert sorted(zip(a.tolist(), b.tolist(), strict=True)) == [(x, y) for x in range(4) for y in range(4)]
    a, b = training.heldout_pairs(20)
    assert len(a) == training.TEST_PAIRS and int(a.max()) < 2**20


def test_a_short_training_learns_3_bit_addition_and_reports_every_length(tmp_path):
    params = {"train_length": 3, "hidden_size": 8, "steps": 400, "early_stop": True}
    job = train(params, tmp_path)
    assert job.state == "finished", job.message
    metrics = job.result.metrics
    assert metrics["criterion_met"] and metrics["sum_accuracy_at_train_length"] == 1.0
    assert metrics["steps"] == metrics["steps_to_all_sums_right"] < 400  # stopped when solved
    assert [row["length"] for row in metrics["lengths"]] == list(range(1, 21))
    assert any(isinstance(event, EpochEnd) for event in job.events_since(0))
    loaded = LAB.load(job.checkpoint_dir)
    assert LAB.evaluate(loaded)["accuracy_by_length"] == metrics["lengths"]


def test_the_course_loss_trains_too(tmp_path):
    job = train({"train_length": 2, "hidden_size": 5, "steps": 20, "loss": "mse", "batch_size": 1}, tmp_path)
    assert job.state == "finished" and job.result.config["params"]["loss"] == "mse"


def test_the_bundled_model_adds_at_its_length_and_generalises(bundled):
    rows = {row["length"]: row for row in bundled.metrics["lengths"]}
    assert rows[5]["sum_accuracy"] == 1.0  # the course's criterion, and every sum, not just bits
    assert bundled.metrics["all_sums_right_up_to"] >= 5
    assert rows[20]["bit_accuracy"] > 0.9


def test_it_adds_two_typed_numbers_with_a_confidence_per_bit(bundled):
    result = binary_addition.add_numbers(bundled, "1011", "111")
    assert result.predicted_bits == "10010" and result.predicted_value == 18 and result.correct
    assert len(result.confidences) == 5 and all(0.5 <= c <= 1 for c in result.confidences)
    spaced = binary_addition.add_numbers(bundled, "0b1 011", "1_11")
    assert spaced.a == "1011" and spaced.b == "111"


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ("1021", "1", "only the digits 0 and 1"),
        ("", "1", "type a binary number"),
        ("1" * 21, "1", "21 bits is longer than this model takes"),
        ("1", None, "second number: expected a binary number"),
    ],
)
def test_bad_numbers_get_a_clear_message(bundled, a, b, message):
    with pytest.raises(SequenceInputError, match=message):
        binary_addition.add_numbers(bundled, a, b)


def test_temperature_zero_and_huge_are_clamped(bundled):
    sharp = binary_addition.add_numbers(bundled, "101", "11", 0)
    soft = binary_addition.add_numbers(bundled, "101", "11", 1e6)
    assert "clamped" in sharp.notes[0] and "clamped" in soft.notes[0]
    assert min(soft.confidences) < min(sharp.confidences)
    long = binary_addition.add_numbers(bundled, "1" * 12, "1")
    assert "longer than the 5 bits it was trained at" in " ".join(long.notes)


def test_the_interaction_gives_the_sums_and_each_bit(bundled):
    answer = LAB.interaction("add")(bundled, {"a": "110110", "b": "1011"})
    assert "110110 + 1011 = **1000001** (65): ✓ right" in answer["answer"]
    assert "longer than the 5 bits it was trained at" in answer["answer"]
    sums = {row["number"]: row for row in answer["sums"]}
    assert sums["the LSTM's sum"]["binary"] == sums["the true sum"]["binary"] == "1000001"
    assert sums["first"]["decimal"] == 54 and sums["second"]["decimal"] == 11
    assert [row["bit"] for row in answer["per_bit"]] == [f"2^{i}" for i in range(6, -1, -1)]
    assert all(row["right"] and row["confidence"] >= 0.5 for row in answer["per_bit"])
    (bars,) = answer["bits"].data
    assert list(bars.text) == list("1000001")  # most significant bit on the left


def test_a_wrong_bit_is_shown_in_red(bundled):
    # A model that knows nothing: its bits are guesses, so some are wrong, and say so.
    torch.manual_seed(0)
    blank = TrainedModel(LAB.spec.id, LAB.build_model(bundled.config).eval(), bundled.config)
    answer = LAB.interaction("add")(blank, {"a": "1011011", "b": "110101"})
    wrong = [row for row in answer["per_bit"] if not row["right"]]
    assert wrong and f"✗ {len(wrong)} bit(s) wrong" in answer["answer"]
    assert "#d62728" in answer["bits"].data[0].marker.color  # the accent colour marks them


def test_accuracy_against_length_is_read_off_the_model(bundled):
    answer = LAB.interaction("accuracy-by-length")(bundled)
    assert [row["bits"] for row in answer["lengths"]] == list(range(1, 21))
    assert "Trained at 5 bits" in answer["note"]
    assert answer["lengths"][4]["sum accuracy"] == 1.0


def test_the_cli_adds_as_json(capsys):
    assert main(["binary-addition", "add", "1011", "111", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    sums = {row["number"]: row for row in result["sums"]}
    assert sums["the LSTM's sum"]["binary"] == "10010" and sums["the true sum"]["decimal"] == 18
    assert len(result["per_bit"]) == 5 and result["model"] == "LSTM, 5 units"


def test_the_cli_refuses_a_number_that_is_too_long(capsys):
    assert main(["binary-addition", "add", "1" * 25, "1"]) == 2
    error = capsys.readouterr().err
    assert "25 bits is longer than this model takes" in error and "Traceback" not in error


def test_evaluate_reports_accuracy_per_length(capsys):
    assert main(["evaluate", "binary-addition", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["accuracy_by_length"]) == 20 and report["criterion_met"] is True
