"""What a student does with the side-by-side default models: describe a customer and get each
model's probability of default, pick a held-out customer, move the threshold and watch the
confusion matrix, read the scores beside the baselines and the "no one defaults" trap, compare
the PR and ROC curves, and look at the data, its split and what each method trains on."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core import charts, tables
from core.interactions import Interaction, Output
from core.labs.base import TrainedModel
from core.labs.imbalanced.data import CreditData, TrainingSet, training_set
from core.labs.imbalanced.spec import METHOD_NAMES, METHODS
from core.labs.imbalanced.train import (
    BASELINES,
    TARGET_RECALL,
    THRESHOLD,
    classification_figures,
    data_for,
    probabilities,
)
from core.specs import Param, SpecError
from core.tabular_pages import page_of_rows

COLOURS = dict(zip(METHODS, charts.CLASS_COLOURS, strict=False))
CLASSES = ("pays", "defaults")


def percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def trained_methods(trained: TrainedModel) -> list[str]:
    return [m for m in METHODS if m in trained.model]


def customer_frame(balance: float, income: float, student: bool) -> pd.DataFrame:
    return pd.DataFrame({"balance": [balance], "income": [income], "student": ["Yes" if student else "No"]})


def threshold_input(default: float = THRESHOLD) -> Param:
    return Param(
        "threshold",
        "float",
        default,
        "A customer is flagged as a defaulter when the model's probability is at least this.",
        low=0.01,
        high=0.99,
        step=0.01,
    )


# --- a customer from the form --------------------------------------------------------------


def customer(
    trained: TrainedModel, balance: int, income: int, student: bool, threshold: float
) -> dict[str, Any]:
    data = data_for(trained)
    methods = trained_methods(trained)
    x = data.scaling.features(customer_frame(balance, income, student))
    said = {m: float(p[0]) for m, p in probabilities(trained.model, x).items()}
    flagged = [METHOD_NAMES[m] for m in methods if said[m] >= threshold]
    answer = " · ".join(f"**{METHOD_NAMES[m]}: {percent(said[m])}**" for m in methods)
    answer += (
        f"\n\nAt the threshold {threshold:.2f}, "
        + (f"flagged as a defaulter by {', '.join(flagged)}." if flagged else "no model flags this customer.")
        + f" Among the training customers, {percent(float(data.y_train.mean()))} defaulted: a model "
        "trained on rebalanced data says far more than the real chance (see the theory)."
    )
    table = [
        {
            "model": METHOD_NAMES[m],
            "probability of default": round(said[m], 4),
            f"flagged at {threshold:.2f}": "yes" if said[m] >= threshold else "no",
        }
        for m in methods
    ]
    return {
        "answer": answer,
        "probabilities": table,
        "curve": balance_curves(trained, data, income, student, balance),
    }


def balance_curves(
    trained: TrainedModel, data: CreditData, income: float, student: bool, balance: float
) -> go.Figure:
    """Each model's probability of default against the balance, at this income and student
    flag, with the customer's balance marked."""
    balances = np.linspace(0, 3000, 121)
    frame = pd.DataFrame({"balance": balances, "income": income, "student": "Yes" if student else "No"})
    curves = probabilities(trained.model, data.scaling.features(frame))
    figure = go.Figure()
    for m in trained_methods(trained):
        figure.add_scatter(
            x=balances, y=curves[m], mode="lines", name=METHOD_NAMES[m], line=dict(color=COLOURS[m], width=2)
        )
    figure.add_vline(
        x=balance, line=dict(color="black", dash="dot", width=1), annotation_text="this customer"
    )
    figure.update_xaxes(tickprefix="$", tickformat=",.0f")
    figure.update_yaxes(range=[0, 1.02], tickformat=".0%")
    who = "a student" if student else "not a student"
    return charts.layout(
        figure,
        f"Probability of default against balance (income ${income:,.0f}, {who})",
        "balance",
        "probability",
    )


# --- a held-out customer -------------------------------------------------------------------

GROUPS = ("all", "defaulters", "payers")


