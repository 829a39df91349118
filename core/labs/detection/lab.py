"""Object detection lab: a one-stage detector trained live on real objects pasted onto real
photos, then its boxes on held-out scenes, on a scene the student lays out and on a photo."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from core import scenes
from core.labs.base import Lab, TrainedModel
from core.labs.detection import train as training
from core.labs.detection.interactions import INTERACTIONS
from core.labs.detection.model import TinyDetector
from core.labs.detection.spec import SPEC
from core.scene_views import check_scene_config
from core.scenes import SCENE_SIZE


class HeadsInOneTensor(nn.Module):
    """The detector's three heads concatenated along the channels, (N, 1 + C + 4, G, G): an
    export's ONNX file answers one tensor."""

    def __init__(self, detector: TinyDetector):
        super().__init__()
        self.detector = detector

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat(self.detector(x), dim=1)


class DetectionLab(Lab):
    spec = SPEC
    variants = {"digits": "detection-digits"}  # noqa: RUF012
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("map50", "loss", "objectness", "class", "box")
    samples_label = "Held-out scenes and the boxes found"
    best_metric = ("heldout_map50", "max")

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        check_scene_config(self.spec, config)
        # A hand-edited config.json gets the settings' own checks (a width of 10**9 would
        # exhaust the memory before failing): SpecError is a ValueError, which `load` reports.
        width = self.spec.param("width").coerce(config["width"])
        classes = len(scenes.object_classes(self.spec.param("objects").coerce(config["objects"])))
        if list(config["classes"]) != list(scenes.object_classes(config["objects"])):
            raise ValueError(f"classes {config['classes']!r} are not those of {config['objects']!r}")
        return TinyDetector(classes, width)

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(1, 3, SCENE_SIZE, SCENE_SIZE),)

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        return HeadsInOneTensor(trained.model)

    # TorchScript's exporter writes this convolutional network in about a second, where
    # torch.export took 6 to 9 s (the target: an export in under 3 s).
    onnx_traced = True

    onnx_about = (
        "(N, 3, 64, 64) RGB pixels in [0, 1] in; one (N, 1 + C + 4, 16, 16) tensor out, per "
        "4x4-pixel cell of the 16x16 grid: channel 0 the objectness logit, the next C the class "
        "logits, the last 4 the distances in pixels from the cell's centre to the box's left, "
        "top, right and bottom edges."
    )

    def model_name(self, trained: TrainedModel) -> str:
        return f"one-stage detector ({trained.config.get('objects')})"

    def next_step(self) -> str:
        return (
            "set the NMS IoU to 1 in 'Held-out scenes' and see the boxes pile up on each object; or "
            "train on 'both' (20 classes) and see which classes the mAP loses."
        )

    def headline(self, metrics: dict[str, Any]) -> str:
        value = metrics.get("heldout_map50")
        if not isinstance(value, float):
            return ""
        return f"held-out mAP@0.5 {value:.3f} on {metrics.get('heldout_size', '?')} scenes"

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        def figure(name: str) -> str:
            value = metrics.get(name)
            return f"{value:.3f}" if isinstance(value, float) else "n/a"

        body = (
            "# One-stage anchor-free detector\n\n"
            "Trained by Deep Learning Labs' detection lab on "
            f"{config.get('data', {}).get('description')}.\n\n"
            f"- Held-out mAP@0.5: {figure('heldout_map50')}; mAP@[0.5:0.95]: {figure('heldout_map')} "
            f"(torchmetrics, pycocotools) on {metrics.get('heldout_size')} scenes, "
            f"{metrics.get('heldout_objects')} objects\n"
            f"- Trained for {metrics.get('train_seconds')} s, {metrics.get('steps')} steps\n"
            "- Input: 3x64x64 RGB floats in [0, 1]\n"
            f"- Classes: {', '.join(config.get('classes', []))}\n"
            "- Output per cell of a 16x16 grid: objectness, class logits, box edge distances\n\n"
        )
        return self.card(
            ("object-detection", "mnist", "fashion-mnist"),
            body,
            config,
            " --data-dir <folder with MNIST/raw>",
        )


LAB = DetectionLab()
