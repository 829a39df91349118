"""From a row of the Titanic table to the eight numbers a network reads.

Fitted on the training split only, then stored as plain JSON in the checkpoint's config.json,
so a passenger typed into a form is encoded as the training passengers were:

- class: one-hot, three columns (1st, 2nd, 3rd);
- sex: one column, 1 for female;
- age: missing for 263 of the 1,309 passengers. A missing age is filled with the training median
  and flagged in a column of its own (1: age unknown), so the network can tell "28, known" from
  "unknown": the unknown ages are not a random sample (most are third-class passengers);
- age, siblings/spouses and parents/children aboard: standardised, (x - mean) / std, with the
  training mean and std.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

CLASSES = ("1st", "2nd", "3rd")
SEXES = ("female", "male")
NUMBERS = ("age", "sibsp", "parch")
FEATURES = ("class 1st", "class 2nd", "class 3rd", "female", "age unknown", "age", "sibsp", "parch")
SURVIVED = "survived"  # the target column's positive level


@dataclass
class Encoding:
    """The fitted encoding, a plain record that round-trips through JSON."""

    age_fill: float  # the training median age, for an unknown age
    means: dict[str, float]
    stds: dict[str, float]

    @classmethod
    def fit(cls, passengers: pd.DataFrame) -> Encoding:
        age_fill = float(passengers["age"].median())
        filled = passengers.assign(age=passengers["age"].fillna(age_fill))
        means = {name: float(filled[name].mean()) for name in NUMBERS}
        stds = {name: float(filled[name].std()) or 1.0 for name in NUMBERS}
        return cls(age_fill, means, stds)

    def features(self, passengers: pd.DataFrame) -> np.ndarray:
        """(N, 8) float32, the columns in FEATURES' order."""
        age = pd.to_numeric(passengers["age"], errors="coerce").astype(float)
        numbers = {
            "age": age.fillna(self.age_fill),
            "sibsp": passengers["sibsp"].astype(float),
            "parch": passengers["parch"].astype(float),
        }
        columns = [(passengers["pclass"] == level).to_numpy(dtype=float) for level in CLASSES]
        columns.append((passengers["sex"] == "female").to_numpy(dtype=float))
        columns.append(age.isna().to_numpy(dtype=float))
        columns += [((numbers[n] - self.means[n]) / self.stds[n]).to_numpy(dtype=float) for n in NUMBERS]
        return np.stack(columns, axis=1).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Encoding:
        """The encoding a checkpoint recorded; ValueError (or TypeError, KeyError) saying what is
        wrong with a hand-edited one, so that it is refused when the model is loaded."""
        means, stds = data["means"], data["stds"]
        if not isinstance(means, dict) or not isinstance(stds, dict):
            raise ValueError("means and stds must map age, sibsp and parch to numbers")
        return cls(
            _number(data["age_fill"]),
            {name: _number(means[name]) for name in NUMBERS},
            {name: _number(stds[name], positive=True) for name in NUMBERS},
        )


def labels(passengers: pd.DataFrame) -> np.ndarray:
    """1.0 for a passenger who survived, 0.0 for one who died."""
    return (passengers["survived"] == SURVIVED).to_numpy(dtype=np.float32)


def _number(value: Any, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"expected a positive number, got {value!r}")
    return float(value)
