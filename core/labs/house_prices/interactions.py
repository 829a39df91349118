"""What a student does with the two price models: describe a house and get both prices, pick a
held-out house, read the residuals and the scores beside the baselines, see what extreme prices
do to each loss, and look at the data and its split."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import charts, tables
from core.charts import CLASS_COLOURS
from core.interactions import Interaction, Output
from core.labs.base import TrainedModel
from core.labs.house_prices.features import TARGET
from core.labs.house_prices.spec import LOSS_NAMES, LOSSES, SPEC
from core.labs.house_prices.train import (
    HouseData,
    data_for,
    extreme_prices,
    predict_dollars,
    regression_figures,
)
from core.specs import Param, SpecError
from core.tabular_pages import SPLIT_COLOURS, page_of_rows

COLOURS = dict(zip(LOSSES, CLASS_COLOURS, strict=False))
CONDITIONS = (
    "Very_Poor",
    "Poor",
    "Fair",
    "Below_Average",
    "Average",
    "Above_Average",
    "Good",
    "Very_Good",
    "Excellent",
)
NEIGHBOURHOODS = (
    "Bloomington_Heights",
    "Blueste",
    "Briardale",
    "Brookside",
    "Clear_Creek",
    "College_Creek",
    "Crawford",
    "Edwards",
    "Gilbert",
    "Green_Hills",
    "Greens",
    "Iowa_DOT_and_Rail_Road",
    "Landmark",
    "Meadow_Village",
    "Mitchell",
    "North_Ames",
    "Northpark_Villa",
    "Northridge",
    "Northridge_Heights",
    "Northwest_Ames",
    "Old_Town",
    "Sawyer",
    "Sawyer_West",
    "Somerset",
    "South_and_West_of_Iowa_State_University",
    "Stone_Brook",
    "Timberland",
    "Veenker",
)
# The columns a student reads about a house, with their names in words.
SHOWN = {
    "Neighborhood": "neighbourhood",
    "Gr_Liv_Area": "living area (sq ft)",
    "House_Style": "style",
    "Overall_Cond": "overall condition",
    "Year_Built": "year built",
    "Year_Remod_Add": "year remodelled",
    "Total_Bsmt_SF": "basement (sq ft)",
    "Garage_Cars": "garage (cars)",
    "Full_Bath": "full bathrooms",
    "Bedroom_AbvGr": "bedrooms",
    "TotRms_AbvGrd": "rooms",
    "Fireplaces": "fireplaces",
    "Lot_Area": "lot (sq ft)",
    "Central_Air": "central air",
    "Bldg_Type": "building type",
    "Sale_Condition": "sale condition",
}


def money(value: float) -> str:
    return f"${value:,.0f}"


def signed(value: float) -> str:
    return f"{'+' if value >= 0 else '-'}${abs(value):,.0f}"


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def describe_house(house: pd.Series) -> list[dict[str, Any]]:
    """The columns a student reads, as text (a table column holds one type)."""
    return [
        {"feature": label, "value": str(_plain(house[name]))}
        for name, label in SHOWN.items()
        if name in house
    ]


# --- a house from the form -----------------------------------------------------------------


def house_from_form(trained: TrainedModel, form: dict[str, Any]) -> pd.Series:
    """A whole house (all 73 columns) from the form's few: a typical training house with the
    form's values, and the columns that go with them kept consistent (floors add up to the
    living area, a house with no garage has no garage type, the location follows the
    neighbourhood)."""
    prep = data_for(trained).prep
    house = dict(prep.typical)
    typical = prep.typical
    area, two = int(form["living_area"]), form["storeys"] == "two"
    built = int(form["year_built"])
    house |= {
        "Gr_Liv_Area": area,
        "First_Flr_SF": round(area * 0.53) if two else area,
        "Second_Flr_SF": area - round(area * 0.53) if two else 0,
        "House_Style": "Two_Story" if two else "One_Story",
        "MS_SubClass": ("Two_Story" if two else "One_Story")
        + (
            "_1945_and_Older"
            if built < 1946
            else ("_1946_and_Newer" if two else "_1946_and_Newer_All_Styles")
        ),
        "Overall_Cond": form["condition"],
        "Year_Built": built,
        "Year_Remod_Add": max(built, int(typical.get("Year_Remod_Add", built))),
        "Neighborhood": form["neighbourhood"],
        "Garage_Cars": int(form["garage_cars"]),
        "Garage_Area": int(form["garage_cars"]) * 240,  # the typical two-car garage is 480 sq ft
        "Total_Bsmt_SF": int(form["basement_area"]),
        "Full_Bath": int(form["full_bathrooms"]),
        "Bedroom_AbvGr": int(form["bedrooms"]),
        "TotRms_AbvGrd": int(form["bedrooms"]) + 3,  # the typical house: 3 bedrooms of 6 rooms
        "Fireplaces": int(form["fireplaces"]),
        "Lot_Area": int(form["lot_area"]),
        "Central_Air": "Y" if form["central_air"] else "N",
    }
    house |= prep.by_neighbourhood.get(form["neighbourhood"], {})
    basement = int(form["basement_area"])
    typical_basement = float(typical.get("Total_Bsmt_SF", 0)) or 1.0
    house["Bsmt_Unf_SF"] = round(
        min(basement, float(typical.get("Bsmt_Unf_SF", 0)) * basement / typical_basement)
    )
    if basement == 0:
        for name in ("Bsmt_Cond", "Bsmt_Exposure", "BsmtFin_Type_1", "BsmtFin_Type_2"):
            house[name] = "No_Basement"
        house |= {"BsmtFin_SF_2": 0, "Bsmt_Full_Bath": 0, "Bsmt_Half_Bath": 0}
    if int(form["garage_cars"]) == 0:
        house |= {"Garage_Type": "No_Garage", "Garage_Finish": "No_Garage", "Garage_Cond": "No_Garage"}
    return pd.Series(house)


def predict(trained: TrainedModel, **form: Any) -> dict[str, Any]:
    data = data_for(trained)
    house = house_from_form(trained, form)
    x = data.prep.features(house.to_frame().T)
    prices = {name: float(value[0]) for name, value in predict_dollars(trained.model, x, data.prep).items()}
    gap = prices["mse"] - prices["mae"]
    answer = (
        f"**{LOSS_NAMES['mse']}: {money(prices['mse'])}** · **{LOSS_NAMES['mae']}: {money(prices['mae'])}** "
        f"(they differ by {money(abs(gap))}, {abs(gap) / max(prices['mae'], 1):.1%})."
    )
    if f"Neighborhood={form['neighbourhood']}" not in data.prep.feature_names:
        answer += (
            f"\n\n*{form['neighbourhood']} had fewer than 10 training houses: the models read it as "
            "one of the rare neighbourhoods, (other).*"
        )
    return {
        "answer": answer,
        "prices": [{"model": LOSS_NAMES[name], "price ($)": round(prices[name])} for name in LOSSES],
        "where": price_context(data, prices),
        "house": describe_house(house),
    }


def price_context(data: HouseData, prices: dict[str, float]) -> go.Figure:
    """The training prices as a histogram, with each model's price for this house on it."""
    figure = go.Figure()
    figure.add_histogram(
        x=data.table.target.to_numpy()[data.split.train],
        nbinsx=60,
        name="training houses",
        marker_color="#bbbbbb",
    )
    for name in LOSSES:
        figure.add_vline(
            x=prices[name],
            line=dict(color=COLOURS[name], width=3, dash="solid" if name == "mse" else "dash"),
            annotation_text=f"{LOSS_NAMES[name]}: {money(prices[name])}",
            annotation_position="top right" if name == "mse" else "top left",
        )
    figure.update_xaxes(tickprefix="$", tickformat=",.0f")
    return charts.layout(figure, "This house among the training prices", "sale price", "houses")


