"""Binary autoencoder lab: train it live, then see a digit (drawn, or one it memorised) as a 3x4x4
grid of bits, flip bits and watch the decoded digit change."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

import ui_streamlit as ui
from core import charts
from core.data import DataUnavailableError, ImageData, training_data
from core.imaging import ImageInputError
from core.labs import binary_ae
from core.labs.base import TrainedModel
from core.registry import get_lab

LAB = get_lab("binary-ae")
SPEC = LAB.spec
TRAINING = "binary-ae-training"  # session-state key of this page's training
PAD_SIZE = 280
MEMORISED, DRAW = "A digit it memorised", "Draw a digit"
COURSE_RECIPE_NOTE = (
    "The course recipe: architecture course, learning rate 0.001, schedule constant, "
    "warm-up 0.05, loss l1, push-away weight 0.001."
)


@st.cache_resource(max_entries=8, show_spinner="Loading the training digits...")
def model_data(key: str, _trained: TrainedModel) -> ImageData:
    """The data the model learnt from, once per model (`key`), shared by the sessions using it."""
    return training_data(_trained.config)


def training_section() -> None:
    st.subheader("Training")
    ui.show_training(
        TRAINING,
        hint="Pick the settings in the sidebar and press **Train**. The curves show the loss and the "
        "PSNR of the reconstructions (dB; the course's criterion is 25 dB on the memorised digits, "
        "with binary codes); below them, training digits beside their reconstructions. Meanwhile "
        "the pretrained model below is ready to use.",
        metrics=("loss", "psnr"),
    )


def drawn_digit() -> np.ndarray | None:
    canvas = st_canvas(
        stroke_width=18,
        stroke_color="#FFFFFF",
        background_color="#000000",
        width=PAD_SIZE,
        height=PAD_SIZE,
        drawing_mode="freedraw",
        return_image_data=True,
        key="binary-ae-pad",
    )
    st.caption("Draw one digit, as large as you like. The bin icon clears the pad.")
    if canvas.image_data is None:
        return None
    try:
        return binary_ae.drawing_frame(canvas.image_data)
    except ImageInputError:
        return None  # an empty or cleared pad


def memorised_digit(trained: TrainedModel) -> np.ndarray | None:
    try:
        data = model_data(ui.model_key(trained), trained)
    except DataUnavailableError as error:
        st.warning(f"The training data of this model is not available here: {error}")
        return None
    if data.source.dataset != trained.config.get("data", {}).get("dataset"):
        st.warning(
            f"The digits this model memorised are not on this server; these are {data.source.description}."
        )
    count = int(trained.config["train_size"])
    index = st.number_input(
        f"Training digit number (0 to {count - 1:,}: the ones it memorised)",
        0,
        count - 1,
        key="binary-ae-index",
    )
    return binary_ae.training_digit(data, int(index))


def bit_toggles(bits: np.ndarray) -> np.ndarray:
    """The code as three 4x4 grids of checkboxes (ticked = +1), starting at the encoded bits;
    returns the bits as the student has set them. The widgets are keyed by the encoded code, so
    a new digit starts from its own bits."""
    code = binary_ae.bits_to_text(bits)
    chosen = bits.copy()
    for channel, column in enumerate(st.columns(3)):
        with column:
            st.caption(f"Channel {channel + 1}")
            for row in range(4):
                cells = st.columns(4)
                for col in range(4):
                    index = channel * 16 + row * 4 + col
                    chosen[index] = cells[col].checkbox(
                        str(index),
                        value=bool(bits[index]),
                        key=f"binary-ae-bit-{code}-{index}",
                        label_visibility="collapsed",
                        help=f"bit {index}",
                    )
    return chosen


def try_it(trained: TrainedModel) -> None:
    choice = st.radio("Digit", [MEMORISED, DRAW], horizontal=True, key="binary-ae-source")
    frame = memorised_digit(trained) if choice == MEMORISED else drawn_digit()
    if frame is None:
        st.info("Draw a digit on the black pad first (or pick one it memorised): its 48 bits appear here.")
        return
    encoding = binary_ae.encode(trained, frame)
    st.markdown("**Its code**: tick or untick a bit to flip it (ticked = +1).")
    st.code(encoding.bits_text, language=None)
    bits = bit_toggles(encoding.bits)
    flipped = int((bits != encoding.bits).sum())
    decoded = binary_ae.decode(trained, bits)[0]
    with st.container(key="binary-ae-pictures"):
        pictures = st.columns(3)
        pictures[0].image(charts.to_uint8(charts.upscale(encoding.frame, 6)), caption="Input (32x32)")
        pictures[1].image(
            charts.to_uint8(charts.upscale(encoding.reconstruction, 6)),
            caption=f"From its code: {encoding.psnr:.1f} dB",
        )
        pictures[2].image(
            charts.to_uint8(charts.upscale(decoded, 6)),
            caption=f"With {flipped} bit{'s' * (flipped != 1)} flipped",
        )
    if st.button("Reset the bits", key="binary-ae-reset"):
        for index in range(binary_ae.CODE_BITS):
            st.session_state.pop(f"binary-ae-bit-{encoding.bits_text}-{index}", None)
        st.rerun()


def main() -> None:
    ui.lab_header(SPEC)
    values = ui.settings_but_architecture(SPEC, COURSE_RECIPE_NOTE)
    training_section()
    trained = ui.architecture_model_section(LAB, TRAINING, values)
    if trained is None:
        return
    metrics = trained.metrics
    if "train_psnr_real_codes" in metrics:
        st.caption(
            f"With real-valued codes (no binarisation, as the course measured during its warm-up) "
            f"the memorised digits would score {metrics['train_psnr_real_codes']:.1f} dB; "
            f"{metrics.get('distinct_codes', '?')} distinct codes among "
            f"{metrics.get('train_size', '?')} digits."
        )

    st.subheader("Try it")
    try_it(trained)


main()
