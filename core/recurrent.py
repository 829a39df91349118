"""The recurrent networks of the sequence labs (written from their equations in
core.standalone.recurrent, which an export ships beside a model.py that uses them), plus the
input checks those labs share and `one_thread`.
"""

from __future__ import annotations

from typing import Any

from core.device import one_thread  # noqa: F401  (re-exported: the labs import it from here)
from core.specs import SpecError, read_temperature
from core.standalone.recurrent import (  # noqa: F401  (re-exported: the labs import them from here)
    GATES,
    RNN_INITS,
    GatedLSTM,
    Recording,
    VanillaRNN,
    build_recurrent,
)

TEMPERATURE_RANGE = (0.05, 20.0)  # beyond these a softmax is one-hot or uniform to many digits


class SequenceInputError(SpecError):
    """Text typed into a sequence lab is not a valid input (a digit string, a binary number)."""


def check_temperature(value: Any) -> tuple[float, str]:
    """A softmax or sigmoid temperature, clamped into TEMPERATURE_RANGE, and a note saying so
    when it was ("" otherwise). Zero means "as sure as possible", so it becomes the lowest
    temperature rather than an error; negative, NaN or non-numbers are refused."""
    temperature = read_temperature(
        value,
        SequenceInputError,
        "the temperature must be a number, got {!r}",
        "the temperature must be 0 or more, got {!r}",
    )
    low, high = TEMPERATURE_RANGE
    clamped = min(max(temperature, low), high)
    if clamped == temperature:
        return temperature, ""
    return clamped, f"temperature {temperature:g} was clamped to {clamped:g} (allowed: {low:g} to {high:g})"
