"""VAE lab: train a variational autoencoder live, then walk its latent space: the map of held-out
digits, decoding any point, the manifold grid, drawings placed on the map, interpolations."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

import ui_streamlit as ui
from core import charts
from core.data import DataUnavailableError, training_data
from core.imaging import ImageInputError
from core.labs import vae
from core.labs.base import TrainedModel
from core.registry import get_lab

LAB = get_lab("vae")
SPEC = LAB.spec
TRAINING = "vae-training"  # session-state key of this page's training
PAD_SIZE = 200
MAP_KEY = "vae-map"
SLIDER_LIMIT = vae.Z_LIMIT  # codes reach beyond the prior's ±3: cover all that decode


@st.cache_resource(max_entries=8, show_spinner="Encoding the held-out digits...")
def held_out_map(key: str, _trained: TrainedModel) -> tuple[vae.LatentMap, np.ndarray]:
    """Every held-out digit's code and image, once per model (`key`), shared by the sessions."""
    data = training_data(_trained.config)
    return vae.latent_map(_trained, data), data.test_images.numpy()


def enlarged(image: np.ndarray, factor: int = 6) -> np.ndarray:
    return charts.to_uint8(charts.upscale(image, factor))


def plotted_dims(trained: TrainedModel, key: str) -> tuple[int, int]:
    """The two latent dimensions the map and the manifold show: 0 and 1 for a 2-D latent,
    the student's pick for larger ones."""
    size = vae.latent_size(trained)
    if size == 2:
        return 0, 1
    x_col, y_col = st.columns(2)
    x = x_col.selectbox("Horizontal axis: z dimension", range(size), index=0, key=f"{key}-x")
    y = y_col.selectbox("Vertical axis: z dimension", range(size), index=1, key=f"{key}-y")
    if x == y:
        st.warning("Pick two different dimensions.")
        return 0, 1
    return x, y


def map_of(trained: TrainedModel) -> vae.LatentMap | None:
    """The model's held-out latent map, or None after saying why there is none."""
    try:
        return held_out_map(ui.model_key(trained), trained)[0]
    except DataUnavailableError as error:
        st.warning(f"The held-out data for this model is not available here: {error}")
        return None


def latent_figure(
    trained: TrainedModel, dims: tuple[int, int], title: str, overlays=()
) -> charts.go.Figure | None:
    """The held-out latent map with `overlays` (name, (K, d) codes) on top, or None after
    saying why it cannot be drawn."""
    latent_map = map_of(trained)
    if latent_map is None:
        return None
    shown = [(name, np.asarray(codes)[:, list(dims)]) for name, codes in overlays]
    return charts.class_scatter(
        latent_map.means[:, list(dims)],
        latent_map.labels,
        latent_map.classes,
        title=title,
        x_title=f"z{dims[0] + 1}",
        y_title=f"z{dims[1] + 1}",
        overlays=shown,
    )


def training_section() -> None:
    st.subheader("Training")
    ui.show_training(
        TRAINING,
        hint="Pick the settings in the sidebar and press **Train**. Three curves grow here: the loss "
        "(negative ELBO, nats per image) and its two terms, reconstruction and KL; below them, fixed "
        "held-out digits beside their reconstructions. Meanwhile the pretrained model below is ready.",
        metrics=("loss", "reconstruction", "kl"),
    )


def apply_selection(event, dims: tuple[int, int]) -> None:
    """Move the sliders to a clicked point (or a dragged box's centre), once per new selection,
    so that the sliders stay the student's to move afterwards."""
    selection = getattr(event, "selection", None) or {}
    points, boxes = selection.get("points") or [], selection.get("box") or []
    target = None
    if points:
        point = points[0]
        target = (point["x"], point["y"], point.get("customdata"))
    elif boxes:
        box = boxes[0]
        target = (float(np.mean(box["x"])), float(np.mean(box["y"])), None)
    if target is None or st.session_state.get("vae-applied") == target:
        return
    st.session_state["vae-applied"] = target
    for dim, value in zip(dims, target[:2], strict=True):
        st.session_state[f"vae-z{dim}"] = float(np.clip(round(value, 2), -SLIDER_LIMIT, SLIDER_LIMIT))
    index = target[2]
    if isinstance(index, list):  # plotly sends customdata as a list for array data
        index = index[0] if index else None
    st.session_state["vae-clicked"] = index


