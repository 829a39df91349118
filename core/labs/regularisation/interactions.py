"""What a student does with the four models: describe a passenger and get each model's survival
probability, pick a held-out passenger, read the train/held-out gap as measured, look at the
weights, and look at the data and its split."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import charts, tables
from core.charts import CLASS_COLOURS
from core.interactions import Interaction, Output
from core.labs.base import TrainedModel
from core.labs.regularisation.passengers import CLASSES, FEATURES, SEXES
from core.labs.regularisation.spec import MODEL_NAMES, MODELS
from core.labs.regularisation.train import (
    NEAR_ZERO,
    PassengerData,
    data_for,
    logistic,
    probabilities,
    weight_values,
)
from core.specs import Param, SpecError
from core.tabular_pages import SPLIT_COLOURS, page_of_rows

COLOURS = dict(zip(MODELS, CLASS_COLOURS, strict=False))
BASELINE = "logistic regression"
SIMILAR_AGE = 5  # training passengers within this many years count as "like this one"


def percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def every_answer(trained: TrainedModel, x: np.ndarray) -> dict[str, np.ndarray]:
    """Each MLP's survival probability for these rows of inputs, and logistic regression's."""
    answers = probabilities(trained.model, x)
    answers[BASELINE] = logistic(trained.config["logistic_regression"], x)
    return answers


def probability_rows(answers: dict[str, np.ndarray], row: int = 0) -> list[dict[str, Any]]:
    return [
        {"model": MODEL_NAMES.get(name, name), "survival probability": round(float(p[row]), 4)}
        for name, p in answers.items()
    ]


def probability_bars(answers: dict[str, np.ndarray], title: str) -> go.Figure:
    names = list(answers)
    figure = go.Figure(
        go.Bar(
            x=[MODEL_NAMES.get(name, name) for name in names],
            y=[float(answers[name][0]) for name in names],
            marker_color=[COLOURS.get(name, "#7f7f7f") for name in names],
            text=[percent(float(answers[name][0])) for name in names],
            textposition="outside",
        )
    )
    figure.add_hline(y=0.5, line=dict(color="grey", dash="dot", width=1))
    figure.update_yaxes(range=[0, 1.1], tickformat=".0%")
    return charts.layout(figure, title, "", "P(survived)", 320)


# --- a passenger from the form -------------------------------------------------------------


def passenger_frame(
    pclass: str, sex: str, age: float, age_known: bool, sibsp: int, parch: int
) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "pclass": pclass,
                "sex": sex,
                "age": float(age) if age_known else math.nan,
                "sibsp": sibsp,
                "parch": parch,
            }
        ]
    )


def like_this_one(data: PassengerData, passenger: pd.Series) -> tuple[int, float | None]:
    """How many training passengers share this one's class and sex and a similar age (or an
    unknown age), and the share of them who survived."""
    rows = data.train_rows
    alike = (rows["pclass"] == passenger["pclass"]) & (rows["sex"] == passenger["sex"])
    if pd.isna(passenger["age"]):
        alike &= rows["age"].isna()
    else:
        alike &= (rows["age"] - passenger["age"]).abs() <= SIMILAR_AGE
    survived = data.y_train[alike.to_numpy()]
    return int(alike.sum()), (float(survived.mean()) if len(survived) else None)


def predict(
    trained: TrainedModel, pclass: str, sex: str, age: float, age_known: bool, sibsp: int, parch: int
) -> dict[str, Any]:
    data = data_for(trained)
    frame = passenger_frame(pclass, sex, age, age_known, sibsp, parch)
    answers = every_answer(trained, data.encoding.features(frame))
    who = f"a {pclass}-class {sex}, " + (f"aged {age:g}" if age_known else "age unknown")
    count, share = like_this_one(data, frame.iloc[0])
    context = (
        f"Of the {count} training passengers of that class and sex "
        + (f"within {SIMILAR_AGE} years of that age" if age_known else "with no recorded age")
        + (f", {percent(share)} survived." if share is not None else ": none, so every model is guessing.")
    )
    said = " · ".join(f"**{MODEL_NAMES[n]}: {percent(float(answers[n][0]))}**" for n in MODELS)
    answer = (
        f"{said} · logistic regression: {percent(float(answers[BASELINE][0]))}\n\n"
        f"Survival probability of {who}, {sibsp} sibling(s)/spouse aboard, {parch} parent(s)/child(ren) "
        f"aboard. {context}"
    )
    return {
        "answer": answer,
        "probabilities": probability_rows(answers),
        "chart": probability_bars(answers, "Each model's survival probability"),
        "inputs": [
            {"input": name, "value": round(float(v), 3)}
            for name, v in zip(FEATURES, data.encoding.features(frame)[0], strict=True)
        ],
    }


# --- a held-out passenger ------------------------------------------------------------------


def describe(row: pd.Series) -> str:
    age = "age unknown" if pd.isna(row["age"]) else f"aged {float(row['age']):g}"
    return (
        f"a {row['pclass']}-class {row['sex']}, {age}, sibsp {int(row['sibsp'])}, parch {int(row['parch'])}"
    )


def heldout_passenger(trained: TrainedModel, index: int) -> dict[str, Any]:
    data = data_for(trained)
    if index >= len(data.y_heldout):
        raise SpecError(f"Held-out passenger: pick a number from 0 to {len(data.y_heldout) - 1}")
    row = data.heldout_rows.iloc[index]
    truth = "survived" if data.y_heldout[index] else "died"
    answers = every_answer(trained, data.x_heldout[index : index + 1])
    rows = probability_rows(answers)
    for line in rows:  # how sure each model was of what really happened
        p = line["survival probability"]
        line["probability of the truth"] = round(p if truth == "survived" else 1 - p, 4)
        line["right"] = "yes" if (p >= 0.5) == (truth == "survived") else "no"
    answer = (
        f"Held-out passenger {index} (row {int(data.heldout_rows.index[index])} of the Titanic table, "
        f"never trained on), {describe(row)}: **{truth}**."
    )
    return {
        "answer": answer,
        "probabilities": rows,
        "chart": probability_bars(answers, f"This passenger {truth}"),
    }


# --- the gap, as measured ------------------------------------------------------------------


def gap(trained: TrainedModel) -> dict[str, Any]:
    """Train and held-out figures of every model as recorded when it was trained, and the gap
    over the epochs."""
    measured = trained.metrics.get("models") or {}
    baselines = trained.metrics.get("baselines") or {}
    rows = []
    for name in MODELS:
        if name in measured:
            f = measured[name]
            rows.append(
                {
                    "model": MODEL_NAMES[name],
                    "train log loss": f["train_log_loss"],
                    "held-out log loss": f["heldout_log_loss"],
                    "gap": f["gap"],
                    "train accuracy": f["train_accuracy"],
                    "held-out accuracy": f["heldout_accuracy"],
                    "near-zero weights": f.get("near_zero"),
                }
            )
    if "logistic_regression" in baselines:
        f = baselines["logistic_regression"]
        rows.append(
            {
                "model": "logistic regression (scikit-learn)",
                "train log loss": f["train_log_loss"],
                "held-out log loss": f["heldout_log_loss"],
                "gap": f["gap"],
                "train accuracy": f["train_accuracy"],
                "held-out accuracy": f["heldout_accuracy"],
                "near-zero weights": None,
            }
        )
    if "majority" in baselines:
        rows.append(
            {
                "model": "everyone died (majority class)",
                "train accuracy": baselines["majority"]["train_accuracy"],
                "held-out accuracy": baselines["majority"]["heldout_accuracy"],
            }
        )
    if not measured:
        return {"note": "This model has no recorded figures.", "table": rows, "curves": gap_curves(trained)}
    return {"note": gap_note(trained.metrics), "table": rows, "curves": gap_curves(trained)}


def gap_note(metrics: dict[str, Any]) -> str:
    """What this model's figures show, in words, from the figures themselves."""
    measured = metrics["models"]
    lines = [
        f"Log loss is the mean of -log P(what happened), on the {metrics.get('train_size', 0):,} "
        f"training and {metrics.get('heldout_size', 0):,} held-out passengers, every model in eval mode "
        "(dropout off, no penalty). The **gap** is held-out minus train: how much better a model does on "
        "passengers it has seen.",
    ]
    for name in MODELS:
        if name in measured:
            lines.append(model_line(MODEL_NAMES[name], measured[name]))
    best, closed = metrics.get("best_regularised"), metrics.get("gap_closed")
    if best in measured and closed is not None:
        lines.append(
            f"\nThe regularised model with the lowest held-out loss, **{MODEL_NAMES[best]}**, closes "
            f"{percent(closed)} of the plain model's gap"
            + (
                " (more than all of it: it does as well on new passengers as on training ones)."
                if closed > 1
                else "."
            )
        )
    elif closed is None:
        lines.append(
            "\nThe plain model shows no gap here: it has not overfitted (train it longer, or wider)."
        )
    return "\n".join(lines)


