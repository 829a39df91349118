"""The network that overfits: a one-hidden-layer MLP on 28x28 digits.

With 500 training digits and 100,000 weights it can learn every training digit by heart, and it
does within a few dozen epochs: the training loss keeps falling while the validation loss turns
up. That turn is what early stopping watches for. No dropout: nothing random happens inside the
model, so a resumed training repeats an uninterrupted one exactly.
"""

from __future__ import annotations

import torch
from torch import nn

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
PIXELS = 28 * 28


class DigitMLP(nn.Module):
    """784 pixels -> `hidden` ReLU units -> 10 logits."""

    def __init__(self, hidden: int = 128, classes: int = 10):
        super().__init__()
        self.hidden = nn.Linear(PIXELS, hidden)
        self.out = nn.Linear(hidden, classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(N, 28, 28) or (N, 1, 28, 28) pixels in [0, 1] -> (N, classes) logits."""
        pixels = (images.reshape(-1, PIXELS) - MNIST_MEAN) / MNIST_STD
        return self.out(torch.relu(self.hidden(pixels)))
