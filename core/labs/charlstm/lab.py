"""Character-level text lab: an LSTM memorises a few sentences, then writes from a prompt."""

from __future__ import annotations

from typing import Any

from torch import nn

from core.labs.base import Lab, TrainedModel
from core.labs.charlstm import train as training
from core.labs.charlstm.interactions import INTERACTIONS
from core.labs.charlstm.model import SPECIAL_TOKENS, CharLSTM
from core.labs.charlstm.spec import SPEC


class CharLSTMLab(Lab):
    spec = SPEC
    variants = {"default": "charlstm-default"}  # noqa: RUF012  (the default sentences; others need a training)
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("loss", "accuracy", "memorisation")
    samples_label = "(no pictures in this lab)"
    onnx_note = (
        "the model writes in a loop, each drawn character fed back in with the LSTM's state (two "
        "tensors in and out beside the characters), which this export does not write as ONNX; "
        "predict.py runs the same loop with PyTorch."
    )

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        # Generation reads the sentences later: a hand-edited config is refused on load instead.
        sentences = config["sentences"]
        if not isinstance(sentences, list) or not sentences or not all(isinstance(s, str) for s in sentences):
            raise ValueError("sentences must be a non-empty list of texts")
        vocab_size = len(SPECIAL_TOKENS) + len(config["vocabulary"])
        return CharLSTM(
            vocab_size, int(config["hidden_size"]), int(config["layers"]), int(config["embedding_size"])
        )

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        return training.evaluate(trained)

    def headline(self, metrics: dict[str, Any]) -> str:
        rate = metrics.get("memorisation_rate")
        if not isinstance(rate, float):
            return ""
        return f"memorisation rate {rate:.0%} of {metrics.get('samples')} generated sentences"

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        sentences = "\n".join(f"- {s}" for s in config.get("sentences", []))
        rate = metrics.get("memorisation_rate")
        figure = f"{rate:.0%}" if isinstance(rate, float) else "n/a"
        body = (
            f"# Character-level LSTM ({config.get('architecture')})\n\n"
            f"Trained by Deep Learning Labs' charlstm lab to memorise these sentences:\n\n{sentences}\n\n"
            f"- Memorisation rate: {figure} of {metrics.get('samples')} sentences generated from the "
            f"start token at temperature {metrics.get('temperature')} (exact matches)\n"
            f"- Vocabulary: {len(config.get('vocabulary', []))} characters in config.json, after the "
            f"special tokens {', '.join(SPECIAL_TOKENS)}\n\n"
        )
        return self.card(
            ("text-generation", "lstm", "character-level"),
            body,
            config,
            after=" (sentences: the lab's defaults)",
            skip=("sentences",),
        )


LAB = CharLSTMLab()