# --- a held-out house ----------------------------------------------------------------------


def heldout_house(trained: TrainedModel, index: int) -> dict[str, Any]:
    data = data_for(trained)
    if index >= len(data.heldout_prices):
        raise SpecError(f"Held-out house: pick a number from 0 to {len(data.heldout_prices) - 1}")
    house = data.heldout_houses.iloc[index]
    truth = float(data.heldout_prices[index])
    prices = predict_dollars(trained.model, data.x_heldout[index : index + 1], data.prep)
    rows = [{"": "true sale price", "price ($)": round(truth), "error ($)": 0, "error (%)": 0.0}]
    for name in LOSSES:
        price = float(prices[name][0])
        rows.append(
            {
                "": LOSS_NAMES[name],
                "price ($)": round(price),
                "error ($)": round(price - truth),
                "error (%)": round(100 * (price - truth) / truth, 1),
            }
        )
    answer = (
        f"Held-out house {index} (row {int(data.heldout_houses.index[index])} of the Ames table, never "
        f"trained on) sold for **{money(truth)}**: the MSE model says {money(rows[1]['price ($)'])}, "
        f"the MAE model {money(rows[2]['price ($)'])}."
    )
    return {"answer": answer, "prices": rows, "house": describe_house(house)}


# --- residuals -----------------------------------------------------------------------------


