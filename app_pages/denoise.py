"""Denoising lab: train a conv autoencoder live on noisy digits, then corrupt a digit of your own
(drawn, or picked from the held-out set) and see it restored, with the PSNR of each."""

from __future__ import annotations

import numpy as np
import streamlit as st

import ui_streamlit as ui
from core import charts
from core.data import DataUnavailableError, ImageData, training_data
from core.imaging import ImageInputError
from core.labs import denoise
from core.labs.base import TrainedModel
from core.noise import DEFAULT_LEVELS, LEVEL_NAMES, LEVEL_RANGE, MAX_SEED, NOISE_KINDS, NOISE_LABELS
from core.registry import get_lab

LAB = get_lab("denoise")
SPEC = LAB.spec
TRAINING = "denoise-training"  # session-state key of this page's training
DRAW, HELDOUT = "Draw a digit", "A held-out digit"
COURSE_RECIPE_NOTE = (
    "The course recipe: architecture course, noise gaussian 0.5, 10 epochs, learning rate "
    "0.001, schedule constant, dark start off."
)


@st.cache_resource(max_entries=8, show_spinner="Loading the held-out digits...")
def heldout_data(key: str, _trained: TrainedModel) -> ImageData:
    """The data the model learnt from, once per model (`key`), shared by the sessions using it."""
    return training_data(_trained.config)


def training_section() -> None:
    st.subheader("Training")
    ui.show_training(
        TRAINING,
        hint="Pick the settings in the sidebar and press **Train**. Three curves grow here: the loss "
        "(mean squared error), the PSNR of the denoised held-out digits and their gain over the noisy "
        "input, in dB; below them, fixed held-out digits as clean | noisy | denoised. Meanwhile the "
        "pretrained model below is ready to use.",
        metrics=("loss", "psnr", "psnr_gain"),
    )


def drawn_digit() -> np.ndarray | None:
    """The drawing pad's digit as a 28x28 frame, or None while the pad is empty."""
    drawing = ui.drawing_pad("denoise-try-pad")
    if drawing is None:
        return None
    try:
        return denoise.drawing_frame(drawing)
    except ImageInputError:
        return None  # an empty or cleared pad


def heldout_digit(trained: TrainedModel) -> np.ndarray | None:
    """A held-out digit picked by number, or None after saying why there is none."""
    try:
        data = heldout_data(ui.model_key(trained), trained)
    except DataUnavailableError as error:
        st.warning(f"The held-out data for this model is not available here: {error}")
        return None
    count = len(data.test_images)
    index = st.number_input(
        f"Held-out digit number (0 to {count - 1:,})", 0, count - 1, key="denoise-try-index"
    )
    return denoise.heldout_digit(data, int(index))


def new_noise() -> None:
    st.session_state["denoise-try-seed"] = (st.session_state.get("denoise-try-seed", 0) + 1) % (MAX_SEED + 1)


def noise_controls() -> tuple[str, float, int]:
    kind = st.selectbox(
        "Noise", NOISE_KINDS, format_func=lambda k: NOISE_LABELS[k].capitalize(), key="denoise-try-kind"
    )
    level = st.slider(
        f"Level: {LEVEL_NAMES[kind]}",
        *LEVEL_RANGE,
        value=DEFAULT_LEVELS[kind],
        step=0.05,
        key=f"denoise-try-level-{kind}",  # one slider per kind, each starting at its own default
    )
    seed = st.number_input("Noise seed", 0, MAX_SEED, key="denoise-try-seed")
    st.button("🎲 New noise", on_click=new_noise, key="denoise-try-reseed")
    return kind, level, int(seed)


def show_result(result: denoise.DenoiseResult) -> None:
    pictures = st.columns(3)
    for column, image, caption in zip(
        pictures,
        (result.clean, result.noisy, result.denoised),
        ("Clean", f"Noisy: {result.psnr_in:.1f} dB", f"Denoised: {result.psnr_out:.1f} dB"),
        strict=True,
    ):
        column.image(charts.to_uint8(charts.upscale(image, 8)), caption=caption)
    with st.container(key="denoise-try-figures"):
        noisy, restored, gain = st.columns(3)
        noisy.metric("PSNR of the noisy input", f"{result.psnr_in:.2f} dB")
        restored.metric(
            "PSNR of the denoised output", f"{result.psnr_out:.2f} dB", delta=f"{result.gain:+.2f} dB"
        )
        gain.metric("Gain", f"{result.gain:+.2f} dB")


def try_it(trained: TrainedModel) -> None:
    # The source picker sits with the noise controls: above the pad, the pad's floating
    # toolbar would cover it.
    source, controls = st.columns([3, 2])
    with controls:
        choice = st.radio("Digit", [DRAW, HELDOUT], horizontal=True, key="denoise-try-source")
        clean = heldout_digit(trained) if choice == HELDOUT else None
        kind, level, seed = noise_controls()
    with source:
        if choice == DRAW:
            clean = drawn_digit()
        elif clean is not None:  # the digit where the pad would be
            st.image(charts.to_uint8(charts.upscale(clean, 10)), caption="The held-out digit")
    if clean is None:
        if choice == DRAW:
            st.info(
                "Draw a digit on the black pad first (or pick a held-out digit): it appears here clean, "
                "noisy and denoised."
            )
        return
    show_result(denoise.corrupt_and_denoise(trained, clean, kind, level, seed))


def heldout_table(trained: TrainedModel) -> None:
    """The model's recorded held-out PSNR for each kind of noise."""
    by_noise = trained.metrics.get("psnr_by_noise")
    if not by_noise:
        return
    rows = "\n".join(
        f"| {name} | {f['psnr_in']:.2f} | {f['psnr_out']:.2f} | {f['psnr_gain']:+.2f} |"
        for name, f in by_noise.items()
    )
    st.markdown(
        "Held-out PSNR of this model (mean of each image's PSNR, dB, the same noise for every model)\n\n"
        "| noise | noisy input | denoised | gain |\n| --- | --- | --- | --- |\n" + rows
    )


def main() -> None:
    ui.lab_header(SPEC)
    values = ui.settings_but_architecture(SPEC, COURSE_RECIPE_NOTE)
    training_section()
    trained = ui.architecture_model_section(LAB, TRAINING, values)
    if trained is None:
        return
    with st.expander("How well it denoises each kind of noise"):
        heldout_table(trained)

    st.subheader("Try it")
    try_it(trained)


main()
