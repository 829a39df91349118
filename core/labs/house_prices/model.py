"""The house prices lab's models: one MLP, built twice.

A house arrives as a row of standardised numbers and one-hot categories (see features.py); the
MLP maps it through a few fully connected layers to one number, the house's standardised
(log) price. With no hidden layers it is a linear model, the course's code. The two copies,
`mse` and `mae`, have the same architecture and the same initial weights; only the loss they
are trained on differs.
"""

from __future__ import annotations

import torch
from torch import nn


class PriceMLP(nn.Module):
    """inputs -> [Linear -> ReLU -> Dropout] per hidden layer -> Linear -> one price."""

    def __init__(self, inputs: int, hidden: tuple[int, ...] = (256, 128), dropout: float = 0.1):
        super().__init__()
        layers: list[nn.Module] = []
        width = inputs
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, 1))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, inputs) -> (N,)
        return self.layers(x).squeeze(-1)


class PricePair(nn.ModuleDict):
    """The two models trained side by side: `mse` (squared errors) and `mae` (absolute errors).
    Their tensors are saved as `mse.*` and `mae.*` in one checkpoint."""

    def __init__(self, inputs: int, hidden: tuple[int, ...], dropout: float):
        first = PriceMLP(inputs, hidden, dropout)
        second = PriceMLP(inputs, hidden, dropout)
        second.load_state_dict(first.state_dict())  # the same start: only the loss differs
        super().__init__({"mse": first, "mae": second})

    @torch.no_grad()
    def predict(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Each model's (standardised) prediction for a batch, in eval mode."""
        was_training = self.training
        self.eval()
        answers = {name: model(x) for name, model in self.items()}  # mse, then mae
        self.train(was_training)
        return answers
