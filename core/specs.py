"""Lab specs: everything a front end needs to draw a lab's controls and check its input.

A lab is data, not a page: its spec names it, places it in the catalogue, explains the theory
and lists its hyperparameters with types, ranges and defaults. Streamlit, Gradio and the CLI
all build their controls from these specs and all validate through `LabSpec.validate`, so a
value that one front accepts is accepted by every other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KINDS = ("int", "float", "choice", "bool", "multichoice", "text", "image", "photo", "classes")
IMAGE_DATASETS = ("mnist", "fashion-mnist")  # the 28x28 image sets core.data reads


def _number_text(value: float) -> str:
    """2147483647 as it is, not 2.14748e+09; 1e-05 and 0.5 as %g writes them."""
    return f"{int(value)}" if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


class SpecError(ValueError):
    """A hyperparameter value is unknown, of the wrong type or out of range."""


@dataclass(frozen=True)
class Param:
    """One hyperparameter: its type, range, default and a line of help for the UI."""

    name: str
    # "int", "float", "choice", "bool", "multichoice" (several choices), "text", or, for an
    # interaction's input, "image": a grey picture in [0, 1], ink bright, drawn or uploaded;
    # "photo": a colour photo, (H, W, 3) in [0, 1], bundled (its name), uploaded or from a webcam;
    # "classes": 2 to 6 named classes of a few colour pictures each (core.image_classes).
    kind: str
    default: Any
    help: str
    label: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    log: bool = False  # draw as a log-scale slider (learning rates)
    step: float | None = None
    # For "text": returns the cleaned text or raises SpecError saying what is wrong with it (a
    # list of sentences that is empty, say); it must not import torch (see core.catalogue).
    check: Callable[[str], str] | None = None
    # For "image": where it may come from, "draw" (a pad), "upload" (a file), or both.
    sources: tuple[str, ...] = ("draw", "upload")
    # For "text": lines of the box (1: a single line, where Enter answers).
    lines: int = 6

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}")
        if self.kind == "choice" and self.default not in self.choices:
            raise ValueError(f"default {self.default!r} of {self.name} is not a choice")
        if self.kind == "multichoice" and not set(self.default) <= set(self.choices):
            raise ValueError(f"default {self.default!r} of {self.name} is not a subset of the choices")
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " ").capitalize())
        if self.kind not in ("image", "photo", "classes"):
            self.coerce(self.default)  # a spec with a bad default fails at import

    # The settings many labs share, declared once (`Param.epochs(4, 30)`).

    @classmethod
    def epochs(cls, default: int, high: int, help: str = "Passes over the training set.") -> Param:
        """How many passes (or rounds) a lab trains for: at least one, at most `high`."""
        return cls("epochs", "int", default, help, low=1, high=high)

    @classmethod
    def batch_size(
        cls, default: int, help: str = "Images per optimisation step.", low: int = 8, high: int = 1024
    ) -> Param:
        """Examples per optimisation step."""
        return cls("batch_size", "int", default, help, low=low, high=high)

    @classmethod
    def dataset(cls, help: str = "Handwritten digits, or Fashion-MNIST clothing.") -> Param:
        """Which 28x28 image set an image lab learns from (core.data reads both)."""
        return cls("dataset", "choice", "mnist", help, choices=IMAGE_DATASETS)

    @classmethod
    def schedule(cls, choices: tuple[str, ...], help: str) -> Param:
        """How the learning rate moves over a training; the first of `choices` is the default."""
        return cls("schedule", "choice", choices[0], help, choices=choices)

    @classmethod
    def one_cycle(cls, note: str = "") -> Param:
        """The one-cycle schedule or a constant rate; `note` ends the help (" (the course)")."""
        return cls.schedule(
            ("one-cycle", "constant"),
            f"one-cycle: warm up then anneal the learning rate; constant: keep it fixed{note}.",
        )

    @classmethod
    def cosine(cls) -> Param:
        """A cosine schedule with a short warm-up (core.training.learning_rate_at), or constant."""
        return cls.schedule(
            ("cosine", "constant"),
            "cosine: short warm-up, then decay to zero by the end (of the epochs, or of a time "
            "or step limit if one comes first); constant: keep it fixed.",
        )

    @classmethod
    def share(
        cls, name: str, default: float, help: str, high: float = 1.0, step: float = 0.05, label: str = ""
    ) -> Param:
        """A share of something (units dropped, steps teacher-forced, the training before a
        change), from 0 to `high`, moved in `step`s."""
        return cls(name, "float", default, help, label=label, low=0.0, high=high, step=step)

    def coerce(self, value: Any) -> Any:
        """Return `value` as this parameter's type, or raise SpecError saying why not."""
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise SpecError(f"{self.label}: expected true or false, got {value!r}")
        if self.kind == "choice":
            text = str(value).strip()
            if text not in self.choices:
                options = ", ".join(self.choices)
                raise SpecError(f"{self.label}: {text!r} is not one of {options}")
            return text
        if self.kind == "multichoice":
            return self._several(value)
        if self.kind == "image":
            return self._image(value)
        if self.kind == "photo":
            return self._photo(value)
        if self.kind == "classes":
            return self._classes(value)
        if self.kind == "text":
            if not isinstance(value, str):
                raise SpecError(f"{self.label}: expected text, got {value!r}")
            return self.check(value) if self.check else value
        number = self._number(value)
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            raise SpecError(f"{self.label}: {value!r} is out of range {self.span}")
        return number

    @property
    def span(self) -> str:
        """The allowed range as a student reads it: [0, 1], [0, ...), (..., 10]."""
        low = "(..." if self.low is None else f"[{_number_text(self.low)}"
        high = "...)" if self.high is None else f"{_number_text(self.high)}]"
        return f"{low}, {high}"

    def _several(self, value: Any) -> list[str]:
        """A list of choices, in the order the choices are listed: from a list, or from a
        comma-separated string (the CLI's `--set models=rnn,lstm`). At least one is needed."""
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise SpecError(f"{self.label}: expected a list of choices, got {value!r}")
        picked = {str(item).strip() for item in items} - {""}
        unknown = sorted(picked - set(self.choices))
        if unknown:
            options = ", ".join(self.choices)
            raise SpecError(f"{self.label}: {', '.join(map(repr, unknown))} not among {options}")
        if not picked:
            raise SpecError(f"{self.label}: pick at least one of {', '.join(self.choices)}")
        return [choice for choice in self.choices if choice in picked]

    def _image(self, value: Any) -> Any:
        """A 2-D grey array with some ink: what every front makes of a drawing or an upload."""
        import numpy as np  # here: the catalogue imports this module and must start fast

        if value is None:
            raise SpecError(f"{self.label}: draw or upload a picture first")
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise SpecError(f"{self.label}: expected a picture, got {type(value).__name__}") from None
        if array.ndim != 2 or min(array.shape) == 0:
            raise SpecError(f"{self.label}: expected a 2-D grey picture, got shape {array.shape}")
        if not np.isfinite(array).all() or np.abs(array).max() > 255:
            raise SpecError(f"{self.label}: pixels must be numbers from 0 to 1 (or 0 to 255)")
        return array.astype(np.float32)

    def _photo(self, value: Any) -> Any:
        """An (H, W, 3) colour array in [0, 1], from an array or a bundled photo's name."""
        from core.imaging import ImageInputError, to_photo  # here: numpy and PIL start slowly

        try:
            return to_photo(value)
        except ImageInputError as error:
            raise SpecError(f"{self.label}: {error}") from None

    def _classes(self, value: Any) -> Any:
        """Named classes of pictures (core.image_classes.ImageClasses), from any front's form."""
        from core.image_classes import to_classes
        from core.imaging import ImageInputError  # here: numpy and PIL start slowly

        try:
            return to_classes(value)
        except ImageInputError as error:
            raise SpecError(f"{self.label}: {error}") from None

    def _number(self, value: Any) -> int | float:
        if isinstance(value, bool):
            raise SpecError(f"{self.label}: expected a number, got {value!r}")
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float (10**400) is beyond any range
            raise SpecError(f"{self.label}: {value!r} is out of range {self.span}") from None
        except (TypeError, ValueError):
            raise SpecError(f"{self.label}: expected a number, got {value!r}") from None
        if not math.isfinite(number):
            raise SpecError(f"{self.label}: expected a finite number, got {value!r}")
        if self.kind == "int":
            if number != int(number):
                raise SpecError(f"{self.label}: expected a whole number, got {value!r}")
            return int(number)
        return number


