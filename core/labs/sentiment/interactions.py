"""What a student does with the review readers: pure functions of (models, input)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from core import reviews
from core.interactions import Heatmap, Interaction, Output, Probabilities
from core.labs.base import TrainedModel
from core.labs.sentiment.model import ReviewReader
from core.labs.sentiment.spec import MODEL_NAMES, READER_MODELS
from core.labs.sentiment.train import heldout_probabilities, ordered, tokenizer_of
from core.markup import code, code_list
from core.recurrent import one_thread
from core.specs import Param, SpecError

IG_STEPS = 32  # points on the integration path: the attributions' sum is within a few % of the gap
SHOWN_CHARACTERS = 300  # a held-out review in the mistakes table: its beginning
EXAMPLE_REVIEW = (
    "I wanted to love these crackers, but they arrived stale and the box was half empty. Not worth the price."
)


# --- a typed review -------------------------------------------------------------------------


def attributions(model: ReviewReader, ids: torch.Tensor) -> tuple[float, np.ndarray]:
    """P(great) for one review (1, T) and each token's integrated-gradients attribution to it
    (captum's LayerIntegratedGradients on the embedding, from an all-[PAD] review)."""
    from captum.attr import LayerIntegratedGradients

    lengths = torch.tensor([ids.shape[1]])

    def great(batch: torch.Tensor) -> torch.Tensor:
        return F.softmax(model(batch, lengths.expand(len(batch))), dim=1)[:, 1]

    model.eval()
    with torch.no_grad():
        probability = float(great(ids)[0])
    explainer = LayerIntegratedGradients(great, model.embedding)
    per_dimension = explainer.attribute(ids, baselines=torch.full_like(ids, reviews.PAD), n_steps=IG_STEPS)
    return probability, per_dimension.sum(dim=-1)[0].detach().numpy()


def answers_markdown(typed: reviews.TypedReview, said: dict[str, float], baseline: float) -> str:
    rows = [f"| {MODEL_NAMES[name]} | **{verdict(p)}** | {p:.0%} |" for name, p in said.items()]
    rows.append(f"| TF-IDF + logistic regression | **{verdict(baseline)}** | {baseline:.0%} |")
    table = "| model | says | P(great) |\n| --- | --- | --- |\n" + "\n".join(rows)
    if typed.unknown:
        table += (
            f"\n\nWords the tokenizer never learnt (read as {code(reviews.UNK_TOKEN)}): "
            f"{code_list(typed.unknown)}."
        )
    if len({verdict(p) for p in [*said.values(), baseline]}) > 1:
        table += "\n\nThe models disagree: read the word contributions below to see why."
    return table


def verdict(probability: float) -> str:
    return reviews.CLASSES[int(probability >= 0.5)]


def classify(trained: TrainedModel, review: str) -> dict[str, Any]:
    typed = reviews.read_review(tokenizer_of(trained), review, int(trained.config["max_tokens"]))
    ids = torch.tensor([typed.ids])
    said, pushes = {}, []
    with one_thread():
        for name in ordered(dict(trained.model.items())):
            probability, attribution = attributions(trained.model[name], ids)
            said[name] = probability
            pushes.append(attribution)
    baseline = float(reviews.fitted_baseline().predict_proba([typed.text])[0, 1])
    result: dict[str, Any] = {
        "answers": answers_markdown(typed, said, baseline),
        "contributions": Heatmap(
            np.round(np.stack(pushes), 4),
            tuple(typed.shown),
            tuple(MODEL_NAMES[name] for name in said),
            title="Each word's push towards great (red) or other (blue): integrated gradients",
            x_title="the review, token by token (word? = never learnt)",
            signed=True,
        ),
    }
    for name, probability in said.items():
        result[name] = Probabilities(reviews.CLASSES, np.array([1 - probability, probability]))
    return result


# --- the held-out figures ----------------------------------------------------------------


def scores(trained: TrainedModel) -> dict[str, Any]:
    """Each reader's size, speed and held-out figures beside the baseline's, as recorded in training."""
    metrics = trained.metrics
    heldout, baseline = metrics.get("heldout", {}), metrics.get("baseline", {})
    rows = [
        {
            "model": MODEL_NAMES[name],
            "parameters": metrics.get("parameters", {}).get(name),
            "seconds per epoch": metrics.get("seconds_per_epoch", {}).get(name),
            "held-out accuracy (%)": round(100 * heldout[name]["accuracy"], 1),
            "F1 of great": heldout[name]["f1"],
        }
        for name in ordered(heldout)
    ]
    if baseline:
        rows.append(
            {
                "model": "TF-IDF + logistic regression",
                "parameters": baseline.get("parameters"),
                "seconds per epoch": None,
                "held-out accuracy (%)": round(100 * baseline["accuracy"], 1),
                "F1 of great": baseline["f1"],
            }
        )
    majority = metrics.get("majority")
    if majority:
        rows.append(
            {
                "model": "always say great",
                "parameters": 0,
                "seconds per epoch": None,
                "held-out accuracy (%)": round(100 * majority["accuracy"], 1),
                "F1 of great": majority["f1"],
            }
        )
    note = (
        f"Held-out: {metrics.get('heldout_size', '?'):,} reviews of products no training review is "
        f"about. The baseline fitted in {baseline.get('seconds', '?')} s; each reader's seconds per "
        "epoch are its own steps, what it would take trained alone. Saying great to every review "
        "already scores a high F1 of great: compare accuracies too."
    )
    return {"note": note, "table": rows}


def check_reader(trained: TrainedModel, reader: str) -> str:
    if reader not in trained.model:
        have = ", ".join(ordered(dict(trained.model.items())))
        raise SpecError(f"This training has no {reader}; it trained: {have}.")
    return reader


def mistakes(trained: TrainedModel, reader: str = "lstm", count: int = 8) -> dict[str, Any]:
    """The held-out reviews the reader was surest about and got wrong."""
    name = check_reader(trained, reader)
    probabilities = heldout_probabilities(trained)[name]
    held = reviews.load_reviews().heldout
    wrong = np.flatnonzero((probabilities >= 0.5) != (held.labels == 1))
    sureness = np.abs(probabilities[wrong] - 0.5)
    rows = []
    for index in wrong[np.argsort(-sureness, kind="stable")][:count]:
        text = held.texts[index]
        rows.append(
            {
                "review": text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…",
                "label": reviews.CLASSES[held.labels[index]],
                "P(great)": round(float(probabilities[index]), 3),
                "held-out review": int(index),
            }
        )
    note = (
        f"The {MODEL_NAMES[name]} got {len(wrong)} of {len(held):,} held-out reviews wrong; these are "
        "the ones it was surest about. Some are the model's mistakes, some a label you may disagree with."
    )
    return {"note": note, "table": rows}


INTERACTIONS = (
    Interaction(
        "classify",
        "Type a review",
        "Both readers and the TF-IDF baseline score your review; the heatmap shows how much each "
        "word pushed each reader towards great (red) or other (blue).",
        classify,
        inputs=(
            Param(
                "review", "text", EXAMPLE_REVIEW, "A food review in English, a sentence or a few.", lines=4
            ),
        ),
        outputs=(
            Output("answers", "markdown", "Every model's verdict"),
            *(Output(name, "label", MODEL_NAMES[name]) for name in READER_MODELS),
            Output(
                "contributions",
                "heatmap",
                "Which words pushed the verdict",
                help="Integrated gradients: a word's share of the move from an empty review to this one.",
            ),
        ),
        example={"review": EXAMPLE_REVIEW},
    ),
    Interaction(
        "scores",
        "Held-out scores",
        "Each reader's parameters, seconds per epoch, held-out accuracy and F1 beside TF-IDF + "
        "logistic regression and saying great to everything.",
        scores,
        outputs=(Output("note", "markdown", ""), Output("table", "table", "Held-out figures")),
    ),
    Interaction(
        "mistakes",
        "Confident mistakes",
        "The held-out reviews a reader got wrong while most sure of itself.",
        mistakes,
        inputs=(
            Param("reader", "choice", "lstm", "Which reader's mistakes.", choices=READER_MODELS),
            Param("count", "int", 8, "How many reviews to list.", low=1, high=50),
        ),
        outputs=(Output("note", "markdown", ""), Output("table", "table", "Surest mistakes")),
        example={"reader": "gru", "count": 5},
    ),
)