def heldout_predictions(trained: TrainedModel) -> tuple[HouseData, dict[str, np.ndarray]]:
    data = data_for(trained)
    return data, predict_dollars(trained.model, data.x_heldout, data.prep)


def residuals(trained: TrainedModel) -> dict[str, Any]:
    data, predicted = heldout_predictions(trained)
    truth = data.heldout_prices
    rows = data.heldout_houses.index.to_numpy()
    scatter = go.Figure()
    top = float(max(truth.max(), *(p.max() for p in predicted.values())))
    scatter.add_scatter(
        x=[0, top], y=[0, top], mode="lines", name="perfect", line=dict(color="grey", dash="dot", width=1)
    )
    spread = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=[LOSS_NAMES[n] for n in LOSSES])
    figures = {}
    for column, name in enumerate(LOSSES, start=1):
        figures[name] = regression_figures(truth, predicted[name])
        hover = [
            f"row {r}: sold {money(t)}, said {money(p)}"
            for r, t, p in zip(rows, truth, predicted[name], strict=True)
        ]
        scatter.add_scatter(
            x=truth,
            y=predicted[name],
            mode="markers",
            name=LOSS_NAMES[name],
            marker=dict(color=COLOURS[name], size=5, opacity=0.6),
            text=hover,
            hoverinfo="text",
        )
        spread.add_scatter(
            x=predicted[name],
            y=predicted[name] - truth,
            mode="markers",
            name=LOSS_NAMES[name],
            marker=dict(color=COLOURS[name], size=5, opacity=0.6),
            text=hover,
            hoverinfo="text",
            row=1,
            col=column,
        )
        spread.add_hline(y=0, line=dict(color="grey", dash="dot", width=1), row=1, col=column)
        spread.update_xaxes(
            title_text="predicted price", tickprefix="$", tickformat=",.0f", row=1, col=column
        )
    scatter.update_xaxes(tickprefix="$", tickformat=",.0f")
    scatter.update_yaxes(tickprefix="$", tickformat=",.0f")
    spread.update_yaxes(title_text="predicted - true", tickprefix="$", tickformat=",.0f", row=1, col=1)
    charts.layout(
        scatter,
        f"Predicted against true price, {len(truth)} held-out houses",
        "true price",
        "predicted price",
        420,
    )
    charts.layout(spread, "Residuals: above 0 the model priced the house too high", "", "", 380)
    lines = [
        f"- **{LOSS_NAMES[name]}**: RMSE {money(f['rmse'])}, MAE {money(f['mae'])}, R² {f['r2']:.3f}, "
        f"median error {money(f['median_abs_error'])}, bias {signed(f['bias'])}"
        for name, f in figures.items()
    ]
    note = (
        "\n".join(lines)
        + "\n\nThe dearest houses are the hardest: errors grow with the price, which is why a log "
        "target (relative errors) usually helps. Hover over a point for its row in the table."
    )
    return {"note": note, "scatter": scatter, "residuals": spread}