@dataclass(frozen=True)
class LabSpec:
    """A lab's identity, place in the catalogue, theory and hyperparameters."""

    id: str
    title: str
    topic: str
    summary: str
    theory: str = ""  # markdown with LaTeX ($...$) for the key equations
    params: tuple[Param, ...] = ()
    status: str = "ready"  # "ready" or "planned"
    icon: str = ""
    order: float = 100.0  # place in the catalogue: topics and labs are listed by it

    @property
    def heading(self) -> str:
        """The title with the lab's icon, as menus and cards show it."""
        return f"{self.icon} {self.title}" if self.icon else self.title

    def param(self, name: str) -> Param:
        return find_param(self.params, name, f"{self.title} has no setting")

    def defaults(self) -> dict[str, Any]:
        return {param.name: param.default for param in self.params}

    def validate(self, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """Defaults overlaid with `values`, each checked; raises SpecError listing every problem."""
        return check_values(self.params, values or {}, "setting")


def find_param(params: Sequence[Param], name: str, missing: str) -> Param:
    """The one of `params` called `name`; SpecError "`missing` 'name'" when none is."""
    for param in params:
        if param.name == name:
            return param
    raise SpecError(f"{missing} {name!r}")


def check_values(params: Sequence[Param], values: Mapping[str, Any], what: str) -> dict[str, Any]:
    """The defaults of `params` overlaid with `values`, each coerced to its type; SpecError
    listing every problem at once, a name none of `params` has as an "unknown {what}". A lab's
    settings and an interaction's inputs are both checked here."""
    unknown = sorted(set(values) - {param.name for param in params})
    problems = [f"unknown {what} {name!r}" for name in unknown]
    checked = {}
    for param in params:
        try:
            checked[param.name] = param.coerce(values.get(param.name, param.default))
        except SpecError as error:
            problems.append(str(error))
    if problems:
        raise SpecError("; ".join(problems))
    return checked


def parse_assignments(pairs: list[str] | None) -> dict[str, str]:
    """Turn CLI `key=value` strings into a dict (values stay strings; the spec coerces them)."""
    values = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SpecError(f"expected key=value, got {pair!r}")
        values[key.strip()] = value.strip()
    return values


# Every lab's last setting: runs are reproducible.
SEED = Param("seed", "int", 0, "Random seed: the same seed gives the same run.", low=0, high=2**31 - 1)


def first_seed() -> int:
    """The seed a student's first training starts from: one of their own, so that pressing Train
    with the defaults does not reproduce the bundled model (seed 0) to the digit. DLL_SEED fixes
    it for everyone (a class that should all see the same run, or the tests)."""
    import os
    import random

    fixed = os.environ.get("DLL_SEED", "").strip()
    return int(fixed) if fixed.isdigit() else random.randrange(1, 10_000)


def learning_rate_param(default: float, help: str, high: float = 1.0) -> Param:
    """A lab's learning rate: from 1e-5 on a log scale, since a linear slider cannot reach the
    useful small rates; `high` is 10 where the help invites a rate that makes the loss blow up."""
    return Param("learning_rate", "float", default, help, low=1e-5, high=high, log=True)


# The same factories by their earlier names (the house prices lab imports these).
epochs_param, batch_size_param = Param.epochs, Param.batch_size
schedule_param, share_param = Param.schedule, Param.share


def read_number(value: Any, error: type[Exception], message: str) -> float:
    """`value` as a float, for a range check to follow: an int too large for a float (10**400)
    becomes the infinity of its sign, beyond any range like any huge value; what is no number
    (text, None, a list) raises `error(message.format(value))` (`message` shows it with {!r})."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
    except (TypeError, ValueError):
        raise error(message.format(value)) from None


def number_rows(value: Any, error: type[Exception], not_numbers: str) -> Any:
    """A vector, or a list of vectors, as a float64 numpy array with a row per vector (a vector
    becomes one row; the caller checks the shape); `error(not_numbers)` for what is not numbers."""
    import numpy as np  # here: the catalogue imports this module and must start fast

    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond float range
        raise error(not_numbers) from None
    return array[None] if array.ndim == 1 else array


def read_temperature(value: Any, error: type[Exception], not_number: str, negative: str) -> float:
    """A sampling or softmax temperature, 0 or more (infinity included, for the caller to clamp);
    `error` with `not_number` or `negative` (each shows the value with {!r}) otherwise."""
    temperature = read_number(value, error, not_number)
    if math.isnan(temperature) or temperature < 0:
        raise error(negative.format(value))
    return temperature


def read_theory(spec_file: str) -> str:
    """The theory.md beside a lab's spec.py: markdown with LaTeX for the key equations."""
    return (Path(spec_file).parent / "theory.md").read_text(encoding="utf-8")
