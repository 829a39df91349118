"""The cnn-architectures lab's networks, in one file to read top to bottom.

Three small networks for 28x28 grey pictures, the shapes of the course's three (Lab Work 10),
scaled to fit a classroom CPU; `width` is the channels of the first stage, doubled at each of
the three stages (28 -> 14 -> 7 pixels):
- SimpleCNN: one 3x3 convolution per stage, then two fully connected layers (the course's);
- SmallVGG: two 3x3 convolutions per stage (VGG's idea: stacked small filters), then two fully
  connected layers with dropout, no batch norm (as VGG16);
- SmallResNet: a stem, then two residual blocks per stage (conv-BN-ReLU-conv-BN plus the input,
  a 1x1 convolution on the skip where the shape changes), global average pooling, one linear.
Plus the pretrained EfficientNet-Lite0 (core.pretrained, handed in as `imagenet`: this file needs
nothing but torch, so that an export runs the three others alone) with its last block and head fine-tuned
(FineTunedEfficientNet: only the trained part is a registered submodule, so the checkpoint holds
a few MB, not the 17 MB of ImageNet weights that load from their package).

And the skip-connection experiment: DeepNet, `depth` identical conv-ReLU layers with or without
the identity added around each, no normalisation, PyTorch's default initialisation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

FASHION_MEAN, FASHION_STD = 0.2860, 0.3530  # Fashion-MNIST's pixel statistics (train split)


def normalise(images: torch.Tensor) -> torch.Tensor:
    """(N, [1,] 28, 28) pixels in [0, 1] -> (N, 1, 28, 28), centred and scaled."""
    return (images.reshape(-1, 1, 28, 28) - FASHION_MEAN) / FASHION_STD


def conv3x3(inputs: int, outputs: int, stride: int = 1, bias: bool = True) -> nn.Conv2d:
    return nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1, bias=bias)


class SimpleCNN(nn.Module):
    """conv-ReLU-pool three times, then Linear-ReLU-dropout-Linear (the course's SimpleCNN)."""

    def __init__(self, width: int = 16, classes: int = 10):
        super().__init__()
        w = width
        self.features = nn.Sequential(
            conv3x3(1, w), nn.ReLU(), nn.MaxPool2d(2),  # 28 -> 14
            conv3x3(w, 2 * w), nn.ReLU(), nn.MaxPool2d(2),  # 14 -> 7
            conv3x3(2 * w, 4 * w), nn.ReLU(), nn.MaxPool2d(2),  # 7 -> 3
        )  # fmt: skip
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(4 * w * 3 * 3, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, classes)
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(normalise(images)))


class SmallVGG(nn.Module):
    """VGG's pattern at 28x28: each stage two 3x3 conv-ReLU, then a 2x2 max-pool."""

    def __init__(self, width: int = 16, classes: int = 10):
        super().__init__()
        layers: list[nn.Module] = []
        channels = 1
        for stage in range(3):
            out = width * 2**stage
            layers += [conv3x3(channels, out), nn.ReLU(), conv3x3(out, out), nn.ReLU(), nn.MaxPool2d(2)]
            channels = out
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(channels * 3 * 3, 128),
            nn.ReLU(),
            nn.Dropout(0.5),  # VGG's dropout between its fully connected layers
            nn.Linear(128, classes),
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(normalise(images)))


