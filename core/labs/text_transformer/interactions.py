"""What a student does with the review encoder: pure functions of (model, input)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from core import charts, reviews
from core.interactions import Heatmap, Interaction, Output, Probabilities
from core.labs.base import TrainedModel
from core.labs.text_transformer.train import tokenizer_of
from core.markup import code, code_list
from core.recurrent import one_thread
from core.specs import Param

# The every-head grid shows the first tokens, T x T cells a head (48 took 0.3 s to draw at load 15).
GRID_TOKENS = 32
EXAMPLE_REVIEW = "Not bad at all: the coffee is smooth, though the bag arrived torn."
READER_NAMES = {"lstm": "LSTM (sentiment lab)", "gru": "GRU (sentiment lab)"}


def read(trained: TrainedModel, review: str) -> tuple[reviews.TypedReview, float, np.ndarray]:
    """A typed review -> its tokens, P(great) and every layer's attention (layers, heads, T, T),
    [CLS] first."""
    typed = reviews.read_review(tokenizer_of(trained), review, int(trained.config["max_tokens"]))
    ids = torch.tensor([[reviews.CLS, *typed.ids]])
    with torch.no_grad(), one_thread():
        logits, weights = trained.model.eval()(ids, attentions=True)
    return typed, float(F.softmax(logits, dim=1)[0, 1]), weights[:, 0].numpy()


def classify(trained: TrainedModel, review: str) -> dict[str, Any]:
    typed, probability, weights = read(trained, review)
    tokens = [reviews.CLS_TOKEN, *typed.shown]
    layers, heads = weights.shape[:2]
    baseline = float(reviews.fitted_baseline().predict_proba([typed.text])[0, 1])
    verdict = reviews.CLASSES[int(probability >= 0.5)]
    answer = (
        "| model | says | P(great) |\n| --- | --- | --- |\n"
        f"| Transformer | **{verdict}** | {probability:.0%} |\n"
        f"| TF-IDF + logistic regression | **{reviews.CLASSES[int(baseline >= 0.5)]}** | {baseline:.0%} |"
    )
    if typed.unknown:
        answer += (
            f"\n\nWords the tokenizer never learnt (read as {code(reviews.UNK_TOKEN)}): "
            f"{code_list(typed.unknown)}."
        )
    shown = min(len(tokens), GRID_TOKENS)
    if shown < len(tokens):
        answer += f"\n\nThe grid of every head shows the first {shown} of the {len(tokens)} tokens."
    pooling = trained.config.get("pooling", "cls")
    return {
        "answers": answer,
        "great": Probabilities(reviews.CLASSES, np.array([1 - probability, probability])),
        "cls": Heatmap(
            np.round(weights[:, :, 0, :].reshape(layers * heads, -1), 4),
            tuple(tokens),
            tuple(f"layer {layer + 1}, head {head + 1}" for layer in range(layers) for head in range(heads)),
            title="Where [CLS] looks, every layer and head"
            + (
                " (the classifier reads [CLS])"
                if pooling == "cls"
                else " (this model reads the mean instead)"
            ),
            x_title="the review, token by token (word? = never learnt)",
            zmin=0.0,
            zmax=1.0,
        ),
        "every_head": charts.attention_grid(
            np.round(weights[:, :, :shown, :shown], 3),
            tokens[:shown],
            tokens[:shown],
            "Self-attention, every layer and head (row: the token that looks; column: where)",
        ),
    }


def reader_metrics() -> dict[str, Any]:
    """The sentiment lab's bundled readers' recorded figures, {} when its checkpoint is missing."""
    from core.registry import get_lab

    path = get_lab("sentiment").bundled_checkpoint() / "metrics.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def row(model: str, figures: dict[str, Any], parameters: Any, seconds: Any) -> dict[str, Any]:
    return {
        "model": model,
        "parameters": parameters,
        "seconds per epoch": seconds,
        "held-out accuracy (%)": round(100 * figures["accuracy"], 1),
        "F1 of great": figures["f1"],
    }


def scores(trained: TrainedModel) -> dict[str, Any]:
    """This encoder beside the sentiment lab's LSTM and GRU, the baseline and saying great."""
    metrics = trained.metrics
    rows = []
    if "heldout" in metrics:
        rows.append(
            row(
                "Transformer", metrics["heldout"], metrics.get("parameters"), metrics.get("seconds_per_epoch")
            )
        )
    readers = reader_metrics()
    for name, label in READER_NAMES.items():
        if name in readers.get("heldout", {}):
            rows.append(
                row(
                    label,
                    readers["heldout"][name],
                    readers.get("parameters", {}).get(name),
                    readers.get("seconds_per_epoch", {}).get(name),
                )
            )
    if "baseline" in metrics:
        baseline = metrics["baseline"]
        rows.append(row("TF-IDF + logistic regression", baseline, baseline.get("parameters"), None))
    if "majority" in metrics:
        rows.append(row("always say great", metrics["majority"], 0, None))
    note = (
        f"Held-out: the same {metrics.get('heldout_size', 1000):,} reviews for every row, all of "
        "products no training review is about. The LSTM and GRU rows are the sentiment lab's bundled "
        "readers (same reviews, same kind of tokenizer); seconds per epoch were measured on a busy "
        "machine, in different trainings."
    )
    return {"note": note, "table": rows}


INTERACTIONS = (
    Interaction(
        "classify",
        "Type a review",
        "The encoder's verdict on your review, where its [CLS] token looks in every layer and head, "
        "and every head's full attention map.",
        classify,
        inputs=(
            Param(
                "review", "text", EXAMPLE_REVIEW, "A food review in English, a sentence or a few.", lines=4
            ),
        ),
        outputs=(
            Output("answers", "markdown", "The verdicts"),
            Output("great", "label", "Transformer"),
            Output(
                "cls",
                "heatmap",
                "Where [CLS] looks",
                help="Each row: one head's attention from [CLS] over the review; a row sums to 1.",
            ),
            Output("every_head", "plot", "Every head's attention"),
        ),
        example={"review": EXAMPLE_REVIEW},
    ),
    Interaction(
        "scores",
        "Held-out scores",
        "The encoder's held-out accuracy and F1 beside the sentiment lab's LSTM and GRU, TF-IDF + "
        "logistic regression and saying great to everything.",
        scores,
        outputs=(Output("note", "markdown", ""), Output("table", "table", "Held-out figures")),
    ),
)
