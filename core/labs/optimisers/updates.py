"""The six update rules: torch.optim's own for the network, and the same rules spelled out for a
point on a 2-D surface.

Every rule turns the gradient g of step t into a move of the weights θ, with lr the learning
rate. What each one keeps between steps is its whole idea:

- SGD keeps nothing:                θ ← θ − lr·g
- momentum keeps a velocity b:      b ← μ·b + g;                      θ ← θ − lr·b
- Nesterov looks ahead along b:     b ← μ·b + g;                      θ ← θ − lr·(g + μ·b)
- RMSProp keeps the mean square v:  v ← α·v + (1−α)·g²;               θ ← θ − lr·g / (√v + ε)
- Adam keeps both, bias-corrected:  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
                                    θ ← θ − lr·(m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
- AdamW decays the weights apart:   θ ← θ − lr·λ·θ, then Adam's step

The network lab builds torch.optim's optimisers (`torch_optimiser`). The 2-D paths use the
numpy classes below instead, line for line the same rules as torch.optim's single-tensor code:
torch.optim spends about 40 µs of bookkeeping per step on a two-number tensor, so six paths of
500 steps took 200 ms; these take a few. tests/test_optimisers.py runs each class beside its
torch.optim optimiser and checks that the paths agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from core.labs.optimisers.spec import OPTIMISERS, SGD_FAMILY

RMSPROP_ALPHA = 0.99  # torch.optim.RMSprop's default
ADAM_BETAS = (0.9, 0.999)  # torch.optim.Adam's default
EPSILON = 1e-8  # both optimisers' default


@dataclass(frozen=True)
class Rates:
    """The settings the six optimisers take: one rate for the plain-gradient family, one for the
    adaptive ones, the momentum μ and AdamW's weight decay λ."""

    sgd: float
    adaptive: float
    momentum: float = 0.9
    weight_decay: float = 0.01

    def rate(self, name: str) -> float:
        return self.sgd if name in SGD_FAMILY else self.adaptive

    @classmethod
    def from_params(cls, params: dict) -> Rates:
        return cls(
            params["sgd_learning_rate"],
            params["adaptive_learning_rate"],
            params["momentum"],
            params["weight_decay"],
        )


def torch_optimiser(name: str, parameters, rates: Rates) -> torch.optim.Optimizer:
    """torch.optim's optimiser for `name`, with the lab's settings (its defaults otherwise)."""
    lr = rates.rate(name)
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(parameters, lr=lr, momentum=rates.momentum)
    if name == "nesterov":
        # torch refuses Nesterov without momentum; with μ = 0 it is plain SGD anyway.
        return torch.optim.SGD(parameters, lr=lr, momentum=rates.momentum, nesterov=rates.momentum > 0)
    if name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr, alpha=RMSPROP_ALPHA, eps=EPSILON)
    if name == "adam":
        return torch.optim.Adam(parameters, lr=lr, betas=ADAM_BETAS, eps=EPSILON)
    if name == "adamw":
        return torch.optim.AdamW(
            parameters, lr=lr, betas=ADAM_BETAS, eps=EPSILON, weight_decay=rates.weight_decay
        )
    raise ValueError(f"unknown optimiser {name!r}; known: {', '.join(OPTIMISERS)}")


# --- the same rules on a numpy point (torch.optim's _single_tensor_sgd, _rmsprop, _adam) -------


class SGD:
    """torch.optim.SGD without dampening or weight decay: plain, with momentum, or Nesterov."""

    def __init__(self, lr: float, momentum: float = 0.0, nesterov: bool = False):
        self.lr, self.momentum, self.nesterov = lr, momentum, nesterov
        self.velocity: np.ndarray | None = None

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        if self.momentum:
            # torch starts the velocity at the first gradient, then b ← μ·b + g.
            self.velocity = grad.copy() if self.velocity is None else self.momentum * self.velocity + grad
            grad = grad + self.momentum * self.velocity if self.nesterov else self.velocity
        return theta - self.lr * grad


class RMSProp:
    """torch.optim.RMSprop (not centred, no momentum): each coordinate's step is divided by the
    root of its recent mean square gradient, so steep and flat directions move alike."""

    def __init__(self, lr: float, alpha: float = RMSPROP_ALPHA, eps: float = EPSILON):
        self.lr, self.alpha, self.eps = lr, alpha, eps
        self.square_average = 0.0

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.square_average = self.alpha * self.square_average + (1 - self.alpha) * grad * grad
        return theta - self.lr * grad / (np.sqrt(self.square_average) + self.eps)


class Adam:
    """torch.optim.Adam, or AdamW with `weight_decay` (decoupled: the weights shrink by lr·λ of
    themselves before the step, apart from the gradient's averages)."""

    def __init__(
        self,
        lr: float,
        betas: tuple[float, float] = ADAM_BETAS,
        eps: float = EPSILON,
        weight_decay: float = 0.0,
    ):
        self.lr, (self.beta1, self.beta2), self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.t, self.average, self.square_average = 0, 0.0, 0.0

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        if self.weight_decay:
            theta = theta * (1 - self.lr * self.weight_decay)
        self.average = self.average + (1 - self.beta1) * (grad - self.average)  # torch's lerp
        self.square_average = self.beta2 * self.square_average + (1 - self.beta2) * grad * grad
        # Both averages start at 0, so early on they are too small: divide by 1 − βᵗ.
        step_size = self.lr / (1 - self.beta1**self.t)
        denominator = np.sqrt(self.square_average) / math.sqrt(1 - self.beta2**self.t) + self.eps
        return theta - step_size * self.average / denominator


def plane_optimiser(name: str, rates: Rates) -> SGD | RMSProp | Adam:
    """The numpy twin of `torch_optimiser(name, ...)`, for a point on a 2-D surface."""
    lr = rates.rate(name)
    if name == "sgd":
        return SGD(lr)
    if name == "momentum":
        return SGD(lr, rates.momentum)
    if name == "nesterov":
        return SGD(lr, rates.momentum, nesterov=rates.momentum > 0)
    if name == "rmsprop":
        return RMSProp(lr)
    if name == "adam":
        return Adam(lr)
    if name == "adamw":
        return Adam(lr, weight_decay=rates.weight_decay)
    raise ValueError(f"unknown optimiser {name!r}; known: {', '.join(OPTIMISERS)}")
