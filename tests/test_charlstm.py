"""The character-level text lab: the sentences setting, the vocabulary, training through the
runner, the bundled model's memorisation, generation and its bad input, and the command line."""

from __future__ import annotations

import json

import pytest
import torch

from core.checkpoints import read_checkpoint
from core.cli import main
from core.events import EpochEnd, Progress
from core.labs.charlstm import interactions as charlstm
from core.labs.charlstm import model, train
from core.registry import get_lab
from core.runner import TrainingRunner
from core.sentences import MAX_SENTENCE_CHARS, MAX_SENTENCES, clean_sentences, split_sentences
from core.specs import SpecError

LAB = get_lab("charlstm")


# --- the sentences setting -----------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\n \t\n", "\u200b\n\u0007"])
def test_an_empty_list_of_sentences_is_refused_with_a_message(text):
    with pytest.raises(SpecError, match="at least one sentence"):
        LAB.spec.validate({"sentences": text})


def test_sentences_are_normalised_and_repeats_dropped():
    typed = "  Cafe\u0301   au lait.\r\nzero\u200bwidth\tgone.\n\nCafé au lait.\n"
    assert split_sentences(typed) == ["Café au lait.", "zerowidth gone."]
    assert LAB.spec.validate({"sentences": typed})["sentences"] == "Café au lait.\nzerowidth gone."
    assert split_sentences("Emoji 😀 stay.") == ["Emoji 😀 stay."]


def test_too_many_or_too_long_sentences_are_refused():
    with pytest.raises(SpecError, match=f"at most {MAX_SENTENCES} sentences"):
        clean_sentences("\n".join(f"sentence {i}" for i in range(MAX_SENTENCES + 1)))
    with pytest.raises(SpecError, match=f"sentence 2 has {MAX_SENTENCE_CHARS + 1} characters"):
        clean_sentences("short\n" + "x" * (MAX_SENTENCE_CHARS + 1))
    with pytest.raises(SpecError, match="expected text"):
        LAB.spec.validate({"sentences": 42})


def test_the_vocabulary_round_trips_and_names_what_it_does_not_know():
    vocabulary = model.Vocabulary.from_sentences(["abc", "cab!"])
    assert vocabulary.characters == ("!", "a", "b", "c") and len(vocabulary) == 7
    assert vocabulary.decode(vocabulary.encode("cab!")) == "cab!"
    assert vocabulary.unknown("abz😀") == ["z", "😀"]
    inputs, targets = train.teacher_forcing_batch(["ab", "c"], vocabulary)
    assert inputs.tolist() == [[model.START, 4, 5], [model.START, 6, model.PAD]]
    assert targets.tolist() == [[4, 5, model.END], [6, model.END, model.PAD]]


# --- training ------------------------------------------------------------------------------

TINY = {"sentences": "Hi there.\nGo on.", "hidden_size": 16, "layers": 1, "epochs": 30, "learning_rate": 0.03}


def test_a_tiny_training_streams_memorisation_and_saves_the_vocabulary(tmp_path):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, TINY)
    events = list(job.stream())
    assert job.state == "finished", job.message
    progress = [e for e in events if isinstance(e, Progress)]
    assert len(progress) == 30 and {"loss", "accuracy"} <= set(progress[0].metrics)
    assert progress[-1].metrics["loss"] < progress[0].metrics["loss"]
    assert any("memorisation" in e.metrics for e in progress)
    assert [e for e in events if isinstance(e, EpochEnd)], "no probe points"

    saved = read_checkpoint(job.checkpoint_dir)
    assert saved.config["vocabulary"] == [" ", ".", "G", "H", "e", "h", "i", "n", "o", "r", "t"]
    assert saved.config["sentences"] == ["Hi there.", "Go on."]
    assert not list(job.checkpoint_dir.glob("*.p*")), "no pickles beside the checkpoint"
    reloaded = LAB.load(job.checkpoint_dir)
    first = charlstm.generate(job.result, "H", 0)
    assert charlstm.generate(reloaded, "H", 0).texts == first.texts
    assert LAB.evaluate(reloaded)["memorisation_rate"] == job.result.metrics["memorisation_rate"]


# --- the bundled model ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


def test_the_bundled_model_memorises_its_sentences_from_the_start_token(bundled):
    figures = LAB.evaluate(bundled)
    assert figures["memorisation_rate"] >= 0.9 and figures["meets_target"]
    assert figures["coverage"] == 1.0 and figures["samples"] == train.MEMORISATION_SAMPLES
    assert figures["memorisation_rate"] == bundled.metrics["memorisation_rate"]  # reproducible
    assert "memorisation rate" in LAB.headline(bundled.metrics)


def test_greedy_generation_finishes_a_sentence_from_its_first_word(bundled):
    result = charlstm.generate(bundled, "Practice", temperature=0)
    assert result.texts == ["Practice makes perfect."] and result.memorised == [True]
    assert result.finished == [True] and result.temperature == 0


def test_sampling_is_seeded(bundled):
    one = charlstm.generate(bundled, "", 1.5, count=5, seed=3).texts
    assert one == charlstm.generate(bundled, "", 1.5, count=5, seed=3).texts
    assert len(one) == 5


