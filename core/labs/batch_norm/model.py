"""The network every combination trains: the course's CNN (Lab Work 6) on 28x28 grey pictures.

`CourseCNN(batch_norm=False)` is the course's BaselineCNN, `CourseCNN(batch_norm=True)` its
BatchNormCNN: the same convolutions and linear layers with a batch norm between each of the first
three and its ReLU. The course ran them on 32x32 colour CIFAR-10 pictures; here one grey channel
comes in and two 2x2 poolings leave 7x7, not 8x8.

All copies start from the same weights (`same_start`): the batch-norm copies take the plain one's
convolution and linear weights, their batch norms start as the identity (γ = 1, β = 0), so at the
first step the only difference is the normalisation itself.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

FASHION_MEAN, FASHION_STD = 0.2860, 0.3530  # Fashion-MNIST's training pixels
LAYERS = ("conv1", "conv2", "fc1")  # the layers whose activations the lab watches
HIDDEN = 128
# The combinations whose copy has batch norms: spec.py's, copied so that this file needs nothing
# but torch (an export ships it beside predict.py; a test checks the two agree).
WITH_BATCH_NORM = ("bn", "both")


class CourseCNN(nn.Module):
    """conv 3x3 -> [BN] -> ReLU -> pool, twice; linear -> [BN] -> ReLU; linear to the logits."""

    def __init__(self, batch_norm: bool, width: int = 32, classes: int = 10):
        super().__init__()
        self.batch_norm = batch_norm

        def norm(kind: type[nn.Module], channels: int) -> nn.Module:
            return kind(channels) if batch_norm else nn.Identity()

        self.conv1 = nn.Conv2d(1, width, 3, padding=1)
        self.bn1 = norm(nn.BatchNorm2d, width)
        self.conv2 = nn.Conv2d(width, 2 * width, 3, padding=1)
        self.bn2 = norm(nn.BatchNorm2d, 2 * width)
        self.fc1 = nn.Linear(2 * width * 7 * 7, HIDDEN)
        self.bn_fc1 = norm(nn.BatchNorm1d, HIDDEN)
        self.fc2 = nn.Linear(HIDDEN, classes)

    def forward(self, images: torch.Tensor, record: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        """(N, 28, 28) or (N, 1, 28, 28) pixels in [0, 1] -> (N, classes) logits. With `record`,
        what enters each ReLU (after the batch norm, if any) is kept there, by layer."""
        x = (images.reshape(-1, 1, 28, 28) - FASHION_MEAN) / FASHION_STD
        for name, layer, norm in (("conv1", self.conv1, self.bn1), ("conv2", self.conv2, self.bn2)):
            x = norm(layer(x))
            if record is not None:
                record[name] = x.detach()
            x = F.max_pool2d(F.relu(x), 2)
        x = self.bn_fc1(self.fc1(x.flatten(1)))
        if record is not None:
            record["fc1"] = x.detach()
        return self.fc2(F.relu(x))


def activation_stats(record: dict[str, torch.Tensor]) -> dict[str, dict[str, float]]:
    """Per layer: the mean and the spread (standard deviation) of what enters its ReLU, over the
    batch and every unit, and the share of it above zero (what the ReLU lets through)."""
    return {
        name: {
            "mean": float(values.mean()),
            "std": float(values.std()),
            "active": float((values > 0).float().mean()),
        }
        for name, values in record.items()
    }


class CombinationCopies(nn.ModuleDict):
    """One copy of the network per combination, by name (its state-dict prefix: `both.conv1.weight`)."""


def starting_networks(width: int = 32, classes: int = 10) -> tuple[CourseCNN, CourseCNN]:
    """A plain network initialised once (from torch's seeded generator) and a batch-norm one
    with its very weights, its batch norms starting as the identity."""
    plain = CourseCNN(batch_norm=False, width=width, classes=classes)
    normed = CourseCNN(batch_norm=True, width=width, classes=classes)
    missing, unexpected = normed.load_state_dict(plain.state_dict(), strict=False)
    assert not unexpected and all(name.startswith("bn") for name in missing)
    return plain, normed


def same_start(combinations: list[str], width: int = 32, classes: int = 10) -> CombinationCopies:
    """A copy per combination, all from the same starting weights (`starting_networks`)."""
    return copies_of(*starting_networks(width, classes), combinations)


def copies_of(plain: CourseCNN, normed: CourseCNN, combinations: list[str]) -> CombinationCopies:
    return CombinationCopies(
        {name: copy.deepcopy(normed if name in WITH_BATCH_NORM else plain) for name in combinations}
    )


def build_copies(config: dict[str, Any]) -> CombinationCopies:
    """The copies a checkpoint's config names (their weights come from the checkpoint)."""
    classes = len(config.get("classes", range(10)))
    width = int(config["params"]["width"])
    return CombinationCopies(
        {
            name: CourseCNN(name in WITH_BATCH_NORM, width=width, classes=classes)
            for name in config["combinations"]
        }
    )
