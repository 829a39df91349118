"""core.run_views: the words and rows both fronts show of a session's runs."""

from __future__ import annotations

from core.run_views import DIFFERS, one_change_note, settings_rows
from core.runs import Run


def test_compared_settings_are_text_with_the_differences_marked_first():
    runs = [
        Run("toy", "a", {"seed": 0, "rate": 0.1, "layers": (2, 3)}, {}),
        Run("toy", "b", {"seed": 0, "rate": 0.3, "layers": (2, 3)}, {}),
    ]
    rows = settings_rows(runs)
    assert rows[0] == {"setting": "rate", "a": "0.1", "b": "0.3", "differs": DIFFERS}
    assert {"setting": "layers", "a": "(2, 3)", "b": "(2, 3)", "differs": ""} in rows
    assert all(isinstance(value, str) for row in rows for value in row.values())


def test_the_one_change_note_says_where_the_settings_went_and_why():
    note = one_change_note("run 2", "the sidebar")
    assert note.startswith("The settings and seed of run 2 are in the sidebar. Change one thing")
    assert note.endswith("so the change is the only difference.")