def heldout_customer(trained: TrainedModel, group: str, index: int) -> dict[str, Any]:
    data = data_for(trained)
    picked = np.arange(len(data.y_heldout))
    if group != "all":
        picked = np.flatnonzero(data.y_heldout == (1 if group == "defaulters" else 0))
    if index >= len(picked):
        raise SpecError(
            f"Held-out customer: there are {len(picked):,} {group}; pick a number from 0 to {len(picked) - 1}"
        )
    position = int(picked[index])
    row = data.heldout_customers.iloc[position]
    truth = int(data.y_heldout[position])
    said = probabilities(trained.model, data.x_heldout[position : position + 1])
    rows = [
        {
            "model": METHOD_NAMES[m],
            "probability of default": round(float(said[m][0]), 4),
            f"flagged at {THRESHOLD}": "yes" if said[m][0] >= THRESHOLD else "no",
            "right at 0.5": "yes" if (said[m][0] >= THRESHOLD) == bool(truth) else "no",
        }
        for m in trained_methods(trained)
    ]
    answer = (
        f"Held-out customer {index} of the {group} (row {int(data.heldout_customers.index[position])} of the "
        f"Default table, never trained on): balance ${row['balance']:,.0f}, income ${row['income']:,.0f}, "
        f"{'a student' if row['student'] == 'Yes' else 'not a student'}; **"
        + ("defaulted" if truth else "paid")
        + "**."
    )
    return {"answer": answer, "probabilities": rows}


# --- the threshold -------------------------------------------------------------------------


def threshold_view(trained: TrainedModel, method: str, threshold: float) -> dict[str, Any]:
    data = data_for(trained)
    methods = trained_methods(trained)
    if method not in methods:
        raise SpecError(
            f"Model: this model was trained without {METHOD_NAMES.get(method, method)}; pick one of "
            f"{', '.join(METHOD_NAMES[m] for m in methods)} (by their names: {', '.join(methods)})"
        )
    p = probabilities(trained.model, data.x_heldout)
    figures = {m: classification_figures(data.y_heldout, p[m], threshold, areas=False) for m in methods}
    chosen = figures[method]
    defaulters, payers = int(data.y_heldout.sum()), int((data.y_heldout == 0).sum())
    answer = (
        f"**{METHOD_NAMES[method]} at {threshold:.2f}**: flags {chosen['tp'] + chosen['fp']:,} of "
        f"{len(data.y_heldout):,} held-out customers and catches "
        f"**{chosen['tp']} of {defaulters} defaulters** "
        f"(recall {chosen['recall']:.2f}); {chosen['tp']} of the flagged really default (precision "
        f"{chosen['precision']:.2f}); {chosen['fp']:,} of {payers:,} payers are flagged wrongly. Accuracy "
        f"{percent(chosen['accuracy'])}: flagging no one would score {percent(payers / len(data.y_heldout))}."
    )
    confusion = np.array([[chosen["tn"], chosen["fp"]], [chosen["fn"], chosen["tp"]]])
    matrix = charts.confusion_heatmap(confusion, CLASSES)
    matrix.update_layout(
        title=f"{METHOD_NAMES[method]}, threshold {threshold:.2f}: held-out customers", height=360
    )
    table = [
        {
            "model": METHOD_NAMES[m],
            **{k: figures[m][k] for k in ("accuracy", "precision", "recall", "f1")},
            "flagged": figures[m]["tp"] + figures[m]["fp"],
            "defaulters caught": figures[m]["tp"],
        }
        for m in methods
    ]
    return {
        "answer": answer,
        "confusion": matrix,
        "sweep": threshold_sweep(data.y_heldout, p[method], threshold, METHOD_NAMES[method]),
        "table": table,
    }


