"""Seq2seq page: train a recurrent encoder-decoder with and without attention side by side (both
loss curves and held-out BLEU live), then translate any sentence with both and read the
attention model's alignment."""

from __future__ import annotations

import streamlit as st

import ui_streamlit as ui
from core import charts
from core.corpus import Corpus
from core.history import TrainingHistory
from core.labs import seq2seq
from core.labs.base import TrainedModel
from core.registry import get_lab
from core.tokens import TextInputError

LAB = get_lab("seq2seq")
SPEC = LAB.spec
TRAINING = "seq2seq-training"  # session-state key of this page's training
OWN = "Type your own"
LABELS = seq2seq.MODEL_LABELS
# The course's settings; it trained on 500 pairs for 150 full-batch epochs.
COURSE_RECIPE = {
    "cell": "lstm",
    "attention": "dot",
    "teacher_forcing": 0.5,
    "embedding": 256,
    "hidden": 512,
    "learning_rate": 0.001,
}


@st.cache_resource(max_entries=4, show_spinner="Loading the held-out sentences...")
def heldout_corpus(key: str, _trained: TrainedModel) -> Corpus:
    """The corpus the model learnt from, once per model (`key`)."""
    return seq2seq.heldout_corpus(_trained.config)


def curves(history: TrainingHistory) -> None:
    """Both models' losses and held-out BLEU as they grow, and the per-epoch BLEU table."""
    loss, bleu = st.columns(2)
    series = [(f"loss_{name}", LABELS[name]) for name in seq2seq.MODELS]
    loss.plotly_chart(
        charts.series_curves(history, series, "Training loss (cross-entropy per word)", "loss", smooth=10),
        key="seq2seq-loss-chart",
    )
    series = [(f"heldout_bleu_{name}", LABELS[name]) for name in seq2seq.MODELS]
    bleu.plotly_chart(
        charts.series_curves(history, series, "Held-out BLEU (live sample of 150 sentences)", "BLEU"),
        key="seq2seq-bleu-chart",
    )
    rows = []
    for index, (epoch, _) in enumerate(history.epochs.get("heldout_bleu_attention", [])):
        figures = [
            history.epochs[f"heldout_{kind}_{name}"][index][1]
            for name in seq2seq.MODELS
            for kind in ("bleu", "bleu_long")
        ]
        rows.append(f"| {epoch} | " + " | ".join(f"{value:.1f}" for value in figures) + " |")
    if rows:
        st.markdown(
            f"Held-out BLEU after each epoch (all 500; long: more than {seq2seq.LONG_WORDS} words)\n\n"
            "| epoch | with attention | with attention, long | without | without, long |\n"
            "| --- | --- | --- | --- | --- |\n" + "\n".join(rows)
        )


def training_section() -> dict | None:
    params = ui.training_sidebar(LAB, TRAINING, COURSE_RECIPE)
    st.sidebar.caption("The course trained on 500 pairs for 150 full-batch epochs.")
    st.subheader("Training: with and without attention, step for step")
    ui.show_training(
        TRAINING,
        hint="Press **Train** in the sidebar. One job trains both models in alternation on the same batches; "
        "their loss curves and held-out BLEU grow here side by side. Meanwhile the pretrained pair below is "
        "ready to use.",
        metrics=("loss",),
        view_history=curves,
    )
    return params


def sentence_to_translate(trained: TrainedModel) -> str:
    """A typed sentence, or a long held-out one (with its reference shown)."""
    try:
        corpus = heldout_corpus(ui.model_key(trained), trained)
        examples = [source for source, _ in corpus.longer_than(seq2seq.LONG_WORDS)[:12]]
    except ValueError:
        corpus, examples = None, []
    choice = st.selectbox("Sentence", [OWN, *examples], key="seq2seq-example")
    if choice == OWN:
        return st.text_input(
            "English sentence", "the old man sees the red car near the river.", key="seq2seq-text"
        )
    reference = dict(corpus.heldout)[choice] if corpus else ""
    st.caption(f"A held-out sentence (never trained on). Reference: {reference}")
    return choice


def show_translation(result: seq2seq.Seq2seqTranslation) -> None:
    for note in result.notes:
        st.info(note)
    with st.container(key="seq2seq-translations"):
        attention, plain = st.columns(2)
        attention.markdown(f"**With attention:** {result.attention}")
        plain.markdown(f"**Without attention:** {result.plain}")
    st.plotly_chart(
        charts.word_heatmap(
            result.alignment,
            result.target_tokens,
            result.source_tokens,
            "Alignment: the attention model's weights over the English words as it writes each French word",
            x_title="English (source)",
            y_title="French (output)",
        ),
        key="seq2seq-alignment-chart",
    )


def main() -> None:
    ui.lab_header(SPEC)
    params = training_section()
    trained = ui.model_section(LAB, TRAINING, params)
    if trained is None:
        return
    st.subheader("Translate")
    text = sentence_to_translate(trained)
    try:
        result = seq2seq.translate(trained, text)
    except TextInputError as error:
        st.error(str(error))
        return
    show_translation(result)


main()
