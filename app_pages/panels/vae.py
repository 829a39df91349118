"""The VAE's latent map in Streamlit, drawn by the lab: a click on a held-out digit's dot, or a
box dragged with the chart's Box select, moves the sliders there and decodes that point. The
rest of the page is generated from the lab's declaration.

Streamlit turns a click into a selection only while the chart's drag mode is not a selection
mode (it sets plotly's clickmode to "event" then), so the map opens in zoom mode, where a click
selects a dot and a drag zooms; Box select is a button of the chart's toolbar."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from core import charts
from core.data import DataUnavailableError
from core.labs.vae import interactions as vae
from core.labs.vae import latent
from core.labs.vae.latent import Z_LIMIT, LatentInputError

# Module-level names that match an interaction (decode, encode, ...) would replace its panel:
# core's functions are reached through their modules.

KEY = "vae-latent-map"


def selected_point(event: Any) -> tuple[float, float, int | None] | None:
    """A selection event's clicked dot (x, y and its held-out row) or dragged box's centre."""
    selection = getattr(event, "selection", None) or {}
    points, boxes = selection.get("points") or [], selection.get("box") or []
    if points:
        row = points[0].get("customdata")
        row = row[0] if isinstance(row, list) and row else row  # plotly may send a list
        return float(points[0]["x"]), float(points[0]["y"]), row if isinstance(row, int) else None
    if boxes:
        return float(np.mean(boxes[0]["x"])), float(np.mean(boxes[0]["y"])), None
    return None


def apply_selection(target: tuple | None, dims: tuple[int, int]) -> None:
    """Move the sliders to a new selection, once, so that they stay the student's to move."""
    if target is None or st.session_state.get(f"{KEY}-applied") == target:
        return
    st.session_state[f"{KEY}-applied"] = target
    for dim, value in zip(dims, target[:2], strict=True):
        st.session_state[f"{KEY}-z{dim}"] = float(np.clip(round(value, 2), -Z_LIMIT, Z_LIMIT))
    st.session_state[f"{KEY}-clicked"] = target[2]


def chosen_axes(trained) -> tuple[int, int]:
    """Dimensions 0 and 1 for a 2-D latent, else the student's pick."""
    size = latent.latent_size(trained)
    if size == 2:
        return 0, 1
    left, right = st.columns(2)
    pick = {"options": range(1, size + 1), "format_func": lambda d: f"z{d}"}
    x_dim = left.selectbox("Horizontal axis", index=0, key=f"{KEY}-x_dim", **pick)
    y_dim = right.selectbox("Vertical axis", index=1, key=f"{KEY}-y_dim", **pick)
    return vae.axes(trained, x_dim, y_dim)


def latent_map(lab, interaction, trained) -> None:
    try:
        dims = chosen_axes(trained)
        figure = vae.map_figure(trained, dims)
    except (LatentInputError, DataUnavailableError) as error:
        st.warning(str(error))
        return
    chart, decoded = st.columns([3, 2])
    with chart:
        event = st.plotly_chart(
            figure.update_layout(dragmode="zoom"),
            key=f"{KEY}-plot",
            on_select="rerun",
            selection_mode=("points", "box"),
            width="stretch",
        )
        digits = latent.heldout_map(trained)
        st.caption(
            f"{len(digits.labels):,} held-out digits of {digits.data}. Click a digit's dot to decode "
            "that point (on a touch screen, tap it twice: the first tap shows which digit it is), "
            "or pick Box select in the chart's toolbar and drag a box; drag to zoom in, "
            "double-click to zoom out, click a legend entry to hide that digit."
        )
        apply_selection(selected_point(event), dims)
    with decoded:
        z = np.zeros(latent.latent_size(trained), dtype=np.float32)
        for dim in dims:
            st.session_state.setdefault(f"{KEY}-z{dim}", 0.0)  # a click on the map moves it
            z[dim] = st.slider(f"z{dim + 1}", -Z_LIMIT, Z_LIMIT, step=0.05, key=f"{KEY}-z{dim}")
        st.image(charts.picture(latent.decode(trained, z)[0], 224), caption=vae.point_caption(trained, z))
        clicked = st.session_state.get(f"{KEY}-clicked")
        if isinstance(clicked, int) and 0 <= clicked < len(digits.images):
            st.image(
                charts.picture(digits.images[clicked] / 255.0, 84), caption="The held-out digit you clicked"
            )
