"""What the fronts need to draw a lab's settings that is no widget call: a log-scale slider's
stops, a number box's step and the range it says, and the lines that come with the settings (the
bundled models' seed, the course's recipe). The fronts choose their own widgets from these."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from core.specs import Param

SLIDER_MAX_STEPS = 1024  # integer ranges wider than this (seeds) get a number box, not a slider


def fits_slider(param: Param) -> bool:
    """An integer setting whose range is short enough for a slider's steps."""
    bounded = param.low is not None and param.high is not None
    return param.kind == "int" and bounded and param.high - param.low <= SLIDER_MAX_STEPS


def log_options(param: Param, current: Any = None) -> list[float]:
    """1, 2, 3 and 5 times each power of ten within the bounds, plus the default and the value
    the control holds now (a lesson's or a run's may fall between the stops): the stops of a
    log-scale slider. Built from decimal strings so the labels read 0.003, not 0.0030000001."""
    values = {float(param.default)} | ({float(current)} if isinstance(current, int | float) else set())
    for exponent in range(math.floor(math.log10(param.low)), math.ceil(math.log10(param.high)) + 1):
        for mantissa in (1, 2, 3, 5):
            value = float(f"{mantissa}e{exponent}")
            if param.low <= value <= param.high:
                values.add(value)
    return sorted(values)


def number_step(param: Param) -> float:
    """A free float's step: its own, or the default's order of magnitude, so that 1e-4 is not
    shown as 0.00."""
    default = float(param.default)
    return param.step or (10.0 ** math.floor(math.log10(abs(default))) if default else 0.01)


def range_note(param: Param) -> str:
    """ " (low to high)" for a number box's help, or nothing for an open range."""
    if param.low is None or param.high is None:
        return ""
    fmt = ",.0f" if param.kind == "int" else "g"
    return f" ({param.low:{fmt}} to {param.high:{fmt}})"


def seed_note(seed: Param) -> str:
    return f"The bundled models were trained with seed {seed.default}."


def recipe_note(recipe: Mapping[str, Any]) -> str:
    """The course's recipe, to compare with the settings: "The course recipe: epochs 5, ..."."""
    settings = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in recipe.items())
    return f"The course recipe: {settings}."
