"""Palindromes lab: train a vanilla RNN and an LSTM side by side on palindromes of growing length
and watch the accuracy-vs-T plot fill in, then type a prefix and see both answers and what each
LSTM gate did at each step."""

from __future__ import annotations

import streamlit as st

import ui_streamlit as ui
from core import charts
from core.history import TrainingHistory
from core.labs import palindromes
from core.labs.base import TrainedModel
from core.recurrent import TEMPERATURE_RANGE, SequenceInputError
from core.registry import get_lab

LAB = get_lab("palindromes")
SPEC = LAB.spec
TRAINING = "palindromes-training"  # session-state key of this page's training
HEATMAP_UNITS = 32
GATE_VIEWS = ("forget", "input", "cell", "output", "cell state")


def live_view(history: TrainingHistory) -> None:
    """While training: accuracy vs T for the lengths done so far, and both models' curves at the
    length being trained."""
    rows = palindromes.finished_rows(history)
    if rows:
        st.plotly_chart(
            palindromes.accuracy_figure(rows, "Held-out accuracy against T, as each length finishes"),
            key="palindromes-live-sweep",
        )
    if history.steps:
        loss, held = palindromes.current_length_curves(history)
        left, right = st.columns(2)
        left.plotly_chart(loss, key="palindromes-live-loss")
        right.plotly_chart(held, key="palindromes-live-heldout")


def training_section() -> None:
    st.subheader("Training")
    ui.show_training(
        TRAINING,
        hint="Pick the settings in the sidebar and press **Train**. A sweep trains a fresh RNN and LSTM "
        "for each length T and adds both accuracies to the plot as each length finishes; below it, the "
        "two models' loss and held-out accuracy at the length being trained. Meanwhile the pretrained "
        "models below are ready to use.",
        metrics=("loss",),
        view_history=live_view,
    )


def show_guess(column, name: str, guess: palindromes.Guess, expected: int) -> None:
    verdict = "right" if guess.digit == expected else f"wrong: a palindrome ends in {expected}"
    column.metric(
        f"{name} answers",
        str(guess.digit),
        delta=verdict,
        delta_color="normal" if guess.digit == expected else "inverse",
    )
    column.plotly_chart(
        charts.probability_bars(guess.probabilities, [str(d) for d in range(10)]),
        key=f"palindromes-try-{name}-bars",
    )


def try_it(trained: TrainedModel) -> None:
    lengths = trained.model.lengths
    text, temperature = st.columns([3, 1])
    prefix = text.text_input(
        f"The first T-1 digits of a palindrome ({min(lengths) - 1} to {max(lengths) - 1} digits)",
        value="1234567876543",
        key="palindromes-try-prefix",
        help="The models name the last digit. Try a long prefix: the RNN forgets the first digit.",
    )
    warmth = temperature.number_input(
        "Softmax temperature",
        value=1.0,
        min_value=0.0,
        step=0.5,
        key="palindromes-try-temperature",
        help=f"Below 1 sharpens the probabilities, above 1 flattens them; kept within {TEMPERATURE_RANGE}.",
    )
    try:
        result = palindromes.predict_last_digit(trained, prefix, warmth)
    except SequenceInputError as error:
        st.error(str(error))
        return
    for note in result.notes:
        st.info(note)
    with st.container(key="palindromes-try-answers"):
        st.caption(
            f"T = {result.length}: the answer a palindrome needs is the first digit, {result.expected}."
        )
        lstm, rnn = st.columns(2)
        show_guess(lstm, "LSTM", result.guesses["lstm"], result.expected)
        show_guess(rnn, "Vanilla RNN", result.guesses["rnn"], result.expected)

    st.markdown(
        f"**Inside the LSTM** (trained at T = {result.model_length}): each row is a hidden unit, each column "
        f"a step. Shown: the {HEATMAP_UNITS} units whose memory is fullest when the answer is read."
    )
    units = palindromes.busiest_units(result, HEATMAP_UNITS)
    gate = st.radio("Show", GATE_VIEWS, horizontal=True, key="palindromes-try-gate")
    st.plotly_chart(palindromes.gate_figure(result, gate, units), key="palindromes-try-heatmap")


def main() -> None:
    ui.lab_header(SPEC)
    ui.training_sidebar(LAB, TRAINING, course_recipe=palindromes.COURSE_RECIPE)
    training_section()
    trained = ui.model_section(LAB, TRAINING)
    if trained is None:
        return
    rows = trained.metrics.get("lengths") or []
    if rows:
        st.plotly_chart(palindromes.accuracy_figure(rows), key="palindromes-model-sweep")
        with st.expander("Steps each model took at each length"):
            st.markdown(palindromes.steps_table(rows))
    st.subheader("Try it")
    try_it(trained)


main()
