"""The course's MNIST MLP of Lab Work 3 (its GDVarTester), the network the optimisers and
gradient-descent labs train one copy of per way of training. Torch only: an export ships this
file beside those labs' model.py (core.export), so that their models run outside this app."""

from __future__ import annotations

import torch
from torch import nn

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
PIXELS = 28 * 28


class CourseMLP(nn.Module):
    """784 pixels -> 128 -> 64 -> 10 logits, ReLU between: the course's GDVarTester (its unused
    softmax layer left out: cross-entropy takes the logits)."""

    def __init__(self, hidden: tuple[int, int] = (128, 64), classes: int = 10):
        super().__init__()
        self.hidden = nn.Sequential(
            nn.Linear(PIXELS, hidden[0]), nn.ReLU(), nn.Linear(hidden[0], hidden[1]), nn.ReLU()
        )
        self.out = nn.Linear(hidden[1], classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(N, 28, 28) or (N, 1, 28, 28) pixels in [0, 1] -> (N, classes) logits."""
        pixels = (images.reshape(-1, PIXELS) - MNIST_MEAN) / MNIST_STD
        return self.out(self.hidden(pixels))