def model_line(label: str, f: dict[str, float]) -> str:
    return (
        f"- **{label}**: log loss {f['train_log_loss']:.3f} train, {f['heldout_log_loss']:.3f} held "
        f"out, gap **{f['gap']:+.3f}**; accuracy {percent(f['train_accuracy'])} train, "
        f"{percent(f['heldout_accuracy'])} held out."
    )


def gap_curves(trained: TrainedModel) -> go.Figure:
    """Held-out minus train log loss at each epoch's end, per model, as recorded in training."""
    curves = trained.metrics.get("curves") or {}
    figure = go.Figure()
    for name in MODELS:
        series = curves.get(name, {}).get("gap")
        if series:
            figure.add_scatter(
                x=list(range(1, len(series) + 1)),
                y=series,
                mode="lines",
                name=MODEL_NAMES[name],
                line=dict(color=COLOURS[name], width=2),
            )
    figure.add_hline(y=0, line=dict(color="grey", dash="dot", width=1))
    return charts.layout(
        figure, "The gap over the epochs: held-out minus train log loss", "epoch", "gap (nats)"
    )


# --- the weights ---------------------------------------------------------------------------


def weights(trained: TrainedModel, threshold: float) -> dict[str, Any]:
    values = {name: weight_values(trained.model[name]) for name in MODELS}
    reach = max(float(np.quantile(np.abs(v), 0.999)) for v in values.values()) or 1.0
    edges = np.linspace(-reach, reach, 81)
    centres = (edges[:-1] + edges[1:]) / 2
    figure = make_subplots(
        rows=2,
        cols=2,
        shared_xaxes=True,
        subplot_titles=[MODEL_NAMES[n] for n in MODELS],
        vertical_spacing=0.12,
    )
    rows = []
    for position, name in enumerate(MODELS):
        counts, _ = np.histogram(np.clip(values[name], -reach, reach), bins=edges)
        figure.add_bar(
            x=centres,
            y=counts,
            marker_color=COLOURS[name],
            name=MODEL_NAMES[name],
            showlegend=False,
            row=position // 2 + 1,
            col=position % 2 + 1,
        )
        magnitude = np.abs(values[name])
        rows.append(
            {
                "model": MODEL_NAMES[name],
                f"|w| < {threshold:g}": round(float(np.mean(magnitude < threshold)), 4),
                "mean |w|": round(float(magnitude.mean()), 5),
                "largest |w|": round(float(magnitude.max()), 4),
                "weights": int(magnitude.size),
            }
        )
    figure.update_yaxes(type="log", title_text="weights")
    figure.update_layout(
        title=f"Weights of each model (biases left out; log scale; clipped at ±{reach:.2g})",
        height=520,
        margin=dict(l=50, r=10, t=70, b=40),
        bargap=0,
    )
    shares = {row["model"]: row[f"|w| < {threshold:g}"] for row in rows}
    note = (
        f"Share of weights within {threshold:g} of zero: "
        + ", ".join(f"{model} {percent(share)}" for model, share in shares.items())
        + ". L1 pulls every weight towards zero by the same amount whatever its size, so the weights "
        "the data does not need end at (about) zero: with Adam they jitter around it by about the "
        "learning rate rather than sit on it. L2 pulls in proportion to the weight: big ones shrink, "
        "small ones are barely touched, and none is switched off. Dropout leaves the weights' sizes "
        "to the data."
    )
    return {"note": note, "chart": figure, "table": rows}


