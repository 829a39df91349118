"""The VAE lab's models and objective, in one file to read top to bottom.

The encoder gives each image a Gaussian q(z|x) = N(mu, sigma^2) over the latent space; the
decoder gives each of the 784 pixels a Bernoulli probability (as logits, so that the
cross-entropy is computed stably). Two architectures: the course's MLP (784-400-200, mirrored)
and a small convolutional VAE. Models take [0, 1] pixels, (N, 1, 28, 28).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn


class VAE(nn.Module):
    """An encoder trunk with two heads (mean and log-variance of q(z|x)) and a decoder that maps
    z to pixel logits."""

    def __init__(self, encoder: nn.Module, features: int, decoder: nn.Module, latent_dim: int):
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = encoder
        self.mean = nn.Linear(features, latent_dim)
        self.log_variance = nn.Linear(features, latent_dim)
        self.decoder = decoder

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.encoder(x)
        return self.mean(h), self.log_variance(h)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.decode_logits(z))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Pixel logits of a reconstruction through one sampled z, and q(z|x)'s parameters."""
        mean, log_variance = self.encode(x)
        z = mean + torch.randn_like(mean) * (0.5 * log_variance).exp()  # reparameterisation
        return self.decode_logits(z), mean, log_variance


def mlp_vae(sizes: Sequence[int], latent_dim: int, dropout: float = 0.0) -> VAE:
    """784 -> sizes -> z and back, ReLU between layers (the course's model with (400, 200)).
    Dropout after each hidden layer of the encoder: on 12,000 digits the encoder overfits first
    (held-out codes get worse while training ones still improve)."""
    encoder: list[nn.Module] = [nn.Flatten()]
    width = 28 * 28
    for size in sizes:
        encoder += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
        width = size
    decoder: list[nn.Module] = []
    width = latent_dim
    for size in reversed(sizes):
        decoder += [nn.Linear(width, size), nn.ReLU()]
        width = size
    decoder += [nn.Linear(width, 28 * 28), nn.Unflatten(1, (1, 28, 28))]
    return VAE(nn.Sequential(*encoder), sizes[-1], nn.Sequential(*decoder), latent_dim)


def conv_vae(
    latent_dim: int, dropout: float = 0.0, channels: tuple[int, int] = (32, 64), hidden: int = 256
) -> VAE:
    """Two stride-2 convolutions (28 -> 14 -> 7) and a dense layer; the decoder mirrors them
    with transposed convolutions."""
    c1, c2 = channels
    encoder = nn.Sequential(
        nn.Conv2d(1, c1, 4, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(c1, c2, 4, stride=2, padding=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(c2 * 7 * 7, hidden),
        nn.ReLU(),
        nn.Dropout(dropout),
    )
    decoder = nn.Sequential(
        nn.Linear(latent_dim, hidden),
        nn.ReLU(),
        nn.Linear(hidden, c2 * 7 * 7),
        nn.ReLU(),
        nn.Unflatten(1, (c2, 7, 7)),
        nn.ConvTranspose2d(c2, c1, 4, stride=2, padding=1),
        nn.ReLU(),
        nn.ConvTranspose2d(c1, 1, 4, stride=2, padding=1),
    )
    return VAE(encoder, hidden, decoder, latent_dim)


def build_vae(architecture: str, latent_dim: int, dropout: float = 0.0) -> VAE:
    if architecture == "mlp":
        return mlp_vae((400, 200), latent_dim, dropout)
    if architecture == "conv":
        return conv_vae(latent_dim, dropout)
    raise ValueError(f"unknown architecture {architecture!r}")


@torch.no_grad()
def start_at_mean_image(model: VAE, images: torch.Tensor) -> None:
    """Set the decoder's output bias to the logit of the mean training image, so that before
    any step every code already decodes to the average digit (one bias per pixel for the MLP,
    one for all pixels for the convolutional decoder)."""
    mean = images.mean(0).clamp(1e-3, 1 - 1e-3)
    last = [
        module for module in model.decoder.modules() if isinstance(module, nn.Linear | nn.ConvTranspose2d)
    ][-1]
    last.bias.copy_(torch.logit(mean.flatten() if isinstance(last, nn.Linear) else mean.mean().view(1)))


# --- the objective -------------------------------------------------------------------------


def elbo_terms(
    logits: torch.Tensor, x: torch.Tensor, mean: torch.Tensor, log_variance: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per image, in nats: the reconstruction term (binary cross-entropy summed over the
    pixels) and KL(q(z|x) || N(0, I)). Their sum is the negative ELBO."""
    reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
    kl = 0.5 * (mean.pow(2) + log_variance.exp() - log_variance - 1).sum(1)
    return reconstruction, kl