# --- scores --------------------------------------------------------------------------------


def scores(trained: TrainedModel) -> dict[str, Any]:
    """Both models beside the baselines, as recorded when they were trained."""
    heldout, baselines = trained.metrics.get("heldout", {}), trained.metrics.get("baselines", {})
    seconds_to = trained.metrics.get("seconds_to_criterion") or {}
    rows = []
    named = [(LOSS_NAMES[n], heldout.get(n), trained.metrics.get("train_seconds"), n) for n in LOSSES]
    named += [
        ("Linear regression (scikit-learn)", baselines.get("linear"), None, "linear"),
        ("Gradient boosting (scikit-learn)", baselines.get("boosting"), None, "boosting"),
        ("Training median for every house", baselines.get("median"), None, "median"),
    ]
    for label, figures, seconds, key in named:
        if not figures:
            continue
        rows.append(
            {
                "model": label,
                "RMSE ($)": round(figures["rmse"]),
                "MAE ($)": round(figures["mae"]),
                "R²": round(figures["r2"], 4),
                "bias ($)": round(figures["bias"]),
                "fit seconds": figures.get("seconds", seconds),
                "seconds to within 10% of boosting": seconds_to.get(key) if key in LOSSES else None,
            }
        )
    if not rows:
        return {"note": "This model has no recorded held-out scores.", "table": []}
    boosting = (baselines.get("boosting") or {}).get("rmse")
    linear = (baselines.get("linear") or {}).get("rmse")
    verdicts = []
    for name in LOSSES:
        if name in heldout and boosting and linear:
            rmse = heldout[name]["rmse"]
            verdicts.append(
                f"- {LOSS_NAMES[name]}: RMSE {money(rmse)} is "
                + ("below" if rmse < linear else "**not** below")
                + f" linear regression's ({money(linear)}) and {rmse / boosting - 1:+.1%} from gradient "
                f"boosting's ({money(boosting)}): "
                + ("within" if rmse <= 1.1 * boosting else "**not** within")
                + " the 10% the lab aims for."
            )
    note = (
        f"Held-out figures in dollars on {trained.metrics.get('heldout_size', '?')} houses never "
        "trained on, every model on the same split and the same preprocessed inputs (recorded when "
        "this model was trained; `python -m core evaluate house-prices` recomputes them). Bias is "
        "the mean of prediction minus truth.\n\n" + "\n".join(verdicts) + "\n\nOn tables like this one, "
        "gradient-boosted trees are hard to beat; a well-tuned MLP gets close."
    )
    return {"note": note, "table": rows}


# --- extreme prices ------------------------------------------------------------------------


def l1_line(x: np.ndarray, y: np.ndarray, iterations: int = 60) -> tuple[float, float]:
    """The straight line with the least absolute error, by iteratively reweighted least squares:
    each point weighs 1 / |its residual|, so far points count no more than near ones."""
    design = np.stack([np.ones_like(x), x], axis=1)
    weights = np.ones_like(y)
    for _ in range(iterations):
        root = np.sqrt(weights)[:, None]
        coefficients = np.linalg.lstsq(design * root, y * root[:, 0], rcond=None)[0]
        weights = 1.0 / np.maximum(np.abs(y - design @ coefficients), 1.0)
    return float(coefficients[0]), float(coefficients[1])


