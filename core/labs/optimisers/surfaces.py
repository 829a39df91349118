"""Three 2-D loss surfaces that show what an optimiser does, each with its gradient written out.

- a ravine: a valley 20 times steeper across than along, where plain SGD zig-zags from wall to
  wall while crawling down the floor;
- Rosenbrock's banana valley, divided by 100 (the same curved valley, with slopes that suit the
  same learning rates as the other two): easy to fall into, long to follow to its minimum at (1, 1);
- a saddle: downhill on both sides of a ridge, flat on it; a path starting just off the ridge
  escapes slowly where the gradient is tiny.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Surface:
    """A loss f(x, y), its gradient, the box it is drawn in and where paths start by default."""

    name: str
    title: str
    formula: str  # LaTeX
    loss: Callable[[Array, Array], Array]
    gradient: Callable[[Array, Array], tuple[Array, Array]]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    lesson: str

    @property
    def lowest(self) -> float:
        return float(min(self.loss(np.array(x), np.array(y)) for x, y in self.minima))

    def contains(self, x: float, y: float) -> bool:
        return self.x_range[0] <= x <= self.x_range[1] and self.y_range[0] <= y <= self.y_range[1]

    @property
    def box(self) -> str:
        """The drawn box in words, for messages."""
        (left, right), (low, high) = self.x_range, self.y_range
        return f"x from {left:g} to {right:g}, y from {low:g} to {high:g}"


# A ravine: f = x²/20 + y². Along x the slope is gentle (curvature 0.1), across it steep (2).
def ravine_loss(x: Array, y: Array) -> Array:
    return x * x / 20 + y * y


def ravine_gradient(x: Array, y: Array) -> tuple[Array, Array]:
    return x / 10, 2 * y


# Rosenbrock / 100: f = ((1 − x)² + 100 (y − x²)²) / 100, minimum 0 at (1, 1).
def rosenbrock_loss(x: Array, y: Array) -> Array:
    return ((1 - x) ** 2 + 100 * (y - x * x) ** 2) / 100


def rosenbrock_gradient(x: Array, y: Array) -> tuple[Array, Array]:
    valley = y - x * x
    return (-2 * (1 - x) - 400 * x * valley) / 100, 2 * valley


# A saddle: f = x²/2 + y⁴/4 − y²/2. Across the ridge y = 0 the loss falls to two minima at
# y = ±1; along it, towards the saddle point (0, 0), it falls too.
def saddle_loss(x: Array, y: Array) -> Array:
    return x * x / 2 + y**4 / 4 - y * y / 2


def saddle_gradient(x: Array, y: Array) -> tuple[Array, Array]:
    return x, y**3 - y


SURFACES = {
    "ravine": Surface(
        "ravine",
        "Ravine",
        r"f(x, y) = x^2/20 + y^2",
        ravine_loss,
        ravine_gradient,
        (-6.0, 6.0),
        (-3.0, 3.0),
        (-5.5, 2.0),
        ((0.0, 0.0),),
        "20 times steeper across than along: plain SGD bounces between the walls and crawls along "
        "the floor; momentum builds speed along it, the adaptive ones scale each direction.",
    ),
    "rosenbrock": Surface(
        "rosenbrock",
        "Rosenbrock's valley",
        r"f(x, y) = \left[(1 - x)^2 + 100\,(y - x^2)^2\right] / 100",
        rosenbrock_loss,
        rosenbrock_gradient,
        (-2.0, 2.0),
        (-1.0, 3.0),
        (-1.5, 2.5),
        ((1.0, 1.0),),
        "A curved valley, quick to fall into and slow to follow: the floor's slope is tiny, so "
        "the paths differ in how far along it they get towards the minimum at (1, 1).",
    ),
    "saddle": Surface(
        "saddle",
        "Saddle",
        r"f(x, y) = x^2/2 + y^4/4 - y^2/2",
        saddle_loss,
        saddle_gradient,
        (-2.0, 2.0),
        (-2.0, 2.0),
        (-1.8, 0.001),
        ((0.0, -1.0), (0.0, 1.0)),
        "A start just off the ridge: the gradient across it is tiny near the saddle point (0, 0), "
        "so plain SGD lingers there; a start exactly on the ridge (y = 0) never leaves it.",
    ),
}
