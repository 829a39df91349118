"""The text Transformer lab: the encoder (padding masked, heads dividing the width, pooling), a
training through the runner, the bundled encoder beside the baseline and the sentiment lab's
readers, its attention on a typed review, bad input, and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core.cli import main
from core.history import TrainingHistory
from core.labs.text_transformer.model import EncoderConfig, ReviewEncoder
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError
from core.tokens import TextInputError

LAB = get_lab("text-transformer")
REVIEW = "Not bad at all: the coffee is smooth, though the Zxqvl bag arrived torn."


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


def tiny(pooling: str = "cls") -> ReviewEncoder:
    torch.manual_seed(0)
    config = EncoderConfig(50, 12, d_model=16, heads=4, layers=2, dropout=0.0, pooling=pooling)
    return ReviewEncoder(config).eval()


@pytest.mark.parametrize("pooling", ["cls", "mean"])
def test_padding_changes_nothing_and_no_one_attends_to_it(pooling):
    model = tiny(pooling)
    short = torch.tensor([[2, 7, 9, 11]])
    padded = torch.tensor([[2, 7, 9, 11, 0, 0, 0]])
    with torch.no_grad():
        logits, weights = model(padded, attentions=True)
        assert torch.allclose(model(short), logits, atol=1e-5)
    assert weights.shape == (2, 1, 4, 7, 7)
    assert torch.all(weights[..., 4:] == 0)  # every head gives [PAD] zero weight
    assert torch.allclose(weights.sum(-1), torch.ones(2, 1, 4, 7))


def test_the_heads_must_divide_the_width():
    with pytest.raises(ValueError, match="not divisible by 3 heads"):
        ReviewEncoder(EncoderConfig(50, 12, d_model=16, heads=3))
    with pytest.raises(SpecError, match="3 heads do not divide the width 64"):
        LAB.check_params(LAB.spec.validate({"heads": 3}))


@pytest.mark.slow
def test_a_short_training_streams_and_saves_the_encoder_with_its_tokenizer(tmp_path):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    settings = {
        "epochs": 2,
        "d_model": 16,
        "heads": 2,
        "layers": 1,
        "vocab_size": 2000,
        "max_tokens": 64,
        "batch_size": 128,
    }
    job = runner.submit(LAB, settings, max_steps=40)  # 32 steps an epoch, then 8 of the next
    assert job.wait(180)
    assert job.state == "finished", job.message
    history = TrainingHistory()
    history.extend(job.events_since(0))
    assert history.steps["loss"] and [e for e, _ in history.epochs["heldout_accuracy"]] == [1, 2]
    figures = LAB.training_figures(history)
    assert len(figures) == len(LAB.train_metrics) and all(figure.data for figure in figures)
    reloaded = LAB.load(job.checkpoint_dir)
    assert reloaded.metrics["steps"] == 40 and reloaded.metrics["heldout_size"] == 1000
    assert reloaded.config["tokenizer"]["model"]["type"] == "WordLevel"
    answer = LAB.interaction("classify")(reloaded, {"review": REVIEW})
    assert answer["cls"].values.shape == (2, len(answer["cls"].x))  # one layer of two heads


def test_the_bundled_encoder_beside_the_baseline_and_the_readers(bundled):
    metrics = bundled.metrics
    assert metrics["stopped_by"] == "completed" and metrics["heldout_size"] == 1000
    assert metrics["heldout"]["accuracy"] > metrics["majority"]["accuracy"] + 0.03
    table = LAB.interaction("scores")(bundled, {})["table"]
    assert [row["model"] for row in table] == [
        "Transformer",
        "LSTM (sentiment lab)",
        "GRU (sentiment lab)",
        "TF-IDF + logistic regression",
        "always say great",
    ]
    card = (bundled.path / "README.md").read_text()
    assert "MIT licence" in card and "Reproduce: `python -m core train text-transformer" in card


def test_a_typed_review_shows_where_cls_looks_in_every_head(bundled):
    result = LAB.interaction("classify")(bundled, {"review": REVIEW})
    heads = bundled.config["layers"] * bundled.config["heads"]
    cls = result["cls"]
    assert cls.x[0] == "[CLS]" and "Zxqvl?" in cls.x and len(cls.y) == heads
    assert np.allclose(cls.values.sum(axis=1), 1, atol=1e-3)  # each head's row is a distribution
    assert "`Zxqvl`" in result["answers"] and "TF-IDF" in result["answers"]
    assert len(result["every_head"].data) == heads
    with pytest.raises(TextInputError, match="the text is empty"):
        LAB.interaction("classify")(bundled, {"review": " "})
    long = LAB.interaction("classify")(bundled, {"review": "good coffee " * 60})
    assert "first 32 of the 121 tokens" in long["answers"]


def test_the_cli_scores_a_review_and_refuses_bad_ones(capsys):
    assert main(["text-transformer", "classify", REVIEW, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["great"]["prediction"] in ("great", "other") and answer["cls"]["x"][0] == "[CLS]"
    assert main(["text-transformer", "classify", "qwzx vbnq"]) == 2
    assert "None of these words" in capsys.readouterr().err
    assert main(["train", "text-transformer", "--set", "heads=3"]) == 2
    assert "do not divide the width" in capsys.readouterr().err
