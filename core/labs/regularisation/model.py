"""The regularisation lab's models: one over-sized MLP, built four times.

A passenger arrives as eight numbers (see passengers.py); the MLP maps them through a few wide
fully connected layers to one logit, log(p / (1 - p)) of survival. The four copies have the same
architecture and the same initial weights; they differ only in what stops them memorising:

- plain: nothing;
- l1: its loss adds λ·Σ|w| (see `l1_penalty`);
- l2: its loss adds λ·Σw² (see `l2_penalty`);
- dropout: its hidden units are zeroed at random while it trains (nn.Dropout).
"""

from __future__ import annotations

import torch
from torch import nn

# The four copies, in order. spec.py keeps its own copy (it stays torch-free); a test checks they agree.
MODELS = ("plain", "l1", "l2", "dropout")


class SurvivalMLP(nn.Module):
    """inputs -> [Linear -> ReLU -> Dropout] per hidden layer -> Linear -> one logit."""

    def __init__(self, inputs: int, hidden: tuple[int, ...], dropout: float = 0.0):
        super().__init__()
        layers: list[nn.Module] = []
        width = inputs
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, 1))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, inputs) -> (N,) logits
        return self.layers(x).squeeze(-1)

    def weights(self) -> list[torch.Tensor]:
        """The weight matrices, which the penalties shrink. Biases are left alone: they only
        shift a unit's threshold and cannot make the network more wiggly."""
        return [layer.weight for layer in self.layers if isinstance(layer, nn.Linear)]


def l1_penalty(model: SurvivalMLP) -> torch.Tensor:
    """Σ|w|: its gradient is λ·sign(w), the same pull for a small weight as for a big one, so
    small weights are pulled all the way to (about) zero."""
    return sum(weight.abs().sum() for weight in model.weights())


def l2_penalty(model: SurvivalMLP) -> torch.Tensor:
    """Σw²: its gradient is 2λ·w, a pull in proportion, so big weights shrink most and small
    ones are hardly touched (none reaches zero)."""
    return sum(weight.pow(2).sum() for weight in model.weights())


class RegularisedSet(nn.ModuleDict):
    """The four models trained side by side. Their tensors are saved as `plain.*`, `l1.*`,
    `l2.*` and `dropout.*` in one checkpoint."""

    def __init__(self, inputs: int, hidden: tuple[int, ...], dropout: float):
        first = SurvivalMLP(inputs, hidden)
        models = {"plain": first}
        for name in MODELS[1:]:
            models[name] = SurvivalMLP(inputs, hidden, dropout if name == "dropout" else 0.0)
            models[name].load_state_dict(first.state_dict())  # the same start for all four
        super().__init__(models)

    @torch.no_grad()
    def probabilities(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Each model's survival probability for a batch, in eval mode (dropout off)."""
        was_training = self.training
        self.eval()
        answers = {name: torch.sigmoid(self[name](x)) for name in MODELS}
        self.train(was_training)
        return answers
