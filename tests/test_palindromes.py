"""The palindromes lab: the hand-written LSTM and RNN against PyTorch's, the data, a tiny sweep
through the runner, the bundled models, the interactions' answers and bad input, and the CLI."""

from __future__ import annotations

import json
import math

import pytest
import torch
from torch import nn

from core.cli import main
from core.events import EpochEnd, Progress
from core.history import TrainingHistory
from core.interactions import result_json
from core.labs.palindromes import interactions as palindromes
from core.labs.palindromes import train as training
from core.labs.palindromes.figures import (
    GATE_VIEWS,
    current_length_curves,
    finished_rows,
    live_accuracy_figure,
)
from core.labs.palindromes.model import PalindromeModels
from core.recurrent import GatedLSTM, SequenceInputError, VanillaRNN, check_temperature
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("palindromes")
TINY = {
    "mode": "sweep",
    "shortest": 5,
    "longest": 7,
    "length_step": 2,
    "hidden_size": 16,
    "steps_per_length": 40,
}


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


def train(params: dict, tmp_path, max_steps: int | None = None):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, params, max_steps=max_steps)
    assert job.wait(timeout=300), "the training did not finish"
    return job


# --- the models are the equations ---------------------------------------------------------


def with_our_weights(reference: nn.RNNBase, ours: nn.Module) -> nn.RNNBase:
    """PyTorch's layer holding our cell's weights (one bias: PyTorch's second one at zero)."""
    with torch.no_grad():
        reference.weight_ih_l0.copy_(ours.weight_input.T)
        reference.weight_hh_l0.copy_(ours.weight_hidden.T)
        reference.bias_ih_l0.copy_(ours.bias)
        reference.bias_hh_l0.zero_()
    return reference


def test_the_gated_lstm_computes_what_pytorchs_lstm_computes():
    torch.manual_seed(0)
    ours = GatedLSTM(3, 5)
    # The same gate order: input, forget, cell candidate, output.
    reference = with_our_weights(nn.LSTM(3, 5), ours)
    inputs = torch.randn(7, 4, 3)
    states, recording = ours(inputs, record=True)
    expected, _ = reference(inputs)
    assert torch.allclose(states, expected, atol=1e-5)
    assert set(recording.gates) == {"input", "forget", "cell", "output"}
    assert recording.gates["forget"].shape == (7, 4, 5) and recording.cell.shape == (7, 4, 5)
    assert recording.gates["forget"].min() > 0 and recording.gates["forget"].max() < 1


def test_the_lstm_starts_with_forget_bias_one_and_xavier_weights():
    lstm = GatedLSTM(10, 64)
    biases = lstm.bias.detach().view(4, 64)
    assert torch.equal(biases[1], torch.ones(64)) and not biases[[0, 2, 3]].any()
    bound = math.sqrt(6 / (10 + 64))  # Xavier-uniform bound of one gate's input weights
    assert lstm.weight_input.abs().max() <= bound + 1e-6


def test_the_rnn_starts_as_pytorch_does_unless_xavier_is_asked_for():
    bound = 1 / math.sqrt(128)
    plain, wide = VanillaRNN(10, 128), VanillaRNN(10, 128, init="xavier")
    assert plain.weight_hidden.abs().max() <= bound and plain.bias.abs().max() <= bound
    # Xavier's range is sqrt(3) times wider for a square matrix: spectral radius near 1, not 0.6.
    assert wide.weight_hidden.abs().max() > bound and not wide.bias.any()


def test_the_vanilla_rnn_computes_what_pytorchs_rnn_computes():
    torch.manual_seed(0)
    ours = VanillaRNN(3, 5)
    reference = with_our_weights(nn.RNN(3, 5), ours)
    inputs = torch.randn(6, 2, 3)
    assert torch.allclose(ours(inputs)[0], reference(inputs)[0], atol=1e-5)


# --- data and training --------------------------------------------------------------------


@pytest.mark.parametrize("length", [5, 6, 30])
def test_palindromes_read_the_same_backwards_and_the_answer_is_the_first_digit(length):
    sequences = training.palindromes(length, 50, torch.Generator().manual_seed(1))
    assert sequences.shape == (50, length) and torch.equal(sequences, sequences.flip(1))
    prefixes, last = training.split(sequences)
    assert prefixes.shape == (50, length - 1) and torch.equal(last, prefixes[:, 0])
    again, _ = training.heldout_set(length)
    assert torch.equal(again, training.heldout_set(length)[0])  # fixed: the same every time


