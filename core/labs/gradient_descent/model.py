"""The network every way trains: the course's MNIST MLP (Lab Work 3's GDVarTester), the one the
optimisers lab uses, one copy per way, all from the same initial weights."""

from __future__ import annotations

import copy
from typing import Any

from torch import nn

from core.standalone.course_mlp import CourseMLP


class MethodCopies(nn.ModuleDict):
    """One copy of the network per way of training, by name (its state-dict prefix)."""


def same_start(methods: list[str], classes: int = 10) -> MethodCopies:
    """One network initialised once (from torch's seeded generator), copied for each way."""
    first = CourseMLP(classes=classes)
    return MethodCopies({method: copy.deepcopy(first) for method in methods})


def build_copies(config: dict[str, Any]) -> MethodCopies:
    classes = len(config.get("classes", range(10)))
    return MethodCopies({method: CourseMLP(classes=classes) for method in config["methods"]})
