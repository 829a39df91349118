"""A UNet, written out plainly, and the same network without its skip connections.

The encoder halves the picture three times (64 -> 32 -> 16 -> 8) while doubling the channels:
it learns *what* is there, but loses *where* to the pixel. The decoder doubles it back. The
skip connections hand each decoder stage the encoder's features of the same resolution
(`torch.cat` below), so the fine detail of where a stroke's edge runs does not have to squeeze
through the 8x8 bottom. `skips=False` builds the same network without them (its decoder
stages take only the upsampled features): what the lab compares.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def double_conv(c_in: int, c_out: int) -> nn.Sequential:
    """Two 3x3 convolutions, each with batch norm and ReLU: UNet's building block."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    def __init__(self, width: int = 8, skips: bool = True):
        super().__init__()
        self.skips = skips
        w = width
        # Encoder: each stage doubles the channels; max-pooling between stages halves the size.
        self.enc1 = double_conv(3, w)  # 64x64
        self.enc2 = double_conv(w, 2 * w)  # 32x32
        self.enc3 = double_conv(2 * w, 4 * w)  # 16x16
        self.bottom = double_conv(4 * w, 8 * w)  # 8x8
        # Decoder: a transposed convolution doubles the size; with skips, the encoder's
        # features of that size are stacked on, so the next block reads twice the channels.
        extra = 1 if skips else 0
        self.up3 = nn.ConvTranspose2d(8 * w, 4 * w, 2, stride=2)
        self.dec3 = double_conv(4 * w * (1 + extra), 4 * w)
        self.up2 = nn.ConvTranspose2d(4 * w, 2 * w, 2, stride=2)
        self.dec2 = double_conv(2 * w * (1 + extra), 2 * w)
        self.up1 = nn.ConvTranspose2d(2 * w, w, 2, stride=2)
        self.dec1 = double_conv(w * (1 + extra), w)
        self.head = nn.Conv2d(w, 1, 1)  # one logit per pixel: object or photo

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) in [0, 1], H and W multiples of 8 -> (N, 1, H, W) logits."""
        e1 = self.enc1(x - 0.5)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        e3 = self.enc3(F.max_pool2d(e2, 2))
        b = self.bottom(F.max_pool2d(e3, 2))
        d3 = self.dec3(self.join(self.up3(b), e3))
        d2 = self.dec2(self.join(self.up2(d3), e2))
        d1 = self.dec1(self.join(self.up1(d2), e1))
        return self.head(d1)

    def join(self, upsampled: torch.Tensor, skipped: torch.Tensor) -> torch.Tensor:
        """The skip connection: the encoder's features beside the decoder's, or nothing."""
        return torch.cat([upsampled, skipped], dim=1) if self.skips else upsampled


def segmentation_loss(logits: torch.Tensor, masks: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per-pixel binary cross-entropy plus the soft Dice loss, and their sum ("loss").

    Objects cover about a tenth of the pixels: cross-entropy alone is content to be a little
    timid about them; Dice, 1 - 2|P n T| / (|P| + |T|), scores the overlap itself."""
    target = masks.float().unsqueeze(1)
    bce = F.binary_cross_entropy_with_logits(logits, target)
    p = logits.sigmoid()
    intersection = (p * target).sum(dim=(1, 2, 3))
    dice = 1 - (2 * intersection + 1) / (p.sum(dim=(1, 2, 3)) + target.sum(dim=(1, 2, 3)) + 1)
    dice = dice.mean()
    return {"loss": bce + dice, "bce": bce, "dice_loss": dice}


MODEL_NAMES = {"unet": "UNet", "no_skips": "UNet without skips"}


def build_models(width: int, compare: bool) -> nn.ModuleDict:
    """The UNet and, when comparing, the same network without skips (same starting seed)."""
    models = nn.ModuleDict({"unet": UNet(width, skips=True)})
    if compare:
        models["no_skips"] = UNet(width, skips=False)
    return models
