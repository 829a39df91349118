"""One page of a tabular lab's data table (house prices, imbalanced, regularisation): the rows of
one part of the split, a page at a time, each with its row number and part, then the lab's own
columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from core.specs import SpecError

ROWS_SHOWN = 25  # rows on a page of the table
SPLIT_COLOURS = (("train", "#1f77b4"), ("held-out", "#ff7f0e"))  # each part on the split's charts


def page_of_rows(
    frame: pd.DataFrame,
    parts: np.ndarray,
    part: str,
    start: int,
    columns: Callable[[int, pd.Series], dict[str, Any]],
) -> list[dict[str, Any]]:
    """The rows of `part` ("all" or a part's label in `parts`, one per row of `frame`) from the
    `start`-th on, ROWS_SHOWN at most: "row" (the table's own number) and "split", then
    `columns(position, row)`. SpecError when `start` is past the part's last row."""
    picked = np.arange(len(frame)) if part == "all" else np.flatnonzero(parts == part)
    if start >= len(picked):
        raise SpecError(
            f"First row: there are {len(picked):,} {part} rows; pick a number from 0 to {len(picked) - 1}"
        )
    return [
        {"row": int(frame.index[position]), "split": parts[position]}
        | columns(position, frame.iloc[position])
        for position in picked[start : start + ROWS_SHOWN]
    ]
