"""The denoising lab's models, in one file to read top to bottom.

Two models: the course's conv autoencoder (1 -> 16 -> 8 channels with stride 2, transposed
convolutions back, sigmoid), kept as the course wrote it, and `skip-ae`, the default: the same
shape made wider, with one more convolution at 7x7 and a skip connection at 14x14. Both take
(N, 1, 28, 28) pixels in [0, 1] and return the clean estimate in [0, 1].
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

DARK_BIAS = -2.0  # sigmoid(-2) = 0.12, about MNIST's average pixel


class CourseAutoencoder(nn.Module):
    """The course's denoising autoencoder, layer for layer (Lab Work 23)."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1),  # -> (16, 14, 14)
            nn.ReLU(True),
            nn.Conv2d(16, 8, 3, stride=2, padding=1),  # -> (8, 7, 7)
            nn.ReLU(True),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(8, 16, 3, stride=2, padding=1, output_padding=1),  # -> (16, 14, 14)
            nn.ReLU(True),
            nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1),  # -> (1, 28, 28)
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))

    @property
    def output_layer(self) -> nn.ConvTranspose2d:
        return self.decoder[2]


class SkipAutoencoder(nn.Module):
    """The course's shape, wider, with one more 7x7 convolution and a skip connection: the
    14x14 encoder features are added to the decoder's before the last upsampling, so the
    bottleneck carries which digit it is and the skip carries where its strokes are."""

    def __init__(self, width: int = 32, bottleneck: int = 64) -> None:
        super().__init__()
        self.down1 = nn.Sequential(nn.Conv2d(1, width, 3, stride=2, padding=1), nn.ReLU(True))  # 14x14
        self.down2 = nn.Sequential(
            nn.Conv2d(width, bottleneck, 3, stride=2, padding=1),  # 7x7
            nn.ReLU(True),
            nn.Conv2d(bottleneck, bottleneck, 3, padding=1),
            nn.ReLU(True),
        )
        self.up2 = nn.ConvTranspose2d(bottleneck, width, 3, stride=2, padding=1, output_padding=1)  # 14
        self.up1 = nn.ConvTranspose2d(width, 1, 3, stride=2, padding=1, output_padding=1)  # 28x28

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skip = self.down1(x)
        y = F.relu(self.up2(self.down2(skip)) + skip)
        return torch.sigmoid(self.up1(y))

    @property
    def output_layer(self) -> nn.ConvTranspose2d:
        return self.up1


def build_denoiser(architecture: str, dark_start: bool = False) -> nn.Module:
    """An untrained denoiser; `dark_start` sets its output bias so it starts near black."""
    if architecture == "skip-ae":
        model: nn.Module = SkipAutoencoder()
    elif architecture == "course":
        model = CourseAutoencoder()
    else:
        raise ValueError(f"unknown architecture {architecture!r}")
    if dark_start:
        nn.init.constant_(model.output_layer.bias, DARK_BIAS)
    return model
