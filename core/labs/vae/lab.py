"""VAE lab: train a variational autoencoder live, then walk its latent space."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from torch import nn

from core.events import Event
from core.labs.base import Lab, TrainedModel
from core.labs.vae import train as training
from core.labs.vae.interactions import INTERACTIONS
from core.labs.vae.latent import collapse_warning
from core.labs.vae.model import build_vae
from core.labs.vae.spec import COURSE_RECIPE, SPEC
from core.runner import TrainContext


class VAELab(Lab):
    spec = SPEC
    # One bundled model: the default recipe, whose 2-D latent the map can show whole.
    variants = {"mlp-2d": "vae-mlp-2d"}  # noqa: RUF012
    interactions = INTERACTIONS
    train_metrics = ("loss", "reconstruction", "kl")
    samples_label = "Held-out digits: original | decoded"
    course_recipe = COURSE_RECIPE
    best_metric = ("heldout_loss", "min")  # the held-out negative ELBO
    # The negative ELBO starts at 200 to 550 nats per image (with or without mean_init) and only
    # falls from there: twenty times the first step's value is a blow-up.
    divergence_factor = 20.0

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return build_vae(config["architecture"], int(config["latent_dim"]), float(config.get("dropout", 0.0)))

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Any:
        return self.variant_path("mlp-2d")

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        return training.train(params, ctx)

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        return training.evaluate(trained, data_dir)

    def model_name(self, trained: TrainedModel) -> str:
        return f"{trained.config.get('architecture')}, {trained.config.get('latent_dim')}-D latent"

    def headline(self, metrics: dict[str, Any]) -> str:
        value = metrics.get("heldout_neg_elbo")
        if not isinstance(value, float):
            return ""
        text = (
            f"held-out −ELBO {value:.1f} nats per image (reconstruction "
            f"{metrics['heldout_reconstruction']:.1f} + KL {metrics['heldout_kl']:.1f})"
        )
        if collapse := collapse_warning(metrics):
            text += f" · ⚠️ **{collapse}**"
        return text

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        headline = self.headline(metrics).split(" · ")[0]
        return (
            "---\nlibrary_name: pytorch\ntags:\n- variational-autoencoder\n- mnist\n"
            "- deep-learning-labs\n---\n\n"
            f"# Variational autoencoder: {config.get('architecture')}, "
            f"{config.get('latent_dim')}-D latent\n\n"
            f"Trained by Deep Learning Labs' VAE lab on {config.get('data', {}).get('description')}.\n\n"
            f"- {headline or 'held-out ELBO: n/a'}, on {metrics.get('heldout_size')} "
            "held-out images (one z sample per image, fixed noise)\n"
            "- Input: 1x28x28 floats in [0, 1], white ink on black, MNIST-style centring\n"
            f"- Encoder output: mean and log-variance of q(z|x), {config.get('latent_dim')} numbers each\n"
            "- Decoder output: 1x28x28 pixel logits (sigmoid gives the probabilities)\n\n"
            f"Reproduce: `python -m core train vae {settings} --data-dir <folder with MNIST/raw>`\n"
        )


LAB = VAELab()
