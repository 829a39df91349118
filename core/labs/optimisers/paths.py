"""Each optimiser's path on a 2-D surface: the loop a student reads, and the figures.

The loop is gradient descent stripped to its bones: at the current point ask the surface for its
gradient, let the optimiser turn it into a step, move. A path that runs off to infinity (a
learning rate too large for the surface's steepest slope) is stopped and said so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from core import charts
from core.labs.optimisers.spec import OPTIMISER_NAMES
from core.labs.optimisers.surfaces import Surface
from core.labs.optimisers.updates import Rates, plane_optimiser

# A point this many box widths outside the drawn box has diverged: it never comes back.
DIVERGED_BOXES = 50
SLIDER_POSITIONS = 50  # the step slider's stops: enough to watch, few enough to send quickly
GRID = 91  # contour resolution per side


@dataclass
class Path:
    """One optimiser's points (steps + 1, 2) and the loss at each; `diverged_at` is the step at
    which it ran off (its points stop there), None if it did not."""

    name: str
    points: np.ndarray
    losses: np.ndarray
    diverged_at: int | None = None

    @property
    def final(self) -> np.ndarray:
        return self.points[-1]


def descend(surface: Surface, name: str, rates: Rates, start: tuple[float, float], steps: int) -> Path:
    """`steps` steps of optimiser `name` on `surface` from `start`."""
    optimiser = plane_optimiser(name, rates)
    width = max(surface.x_range[1] - surface.x_range[0], surface.y_range[1] - surface.y_range[0])
    limit = DIVERGED_BOXES * width
    theta = [float(start[0]), float(start[1])]
    points = [theta]
    diverged_at = None
    for step in range(1, steps + 1):
        try:
            theta = optimiser.step(theta, list(surface.gradient(*theta)))
        except OverflowError:  # a float beyond range: it ran off long ago
            theta = [math.inf, math.inf]
        # A NaN fails every comparison, so this also stops a path that became NaN.
        if not (abs(theta[0]) < limit and abs(theta[1]) < limit):
            diverged_at = step
            break
        points.append(theta)
    array = np.array(points)
    return Path(name, array, surface.loss(array[:, 0], array[:, 1]), diverged_at)


def descend_all(
    surface: Surface, names: list[str], rates: Rates, start: tuple[float, float], steps: int
) -> list[Path]:
    return [descend(surface, name, rates, start, steps) for name in names]


NEAR = 0.01  # a path this close to a minimum has reached it


def steps_to_reach(path: Path, surface: Surface) -> int | None:
    """The first step at which the path is within NEAR of a minimum, or None."""
    minima = np.array(surface.minima)
    distances = np.linalg.norm(path.points[:, None, :] - minima[None, :, :], axis=2).min(axis=1)
    close = np.flatnonzero(distances <= NEAR)
    return int(close[0]) if close.size else None


def summary_rows(paths: list[Path], surface: Surface) -> list[dict]:
    rows = []
    for path in paths:
        reached = steps_to_reach(path, surface)
        x, y = path.final
        rows.append(
            {
                "optimiser": OPTIMISER_NAMES[path.name],
                "final x": round(float(x), 4),
                "final y": round(float(y), 4),
                "final loss": float(f"{path.losses[-1]:.4g}"),
                "steps to the minimum": reached,
                "what happened": outcome(path, surface, reached),
            }
        )
    return rows


def outcome(path: Path, surface: Surface, reached: int | None) -> str:
    if path.diverged_at is not None:
        return f"diverged at step {path.diverged_at}: the learning rate is too large here"
    x, y = path.final
    if not surface.contains(x, y):
        return "ended off the plot"
    if reached is not None:
        return f"within {NEAR} of a minimum from step {reached}"
    return "still on its way"


# --- figures -------------------------------------------------------------------------------


def log_contours(surface: Surface) -> go.Contour:
    """The loss over the box as filled contours on a log scale (lines near the minimum matter as
    much as the walls), rounded to 3 decimals: half the bytes to send, the same picture. Lists,
    not arrays, so that the API's JSON holds numbers rather than plotly's base64 blocks."""
    xs = np.linspace(*surface.x_range, GRID)
    ys = np.linspace(*surface.y_range, GRID)
    height = surface.loss(xs[None, :], ys[:, None]) - surface.lowest
    z = np.round(np.log10(height + 1e-3), 3).tolist()
    return go.Contour(
        x=np.round(xs, 4).tolist(),
        y=np.round(ys, 4).tolist(),
        z=z,
        colorscale="Greys",
        reversescale=True,
        ncontours=25,
        showscale=False,
        hoverinfo="skip",
        line=dict(width=0.5),
        opacity=0.55,
        name="loss (log scale)",
    )


def slider_stops(steps: int) -> list[int]:
    every = max(1, int(np.ceil(steps / SLIDER_POSITIONS)))
    return sorted({*range(0, steps + 1, every), steps})


def paths_figure(surface: Surface, paths: list[Path], steps: int) -> go.Figure:
    """The paths over the loss contours, with a slider that moves a marker along each path to
    the step it shows (a restyle, not frames: both fronts' plotly keep it)."""
    fig = go.Figure(log_contours(surface))
    colours = dict(zip(OPTIMISER_NAMES, charts.CLASS_COLOURS, strict=False))
    for path in paths:
        label = OPTIMISER_NAMES[path.name]
        fig.add_scatter(
            x=np.round(path.points[:, 0], 4).tolist(),
            y=np.round(path.points[:, 1], 4).tolist(),
            customdata=[f"{loss:.4g}" for loss in path.losses],
            mode="lines+markers",
            name=label,
            legendgroup=path.name,
            line=dict(color=colours[path.name], width=2),
            marker=dict(size=3),
            hovertemplate=f"{label}<br>step %{{pointNumber}}<br>(%{{x}}, %{{y}})<br>"
            "loss %{customdata}<extra></extra>",
        )
    markers = []
    for path in paths:
        markers.append(len(fig.data))
        x, y = path.points[-1]
        fig.add_scatter(
            x=[round(float(x), 4)],
            y=[round(float(y), 4)],
            mode="markers",
            legendgroup=path.name,
            showlegend=False,
            marker=dict(color=colours[path.name], size=13, line=dict(color="white", width=2)),
            hoverinfo="skip",
        )
    start = paths[0].points[0] if paths else surface.start
    fig.add_scatter(
        x=[start[0]],
        y=[start[1]],
        mode="markers",
        name="start",
        marker=dict(symbol="x", size=11, color="black"),
    )
    for x, y in surface.minima:
        fig.add_scatter(
            x=[x],
            y=[y],
            mode="markers",
            name="minimum",
            marker=dict(symbol="star", size=14, color="gold"),
            showlegend=(x, y) == surface.minima[0],
        )
    fig.update_layout(
        sliders=[step_slider(paths, markers, steps)],
        height=600,
        margin=dict(l=40, r=10, t=110, b=40),  # room for the title above two rows of legend
        title=f"{surface.title}: {steps} steps from ({start[0]:g}, {start[1]:g})",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        xaxis=dict(range=list(surface.x_range), title="x", constrain="domain"),
        yaxis=dict(range=list(surface.y_range), title="y", scaleanchor="x", scaleratio=1),
    )
    return fig


def step_slider(paths: list[Path], markers: list[int], steps: int) -> dict:
    """A slider whose every stop moves each optimiser's marker to its point at that step (a
    diverged path's marker stays at its last point)."""
    stops = []
    for step in slider_stops(steps):
        xs = [[round(float(p.points[min(step, len(p.points) - 1), 0]), 4)] for p in paths]
        ys = [[round(float(p.points[min(step, len(p.points) - 1), 1]), 4)] for p in paths]
        stops.append(dict(method="restyle", label=str(step), args=[{"x": xs, "y": ys}, markers]))
    return dict(
        active=len(stops) - 1,
        currentvalue=dict(prefix="step "),
        pad=dict(t=40),
        steps=stops,
    )


def losses_figure(surface: Surface, paths: list[Path]) -> go.Figure:
    """Each path's loss above the surface's lowest, against the step, on a log scale."""
    fig = go.Figure()
    colours = dict(zip(OPTIMISER_NAMES, charts.CLASS_COLOURS, strict=False))
    floor = 1e-12  # a path that lands exactly on the minimum would fall off a log axis
    for path in paths:
        fig.add_scatter(
            y=[float(f"{value:.4g}") for value in np.maximum(path.losses - surface.lowest, floor)],
            mode="lines",
            name=OPTIMISER_NAMES[path.name],
            line=dict(color=colours[path.name], width=2),
        )
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_layout(
        title="Loss above the lowest, step by step (log scale)",
        xaxis_title="step",
        yaxis_title="loss − lowest loss",
        height=340,
        margin=dict(l=40, r=10, t=50, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return fig
