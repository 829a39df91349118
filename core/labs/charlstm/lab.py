"""Character-level text lab: an LSTM memorises a few sentences, then writes from a prompt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from torch import nn

from core.events import Event
from core.labs.base import Lab, TrainedModel
from core.labs.charlstm import train as training
from core.labs.charlstm.interactions import INTERACTIONS
from core.labs.charlstm.model import SPECIAL_TOKENS, CharLSTM
from core.labs.charlstm.spec import SPEC
from core.runner import TrainContext


class CharLSTMLab(Lab):
    spec = SPEC
    variants = {"default": "charlstm-default"}  # noqa: RUF012  (the default sentences)
    interactions = INTERACTIONS
    train_metrics = ("loss", "accuracy", "memorisation")
    samples_label = "(no pictures in this lab)"

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        # Generation reads the sentences later: a hand-edited config is refused on load instead.
        sentences = config["sentences"]
        if not isinstance(sentences, list) or not sentences or not all(isinstance(s, str) for s in sentences):
            raise ValueError("sentences must be a non-empty list of texts")
        vocab_size = len(SPECIAL_TOKENS) + len(config["vocabulary"])
        return CharLSTM(
            vocab_size, int(config["hidden_size"]), int(config["layers"]), int(config["embedding_size"])
        )

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        """The bundled model knows the default sentences; edited sentences need a training."""
        return self.variant_path("default")

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        return training.train(params, ctx)

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        return training.evaluate(trained)

    def headline(self, metrics: dict[str, Any]) -> str:
        rate = metrics.get("memorisation_rate")
        if not isinstance(rate, float):
            return ""
        return f"memorisation rate {rate:.0%} of {metrics.get('samples')} generated sentences"

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()) if k != "sentences")
        sentences = "\n".join(f"- {s}" for s in config.get("sentences", []))
        rate = metrics.get("memorisation_rate")
        figure = f"{rate:.0%}" if isinstance(rate, float) else "n/a"
        return (
            "---\nlibrary_name: pytorch\ntags:\n- text-generation\n- lstm\n- character-level\n"
            "- deep-learning-labs\n---\n\n"
            f"# Character-level LSTM ({config.get('architecture')})\n\n"
            f"Trained by Deep Learning Labs' charlstm lab to memorise these sentences:\n\n{sentences}\n\n"
            f"- Memorisation rate: {figure} of {metrics.get('samples')} sentences generated from the "
            f"start token at temperature {metrics.get('temperature')} (exact matches)\n"
            f"- Vocabulary: {len(config.get('vocabulary', []))} characters in config.json, after the "
            f"special tokens {', '.join(SPECIAL_TOKENS)}\n\n"
            f"Reproduce: `python -m core train charlstm {settings}` (sentences: the lab's defaults)\n"
        )


LAB = CharLSTMLab()
