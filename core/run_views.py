"""What both fronts say and show of a session's runs (core.runs keeps the runs themselves): the
note after "train again with one change", and the settings of compared runs as rows of text."""

from __future__ import annotations

from collections.abc import Sequence

from core.runs import Run, settings_table

DIFFERS = "◀ differs"


def one_change_note(label: str, where: str) -> str:
    """What a student reads when a run's settings and seed are put back `where` (the sidebar,
    the Train tab): why changing one thing makes a controlled experiment."""
    return (
        f"The settings and seed of {label} are in {where}. Change one thing and press Train: "
        "the new run starts from the same weights and sees the same batches, so the change is "
        "the only difference."
    )


def settings_rows(runs: Sequence[Run]) -> list[dict[str, str]]:
    """core.runs.settings_table as text, what differs marked: one column holds numbers, names
    and lists, which a table widget cannot type as one."""
    return [
        {key: (DIFFERS if value else "") if key == "differs" else str(value) for key, value in row.items()}
        for row in settings_table(runs)
    ]