def l2_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The least-squares straight line."""
    slope, intercept = np.polyfit(x, y, 1)
    return float(intercept), float(slope)


def outliers(trained: TrainedModel, count: int, factor: float) -> dict[str, Any]:
    data = data_for(trained)
    area = data.train_houses["Gr_Liv_Area"].to_numpy(dtype=float)
    clean = data.table.target.to_numpy(dtype=float)[data.split.train]
    changed, chosen = extreme_prices(clean, count, factor, seed=0)
    figure = go.Figure()
    figure.add_scatter(
        x=area, y=clean, mode="markers", name="training houses", marker=dict(color="#bbbbbb", size=4)
    )
    if count:
        figure.add_scatter(
            x=area[chosen],
            y=changed[chosen],
            mode="markers",
            name=f"{count} extreme prices (x {factor:g})",
            marker=dict(color="#d62728", size=7, symbol="x"),
        )
    ends = np.array([area.min(), area.max()])
    fits = {}
    for name, fit in (("mse", l2_line), ("mae", l1_line)):
        for label, prices, dash in (("without", clean, "dot"), ("with", changed, "solid")):
            if label == "with" and not count:
                continue
            intercept, slope = fit(area, prices)
            fits[(name, label)] = (intercept, slope)
            figure.add_scatter(
                x=ends,
                y=intercept + slope * ends,
                mode="lines",
                name=f"{'least squares (MSE)' if name == 'mse' else 'least absolute (MAE)'} line, {label}",
                line=dict(color=COLOURS[name], dash=dash, width=3 if label == "with" else 2),
            )
    figure.update_yaxes(tickprefix="$", tickformat=",.0f")
    charts.layout(
        figure,
        "Price against living area: the best straight line by each loss",
        "living area (sq ft)",
        "price",
        440,
    )
    typical_area = float(np.median(area))
    table = [
        {
            "what": "a constant: mean (MSE) or median (MAE) of the training prices",
            "MSE: without": round(clean.mean()),
            "MSE: with": round(changed.mean()),
            "MAE: without": round(np.median(clean)),
            "MAE: with": round(np.median(changed)),
        },
        {
            "what": f"a straight line in living area, at {typical_area:,.0f} sq ft",
            **{
                f"{name.upper()}: {label}": round(
                    fits[(name, label)][0] + fits[(name, label)][1] * typical_area
                )
                for name in LOSSES
                for label in ("without", "with")
                if (name, label) in fits
            },
        },
    ]
    for row in table:
        if not count:
            row.pop("MSE: with", None)
            row.pop("MAE: with", None)
    moved = {
        name: (fits[(name, "with")][0] + fits[(name, "with")][1] * typical_area)
        - (fits[(name, "without")][0] + fits[(name, "without")][1] * typical_area)
        for name in LOSSES
        if (name, "with") in fits
    }
    note = [
        "Squared error punishes a miss by its square, so one house 10 times too dear weighs as much as "
        "thousands of ordinary misses: the **mean** and the least-squares line chase it. Absolute "
        "error counts every dollar the same, so the **median** and the least-absolute line barely move."
    ]
    if count:
        note.append(
            f"Here {count} of {len(clean):,} training prices made {factor:g} times dearer move the MSE "
            f"line by {signed(moved['mse'])} at a typical house and the MAE line by {signed(moved['mae'])}."
        )
    note.append(trained_effect(trained))
    return {"note": "\n\n".join(note), "chart": figure, "table": table, "models": model_rows(trained)}


def trained_effect(trained: TrainedModel) -> str:
    """What the extreme prices did to this checkpoint's two MLPs, as measured when trained."""
    extreme = trained.metrics.get("extreme_prices")
    heldout = trained.metrics.get("heldout", {})
    if not extreme or not all(name in heldout for name in LOSSES):
        return (
            "**The trained MLPs:** this model saw no extreme prices. Pick the bundled *outliers* model "
            "(trained with 30 of them), or train with *Extreme prices added* above 0, and compare the "
            "table below."
        )
    said = extreme["mean_prediction"]
    return (
        f"**The trained MLPs** saw {extreme['count']} extreme prices (real mean "
        f"{money(extreme['mean_real_price'])}, shown as {money(extreme['mean_extreme_price'])}). For those "
        f"houses the MSE model now says {money(said['mse'])} on average, the MAE model "
        f"{money(said['mae'])}; on the held-out houses the MSE model's bias is "
        f"{signed(heldout['mse']['bias'])}, the MAE model's {signed(heldout['mae']['bias'])}."
    )