def threshold_sweep(y: np.ndarray, p: np.ndarray, threshold: float, name: str) -> go.Figure:
    """Precision, recall and accuracy of one model at every threshold, this one marked."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, cuts = precision_recall_curve(y, p)
    figure = go.Figure()
    figure.add_scatter(
        x=cuts, y=recall[:-1], mode="lines", name="recall", line=dict(color="#d62728", width=2)
    )
    figure.add_scatter(
        x=cuts, y=precision[:-1], mode="lines", name="precision", line=dict(color="#1f77b4", width=2)
    )
    grid = np.linspace(0.0, 1.0, 101)
    accuracy = [float(((p >= t) == (y == 1)).mean()) for t in grid]
    figure.add_scatter(
        x=grid, y=accuracy, mode="lines", name="accuracy", line=dict(color="grey", width=2, dash="dot")
    )
    figure.add_vline(x=threshold, line=dict(color="black", width=1), annotation_text=f"{threshold:.2f}")
    figure.update_xaxes(range=[0, 1])
    figure.update_yaxes(range=[0, 1.02])
    return charts.layout(figure, f"{name}: the figures at every threshold", "threshold", "", 340)


# --- scores and curves ---------------------------------------------------------------------

SCORE_KEYS = {
    "accuracy": "accuracy",
    "precision": "precision",
    "recall": "recall",
    "f1": "F1",
    "pr_auc": "PR-AUC",
    "roc_auc": "ROC-AUC",
}


def scores(trained: TrainedModel) -> dict[str, Any]:
    """Every model beside the baselines, as recorded when they were trained (threshold 0.5)."""
    heldout, baselines = trained.metrics.get("heldout", {}), trained.metrics.get("baselines", {})
    named = [(METHOD_NAMES[m], heldout.get(m)) for m in METHODS if m in heldout]
    named += [(f"{BASELINES[b]} (scikit-learn)", baselines.get(b)) for b in BASELINES]
    rows = []
    for label, figures in named:
        if not isinstance(figures, dict):
            continue
        row: dict[str, Any] = {"model": label}
        for key, title in SCORE_KEYS.items():
            value = figures.get(key)
            row[title] = round(value, 3) if isinstance(value, int | float) else None
        rows.append(row)
    found = {
        m: heldout[m]
        for m in METHODS
        if isinstance(heldout.get(m), dict) and isinstance(heldout[m].get("recall"), int | float)
    }
    lines = []
    nobody = baselines.get("nobody")
    if isinstance(nobody, dict) and isinstance(nobody.get("accuracy"), int | float):
        lines.append(
            "**The trap:** answering *no one defaults* scores "
            f"**{percent(nobody['accuracy'])} accuracy** and "
            "catches no defaulter (recall 0). Accuracy counts the payers, who are 97% of the customers; "
            "recall, precision and PR-AUC count the defaulters."
        )
    if "plain" in found:
        plain = found["plain"]
        lines.append(
            f"The **plain** model: accuracy {percent(plain['accuracy'])}, but it catches "
            f"{plain['recall']:.0%} of the defaulters at the threshold {THRESHOLD}."
        )
    caught = [m for m, f in found.items() if f["recall"] >= TARGET_RECALL]
    if caught:
        best = max(caught, key=lambda m: (found[m]["precision"], m))
        lines.append(
            f"At least {TARGET_RECALL:.0%} of the held-out defaulters caught (the lab's target) by "
            + ", ".join(
                f"{METHOD_NAMES[m]} (recall {found[m]['recall']:.2f}, precision {found[m]['precision']:.2f})"
                for m in caught
            )
            + f"; the most precise of them, {METHOD_NAMES[best]}, is right about "
            f"{found[best]['precision']:.0%} "
            "of the customers it flags."
        )
    elif found:
        lines.append(
            f"No model here catches {TARGET_RECALL:.0%} of the defaulters at {THRESHOLD}: "
            "try a lower threshold."
        )
    lines.append(
        "PR-AUC and ROC-AUC do not depend on the threshold: models with about the same areas rank the "
        "customers alike, and differ mostly in where 0.5 falls."
    )
    return {"note": "\n\n".join(lines), "table": rows}


def curves(trained: TrainedModel) -> dict[str, Any]:
    """Every model's precision-recall and ROC curves on the held-out customers."""
    from sklearn.metrics import precision_recall_curve, roc_curve

    data = data_for(trained)
    p = probabilities(trained.model, data.x_heldout)
    share = float(data.y_heldout.mean())
    pr, roc = go.Figure(), go.Figure()
    for m in trained_methods(trained):
        figures = classification_figures(data.y_heldout, p[m])
        precision, recall, _ = precision_recall_curve(data.y_heldout, p[m])
        pr.add_scatter(
            x=recall,
            y=precision,
            mode="lines",
            name=f"{METHOD_NAMES[m]} (PR-AUC {figures['pr_auc']:.3f})",
            line=dict(color=COLOURS[m], width=2),
        )
        false, true, _ = roc_curve(data.y_heldout, p[m])
        roc.add_scatter(
            x=false,
            y=true,
            mode="lines",
            name=f"{METHOD_NAMES[m]} (ROC-AUC {figures['roc_auc']:.3f})",
            line=dict(color=COLOURS[m], width=2),
        )
    pr.add_hline(
        y=share, line=dict(color="grey", dash="dot", width=1), annotation_text=f"guessing ({share:.3f})"
    )
    roc.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", name="guessing (0.5)", line=dict(color="grey", dash="dot", width=1)
    )
    for figure in (pr, roc):
        figure.update_xaxes(range=[0, 1])
        figure.update_yaxes(range=[0, 1.02])
    charts.layout(
        pr, "Precision against recall over every threshold", "recall (defaulters caught)", "precision", 420
    )
    charts.layout(
        roc,
        "ROC: defaulters caught against payers flagged",
        "false-positive rate (payers flagged)",
        "recall",
        420,
    )
    note = (
        f"{len(data.y_heldout):,} held-out customers, {int(data.y_heldout.sum())} of them defaulters. "
        "On the ROC curve every model looks excellent, since flagging 100 payers of 1,933 is a small "
        "false-positive rate; the PR curve shows what those 100 do to precision."
    )
    return {"note": note, "pr": pr, "roc": roc}


