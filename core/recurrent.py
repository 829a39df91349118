"""The recurrent networks of the sequence labs (written from their equations in
core.standalone.recurrent, which an export ships beside a model.py that uses them), plus the
input checks those labs share and `one_thread`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch

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


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run this thread's maths on one core, then restore the thread count.

    A recurrent step is a dozen tiny operations; split over two threads, each waits for the other
    at every one, and on a busy 2-core server that waiting dominates: 30 training steps of the
    palindrome LSTM took 3 s on one thread and over 60 s on two, and scoring the adder at 20
    lengths 0.2 s against 29 s. The setting is per thread, so the rest of the server keeps its
    threads. Also usable as a decorator."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


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
