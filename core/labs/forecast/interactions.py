"""What a student does with the forecasters: forecast from a held-out day, read the error
against the horizon beside the baselines, see the windows on the series, and edit the last days
to see the forecasts move. Pure functions of (models, inputs)."""

from __future__ import annotations

import math
import re
import weakref
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.charts import CLASS_COLOURS
from core.interactions import Interaction, Output
from core.labs.base import TrainedModel
from core.labs.forecast import forecasting as fc
from core.labs.forecast.series import Series, load_series
from core.labs.forecast.spec import CELL_NAMES, CELLS, MAX_HORIZON, MAX_WINDOW, SERIES
from core.labs.forecast.train import ForecastData, data_for, ordered, scores
from core.recurrent import one_thread
from core.specs import Param, SpecError

COLOURS = dict(zip(CELLS, CLASS_COLOURS, strict=False))
BASELINE_STYLE = {
    "last_value": dict(color="#7f7f7f", dash="dot"),
    "seasonal_naive": dict(color="#bcbd22", dash="dash"),
    "autoregression": dict(color="#17becf", dash="dashdot"),
}
TRUTH = dict(color="black", width=2)
MAX_TYPED = 60  # values typed into the what-if box


# --- inputs ------------------------------------------------------------------------------------


def start_input(default: int) -> Param:
    return Param(
        "start",
        "int",
        default,
        "Where the forecast starts, in steps after the held-out years begin (0: their first day or week).",
        label="Start (steps into the held-out years)",
        low=0,
        high=10_000,
    )


HORIZON = Param(
    "horizon", "int", 7, "How many steps ahead to forecast.", label="Horizon", low=1, high=MAX_HORIZON
)
STRATEGY = Param(
    "strategy",
    "choice",
    "recursive",
    "recursive: forecast one step, feed it back, again; direct: the model's several outputs at once "
    "(as many as it was trained for).",
    choices=fc.STRATEGIES,
)


def check_start(data: ForecastData, start: int, horizon: int) -> int:
    """The origin (a position in the series) for `start` steps into the held-out years."""
    series = data.series
    last = series.heldout_size - horizon
    if last < 0:
        raise SpecError(f"the held-out years hold {series.heldout_size} {series.step}s, fewer than {horizon}")
    if not 0 <= start <= last:
        raise SpecError(
            f"a {horizon}-{series.step} forecast must start within the held-out {series.step}s: pick a start "
            f"from 0 to {last} (the held-out years hold {series.heldout_size} {series.step}s)"
        )
    return series.heldout_start + start


def check_strategy(data: ForecastData, strategy: str, horizon: int) -> None:
    if strategy == "direct" and horizon > data.horizon:
        raise SpecError(
            f"these models were trained to forecast {data.horizon} {data.series.step}s at once: pick a "
            f"horizon up to {data.horizon} for direct forecasts, or use recursive"
        )


def model_forecasts(
    trained: TrainedModel, data: ForecastData, windows: np.ndarray, steps: int, strategy: str
):
    """Each cell's forecasts for these windows, in the lab's order."""
    models = trained.model
    return {
        name: fc.forecast(models[name], data.scaling, windows, steps, strategy) for name in ordered(models)
    }


def iso(dates: Any) -> Any:
    """Dates as "1989-06-30" text: plotly reads them as dates, and the API's JSON can hold them."""
    if isinstance(dates, pd.Timestamp):
        return f"{dates:%Y-%m-%d}"
    return [f"{d:%Y-%m-%d}" for d in dates]


def date_text(series: Series, position: int) -> str:
    return f"{series.dates[position]:%d %b %Y}"


def laid_out(figure: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    """A chart's titles, and its legend in rows under the plot: these charts have up to ten
    lines, whose legend above the plot would run into a two-line title."""
    figure.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=460,
        margin=dict(l=40, r=10, t=60, b=40),
        legend=dict(orientation="h", yanchor="top", y=-0.2, x=0),
    )
    return figure


def number(value: float) -> float:
    return round(float(value), 2)


# --- forecast from a held-out day -------------------------------------------------------------------


