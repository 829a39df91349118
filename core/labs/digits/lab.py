"""Digits lab: train an MNIST classifier live, then draw digits for it and look inside."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from core.labs.base import MNIST_DATA_DIR, Lab, TrainedModel
from core.labs.digits import train as training
from core.labs.digits.interactions import INTERACTIONS
from core.labs.digits.model import build_classifier
from core.labs.digits.spec import DIGIT_ARCHITECTURES, SPEC


class DigitsLab(Lab):
    spec = SPEC
    variants = {name: f"digits-{name}" for name in DIGIT_ARCHITECTURES}  # noqa: RUF012
    variant_setting = "architecture"
    interactions = INTERACTIONS
    trainer = training
    best_metric = ("heldout_accuracy", "max")
    samples_label = "Held-out predictions"

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        classes = len(config.get("classes", range(10)))
        return build_classifier(config["architecture"], float(config.get("dropout", 0.0)), classes)

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(1, 1, 28, 28),)  # [0, 1] pixels: the model normalises them itself

    onnx_about = "(N, 1, 28, 28) pixels in [0, 1], white ink on black, in; (N, 10) logits out."

    def headline(self, metrics: dict[str, Any]) -> str:
        accuracy, size = metrics.get("heldout_accuracy"), metrics.get("heldout_size")
        if not isinstance(accuracy, float):
            return ""
        return f"held-out accuracy {accuracy:.1%}" + (f" on {size:,} images" if size else "")

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        accuracy = metrics.get("heldout_accuracy")
        figure = f"{accuracy:.2%}" if isinstance(accuracy, float) else "n/a"
        body = (
            f"# Digits classifier: {config.get('architecture')}\n\n"
            f"Trained by Deep Learning Labs' Digits lab on {config.get('data', {}).get('description')}.\n\n"
            f"- Held-out accuracy: {figure} on {metrics.get('heldout_size')} images\n"
            f"- Input: 1x28x28 floats in [0, 1], white ink on black, MNIST-style centring\n"
            f"- Output: 10 logits ({', '.join(config.get('classes', []))})\n\n"
        )
        return self.card(("image-classification", "mnist"), body, config, MNIST_DATA_DIR)


LAB = DigitsLab()