def test_a_tiny_sweep_trains_both_models_at_each_length_and_saves_them(tmp_path):
    job = train(TINY, tmp_path)
    assert job.state == "finished", job.message
    ends = [e for e in job.events_since(0) if isinstance(e, EpochEnd)]
    assert [e.metrics["length"] for e in ends] == [5, 7]
    steps = [e for e in job.events_since(0) if isinstance(e, Progress)]
    assert all("lstm_loss" in e.metrics or "rnn_loss" in e.metrics for e in steps)
    assert any("heldout_lstm_accuracy" in e.metrics for e in steps)
    # The live view's accuracy-vs-T rows are read off the events, as each length finishes.
    history = TrainingHistory()
    history.extend(job.events_since(0))
    recorded = {row["length"]: row["lstm"] for row in job.result.metrics["lengths"]}
    assert {row["length"]: row["lstm"] for row in finished_rows(history)} == recorded

    loaded = LAB.load(job.checkpoint_dir)
    assert loaded.model.lengths == [5, 7] and loaded.config["hidden_size"] == 16
    report = LAB.evaluate(loaded)
    assert [row["length"] for row in report["accuracy_by_length"]] == [5, 7]
    assert {row["length"]: row["lstm"] for row in report["accuracy_by_length"]} == pytest.approx(recorded)


def test_both_models_learn_short_palindromes_and_stop_at_100_percent(tmp_path):
    params = {"mode": "single", "longest": 5, "hidden_size": 32, "steps_per_length": 300}
    job = train(params, tmp_path)
    (row,) = job.result.metrics["lengths"]
    assert row["lstm"] == 1.0 and row["rnn"] == 1.0
    assert row["steps"] < 300  # both stopped early, once right on every held-out palindrome


def test_a_step_limit_keeps_only_the_lengths_it_reached(tmp_path):
    job = train(TINY, tmp_path, max_steps=10)
    assert job.result.metrics["stopped_by"] == "step limit"
    assert job.result.model.lengths == [5]


def test_a_sweep_whose_shortest_is_longer_than_its_longest_is_refused():
    with pytest.raises(SpecError, match=r"Shortest T .* is longer than the longest"):
        TrainingRunner(max_concurrent=1).submit(LAB, {"shortest": 20, "longest": 10})


def test_sweep_lengths_always_end_at_the_longest():
    assert training.sweep_lengths({"mode": "sweep", "shortest": 5, "longest": 30, "length_step": 5}) == [
        5,
        10,
        15,
        20,
        25,
        30,
    ]
    assert training.sweep_lengths({"mode": "sweep", "shortest": 5, "longest": 12, "length_step": 5})[-1] == 12
    assert training.sweep_lengths({"mode": "single", "shortest": 5, "longest": 12, "length_step": 5}) == [12]


def test_the_lstm_starts_from_the_forget_bias_set():
    models = PalindromeModels([5], 8, forget_bias=3.0)
    biases = models.pair(5)["lstm"].recurrent.bias.detach().view(4, 8)
    assert torch.equal(biases[1], torch.full((8,), 3.0)) and not biases[[0, 2, 3]].any()
    assert not hasattr(models.pair(5)["rnn"].recurrent, "weight_forget")  # the RNN has no gate


# --- several seeds ------------------------------------------------------------------------