@one_thread()
def forecast_from(trained: TrainedModel, start: int, horizon: int, strategy: str) -> dict[str, Any]:
    data = data_for(trained)
    series = data.series
    origin = check_start(data, start, horizon)
    check_strategy(data, strategy, horizon)
    origins = np.array([origin])
    window = fc.windows_at(series.values, origins, data.window)
    truth = fc.targets_at(series.values, origins, horizon)[0]
    cells = {name: f[0] for name, f in model_forecasts(trained, data, window, horizon, strategy).items()}
    baselines = {
        name: f[0]
        for name, f in fc.baseline_forecasts(series, origins, window, horizon, data.ar_params).items()
    }
    figure = go.Figure()
    shown = slice(max(0, origin - max(data.window, 3 * horizon)), origin + horizon)
    figure.add_scatter(
        x=iso(series.dates[shown]), y=series.values[shown], mode="lines", name="observed", line=TRUTH
    )
    figure.add_vrect(
        x0=iso(series.dates[origin - data.window]),
        x1=iso(series.dates[origin - 1]),
        fillcolor="#1f77b4",
        opacity=0.08,
        line_width=0,
        annotation_text="window read",
        annotation_position="top left",
    )
    ahead = iso(series.dates[origin : origin + horizon])
    for name, values in cells.items():
        figure.add_scatter(
            x=ahead,
            y=values,
            mode="lines+markers",
            name=CELL_NAMES[name],
            line=dict(color=COLOURS[name], width=2),
        )
    for name, values in baselines.items():
        figure.add_scatter(
            x=ahead, y=values, mode="lines", name=fc.BASELINE_NAMES[name], line=BASELINE_STYLE[name]
        )
    laid_out(
        figure,
        f"{strategy.capitalize()} forecast from {date_text(series, origin)}, {horizon} {series.step}s ahead",
        "date",
        series.unit,
    )
    rows = [
        {
            "model": CELL_NAMES.get(name, fc.BASELINE_NAMES.get(name)),
            f"MAE ({series.unit})": number(np.abs(values - truth).mean()),
        }
        | {f"+{h + 1}": number(v) for h, v in enumerate(values[:7])}
        for name, values in {**cells, **baselines}.items()
    ]
    rows.append(
        {"model": "what happened", f"MAE ({series.unit})": None}
        | {f"+{h + 1}": number(v) for h, v in enumerate(truth[:7])}
    )
    best = min(rows[:-1], key=lambda row: row[f"MAE ({series.unit})"])
    answer = (
        f"From {date_text(series, origin)}: over these {horizon} {series.step}s the closest was "
        f"**{best['model']}** (MAE {best[f'MAE ({series.unit})']} {series.unit}). One forecast is luck; the "
        "Error against horizon tab scores every held-out start."
    )
    return {"answer": answer, "chart": figure, "table": rows}


# --- error against the horizon -------------------------------------------------------------------


# Scores per model object, forgotten with it: a bundled model's are asked for by every student.
_SCORES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cached_scores(trained: TrainedModel) -> dict[str, Any]:
    """Scores of a model over every held-out start, computed once per model."""
    if trained.model not in _SCORES:
        _SCORES[trained.model] = scores(trained.model, data_for(trained))
    return _SCORES[trained.model]