# --- the data and its split ----------------------------------------------------------------


def data_view(trained: TrainedModel, part: str, start: int) -> dict[str, Any]:
    data = data_for(trained)
    frame = data.table.frame
    parts = data.split.labels()
    rows = page_of_rows(
        frame,
        parts,
        part,
        start,
        lambda _, passenger: {
            "class": passenger["pclass"],
            "sex": passenger["sex"],
            "age": "" if pd.isna(passenger["age"]) else f"{float(passenger['age']):g}",
            "sibsp": int(passenger["sibsp"]),
            "parch": int(passenger["parch"]),
            "survived": passenger["survived"],
        },
    )
    source = data.table.source
    described = data.split.describe(data.table)
    encoding = data.encoding
    card = (
        f"**{source.title}**: {source.origin}. Licence: {source.licence}; loaded through "
        f"{source.reference}. {source.notes[:1].upper() + source.notes[1:]}\n\n"
        f"**Split:** {described['train_size']:,} training and {described['test_size']:,} held-out "
        f"passengers, drawn once with seed {described['split_seed']} and stratified by survival (the "
        "share of survivors is the same in both): every model and the baseline are scored on the same "
        "held-out rows, never trained on.\n\n"
        f"**Inputs** (fitted on the training split only): {', '.join(FEATURES)}. Class one-hot; female 1 "
        f"or 0; an unknown age is filled with the training median ({encoding.age_fill:g}) and flagged; age, "
        f"sibsp (siblings and spouses aboard) and parch (parents and children aboard) standardised."
    )
    figure = go.Figure()
    for name, colour in SPLIT_COLOURS:
        chosen = frame[parts == name]
        groups = chosen.groupby(["pclass", "sex"])["survived"].apply(
            lambda s: float((s == "survived").mean())
        )
        figure.add_bar(
            x=[f"{c} {s}" for c, s in groups.index],
            y=groups.to_numpy(),
            name=f"{name} ({len(chosen):,})",
            marker_color=colour,
        )
    figure.update_yaxes(range=[0, 1], tickformat=".0%")
    charts.layout(figure, "Share who survived, by class and sex, in each split", "", "survived", 320)
    return {"card": card, "survival": figure, "rows": rows}


