"""Who survives? The four models exported from Deep Learning Labs' regularisation lab.

    python predict.py PASSENGERS.csv

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the networks, tables.py reads the file, model.safetensors and config.json hold what was
trained and the encoding fitted on the training passengers (config.json's "encoding").

PASSENGERS.csv has a header row naming pclass, sex, age, sibsp and parch, and one passenger a
row, as in vcdExtra's Titanicp table: pclass 1st, 2nd or 3rd; sex female or male; age in years,
or empty when unknown; sibsp siblings and spouses aboard, parch parents and children. They are
encoded as the lab does: class one-hot, 1 for female, an unknown age filled with the training
median and flagged in a column of its own, then age, sibsp and parch standardised with the
training mean and std. Prints CSV: each passenger's probability of survival from each model
(no regularisation, L1, L2, dropout).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from model import RegularisedSet
from safetensors.torch import load_file
from tables import number, read_rows, write_rows

HERE = Path(__file__).resolve().parent
CLASSES = ("1st", "2nd", "3rd")
COLUMNS = ("pclass", "sex", "age", "sibsp", "parch")


def features(row: dict[str, str], encoding: dict, line: int) -> list[float]:
    """One passenger's eight inputs, in the order of config.json's "features"."""
    pclass, sex = row["pclass"].strip(), row["sex"].strip()
    if pclass not in CLASSES:
        sys.exit(f"row {line}: pclass should be 1st, 2nd or 3rd, not {pclass!r}")
    if sex not in ("female", "male"):
        sys.exit(f"row {line}: sex should be female or male, not {sex!r}")
    unknown = not row["age"].strip()
    numbers = {
        "age": encoding["age_fill"] if unknown else number(row, "age", line),
        "sibsp": number(row, "sibsp", line),
        "parch": number(row, "parch", line),
    }
    standardised = [(numbers[n] - encoding["means"][n]) / encoding["stds"][n] for n in numbers]
    return [*(float(pclass == c) for c in CLASSES), float(sex == "female"), float(unknown), *standardised]


def main(path: str) -> None:
    config = json.loads((HERE / "config.json").read_text())
    model = RegularisedSet(config["inputs"], tuple(config["hidden_sizes"]), float(config["dropout"]))
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    rows = read_rows(path, COLUMNS)
    x = torch.tensor([features(row, config["encoding"], i + 1) for i, row in enumerate(rows)])
    said = model.probabilities(x)
    table = [[i + 1, *(f"{p[i]:.6f}" for p in said.values())] for i in range(len(rows))]
    write_rows(["passenger", *(f"p(survived) {name}" for name in said)], table)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
