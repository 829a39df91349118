"""Text Transformer lab: a small encoder trained from scratch on the food reviews, its attention
on a typed review, and the sentiment lab's LSTM and GRU beside it."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import torch
from torch import nn

from core import charts, reviews
from core.history import TrainingHistory
from core.labs.base import Lab, TrainedModel
from core.labs.text_transformer import train as training
from core.labs.text_transformer.interactions import INTERACTIONS
from core.labs.text_transformer.model import build_encoder
from core.labs.text_transformer.spec import SPEC
from core.specs import SpecError


class TextTransformerLab(Lab):
    spec = SPEC
    variants = {"cls": "text-transformer-cls"}  # noqa: RUF012
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("loss", "accuracy")
    samples_label = None
    course_recipe = training.COURSE_RECIPE
    # No best_metric: picking the epoch by its held-out figures would flatter them.

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        reviews.tokenizer_from_dict(config["tokenizer"])  # refuse now a checkpoint without one
        return build_encoder(config)

    onnx_traced = True  # written in a second, where torch.export takes 10 to 20 s on this model

    onnx_lengths = True  # ids of any length: no token attends to [PAD]

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.tensor([[reviews.CLS, 40, 11, 7, 99], [reviews.CLS, 8, 1, 0, 0]]),)

    onnx_about = (
        "(N, T) token ids, [CLS] (2) first, then the review's, padded with 0 ([PAD]) after its end (T up "
        "to config.json's max_tokens + 1), in; (N, 2) logits (other, great) out. Tokenise as "
        "review_words.py does."
    )

    def check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        if params["d_model"] % params["heads"]:
            raise SpecError(
                f"Heads: {params['heads']} heads do not divide the width {params['d_model']}; "
                "pick a width that is a multiple of the heads (64 and 4, say)."
            )
        return params

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        loss, accuracy = (charts.training_curves(history, metric) for metric in self.train_metrics)
        baseline = history.latest("baseline_accuracy")
        if baseline is not None:
            accuracy.add_hline(
                y=baseline, line=dict(color="grey", dash="dash", width=1), annotation_text="TF-IDF baseline"
            )
        return [loss, accuracy]

    def next_step(self) -> str:
        return (
            "train again with one change, say mean pooling instead of [CLS], and compare the held-out "
            "accuracy with the LSTM and GRU in the Scores tab."
        )

    def headline(self, metrics: dict[str, Any]) -> str:
        try:
            return (
                f"held-out accuracy {metrics['heldout']['accuracy']:.1%}, "
                f"TF-IDF baseline {metrics['baseline']['accuracy']:.1%}"
            )
        except (KeyError, TypeError):
            return ""

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        heldout, baseline = metrics.get("heldout", {}), metrics.get("baseline", {})
        data = config.get("data", {})
        source = data.get("source", {})
        body = (
            f"# Sentiment of food reviews: {config.get('architecture')}\n\n"
            f"Trained from scratch by Deep Learning Labs' text-transformer lab on {data.get('description')}. "
            f"Data: {source.get('origin')}; {source.get('licence')}; loaded through "
            f"{source.get('reference')} and its testing half.\n\n"
            f"Held-out figures ({metrics.get('heldout_size')} reviews, every one of a product no "
            "training review is about):\n\n"
            "| model | parameters | accuracy | F1 of great |\n| --- | --- | --- | --- |\n"
            f"| this encoder | {metrics.get('parameters', 0):,} | {heldout.get('accuracy', 0):.1%} | "
            f"{heldout.get('f1', 0):.3f} |\n"
            f"| TF-IDF + logistic regression (scikit-learn) | {baseline.get('parameters', 0):,} | "
            f"{baseline.get('accuracy', 0):.1%} | {baseline.get('f1', 0):.3f} |\n\n"
            "- Tokenizer: word-level (Hugging Face tokenizers), learnt from the training reviews, saved "
            "in config.json (`tokenizer`); [CLS] is put in front of every review\n"
            f"- Input: token ids, at most {config.get('max_tokens')} a review after [CLS]; output: "
            "logits for other, great\n\n"
        )
        return self.card(("text-classification", "sentiment", "transformer"), body, config)


LAB = TextTransformerLab()