@one_thread()
def error_by_horizon(trained: TrainedModel) -> dict[str, Any]:
    data = data_for(trained)
    series = data.series
    found = cached_scores(trained)
    unit = series.unit
    figure = go.Figure()
    for name in ordered(found["mae_by_horizon"]):
        for strategy, dash in (("recursive", "solid"), ("direct", "dot")):
            values = found["mae_by_horizon"][name][strategy]
            figure.add_scatter(
                x=list(range(1, len(values) + 1)),
                y=values,
                mode="lines+markers",
                name=f"{CELL_NAMES[name]} {strategy}",
                line=dict(color=COLOURS[name], dash=dash, width=2),
            )
    for name, figures in found["baselines"].items():
        values = figures["mae_by_horizon"]
        figure.add_scatter(
            x=list(range(1, len(values) + 1)),
            y=values,
            mode="lines",
            name=fc.BASELINE_NAMES[name],
            line=BASELINE_STYLE[name],
        )
    laid_out(
        figure,
        f"Held-out MAE against the horizon ({found['heldout_size']} forecasts each)",
        f"{series.step}s ahead",
        f"MAE ({unit})",
    )
    steps = found["scored_steps"]
    rows = []
    for name in ordered(found["one_step"]):
        one = found["one_step"][name]
        curve = found["mae_by_horizon"][name]
        rows.append(
            {
                "model": CELL_NAMES[name],
                f"one-step MAE ({unit})": one["mae"],
                f"RMSE ({unit})": one["rmse"],
                "MASE": one["mase"],
                "beats seasonal naive": "yes" if one["mase"] < 1 else "no",
                f"MAE {steps} ahead, recursive": curve["recursive"][-1],
                f"MAE {len(curve['direct'])} ahead, direct": curve["direct"][-1],
            }
        )
    for name, figures in found["baselines"].items():
        rows.append(
            {
                "model": fc.BASELINE_NAMES[name],
                f"one-step MAE ({unit})": figures["mae"],
                f"RMSE ({unit})": figures["rmse"],
                "MASE": figures["mase"],
                "beats seasonal naive": "-"
                if name == "seasonal_naive"
                else ("yes" if figures["mase"] < 1 else "no"),
                f"MAE {steps} ahead, recursive": figures["mae_by_horizon"][-1],
                f"MAE {len(curve['direct'])} ahead, direct": None,
            }
        )
    note = (
        f"Every held-out start from {date_text(series, int(data.origins[0]))} on, {found['heldout_size']} "
        f"forecasts. MAE: the mean absolute error in {unit}, lower is better. MASE: a model's one-step "
        "MAE divided by seasonal naive's on the same forecasts: below 1 beats it. Solid lines: recursive "
        f"forecasts; dotted: direct (the models were trained for {data.horizon} at once)."
    )
    return {"note": note, "chart": figure, "table": rows}


# --- the windows on the series ---------------------------------------------------------------------


def windows_view(_trained: Any, series: str, window: int, horizon: int, position: int) -> dict[str, Any]:
    found = load_series(series)
    if window + horizon > found.heldout_start:
        raise SpecError(
            f"a window of {window} plus a horizon of {horizon} is longer than the {found.heldout_start:,} "
            f"training {found.step}s of this series: make them shorter"
        )
    last = len(found) - horizon
    if not window <= position <= last:
        raise SpecError(
            f"the window's end must leave room for it and the horizon: pick a position "
            f"from {window} to {last}"
        )
    part = "held-out" if position >= found.heldout_start else "training"
    if position < found.heldout_start < position + horizon:
        part = "straddling"
    figure = go.Figure()
    split = found.heldout_start
    figure.add_scatter(
        x=iso(found.dates[:split]),
        y=found.values[:split],
        mode="lines",
        name="training years",
        line=dict(color="#1f77b4", width=1),
    )
    figure.add_scatter(
        x=iso(found.dates[split:]),
        y=found.values[split:],
        mode="lines",
        name="held-out years",
        line=dict(color="#ff7f0e", width=1),
    )
    # The window and its target as thick points over shaded spans: a month is a sliver of ten
    # years, and the points keep it visible.
    for first, last, colour, name in (
        (position - window, position, "#2ca02c", f"window: {window} {found.step}s read"),
        (position, position + horizon, "#d62728", f"target: {horizon} {found.step}s to forecast"),
    ):
        figure.add_vrect(
            x0=iso(found.dates[first]),
            x1=iso(found.dates[last - 1]),
            fillcolor=colour,
            opacity=0.3,
            line_width=0,
        )
        figure.add_scatter(
            x=iso(found.dates[first:last]),
            y=found.values[first:last],
            mode="markers",
            name=name,
            marker=dict(color=colour, size=6),
        )
    laid_out(
        figure,
        f"{found.title}: a window and its target",
        "date",
        found.unit,
    )
    training_windows = len(fc.training_origins(found, window, horizon))
    card = (
        f"**{found.title}**: {found.heldout_start:,} {found.step}s to train on, then "
        f"{found.heldout_size:,} held out, from {date_text(found, found.heldout_start)} on.\n\n"
        f"- Source: {found.source['origin']}; licence: {found.source['licence']}; loaded through "
        f"{found.source['reference']}.\n"
        f"- Cleaning: {found.cleaning}\n"
        f"- Notes: {found.source['notes']}\n"
        f"- This window reads {date_text(found, position - window)} to "
        f"{date_text(found, position - 1)} and its "
        f"target is {date_text(found, position)}"
        + (f" to {date_text(found, position + horizon - 1)}" if horizon > 1 else "")
        + f" ({part} part). Sliding it one {found.step} at a time makes {training_windows:,} training "
        "windows; "
        "the held-out years are never cut into training windows."
    )
    values = found.values[position - window : position + horizon]
    rows = [
        {
            "date": date_text(found, position - window + i),
            "value": number(v),
            "role": "input" if i < window else "target",
        }
        for i, v in enumerate(values)
    ][-(min(window, 14) + horizon) :]
    return {"chart": figure, "card": card, "table": rows}


