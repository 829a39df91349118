"""The Digits lab's models, in one file to read top to bottom.

Three classifiers: the course's MLP (784-256-128-64-10 with batch norm and dropout), the course's
three-block CNN (32/64/128 channels), and a compact CNN (16/32/64) that is the default because
it reaches the same accuracy several times sooner on a laptop CPU. Every model starts with its
own normalisation layer, so a checkpoint takes plain [0, 1] pixels and cannot be fed wrongly.
"""

from __future__ import annotations

import torch
from torch import nn

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


class Normalize(nn.Module):
    """(x - mean) / std inside the model, so callers pass [0, 1] pixels."""

    def __init__(self, mean: float, std: float):
        super().__init__()
        self.mean, self.std = mean, std

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


def conv_block(c_in: int, c_out: int, pool: nn.Module) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        pool,
    )


class ConvClassifier(nn.Module):
    """Three conv blocks then two fully connected layers. `fast-cnn` and the course `cnn`
    differ only in widths and in how the last block is pooled."""

    def __init__(
        self,
        widths: tuple[int, int, int],
        hidden: int,
        final_pool: nn.Module,
        pooled_side: int,
        dropout: float,
        classes: int = 10,
    ):
        super().__init__()
        c1, c2, c3 = widths
        self.normalize = Normalize(MNIST_MEAN, MNIST_STD)
        self.features = nn.Sequential(
            conv_block(1, c1, nn.MaxPool2d(2)),  # 28 -> 14
            conv_block(c1, c2, nn.MaxPool2d(2)),  # 14 -> 7
            conv_block(c2, c3, final_pool),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(c3 * pooled_side**2, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(self.normalize(x)))


class MLPClassifier(nn.Module):
    """The course MLP: 784-256-128-64-10, each hidden layer Linear -> BatchNorm -> ReLU -> Dropout."""

    def __init__(self, dropout: float, classes: int = 10, sizes: tuple[int, ...] = (256, 128, 64)):
        super().__init__()
        self.normalize = Normalize(MNIST_MEAN, MNIST_STD)
        layers: list[nn.Module] = [nn.Flatten()]
        width = 28 * 28
        for size in sizes:
            layers.append(
                nn.Sequential(nn.Linear(width, size), nn.BatchNorm1d(size), nn.ReLU(), nn.Dropout(dropout))
            )
            width = size
        layers.append(nn.Linear(width, classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(self.normalize(x))


def build_classifier(architecture: str, dropout: float, classes: int = 10) -> nn.Module:
    if architecture == "fast-cnn":
        return ConvClassifier((16, 32, 64), 128, nn.MaxPool2d(2), 3, dropout, classes)  # 7 -> 3
    if architecture == "cnn":
        return ConvClassifier((32, 64, 128), 256, nn.AdaptiveAvgPool2d(4), 4, dropout, classes)
    if architecture == "mlp":
        return MLPClassifier(dropout, classes)
    raise ValueError(f"unknown architecture {architecture!r}")
