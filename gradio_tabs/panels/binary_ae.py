"""The binary autoencoder's bits to flip in Gradio: beside a digit (one from the data, or drawn
or uploaded), a box per bit; ticking one flips that bit and redraws the decoded digit (the lab's
`decode`). The rest of the tab is generated from the lab's declaration."""

from __future__ import annotations

from typing import Any

import gradio as gr

from core.bit_codes import CODE_BITS
from core.interactions import Output
from gradio_tabs.common import LabSession, user_errors
from gradio_tabs.lab_tab import (
    PRIVATE,
    Panel,
    _triggers,
    _value_of,
    component_value,
    input_component,
    output_component,
)

FLIPPED = Output("flipped", "image", "With the bits flipped", size=192)
GROUPS = "Bits to flip (0-15: channel 1, 16-31: channel 2, 32-47: channel 3)"


def digit(panel: Panel) -> None:
    interaction = panel.interaction
    shown = [o for o in interaction.outputs if o.name in ("code", "input", "reconstruction")] + [FLIPPED]
    with gr.Row():
        with gr.Column(scale=1):
            inputs = [input_component(param) for param in interaction.inputs]
            flips = gr.CheckboxGroup([str(i) for i in range(CODE_BITS)], value=[], label=GROUPS)
            flip_none = gr.Button("Flip none")
        with gr.Column(scale=2):
            summary = gr.Markdown()
            bits = gr.Textbox(label="The 48 bits (after the flips)", interactive=False)
            with gr.Row():
                pictures = [output_component(output) for output in shown]

    def answer(choice: str | None, state: LabSession | None, *values: Any) -> list:
        *values, flipped = values
        try:
            trained = panel.model(choice, state)
            with user_errors():
                result = interaction(
                    trained, dict(zip([p.name for p in interaction.inputs], values, strict=True))
                )
                code = panel.lab.interaction("decode")(
                    trained, {"bits": result["bits"], "flips": ",".join(flipped)}
                )
        except gr.Error as error:
            return [f"**{error.message}**", None, *[None] * len(shown)]
        result |= {"code": code["code"], "flipped": code["digits"][0][0]}
        headline = f"{result['summary']} · {len(flipped)} bit{'s' * (len(flipped) != 1)} flipped"
        return [headline, code["bits"], *[component_value(o, result[o.name]) for o in shown]]

    sources = [panel.model_choice, panel.session, *[_value_of(c) for c in inputs], flips]
    for trigger in [t for c in inputs for t in _triggers(c)] + [flips.change, panel.model_choice.change]:
        trigger(answer, sources, [summary, bits, *pictures], trigger_mode="always_last", **PRIVATE)
    flip_none.click(lambda: [], None, flips, api_visibility="private")


encode = digit  # the same panel for a drawn or uploaded digit
