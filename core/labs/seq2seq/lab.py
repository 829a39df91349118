"""Seq2seq lab: a GRU or LSTM encoder-decoder translating English to French, trained twice side
by side, with and without attention, on the same batches for the same number of steps."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from torch import nn

from core import charts
from core.history import TrainingHistory
from core.labs.base import Lab
from core.labs.seq2seq import train as training
from core.labs.seq2seq.interactions import INTERACTIONS
from core.labs.seq2seq.model import MODEL_LABELS, MODELS, Seq2seqPair
from core.labs.seq2seq.spec import SPEC
from core.labs.transformer.lab import TATOEBA_CARD


class Seq2seqLab(Lab):
    spec = SPEC
    # Both models of the default recipe, per corpus: the corpus setting picks the bundled pair.
    variants = {"tatoeba": "seq2seq-gru-additive", "generated": "seq2seq-generated"}  # noqa: RUF012
    variant_setting = "corpus"
    interactions = INTERACTIONS
    trainer = training
    # Both models on each chart (`training_figures`): losses, held-out BLEU, BLEU on long sentences.
    train_metrics = ("loss", "bleu", "bleu_long")
    samples_label = None  # no pictures: the charts compare the two models
    onnx_note = (
        "translating is a loop that feeds each word back into the decoder with its state and "
        "attention, which one ONNX file does not hold; predict.py translates with PyTorch, tokenising "
        "as the app does."
    )
    best_metric = ("heldout_bleu_attention", "max")
    divergence_factor = 20.0  # a translation loss starts near log(vocab); 20x that is a blow-up
    # The course's settings; it trained on 500 pairs for 150 full-batch epochs.
    course_recipe = {  # noqa: RUF012
        "cell": "lstm",
        "attention": "dot",
        "teacher_forcing": 0.5,
        "embedding": 256,
        "hidden": 512,
        "learning_rate": 0.001,
        "corpus_size": 500,
        "epochs": "150 full-batch",
    }

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return Seq2seqPair(config)

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        """With and without attention side by side on every chart: the training losses (smoothed
        over 10 steps), held-out BLEU (live on 150 sentences, diamonds on all of them at each
        epoch's end: 1,000 Tatoeba, 500 generated) and BLEU on the long held-out sentences (the
        generated corpus), where one final state struggles."""
        models = [(name, MODEL_LABELS[name]) for name in MODELS]
        losses = [(f"loss_{name}", label) for name, label in models]
        long = f"Held-out BLEU on sentences longer than {training.LONG_WORDS} words (each epoch's end)"
        return [
            charts.series_curves(
                history, losses, "Training loss (cross-entropy per word)", "loss", smooth=10
            ),
            charts.per_model_curves(history, models, "heldout_bleu_{name}", "Held-out BLEU", "BLEU"),
            charts.per_model_curves(history, models, "heldout_bleu_long_{name}", long, "BLEU"),
        ]

    def headline(self, metrics: dict[str, Any]) -> str:
        if "heldout_bleu_attention" not in metrics:
            return ""
        name = "Tatoeba held-out BLEU" if metrics.get("corpus_name") == "tatoeba" else "held-out BLEU"
        text = (
            f"{name} {metrics['heldout_bleu_attention']:.1f} with attention, "
            f"{metrics['heldout_bleu_plain']:.1f} without"
        )
        if "heldout_bleu_long_attention" in metrics:
            text += (
                f" (>{training.LONG_WORDS} words: {metrics['heldout_bleu_long_attention']:.1f} vs "
                f"{metrics['heldout_bleu_long_plain']:.1f})"
            )
        return text

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        tatoeba = config.get("data", {}).get("name") == "tatoeba"
        bleu_name = "Tatoeba held-out BLEU" if tatoeba else "Held-out sacreBLEU"
        credit = TATOEBA_CARD if tatoeba else ""
        figures = [
            [metrics.get(f"heldout_{kind}_{name}") for kind in ("bleu", "bleu_long", "exact")]
            for name in MODELS
        ]

        def shown(value: float | None, form: str) -> str:
            return "-" if value is None else format(value, form)  # "-": too few long sentences

        rows = "\n".join(
            f"| {MODEL_LABELS[name]} | {shown(bleu, '.2f')} | {shown(long, '.2f')} | {shown(exact, '.1%')} |"
            for name, (bleu, long, exact) in zip(MODELS, figures, strict=True)
        )
        body = (
            f"# Seq2seq English→French: {config.get('architecture')}\n\n"
            "Two encoder-decoders trained in alternation on the same batches for the same number of steps "
            f"({metrics.get('steps_each')} each) by Deep Learning Labs' seq2seq lab, on "
            f"{config.get('data', {}).get('description')}. Tensors `attention.*` are the model with "
            f"{config.get('attention')} attention, `plain.*` the one without.\n\n"
            f"{bleu_name} (sacreBLEU, greedy, case-insensitive; {metrics.get('heldout_size')} sentences "
            f"never trained on, each against all its reference translations; "
            f"{metrics.get('heldout_long_size')} of them longer than {training.LONG_WORDS} words):\n\n"
            "| model | BLEU | BLEU, > 8 words | exact |\n| --- | --- | --- | --- |\n"
            f"{rows}\n\n{credit}"
        )
        stopped_by = metrics.get("stopped_by", "completed")
        budget = f" --time-budget {config['time_budget']:g}" if config.get("time_budget") else ""
        ended = (
            ""
            if stopped_by == "completed"
            else f" (ended by the {stopped_by} at step {metrics.get('steps_each')})"
        )
        return self.card(
            ("translation", "seq2seq", "attention"),
            body,
            config,
            extra=budget,
            after=ended,
            languages=("en", "fr"),
        )


LAB = Seq2seqLab()
