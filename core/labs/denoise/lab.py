"""Denoising lab: corrupt digits, train a conv autoencoder to restore them, and measure both in dB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from torch import nn

from core.events import Event
from core.labs.base import Lab, TrainedModel
from core.labs.denoise import train as training
from core.labs.denoise.interactions import INTERACTIONS
from core.labs.denoise.model import build_denoiser
from core.labs.denoise.spec import DENOISE_ARCHITECTURES, SPEC
from core.noise import DEFAULT_LEVELS
from core.runner import TrainContext


class DenoiseLab(Lab):
    spec = SPEC
    variants = {name: f"denoise-{name}" for name in DENOISE_ARCHITECTURES}  # noqa: RUF012
    interactions = INTERACTIONS
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

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        return self.variant_path((params or {}).get("architecture", SPEC.param("architecture").default))

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        return training.train(params, ctx)

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        return training.evaluate(trained, data_dir)

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
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        rows = "\n".join(
            f"| {name} | {f['psnr_in']:.2f} | {f['psnr_out']:.2f} | {f['psnr_gain']:+.2f} |"
            for name, f in metrics.get("psnr_by_noise", {}).items()
        )
        return (
            "---\nlibrary_name: pytorch\ntags:\n- image-denoising\n- autoencoder\n- mnist\n"
            "- deep-learning-labs\n---\n\n"
            f"# Denoising autoencoder: {config.get('architecture')}\n\n"
            f"Trained by Deep Learning Labs' denoising lab on {config.get('data', {}).get('description')}, "
            f"with {metrics.get('noise')} noise.\n\n"
            "Held-out PSNR (mean over images of the per-image PSNR, dB; fixed noise, seed "
            f"{training.EVAL_SEED}):\n\n"
            "| noise | noisy input | denoised | gain |\n| --- | --- | --- | --- |\n"
            f"{rows}\n\n"
            "- Input: 1x28x28 floats in [0, 1], white ink on black; output: the same, the clean estimate\n\n"
            f"Reproduce: `python -m core train denoise {settings} --data-dir <folder with MNIST/raw>`\n"
        )


LAB = DenoiseLab()
