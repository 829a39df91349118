"""A lab's "Runs" tab: this session's trainings, "train again with one change" (a run's settings
and seed put back into the Train tab), and two or more runs compared: one curve of each on
shared axes, the settings with the differences first, the final held-out figures side by side.
The same as the Streamlit page's "Your runs", over core.runs."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd

from core import run_views, runs
from core.labs.base import Lab
from gradio_tabs.common import LabSession, TrainingPanel


def build_runs_tab(lab: Lab, session: gr.State, training: TrainingPanel) -> tuple:
    """The tab; returns (function, inputs, outputs) that refresh its list, for the event that
    ends a training to call."""
    with gr.Tab("Runs") as tab:
        listing = gr.Markdown("No runs yet: each training you finish in the Train tab appears here.")
        with gr.Row():
            again_from = gr.Dropdown([], label="A run")
            again = gr.Button("Put its settings and seed in the Train tab")
        with gr.Row():
            new_label = gr.Textbox(label="Your own label for it", max_lines=1)
            rename = gr.Button("Rename the run")
        picked = gr.CheckboxGroup([], label="Compare (two or more)")
        with gr.Row():
            metric = gr.Dropdown([], label="Curve")
            x_axis = gr.Radio(list(runs.X_AXES), value="epochs", label="x-axis")
        message = gr.Markdown()
        curves = gr.Plot(label="The chosen curve of each run, on shared axes")
        settings = gr.Dataframe(label="Settings (what differs comes first)", interactive=False)
        figures = gr.Dataframe(label="Final held-out figures", interactive=False)

    def refresh(state: LabSession | None) -> tuple:
        kept = (state or LabSession()).runs
        labels = [run.label for run in kept]
        lines = [f"- **{run.label}** · seed {run.seed} · {lab.headline(run.metrics)}" for run in kept]
        text = "\n".join(lines) or "No runs yet: each training you finish in the Train tab appears here."
        return (
            text,
            gr.update(choices=labels, value=labels[-1] if labels else None),
            gr.update(choices=labels, value=labels[-2:]),
        )

    def compare(
        state: LabSession | None, labels: list[str] | None, curve: str | None, x: str = "epochs"
    ) -> tuple:
        state = state or LabSession()
        chosen = [run for run in state.runs if run.label in (labels or [])]
        state.compared = [run.label for run in chosen]  # the Try-it panels answer with these too
        try:
            runs.check_comparable(chosen)
            metrics = runs.shared_metrics(chosen)
            curve = curve if curve in metrics else (metrics[0] if metrics else None)
            drawn = runs.overlay(chosen, curve, x) if curve else None
        except runs.RunError as error:
            return f"**{error}.**", gr.update(choices=[], value=None), None, None, None
        # Frames: gr.Dataframe draws a list of dicts as [object Object].
        return (
            "",
            gr.update(choices=metrics, value=curve),
            drawn,
            pd.DataFrame(run_views.settings_rows(chosen)),
            pd.DataFrame(runs.figures_table(chosen)),
        )

    def train_again(state: LabSession | None, label: str | None) -> dict[gr.Component, Any]:
        run = next((run for run in (state or LabSession()).runs if run.label == label), None)
        if run is None:
            return {message: "**Pick a run first.**"}
        values = run.one_change()
        updates = {component: values[name] for name, component in training.controls.items() if name in values}
        return {message: run_views.one_change_note(f"**{run.label}**", "the Train tab"), **updates}

    def relabel(state: LabSession | None, label: str | None, new: str | None) -> tuple:
        kept = (state or LabSession()).runs
        run = next((run for run in kept if run.label == label), None)
        try:
            if run is None:
                raise runs.RunError("pick a run first")
            runs.relabel(kept, run, new or "")
        except runs.RunError as error:
            return f"**{str(error).capitalize()}.**", *refresh(state)
        return "", *refresh(state)

    tab.select(refresh, session, [listing, again_from, picked], api_visibility="private")
    rename.click(
        relabel,
        [session, again_from, new_label],
        [message, listing, again_from, picked],
        api_visibility="private",
    )
    # Ticking the boxes by code fires no `change` for the comparison: refreshing compares too.
    listing.change(
        compare,
        [session, picked, metric, x_axis],
        [message, metric, curves, settings, figures],
        api_visibility="private",
    )
    outputs = [message, metric, curves, settings, figures]
    for changed in (picked.change, metric.input, x_axis.input):
        changed(compare, [session, picked, metric, x_axis], outputs, api_visibility="private")
    again.click(
        train_again, [session, again_from], [message, *training.controls.values()], api_visibility="private"
    )
    return refresh, session, [listing, again_from, picked]
