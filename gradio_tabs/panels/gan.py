"""The GAN lab's own Gradio panels: a click on a generated sample makes it an end of the
interpolation, whose ends are one-line boxes and whose animation plays beside its downloads.
The rest of the tab, and every API endpoint, is generated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import gradio as gr

from core.interactions import Output
from gradio_tabs.common import LabSession, param_control, user_errors
from gradio_tabs.lab_tab import PRIVATE, Panel, component_value, output_component

# The Samples panel's seed box, gallery and note, for the Interpolate panel (built after it) to
# wire a click on a sample to its ends.
_samples: dict[str, gr.Component] = {}


def _answer(
    panel: Panel, inputs: list[gr.Component], shown: list[Output], triggers: list[Callable]
) -> dict[str, gr.Component]:
    """A message line and a component per output in `shown` (built here, in the current
    layout); each trigger runs the interaction and fills them. Returns the outputs by name."""
    names = [param.name for param in panel.interaction.inputs]
    message = gr.Markdown()
    components = [output_component(output) for output in shown]

    def answer(choice: str | None, state: LabSession | None, *values: Any) -> list:
        try:
            trained = panel.model(choice, state)
            with user_errors():
                result = panel.interaction(trained, dict(zip(names, values, strict=True)))
        except gr.Error as error:
            return [f"**{error.message}**", *[None] * len(shown)]
        return ["", *[component_value(o, result.get(o.name)) for o in shown]]

    for trigger in triggers:
        trigger(answer, [panel.model_choice, panel.session, *inputs], [message, *components], **PRIVATE)
    return {output.name: component for output, component in zip(shown, components, strict=True)}


def sample(panel: Panel) -> None:
    with gr.Row():
        with gr.Column(scale=1):
            inputs = [param_control(param) for param in panel.interaction.inputs]
        with gr.Column(scale=3):
            shown = [
                replace(o, label=f"{o.label} (click two)") if o.kind == "gallery" else o
                for o in panel.interaction.outputs
            ]
            outputs = _answer(panel, inputs, shown, [c.change for c in inputs] + [panel.model_choice.change])
    outputs["samples"].elem_id = "gan-samples"
    _samples.update(seed=inputs[0], gallery=outputs["samples"], note=outputs["note"])


def _pick_sample(seed: Any, start: str, end: str, event: gr.SelectData) -> tuple[str, str, str]:
    """A click on sample #i: it becomes the interpolation's end, the old end its start."""
    reference = f"{seed if seed is None else int(seed)}:{event.index}"
    return end, reference, f"From **{end}** to **{reference}**: see the Interpolate tab."


def interpolate(panel: Panel) -> None:
    with gr.Row():
        with gr.Column(scale=1):
            inputs = [
                gr.Textbox(p.default, label=p.label, info=p.help, elem_id=f"gan-{p.name}")
                if p.kind == "text"
                else param_control(p)
                for p in panel.interaction.inputs
            ]
            run = gr.Button("Interpolate", variant="primary")
        with gr.Column(scale=3):
            shown = [o for o in panel.interaction.outputs if o.name != "frames"]  # the strip shows them
            outputs = _answer(panel, inputs, shown, [run.click])
            animation = gr.Image(label="As an animation", type="filepath", interactive=False, height=200)
    gif = outputs["animation"]
    gif.change(lambda path: path, gif, animation, **PRIVATE)  # the GIF file, playing
    if _samples:
        start, end = inputs[0], inputs[1]
        _samples["gallery"].select(
            _pick_sample, [_samples["seed"], start, end], [start, end, _samples["note"]], **PRIVATE
        )