# --- the data, its split and the training sets ----------------------------------------------

VIEWS = ("split", "under", "over", "smote")


def data_view(trained: TrainedModel, view: str, part: str, start: int) -> dict[str, Any]:
    data = data_for(trained)
    frame = data.table.frame
    parts = data.split.labels()
    dropped = np.zeros(len(frame), dtype=bool)
    dropped[data.split.train[data.removed]] = True
    rows = page_of_rows(
        frame,
        parts,
        part,
        start,
        lambda position, customer: {
            "default": str(customer["default"]),
            "student": str(customer["student"]),
            "balance ($)": round(float(customer["balance"])),
            "income ($)": round(float(customer["income"])),
            "dropped from training": "yes" if dropped[position] else "",
        },
    )
    seed = int(trained.config.get("imbalance", {}).get("seed", 0))
    neighbours = int(trained.config.get("smote_neighbours", 5))
    sets = {}
    for m in METHODS:
        try:
            sets[m] = training_set(m, data.x_train, data.y_train, seed, neighbours)
        except ValueError:  # SMOTE with fewer defaulters than neighbours
            continue
    sizes = []
    for m, chosen in sets.items():
        counts = chosen.counts()
        sizes.append(
            {
                "method": METHOD_NAMES[m],
                "rows": counts["rows"],
                "defaulters": counts["defaulters"],
                "payers": counts["payers"],
                "defaulters (%)": round(100 * counts["defaulters"] / counts["rows"], 1),
                "made up by SMOTE": chosen.synthetic,
                "trained here": "yes" if m in trained.model else "",
            }
        )
    source = data.table.source
    described = data.split.describe(data.table)
    card = (
        f"**{source.title}**: {source.origin}; {source.licence}; loaded through {source.reference}. "
        f"{source.notes}\n\n"
        f"**Split:** {described['train_size']:,} training and {described['test_size']:,} held-out customers, "
        f"drawn once with seed {described['split_seed']}, stratified by default so both parts keep 3.3% "
        f"defaulters ({int(data.y_heldout.sum())} held out). Every model and baseline is scored on the "
        "same held-out rows, never trained on, never resampled. "
        + (
            f"For this model {len(data.removed)} training defaulters were dropped to make the data even "
            f"more imbalanced ({int(data.y_train.sum())} of {len(data.y_train):,} kept customers default, "
            f"{percent(float(data.y_train.mean()))}; marked below). "
            if len(data.removed)
            else ""
        )
        + f"\n\n**Inputs** (fitted on the training split only): {data.scaling.summary()}."
    )
    return {
        "card": card,
        "scatter": scatter_view(data, view, sets, neighbours),
        "sizes": sizes,
        "rows": rows,
    }


