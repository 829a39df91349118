"""The network the optimisers train: the course's MNIST MLP (Lab Work 3; core.standalone.course_mlp),
one copy per optimiser.

Every copy starts from the very same weights (`same_start`), so the curves differ only by the
update rule: the course built a fresh, differently initialised network for each optimiser (its
saved `initial_state` was never loaded), which mixed the optimiser's effect with the luck of the
draw. The copies live in one `OptimiserCopies` module dict, so a checkpoint holds them all, each
under its optimiser's name (`adam.hidden.0.weight`).
"""

from __future__ import annotations

import copy
from typing import Any

from torch import nn

from core.standalone.course_mlp import CourseMLP


class OptimiserCopies(nn.ModuleDict):
    """One copy of the network per optimiser, by the optimiser's name (its state-dict prefix)."""


def same_start(names: list[str], classes: int = 10) -> OptimiserCopies:
    """One network initialised once (from torch's seeded generator) and copied for each
    optimiser: every copy starts from identical weights."""
    first = CourseMLP(classes=classes)
    return OptimiserCopies({name: copy.deepcopy(first) for name in names})


def build_copies(config: dict[str, Any]) -> OptimiserCopies:
    """The copies a checkpoint's config names (their weights come from the checkpoint)."""
    classes = len(config.get("classes", range(10)))
    return OptimiserCopies({name: CourseMLP(classes=classes) for name in config["optimisers"]})