INTERACTIONS = (
    Interaction(
        "predict",
        "Describe a passenger",
        "Class, sex, age and family aboard: each model's probability that this passenger survived, "
        "with logistic regression's beside them.",
        predict,
        inputs=(
            Param("pclass", "choice", "3rd", "Ticket class.", label="Class", choices=CLASSES),
            Param("sex", "choice", "male", "Sex, as the passenger list records it.", choices=SEXES),
            Param(
                "age",
                "float",
                30.0,
                "Age in years (babies under 1 have fractions).",
                low=0.0,
                high=80.0,
                step=0.5,
            ),
            Param(
                "age_known",
                "bool",
                True,
                "Untick for a passenger whose age was never recorded (263 of 1,309 were not).",
                label="Age known",
            ),
            Param(
                "sibsp",
                "int",
                0,
                "Siblings and spouses aboard.",
                label="Siblings/spouses aboard",
                low=0,
                high=8,
            ),
            Param(
                "parch",
                "int",
                0,
                "Parents and children aboard.",
                label="Parents/children aboard",
                low=0,
                high=9,
            ),
        ),
        outputs=(
            Output("answer", "markdown", "Each model's survival probability"),
            Output("probabilities", "table", "Probabilities", shown=False),
            Output("chart", "plot", "Survival probability by model"),
            Output(
                "inputs", "table", "What the models read", help="The eight numbers the passenger becomes."
            ),
        ),
        example={"pclass": "1st", "sex": "female", "age": 30.0, "sibsp": 1},
    ),
    Interaction(
        "passenger",
        "A held-out passenger",
        "Pick one of the 262 held-out passengers (never trained on): who they were, whether they "
        "survived, and each model's probability.",
        heldout_passenger,
        inputs=(
            Param(
                "index", "int", 0, "Which held-out passenger.", label="Held-out passenger", low=0, high=261
            ),
        ),
        outputs=(
            Output("answer", "markdown", ""),
            Output("probabilities", "table", "Each model's answer"),
            Output("chart", "plot", "Survival probability by model"),
        ),
        example={"index": 7},
    ),
    Interaction(
        "gap",
        "The gap, as measured",
        "Train and held-out log loss and accuracy of every model beside logistic regression, and the "
        "gap between them over the epochs, as recorded when the models were trained.",
        gap,
        outputs=(
            Output("note", "markdown", ""),
            Output("table", "table", "Train and held-out figures"),
            Output(
                "curves",
                "plot",
                "The gap over the epochs",
                help="Above 0: the model does better on passengers it has seen than on new ones.",
            ),
        ),
    ),
    Interaction(
        "weights",
        "Weight histograms",
        "Every weight of each model as a histogram, and the share near zero: L1 switches most of them off.",
        weights,
        inputs=(
            Param(
                "threshold",
                "float",
                NEAR_ZERO,
                "A weight closer to zero than this counts as near zero.",
                label="Near zero means below",
                low=1e-5,
                high=1.0,
                log=True,
            ),
        ),
        outputs=(
            Output("note", "markdown", ""),
            Output("chart", "plot", "Weight histograms"),
            Output("table", "table", "Near-zero weights"),
        ),
        example={"threshold": 0.001},
    ),
    Interaction(
        "data",
        "The data and its split",
        "Where the passengers come from, which rows are for training and which are held out, and "
        "how a passenger becomes the models' inputs.",
        data_view,
        inputs=(*tables.row_inputs(1309),),
        outputs=(
            Output("card", "markdown", "The data"),
            Output("survival", "plot", "Survival in each split"),
            Output("rows", "table", "Rows"),
        ),
        example={"part": "held-out", "start": 10},
    ),
)