def scatter_view(data: CreditData, view: str, sets: dict[str, TrainingSet], neighbours: int) -> go.Figure:
    """The training customers, balance against income, defaulters on top: as they are with the
    held-out ones (split), or as a resampling method hands them to its model."""
    scaling = data.scaling

    def dollars(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x[:, 0] * scaling.balance_std + scaling.balance_mean, x[
            :, 1
        ] * scaling.income_std + scaling.income_mean

    figure = go.Figure()
    if view == "split":
        layers = [
            ("training payers", data.x_train[data.y_train == 0], "#c7c7c7", "circle", 4),
            ("held-out payers", data.x_heldout[data.y_heldout == 0], "#9edae5", "circle", 4),
            ("training defaulters", data.x_train[data.y_train == 1], "#d62728", "circle", 6),
            ("held-out defaulters", data.x_heldout[data.y_heldout == 1], "#ff7f0e", "diamond", 7),
        ]
        title = "Training and held-out customers"
    else:
        chosen = sets.get(view)
        if chosen is None:
            raise SpecError(
                f"View: SMOTE with k = {neighbours} needs more than {neighbours} training defaulters; this "
                f"model kept {int(data.y_train.sum())}"
            )
        real = len(chosen.y) - chosen.synthetic
        x, y = chosen.x[:real], chosen.y[:real]
        layers = [
            ("payers", x[y == 0], "#c7c7c7", "circle", 4),
            ("defaulters", x[y == 1], "#d62728", "circle", 6),
        ]
        if chosen.synthetic:
            layers.append(("synthetic defaulters (SMOTE)", chosen.x[real:], "#9467bd", "x", 5))
        counts = chosen.counts()
        title = (
            f"What {METHOD_NAMES[view]} trains on: {counts['payers']:,} payers, "
            f"{counts['defaulters']:,} defaulters"
        )
        if view == "over":
            title += " (each repeated defaulter drawn once)"
    for name, x, colour, symbol, size in layers:
        balance, income = dollars(x)
        figure.add_scattergl(
            x=balance,
            y=income,
            mode="markers",
            name=f"{name} ({len(x):,})",
            marker=dict(color=colour, symbol=symbol, size=size, opacity=0.7),
        )
    figure.update_xaxes(tickprefix="$", tickformat=",.0f")
    figure.update_yaxes(tickprefix="$", tickformat=",.0f")
    return charts.layout(figure, title, "balance", "income", 440)


INTERACTIONS = (
    Interaction(
        "customer",
        "A customer's chance of default",
        "Describe a customer: every model gives its probability of default, and the curves show how it "
        "grows with the balance.",
        customer,
        inputs=(
            Param(
                "balance",
                "int",
                1500,
                "Average credit-card balance in dollars.",
                label="Balance ($)",
                low=0,
                high=3000,
            ),
            Param("income", "int", 35000, "Annual income in dollars.", label="Income ($)", low=0, high=80000),
            Param("student", "bool", False, "Is the customer a student?"),
            threshold_input(),
        ),
        outputs=(
            Output("answer", "markdown", "Every model's probability of default"),
            Output("probabilities", "table", "Probabilities", shown=False),
            Output(
                "curve",
                "plot",
                "Against the balance",
                help="Each model's probability for this income and student flag, at every balance.",
            ),
        ),
        example={"balance": 1800, "income": 20000, "student": True},
    ),
    Interaction(
        "heldout",
        "A held-out customer",
        "Pick one of the 2,000 held-out customers (never trained on), or one of its 67 defaulters: what "
        "really happened, and every model's probability.",
        heldout_customer,
        inputs=(
            Param("group", "choice", "defaulters", "Which held-out customers to pick from.", choices=GROUPS),
            Param("index", "int", 0, "Which one of them.", label="Held-out customer", low=0, high=1999),
        ),
        outputs=(
            Output("answer", "markdown", ""),
            Output("probabilities", "table", "Every model's probability"),
        ),
        example={"group": "defaulters", "index": 5},
    ),
    Interaction(
        "threshold",
        "Threshold and confusion matrix",
        "Move the threshold: the confusion matrix of the held-out customers, precision, recall and "
        "accuracy follow. Lowering it is itself a remedy for imbalance.",
        threshold_view,
        inputs=(
            Param("method", "choice", "plain", "Whose confusion matrix.", label="Model", choices=METHODS),
            threshold_input(),
        ),
        outputs=(
            Output("answer", "markdown", ""),
            Output(
                "confusion",
                "plot",
                "Confusion matrix",
                help="Rows: what happened; columns: what the model said.",
            ),
            Output("sweep", "plot", "At every threshold"),
            Output("table", "table", "Every model at this threshold"),
        ),
        example={"method": "plain", "threshold": 0.2},
    ),
    Interaction(
        "scores",
        "Scores beside the baselines",
        "Held-out accuracy beside precision, recall, F1, PR-AUC and ROC-AUC of every model, "
        "scikit-learn's logistic regression and gradient boosting, and answering 'no one defaults'.",
        scores,
        outputs=(
            Output("note", "markdown", ""),
            Output("table", "table", "Held-out scores at the threshold 0.5"),
        ),
    ),
    Interaction(
        "curves",
        "PR and ROC curves",
        "Every model's precision-recall and ROC curves on the held-out customers.",
        curves,
        outputs=(
            Output("note", "markdown", ""),
            Output(
                "pr",
                "plot",
                "Precision-recall",
                help="Top right is best; guessing scores the share of defaulters, 0.033.",
            ),
            Output("roc", "plot", "ROC", help="Top left is best; guessing is the diagonal."),
        ),
        live=False,
    ),
    Interaction(
        "data",
        "The data and its split",
        "Where the customers come from, which are for training and which are held out, and what each "
        "resampling method hands its model (SMOTE's synthetic defaulters marked).",
        data_view,
        inputs=(
            Param(
                "view",
                "choice",
                "split",
                "The split, or a method's training set.",
                label="Show",
                choices=VIEWS,
            ),
            *tables.row_inputs(10000),
        ),
        outputs=(
            Output("card", "markdown", "The data"),
            Output("scatter", "plot", "Balance against income"),
            Output("sizes", "table", "What each method trains on"),
            Output("rows", "table", "Rows"),
        ),
        example={"view": "smote", "part": "held-out", "start": 10},
    ),
)
