"""What a training streams: small records that every front end knows how to show.

A lab's `train` is a generator of these. The runner forwards them to whoever watches the job
(a Streamlit fragment, a Gradio generator, the CLI's progress bar) and adds its own `Status`
records when a job is queued, started, stopped or fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Progress:
    """One optimisation step done: `metrics` holds this step's train values (and held-out ones
    when they were measured at this step)."""

    step: int
    total_steps: int
    epoch: float  # fractional: 1.5 is half-way through the second epoch
    metrics: dict[str, float]


@dataclass(frozen=True)
class EpochEnd:
    """An epoch finished; `metrics` holds its train averages and the full held-out figures."""

    epoch: int
    step: int
    metrics: dict[str, float]
    seconds: float | None = None  # training time at this epoch's end; the runner stamps it


@dataclass(frozen=True)
class Samples:
    """Pictures to show while training: images in [0, 1], shape (N, H, W) or, in colour,
    (N, H, W, 3), one caption each."""

    step: int
    images: np.ndarray
    captions: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True)
class Trained:
    """The last event of a lab's training: the model, how to rebuild it, and its held-out
    metrics."""

    model: Any  # torch.nn.Module
    config: dict[str, Any]
    metrics: dict[str, Any]


@dataclass(frozen=True)
class Status:
    """Added by the runner: the job's state changed (queued, running, finished, stopped, failed)."""

    state: str
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)


Event = Progress | EpochEnd | Samples | Trained | Status
