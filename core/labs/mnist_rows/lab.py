"""MNIST row by row: read each digit as 28 time steps of 28 pixels with the RNN family."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from core.export import SideBySide
from core.labs.base import MNIST_DATA_DIR, Lab, TrainedModel
from core.labs.mnist_rows import train as training
from core.labs.mnist_rows.interactions import INTERACTIONS
from core.labs.mnist_rows.model import build_readers
from core.labs.mnist_rows.spec import MODEL_NAMES, SPEC


class MnistRowsLab(Lab):
    spec = SPEC
    variants = {"all": "mnist-rows-all"}  # noqa: RUF012  (one checkpoint holds every reader)
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("loss",)  # the mean over the readers; each one's curves: the training view
    samples_label = "Held-out digits, each model's answer"
    course_recipe = training.COURSE_RECIPE

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return build_readers(config)

    onnx_traced = True  # PyTorch's recurrent layers: see Lab.onnx_traced

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        return SideBySide(trained.model)

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.rand(2, 28, 28, generator=torch.Generator().manual_seed(0)),)

    onnx_about = (
        "every reader side by side: (N, 28, 28) pixels in [0, 1], white on black, in; (N, readers, 10) "
        "logits out, the readers in config.json's `models` order."
    )

    def headline(self, metrics: dict[str, Any]) -> str:
        accuracy = metrics.get("heldout_accuracy")
        if not isinstance(accuracy, dict) or not accuracy:
            return ""
        return "held-out accuracy " + ", ".join(
            f"{MODEL_NAMES[name]} {accuracy[name]:.1%}" for name in training.ordered(accuracy)
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        course = training.COURSE_ACCURACY
        rows = "\n".join(
            f"| {MODEL_NAMES.get(name, name)} | `{name}.` | {accuracy:.2%} | "
            + (f"{course[name]:.2%}" if name in course else "-")
            + f" | {metrics.get('model_seconds', {}).get(name, '-')} |"
            for name, accuracy in (
                (n, metrics["heldout_accuracy"][n])
                for n in training.ordered(metrics.get("heldout_accuracy", {}))
            )
        )
        body = (
            "# MNIST row by row: the RNN family\n\n"
            f"Trained by Deep Learning Labs' mnist-rows lab on {config.get('data', {}).get('description')}. "
            "Each image is read as 28 time steps of 28 pixels; the readers were trained side by side "
            "on the same batches.\n\n"
            "| model | tensor prefix | held-out accuracy | course (full MNIST, GPU) | own training s |\n"
            f"| --- | --- | --- | --- | --- |\n{rows}\n\n"
            f"- Hidden size {config.get('hidden_size')}, normalisation {config.get('normalization')}, "
            f"extra FC layer {'yes' if config.get('extra_fc') else 'no'}\n"
            "- Input: 28x28 floats in [0, 1], white ink on black, rows read top to bottom\n\n"
        )
        return self.card(("image-classification", "rnn", "lstm", "mnist"), body, config, MNIST_DATA_DIR)


LAB = MnistRowsLab()
