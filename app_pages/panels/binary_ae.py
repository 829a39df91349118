"""The binary autoencoder's bits as ticks in Streamlit: a digit's 48 bits are three 4x4 grids of
checkboxes, and ticking one flips that bit and redraws the decoded digit (the lab's `decode`).
The rest of the page is generated from the lab's declaration."""

from __future__ import annotations

import streamlit as st

import ui_streamlit as ui
from core import charts


def ticks(bits: str, key: str) -> str:
    """The code as three 4x4 grids of checkboxes (ticked = 1), keyed by the encoded code so that
    a new digit starts from its own bits; returns the bits as the student has set them."""
    chosen = list(bits)
    for channel, column in enumerate(st.columns(3)):
        column.caption(f"Channel {channel + 1}")
        for row in range(4):
            for col, cell in enumerate(column.columns(4)):
                i = channel * 16 + row * 4 + col
                box = {"value": bits[i] == "1", "key": f"{key}-bit-{bits}-{i}", "help": f"bit {i}"}
                chosen[i] = "1" if cell.checkbox(str(i), label_visibility="collapsed", **box) else "0"
    return "".join(chosen)


def digit(lab, interaction, trained) -> None:
    """A digit (one from the data, or drawn or uploaded), its bits as ticks, and three pictures."""
    key = f"binary-ae-{interaction.name}"
    values = {param.name: ui.input_control(param, f"{key}-{param.name}") for param in interaction.inputs}
    if any(value is None for value in values.values()):
        st.info("Draw a digit on the black pad (or upload one): its 48 bits appear here.")
        return
    try:
        result = interaction(trained, values)
    except ui.USER_ERRORS as error:
        st.warning(str(error))
        return
    bits = result["bits"]
    st.markdown(result["summary"] + " Tick or untick a bit to flip it (ticked = 1).")
    st.code(bits, language=None)
    flips = [str(i) for i, (a, b) in enumerate(zip(ticks(bits, key), bits, strict=True)) if a != b]
    flipped = lab.interaction("decode")(trained, {"bits": bits, "flips": ",".join(flips)})["digits"][0][0]
    pictures = st.container(key=f"{key}-pictures").columns(3)
    pictures[0].image(charts.picture(result["input"], 192), caption="Input (32x32)")
    pictures[1].image(
        charts.picture(result["reconstruction"], 192), caption=f"From its code: {result['psnr']:.1f} dB"
    )
    pictures[2].image(
        charts.picture(flipped, 192), caption=f"With {len(flips)} bit{'s' * (len(flips) != 1)} flipped"
    )
    if st.button("Reset the bits", key=f"{key}-reset"):
        for name in [name for name in st.session_state if str(name).startswith(f"{key}-bit-{bits}-")]:
            del st.session_state[name]
        st.rerun()


encode = digit  # the same panel for a drawn or uploaded digit
