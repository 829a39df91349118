"""The binary autoencoder's bits as ticks in Streamlit: a digit's 48 bits are three 4x4 grids of
checkboxes, and ticking one flips that bit and redraws the decoded digit. The rest of the page
is generated from the lab's declaration."""

from __future__ import annotations

import streamlit as st

import ui_streamlit as ui
from core import charts
from core.bit_codes import CODE_BITS


def encode(lab, interaction, trained) -> None:
    image = ui.input_control(interaction.input("image"), "binary-ae-encode-image")
    if image is None:
        st.info("Draw a digit on the black pad (or upload one): its 48 bits appear here.")
        return
    flipping(lab, interaction, trained, {"image": image}, "binary-ae-encode")


def digit(lab, interaction, trained) -> None:
    left, right = st.columns(2)
    with left:
        split = ui.input_control(interaction.input("split"), "binary-ae-digit-split")
    with right:
        index = ui.input_control(interaction.input("index"), "binary-ae-digit-index")
    flipping(lab, interaction, trained, {"split": split, "index": index}, "binary-ae-digit")


def ticks(bits: str, key: str) -> str:
    """The code as three 4x4 grids of checkboxes (ticked = 1), starting at the encoded bits;
    returns the bits as the student has set them. The widgets are keyed by the encoded code, so
    a new digit starts from its own bits."""
    chosen = list(bits)
    for channel, column in enumerate(st.columns(3)):
        with column:
            st.caption(f"Channel {channel + 1}")
            for row in range(4):
                for col, cell in enumerate(st.columns(4)):
                    index = channel * 16 + row * 4 + col
                    ticked = cell.checkbox(
                        str(index),
                        value=bits[index] == "1",
                        key=f"{key}-bit-{bits}-{index}",
                        label_visibility="collapsed",
                        help=f"bit {index}",
                    )
                    chosen[index] = "1" if ticked else "0"
    return "".join(chosen)


def flipping(lab, interaction, trained, values: dict, key: str) -> None:
    try:
        result = interaction(trained, values)
    except ui.USER_ERRORS as error:
        st.warning(str(error))
        return
    bits = result["bits"]
    st.markdown(result["summary"] + " Tick or untick a bit to flip it (ticked = 1).")
    st.code(bits, language=None)
    flips = [str(i) for i, (a, b) in enumerate(zip(ticks(bits, key), bits, strict=True)) if a != b]
    decoded = lab.interaction("decode")(trained, {"bits": bits, "flips": ",".join(flips)})
    with st.container(key=f"{key}-pictures"):
        pictures = st.columns(3)
        pictures[0].image(charts.picture(result["input"], 192), caption="Input (32x32)")
        pictures[1].image(
            charts.picture(result["reconstruction"], 192), caption=f"From its code: {result['psnr']:.1f} dB"
        )
        pictures[2].image(
            charts.picture(decoded["digits"][0][0], 192),
            caption=f"With {len(flips)} bit{'s' * (len(flips) != 1)} flipped",
        )
    if st.button("Reset the bits", key=f"{key}-reset"):
        for index in range(CODE_BITS):
            st.session_state.pop(f"{key}-bit-{bits}-{index}", None)
        st.rerun()
