"""The CycleGAN lab's networks, in one file to read top to bottom.

A CycleGAN is four networks: G_AB turns style A (Noto) into style B (OpenMoji), G_BA turns B back
into A, and two discriminators D_A and D_B tell each style's real pictures from the generators'
fakes. The generator is the course's (and Zhu et al.'s, 2017) ResNet generator: a 7x7
convolution, two stride-2 convolutions down, residual blocks at a quarter of the size, two
transposed convolutions up and a 7x7 convolution to RGB with tanh; instance norm and reflection
padding throughout. The discriminator is the PatchGAN: strided 4x4 convolutions ending in a grid
of logits, each judging one patch of the picture ("real style B here?") rather than the whole.

The course's sizes (64 channels, 9 residual blocks, a 64-channel PatchGAN) are a `width` and a
`blocks` away; the lab's default is the same shape narrower (8 channels, 3 blocks, an 8-channel
PatchGAN), sized so that a 64x64 CycleGAN takes thousands of steps in minutes on two CPU
cores. Pictures are (N, 3, 64, 64) in [-1, 1].
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class ResnetBlock(nn.Module):
    """x + two 3x3 convolutions: the block can only add a correction to what comes in."""

    def __init__(self, dim: int):
        super().__init__()
        self.block = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(dim, dim, 3),
            nn.InstanceNorm2d(dim),
            nn.ReLU(True),
            nn.ReflectionPad2d(1),
            nn.Conv2d(dim, dim, 3),
            nn.InstanceNorm2d(dim),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


def resnet_generator(width: int = 64, blocks: int = 9) -> nn.Sequential:
    """3 x 64 x 64 -> width x 64 x 64 -> 2w x 32 x 32 -> 4w x 16 x 16, `blocks` residual blocks
    there, then back up to 3 x 64 x 64 in [-1, 1]. width=64, blocks=9 is the course's."""
    layers: list[nn.Module] = [
        nn.ReflectionPad2d(3),
        nn.Conv2d(3, width, 7),
        nn.InstanceNorm2d(width),
        nn.ReLU(True),
    ]
    channels = width
    for _ in range(2):  # down: 64 -> 32 -> 16 pixels
        layers += [
            nn.Conv2d(channels, channels * 2, 3, stride=2, padding=1),
            nn.InstanceNorm2d(channels * 2),
            nn.ReLU(True),
        ]
        channels *= 2
    layers += [ResnetBlock(channels) for _ in range(blocks)]
    for _ in range(2):  # up: 16 -> 32 -> 64 pixels
        layers += [
            nn.ConvTranspose2d(channels, channels // 2, 3, stride=2, padding=1, output_padding=1),
            nn.InstanceNorm2d(channels // 2),
            nn.ReLU(True),
        ]
        channels //= 2
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(channels, 3, 7), nn.Tanh()]
    return nn.Sequential(*layers)


class Generator(nn.Module):
    """The ResNet generator, optionally as a change to its input: with `residual`, the picture
    out is the picture in plus what the network adds (clipped to [-1, 1]), and the last
    convolution starts at zero, so the generator starts as the identity. A style change to
    emoji is a small edit (outlines drawn in, shading flattened out), and a generator that
    starts by leaving the picture alone has only the edit to learn, and a round trip that works
    from the first step: on two CPU cores this reaches the lab's target several times sooner."""

    def __init__(self, width: int, blocks: int, residual: bool = False):
        super().__init__()
        self.residual = residual
        self.net = resnet_generator(width, blocks)
        if residual:
            self.net[-1] = nn.Identity()  # no tanh: the change may be any size, the sum is clipped

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.residual:
            return (x + self.net(x)).clamp(-1.0, 1.0)
        return self.net(x)


def patch_discriminator(width: int = 64, layers: int = 3) -> nn.Sequential:
    """The PatchGAN: a 4x4 stride-2 convolution, `layers` more (doubling the channels, instance
    norm, LeakyReLU 0.2), then a 4x4 convolution to one logit per patch. At 64 x 64 with 3
    layers: 32 -> 16 -> 8 -> 4 pixels, then a 3 x 3 grid of verdicts, each seeing a 70 x 70
    window (most of the picture); the course's is width=64, layers=3."""
    modules: list[nn.Module] = [nn.Conv2d(3, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
    channels = width
    for _ in range(layers):
        modules += [
            nn.Conv2d(channels, channels * 2, 4, stride=2, padding=1),
            nn.InstanceNorm2d(channels * 2),
            nn.LeakyReLU(0.2, True),
        ]
        channels *= 2
    modules += [nn.Conv2d(channels, 1, 4, padding=1)]
    return nn.Sequential(*modules)


def init_weights(module: nn.Module) -> None:
    """The course's (and the paper's) initialisation: convolution weights from N(0, 0.02)."""
    for layer in module.modules():
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(layer.weight, 0.0, 0.02)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)


class CycleGAN(nn.Module):
    """The four networks in one module, so one checkpoint holds them all. `forward` translates
    A -> B (what the ONNX file holds); `translate` goes either way."""

    def __init__(
        self, width: int = 8, blocks: int = 3, d_width: int = 8, d_layers: int = 3, residual: bool = True
    ):
        super().__init__()
        self.g_ab = Generator(width, blocks, residual)  # Noto -> OpenMoji
        self.g_ba = Generator(width, blocks, residual)  # OpenMoji -> Noto
        self.d_a = patch_discriminator(d_width, d_layers)  # real Noto or G_BA's fake?
        self.d_b = patch_discriminator(d_width, d_layers)  # real OpenMoji or G_AB's fake?
        init_weights(self)
        if residual:  # the change starts at zero: both generators start as the identity
            for generator in (self.g_ab, self.g_ba):
                last = generator.net[-2]
                nn.init.zeros_(last.weight)
                nn.init.zeros_(last.bias)

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        return self.g_ab(a)

    def generator(self, direction: str) -> nn.Module:
        """G_AB for "ab" (Noto to OpenMoji), G_BA for "ba"."""
        return {"ab": self.g_ab, "ba": self.g_ba}[direction]

    @torch.no_grad()
    def translate(self, pictures: torch.Tensor, direction: str = "ab") -> tuple[torch.Tensor, torch.Tensor]:
        """(translated, back): one way and the round trip, in eval mode, (N, 3, 64, 64) in [-1, 1]."""
        forward = self.generator(direction)
        backward = self.generator(direction[::-1])
        was_training = self.training
        self.eval()
        there = forward(pictures)
        back = backward(there)
        self.train(was_training)
        return there, back


# The sizes of the two architectures a student can pick.
ARCHITECTURES: dict[str, dict[str, int]] = {
    "small": {"width": 8, "blocks": 3, "d_width": 8, "d_layers": 3},
    "course": {"width": 64, "blocks": 9, "d_width": 64, "d_layers": 3},
}


def build_cyclegan(architecture: str, residual: bool = True) -> CycleGAN:
    """An untrained CycleGAN of a named size."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {architecture!r}; choose from {', '.join(ARCHITECTURES)}")
    return CycleGAN(**ARCHITECTURES[architecture], residual=residual)


def cyclegan_from_config(config: dict[str, Any]) -> CycleGAN:
    sizes = {key: int(value) for key, value in config["sizes"].items()}
    return CycleGAN(**sizes, residual=bool(config.get("residual", False)))


# --- pictures in and out ----------------------------------------------------------------------


def to_tensor(pictures: Any) -> torch.Tensor:
    """uint8 (N, 64, 64, 3) -> float (N, 3, 64, 64) in [-1, 1]."""
    return (
        torch.tensor(pictures).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)
    )  # a copy: cached arrays are read-only


def to_pictures(tensor: torch.Tensor) -> Any:
    """float (N, 3, H, W) in [-1, 1] -> numpy (N, H, W, 3) in [0, 1], for the fronts."""
    return tensor.detach().add(1.0).div(2.0).clamp(0.0, 1.0).permute(0, 2, 3, 1).cpu().numpy()
