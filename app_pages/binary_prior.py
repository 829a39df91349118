"""Autoregressive prior lab: train an LSTM (or the course's fully connected denoiser) on the 48-bit
codes of the bundled binary autoencoder, then generate codes and see which training digit each
one reproduced, or that it is new."""

from __future__ import annotations

import streamlit as st

import ui_streamlit as ui
from core import charts
from core.checkpoints import CheckpointError
from core.data import DataUnavailableError
from core.labs import binary_prior
from core.labs.base import TrainedModel
from core.registry import get_lab
from core.specs import SpecError

LAB = get_lab("binary-prior")
SPEC = LAB.spec
TRAINING = "binary-prior-training"


def training_settings() -> dict:
    with st.sidebar:
        st.header("Train your own")
        values = ui.param_controls(SPEC)
        st.caption(
            "The course recipes: lstm on 128 codes, 100 epochs, learning rate 0.001; denoise-fc on 64 "
            "codes, 200 epochs, noise 0.05, temperature 0. Both learn the codes of the bundled "
            "autoencoder."
        )
        return values


def training_section() -> None:
    st.subheader("Training")
    ui.show_training(
        TRAINING,
        hint="Pick the settings in the sidebar and press **Train**. The curves show the loss, the share "
        "of next bits predicted right and, a few times per training, the memorisation rate of "
        "generated codes; below them, generated digits beside the training digit each reproduced.",
        metrics=("loss", "bit_accuracy", "memorisation"),
    )


def show_generation(result: binary_prior.Generation) -> None:
    memorised = int((result.distance == 0).sum())
    st.metric(
        "Memorisation rate",
        f"{result.rate:.0%}",
        help="Share of the generated codes that exactly equal the code of a training digit.",
    )
    st.caption(f"{memorised} of {len(result.bits)} generated codes equal a training digit's code.")
    for note in result.notes:
        st.warning(note.capitalize())
    columns = 8
    with st.container(key="binary-prior-samples"):
        for start in range(0, len(result.bits), columns):
            cells = st.columns(columns)
            for offset, cell in enumerate(cells):
                index = start + offset
                if index >= len(result.bits):
                    break
                distance, nearest = int(result.distance[index]), int(result.nearest[index])
                cell.image(charts.to_uint8(charts.upscale(result.images[index], 3)), caption="generated")
                if distance == 0:
                    cell.image(
                        charts.to_uint8(charts.upscale(result.originals[index], 3)),
                        caption=f"= training digit {nearest}",
                    )
                else:
                    cell.caption(f"**new**: {distance} bits from training digit {nearest}")


def try_it(trained: TrainedModel) -> None:
    left, right = st.columns([1, 3])
    with left:
        n = st.slider("Samples", 1, 64, 16, key="binary-prior-gen-n")
        temperature = st.number_input(
            "Temperature",
            min_value=0.0,
            value=1.0,
            step=0.1,
            help="0: always the likelier bit; 1: the learnt probabilities; above 1: closer to coin tosses "
            f"(clamped at {binary_prior.TEMPERATURE_MAX:g}).",
            key="binary-prior-gen-temperature",
        )
        seed = st.number_input("Seed", 0, 2**31 - 1, 0, key="binary-prior-gen-seed")
    with right:
        try:
            result = binary_prior.generate(trained, n, temperature, int(seed))
        except (SpecError, DataUnavailableError, CheckpointError) as error:
            st.error(str(error))  # a bad pairing, or its autoencoder missing
            return
        show_generation(result)


def main() -> None:
    ui.lab_header(SPEC)
    values = training_settings()
    training_section()
    params = ui.validated(SPEC, values)
    with st.sidebar:
        ui.train_button(LAB, TRAINING, params)
    trained = ui.model_section(LAB, TRAINING, params)
    if trained is None:
        return
    st.subheader("Generate")
    try_it(trained)


main()
