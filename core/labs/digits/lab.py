"""Digits lab: train an MNIST classifier live, then draw digits for it and look inside."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from torch import nn

from core.events import Event
from core.labs.base import Lab, TrainedModel
from core.labs.digits import train as training
from core.labs.digits.interactions import INTERACTIONS
from core.labs.digits.model import build_classifier
from core.labs.digits.spec import DIGIT_ARCHITECTURES, SPEC
from core.runner import TrainContext


class DigitsLab(Lab):
    spec = SPEC
    variants = {name: f"digits-{name}" for name in DIGIT_ARCHITECTURES}  # noqa: RUF012
    interactions = INTERACTIONS
    best_metric = ("heldout_accuracy", "max")
    samples_label = "Held-out predictions"

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        classes = len(config.get("classes", range(10)))
        return build_classifier(config["architecture"], float(config.get("dropout", 0.0)), classes)

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Any:
        return self.variant_path((params or {}).get("architecture", SPEC.param("architecture").default))

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        return training.train(params, ctx)

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        return training.evaluate(trained, data_dir)

    def headline(self, metrics: dict[str, Any]) -> str:
        accuracy, size = metrics.get("heldout_accuracy"), metrics.get("heldout_size")
        if not isinstance(accuracy, float):
            return ""
        return f"held-out accuracy {accuracy:.1%}" + (f" on {size:,} images" if size else "")

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        accuracy = metrics.get("heldout_accuracy")
        figure = f"{accuracy:.2%}" if isinstance(accuracy, float) else "n/a"
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        return (
            "---\nlibrary_name: pytorch\ntags:\n- image-classification\n- mnist\n"
            "- deep-learning-labs\n---\n\n"
            f"# Digits classifier: {config.get('architecture')}\n\n"
            f"Trained by Deep Learning Labs' Digits lab on {config.get('data', {}).get('description')}.\n\n"
            f"- Held-out accuracy: {figure} on {metrics.get('heldout_size')} images\n"
            f"- Input: 1x28x28 floats in [0, 1], white ink on black, MNIST-style centring\n"
            f"- Output: 10 logits ({', '.join(config.get('classes', []))})\n\n"
            f"Reproduce: `python -m core train digits {settings} --data-dir <folder with MNIST/raw>`\n"
        )


LAB = DigitsLab()
