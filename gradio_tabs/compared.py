"""The runs whose answers a lab's Try-it panels show side by side (core.compared_html draws
them): those ticked in the Runs tab; the panel's own outputs still show the model in use."""

from __future__ import annotations

from core.runs import Run
from gradio_tabs.common import LabSession

MAX_COMPARED = 4  # columns that fit beside each other


def compared_runs(state: LabSession | None) -> list[Run]:
    """The runs ticked for comparison in the Runs tab that still hold their model."""
    if state is None:
        return []
    ticked = [run for run in state.runs if run.label in state.compared and run.trained is not None]
    return ticked[:MAX_COMPARED]