class BasicBlock(nn.Module):
    """ResNet's basic block: relu(bn(conv(relu(bn(conv(x))))) + skip(x))."""

    def __init__(self, inputs: int, outputs: int, stride: int = 1):
        super().__init__()
        self.conv1 = conv3x3(inputs, outputs, stride, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = conv3x3(outputs, outputs, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.skip = nn.Identity()
        if stride != 1 or inputs != outputs:  # the shapes differ: a 1x1 convolution matches them
            self.skip = nn.Sequential(
                nn.Conv2d(inputs, outputs, 1, stride=stride, bias=False), nn.BatchNorm2d(outputs)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.skip(x))  # the skip connection: the gradient has a short way back


class SmallResNet(nn.Module):
    """A stem, three stages of two basic blocks (28, 14, 7 pixels), average pool, linear."""

    def __init__(self, width: int = 16, classes: int = 10):
        super().__init__()
        self.stem = nn.Sequential(conv3x3(1, width, bias=False), nn.BatchNorm2d(width), nn.ReLU())
        blocks, channels = [], width
        for stage in range(3):
            out = width * 2**stage
            blocks += [BasicBlock(channels, out, stride=1 if stage == 0 else 2), BasicBlock(out, out)]
            channels = out
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(channels, classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.blocks(self.stem(normalise(images)))
        return self.head(x.mean(dim=(2, 3)))  # global average pooling


# --- the pretrained network, fine-tuned -------------------------------------------------------

PRETRAINED_SIZE = 96  # Fashion-MNIST's 28 px upscaled: a third of ImageNet's 224, 6x cheaper


class FineTunedEfficientNet(nn.Module):
    """EfficientNet-Lite0 with ImageNet weights: everything up to its last block frozen (kept
    outside the module's parameters and state dict), its last block, 1x1 head convolution and a
    new 10-way classifier trained. `trunk` and `tail` are separate so that training can cache
    the frozen trunk's output for each picture."""

    def __init__(self, network: nn.Module, classes: int = 10):
        super().__init__()
        trunk = nn.Sequential(network.conv_stem, network.bn1, *network.blocks[:-1]).eval()
        for parameter in trunk.parameters():
            parameter.requires_grad_(False)
        self._frozen = [trunk]  # a list: not a submodule, so not saved and never in train mode
        self.last_block = network.blocks[-1]
        self.conv_head, self.bn2 = network.conv_head, network.bn2
        self.classifier = nn.Linear(network.classifier.in_features, classes)

    @property
    def trunk(self) -> nn.Module:
        return self._frozen[0]

    @staticmethod
    def prepare(images: torch.Tensor) -> torch.Tensor:
        """(N, [1,] 28, 28) in [0, 1] -> (N, 3, 96, 96) in [-1, 1], as the network was trained
        to read (timm's mean and std of 0.5): grey copied to red, green and blue."""
        grey = F.interpolate(images.reshape(-1, 1, 28, 28), size=PRETRAINED_SIZE, mode="bilinear")
        return ((grey - 0.5) / 0.5).expand(-1, 3, -1, -1)

    @torch.no_grad()
    def trunk_features(self, images: torch.Tensor) -> torch.Tensor:
        return self.trunk(self.prepare(images))

    def tail(self, features: torch.Tensor) -> torch.Tensor:
        x = self.conv_head(self.last_block(features))
        x = F.relu6(self.bn2(x))  # the Lite models' activation
        return self.classifier(x.mean(dim=(2, 3)))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.tail(self.trunk_features(images))


class Architectures(nn.ModuleDict):
    """The networks trained together, by name (their state-dict prefixes)."""


NETWORKS = {"simple": SimpleCNN, "vgg": SmallVGG, "resnet": SmallResNet}  # and "efficientnet"


def build_network(
    name: str, width: int, classes: int = 10, imagenet: Callable[[], nn.Module] | None = None
) -> nn.Module:
    """A network by name; "efficientnet" fine-tunes `imagenet()`, ImageNet's EfficientNet-Lite0."""
    if name == "efficientnet":
        if imagenet is None:
            raise ValueError("the fine-tuned EfficientNet needs ImageNet's EfficientNet-Lite0 to build on")
        return FineTunedEfficientNet(imagenet(), classes)
    if name not in NETWORKS:
        raise ValueError(
            f"unknown architecture {name!r}; choose from {', '.join([*NETWORKS, 'efficientnet'])}"
        )
    return NETWORKS[name](width, classes)


def build_architectures(
    config: dict[str, Any], imagenet: Callable[[], nn.Module] | None = None
) -> Architectures:
    classes = len(config.get("classes", range(10)))
    width = int(config["width"])
    if not 1 <= width <= 256:
        raise ValueError(f"width {width} is not between 1 and 256")
    return Architectures({name: build_network(name, width, classes, imagenet) for name in config["models"]})


# --- skip connections: a deep plain net against the same net with skips -----------------------

DEEP_SIZE = 7  # the experiment reads pictures shrunk to 7x7: deep nets stay cheap on a CPU


class DeepNet(nn.Module):
    """`depth` ReLU-conv3x3 layers of `width` channels between a stem and a linear head, with
    (x + conv(relu(x))) or without (conv(relu(x))) the skip. No normalisation and PyTorch's
    default initialisation, so what the skip alone changes is visible."""

    def __init__(self, depth: int, width: int, skip: bool, classes: int = 10):
        super().__init__()
        self.skip = skip
        self.stem = conv3x3(1, width)
        self.layers = nn.ModuleList(conv3x3(width, width) for _ in range(depth))
        self.head = nn.Linear(width, classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = F.avg_pool2d(normalise(images), 28 // DEEP_SIZE)
        x = self.stem(x)
        for layer in self.layers:
            out = layer(F.relu(x))
            x = x + out if self.skip else out  # the only difference between the two nets
        return self.head(F.relu(x).mean(dim=(2, 3)))


# --- what a network costs -----------------------------------------------------------------------


def parameter_count(model: nn.Module) -> int:
    """Trainable parameters (the fine-tuned network's frozen trunk is not counted)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def multiply_adds(model: nn.Module) -> int:
    """Multiply-adds of one forward pass on one 28x28 picture, counted by PyTorch's own
    FlopCounterMode (convolutions and matrix products; it counts 2 FLOPs per multiply-add)."""
    from torch.utils.flop_counter import FlopCounterMode

    was_training = model.training
    model.eval()
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, 1, 28, 28))
    model.train(was_training)
    return counter.get_total_flops() // 2
