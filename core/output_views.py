"""An interaction's outputs as both fronts draw them (core.interactions declares them): pictures
enlarged by whole pixels so they stay crisp, charts with titles that fit, a classifier's answer
as scores by class. Each front hands these to its own widgets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from core import charts
from core.interactions import Output, Probabilities


def drawn(output: Output, value: Any) -> Any:
    """A picture as 8-bit pixels at the output's size, a gallery as (picture, caption) pairs,
    a heatmap or a plot as a plotly figure; any other kind's value as it is."""
    if output.kind == "image":
        return charts.picture(value, output.size)
    if output.kind == "gallery":
        return [(charts.picture(image, output.size), caption) for image, caption in value]
    if output.kind == "heatmap":
        return value.figure(output.label)
    if output.kind == "plot":
        return charts.fit_title(value)
    return value


def label_scores(answer: Probabilities) -> dict[str, float]:
    """A classifier's answer as class -> probability."""
    return {name: float(p) for name, p in zip(answer.classes, answer.values, strict=True)}


def gallery_items(
    images: np.ndarray, captions: Sequence[str], scale: int = 4
) -> list[tuple[np.ndarray, str]]:
    """(N, H, W) images in [0, 1] -> gallery entries, enlarged so the pixels stay crisp."""
    return [
        (charts.to_uint8(charts.upscale(image, scale)), caption)
        for image, caption in zip(images, captions, strict=True)
    ]