def test_the_summary_over_seeds_has_each_models_median_range_and_successes():
    runs = [
        {
            "seed": 0,
            "lengths": [{"length": 5, "lstm": 1.0, "rnn": 1.0}, {"length": 30, "lstm": 1.0, "rnn": 0.1}],
        },
        {
            "seed": 1,
            "lengths": [{"length": 5, "lstm": 1.0, "rnn": 1.0}, {"length": 30, "lstm": 0.6, "rnn": 0.9}],
        },
        {
            "seed": 2,
            "lengths": [{"length": 5, "lstm": 1.0, "rnn": 0.5}, {"length": 30, "lstm": 1.0, "rnn": 0.2}],
        },
    ]
    short, long = training.over_seeds(runs)
    assert short == {
        "length": 5,
        "seeds": 3,
        "lstm_median": 1.0,
        "lstm_min": 1.0,
        "lstm_max": 1.0,
        "lstm_learnt": 3,
        "rnn_median": 1.0,
        "rnn_min": 0.5,
        "rnn_max": 1.0,
        "rnn_learnt": 2,
        "rnn_near_chance": 0,
    }
    assert (long["lstm_median"], long["lstm_min"], long["lstm_learnt"]) == (1.0, 0.6, 2)
    assert (long["rnn_median"], long["rnn_max"], long["rnn_near_chance"]) == (0.2, 0.9, 2)
    summary = training.seeds_metrics(runs)
    assert summary["lstm_every_length_in_seeds"] == 2 and summary["seed_count"] == 3
    assert "in 2 of 3" in training.seeds_headline(summary)
    assert "| 30 | 100.0% (60.0% to 100.0%) | 2 of 3 |" in training.seeds_table(summary["over_seeds"])


def test_several_seeds_train_each_seed_as_its_own_run_and_draw_median_and_range(tmp_path):
    job = train(TINY | {"mode": "seeds", "seeds": 2, "seed": 3}, tmp_path / "seeds")
    assert job.state == "finished", job.message
    metrics = job.result.metrics
    assert [run["seed"] for run in metrics["seeds"]] == [3, 4] and metrics["seed_count"] == 2
    assert [row["length"] for row in metrics["over_seeds"]] == [5, 7]
    ends = [e.metrics for e in job.events_since(0) if isinstance(e, EpochEnd)]
    assert [(m["seed"], m["length"]) for m in ends] == [(3, 5), (3, 7), (4, 5), (4, 7)]
    # Seed 4 of the run is the sweep a training with seed 4 alone gives.
    alone = train(TINY | {"seed": 4}, tmp_path / "alone").result.metrics["lengths"]
    assert metrics["seeds"][1]["lengths"] == alone
    assert metrics["lengths"] == metrics["seeds"][0]["lengths"]  # the first seed answers prefixes

    loaded = LAB.load(job.checkpoint_dir)  # every seed's weights are in the checkpoint
    assert loaded.config["seeds"] == [3, 4] and len(loaded.model.seed_runs()) == 2
    report = LAB.evaluate(loaded)
    assert [run["seed"] for run in report["seeds"]] == [3, 4]
    for measured, recorded in zip(report["seeds"], metrics["seeds"], strict=True):
        assert [r[cell] for r in measured["lengths"] for cell in ("lstm", "rnn")] == pytest.approx(
            [r[cell] for r in recorded["lengths"] for cell in ("lstm", "rnn")]
        )
    answer = LAB.interaction("accuracy-by-length")(loaded)
    names = [trace.name for trace in answer["chart"].data]
    assert names == [
        "LSTM: range over seeds",
        "LSTM: median",
        "Vanilla RNN: range over seeds",
        "Vanilla RNN: median",
    ]
    assert [row["T"] for row in answer["lengths"]] == [5, 7] and "Seeds 3, 4" in answer["note"]
    assert LAB.headline(metrics).startswith("over 2 seeds: LSTM 100% at every T up to 7 in ")
    assert "| T | LSTM median (range) |" in (job.checkpoint_dir / "README.md").read_text()
    # Live, the chart turns into median and range once a second seed has finished a length.
    history = TrainingHistory()
    events = job.events_since(0)
    first_of_seed_4 = next(
        i for i, e in enumerate(events) if isinstance(e, EpochEnd) and e.metrics["seed"] == 4
    )
    history.extend(events[:first_of_seed_4])
    assert [trace.name for trace in live_accuracy_figure(history).data] == ["LSTM", "Vanilla RNN"]
    history.extend(events[first_of_seed_4:])
    live = live_accuracy_figure(history)
    assert [trace.name for trace in live.data] == names and "(2)" in live.layout.title.text
    loss, _ = current_length_curves(history)
    assert "T = 7, seed 4" in loss.layout.title.text.replace("<br>", " ")


