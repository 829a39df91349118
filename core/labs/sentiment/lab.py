"""Sentiment lab: an LSTM and a GRU read Amazon food reviews side by side, beside TF-IDF and
logistic regression."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import torch
from torch import nn

from core import charts, reviews
from core.export import SideBySide
from core.history import TrainingHistory
from core.labs.base import Lab, TrainedModel
from core.labs.sentiment import train as training
from core.labs.sentiment.interactions import INTERACTIONS
from core.labs.sentiment.model import build_readers
from core.labs.sentiment.spec import MODEL_NAMES, READER_MODELS, SPEC


class SentimentLab(Lab):
    spec = SPEC
    variants = {"both": "sentiment-both"}  # noqa: RUF012  (one checkpoint holds both readers)
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("accuracy", "loss")  # drawn by `training_figures`: every reader on each chart
    samples_label = None  # no pictures: the charts and the Scores tab compare the readers
    # No best_metric: picking the epoch by its held-out figures would flatter them.
    course_recipe = training.COURSE_RECIPE

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        reviews.tokenizer_from_dict(config["tokenizer"])  # refuse now a checkpoint without one
        return build_readers(config)

    onnx_traced = True  # PyTorch's recurrent layers: see Lab.onnx_traced

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        return SideBySide(trained.model)

    onnx_lengths = True  # ids of any length: each reader answers from its review's last token

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        ids = torch.tensor([[2, 40, 11, 7, 99, 5], [8, 1, 30, 0, 0, 0]])  # padded with [PAD], 0
        return ids, torch.tensor([6, 3])

    onnx_about = (
        "both readers side by side: (N, T) token ids, padded with 0 ([PAD]) after each review's end "
        "(T up to config.json's max_tokens), and (N,) the reviews' lengths in; (N, readers, 2) logits "
        "(other, great) out, the readers in config.json's `models` order. Tokenise as review_words.py does."
    )

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        return training_figures(history)

    def next_step(self) -> str:
        return (
            "train again with one change, say the course's recipe (no dropout, learning rate 0.001), "
            "and compare the held-out accuracy with the TF-IDF baseline in the Scores tab."
        )

    def headline(self, metrics: dict[str, Any]) -> str:
        heldout, baseline = metrics.get("heldout"), metrics.get("baseline")
        if not isinstance(heldout, dict) or not isinstance(baseline, dict):
            return ""
        try:
            return "held-out accuracy " + ", ".join(
                [f"{MODEL_NAMES[name]} {heldout[name]['accuracy']:.1%}" for name in training.ordered(heldout)]
                + [f"TF-IDF baseline {baseline['accuracy']:.1%}"]
            )
        except (KeyError, TypeError):
            return ""

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        heldout, baseline = metrics.get("heldout", {}), metrics.get("baseline", {})
        rows = [
            f"| {MODEL_NAMES[name]} | `{name}.` | {metrics.get('parameters', {}).get(name, '-'):,} | "
            f"{metrics.get('seconds_per_epoch', {}).get(name, '-')} | {heldout[name]['accuracy']:.1%} | "
            f"{heldout[name]['f1']:.3f} |"
            for name in training.ordered(heldout)
        ]
        if baseline:
            rows.append(
                f"| TF-IDF + logistic regression (scikit-learn) | - | {baseline.get('parameters', 0):,} | "
                f"fitted in {baseline.get('seconds')} s | {baseline['accuracy']:.1%} | {baseline['f1']:.3f} |"
            )
        data = config.get("data", {})
        source = data.get("source", {})
        body = (
            f"# Sentiment of food reviews: {config.get('architecture')}\n\n"
            f"Trained by Deep Learning Labs' sentiment lab on {data.get('description')}. Data: "
            f"{source.get('origin')}; {source.get('licence')}; loaded through {source.get('reference')} "
            "and its testing half. The readers were trained side by side on the same batches.\n\n"
            f"Held-out figures ({metrics.get('heldout_size')} reviews, every one of a product no "
            "training review is about):\n\n"
            "| model | tensor prefix | parameters | seconds per epoch | accuracy | F1 of great |\n"
            "| --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n\n"
            f"- Embedding {config.get('embedding_dim')}, hidden size {config.get('hidden_size')}, "
            f"dropout {config.get('dropout')}\n"
            f"- Tokenizer: word-level (Hugging Face tokenizers), {config.get('vocab_size'):,} entries "
            "learnt from the training reviews, saved in config.json (`tokenizer`); words seen fewer "
            "than twice are [UNK]\n"
            f"- Input: token ids, at most {config.get('max_tokens')} a review; output: logits for "
            "other, great\n\n"
        )
        return self.card(("text-classification", "sentiment", "lstm", "gru"), body, config)


def training_figures(history: TrainingHistory) -> list[go.Figure]:
    """Every reader's held-out accuracy at each epoch end with the baseline's as a line, and
    every reader's training loss per step."""
    models = [(name, MODEL_NAMES[name]) for name in READER_MODELS if f"{name}_loss" in history.steps]
    accuracy = charts.per_model_curves(
        history, models, "heldout_{name}_accuracy", "Held-out accuracy (each epoch's end)", "accuracy"
    )
    baseline = history.latest("baseline_accuracy")
    if baseline is not None:
        accuracy.add_hline(
            y=baseline, line=dict(color="grey", dash="dash", width=1), annotation_text="TF-IDF baseline"
        )
    accuracy.update_yaxes(tickformat=".0%")
    loss = charts.per_model_curves(
        history, models, "{name}_loss", "Training loss (per step, smoothed)", "cross-entropy", smooth=20
    )
    return [accuracy, loss]


LAB = SentimentLab()
