"""Transformer translator lab: an encoder-decoder Transformer trained on English -> French live,
with greedy and beam search, held-out sacreBLEU and the attention maps behind every translation.
The corpus, tokens and BLEU are shared with the other translation labs (`core.corpus`,
`core.tokens`, `core.bleu`)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from core import charts
from core.history import TrainingHistory
from core.labs.base import Lab
from core.labs.transformer import train as training
from core.labs.transformer.interactions import INTERACTIONS
from core.labs.transformer.model import Translator
from core.labs.transformer.spec import SPEC
from core.tokens import Vocab

TATOEBA_CARD = (
    "## Data\n\nSentences from the Tatoeba Project (https://tatoeba.org), CC-BY 2.0 France, in the "
    "tab-separated form of https://www.manythings.org/anki/; shipped in this app as "
    "data/tatoeba-eng-fra.tsv.gz (see data/README.md). The model learnt short everyday sentences "
    "(English up to 30 characters): it is not a general translator.\n\n"
)


class TransformerLab(Lab):
    spec = SPEC
    # The bundled model of each corpus: the corpus setting picks the one a training starts beside.
    variants = {"tatoeba": "transformer-en-fr", "generated": "transformer-generated"}  # noqa: RUF012
    variant_setting = "corpus"
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("loss", "bleu", "translations")  # the last: a table (`training_figures`)
    samples_label = None  # its samples are sentences, not pictures
    onnx_note = (
        "translating is a greedy or beam search that feeds each word back into the decoder, which one "
        "ONNX file does not hold; predict.py translates with PyTorch, tokenising as the app does."
    )
    best_metric = ("heldout_bleu", "max")
    # The course's settings (Lab Work 25), to compare with.
    course_recipe = {  # noqa: RUF012
        "d_model": 256,
        "heads": 4,
        "layers": 3,
        "ff_size": 2048,
        "batch_size": 1,
        "learning_rate": 0.0005,
        "schedule": "constant",
        "warmup_steps": 0,
        "label_smoothing": 0,
    }

    def check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        training.check_architecture(params)
        return params

    def build_model(self, config: dict[str, Any]) -> Translator:
        # A hand-edited shape (heads 0.5) would build, then fail mid-translation: refuse it on load.
        shape = config["model"]
        sizes = {name: shape[name] for name in ("d_model", "heads", "layers", "ff_size")}
        if not all(type(size) is int and size > 0 for size in sizes.values()):
            raise ValueError(f"the model's sizes must be positive whole numbers, got {sizes}")
        training.check_architecture(sizes)  # SpecError is a ValueError
        return Translator(
            Vocab.from_dict(config["source_vocab"]),
            Vocab.from_dict(config["target_vocab"]),
            **config["model"],
        )

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        """The loss and held-out BLEU curves, then the latest translations of a few held-out
        sentences (long ones, where word order changes) as a table."""
        samples = history.samples
        lines = list(samples.captions) if samples is not None else []
        table = go.Figure(
            go.Table(
                header=dict(values=["English → the model's French (the reference)"], align="left"),
                cells=dict(values=[lines or ["(after the first held-out check)"]], align="left", height=28),
            )
        )
        title = samples.title if samples is not None else "Held-out sentences"
        table.update_layout(
            title=title, height=120 + 40 * max(1, len(lines)), margin=dict(l=10, r=10, t=40, b=10)
        )
        return [charts.training_curves(history, "loss"), charts.training_curves(history, "bleu"), table]

    def headline(self, metrics: dict[str, Any]) -> str:
        if "heldout_bleu" not in metrics:
            return ""
        name = "Tatoeba held-out BLEU" if metrics.get("corpus_name") == "tatoeba" else "held-out BLEU"
        return (
            f"{name} {metrics['heldout_bleu']:.1f} (sacreBLEU, greedy), "
            f"{metrics.get('heldout_exact_match', 0):.0%} of sentences exact"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        stopped_by = metrics.get("stopped_by", "completed")
        budget = f" --time-budget {config['time_budget']:g}" if config.get("time_budget") else ""
        ended = (
            ""
            if stopped_by == "completed"
            else f" (ended by the {stopped_by} at step {metrics.get('steps')})"
        )
        layout = config.get("model", {})
        tatoeba = config.get("data", {}).get("name") == "tatoeba"
        bleu_name = "Tatoeba held-out BLEU" if tatoeba else "Held-out BLEU"
        credit = TATOEBA_CARD if tatoeba else ""
        examples = "\n".join(
            f"| {e['source']} | {e['translation']} | {e['reference']} |" for e in metrics.get("examples", [])
        )
        body = (
            f"# Transformer translator (English → French)\n\n"
            "Trained by Deep Learning Labs' Transformer lab on the "
            f"{config.get('data', {}).get('description')}.\n\n"
            f"- Encoder-decoder Transformer, {layout.get('layers')}+{layout.get('layers')} layers, "
            f"d_model {layout.get('d_model')}, {layout.get('heads')} heads, "
            f"feed-forward {layout.get('ff_size')}, "
            f"pre-norm, sinusoidal positions; {metrics.get('parameters', 0):,} parameters\n"
            f"- {bleu_name} (sacreBLEU, greedy, case-insensitive, {metrics.get('heldout_size')} "
            "sentences never trained on, each against all its reference translations): "
            f"**{metrics.get('heldout_bleu')}**; "
            + (
                f"sentences over 10 words: {metrics['heldout_bleu_long']}; "
                if "heldout_bleu_long" in metrics
                else ""
            )
            + f"exact: {metrics.get('heldout_exact_match', 0):.1%}\n"
            f"- Training: {metrics.get('steps')} steps, {metrics.get('train_seconds')} s on "
            f"{config.get('training', {}).get('device', 'cpu')}\n"
            "- The word vocabularies are in config.json (`source_vocab`, `target_vocab`)\n\n"
            f"| source | translation | reference |\n| --- | --- | --- |\n{examples}\n\n"
            f"{credit}"
        )
        return self.card(
            ("translation", "transformer"), body, config, extra=budget, after=ended, languages=("en", "fr")
        )


LAB = TransformerLab()