def map_tab(trained: TrainedModel) -> None:
    size = vae.latent_size(trained)
    dims = plotted_dims(trained, "vae-map-dims")
    chart, decoded = st.columns([3, 2])
    with chart:
        figure = latent_figure(trained, dims, "Held-out digits in latent space (means of q(z|x))")
        if figure is None:
            return
        figure.update_layout(dragmode="select")
        event = st.plotly_chart(
            figure, key=MAP_KEY, on_select="rerun", selection_mode=("points", "box"), width="stretch"
        )
        latent_map = map_of(trained)
        st.caption(
            f"{len(latent_map.labels):,} held-out digits of {latent_map.data}. Click a digit's dot, "
            "or drag a box, to decode that point; a click on a legend entry hides that digit."
        )
        apply_selection(event, dims)
    with decoded:
        z = np.zeros(size, dtype=np.float32)
        for dim in dims:
            st.session_state.setdefault(f"vae-z{dim}", 0.0)  # a click on the map moves it
            z[dim] = st.slider(f"z{dim + 1}", -SLIDER_LIMIT, SLIDER_LIMIT, step=0.05, key=f"vae-z{dim}")
        if size > 2:
            st.caption("The dimensions not shown stay at 0, the prior's centre.")
        image = vae.decode(trained, z)[0]
        st.image(
            enlarged(image, 8),
            caption=f"Decoded from z = ({', '.join(f'{v:.2f}' for v in z[:4])}"
            + (", ...)" if size > 4 else ")"),
        )
        clicked = st.session_state.get("vae-clicked")
        if isinstance(clicked, int):
            _, images = held_out_map(ui.model_key(trained), trained)
            if 0 <= clicked < len(images):
                st.image(enlarged(images[clicked] / 255.0, 3), caption="The held-out digit you clicked")


def manifold_tab(trained: TrainedModel) -> None:
    size = vae.latent_size(trained)
    dims = plotted_dims(trained, "vae-grid-dims")
    controls, grid = st.columns([1, 3])
    with controls:
        low, high = st.slider(
            "Range of each latent axis",
            -vae.Z_LIMIT,
            vae.Z_LIMIT,
            value=(-3.0, 3.0),
            step=0.25,
            key="vae-grid-range",
            help="The prior N(0, 1) puts 99.7% of codes within ±3.",
        )
        n = st.slider("Grid size (n x n)", *vae.GRID_SIZES, value=15, key="vae-grid-n")
    with grid:
        try:
            result = vae.manifold(trained, low, high, n, dims=dims)
        except vae.LatentInputError as error:
            st.error(f"Cannot draw this grid: {error}.")
            return
        others = f"; the other {size - 2} dimensions at 0" if size > 2 else ""
        ui.show_grid(
            result.images.reshape(-1, 28, 28),
            columns=n,
            size=560,
            caption=f"z{dims[0] + 1} from {low:g} (left) to {high:g} (right), z{dims[1] + 1} from "
            f"{high:g} (top) to {low:g} (bottom){others}",
        )
    if size > 2:
        traverse_section(trained)


def traverse_section(trained: TrainedModel) -> None:
    """Latents above 2: vary one dimension, every other one fixed (at 0 or at a drawn digit)."""
    st.markdown("**Traverse one dimension**, every other one fixed")
    size = vae.latent_size(trained)
    drawn = st.session_state.get("vae-drawn-code")
    bases = ["the prior's centre (all 0)"] + (["the code of your last drawing"] if drawn is not None else [])
    left, right = st.columns([1, 3])
    with left:
        base_name = st.radio("Other dimensions at", bases, key="vae-traverse-base")
        dim = st.selectbox(
            "Dimension to vary", range(size), format_func=lambda d: f"z{d + 1}", key="vae-traverse-dim"
        )
        low, high = st.slider(
            "From, to", -vae.Z_LIMIT, vae.Z_LIMIT, (-3.0, 3.0), 0.25, key="vae-traverse-range"
        )
        steps = st.slider("Steps", 2, 20, 11, key="vae-traverse-steps")
    base = drawn if base_name != bases[0] and drawn is not None else np.zeros(size, np.float32)
    with right:
        try:
            path = vae.traverse(trained, base, dim, low, high, steps)
        except vae.LatentInputError as error:
            st.error(f"Cannot traverse: {error}.")
            return
        ui.show_grid(path.images, columns=steps, size=700, caption=f"z{dim + 1} from {low:g} to {high:g}")


