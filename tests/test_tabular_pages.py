"""A page of a tabular lab's data table (core/tabular_pages.py)."""

import numpy as np
import pandas as pd
import pytest

from core.specs import SpecError
from core.tabular_pages import ROWS_SHOWN, page_of_rows


def test_a_page_holds_the_parts_rows_from_start_with_the_labs_columns():
    frame = pd.DataFrame({"x": range(60)}, index=range(100, 160))
    parts = np.array(["train", "held-out"] * 30)
    rows = page_of_rows(
        frame, parts, "held-out", 2, lambda position, row: {"x": int(row["x"]), "at": position}
    )
    assert len(rows) == min(ROWS_SHOWN, 28)
    assert rows[0] == {"row": 105, "split": "held-out", "x": 5, "at": 5}
    assert len(page_of_rows(frame, parts, "all", 50, lambda *_: {})) == 10
    with pytest.raises(SpecError, match="30 train rows; pick a number from 0 to 29"):
        page_of_rows(frame, parts, "train", 30, lambda *_: {})
