"""The binary autoencoder's networks, in one file to read top to bottom.

The encoder maps a 1x32x32 digit (MNIST's 28x28 resized, pixels in [-1, 1]) to a 3x4x4 map of
real numbers; their signs are the code. The sign has no gradient, so the straight-through
estimator passes the decoder's gradient to the encoder as if the sign were the identity. The
decoder turns a code back into a digit with transposed convolutions and a tanh.

Two networks: the course's (32 to 256 channels, about 38 s per epoch of 12,000 digits on a CPU)
and `fast`, the default: a quarter of the channels, no full-resolution layer, standardised codes
and a wider first decoder layer, several times cheaper per step.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class BinarizeSTE(torch.autograd.Function):
    """sign(x) in {-1, +1} forward (0 counts as +1); the gradient passes through unchanged."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x >= 0, 1.0, -1.0).to(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        return grad


def binarize(x: torch.Tensor) -> torch.Tensor:
    return BinarizeSTE.apply(x)


def _conv(channels_in: int, channels_out: int, kernel: int, stride: int, padding: int) -> list[nn.Module]:
    return [
        nn.Conv2d(channels_in, channels_out, kernel, stride, padding),
        nn.BatchNorm2d(channels_out),
        nn.ReLU(inplace=True),
    ]


def _up(channels_in: int, channels_out: int) -> list[nn.Module]:
    """A transposed convolution that doubles the size, then batch norm and ReLU."""
    return [
        nn.ConvTranspose2d(channels_in, channels_out, 4, 2, 1),
        nn.BatchNorm2d(channels_out),
        nn.ReLU(inplace=True),
    ]


class BinaryAutoencoder(nn.Module):
    """An encoder to a 3x4x4 map, binarised when `binary` is on, and a decoder back to 32x32."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.binary = True  # off during the warm-up

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Real-valued code maps (N, 3, 4, 4); their signs are the bits."""
        return self.encoder(x)

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        return self.decoder(code)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The reconstruction in [-1, 1] and the real-valued code it came from."""
        real = self.encode(x)
        return self.decode(binarize(real) if self.binary else real), real


def course_autoencoder() -> BinaryAutoencoder:
    """The course's network, layer for layer (its autoencoder_model.py)."""
    encoder = nn.Sequential(
        *_conv(1, 32, 3, 1, 1),  # 32x32
        *_conv(32, 64, 4, 2, 1),  # 16x16
        *_conv(64, 128, 4, 2, 1),  # 8x8
        *_conv(128, 256, 4, 2, 1),  # 4x4
        nn.Conv2d(256, 3, 3, 1, 1),
    )
    decoder = nn.Sequential(
        *_up(3, 128),  # 8x8
        *_up(128, 64),  # 16x16
        *_up(64, 32),  # 32x32
        nn.Conv2d(32, 1, 3, 1, 1),
        nn.Tanh(),
    )
    return BinaryAutoencoder(encoder, decoder)


def fast_autoencoder(width: int = 16) -> BinaryAutoencoder:
    """Three stride-2 convolutions straight from the pixels (no full-resolution layer, which
    costs the course's network a quarter of its time), codes standardised over the batch, and a
    decoder that first widens the 48 bits to 8 x width channels at 4x4, where a layer is cheap,
    before upsampling."""
    encoder = nn.Sequential(
        *_conv(1, width, 4, 2, 1),  # 16x16
        *_conv(width, 2 * width, 4, 2, 1),  # 8x8
        *_conv(2 * width, 4 * width, 4, 2, 1),  # 4x4
        nn.Conv2d(4 * width, 3, 3, 1, 1),
        # Each code value is standardised over the batch (no learnt shift), so each bit is +1
        # for about half the digits: no bit can die by taking the same sign for every digit.
        nn.BatchNorm2d(3, affine=False),
    )
    decoder = nn.Sequential(
        *_conv(3, 8 * width, 3, 1, 1),  # 4x4
        *_up(8 * width, 4 * width),  # 8x8
        *_up(4 * width, 2 * width),  # 16x16
        nn.ConvTranspose2d(2 * width, 1, 4, 2, 1),  # 32x32
        nn.Tanh(),
    )
    return BinaryAutoencoder(encoder, decoder)


def build_autoencoder(architecture: str) -> BinaryAutoencoder:
    if architecture == "fast":
        return fast_autoencoder()
    if architecture == "course":
        return course_autoencoder()
    raise ValueError(f"unknown architecture {architecture!r}")
