"""MNIST row by row in Gradio: the held-out scores, and below them every reader's curves of this
session's training on one chart (the generated Train tab draws the mean loss only)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from core.history import TrainingHistory
from core.labs.mnist_rows.train import comparison_figures
from gradio_tabs.common import LabSession
from gradio_tabs.lab_tab import PRIVATE, Panel, build_interaction_panel


def _curves(state: LabSession | None) -> tuple[Any, Any]:
    job = None if state is None else state.job
    if job is None:
        raise gr.Error("This session has not trained yet: train the readers in the Train tab.")
    history = TrainingHistory()
    history.extend(job.events_since(0))
    return comparison_figures(history) or (None, None)


def scores(panel: Panel) -> None:
    build_interaction_panel(panel)
    with gr.Accordion("This session's training, reader by reader", open=False):
        draw = gr.Button("Draw the curves of this session's training")
        with gr.Row():
            accuracy = gr.Plot(label="Held-out accuracy")
            loss = gr.Plot(label="Training loss")
    draw.click(_curves, panel.session, [accuracy, loss], **PRIVATE)