def test_a_stop_during_a_later_seed_keeps_only_the_seeds_that_finished(tmp_path):
    # A rate too small to reach 100%: every length takes all its 40 steps, 80 per seed.
    slow = TINY | {"mode": "seeds", "seeds": 3, "learning_rate": 1e-5}
    job = train(slow, tmp_path / "second", max_steps=170)  # stopped in the third seed
    assert job.result.metrics["stopped_by"] == "step limit"
    assert [run["seed"] for run in job.result.metrics["seeds"]] == [0, 1]
    assert len(LAB.load(job.checkpoint_dir).model.seed_runs()) == 2
    job = train(slow, tmp_path / "last", max_steps=230)  # stopped in the last length of the third
    assert [run["seed"] for run in job.result.metrics["seeds"]] == [0, 1]
    job = train(slow, tmp_path / "first", max_steps=50)  # stopped in the first seed's second length
    assert "seeds" not in job.result.metrics and "seeds" not in job.result.config
    # As a one-seed sweep does, it keeps the lengths trained, the one it stopped in included.
    assert job.result.model.lengths == [5, 7] and len(job.result.model.seed_runs()) == 1


# --- the bundled models and the interaction -----------------------------------------------


def test_the_bundled_sweep_shows_the_course_result(bundled):
    rows = {row["length"]: row for row in bundled.metrics["lengths"]}
    assert all(row["lstm"] == 1.0 for row in rows.values())  # LSTM: 100% at every length
    longest = max(rows)
    assert longest == 30 and bundled.metrics["lstm_perfect_up_to"] == 30
    # The RNN stalls from T = 15 on, far from the LSTM (a few lucky points above chance at most).
    assert all(row["rnn"] < 0.5 and row["rnn_gave_up_at"] for t, row in rows.items() if t >= 15)
    assert rows[20]["rnn"] <= training.NEAR_CHANCE and bundled.metrics["rnn_near_chance_from"] == 20


def test_the_bundled_seeds_model_holds_three_sweeps_the_first_being_the_bundled_sweep(bundled):
    seeds = LAB.load(LAB.variant_path("seeds"))
    assert seeds.config["seeds"] == [0, 1, 2] and len(seeds.model.seed_runs()) == 3
    assert seeds.metrics["seeds"][0]["lengths"] == bundled.metrics["lengths"]  # seed 0 is seed 0
    assert seeds.metrics["lstm_every_length_in_seeds"] == seeds.metrics["seed_count"] == 3
    medians = [(row["lstm_median"], row["rnn_median"]) for row in LAB.evaluate(seeds)["over_seeds"]]
    assert medians == [(row["lstm_median"], row["rnn_median"]) for row in seeds.metrics["over_seeds"]]
    answer = LAB.interaction("accuracy-by-length")(seeds)
    assert answer["chart"].data[0].fill == "toself" and "Seeds 0, 1, 2" in answer["note"]


def test_a_long_prefix_is_answered_by_the_lstm_with_its_gates(bundled):
    result = palindromes.predict_last_digit(bundled, "7" + "1234567890" * 2 + "09876543")
    assert result.length == 30 and result.expected == 7
    assert result.digit("lstm") == 7
    assert result.probabilities["lstm"].sum() == pytest.approx(1.0, abs=1e-4)
    assert result.gates["forget"].shape == (29, bundled.config["hidden_size"])
    assert result.rnn_hidden.shape == result.cell.shape == (29, bundled.config["hidden_size"])
    assert len(palindromes.busiest_units(result.cell, 8)) == 8
    assert "cannot start a palindrome" in " ".join(result.notes)  # 7 ... 2 is no palindrome start