def drawing_pad(key: str) -> np.ndarray | None:
    canvas = st_canvas(
        stroke_width=14,
        stroke_color="#FFFFFF",
        background_color="#000000",
        width=PAD_SIZE,
        height=PAD_SIZE,
        drawing_mode="freedraw",
        return_image_data=True,
        key=key,
    )
    return canvas.image_data


def encode_pad(trained: TrainedModel, pixels: np.ndarray | None) -> vae.Encoding | None:
    """The pad's encoding, or None when it is empty (nothing drawn yet, or cleared)."""
    if pixels is None:
        return None
    try:
        return vae.encode_drawing(trained, pixels)
    except ImageInputError:
        return None


def draw_tab(trained: TrainedModel) -> None:
    pad, seen, plane = st.columns([1, 1, 2])
    with pad:
        encoding = encode_pad(trained, drawing_pad("vae-pad"))
        st.caption("Draw one digit; the bin icon clears the pad.")
    if encoding is None:
        st.session_state.pop("vae-drawn-code", None)
        with seen:
            st.info("Draw a digit: its place on the latent map and its reconstruction appear here.")
        return
    st.session_state["vae-drawn-code"] = encoding.means[0]
    with seen:
        st.image(enlarged(encoding.frames[0], 4), caption="What the encoder sees (28x28)")
        st.image(enlarged(encoding.reconstructions[0], 4), caption="Decoded from its code")
        sigma = np.exp(0.5 * encoding.log_variances[0])
        st.caption(
            "Code (mean ± σ): "
            + ", ".join(f"{m:.2f} ± {s:.2f}" for m, s in zip(encoding.means[0][:4], sigma[:4], strict=True))
            + (" ..." if len(sigma) > 4 else "")
        )
    with plane:
        figure = latent_figure(
            trained,
            plotted_dims(trained, "vae-draw-dims"),
            "Where your digit lands",
            [("your digit", encoding.means)],
        )
        if figure is not None:
            st.plotly_chart(figure, key="vae-draw-map", width="stretch")


def interpolate_tab(trained: TrainedModel) -> None:
    first, second, controls = st.columns([1, 1, 1])
    with first:
        st.markdown("**From**")
        start = encode_pad(trained, drawing_pad("vae-pad-from"))
    with second:
        st.markdown("**To**")
        end = encode_pad(trained, drawing_pad("vae-pad-to"))
    with controls:
        steps = st.slider("Steps", 2, 20, value=10, key="vae-steps")
        st.caption("Draw a digit on each pad: the decoder then walks the straight line between their codes.")
    if start is None or end is None:
        st.info("Draw a digit on both pads (for example a 1 and a 7).")
        return
    path = vae.interpolate(trained, start.means[0], end.means[0], steps)
    ui.show_grid(path.images, columns=steps, size=900, caption="Decoded along the line between the two codes")
    figure = latent_figure(
        trained, plotted_dims(trained, "vae-path-dims"), "The path through latent space", [("path", path.z)]
    )
    if figure is not None:
        st.plotly_chart(figure, key="vae-path-map", width="stretch")


def main() -> None:
    ui.lab_header(SPEC)
    ui.training_sidebar(LAB, TRAINING, vae.COURSE_RECIPE)
    training_section()
    trained = ui.model_section(LAB, TRAINING)
    if trained is None:
        return
    if collapse := vae.collapse_warning(trained.metrics):
        st.warning(collapse)

    st.subheader("Explore the latent space")
    latent_map, grid, draw, between = st.tabs(["Latent map", "Manifold", "Draw", "Interpolate"])
    with latent_map:
        map_tab(trained)
    with grid:
        manifold_tab(trained)
    with draw:
        draw_tab(trained)
    with between:
        interpolate_tab(trained)


main()
