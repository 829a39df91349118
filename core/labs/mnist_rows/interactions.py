"""What a student does with the row readers: pure functions of (models, input)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from core import charts
from core.imaging import ImageInputError, example_digit, to_mnist_frame
from core.interactions import Interaction, Output, Probabilities, digit_input
from core.labs.base import TrainedModel
from core.labs.mnist_rows.model import ROWS
from core.labs.mnist_rows.spec import MODEL_NAMES, ROW_MODELS
from core.labs.mnist_rows.train import COURSE_ACCURACY, ordered


@dataclass
class RowReading:
    """One reader's answer for one frame, and its hidden state after each row."""

    model: str
    probabilities: Probabilities
    hidden: np.ndarray  # (28, F): rows down, hidden units across (both directions if bidirectional)


@torch.no_grad()
def read_frame(trained: TrainedModel, frame: np.ndarray) -> list[RowReading]:
    """A prepared 28x28 frame in [0, 1] -> every reader's probabilities and hidden states."""
    frame = np.asarray(frame, dtype=np.float32)
    if frame.shape != (ROWS, ROWS):
        raise ImageInputError(f"expected a 28x28 frame, got {frame.shape}")
    inputs = torch.from_numpy(np.ascontiguousarray(frame))[None]
    classes = tuple(trained.config.get("classes", [str(d) for d in range(10)]))
    readings = []
    for name, model in trained.model.items():
        model.eval()
        outputs, summary = model.read(inputs)
        probabilities = F.softmax(model.head(model.norm(summary)), dim=1)[0]
        readings.append(RowReading(name, Probabilities(classes, probabilities.numpy()), outputs[0].numpy()))
    return readings


def answers_markdown(readings: list[RowReading]) -> str:
    rows = "\n".join(
        f"| {MODEL_NAMES[r.model]} | **{r.probabilities.label}** | {r.probabilities.confidence:.0%} |"
        for r in readings
    )
    table = f"| model | reads | sure |\n| --- | --- | --- |\n{rows}"
    if len({r.probabilities.label for r in readings}) > 1:
        table += "\n\nThe models disagree: the ones that read further back usually win on odd strokes."
    return table


def hidden_figure(reading: RowReading) -> Any:
    """The hidden state after each row as a heatmap: red positive, blue negative (rounded to
    3 decimals: a fifth of the bytes to send, the same picture)."""
    directions = " (forward units, then backward)" if reading.model.startswith("bi") else ""
    return charts.matrix_heatmap(
        np.round(reading.hidden.T.astype(np.float64), 3),
        f"{MODEL_NAMES[reading.model]}: hidden state after each row{directions}",
        "row",
        "hidden unit",
        height=360,
    )


def read(trained: TrainedModel, image: np.ndarray) -> dict[str, Any]:
    frame = to_mnist_frame(image)
    readings = read_frame(trained, frame)
    result: dict[str, Any] = {"answers": answers_markdown(readings), "seen": frame}
    for reading in readings:
        result[reading.model] = reading.probabilities
        result[f"{reading.model}_hidden"] = hidden_figure(reading)
    return result


def scores(trained: TrainedModel) -> dict[str, Any]:
    """Each reader's held-out accuracy beside the course's figure, as recorded in training."""
    accuracy = trained.metrics.get("heldout_accuracy", {})
    seconds = trained.metrics.get("model_seconds", {})
    rows = []
    for name in ordered(accuracy):
        course = COURSE_ACCURACY.get(name)
        rows.append(
            {
                "model": MODEL_NAMES[name],
                "held-out accuracy (%)": round(100 * accuracy[name], 2),
                "course (%)": None if course is None else round(100 * course, 2),
                "reaches the course": "-"
                if course is None
                else ("yes" if accuracy[name] >= course else "below"),
                "own training seconds": seconds.get(name),
            }
        )
    note = (
        f"Held-out accuracy on {trained.metrics.get('heldout_size', '?'):,} digits. The course's "
        "figures are for full MNIST on a GPU, with plain readers; it reported no GRU. Own training "
        "seconds: each reader's own steps, what it would take trained alone."
    )
    return {"note": note, "table": rows}


READINGS = tuple(
    output
    for name in ROW_MODELS
    for output in (
        Output(name, "label", MODEL_NAMES[name]),
        Output(f"{name}_hidden", "plot", f"{MODEL_NAMES[name]}: hidden state over the rows"),
    )
)

INTERACTIONS = (
    Interaction(
        "read",
        "Draw or upload a digit",
        "Every reader reads your digit row by row, top to bottom: its answer, and its hidden state "
        "after each of the 28 rows (red positive, blue negative).",
        read,
        inputs=(digit_input(),),
        outputs=(
            Output("answers", "markdown", "Every reader's answer"),
            Output("seen", "image", "The 28 rows they read, top to bottom", size=168),
            *READINGS,
        ),
        example={"image": example_digit},
    ),
    Interaction(
        "scores",
        "Held-out scores",
        "Each reader's held-out accuracy beside the course's figure, and its own training time.",
        scores,
        outputs=(Output("note", "markdown", ""), Output("table", "table", "Held-out accuracy")),
    ),
)
