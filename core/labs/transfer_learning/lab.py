"""Transfer learning on your own classes: EfficientNet-Lite0's ImageNet features with a new head,
then its last stages fine-tuned, against the same network from scratch."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from core import pretrained
from core.labs.base import Lab, TrainedModel
from core.labs.transfer_learning import train as training
from core.labs.transfer_learning.interactions import INTERACTIONS
from core.labs.transfer_learning.model import build_model
from core.labs.transfer_learning.spec import SPEC
from core.specs import SpecError


def accuracy_text(value: Any) -> str:
    return f"{value:.1%}" if isinstance(value, int | float) else "not measured"


class TransferLearningLab(Lab):
    spec = SPEC
    variants = {"fashion": "transfer-learning-fashion"}  # noqa: RUF012  (read-only class data)
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("accuracy", "loss")
    needs_datasets = ("fashion-mnist",)  # the ready-made classes and the held-out garments
    samples_label = None
    course_recipe = training.COURSE_RECIPE

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        try:
            return build_model(config, pretrained.efficientnet_lite0)
        except (pretrained.PretrainedUnavailableError, OSError) as error:
            raise ValueError(str(error)) from None

    def standalone_weights(self, trained: TrainedModel) -> dict[str, dict[str, torch.Tensor]]:
        """The frozen trunk (stem and first stages), which the checkpoint leaves out, under
        timm's names: an export's predict.py reads it into efficientnet_lite.py's network."""
        trunk = trained.model.trunk  # Sequential(conv_stem, bn1, blocks[0], blocks[1], ...)
        names = ["conv_stem", "bn1", *(f"blocks.{i}" for i in range(len(trunk) - 2))]
        return {
            "trunk.safetensors": {
                f"{names[int(key.split('.')[0])]}.{key.split('.', 1)[1]}": value.detach().clone().contiguous()
                for key, value in trunk.state_dict().items()
            }
        }

    def check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        if not 2 <= len(params["classes"]) <= 6:
            raise SpecError(f"Classes: pick 2 to 6 garments, not {len(params['classes'])}")
        return params

    def next_step(self) -> str:
        return (
            "set the pictures per class to 5, then to 100, and watch the gap between the "
            "pretrained network and the one from scratch; then teach it your own classes."
        )

    def model_name(self, trained) -> str:
        return f"EfficientNet-Lite0, last {trained.config.get('unfrozen')} stages fine-tuned"

    def headline(self, metrics: dict[str, Any]) -> str:
        if "frozen_accuracy" not in metrics:
            return ""
        figures = ", ".join(
            f"{name} {accuracy_text(value)}" for name, value in training.headline_figures(metrics)
        )
        return f"held-out accuracy with {metrics.get('images_per_class')} pictures per class: {figures}"

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        body = (
            "# Transfer learning: EfficientNet-Lite0 on a few pictures per class\n\n"
            f"Trained by Deep Learning Labs' transfer-learning lab on {config['data']['description']}: "
            f"{metrics.get('images_per_class')} colour pictures per class of "
            f"{', '.join(config['classes'])}, at {config['image_size']} px.\n\n"
            "| model | held-out accuracy | seconds |\n| --- | --- | --- |\n"
            f"| frozen features + new head | {accuracy_text(metrics.get('frozen_accuracy'))} | "
            f"{metrics.get('feature_seconds', 0) + metrics.get('head_seconds', 0):.1f} |\n"
            f"| last {config['unfrozen']} stages fine-tuned (this model) | "
            f"{accuracy_text(metrics.get('fine_tuned_accuracy'))} | {metrics.get('fine_tune_seconds')} |\n"
            f"| the same network from scratch | {accuracy_text(metrics.get('scratch_accuracy'))} | "
            f"{metrics.get('scratch_seconds')} |\n\n"
            f"Scored on {metrics.get('heldout_size')} Fashion-MNIST test pictures "
            f"({training.HELDOUT_PER_CLASS} per class). Head: {params.get('head_epochs')} epochs at "
            f"{params.get('learning_rate')}; fine-tuning: {params.get('fine_tune_epochs')} epochs at "
            f"{params.get('fine_tune_rate')}; batch {params.get('batch_size')}.\n\n"
            "- Input: (N, 3, S, S) pictures in [-1, 1] (x * 2 - 1)\n"
            "- The tensors are the fine-tuned last stages (`tail.`), head convolution and new "
            f"classifier (`head.`); the frozen rest is {pretrained.SOURCE}, loaded from that package\n\n"
        )
        return self.card(
            ("image-classification", "transfer-learning", "efficientnet", "fashion-mnist"), body, config
        )


LAB = TransferLearningLab()
