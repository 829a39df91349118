"""The imbalanced data lab's models: one small MLP, built once per method.

A customer arrives as three numbers: standardised balance, standardised income and the student
flag (0 or 1). The MLP maps them through a few fully connected layers to one logit z, and
p = sigmoid(z) is the probability of default. With no hidden layers it is logistic regression.
Every method gets its own copy with the same architecture and the same initial weights; only
what it is trained on (or how its loss is weighted) differs.
"""

from __future__ import annotations

import torch
from torch import nn

INPUTS = 3  # balance, income, student


class DefaultMLP(nn.Module):
    """inputs -> [Linear -> ReLU] per hidden layer -> Linear -> one logit."""

    def __init__(self, hidden: tuple[int, ...] = (32, 16), inputs: int = INPUTS):
        super().__init__()
        layers: list[nn.Module] = []
        width = inputs
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU()]
            width = size
        layers.append(nn.Linear(width, 1))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, inputs) -> (N,) logits
        return self.layers(x).squeeze(-1)


class DefaultModels(nn.ModuleDict):
    """The models trained side by side, one per method ("plain", "weights", ...). Their tensors
    are saved as `plain.*`, `weights.*` and so on in one checkpoint."""

    def __init__(self, methods: list[str], hidden: tuple[int, ...]):
        first = DefaultMLP(hidden)
        models = {}
        for method in methods:
            model = DefaultMLP(hidden)
            model.load_state_dict(first.state_dict())  # the same start: only the method differs
            models[method] = model
        super().__init__(models)

    @torch.no_grad()
    def probabilities(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Each model's probability of default for a batch, in eval mode."""
        was_training = self.training
        self.eval()
        answers = {method: torch.sigmoid(model(x)) for method, model in self.items()}
        self.train(was_training)
        return answers