def model_rows(trained: TrainedModel) -> list[dict[str, Any]]:
    """This model and the bundled ones: held-out RMSE, MAE and bias of each MLP, and how many
    extreme prices each saw."""
    from core import models
    from core.checkpoints import CheckpointError
    from core.registry import get_lab

    lab = get_lab(SPEC.id)
    shown: list[tuple[str, TrainedModel]] = [("this model", trained)]
    for variant in lab.variants:
        try:
            bundled = models.bundled(lab, variant)
        except CheckpointError:
            continue
        if trained.path is None or bundled.path is None or bundled.path.resolve() != trained.path.resolve():
            shown.append((f"bundled {variant}", bundled))
    rows = []
    for label, model in shown:
        heldout = model.metrics.get("heldout", {})
        for name in LOSSES:
            if name in heldout:
                rows.append(
                    {
                        "model": label,
                        "loss": name.upper(),
                        "extreme prices in training": model.config.get("outliers", {}).get("count", 0),
                        "held-out RMSE ($)": round(heldout[name]["rmse"]),
                        "held-out MAE ($)": round(heldout[name]["mae"]),
                        "held-out bias ($)": round(heldout[name]["bias"]),
                    }
                )
    return rows


# --- the data and its split ----------------------------------------------------------------


def data_view(trained: TrainedModel, part: str, start: int) -> dict[str, Any]:
    data = data_for(trained)
    frame = data.table.frame
    parts = data.split.labels()
    prices = frame[TARGET].to_numpy(dtype=float).copy()
    extreme = np.zeros(len(frame), dtype=bool)
    extreme[data.split.train[data.outliers]] = True
    prices[data.split.train] = data.train_prices  # the prices the models saw
    rows = page_of_rows(
        frame,
        parts,
        part,
        start,
        lambda position, house: {
            "sale price ($)": round(prices[position]),
            "extreme price": "yes" if extreme[position] else "",
            "neighbourhood": house["Neighborhood"],
            "living area": int(house["Gr_Liv_Area"]),
            "year built": int(house["Year_Built"]),
            "condition": house["Overall_Cond"],
        },
    )
    source = data.table.source
    described = data.split.describe(data.table)
    card = (
        f"**{source.title}**: {source.origin}. {source.licence}; loaded through {source.reference}. "
        f"{source.notes}\n\n"
        f"**Split:** {described['train_size']:,} training and {described['test_size']:,} held-out houses, "
        f"drawn once with seed {described['split_seed']}: every model and baseline is scored on the same "
        f"held-out rows, never trained on. "
        + (
            f"{len(data.outliers)} training prices were made {trained.config['outliers']['factor']:g} times "
            "dearer for this model (marked below). "
            if len(data.outliers)
            else ""
        )
        + f"\n\n**Preprocessing** (fitted on the training split only): {data.prep.summary()}."
    )
    figure = go.Figure()
    for name, colour in SPLIT_COLOURS:
        figure.add_histogram(
            x=frame[TARGET].to_numpy()[parts == name],
            nbinsx=60,
            name=f"{name} ({(parts == name).sum():,})",
            marker_color=colour,
            opacity=0.6,
        )
    figure.update_layout(barmode="overlay")
    figure.update_xaxes(tickprefix="$", tickformat=",.0f")
    charts.layout(figure, "Sale prices in each split (the real prices)", "sale price", "houses", 320)
    return {"card": card, "prices": figure, "rows": rows}


