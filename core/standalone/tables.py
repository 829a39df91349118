"""Rows of a CSV file in, with nothing but the standard library: an export ships this file
beside predict.py for the labs whose models read a table, so that predict.py needs no pandas.
A file that cannot be used stops the script with a line that says what is wrong."""

from __future__ import annotations

import csv
import math
import sys


def read_rows(path: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a CSV file with a header row, as {column: cell}; stops with a plain message
    when the file has no rows or lacks one of `columns`."""
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    if not rows:
        sys.exit(f"{path}: no rows (a header row, then one row per case)")
    missing = [name for name in columns if name not in rows[0]]
    if missing:
        sys.exit(f"{path}: no column {', '.join(missing)} (the header row must name {', '.join(columns)})")
    return rows


def number(row: dict[str, str], column: str, line: int) -> float:
    """A cell as a finite number; stops with a plain message naming the row when it is not."""
    text = (row.get(column) or "").strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        sys.exit(f"row {line}: {column} should be a number, not {text!r}")
    return value


def write_rows(header: list[str], rows: list[list]) -> None:
    """CSV on the standard output."""
    out = csv.writer(sys.stdout)
    out.writerow(header)
    out.writerows(rows)
