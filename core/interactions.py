"""Interactions: what a student does with a trained model, declared once for every front.

An interaction is a pure function of (model, typed inputs) -> named, typed outputs. Its inputs
are `Param`s (the same type as a lab's settings, plus "image" for a drawing or an upload and
"photo" for a colour photo: bundled, uploaded or from a webcam, and "classes" for a student's own
dataset: named classes of a few pictures each), its
outputs `Output`s of a kind both fronts know how to show. From that declaration the generic
builders make a panel in the Streamlit page and in the Gradio tab, a named Gradio API endpoint
(`/<lab>_<interaction>`), a CLI subcommand (`python -m core LAB INTERACTION`) and a generated
test. A lab may still draw a richer panel for one front (see `app_pages/panels/` and
`gradio_tabs/panels/`); the declaration stays the one source of its inputs and outputs.

Output kinds and the values a run returns for them:

| kind      | value                                   | JSON (API, `--json`)                  |
| --------- | --------------------------------------- | ------------------------------------- |
| label     | `Probabilities`                         | prediction, confidence, probabilities |
| image     | (H, W) or (H, W, 3) array in [0, 1]     | PNG data URI                          |
| gallery   | list of (image, caption)                | captions and PNG data URIs            |
| heatmap   | `Heatmap`                               | values with their row/column labels   |
| plot      | a plotly figure built by the lab        | the figure's data                     |
| table     | list of dicts, one per row              | the same                              |
| markdown  | str                                     | the same                              |
| text      | str                                     | the same                              |
| number    | float                                   | the same                              |
| json      | dict or list                            | the same                              |
| file      | `Download`                              | its file name                         |
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.specs import Param, check_values, find_param

DIGIT_HELP = "A handwritten digit: drawn on the pad, or a photo or scan (dark on light or light on dark)."


def digit_input(name: str = "image", label: str = "Digit", help: str = DIGIT_HELP) -> Param:
    """An input of kind "image": a handwritten digit to draw on the pad or upload."""
    return Param(name, "image", None, help, label=label)


# What a page says while a picture input is still empty, by input kind (its answer waits for one).
WAITING = {
    "image": "Draw or upload a picture: the answer appears here.",
    "photo": "Pick, upload or take a photo: the answer appears here.",
    "classes": "Add pictures to your classes (uploads or webcam shots): the answer appears here.",
}

PHOTO_HELP = "A colour photo: one of the bundled photos, your own (png, jpg or webp), or one from the webcam."


def photo_input(
    name: str = "photo", label: str = "Photo", help: str = PHOTO_HELP, default: str = "chelsea"
) -> Param:
    """An input of kind "photo": an (H, W, 3) colour array in [0, 1]; its default is a bundled
    photo's name (core.imaging.BUNDLED_PHOTOS), which is also what the CLI and the fronts offer."""
    return Param(name, "photo", default, help, label=label)


CLASSES_HELP = (
    "Your classes: 2 to 6, each a name and a few pictures (2 to 100 each, uploads or webcam shots, "
    "png, jpg or webp). 'fashion-mnist' stands for a ready-made set for a class without cameras: "
    "8 Fashion-MNIST pictures of each of six garments. On the command line: a folder with one "
    "sub-folder of pictures per class; in the API: the same folders, zipped."
)


def classes_input(name: str = "images", label: str = "Your classes", help: str = CLASSES_HELP) -> Param:
    """An input of kind "classes": 2 to 6 named classes of pictures (core.image_classes), whose
    default "fashion-mnist" is a ready-made set. Streamlit draws a name, an uploader and a webcam
    per class; Gradio a name box and a file box per class; the CLI reads a folder of folders, the
    API a zip of them. Every picture is checked like an upload and stays in the session."""
    return Param(name, "classes", "fashion-mnist", help, label=label)


def heldout_image_index(noun: str) -> Param:
    """Which held-out image, by number, up to the largest split's last (the lab refuses a
    number beyond its own split's, naming the range)."""
    return Param("index", "int", 0, f"Which held-out {noun}.", label=f"Held-out {noun}", low=0, high=59_999)


OUTPUT_KINDS = (
    "label",
    "image",
    "gallery",
    "heatmap",
    "plot",
    "table",
    "markdown",
    "text",
    "number",
    "json",
    "file",
)


@dataclass(frozen=True)
class Output:
    """One named result of an interaction; `size` is the longer side, in pixels, at which the
    fronts show an image (small images are enlarged by whole pixels, so they stay crisp)."""

    name: str
    kind: str
    label: str = ""
    size: int = 280
    columns: int = 8  # gallery: pictures per row
    shown: bool = True  # False: only in the API's and the CLI's answer (a table the page shows otherwise)
    help: str = ""  # one plain line on what the figure means, shown beside it ("-ELBO: ...")

    def __post_init__(self) -> None:
        if self.kind not in OUTPUT_KINDS:
            raise ValueError(f"unknown output kind {self.kind!r}")
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Probabilities:
    """A classifier's answer: one probability per class."""

    classes: tuple[str, ...]
    values: np.ndarray

    @property
    def label(self) -> str:
        return self.classes[int(np.argmax(self.values))]

    @property
    def confidence(self) -> float:
        return float(np.max(self.values))

    def to_dict(self) -> dict[str, Any]:
        return {
            "prediction": self.label,
            "confidence": round(self.confidence, 4),
            "probabilities": {c: round(float(p), 4) for c, p in zip(self.classes, self.values, strict=True)},
        }