INTERACTIONS = (
    Interaction(
        "predict",
        "Price a house",
        "Describe a house: both models price it. The other 60-odd columns are those of a typical "
        "training house (and its neighbourhood's location). Ames' copy has no overall quality "
        "rating, only the condition.",
        predict,
        inputs=(
            Param(
                "living_area",
                "int",
                1442,
                "Above-ground living area in square feet.",
                label="Living area (sq ft)",
                low=300,
                high=6000,
            ),
            Param(
                "storeys",
                "choice",
                "one",
                "One storey, or two (the area split between the floors).",
                choices=("one", "two"),
            ),
            Param(
                "condition",
                "choice",
                "Average",
                "Overall condition of the house.",
                label="Overall condition",
                choices=CONDITIONS,
            ),
            Param(
                "year_built", "int", 1973, "Year of construction.", label="Year built", low=1870, high=2010
            ),
            Param(
                "neighbourhood",
                "choice",
                "North_Ames",
                "Where in Ames.",
                label="Neighbourhood",
                choices=NEIGHBOURHOODS,
            ),
            Param(
                "garage_cars",
                "int",
                2,
                "Cars the garage holds (0: no garage).",
                label="Garage (cars)",
                low=0,
                high=5,
            ),
            Param(
                "basement_area",
                "int",
                990,
                "Total basement area in square feet (0: no basement).",
                label="Basement (sq ft)",
                low=0,
                high=6500,
            ),
            Param(
                "full_bathrooms",
                "int",
                2,
                "Full bathrooms above ground.",
                label="Full bathrooms",
                low=0,
                high=4,
            ),
            Param("bedrooms", "int", 3, "Bedrooms above ground.", low=0, high=8),
            Param("fireplaces", "int", 1, "Number of fireplaces.", low=0, high=4),
            Param(
                "lot_area",
                "int",
                9436,
                "Lot size in square feet.",
                label="Lot (sq ft)",
                low=1300,
                high=220000,
            ),
            Param("central_air", "bool", True, "Central air conditioning.", label="Central air"),
        ),
        outputs=(
            Output("answer", "markdown", "Both models' price"),
            Output("prices", "table", "Prices", shown=False),
            Output("where", "plot", "Among the training prices"),
            Output("house", "table", "The house the models read"),
        ),
        example={"living_area": 2000, "neighbourhood": "Somerset", "year_built": 2005, "storeys": "two"},
    ),
    Interaction(
        "house",
        "A held-out house",
        "Pick one of the 586 held-out houses (never trained on): its features, its real price and "
        "both models' prices.",
        heldout_house,
        inputs=(Param("index", "int", 0, "Which held-out house.", label="Held-out house", low=0, high=585),),
        outputs=(
            Output("answer", "markdown", ""),
            Output("prices", "table", "True price and both predictions"),
            Output("house", "table", "The house"),
        ),
        example={"index": 11},
    ),
    Interaction(
        "residuals",
        "Predicted against true",
        "Every held-out house: predicted against true price, and the residuals (prediction minus "
        "truth) of each model.",
        residuals,
        outputs=(
            Output("note", "markdown", "Held-out figures"),
            Output("scatter", "plot", "Predicted against true"),
            Output("residuals", "plot", "Residuals"),
        ),
        live=False,
    ),
    Interaction(
        "scores",
        "Scores beside the baselines",
        "Held-out RMSE, MAE and R² in dollars of both MLPs beside linear regression, gradient "
        "boosting and the median price, on the same split.",
        scores,
        outputs=(Output("note", "markdown", ""), Output("table", "table", "Held-out scores")),
    ),
    Interaction(
        "outliers",
        "What extreme prices do",
        "Make some training prices extreme and see how the best straight line and the best constant "
        "move under each loss; then how the trained MLPs reacted.",
        outliers,
        inputs=(
            Param(
                "count",
                "int",
                30,
                "Training houses whose price is made extreme.",
                label="Extreme prices",
                low=0,
                high=500,
            ),
            Param(
                "factor",
                "float",
                10.0,
                "Their price is multiplied by this.",
                label="Price factor",
                low=1.0,
                high=100.0,
            ),
        ),
        outputs=(
            Output("note", "markdown", ""),
            Output("chart", "plot", "The best line by each loss"),
            Output("table", "table", "Mean vs median, line vs line (dollars)"),
            Output("models", "table", "The trained MLPs"),
        ),
        example={"count": 50, "factor": 10.0},
    ),
    Interaction(
        "data",
        "The data and its split",
        "Where the houses come from, which rows are for training and which are held out, and how "
        "they are preprocessed.",
        data_view,
        inputs=(*tables.row_inputs(2930),),
        outputs=(
            Output("card", "markdown", "The data"),
            Output("prices", "plot", "Prices in each split"),
            Output("rows", "table", "Rows"),
        ),
        example={"part": "held-out", "start": 10},
    ),
)
