"""UNet segmentation lab: a UNet trained live to mark the objects pasted onto real photos,
pixel by pixel, beside the same network without its skip connections."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from core.labs.base import Lab, TrainedModel
from core.labs.segmentation import train as training
from core.labs.segmentation.interactions import INTERACTIONS
from core.labs.segmentation.model import MODEL_NAMES, build_models
from core.labs.segmentation.spec import SPEC
from core.scene_views import check_scene_config
from core.scenes import SCENE_SIZE


class SegmentationLab(Lab):
    spec = SPEC
    variants = {"digits": "segmentation-digits"}  # noqa: RUF012
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("iou", "loss", "no_skips_iou", "no_skips_loss")
    samples_label = "Held-out scenes, true masks and each network's"
    best_metric = ("heldout_iou", "max")

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        check_scene_config(self.spec, config)
        # A hand-edited config.json gets the settings' own checks (see the detection lab).
        return build_models(
            self.spec.param("width").coerce(config["width"]),
            self.spec.param("compare").coerce(config["compare"]),
        )

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(1, 3, SCENE_SIZE, SCENE_SIZE),)

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        return trained.model["unet"]

    # TorchScript's exporter writes this convolutional network in about a second, where
    # torch.export took 6 to 9 s (the target: an export in under 3 s).
    onnx_traced = True

    onnx_about = "the UNet: (N, 3, 64, 64) RGB pixels in [0, 1] in; (N, 1, 64, 64) logits of 'object' out."

    def model_name(self, trained: TrainedModel) -> str:
        return " and ".join(MODEL_NAMES[name] for name in trained.model)

    def next_step(self) -> str:
        return (
            "train with width 4 and see which network suffers more; or on 'fashion', whose "
            "items are solid shapes."
        )

    def headline(self, metrics: dict[str, Any]) -> str:
        iou, dice = metrics.get("heldout_iou"), metrics.get("heldout_dice")
        if not isinstance(iou, float) or not isinstance(dice, float):
            return ""
        text = f"held-out mean IoU {iou:.3f}, Dice {dice:.3f}"
        other = (metrics.get("heldout") or {}).get("no_skips")
        if isinstance(other, dict) and isinstance(other.get("iou"), float):
            text += f" (without skips: {other['iou']:.3f}, {other.get('dice', float('nan')):.3f})"
        return text

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        rows = "\n".join(
            f"| {MODEL_NAMES.get(name, name)} | {f['iou']:.3f} | {f['object_iou']:.3f} | "
            f"{f['photo_iou']:.3f} | {f['dice']:.3f} |"
            for name, f in (metrics.get("heldout") or {}).items()
        )
        body = (
            "# UNet segmentation\n\n"
            "Trained by Deep Learning Labs' segmentation lab on "
            f"{config.get('data', {}).get('description')}, "
            f"for {metrics.get('train_seconds')} s ({metrics.get('steps')} steps).\n\n"
            "| network | mean IoU | object IoU | photo IoU | object Dice |\n| --- | --- | --- | --- | --- |\n"
            f"{rows}\n\n"
            f"Held-out figures by torchmetrics over all pixels of {metrics.get('heldout_size')} scenes.\n\n"
            "- Input: 3x64x64 RGB floats in [0, 1]; output: 1x64x64 logits of 'object'\n"
            "- Tensors `unet.` (with skip connections) and `no_skips.` (the same without)\n\n"
        )
        return self.card(
            ("image-segmentation", "unet", "mnist"), body, config, " --data-dir <folder with MNIST/raw>"
        )


LAB = SegmentationLab()
