"""The GAN lab's models, in one file to read top to bottom.

Three recipes. The course's fully connected GAN (G 100-128-256-512-1024-784 with batch norm and
LeakyReLU(0.2), tanh; D 784-512-256-1 with LeakyReLU(0.2)); a small DCGAN (two transposed convs
up, three strided convs down); and the default, the same DCGAN told which digit to draw: G gets
a class vector beside z and D judges (image, class) pairs through a projection (Miyato & Koyama,
2018). Knowing the digit, G stops drawing shapes halfway between two, and its samples read as
digits several times sooner on a laptop CPU (see benchmarks/gan_bench.py).

A conditional model's latent vector is z followed by the class vector (one-hot; a mix of two
while interpolating), so seeds, interpolation and sliders work the same for every recipe (the
seeds that name latents are in sampling.py: they use numpy, and this file needs only torch). Both
players live in one module, `GAN`, so that one checkpoint holds the pair, the running average of
G's weights that draws the samples, and the training timeline (fixed-noise grids).
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

IMAGE_SHAPE = (1, 28, 28)
GRID_SIZE = 64  # fixed-noise samples shown while training (one frame of the timeline)
GRID_COLUMNS = 8  # ... as an 8x8 grid


def course_generator(latent_dim: int) -> nn.Sequential:
    """The course's generator: z -> 128 -> 256 -> 512 -> 1024 -> 784, batch norm on the three
    middle layers (the course's first layer has none), LeakyReLU(0.2), tanh."""
    layers: list[nn.Module] = [nn.Linear(latent_dim, 128), nn.LeakyReLU(0.2)]
    for width_in, width_out in ((128, 256), (256, 512), (512, 1024)):
        layers += [nn.Linear(width_in, width_out), nn.BatchNorm1d(width_out), nn.LeakyReLU(0.2)]
    layers += [nn.Linear(1024, 784), nn.Tanh(), nn.Unflatten(1, IMAGE_SHAPE)]
    return nn.Sequential(*layers)


def course_discriminator() -> nn.Sequential:
    """The course's discriminator: 784 -> 512 -> 256 -> 1, LeakyReLU(0.2). It ends in a logit:
    the sigmoid is inside the loss, and applied where a probability is shown."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 512),
        nn.LeakyReLU(0.2),
        nn.Linear(512, 256),
        nn.LeakyReLU(0.2),
        nn.Linear(256, 1),
    )


def conv_generator(latent_dim: int, width: int = 64) -> nn.Sequential:
    """DCGAN-style, sized for a CPU: z -> width x 7 x 7, then transposed convs to 14 x 14 and to
    28 x 28, batch norm and ReLU between them, tanh out. (A further 3 x 3 conv at 28 x 28 drew
    slightly better digits per step but cost 1.6 times as much per step: no better per second.)"""
    return nn.Sequential(
        nn.Linear(latent_dim, width * 49, bias=False),
        nn.BatchNorm1d(width * 49),
        nn.ReLU(),
        nn.Unflatten(1, (width, 7, 7)),
        nn.ConvTranspose2d(width, width // 2, 4, stride=2, padding=1, bias=False),  # 7 -> 14
        nn.BatchNorm2d(width // 2),
        nn.ReLU(),
        nn.ConvTranspose2d(width // 2, 1, 4, stride=2, padding=1),  # 14 -> 28
        nn.Tanh(),
    )


def conv_discriminator(width: int = 16) -> nn.Sequential:
    """Strided convs 28 -> 14 -> 7 -> 4 with LeakyReLU(0.2) and batch norm (not on the input
    layer, as in DCGAN), then one logit."""
    return nn.Sequential(
        nn.Conv2d(1, width, 4, stride=2, padding=1),  # 28 -> 14
        nn.LeakyReLU(0.2),
        nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, bias=False),  # 14 -> 7
        nn.BatchNorm2d(2 * width),
        nn.LeakyReLU(0.2),
        nn.Conv2d(2 * width, 4 * width, 3, stride=2, padding=1, bias=False),  # 7 -> 4
        nn.BatchNorm2d(4 * width),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Linear(4 * width * 16, 1),
    )


class ConditionalGenerator(nn.Module):
    """G(z, c): the conv generator fed z and a learnt embedding of the class vector c, so that
    a one-hot c asks for one digit and a mix of two asks for something between them."""

    def __init__(self, latent_dim: int, classes: int, embedding: int = 16):
        super().__init__()
        self.latent_dim = latent_dim
        self.embed = nn.Linear(classes, embedding, bias=False)  # one-hot @ weight: a lookup
        nn.init.normal_(self.embed.weight)  # as nn.Embedding starts
        self.net = conv_generator(latent_dim + embedding)

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        z, classes = latent[:, : self.latent_dim], latent[:, self.latent_dim :]
        return self.net(torch.cat([z, self.embed(classes)], dim=1))


class ProjectionDiscriminator(nn.Module):
    """D(x, c) = w·h(x) + b + <embed(c), h(x)>: the conv discriminator's features h(x) scored as
    usual, plus how well they match the class c. A real 3 passed off as a 5 scores as fake, so
    G must draw the digit it was asked for."""

    def __init__(self, classes: int, width: int = 16):
        super().__init__()
        self.body = conv_discriminator(width)
        self.head = self.body[-1]
        self.body[-1] = nn.Identity()
        self.embed = nn.Linear(classes, self.head.in_features, bias=False)
        nn.init.normal_(self.embed.weight)

    def forward(self, images: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
        features = self.body(images)
        return self.head(features) + (self.embed(classes) * features).sum(dim=1, keepdim=True)


class GAN(nn.Module):
    """Generator and discriminator in one module, so one checkpoint holds the pair; optionally
    `average`, a running average of the generator's weights that draws the samples; and the
    training timeline: fixed-noise grids (uint8) taken while it trained, one per row."""

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        latent_dim: int,
        snapshots: int = 0,
        average: bool = False,
        classes: int = 0,
    ):
        super().__init__()
        self.generator = generator
        self.discriminator = discriminator
        self.average = copy.deepcopy(generator).requires_grad_(False) if average else None
        self.latent_dim = latent_dim
        self.classes = classes  # > 0: conditional, the latent ends in a class vector this long
        self.register_buffer("timeline", torch.zeros(snapshots, GRID_SIZE, 28, 28, dtype=torch.uint8))

    @property
    def sampler(self) -> nn.Module:
        """The generator that draws samples: the weight average when there is one."""
        return self.average if self.average is not None else self.generator

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Latents (N, latent_dim + classes) -> images (N, 1, 28, 28) in [-1, 1]."""
        return self.sampler(z)

    def judge(self, images: torch.Tensor, classes: torch.Tensor | None) -> torch.Tensor:
        """D's logits for images (and, for a conditional GAN, the classes they claim to be)."""
        return self.discriminator(images) if not self.classes else self.discriminator(images, classes)

    @torch.no_grad()
    def update_average(self, decay: float) -> None:
        """average <- decay * average + (1 - decay) * generator; batch-norm statistics copied."""
        if self.average is None:
            return
        for mean, weight in zip(self.average.parameters(), self.generator.parameters(), strict=True):
            mean.lerp_(weight, 1.0 - decay)
        for mean, buffer in zip(self.average.buffers(), self.generator.buffers(), strict=True):
            mean.copy_(buffer)


def build_gan(
    recipe: str, latent_dim: int, snapshots: int = 0, average: bool = False, classes: int = 10
) -> GAN:
    """An untrained GAN; `classes` is used by the conditional recipe only."""
    if recipe == "cdcgan":
        return GAN(
            ConditionalGenerator(latent_dim, classes),
            ProjectionDiscriminator(classes),
            latent_dim,
            snapshots,
            average,
            classes,
        )
    if recipe == "dcgan":
        return GAN(conv_generator(latent_dim), conv_discriminator(), latent_dim, snapshots, average)
    if recipe == "mlp":
        return GAN(course_generator(latent_dim), course_discriminator(), latent_dim, snapshots, average)
    raise ValueError(f"unknown recipe {recipe!r}")


def gan_from_config(config: dict[str, Any]) -> GAN:
    """The untrained GAN a checkpoint's config describes (its timeline buffer sized to fit)."""
    snapshots = len(config.get("timeline", {}).get("steps", []))
    average = float(config.get("params", {}).get("average", 0.0)) > 0
    classes = len(config.get("classes", [])) or 10
    return build_gan(config["recipe"], int(config["latent_dim"]), snapshots, average, classes)


# --- images in ------------------------------------------------------------------------------


def to_tanh_range(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, 28, 28) -> float (N, 1, 28, 28) in [-1, 1], the range of the generator's tanh."""
    return images.float().div(127.5).sub(1.0).unsqueeze(1)
