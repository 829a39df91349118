"""Binary autoencoder lab: squeeze a digit into 48 bits (a 3x4x4 grid of -1/+1) and back, then
flip bits and watch the digit change."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from core.labs.base import MNIST_DATA_DIR, Lab, TrainedModel
from core.labs.binary_ae import train as training
from core.labs.binary_ae.interactions import INTERACTIONS
from core.labs.binary_ae.model import build_autoencoder
from core.labs.binary_ae.spec import SPEC


class BinaryAELab(Lab):
    spec = SPEC
    variants = {"fast": "binary-ae-fast"}  # noqa: RUF012
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("loss", "psnr")
    samples_label = "Training digits | reconstructions"
    course_recipe = {  # noqa: RUF012
        "architecture": "course",
        "learning_rate": 0.001,
        "schedule": "constant",
        "warmup": 0.05,
        "loss": "l1",
        "push_weight": 0.001,
    }

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return build_autoencoder(config["architecture"])

    onnx_about = (
        "the decoder only: (N, 3, 4, 4) codes of -1 and +1 in (bit 16c + 4r + k at channel c, row r, "
        "column k), (N, 1, 32, 32) digits in [-1, 1] out; predict.py encodes pictures to codes."
    )

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        return trained.model.decoder

    onnx_traced = True  # written in a tenth of a second, where torch.export takes about one

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.ones(1, 3, 4, 4),)

    def model_name(self, trained: TrainedModel) -> str:
        return f"{trained.config.get('architecture', '?')} binary autoencoder"

    def headline(self, metrics: dict[str, Any]) -> str:
        train, heldout = metrics.get("train_psnr"), metrics.get("heldout_psnr")
        if not isinstance(train, float) or not isinstance(heldout, float):
            return ""
        return (
            f"PSNR {train:.1f} dB on the {metrics.get('train_size', '?'):,} training digits it memorises, "
            f"{heldout:.1f} dB held-out (48-bit codes)"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        body = (
            f"# Binary autoencoder: {config.get('architecture')}\n\n"
            f"Trained by Deep Learning Labs' binary autoencoder lab on the first "
            f"{config.get('train_size')} training digits of {config.get('data', {}).get('description')}.\n\n"
            f"- {self.headline(metrics) or 'PSNR: n/a'}\n"
            f"- PSNR with real-valued (unbinarised) codes: {metrics.get('train_psnr_real_codes')} dB\n"
            f"- Distinct codes among the training digits: {metrics.get('distinct_codes')}\n"
            f"- Weights fingerprint (priors record it): `{metrics.get('weights_hash')}`\n"
            "- Input: 1x32x32 floats in [-1, 1] (MNIST resized), white ink on black; code: 3x4x4 "
            "bits in {-1, +1}; output: 1x32x32 in [-1, 1]\n\n"
        )
        return self.card(("autoencoder", "binary-codes", "mnist"), body, config, MNIST_DATA_DIR)


LAB = BinaryAELab()
