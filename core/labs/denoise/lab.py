"""Denoising lab: corrupt digits, train a conv autoencoder to restore them, and measure both in dB."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from core.labs.base import MNIST_DATA_DIR, Lab, TrainedModel
from core.labs.denoise import train as training
from core.labs.denoise.interactions import INTERACTIONS
from core.labs.denoise.model import build_denoiser
from core.labs.denoise.spec import DENOISE_ARCHITECTURES, SPEC
from core.noise import DEFAULT_LEVELS


class DenoiseLab(Lab):
    spec = SPEC
    variants = {name: f"denoise-{name}" for name in DENOISE_ARCHITECTURES}  # noqa: RUF012
    variant_setting = "architecture"
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("loss", "psnr", "psnr_gain")
    samples_label = "Held-out digits: clean | noisy | denoised"
    best_metric = ("heldout_psnr", "max")
    course_recipe = {  # noqa: RUF012
        "architecture": "course",
        "noise": "gaussian",
        "noise_level": 0.5,
        "epochs": 10,
        "learning_rate": 1e-3,
        "schedule": "constant",
        "dark_start": False,
    }

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return build_denoiser(config["architecture"])

    onnx_traced = True  # written in a tenth of a second, where torch.export takes about one

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(1, 1, 28, 28),)  # a noisy digit in [0, 1] pixels

    onnx_about = (
        "(N, 1, 28, 28) noisy pixels in [0, 1], white ink on black, in; the clean estimate, same shape, out."
    )

    def headline(self, metrics: dict[str, Any]) -> str:
        name = training.noise_name("gaussian", DEFAULT_LEVELS["gaussian"])
        gaussian = metrics.get("psnr_by_noise", {}).get(name)
        if not isinstance(gaussian, dict):
            return ""
        text = (
            f"held-out PSNR {gaussian['psnr_in']:.1f} → {gaussian['psnr_out']:.1f} dB "
            f"({gaussian['psnr_gain']:+.1f} dB) at Gaussian σ = {DEFAULT_LEVELS['gaussian']:g}"
        )
        return text + (" · outputs blank images (plateau)" if metrics.get("blank_output") else "")

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        rows = "\n".join(
            f"| {name} | {f['psnr_in']:.2f} | {f['psnr_out']:.2f} | {f['psnr_gain']:+.2f} |"
            for name, f in metrics.get("psnr_by_noise", {}).items()
        )
        body = (
            f"# Denoising autoencoder: {config.get('architecture')}\n\n"
            f"Trained by Deep Learning Labs' denoising lab on {config.get('data', {}).get('description')}, "
            f"with {metrics.get('noise')} noise.\n\n"
            "Held-out PSNR (mean over images of the per-image PSNR, dB; fixed noise, seed "
            f"{training.EVAL_SEED}):\n\n"
            "| noise | noisy input | denoised | gain |\n| --- | --- | --- | --- |\n"
            f"{rows}\n\n"
            "- Input: 1x28x28 floats in [0, 1], white ink on black; output: the same, the clean estimate\n\n"
        )
        return self.card(("image-denoising", "autoencoder", "mnist"), body, config, MNIST_DATA_DIR)


LAB = DenoiseLab()
