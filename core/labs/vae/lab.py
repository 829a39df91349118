"""VAE lab: train a variational autoencoder live, then walk its latent space."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from core.labs.base import MNIST_DATA_DIR, Lab, TrainedModel
from core.labs.vae import train as training
from core.labs.vae.interactions import INTERACTIONS
from core.labs.vae.latent import collapse_warning
from core.labs.vae.model import build_vae
from core.labs.vae.spec import COURSE_RECIPE, SPEC


class VAELab(Lab):
    spec = SPEC
    # One bundled model: the default recipe, whose 2-D latent the map can show whole.
    variants = {"mlp-2d": "vae-mlp-2d"}  # noqa: RUF012
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("loss", "reconstruction", "kl")
    samples_label = "Held-out digits: original | decoded"
    course_recipe = COURSE_RECIPE
    best_metric = ("heldout_loss", "min")  # the held-out negative ELBO
    # The negative ELBO starts at 200 to 550 nats per image (with or without mean_init) and only
    # falls from there: twenty times the first step's value is a blow-up.
    divergence_factor = 20.0

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return build_vae(config["architecture"], int(config["latent_dim"]), float(config.get("dropout", 0.0)))

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        # The decoder, the part that draws: codes (N, latent_dim) -> pixel probabilities (N, 1, 28, 28).
        # The encoder's answer is two tensors and the forward samples, so the ONNX file leaves it out.
        return nn.Sequential(trained.model.decoder, nn.Sigmoid())

    onnx_traced = True  # written in a tenth of a second, where torch.export takes about one

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(1, int(trained.config["latent_dim"])),)

    onnx_about = "the decoder: (N, latent_dim) codes in, (N, 1, 28, 28) pixel probabilities out (no encoder)."

    def model_name(self, trained: TrainedModel) -> str:
        return f"{trained.config.get('architecture')}, {trained.config.get('latent_dim')}-D latent"

    def headline(self, metrics: dict[str, Any]) -> str:
        value = metrics.get("heldout_neg_elbo")
        if not isinstance(value, float):
            return ""
        text = (
            f"held-out −ELBO {value:.1f} nats per image (reconstruction "
            f"{metrics['heldout_reconstruction']:.1f} + KL {metrics['heldout_kl']:.1f}; lower is "
            "better: how many nats, units of information, the model needs to describe a digit)"
        )
        if collapse := collapse_warning(metrics):
            text += f" · ⚠️ **{collapse}**"
        return text

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        headline = self.headline(metrics).split(" · ")[0]
        body = (
            f"# Variational autoencoder: {config.get('architecture')}, "
            f"{config.get('latent_dim')}-D latent\n\n"
            f"Trained by Deep Learning Labs' VAE lab on {config.get('data', {}).get('description')}.\n\n"
            f"- {headline or 'held-out ELBO: n/a'}, on {metrics.get('heldout_size')} "
            "held-out images (one z sample per image, fixed noise)\n"
            "- Input: 1x28x28 floats in [0, 1], white ink on black, MNIST-style centring\n"
            f"- Encoder output: mean and log-variance of q(z|x), {config.get('latent_dim')} numbers each\n"
            "- Decoder output: 1x28x28 pixel logits (sigmoid gives the probabilities)\n\n"
        )
        return self.card(("variational-autoencoder", "mnist"), body, config, MNIST_DATA_DIR)


LAB = VAELab()
