"""The GAN lab's own Streamlit views: both players' curves on shared charts while it trains,
two samples picked from the grid as the ends of the interpolation, and the interpolation's
animation shown as it plays. Everything else is the generated page."""

from __future__ import annotations

import streamlit as st

import ui_streamlit as ui
from core import charts
from core.errors import USER_ERRORS
from core.history import TrainingHistory
from core.interactions import Interaction
from core.labs.base import Lab, TrainedModel
from core.labs.gan.lab import training_figures

PICKS = "gan-picks"  # the two grid samples last chosen as interpolation ends


def training_view(history: TrainingHistory) -> None:
    """Live: collapse warnings, the two players' curves, the quality probe and the latest grid."""
    samples = history.samples
    if samples is not None and "⚠" in samples.title:
        st.warning(samples.title.split("⚠", 1)[1].strip(), icon="⚠️")
    if history.steps:
        for index, (column, figure) in enumerate(zip(st.columns(3), training_figures(history), strict=True)):
            column.plotly_chart(figure, key=f"gan-training-chart-{index}")
    if samples is not None:
        st.image(charts.picture(samples.images[0], 480), caption=samples.title.split(". ⚠")[0])


def sample(lab: Lab, interaction: Interaction, trained: TrainedModel | None) -> None:
    """The generated panel, then pills to pick two of its samples for the Interpolate tab."""
    ui.interaction_panel(lab, interaction, trained)
    seed, count = st.session_state.get("gan-sample-seed"), st.session_state.get("gan-sample-n")
    if not isinstance(seed, int) or not isinstance(count, int) or not 1 <= count <= 64:
        return  # more than 64 samples: type SEED:INDEX in the Interpolate tab instead
    picks = st.pills(
        "Pick two samples to interpolate between",
        list(range(count)),
        selection_mode="multi",
        format_func=lambda i: f"#{i}",
        key=f"gan-picks-{seed}-{count}",
    )
    if len(picks) == 2:
        ends = (f"{seed}:{picks[0]}", f"{seed}:{picks[1]}")
        if st.session_state.get(PICKS) != ends:  # once per new pick: the boxes stay editable
            st.session_state[PICKS] = ends
            st.session_state["gan-interpolate-start"], st.session_state["gan-interpolate-end"] = ends
        st.success(f"Interpolate tab: from {ends[0]} to {ends[1]}.")
    elif len(picks) > 2:
        st.warning("Pick exactly two samples.")


def interpolate(lab: Lab, interaction: Interaction, trained: TrainedModel | None) -> None:
    """The ends as one-line boxes the Samples tab's picks fill, and the animation playing."""
    controls, result = st.columns([1, 3])
    values = {}
    with controls:
        for param in interaction.inputs:
            key = f"gan-interpolate-{param.name}"
            if param.kind == "text":
                st.session_state.setdefault(key, param.default)  # set before drawn: picks may fill it
                values[param.name] = st.text_input(param.label, key=key, help=param.help)
            else:
                values[param.name] = ui.param_control(param, key)
    with result:
        try:
            answer = interaction(trained, values)
        except USER_ERRORS as error:
            st.error(str(error))
            return
        ui.show_outputs(interaction, answer | {"frames": None}, "gan-interpolate")  # the strip shows them
        st.image(answer["animation"].data, caption="As an animation (forth and back)")
