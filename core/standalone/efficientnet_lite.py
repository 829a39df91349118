"""EfficientNet-Lite0 (Tan & Le, 2019; Google's Lite variant) in plain PyTorch, with timm's
names for every weight (`tf_efficientnet_lite0`), so that its state dict loads as it is. An
export ships this file where a lab's model builds on ImageNet's EfficientNet-Lite0, so that
predict.py needs no timm: the trunk's weights then travel in the export.

    picture (3, S, S) in [-1, 1] -> stem (3x3 stride 2) -> 7 stages of blocks -> 1x1 head
    convolution to 1280 channels

A block is an inverted residual: a 1x1 convolution widening the channels 6 times, a depthwise
k x k convolution (one filter per channel), a 1x1 convolution narrowing them, and the input added
back when the shape allows. The Lite models drop squeeze-and-excitation and use ReLU6. Being a
port of a TensorFlow model, a strided convolution pads as TensorFlow's "SAME" does: the missing
pixels mostly on the bottom and right (`same_padding`).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

# Stage by stage: (kind, blocks, kernel, first stride, expansion, channels out). "ds" is the
# depthwise-separable block (no widening), "ir" the inverted residual.
STAGES = (
    ("ds", 1, 3, 1, 1, 16),
    ("ir", 2, 3, 2, 6, 24),
    ("ir", 2, 5, 2, 6, 40),
    ("ir", 3, 3, 2, 6, 80),
    ("ir", 3, 5, 1, 6, 112),
    ("ir", 4, 5, 2, 6, 192),
    ("ir", 1, 3, 1, 6, 320),
)
STEM, HEAD = 32, 1280
BN_EPS = 1e-3  # TensorFlow's batch norm epsilon, which the weights were trained with


def same_padding(x: torch.Tensor, kernel: int, stride: int) -> torch.Tensor:
    """TensorFlow's "SAME" padding for a strided convolution: the output is ceil(size / stride)
    pixels, and an odd number of missing pixels puts the extra one on the bottom and right."""
    height, width = x.shape[-2:]
    pad_h = max((math.ceil(height / stride) - 1) * stride + kernel - height, 0)
    pad_w = max((math.ceil(width / stride) - 1) * stride + kernel - width, 0)
    return F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])


class Conv(nn.Conv2d):
    """A convolution without bias, padded as TensorFlow's "SAME" (static when stride is 1)."""

    def __init__(self, inputs: int, outputs: int, kernel: int, stride: int = 1, groups: int = 1):
        super().__init__(
            inputs,
            outputs,
            kernel,
            stride,
            padding=0 if stride > 1 else kernel // 2,
            groups=groups,
            bias=False,
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride[0] > 1:
            x = same_padding(x, self.kernel_size[0], self.stride[0])
        return super().forward(x)


def norm(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS)


class DepthwiseSeparable(nn.Module):
    """Depthwise k x k conv, BN, ReLU6, then a 1x1 conv and BN (the first stage's block)."""

    def __init__(self, inputs: int, outputs: int, kernel: int, stride: int):
        super().__init__()
        self.conv_dw, self.bn1 = Conv(inputs, inputs, kernel, stride, groups=inputs), norm(inputs)
        self.conv_pw, self.bn2 = Conv(inputs, outputs, 1), norm(outputs)
        self.skip = stride == 1 and inputs == outputs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn2(self.conv_pw(F.relu6(self.bn1(self.conv_dw(x)))))
        return x + out if self.skip else out


class InvertedResidual(nn.Module):
    """1x1 conv widening `expansion` times, BN, ReLU6; depthwise k x k conv, BN, ReLU6; 1x1 conv
    narrowing, BN; plus the input where the shape is unchanged."""

    def __init__(self, inputs: int, outputs: int, kernel: int, stride: int, expansion: int):
        super().__init__()
        wide = inputs * expansion
        self.conv_pw, self.bn1 = Conv(inputs, wide, 1), norm(wide)
        self.conv_dw, self.bn2 = Conv(wide, wide, kernel, stride, groups=wide), norm(wide)
        self.conv_pwl, self.bn3 = Conv(wide, outputs, 1), norm(outputs)
        self.skip = stride == 1 and inputs == outputs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu6(self.bn1(self.conv_pw(x)))
        out = F.relu6(self.bn2(self.conv_dw(out)))
        out = self.bn3(self.conv_pwl(out))
        return x + out if self.skip else out


class BatchNormReLU6(nn.BatchNorm2d):
    """A batch norm followed by ReLU6, under the batch norm's own names (timm's BatchNormAct2d):
    the stem's and the head's, which a lab's model uses as one layer."""

    def __init__(self, channels: int):
        super().__init__(channels, eps=BN_EPS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu6(super().forward(x))


class EfficientNetLite0(nn.Module):
    """The network up to its 1280-channel head convolution (no ImageNet classifier): the parts
    a lab builds on, named as timm names them (conv_stem, bn1, blocks.S.B..., conv_head, bn2)."""

    def __init__(self):
        super().__init__()
        self.conv_stem, self.bn1 = Conv(3, STEM, 3, stride=2), BatchNormReLU6(STEM)
        stages, channels = [], STEM
        for kind, count, kernel, stride, expansion, outputs in STAGES:
            blocks = []
            for i in range(count):
                step = stride if i == 0 else 1
                if kind == "ds":
                    blocks.append(DepthwiseSeparable(channels, outputs, kernel, step))
                else:
                    blocks.append(InvertedResidual(channels, outputs, kernel, step, expansion))
                channels = outputs
            stages.append(nn.Sequential(*blocks))
        self.blocks = nn.Sequential(*stages)
        self.conv_head, self.bn2 = Conv(channels, HEAD, 1), BatchNormReLU6(HEAD)
