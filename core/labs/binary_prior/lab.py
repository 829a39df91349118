"""Autoregressive prior lab: learn the 48-bit codes of the bundled binary autoencoder, then
generate codes and see which training digit each one reproduced, or that it is new."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from core.labs.base import MNIST_DATA_DIR, Lab, TrainedModel
from core.labs.binary_prior import train as training
from core.labs.binary_prior.interactions import INTERACTIONS
from core.labs.binary_prior.model import build_prior
from core.labs.binary_prior.spec import SPEC


class BinaryPriorLab(Lab):
    spec = SPEC
    variants = {"lstm": "binary-prior-lstm"}  # noqa: RUF012
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("loss", "bit_accuracy", "memorisation")
    samples_label = "Generated | the training digit it reproduced"
    course_recipe = {"model": "lstm", "digits": 128, "epochs": 100, "learning_rate": 0.001}  # noqa: RUF012

    onnx_traced = True  # the LSTM prior is PyTorch's nn.LSTM: see Lab.onnx_traced

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.tensor([[0, 1] * 24, [1, 1, 0] * 16]),)

    onnx_about = (
        "(N, 48) bits (0 or 1) in; (N, 48) logits out, the one at i that of bit i being 1 given the "
        "bits before it (the LSTM) or given all the others, noisy (denoise-fc). Drawing codes is a loop "
        "over the bits: predict.py runs it."
    )

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        # Generating reads these later: a hand-edited config is refused on load instead.
        training.training_codes(config)  # BitsInputError (a ValueError) for codes that are not bits
        if not (type(config["digits"]) is int and config["digits"] > 0):
            raise ValueError(f"digits must be a positive whole number, got {config['digits']!r}")
        autoencoder = config.get("autoencoder", {})
        if not isinstance(autoencoder, dict) or not isinstance(autoencoder.get("path", ""), str):
            raise ValueError("autoencoder must be an object naming the autoencoder's checkpoint")
        return build_prior(config["model"])

    def model_name(self, trained: TrainedModel) -> str:
        return f"{trained.config.get('model', '?')} prior"

    def headline(self, metrics: dict[str, Any]) -> str:
        rate = metrics.get("memorisation_rate")
        if not isinstance(rate, float):
            return ""
        return (
            f"memorisation {rate:.1%} of {metrics.get('samples')} samples at "
            f"T = {metrics.get('temperature'):g} "
            f"(coverage {metrics.get('coverage', 0):.0%} of {metrics.get('digits')} codes)"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        autoencoder = config.get("autoencoder", {})
        body = (
            f"# Prior over binary codes: {config.get('model')}\n\n"
            f"Trained by Deep Learning Labs' prior lab on the 48-bit codes of the first "
            f"{config.get('digits')} training digits, from the binary autoencoder "
            f"`{autoencoder.get('checkpoint')}` (weights fingerprint `{autoencoder.get('weights_hash')}`; "
            "it refuses any other).\n\n"
            f"- {self.headline(metrics) or 'memorisation: n/a'}\n"
            f"- Course criterion: memorisation above {training.TARGET_RATE:.0%}: "
            f"{'met' if metrics.get('criterion_met') else 'not met'}\n\n"
        )
        return self.card(("autoregressive", "lstm", "binary-codes"), body, config, MNIST_DATA_DIR)


LAB = BinaryPriorLab()
