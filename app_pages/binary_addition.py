"""Binary addition lab: train an LSTM live to add numbers bit by bit, see how far beyond its
training length it stays right, and type two numbers to see its sum and its confidence in each
bit."""

from __future__ import annotations

import streamlit as st

import ui_streamlit as ui
from core.labs import binary_addition
from core.labs.base import TrainedModel
from core.recurrent import TEMPERATURE_RANGE, SequenceInputError
from core.registry import get_lab

LAB = get_lab("binary-addition")
SPEC = LAB.spec
TRAINING = "binary-addition-training"  # session-state key of this page's training


def training_section() -> None:
    st.subheader("Training")
    ui.show_training(
        TRAINING,
        hint="Pick the settings in the sidebar and press **Train**. Three curves grow here: the loss, the "
        "share of bits right and the share of sums with every bit right, on training pairs and on "
        "held-out pairs at the training length. Meanwhile the pretrained model below is ready to use.",
        metrics=("loss", "bit_accuracy", "sum_accuracy"),
    )


def try_it(trained: TrainedModel) -> None:
    first, second, temperature = st.columns([2, 2, 1])
    a = first.text_input("First number (binary)", value="1011", key="binary-addition-try-a")
    b = second.text_input("Second number (binary)", value="111", key="binary-addition-try-b")
    warmth = temperature.number_input(
        "Sigmoid temperature",
        value=1.0,
        min_value=0.0,
        step=0.5,
        key="binary-addition-try-temperature",
        help=f"Scales the confidences: below 1 sharper, above 1 softer; kept within {TEMPERATURE_RANGE}.",
    )
    try:
        result = binary_addition.add_numbers(trained, a, b, warmth)
    except SequenceInputError as error:
        st.error(str(error))
        return
    for note in result.notes:
        st.info(note)
    with st.container(key="binary-addition-try-result"):
        model, truth = st.columns(2)
        verdict = "right" if result.correct else f"{len(result.wrong_bits)} bit(s) wrong"
        model.metric(
            "The LSTM's sum",
            f"{result.predicted_bits} ({result.predicted_value})",
            delta=verdict,
            delta_color="normal" if result.correct else "inverse",
        )
        truth.metric("The true sum", f"{result.expected_bits} ({result.expected_value})")
    st.plotly_chart(binary_addition.confidence_figure(result), key="binary-addition-try-bits")


def main() -> None:
    ui.lab_header(SPEC)
    ui.training_sidebar(LAB, TRAINING, course_recipe=binary_addition.COURSE_RECIPE)
    training_section()
    trained = ui.model_section(LAB, TRAINING)
    if trained is None:
        return
    rows = trained.metrics.get("lengths") or []
    if rows:
        figure = binary_addition.accuracy_figure(rows, trained.config.get("train_length"))
        st.plotly_chart(figure, key="binary-addition-model-lengths")
    st.subheader("Try it")
    try_it(trained)


main()