@dataclass(frozen=True)
class Heatmap:
    """A matrix to read as colours: rows `y`, columns `x` (labels), one value per cell."""

    values: np.ndarray
    x: tuple[str, ...]
    y: tuple[str, ...]
    title: str = ""
    x_title: str = ""
    y_title: str = ""
    zmin: float | None = None  # fixed ends of the colour scale (weights: 0 and 1)
    zmax: float | None = None
    signed: bool = False  # values around 0: a diverging scale centred on it

    def figure(self, fallback_title: str = ""):
        """The heatmap as both fronts draw it."""
        from core import charts

        return charts.labelled_heatmap(
            self.values,
            self.x,
            self.y,
            self.title or fallback_title,
            x_title=self.x_title,
            y_title=self.y_title,
            zmin=self.zmin,
            zmax=self.zmax,
            signed=self.signed,
        )


@dataclass(frozen=True)
class Download:
    """A file a student can take away."""

    name: str
    data: bytes
    mime: str = "application/octet-stream"


@dataclass(frozen=True)
class Interaction:
    """One thing a student can do with a model. `run(trained, **inputs)` returns a dict with a
    value for each output (an output it leaves out is not shown); it raises one of core's user
    errors (SpecError, ImageInputError, TextInputError, ...) for input it cannot use.

    `example` holds inputs that work, for the generated tests and `--help`; an image input's
    example is a callable that makes the picture. `live` interactions rerun on every change of
    an input (they must be cheap); the others wait for a button.
    """

    name: str
    title: str
    help: str
    run: Callable[..., dict[str, Any]]
    inputs: tuple[Param, ...] = ()
    outputs: tuple[Output, ...] = ()
    example: Mapping[str, Any] = field(default_factory=dict)
    live: bool = True
    needs_model: bool = True

    def input(self, name: str) -> Param:
        return find_param(self.inputs, name, f"{self.title} has no input")

    def example_inputs(self) -> dict[str, Any]:
        return {name: value() if callable(value) else value for name, value in self.example.items()}

    def check(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with `values`, each coerced to its type; SpecError lists every problem."""
        return check_values(self.inputs, values, "input")

    def __call__(self, trained: Any, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Check the inputs and run on one thread (see core.device.one_thread): the outputs by name."""
        from core.device import one_thread  # torch, only once something runs

        inputs = self.check(values or {})
        with one_thread():
            result = self.run(trained, **inputs)
        unknown = set(result) - {output.name for output in self.outputs}
        if unknown:  # a lab's bug, not the student's input
            raise ValueError(f"{self.name} returned undeclared outputs {sorted(unknown)}")
        return result


# --- JSON, for the API and the CLI ----------------------------------------------------------


def png_bytes(image: np.ndarray) -> bytes:
    """An image in [0, 1] (grey or RGB) as PNG bytes, at its own size."""
    from PIL import Image

    pixels = np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)
    buffer = io.BytesIO()
    Image.fromarray((pixels * 255).round().astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def data_uri(image: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as Python numbers and lists, recursively."""
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and not np.isfinite(value):
        return None  # a masked cell: JSON has no NaN
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def output_json(output: Output, value: Any, images: bool = True) -> Any:
    """One output's value as JSON; with `images=False` a picture is only its shape (the CLI
    writes pictures to files instead)."""
    if value is None:
        return None
    kind = output.kind
    if kind == "label":
        return value.to_dict()
    if kind == "image":
        return data_uri(value) if images else {"shape": list(np.shape(value))}
    if kind == "gallery":
        return [
            {"caption": caption, **({"image": data_uri(image)} if images else {})} for image, caption in value
        ]
    if kind == "heatmap":
        return {"x": list(value.x), "y": list(value.y), "values": _plain(np.round(value.values, 4))}
    if kind == "plot":  # a chart's data is data, not pixels: the CLI's JSON keeps it too
        return _plain(value.to_dict()["data"])
    if kind == "file":
        return value.name
    return _plain(value)


def result_json(interaction: Interaction, result: Mapping[str, Any], images: bool = True) -> dict[str, Any]:
    """Every output of a run as JSON, by name (outputs the run left out are absent)."""
    shown = {}
    for output in interaction.outputs:
        if output.name in result:
            value = output_json(output, result[output.name], images)
            if value is not None:
                shown[output.name] = value
    return shown


def describe(interaction: Interaction) -> dict[str, Any]:
    """The declaration as JSON, for `python -m core list --json`."""
    return {
        "name": interaction.name,
        "title": interaction.title,
        "help": interaction.help,
        "needs_model": interaction.needs_model,
        "inputs": {
            p.name: {
                "kind": p.kind,
                "default": None if p.kind == "image" else p.default,
                "low": p.low,
                "high": p.high,
                "choices": list(p.choices),
                "help": p.help,
            }
            for p in interaction.inputs
        },
        "outputs": {o.name: o.kind for o in interaction.outputs},
    }