# --- what if ---------------------------------------------------------------------------------------


def typed_values(text: str) -> list[float]:
    """ "21.5, 19 24" -> [21.5, 19.0, 24.0]; SpecError naming what is not a number."""
    parts = [p for p in re.split(r"[,;\s]+", str(text).strip()) if p]
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise SpecError(
                f"{part!r} is not a number: type values such as 21.5, 19, 24 (separated by commas)"
            ) from None
        if not math.isfinite(value) or abs(value) > 1e4:
            raise SpecError(f"{part!r} is not a usable value: type ordinary numbers such as 21.5")
        values.append(value)
    if len(values) > MAX_TYPED:
        raise SpecError(f"at most {MAX_TYPED} values, got {len(values)}")
    return values


@one_thread()
def what_if(
    trained: TrainedModel, start: int, shift: float, days: int, values: str, horizon: int, strategy: str
) -> dict[str, Any]:
    data = data_for(trained)
    series = data.series
    origin = check_start(data, start, horizon)
    check_strategy(data, strategy, horizon)
    typed = typed_values(values)
    if days > data.window:
        raise SpecError(f"the models read {data.window} {series.step}s: shift at most the last {data.window}")
    if len(typed) > data.window:
        raise SpecError(
            f"the models read {data.window} {series.step}s: type at most {data.window} values, "
            f"got {len(typed)}"
        )
    window = fc.windows_at(series.values, np.array([origin]), data.window)
    edited = window.copy()
    edited[0, -days:] += shift
    if typed:
        edited[0, -len(typed) :] = typed
    before = model_forecasts(trained, data, window, horizon, strategy)
    after = model_forecasts(trained, data, edited, horizon, strategy)
    ar_before = fc.autoregression_forecast(data.ar_params, window, horizon)[0]
    ar_after = fc.autoregression_forecast(data.ar_params, edited, horizon)[0]
    read = iso(series.dates[origin - data.window : origin])
    ahead = iso(series.dates[origin : origin + horizon])
    figure = go.Figure()
    figure.add_scatter(
        x=read, y=window[0], mode="lines", name="window as observed", line=dict(color="grey", width=2)
    )
    figure.add_scatter(
        x=read, y=edited[0], mode="lines+markers", name="window as edited", line=dict(color="black", width=2)
    )
    for name in before:
        colour = COLOURS[name]
        figure.add_scatter(
            x=ahead,
            y=before[name][0],
            mode="lines",
            name=f"{CELL_NAMES[name]} before",
            line=dict(color=colour, dash="dot", width=1),
        )
        figure.add_scatter(
            x=ahead,
            y=after[name][0],
            mode="lines+markers",
            name=f"{CELL_NAMES[name]} after",
            line=dict(color=colour, width=2),
        )
    figure.add_scatter(
        x=ahead, y=ar_after, mode="lines", name="autoregression after", line=BASELINE_STYLE["autoregression"]
    )
    laid_out(
        figure,
        f"What if: the window edited, and each {strategy} forecast before (dotted) and after",
        "date",
        series.unit,
    )
    changed = len(typed) or days  # the values the edit touched, at the window's end
    moved = float(np.mean(edited[0, -changed:] - window[0, -changed:]))
    rows = [
        {
            "model": CELL_NAMES[name],
            f"next {series.step} before": number(before[name][0, 0]),
            f"next {series.step} after": number(after[name][0, 0]),
            f"mean change over {horizon}": number(np.mean(after[name][0] - before[name][0])),
        }
        for name in before
    ]
    rows.append(
        {
            "model": fc.BASELINE_NAMES["autoregression"],
            f"next {series.step} before": number(ar_before[0]),
            f"next {series.step} after": number(ar_after[0]),
            f"mean change over {horizon}": number(np.mean(ar_after - ar_before)),
        }
    )
    edit = (
        f"the last {len(typed)} values replaced by yours"
        if typed
        else f"the last {days} {series.step}s shifted by {shift:+g} {series.unit}"
    )
    summary = (
        f"Window ending {date_text(series, origin - 1)}, {edit}. A model that copies the last value moves "
        f"one-for-one; one that learnt the season pulls back towards it. Mean change of the window's last "
        f"{changed}: {moved:+.2f} {series.unit}."
    )
    return {"summary": summary, "chart": figure, "table": rows}


