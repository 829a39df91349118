"""The attention lab's core: word vectors, the explorer's maths, masks and bad input, the toy
model's training through the runner, its checkpoint, the declared interactions and the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from core import models
from core.cli import main as cli
from core.labs.attention import explorer, model, train
from core.labs.attention.explorer import AttentionInputError, explore
from core.labs.attention.interactions import run_toy
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError
from core.word_vectors import cosine, sinusoidal_positions, word_vector

LAB = get_lab("attention")


# --- word vectors --------------------------------------------------------------------------


def test_word_vectors_are_deterministic_and_spelling_shapes_them():
    assert np.array_equal(word_vector("cat", 64), word_vector("cat", 64))
    assert np.linalg.norm(word_vector("cat", 64)) == pytest.approx(8.0)
    assert cosine(word_vector("cat", 64), word_vector("cats", 64)) > 0.4
    assert abs(cosine(word_vector("cat", 64), word_vector("dog", 64))) < 0.3
    assert np.isfinite(word_vector("日本語", 32)).all() and np.isfinite(word_vector("😀", 32)).all()


def test_sinusoidal_positions_start_at_sin_0_cos_0():
    codes = sinusoidal_positions(5, 8)
    assert codes.shape == (5, 8)
    assert np.allclose(codes[0, 0::2], 0.0) and np.allclose(codes[0, 1::2], 1.0)
    assert codes[3, 0] == pytest.approx(math.sin(3))


# --- the explorer --------------------------------------------------------------------------


def test_weights_are_a_softmax_of_scaled_dot_products():
    result = explore("cat sat", "a cat", dim=16)
    q = np.stack([word_vector("cat", 16), word_vector("sat", 16)])
    k = np.stack([word_vector("a", 16), word_vector("cat", 16)])
    scores = q @ k.T / 4.0
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert np.allclose(result.weights[0], expected)
    assert np.allclose(result.outputs, expected @ k)
    assert result.strongest()[0][:2] == ("cat", "cat")


def test_scaling_temperature_and_heads_change_the_sharpness():
    plain = explore("the cat", "a cat on a mat")
    unscaled = explore("the cat", "a cat on a mat", scale=False)
    hot = explore("the cat", "a cat on a mat", temperature=10)
    assert unscaled.weights.max() > plain.weights.max() > hot.weights.max()
    four = explore("the cat", "a cat on a mat", heads=4)
    assert four.weights.shape == (4, 2, 5) and four.settings["head_dim"] == 16
    assert np.allclose(four.weights.sum(axis=-1), 1.0)


def test_causal_and_padding_masks():
    causal = explore("one two three", "one two three", causal=True)
    assert np.allclose(np.triu(causal.mean_weights, k=1), 0.0)
    assert causal.mean_weights[0, 0] == pytest.approx(1.0)

    masked = explore("cat", "a cat", pad_to=6)
    assert masked.key_tokens == ["a", "cat"] + ["<pad>"] * 4
    assert np.allclose(masked.mean_weights[:, 2:], 0.0)
    unmasked = explore("dog", "a cat", pad_to=6, mask_padding=False)
    assert unmasked.mean_weights[:, 2:].sum() > 0.3  # the course's bug: pads take weight
    assert any("not masked" in note for note in unmasked.notes)


def test_the_gru_summary_leans_on_the_last_words():
    result = explore("cat", "one two three four five six")
    assert result.gru_state.shape == (64,)
    assert result.gru_influence.sum() == pytest.approx(1.0)
    assert result.gru_influence[-1] > result.gru_influence[0]


@pytest.mark.parametrize(
    ("query", "keys", "settings", "message"),
    [
        ("", "a cat", {}, "query sentence is empty"),
        ("a cat", "   ", {}, "key/value sentence is empty"),
        ("x" * 2000, "a cat", {}, "2,000 characters long"),
        ("a cat", "a cat", {"heads": 3}, "3 heads do not divide the 64 dimensions"),
        ("a cat", "a cat", {"heads": 0}, "from 1 to 16"),
        ("a cat", "a cat", {"temperature": -1}, "positive number"),
        ("a cat", "a cat", {"temperature": "warm"}, "must be a number"),
        ("a cat", "a cat", {"dim": 50}, "vector size must be one of"),
        ("a cat", "a cat", {"pad_to": 500}, "from 0 to 60"),
    ],
)
def test_bad_input_gets_a_clear_message(query, keys, settings, message):
    with pytest.raises(AttentionInputError, match=message):
        explore(query, keys, **settings)


def test_extreme_temperatures_are_clamped_and_said():
    cold = explore("the cat", "a cat on a mat", temperature=0)
    assert cold.settings["temperature"] == 0.01 and "0.01 is used" in cold.notes[0]
    assert cold.mean_weights.max(axis=1) == pytest.approx([1.0, 1.0], abs=1e-3)
    hot = explore("the cat", "a cat on a mat", temperature=1e6)
    assert hot.settings["temperature"] == 100 and "100 is used" in hot.notes[0]
    assert np.allclose(hot.mean_weights, 0.2, atol=0.02)


def test_any_script_works_and_long_sentences_are_cut_with_a_note():
    result = explore("😀 日本語 καλημέρα", "日本 語")
    assert result.query_tokens == ["😀", "日本語", "καλημέρα"]
    long = explore(" ".join(["word"] * 100), "a cat")
    assert len(long.query_tokens) == explorer.MAX_WORDS and "first 40" in long.notes[0]


def test_to_dict_is_json_with_masked_scores_as_null():
    data = json.loads(json.dumps(explore("a b", "a b", causal=True).to_dict()))
    assert data["scores"][0][0][1] is None
    assert data["weights"][0][0] == [1.0, 0.0]


# --- the toy model -------------------------------------------------------------------------


def test_targets_for_copy_and_reverse_respect_each_length():
    digits = torch.tensor([[1, 2, 3, model.PAD_ID], [4, 5, 6, 7]])
    lengths = torch.tensor([3, 4])
    assert train.toy_targets(digits, lengths, "copy").tolist() == [[1, 2, 3, -100], [4, 5, 6, 7]]
    assert train.toy_targets(digits, lengths, "reverse").tolist() == [[3, 2, 1, -100], [7, 6, 5, 4]]


def test_the_untrained_toy_model_attends_uniformly():
    toy = model.ToyAttention(max_length=6, dim=8)
    digits, lengths = train.random_sequences(4, 6, torch.Generator().manual_seed(0))
    _, weights = toy(digits, lengths)
    for row, n in zip(weights, lengths.tolist(), strict=True):
        assert torch.allclose(row[:n, :n], torch.full((n, n), 1 / n))
        assert torch.all(row[:n, n:] == 0)


def test_training_sharpens_the_weights_and_saves_a_loadable_checkpoint(tmp_path):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(
        LAB, {"task": "copy", "epochs": 1, "max_length": 5, "learning_rate": 0.01}, owner="test", max_steps=40
    )
    assert job.wait(timeout=120)
    assert job.state == "finished", job.message
    snapshots = [event for event in job.events_since(0) if type(event).__name__ == "Samples"]
    assert snapshots[0].captions[0].startswith("step 0: alignment 0.20")  # uniform over 5
    metrics = job.result.metrics
    assert metrics["heldout_alignment"] > 0.5, metrics
    loaded = LAB.load(job.checkpoint_dir)
    assert LAB.evaluate(loaded)["heldout_accuracy"] == metrics["heldout_accuracy"]
    assert run_toy(loaded, "1 2 3 4").output.isdigit()


def test_the_bundled_toy_models_solve_their_tasks():
    for task, text, expected in (("reverse", "31415", "51413"), ("copy", "2718", "2718")):
        result = run_toy(LAB.load_bundled({"task": task}), text)
        assert result.output == expected
        sources = result.weights.argmax(axis=1).tolist()
        assert sources == (list(range(len(text)))[::-1] if task == "reverse" else list(range(len(text))))


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Type a string of digits"), ("12a4", "only the digits 0-9, not 'a'"), ("1", "Type 2 to 8 digits")],
)
def test_bad_digit_strings_are_refused(text, message):
    with pytest.raises(AttentionInputError, match=message):
        run_toy(LAB.load_bundled(), text)


# --- the declared interactions ------------------------------------------------------------


def test_the_explore_interaction_draws_every_view_and_escapes_what_was_typed():
    interaction = LAB.interaction("explore")
    result = interaction(
        None, {"query": "<b>cat</b> $x$", "keys": "a <unk> cat", "pad_to": 6, "causal": True}
    )
    for word in ("`<`", "`b`", "`cat`", "`$`"):  # every typed word in a code span: shown as typed
        assert word in result["summary"], result["summary"]
    assert "<b>" not in result["summary"]
    weights, scores = result["weights"], result["scores"]
    assert weights.x == tuple(explore("<b>cat</b> $x$", "a <unk> cat", pad_to=6).key_tokens)
    assert np.allclose(weights.values.sum(axis=1), 1.0)
    assert np.isnan(scores.values[0, 1:]).all() and not np.isnan(scores.values[0, 0])  # masked: blank
    assert "per_head" not in result  # one head: nothing to split
    four = interaction(None, {"heads": 4})
    assert len(four["per_head"].data) == 4  # one heatmap per head
    assert four["gru_influence"].values.sum() == pytest.approx(1.0)
    outputs, state = four["outputs"], four["gru_state"]
    assert outputs.values.shape == (6, 64) and outputs.y == ("the", "cats", "sat", "on", "the", "mats")
    assert state.values.shape == (1, 64) and state.signed and outputs.signed  # red-white-blue round 0
    assert four["weights"].zmin == 0 and four["weights"].zmax == 1  # weights on a fixed scale


def test_the_explore_interaction_notes_the_unmasked_padding_in_code():
    result = LAB.interaction("explore")(None, {"keys": "a cat", "pad_to": 4, "mask_padding": False})
    assert "`<pad>`" in result["summary"] and "not masked" in result["summary"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"temperature": 1e6}, r"out of range \[0.01, 100\]"),
        ({"heads": 3}, "3 heads do not divide the 64 dimensions"),
        ({"dim": "50"}, "'50' is not one of"),
        ({"query": "   "}, "query sentence is empty"),
    ],
)
def test_the_explore_interaction_refuses_bad_settings_with_a_message(values, message):
    with pytest.raises(SpecError, match=message):
        LAB.interaction("explore")(None, values)


def test_the_toy_interaction_answers_and_shows_its_alignment():
    result = LAB.interaction("toy")(models.choose(LAB, "reverse"), {"digits": "3 1 4 1 5"})
    assert result["answer"] == "**reverse** 31415 → **51413** (right)"
    weights = result["weights"]
    assert weights.x == tuple("31415") and weights.y[0] == "out 1: 5"
    assert weights.values.argmax(axis=1).tolist() == [4, 3, 2, 1, 0]
    copy = LAB.interaction("toy")(models.choose(LAB, "copy"), {"digits": "2718"})
    assert copy["answer"].startswith("**copy** 2718 → **2718**")


def test_the_bundled_variants_are_reverse_then_copy():
    assert list(LAB.variants) == ["reverse", "copy"]
    assert models.choose(LAB, None).config["task"] == "reverse"


# --- command line --------------------------------------------------------------------------


def test_cli_explore_prints_the_weights_as_json(capsys):
    code = cli(
        [
            "attention",
            "explore",
            "the cat sat",
            "a cat",
            "--heads",
            "2",
            "--temperature",
            "0.5",
            "--causal",
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert "2 heads of 32 coordinates" in data["summary"]
    assert data["weights"]["y"] == ["the", "cat", "sat"] and data["weights"]["x"] == ["a", "cat"]
    assert data["weights"]["values"][0] == [1.0, 0.0]  # causal: the first word sees key 0 only


def test_cli_explore_reports_bad_input_in_one_line(capsys):
    assert cli(["attention", "explore", "the cat", "a cat", "--heads", "5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: 5 heads do not divide") and "Traceback" not in err


def test_cli_toy_runs_either_bundled_model(capsys):
    assert cli(["attention", "toy", "3141", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert "**1413** (right)" in answer["answer"] and answer["model"] == "toy attention (reverse)"
    assert cli(["attention", "toy", "3141", "--model", "copy"]) == 0
    assert "copy 3141 → 3141 (right)" in capsys.readouterr().out
