"""A training's events folded into series that a chart can draw, for any front end."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.events import EpochEnd, Event, Progress, Samples, Status


@dataclass
class TrainingHistory:
    """Per-step and per-epoch metric series, the latest samples and the latest status.

    Fronts feed it every event they read from a job (`add`) and draw from it; it holds plain
    lists so it is cheap to keep in a session and to redraw from on every refresh.
    """

    steps: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # name -> (epoch, value)
    epochs: dict[str, list[tuple[int, float]]] = field(default_factory=dict)  # name -> (epoch, value)
    samples: Samples | None = None
    status: Status | None = None
    step: int = 0
    total_steps: int = 0
    marks: list[tuple[int, int, float | None]] = field(default_factory=list)  # epoch, step, seconds

    def add(self, event: Event) -> None:
        if isinstance(event, Progress):
            self.step, self.total_steps = event.step, event.total_steps
            for name, value in event.metrics.items():
                self.steps.setdefault(name, []).append((event.epoch, value))
        elif isinstance(event, EpochEnd):
            self.marks.append((event.epoch, event.step, event.seconds))
            for name, value in event.metrics.items():
                self.epochs.setdefault(name, []).append((event.epoch, value))
        elif isinstance(event, Samples):
            self.samples = event
        elif isinstance(event, Status):
            self.status = event

    def extend(self, events: list[Event]) -> None:
        for event in events:
            self.add(event)

    @property
    def fraction_done(self) -> float:
        return self.step / self.total_steps if self.total_steps else 0.0

    def latest(self, name: str) -> float | None:
        series = self.epochs.get(name) or self.steps.get(name)
        return series[-1][1] if series else None