INTERACTIONS = (
    Interaction(
        "forecast",
        "Forecast",
        "Every cell forecasts from a held-out day, beside the baselines and what really happened.",
        forecast_from,
        inputs=(start_input(180), HORIZON, STRATEGY),
        outputs=(
            Output("answer", "markdown", ""),
            Output(
                "chart",
                "plot",
                "Forecasts and what happened",
                help="The shaded part is the window the models read; black is what was observed.",
            ),
            Output(
                "table",
                "table",
                "Each forecast, step by step",
                help="MAE: the mean absolute error over these steps, lower is better.",
            ),
        ),
        example={"start": 180, "horizon": 7, "strategy": "recursive"},
    ),
    Interaction(
        "horizon",
        "Error against horizon",
        "Every cell's held-out error one to several steps ahead, recursive and direct, beside the baselines.",
        error_by_horizon,
        outputs=(
            Output("note", "markdown", ""),
            Output(
                "chart",
                "plot",
                "Held-out MAE against the horizon",
                help="Lower is better; the error grows as the forecast reaches further.",
            ),
            Output(
                "table",
                "table",
                "Held-out scores",
                help="MASE below 1: better than seasonal naive (the same day a year before).",
            ),
        ),
    ),
    Interaction(
        "windows",
        "Windows on the series",
        "The series, its training and held-out years, and one window with the target after it: slide "
        "it along.",
        windows_view,
        inputs=(
            Param("series", "choice", "melbourne", "Which series.", choices=SERIES),
            Param("window", "int", 30, "Past values the window holds.", low=1, high=MAX_WINDOW * 10),
            Param("horizon", "int", 7, "Values after the window to forecast.", low=1, high=MAX_HORIZON),
            Param(
                "position",
                "int",
                400,
                "Where the window ends: the first target's place in the series.",
                label="Window position",
                low=0,
                high=40_000,
            ),
        ),
        outputs=(
            Output(
                "chart",
                "plot",
                "The window on the series",
                help="Green: what a model reads; red: what it must forecast.",
            ),
            Output("card", "markdown", "The data"),
            Output("table", "table", "The window's values"),
        ),
        example={"series": "melbourne", "window": 30, "horizon": 7, "position": 400},
        needs_model=False,
    ),
    Interaction(
        "what_if",
        "What if",
        "Edit the window's last days (warmer by some degrees, or values you type) and see every "
        "forecast move.",
        what_if,
        inputs=(
            start_input(180),
            Param(
                "shift",
                "float",
                5.0,
                "Added to each of the window's last days (°C for the temperatures, ppm for CO2).",
                low=-30.0,
                high=30.0,
                step=0.5,
            ),
            Param(
                "days",
                "int",
                7,
                "How many of the window's last days to shift.",
                label="Days shifted",
                low=1,
                high=MAX_WINDOW,
            ),
            Param(
                "values",
                "text",
                "",
                "Or type the last values yourself, oldest first (e.g. 35, 38, 41): they replace the "
                "window's end.",
                label="Typed last values",
                lines=1,
            ),
            HORIZON,
            STRATEGY,
        ),
        outputs=(
            Output("summary", "markdown", ""),
            Output(
                "chart",
                "plot",
                "The edited window and the forecasts",
                help="Dotted: the forecast from the window as observed; solid: from your edit.",
            ),
            Output("table", "table", "How far each forecast moved"),
        ),
        example={"start": 180, "shift": 5.0, "days": 7, "values": "", "horizon": 7, "strategy": "recursive"},
    ),
)
