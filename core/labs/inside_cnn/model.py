"""The network a student looks inside: EfficientNet-Lite0 with its ImageNet weights, read stage
by stage so every stage's feature maps can be shown.

EfficientNet-Lite0 (Tan and Le, 2019; the "Lite" variant for phones: ReLU6, no
squeeze-and-excitation) is a stem convolution (3x3, stride 2, 32 filters), seven stages of
inverted-residual blocks (depthwise 3x3 or 5x5 convolutions between 1x1 expansions), a 1x1 head
convolution to 1280 channels, a global average pool and one linear layer to the 1000 ImageNet
classes. At 224 px the maps shrink 224 -> 112 -> 56 -> 28 -> 14 -> 7 while the channels grow
32 -> 320 -> 1280: each stage sees a wider part of the photo with more kinds of detectors.
"""

from __future__ import annotations

import functools

import torch
from torch import nn

from core import pretrained

# The stages as a student reads them: the stem, timm's seven block groups, the head.
STAGES = ("stem", "stage 1", "stage 2", "stage 3", "stage 4", "stage 5", "stage 6", "stage 7", "head")


@functools.lru_cache(maxsize=1)
def shared_network() -> nn.Module:
    """One read-only copy per process: every model of this lab is the same pretrained network,
    and the lab never changes its weights."""
    network = pretrained.efficientnet_lite0()
    for parameter in network.parameters():
        parameter.requires_grad_(False)  # attributions ask for gradients of the input, not these
    return network


class InsideCNN(nn.Module):
    """The pretrained network, with a forward that keeps each stage's output."""

    def __init__(self, network: nn.Module):
        super().__init__()
        # Held outside this module's state on purpose: a checkpoint of this lab records where
        # the weights come from (config.json) and what they scored, not 17 MB of the package's
        # tensors again. `build_model` takes them from the package, checked, every time.
        object.__setattr__(self, "network", network)

    def stages(self, x: torch.Tensor) -> list[torch.Tensor]:
        """(B, 3, H, W) normalised photos -> the output of every stage in STAGES."""
        net = self.network
        outputs = [net.bn1(net.conv_stem(x))]  # bn1 includes the ReLU6
        for block in net.blocks:
            outputs.append(block(outputs[-1]))
        outputs.append(net.bn2(net.conv_head(outputs[-1])))
        return outputs

    def classify(self, features: torch.Tensor) -> torch.Tensor:
        """The head's maps -> class scores (logits): average each map, then one linear layer."""
        return self.network.classifier(self.network.global_pool(features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x)

    def first_filters(self) -> torch.Tensor:
        """The stem's 32 filters, (32, 3, 3, 3): what the first layer looks for in the pixels."""
        return self.network.conv_stem.weight.detach()
