"""The GAN lab's own Gradio panels: a click on a generated sample makes it an end of the
interpolation, whose ends are one-line boxes and whose animation plays beside its downloads.
The rest of the tab, and every API endpoint, is generated."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import gradio as gr

from gradio_tabs.common import LabSession, param_control, user_errors
from gradio_tabs.lab_tab import PRIVATE, Panel, component_value, output_component

# The Samples panel's seed box, gallery and note, for the Interpolate panel (built after it) to
# wire a click on a sample to its ends.
_samples: dict[str, gr.Component] = {}


def _answer(panel: Panel, inputs: Sequence[gr.Component], outputs: list, triggers: list[Callable]) -> None:
    """Run the interaction on each trigger: a message line first, then its outputs in order."""
    names = [param.name for param in panel.interaction.inputs]

    def answer(choice: str | None, state: LabSession | None, *values: Any) -> list:
        try:
            trained = panel.model(choice, state)
            with user_errors():
                result = panel.interaction(trained, dict(zip(names, values, strict=True)))
        except gr.Error as error:
            return [f"**{error.message}**", *[None] * (len(outputs) - 1)]
        return ["", *[component_value(o, result.get(o.name)) for o in panel.interaction.outputs]]

    for trigger in triggers:
        trigger(answer, [panel.model_choice, panel.session, *inputs], outputs, **PRIVATE)


def sample(panel: Panel) -> None:
    declared = panel.interaction.outputs
    with gr.Row():
        with gr.Column(scale=1):
            inputs = [param_control(param) for param in panel.interaction.inputs]
        with gr.Column(scale=3):
            shown = [
                replace(o, label=f"{o.label} (click two)") if o.kind == "gallery" else o for o in declared
            ]
            outputs = [gr.Markdown(), *map(output_component, shown)]
            outputs[1].elem_id = "gan-samples"
    _answer(panel, inputs, outputs, [c.change for c in inputs] + [panel.model_choice.change])
    _samples.update(seed=inputs[0], gallery=outputs[1], note=outputs[2])


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
            outputs = [
                gr.Markdown(elem_id="gan-path-note"),
                *map(output_component, panel.interaction.outputs),
            ]
            animation = gr.Image(label="As an animation", type="filepath", interactive=False, height=200)
    _answer(panel, inputs, outputs, [run.click])
    gif = outputs[1 + [o.name for o in panel.interaction.outputs].index("animation")]
    gif.change(lambda path: path, gif, animation, **PRIVATE)  # the GIF file, playing
    if _samples:
        start, end = inputs[0], inputs[1]
        _samples["gallery"].select(
            _pick_sample, [_samples["seed"], start, end], [start, end, _samples["note"]], **PRIVATE
        )
