"""Attention explorer page: type a query and a key/value sentence and read the attention between
them (scores, weights, outputs) beside a GRU's single final state; then train a tiny attention
model on copy or reverse and watch its weights sharpen."""

from __future__ import annotations

import numpy as np
import streamlit as st

import ui_streamlit as ui
from core import charts
from core.labs import attention
from core.labs.base import TrainedModel
from core.registry import get_lab

LAB = get_lab("attention")
SPEC = LAB.spec
TRAINING = "attention-training"  # session-state key of this page's training
TEMPERATURES = (0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 3.0, 10.0, 30.0, 100.0)
AVERAGE = "average of the heads"


def explorer_inputs() -> tuple[str, str]:
    query, keys = st.columns(2)
    with query:
        query_text = st.text_input(
            "Query sentence (its words ask)", "the cats sat on the mats", key="attention-x-query"
        )
    with keys:
        key_text = st.text_input(
            "Key/value sentence (its words answer)", "a cat sat on a mat", key="attention-x-keys"
        )
    return query_text, key_text


def explorer_settings() -> dict:
    first, second, third = st.columns(3)
    with first:
        dim = st.selectbox(
            "Vector size d",
            attention.DIMENSIONS,
            index=attention.DIMENSIONS.index(attention.DEFAULT_DIM),
            key="attention-x-dim",
        )
        divisors = [h for h in range(1, attention.MAX_HEADS + 1) if dim % h == 0]
        heads = st.selectbox("Heads (each reads d / heads coordinates)", divisors, key="attention-x-heads")
        positions = st.checkbox("Add sinusoidal positions", key="attention-x-positions")
    with second:
        scale = st.checkbox("Divide the scores by √d_k", value=True, key="attention-x-scale")
        temperature = st.select_slider(
            "Temperature T", TEMPERATURES, value=1.0, format_func="{:g}".format, key="attention-x-temperature"
        )
        causal = st.checkbox("Causal mask (word i sees keys 0..i)", key="attention-x-causal")
    with third:
        pad_to = st.number_input(
            "Pad the keys with <pad> to this length (0: no padding)",
            0,
            attention.MAX_PAD_TO,
            key="attention-x-pad-to",
        )
        mask_padding = st.checkbox("Mask the padding", value=True, key="attention-x-mask-padding")
    return {
        "dim": dim,
        "heads": heads,
        "positions": positions,
        "scale": scale,
        "temperature": temperature,
        "causal": causal,
        "pad_to": int(pad_to),
        "mask_padding": mask_padding,
    }


def show_exploration(result: attention.Exploration) -> None:
    for note in result.notes:
        st.info(note)
    views = [AVERAGE] + [f"head {h + 1}" for h in range(result.settings["heads"])]
    view = AVERAGE
    if len(views) > 2:  # more than one head: each can be read on its own
        view = st.radio("Show", views, horizontal=True, key="attention-x-head-view")
    head = None if view == AVERAGE else views.index(view) - 1
    weights = result.mean_weights if head is None else result.weights[head]
    scores = result.scores.mean(axis=0) if head is None else result.scores[head]
    scores = np.where(np.isfinite(scores), scores, np.nan)  # masked (-inf): a blank cell
    label = "averaged over the heads" if head is None else view

    left, right = st.columns(2)
    with left:
        st.plotly_chart(
            charts.word_heatmap(
                weights, result.query_tokens, result.key_tokens, f"Softmax weights ({label}); rows sum to 1"
            ),
            key="attention-weights-chart",
        )
    with right:
        st.plotly_chart(
            charts.word_heatmap(
                scores,
                result.query_tokens,
                result.key_tokens,
                f"Scores before the softmax ({label}), after scaling and temperature",
                value_format=".1f",
                zmax=None,
            ),
            key="attention-scores-chart",
        )
    strongest = ", ".join(f"**{q}** → {k} ({w:.0%})" for q, k, w in result.strongest(head))
    st.markdown(f"Each query word's strongest key: {strongest}")

    st.subheader("Outputs, and a GRU's single summary")
    outputs, gru = st.columns(2)
    with outputs:
        st.plotly_chart(
            charts.matrix_heatmap(
                result.outputs.T,
                "Attention outputs: one vector per query word (columns)",
                "query word",
                "coordinate",
            ),
            key="attention-outputs-chart",
        )
    with gru:
        st.plotly_chart(
            charts.matrix_heatmap(
                result.gru_state[:, None],
                "GRU's final state: one vector for the whole key sentence",
                "",
                "coordinate",
            ),
            key="attention-gru-chart",
        )
    real = result.key_tokens[: len(result.gru_influence)]
    st.plotly_chart(
        charts.word_heatmap(
            result.gru_influence[None],
            ["GRU"],
            real,
            "How far the GRU's final state moves when each key word is blanked (shares)",
            zmax=None,
        ),
        key="attention-gru-influence-chart",
    )
    st.caption(
        "The GRU (fixed random weights, untrained, like the course's) squeezes the key sentence into one "
        "vector and leans on the last words it read; attention gives every query word its own mix of all "
        "the key words. Word vectors: character 3-gram hashing (see Theory), so similar spellings match."
    )


def explorer() -> None:
    st.subheader("Explore attention between two sentences")
    query, keys = explorer_inputs()
    settings = explorer_settings()
    try:
        result = attention.explore(query, keys, **settings)
    except attention.AttentionInputError as error:
        st.error(str(error))
        return
    show_exploration(result)


def training_section() -> dict | None:
    params = ui.training_sidebar(LAB, TRAINING)
    st.subheader("A tiny attention model learns to copy or reverse")
    ui.show_training(
        TRAINING,
        hint="Pick the task in the sidebar and press **Train** (a few seconds). The loss, the share of "
        "digits right and the alignment (mean weight on the input position to read) grow here, with "
        "snapshots of the attention on a fixed string: uniform at first, then a clean diagonal "
        "(copy) or anti-diagonal (reverse).",
        metrics=("loss", "accuracy", "alignment"),
    )
    return params


def try_toy(trained: TrainedModel) -> None:
    text = st.text_input("Digits to feed the toy model", "31415926", key="attention-toy-input")
    try:
        result = attention.run_toy(trained, text)
    except attention.AttentionInputError as error:
        st.error(str(error))
        return
    verdict = "right" if result.correct else f"wrong: the answer is {result.expected}"
    st.markdown(f"**{result.task}** {result.digits} → **{result.output}** ({verdict})")
    st.plotly_chart(
        charts.word_heatmap(
            result.weights,
            [f"out {i + 1}: {ch}" for i, ch in enumerate(result.output)],
            list(result.digits),
            "Which input digit each output position reads",
            x_title="input",
            y_title="output",
        ),
        key="attention-toy-chart",
    )


def main() -> None:
    ui.lab_header(SPEC)
    explorer()
    params = training_section()
    trained = ui.model_section(LAB, TRAINING, params)
    if trained is None:
        return
    st.subheader("Try the toy model")
    try_toy(trained)


main()