def test_temperature_extremes_are_clamped_and_said(bundled):
    hot = charlstm.generate(bundled, "The", 1e6, count=2)
    assert hot.temperature == charlstm.MAX_TEMPERATURE and "clamped to 10" in hot.notes[0]
    assert all(len(text) <= charlstm.MAX_GENERATED_CHARS for text in hot.texts)
    cold = charlstm.generate(bundled, "The", 1e-9)
    assert cold.temperature == 0 and "greedy" in cold.notes[0]
    greedy_many = charlstm.generate(bundled, "The", 0, count=4)
    assert len(greedy_many.texts) == 1 and "one text" in greedy_many.notes[0]


@pytest.mark.parametrize(
    ("prompt", "temperature", "count", "message"),
    [
        ("The", -1, 1, "0 \\(greedy\\) or more"),
        ("The", float("nan"), 1, "0 \\(greedy\\) or more"),
        ("The", "hot", 1, "must be a number"),
        ("x" * 501, 0.5, 1, "501 characters; the limit is 500"),
        ("the 😀 ñ", 0.5, 1, "never saw 'ñ' '😀'"),
        ("The", 0.5, 0, "between 1 and 50"),
        ("The", 0.5, 51, "between 1 and 50"),
        ("The", 0.5, 2.5, "whole number"),
    ],
)
def test_bad_generation_input_gets_a_clear_message(bundled, prompt, temperature, count, message):
    with pytest.raises(charlstm.GenerationError, match=message):
        charlstm.generate(bundled, prompt, temperature, count)
    with pytest.raises(charlstm.GenerationError, match="Seed must be between 0 and"):
        charlstm.generate(bundled, "The", 0.5, 1, seed=-1)
    assert issubclass(charlstm.GenerationError, SpecError)  # every front reports these cleanly


def test_a_prompt_is_normalised_like_the_sentences(bundled):
    # "e" + combining acute is not in the vocabulary, but neither is "é": the same clear refusal.
    with pytest.raises(charlstm.GenerationError, match="never saw 'é'"):
        charlstm.generate(bundled, "cafe\u0301", 0)
    assert charlstm.generate(bundled, "Deep\u200b", 0).texts[0].startswith("Deep learning")


def test_generation_does_not_touch_the_shared_models_mode(bundled):
    bundled.model.eval()
    charlstm.generate(bundled, "", 0.5, count=3)
    assert not bundled.model.training and torch.is_grad_enabled()


def test_the_write_interaction_marks_what_is_memorised(bundled):
    write = LAB.interaction("generate")
    greedy = write(bundled, {"prompt": "Practice", "greedy": True, "count": 5})
    assert greedy["texts"] == [{"text": "Practice makes perfect.", "memorised": True, "finished": True}]
    assert (
        "Greedy decoding:" in greedy["written"]
        and "`Practice makes perfect.` (✅ memorised)" in greedy["written"]
    )
    sampled = write(bundled, {"temperature": 1.5, "count": 4, "seed": 3})
    assert len(sampled["texts"]) == 4 and "Sampled at temperature 1.5" in sampled["written"]
    assert sampled == write(bundled, {"temperature": 1.5, "count": 4, "seed": 3})  # seeded
    hot = write(bundled, {"prompt": "The", "temperature": 50, "count": 1})
    assert "clamped to 10" in hot["written"]


def test_memorisation_is_measured_as_the_lab_measures_it(bundled):
    answer = LAB.interaction("memorisation")(bundled, {})
    rate = bundled.metrics["memorisation_rate"]
    assert f"Memorisation rate **{rate:.0%}**" in answer["summary"] and "measured 25%" in answer["summary"]
    assert [row["sentence"] for row in answer["sentences"]] == train.sentences_of(bundled)
    written = sum(row["written"] for row in answer["sentences"]) + sum(
        row["written"] for row in answer["others"]
    )
    assert written == train.MEMORISATION_SAMPLES
    assert all(row["from its first word"] for row in answer["sentences"])
    hot = LAB.interaction("memorisation")(bundled, {"samples": 30, "temperature": 3.0, "seed": 1})
    assert hot["others"], "at temperature 3 some texts are none of its sentences"


# --- command line --------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_generate_and_evaluate(capsys):
    code, out, _ = run(capsys, "charlstm", "generate", "Memory", "--greedy", "--json")
    result = json.loads(out)
    assert code == 0 and result["texts"] == [
        {
            "text": "Memory lets an LSTM finish every sentence it has seen.",
            "memorised": True,
            "finished": True,
        }
    ]
    code, out, _ = run(capsys, "charlstm", "generate", "--count", "3", "--temperature", "0.8", "--seed", "2")
    assert code == 0 and out.count("\n- `") == 3
    code, out, _ = run(capsys, "charlstm", "memorisation", "--samples", "10", "--json")
    assert code == 0 and len(json.loads(out)["sentences"]) == 5
    code, out, _ = run(capsys, "evaluate", "charlstm", "--json")
    figures = json.loads(out)
    assert code == 0 and figures["memorisation_rate"] >= 0.9 and figures["course_memorisation_rate"] == 0.25


def test_cli_bad_input_is_one_line_and_exit_code_two(capsys):
    code, _, err = run(capsys, "charlstm", "generate", "¿Qué?")
    assert code == 2 and "never saw" in err and "Traceback" not in err
    code, _, err = run(capsys, "charlstm", "generate", "--temperature", "-3")
    assert code == 2 and "Temperature: '-3' is out of range [0, 1000]" in err
    code, _, err = run(capsys, "charlstm", "generate", "--count", "99")
    assert code == 2 and "out of range [1, 50]" in err
    code, _, err = run(capsys, "train", "charlstm", "--set", "sentences=")
    assert code == 2 and "at least one sentence" in err
