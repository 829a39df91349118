"""Score customers with the models exported from Deep Learning Labs' imbalanced data lab.

    python predict.py CUSTOMERS.csv

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the networks, tables.py reads the file, model.safetensors and config.json hold what was
trained and the scaling fitted on the training customers (config.json's "scaling").

CUSTOMERS.csv has a header row naming balance, income and student, and one customer a row:
balance and income in dollars, student Yes or No (as in ISLR's Default table; yes/no, true/false
and 1/0 are read too). Balance and income are standardised with the training mean and std, as
the lab does. Prints CSV: each customer's probability of default from each model (one per
method the lab trained: plain, class weights, undersampling...); the lab flags a customer at
0.5 or above.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from model import DefaultModels
from safetensors.torch import load_file
from tables import number, read_rows, write_rows

HERE = Path(__file__).resolve().parent
STUDENT = {"yes": 1.0, "true": 1.0, "1": 1.0, "no": 0.0, "false": 0.0, "0": 0.0}


def features(row: dict[str, str], scaling: dict, line: int) -> list[float]:
    """One customer's three inputs: standardised balance and income, student as 1 or 0."""
    student = STUDENT.get(row["student"].strip().lower())
    if student is None:
        sys.exit(f"row {line}: student should be Yes or No, not {row['student']!r}")
    return [
        (number(row, "balance", line) - scaling["balance_mean"]) / scaling["balance_std"],
        (number(row, "income", line) - scaling["income_mean"]) / scaling["income_std"],
        student,
    ]


def main(path: str) -> None:
    config = json.loads((HERE / "config.json").read_text())
    model = DefaultModels(list(config["methods"]), tuple(config["hidden_sizes"]))
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    rows = read_rows(path, ("balance", "income", "student"))
    x = torch.tensor([features(row, config["scaling"], i + 1) for i, row in enumerate(rows)])
    said = model.probabilities(x)
    table = [[i + 1, *(f"{p[i]:.6f}" for p in said.values())] for i in range(len(rows))]
    write_rows(["customer", *(f"p(default) {method}" for method in said)], table)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
