"""Character-level text model: edit the sentences, watch an LSTM memorise them, then let it write
from a prompt with greedy decoding or temperature sampling."""

from __future__ import annotations

import streamlit as st

import ui_streamlit as ui
from core import charts
from core.history import TrainingHistory
from core.labs import charlstm
from core.labs.base import TrainedModel
from core.registry import get_lab
from core.specs import SpecError

LAB = get_lab("charlstm")
SPEC = LAB.spec
TRAINING = "charlstm-training"  # session-state key of this page's training


def curves(history: TrainingHistory) -> None:
    """The loss, and the memorisation rate as it is measured a few times along the way."""
    loss, memorised = st.columns(2)
    loss.plotly_chart(charts.training_curves(history, "loss"), key="charlstm-loss-chart")
    figure = charts.series_curves(
        history,
        [
            ("accuracy", "next character right (teacher forced)"),
            ("memorisation", f"sentences memorised ({charlstm.PROBE_SAMPLES} samples)"),
        ],
        "Accuracy and memorisation",
        "share",
        unit_range=True,
    )
    figure.update_yaxes(tickformat=".0%")
    figure.update_xaxes(title="epoch (one step on all the sentences)")
    memorised.plotly_chart(figure, key="charlstm-memorisation-chart")


def training_section() -> None:
    st.subheader("Training")
    ui.show_training(
        TRAINING,
        hint="Edit the sentences in the sidebar and press **Train**: the loss falls and the share of "
        "generated sentences that are exactly one of yours climbs. Meanwhile the pretrained model "
        "below, which knows the default sentences, is ready to use.",
        metrics=("loss",),
        view_history=curves,
    )


def what_it_knows(trained: TrainedModel) -> None:
    metrics = trained.metrics
    with st.expander(
        f"The {len(charlstm.sentences_of(trained))} sentences this model learnt", expanded=False
    ):
        st.markdown("\n".join(f"1. {sentence}" for sentence in charlstm.sentences_of(trained)))
        if "memorisation_rate" in metrics:
            st.caption(
                f"Memorisation rate {metrics['memorisation_rate']:.0%} of {metrics['samples']} sentences "
                f"generated from the start token at temperature {metrics['temperature']}; every sentence "
                f"came out at least once: {metrics['coverage']:.0%}; greedy recall from each sentence's "
                f"first word: {metrics['recall_from_first_word']:.0%}. The course, starting from arbitrary "
                "characters, measured 25%."
            )


def try_it(trained: TrainedModel) -> None:
    prompt_column, options = st.columns([3, 2])
    with options:
        greedy = st.toggle("Greedy (always the likeliest character)", key="charlstm-try-greedy")
        temperature = st.slider(
            "Temperature",
            0.05,
            3.0,
            charlstm.MEMORISATION_TEMPERATURE,
            step=0.05,
            disabled=greedy,
            help="Below 1 sharpens the model's choices, above 1 flattens them.",
            key="charlstm-try-temperature",
        )
        count = st.slider("How many", 1, 10, 3, disabled=greedy, key="charlstm-try-count")
        seed = st.number_input("Seed", 0, 2**31 - 1, 0, key="charlstm-try-seed")
    with prompt_column:
        prompt = st.text_input(
            "Prompt (empty: the model starts a sentence itself)",
            key="charlstm-try-prompt",
            max_chars=charlstm.MAX_PROMPT_CHARS,
        )
        try:
            result = charlstm.generate(
                trained, prompt, 0 if greedy else temperature, 1 if greedy else count, seed
            )
        except SpecError as error:
            st.error(str(error))
            return
        for note in result.notes:
            st.caption(note)
        with st.container(key="charlstm-try-output"):
            for text, memorised, finished in zip(
                result.texts, result.memorised, result.finished, strict=True
            ):
                mark = (
                    "✅ memorised"
                    if memorised
                    else ("new text" if finished else "stopped at the length limit")
                )
                st.markdown(f"`{text}`  \n*{mark}*")


def main() -> None:
    ui.lab_header(SPEC)
    params = ui.training_sidebar(LAB, TRAINING)
    training_section()
    trained = ui.model_section(LAB, TRAINING, params)
    if trained is None:
        return
    what_it_knows(trained)

    st.subheader("Try it")
    try_it(trained)


main()
