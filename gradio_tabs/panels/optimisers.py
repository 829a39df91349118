"""The optimisers lab's 2-D paths in Gradio: the generated panel answers when an input changes,
so a student would first see empty charts; this one also answers when the page opens, with the
usual start (`gr.on` without triggers: on load and on every change of an input). The rest of
the tab is generated from the lab's declaration."""

from __future__ import annotations

from typing import Any

import gradio as gr

from gradio_tabs.common import user_errors
from gradio_tabs.lab_tab import PRIVATE, Panel, _value_of, component_value, input_component, output_component


def paths(panel: Panel) -> None:
    interaction = panel.interaction
    with gr.Row():
        with gr.Column(scale=1):
            inputs = [input_component(param) for param in interaction.inputs]
        with gr.Column(scale=2):
            message = gr.Markdown()
            outputs = []
            for output in interaction.outputs:
                outputs.append(output_component(output))
                if output.help:
                    gr.Markdown(output.help, elem_classes="output-help")

    def answer(*values: Any) -> list:
        asked = dict(zip([param.name for param in interaction.inputs], values, strict=True))
        try:
            with user_errors():
                result = interaction(None, asked)
        except gr.Error as error:
            return [f"**{error.message}**", *[None] * len(outputs)]
        return ["", *[component_value(output, result.get(output.name)) for output in interaction.outputs]]

    gr.on(
        None,
        answer,
        [_value_of(c) for c in inputs],
        [message, *outputs],
        trigger_mode="always_last",
        **PRIVATE,
    )
