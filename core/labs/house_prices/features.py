"""From a table of houses to the numbers a network reads, and back to dollars.

Everything here is fitted on the training split only, then stored as plain JSON in the
checkpoint's config.json, so a model can price a house typed into a form years later without
the training data and without a pickle:

- numeric columns: missing values filled with the training median; heavily skewed areas and
  counts of many values (living area, lot area, porches) taken as log(1 + x); then standardised,
  (x - mean) / std, with the training mean and std;
- categorical columns: one-hot, one column per level seen at least MIN_LEVEL_COUNT times in
  training; rarer levels (and levels never seen) share an "(other)" column; a missing value is
  its own level, "(missing)";
- the price: optionally log(price), then standardised the same way; predictions are turned
  back into dollars by undoing both.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

TARGET = "Sale_Price"
MIN_LEVEL_COUNT = 10
OTHER, MISSING = "(other)", "(missing)"
SKEW_LIMIT = 1.0  # numeric columns more skewed than this (and non-negative) are log(1 + x)
MIN_DISTINCT_FOR_LOG = 10  # ... if they have this many values: areas, not small counts


@dataclass
class NumericColumn:
    name: str
    fill: float  # the training median, for a missing value
    log: bool  # log(1 + x) before standardising
    mean: float
    std: float


@dataclass
class CategoricalColumn:
    name: str
    levels: list[str]  # one-hot columns, in this order; OTHER last when some levels were rare
    mode: str  # the most common level in training (a typical house's)


@dataclass
class Preprocessing:
    """The fitted preprocessing, a plain record that round-trips through JSON."""

    numeric: list[NumericColumn]
    categorical: list[CategoricalColumn]
    log_target: bool
    target_mean: float
    target_std: float
    typical: dict[str, Any] = field(default_factory=dict)  # a typical training house
    by_neighbourhood: dict[str, dict[str, float]] = field(default_factory=dict)  # its location

    # --- fitting ---------------------------------------------------------------------------

    @classmethod
    def fit(cls, houses: pd.DataFrame, prices: np.ndarray, log_target: bool) -> Preprocessing:
        """Fit on the training houses (features only) and their prices."""
        houses = clean(houses)
        numeric, categorical = [], []
        for name in houses.columns:
            column = houses[name]
            if pd.api.types.is_numeric_dtype(column):
                values = column.astype(float)
                fill = float(values.median()) if values.notna().any() else 0.0
                values = values.fillna(fill)
                log = bool(
                    values.min() >= 0
                    and values.skew() > SKEW_LIMIT
                    and values.nunique() >= MIN_DISTINCT_FOR_LOG
                )
                if log:
                    values = np.log1p(values)
                std = float(values.std())
                numeric.append(NumericColumn(name, fill, log, float(values.mean()), std if std > 0 else 1.0))
            else:
                counts = column.value_counts()
                kept = sorted(level for level, count in counts.items() if count >= MIN_LEVEL_COUNT)
                rare = len(kept) < len(counts)
                categorical.append(
                    CategoricalColumn(name, [*kept, *([OTHER] if rare else [])], str(counts.index[0]))
                )
        target = np.log(prices) if log_target else np.asarray(prices, dtype=float)
        typical = {c.name: c.fill for c in numeric} | {c.name: c.mode for c in categorical}
        by_place = {}
        if "Neighborhood" in houses.columns:
            for place, group in houses.groupby("Neighborhood"):
                by_place[str(place)] = {
                    k: float(group[k].median()) for k in ("Longitude", "Latitude") if k in group
                }
        return cls(
            numeric,
            categorical,
            log_target,
            float(target.mean()),
            float(target.std()),
            typical,
            by_place,
        )

    # --- applying --------------------------------------------------------------------------

    @property
    def feature_names(self) -> list[str]:
        names = [c.name for c in self.numeric]
        for column in self.categorical:
            names += [f"{column.name}={level}" for level in column.levels]
        return names

    def features(self, houses: pd.DataFrame) -> np.ndarray:
        """(N, F) float32: the network's input for these houses."""
        houses = clean(houses)
        parts = []
        for column in self.numeric:
            values = pd.to_numeric(houses[column.name], errors="coerce").astype(float).fillna(column.fill)
            values = values.to_numpy()
            if column.log:
                values = np.log1p(np.clip(values, 0, None))
            parts.append(((values - column.mean) / column.std)[:, None])
        for column in self.categorical:
            levels = houses[column.name]
            if OTHER in column.levels:  # rare and unseen levels share the "(other)" column
                levels = levels.where(levels.isin(column.levels), OTHER)
            # A level never seen, with no "(other)" column, has code -1: all zeros.
            codes = pd.Categorical(levels, categories=column.levels).codes
            onehot = np.zeros((len(houses), len(column.levels)))
            known = codes >= 0
            onehot[np.flatnonzero(known), codes[known]] = 1.0
            parts.append(onehot)
        return np.concatenate(parts, axis=1).astype(np.float32)

    def scaled_target(self, prices: np.ndarray) -> np.ndarray:
        """Prices in dollars -> what the networks learn (standardised, log first if asked)."""
        target = np.log(prices) if self.log_target else np.asarray(prices, dtype=float)
        return ((target - self.target_mean) / self.target_std).astype(np.float32)

    def dollars(self, scaled: np.ndarray) -> np.ndarray:
        """The networks' outputs back in dollars."""
        target = np.asarray(scaled, dtype=float) * self.target_std + self.target_mean
        # exp of a wild output overflows to inf: cap at e^20 (about $485 million).
        return np.exp(np.minimum(target, 20.0)) if self.log_target else target

    # --- JSON ------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Preprocessing:
        """The preprocessing a checkpoint recorded; ValueError (or TypeError, KeyError) saying what
        is wrong with a hand-edited one, so that it is refused when the model is loaded rather
        than when a house is priced."""
        numeric = [
            NumericColumn(
                _text(c["name"]),
                _number(c["fill"]),
                _flag(c["log"]),
                _number(c["mean"]),
                _number(c["std"], positive=True),
            )
            for c in _items(data["numeric"])
        ]
        categorical = []
        for c in _items(data["categorical"]):
            levels = [_text(level) for level in _items(c["levels"])]
            if not levels:
                raise ValueError(f"categorical column {c['name']!r} has no levels")
            categorical.append(CategoricalColumn(_text(c["name"]), levels, _text(c["mode"])))
        names = [c.name for c in numeric] + [c.name for c in categorical]
        typical = data["typical"]
        if not isinstance(typical, dict) or set(typical) != set(names):
            raise ValueError("typical must give a value for every column")
        for column in numeric:
            typical[column.name] = _number(typical[column.name])
        for column in categorical:
            typical[column.name] = _text(typical[column.name])
        places = data["by_neighbourhood"]
        if not isinstance(places, dict):
            raise ValueError("by_neighbourhood must map neighbourhoods to their location")
        by_place = {}
        for place, where in places.items():
            if not isinstance(where, dict):
                raise ValueError(f"the location of {place!r} is not a mapping")
            by_place[_text(place)] = {_text(k): _number(v) for k, v in where.items()}
        return cls(
            numeric=numeric,
            categorical=categorical,
            log_target=_flag(data["log_target"]),
            target_mean=_number(data["target_mean"]),
            target_std=_number(data["target_std"], positive=True),
            typical=typical,
            by_neighbourhood=by_place,
        )

    @property
    def width(self) -> int:
        return len(self.numeric) + sum(len(c.levels) for c in self.categorical)

    def summary(self) -> str:
        logged = [c.name for c in self.numeric if c.log]
        onehot = sum(len(c.levels) for c in self.categorical)
        return (
            f"{len(self.numeric)} numeric columns standardised ({len(logged)} of them as log(1 + x): "
            f"{', '.join(logged)}); {len(self.categorical)} categorical columns one-hot as {onehot} "
            f"columns (levels seen fewer than {MIN_LEVEL_COUNT} times share an {OTHER} column); "
            f"{self.width} inputs in all; target: "
            + ("log(price), standardised" if self.log_target else "price, standardised")
        )


def clean(houses: pd.DataFrame) -> pd.DataFrame:
    """Text columns without stray spaces ("WD " is "WD"), missing text as its own level."""
    houses = houses.drop(columns=[TARGET], errors="ignore").copy()
    for name in houses.columns:
        if not pd.api.types.is_numeric_dtype(houses[name]):
            houses[name] = houses[name].astype(object).where(houses[name].notna(), MISSING)
            houses[name] = houses[name].map(lambda v: str(v).strip())
    return houses


# --- reading a recorded preprocessing strictly ---------------------------------------------


def _items(value: Any) -> list:
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {value!r}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _number(value: Any, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"expected a positive number, got {value!r}")
    return float(value)
