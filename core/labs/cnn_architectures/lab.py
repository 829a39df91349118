"""VGG and ResNet against a simple CNN: three small networks and a pretrained one, trained on
Fashion-MNIST for the same seconds each; and what skip connections do to a deep net."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from core import pretrained
from core.export import SideBySide
from core.history import TrainingHistory
from core.labs.base import Lab, TrainedModel
from core.labs.cnn_architectures import train as training
from core.labs.cnn_architectures.interactions import INTERACTIONS, seconds_text
from core.labs.cnn_architectures.model import NETWORKS, build_architectures
from core.labs.cnn_architectures.spec import MODEL_NAMES, SPEC


class CNNArchitecturesLab(Lab):
    spec = SPEC
    variants = {"all": "cnn-architectures-all"}  # noqa: RUF012  (one checkpoint holds every network)
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("accuracy", "loss")  # every network on each chart: `training_figures`
    samples_label = "Test pictures, each network's answer"
    course_recipe = training.COURSE_RECIPE
    needs_datasets = ("fashion-mnist",)  # Debian's dataset-fashion-mnist

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        try:
            return build_architectures(config, pretrained.efficientnet_lite0)
        except (pretrained.PretrainedUnavailableError, OSError) as error:
            raise ValueError(str(error)) from None

    onnx_traced = True  # written in a second or two, where torch.export takes many

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        # The three small networks only: the fine-tuned EfficientNet's frozen ImageNet trunk is
        # not in the checkpoint (it loads from its package), so the export leaves it out.
        return SideBySide(nn.ModuleDict({n: m for n, m in trained.model.items() if n in NETWORKS}))

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.rand(2, 28, 28, generator=torch.Generator().manual_seed(0)),)

    onnx_about = (
        "the simple CNN, small VGG and small ResNet side by side (not the fine-tuned EfficientNet, "
        "whose ImageNet trunk is not in this export): (N, 28, 28) pixels in [0, 1], light garment on "
        "black, in; (N, networks, 10) logits out, in config.json's `models` order."
    )

    def training_figures(self, history: TrainingHistory) -> list:
        return training.comparison_figures(history)

    def next_step(self) -> str:
        return (
            "train again with twice the seconds per network and see which one gains most; or set "
            "the width to 32 and see the ResNet get fewer steps in the same time."
        )

    def headline(self, metrics: dict[str, Any]) -> str:
        accuracy = metrics.get("heldout_accuracy")
        if not isinstance(accuracy, dict) or not accuracy:
            return ""
        return f"test accuracy after {seconds_text(metrics.get('seconds_budget'))} s each: " + ", ".join(
            f"{MODEL_NAMES[name]} {accuracy[name]:.1%}" for name in training.ordered(accuracy)
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        rows = "\n".join(
            f"| {MODEL_NAMES[name]} | `{name}.` | {metrics['parameters'][name]:,} | "
            f"{metrics['multiply_adds'][name] / 1e6:.1f} M | {metrics['model_seconds'][name]} | "
            f"{metrics['epochs'][name]} | {metrics['heldout_accuracy'][name]:.2%} |"
            for name in training.ordered(metrics.get("heldout_accuracy", {}))
        )
        body = (
            "# VGG and ResNet against a simple CNN\n\n"
            "Trained by Deep Learning Labs' cnn-architectures lab on "
            f"{config.get('data', {}).get('description')} "
            f"(the first {config.get('params', {}).get('train_images')} training pictures), each network "
            f"for {seconds_text(metrics.get('seconds_budget'))} of its own seconds, taking turns on one "
            "CPU; scored on "
            f"the first {metrics.get('heldout_size')} test pictures.\n\n"
            "| network | tensor prefix | trained parameters | multiply-adds per picture | own seconds | "
            "epochs | test accuracy |\n| --- | --- | --- | --- | --- | --- | --- |\n"
            f"{rows}\n\n"
            "- Input: 28x28 floats in [0, 1], a light garment on black\n"
            "- The `efficientnet.` tensors are only the fine-tuned last block and head of "
            f"EfficientNet-Lite0; the rest is {pretrained.SOURCE}, loaded from that package\n\n"
        )
        return self.card(("image-classification", "cnn", "resnet", "vgg", "fashion-mnist"), body, config)


LAB = CNNArchitecturesLab()
