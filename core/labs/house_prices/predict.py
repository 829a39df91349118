"""Price houses with the two models exported from Deep Learning Labs' house prices lab.

    python predict.py HOUSES.csv

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the networks, tables.py reads the file, model.safetensors and config.json hold what was
trained and the preprocessing fitted on the training houses (config.json's "preprocessing").

HOUSES.csv has a header row and one house a row, with the Ames table's column names
(Gr_Liv_Area, Neighborhood, Year_Built...). The houses are read as the lab reads them: an empty
cell is a missing value (a number gets the training median, a category the level
"(missing)"); a column the file leaves out is taken from a typical training house; areas the
lab took as log(1 + x) are taken so again, every number is standardised with the training mean
and std, every category one-hot (a level the training houses rarely or never had counts as
"(other)"). Prints CSV: each house's price from the MSE model and from the MAE model, in dollars.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import torch
from model import PricePair
from safetensors.torch import load_file
from tables import read_rows, write_rows

HERE = Path(__file__).resolve().parent
OTHER, MISSING = "(other)", "(missing)"


def maybe_number(text: str) -> float | None:
    """A cell as a number; None when it is empty or not a finite number (a missing value)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def features(house: dict[str, str], prep: dict) -> list[float]:
    """The network's inputs for one house (a CSV row), as the lab's features.py makes them."""
    row = []
    for column in prep["numeric"]:
        given = house.get(column["name"])
        value = prep["typical"][column["name"]] if given is None else maybe_number(given)
        value = column["fill"] if value is None else value
        if column["log"]:
            value = math.log1p(max(value, 0.0))
        row.append((value - column["mean"]) / column["std"])
    for column in prep["categorical"]:
        given = house.get(column["name"])
        level = prep["typical"][column["name"]] if given is None else given.strip() or MISSING
        if level not in column["levels"] and OTHER in column["levels"]:
            level = OTHER  # rare and unseen levels share one column; with none, all zeros
        row += [1.0 if level == name else 0.0 for name in column["levels"]]
    return row


def dollars(output: float, prep: dict) -> float:
    """A network's output (standardised, log price when the lab took logs) in dollars."""
    target = output * prep["target_std"] + prep["target_mean"]
    return math.exp(min(target, 20.0)) if prep["log_target"] else target  # e^20: about $485 million


def main(path: str) -> None:
    config = json.loads((HERE / "config.json").read_text())
    prep = config["preprocessing"]
    model = PricePair(config["inputs"], tuple(config["hidden_sizes"]), float(config.get("dropout", 0.0)))
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    houses = read_rows(path, ())  # any column left out is a typical house's
    prices = model.predict(torch.tensor([features(house, prep) for house in houses], dtype=torch.float32))
    rows = range(len(houses))
    table = [[i + 1, *(f"{dollars(float(p[i]), prep):.2f}" for p in prices.values())] for i in rows]
    write_rows(["house", *(f"{name} model price" for name in prices)], table)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