@pytest.mark.parametrize("view", GATE_VIEWS)
def test_the_interaction_shows_both_answers_and_any_view_inside(bundled, view):
    interaction = LAB.interaction("last-digit")
    answer = interaction(bundled, {"prefix": "4" + "0123456789" * 2 + "8765432", "view": view, "units": 8})
    assert "**T = 29**: a palindrome ends in its first digit, **4**" in answer["answer"]
    lstm, rnn = answer["models"]
    assert rnn["model"] == "Vanilla RNN" and rnn["expected"] == 4
    assert lstm["model"] == "LSTM" and lstm["answer"] == 4 and lstm["correct"] and lstm["expected"] == 4
    assert answer["lstm"].label == "4" and len(answer["rnn"].values) == 10
    heatmap = answer["inside"]
    assert heatmap.values.shape == (8, 28) and len(heatmap.y) == 8  # 8 units, a column per digit read
    assert heatmap.x[0] == "1: 4" and heatmap.x[-1] == "28: 2"
    as_json = result_json(interaction, answer)
    assert as_json["lstm"]["prediction"] == "4" and as_json["models"][1]["model"] == "Vanilla RNN"
    every_unit = interaction(bundled, {"prefix": "1234", "view": view, "units": 256})
    assert len(every_unit["inside"].y) == bundled.config["hidden_size"]


def test_accuracy_against_t_comes_with_the_steps_each_model_took(bundled):
    answer = LAB.interaction("accuracy-by-length")(bundled)
    table = {row["T"]: row for row in answer["lengths"]}
    assert sorted(table) == bundled.model.lengths and table[30]["LSTM"] == 1.0
    assert table[30]["LSTM steps to 100%"].isdigit()
    assert {trace.name for trace in answer["chart"].data} == {"LSTM", "Vanilla RNN"}


def test_a_length_without_its_own_pair_uses_the_nearest(bundled):
    result = palindromes.predict_last_digit(bundled, "123321" + "12")  # T = 9
    assert result.model_length in bundled.model.lengths
    if 9 not in bundled.model.lengths:
        assert f"trained at T = {result.model_length} answers" in " ".join(result.notes)


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("12a4", "only the digits 0-9"),
        ("", "type the first digits"),
        ("12", r"T = 3, but these models were trained at T = 5"),
        ("1" * 45, r"T = 46"),
        (None, "expected a string of digits"),
    ],
)
def test_bad_prefixes_get_a_clear_message(bundled, prefix, message):
    with pytest.raises(SequenceInputError, match=message):
        palindromes.predict_last_digit(bundled, prefix)


def test_temperatures_are_clamped_with_a_note_and_nonsense_is_refused(bundled):
    cold = palindromes.predict_last_digit(bundled, "1234432", 0)
    assert cold.temperature == 0.05 and "clamped to 0.05" in cold.notes[0]
    hot = palindromes.predict_last_digit(bundled, "1234432", 1e6)
    assert hot.temperature == 20 and "clamped to 20" in hot.notes[0]
    assert hot.probabilities["lstm"].max() < cold.probabilities["lstm"].max()  # flattened
    assert check_temperature("2") == (2.0, "")
    for bad in (-1, float("nan"), "warm"):
        with pytest.raises(SequenceInputError, match="temperature"):
            check_temperature(bad)


# --- command line ---------------------------------------------------------------------------


def test_the_cli_answers_a_prefix_as_json(capsys):
    assert main(["palindromes", "last-digit", "1234543", "--view", "input", "--units", "5", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert "a palindrome ends in its first digit, **1**" in result["answer"] and "T = 8" in result["answer"]
    assert [row["model"] for row in result["models"]] == ["LSTM", "Vanilla RNN"]
    assert len(result["lstm"]["probabilities"]) == 10
    heatmap = result["inside"]  # the input gate's values, per unit (row) and step (column)
    assert len(heatmap["x"]) == 7 and len(heatmap["y"]) == 5 and len(heatmap["values"][0]) == 7
    assert all(0 <= value <= 1 for row in heatmap["values"] for value in row)
    assert main(["palindromes", "accuracy-by-length", "--json"]) == 0
    assert [row["T"] for row in json.loads(capsys.readouterr().out)["lengths"]] == [5, 10, 15, 20, 25, 30]


def test_the_cli_reports_bad_input_in_one_line(capsys):
    assert main(["palindromes", "last-digit", "12x45"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "Traceback" not in error and error.count("\n") == 1


def test_evaluate_reports_accuracy_per_t(capsys, tmp_path):
    job = train(TINY, tmp_path)
    assert main(["evaluate", "palindromes", "--checkpoint", str(job.checkpoint_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [row["length"] for row in report["accuracy_by_length"]] == [5, 7]
    assert {"lstm_perfect_up_to", "rnn_near_chance_from", "lstm_100_percent_at_every_length"} <= set(report)
