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
classes below instead, line for line the same rules as torch.optim's single-tensor code on two
plain floats: torch.optim spends about 40 µs of bookkeeping per step on a two-number tensor, so
six paths of 500 steps took 200 ms; these take a few. tests/test_optimisers.py runs each class
beside its torch.optim optimiser and checks that the paths agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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


# --- the same rules for a point on a plane (torch.optim's _single_tensor_sgd, _rmsprop, _adam) --
# A point is a list of two floats, and each rule a line per formula over its coordinates: plain
# Python floats, since numpy spends a microsecond on each operation on a two-number array.

Point = list[float]


class SGD:
    """torch.optim.SGD without dampening or weight decay: plain, with momentum, or Nesterov."""

    def __init__(self, lr: float, momentum: float = 0.0, nesterov: bool = False):
        self.lr, self.momentum, self.nesterov = lr, momentum, nesterov
        self.velocity: Point | None = None

    def step(self, theta: Point, grad: Point) -> Point:
        if self.momentum:
            if self.velocity is None:  # torch starts the velocity at the first gradient
                self.velocity = list(grad)
            else:  # b <- mu b + g
                self.velocity = [self.momentum * b + g for b, g in zip(self.velocity, grad, strict=True)]
            if self.nesterov:  # step along g + mu b: where the velocity is about to take it
                grad = [g + self.momentum * b for g, b in zip(grad, self.velocity, strict=True)]
            else:
                grad = self.velocity
        return [t - self.lr * g for t, g in zip(theta, grad, strict=True)]


class RMSProp:
    """torch.optim.RMSprop (not centred, no momentum): each coordinate's step is divided by the
    root of its recent mean square gradient, so steep and flat directions move alike."""

    def __init__(self, lr: float, alpha: float = RMSPROP_ALPHA, eps: float = EPSILON):
        self.lr, self.alpha, self.eps = lr, alpha, eps
        self.square_average = [0.0, 0.0]

    def step(self, theta: Point, grad: Point) -> Point:
        self.square_average = [
            self.alpha * v + (1 - self.alpha) * g * g for v, g in zip(self.square_average, grad, strict=True)
        ]
        return [
            t - self.lr * g / (math.sqrt(v) + self.eps)
            for t, g, v in zip(theta, grad, self.square_average, strict=True)
        ]


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
        self.t, self.average, self.square_average = 0, [0.0, 0.0], [0.0, 0.0]

    def step(self, theta: Point, grad: Point) -> Point:
        self.t += 1
        if self.weight_decay:
            theta = [t * (1 - self.lr * self.weight_decay) for t in theta]
        # m <- m + (1 - beta1)(g - m), torch's lerp; v <- beta2 v + (1 - beta2) g^2
        self.average = [m + (1 - self.beta1) * (g - m) for m, g in zip(self.average, grad, strict=True)]
        self.square_average = [
            self.beta2 * v + (1 - self.beta2) * g * g for v, g in zip(self.square_average, grad, strict=True)
        ]
        # Both averages start at 0, so early on they are too small: divide by 1 - beta^t.
        step_size = self.lr / (1 - self.beta1**self.t)
        root = math.sqrt(1 - self.beta2**self.t)
        return [
            t - step_size * m / (math.sqrt(v) / root + self.eps)
            for t, m, v in zip(theta, self.average, self.square_average, strict=True)
        ]


def plane_optimiser(name: str, rates: Rates) -> SGD | RMSProp | Adam:
    """The plane's twin of `torch_optimiser(name, ...)`, for a point on a 2-D surface."""
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
