"""Transformer translator page: type an English sentence and read its French translation with the
cross-attention and encoder self-attention of every layer and head; train your own Transformer
live with its loss and held-out BLEU growing."""

from __future__ import annotations

import streamlit as st

import ui_streamlit as ui
from core import charts
from core.corpus import load_corpus
from core.history import TrainingHistory
from core.labs import transformer
from core.labs.base import TrainedModel
from core.registry import get_lab
from core.sentence_pairs import MAX_TEXT_CHARS
from core.tokens import TextInputError

LAB = get_lab("transformer")
SPEC = LAB.spec
TRAINING = "transformer-training"  # session-state key of this page's training
COURSE_RECIPE = {
    "d_model": 256,
    "heads": 4,
    "layers": 3,
    "ff_size": 2048,
    "batch_size": 1,
    "learning_rate": 0.0005,
    "schedule": "constant",
    "warmup_steps": 0,
    "label_smoothing": 0,
}
DEFAULT_SENTENCE = "the small cat does not see the red car near the old house."
OWN = "(type your own)"
AVERAGE = "average of the heads"


@st.cache_resource(max_entries=4, show_spinner=False)
def heldout_pairs(corpus: str) -> dict[str, str]:
    """Held-out sentences of the corpus a model learnt from: examples to pick, with references."""
    return dict(load_corpus(corpus, 1).heldout)


def training_view(history: TrainingHistory) -> None:
    """Loss and held-out BLEU side by side, then the translations of a few held-out sentences."""
    if not history.steps:
        return
    loss, bleu = st.columns(2)
    loss.plotly_chart(charts.training_curves(history, "loss"), key="transformer-loss-chart")
    bleu.plotly_chart(charts.training_curves(history, "bleu"), key="transformer-bleu-chart")
    if history.samples is not None:
        st.markdown(history.samples.title)


def use_picked_sentence() -> None:
    """Copy the picked held-out sentence into the text box, where it can then be edited."""
    picked = st.session_state["transformer-pick"]
    if picked != OWN:
        st.session_state["transformer-text"] = picked


def sentence_input(trained: TrainedModel) -> str:
    corpus = trained.config.get("data", {}).get("name", "generated")
    examples = [OWN, *list(heldout_pairs(corpus))[:40]]
    st.selectbox(
        "Pick a held-out sentence (never seen in training)",
        examples,
        key="transformer-pick",
        on_change=use_picked_sentence,
    )
    st.session_state.setdefault("transformer-text", DEFAULT_SENTENCE)
    return st.text_input("English sentence", key="transformer-text", max_chars=MAX_TEXT_CHARS)


def search_controls() -> int:
    search, width = st.columns(2)
    with search:
        kind = st.radio("Search", ["greedy", "beam"], horizontal=True, key="transformer-search")
    with width:
        beam = st.slider(
            "Beam width", 2, transformer.MAX_BEAM, 4, key="transformer-beam", disabled=kind == "greedy"
        )
    return 1 if kind == "greedy" else beam


def head_picker(result: transformer.Translation) -> tuple[int, int | None]:
    layers, heads = result.cross_attention.shape[:2]
    layer_column, head_column = st.columns(2)
    with layer_column:
        # The last layer by default: its cross-attention usually reads most like a word alignment.
        numbers = list(range(1, layers + 1))
        layer = st.radio("Layer", numbers, index=layers - 1, horizontal=True, key="transformer-layer") - 1
    with head_column:
        views = [AVERAGE] + [f"head {h + 1}" for h in range(heads)]
        view = st.radio("Head", views, horizontal=True, key="transformer-head")
    return layer, None if view == AVERAGE else views.index(view) - 1


def show_attention(result: transformer.Translation) -> None:
    layer, head = head_picker(result)
    which = "average of the heads" if head is None else f"head {head + 1}"

    def pick(weights):
        return weights[layer].mean(0) if head is None else weights[layer, head]

    cross, encoder, grid = st.tabs(["Cross-attention", "Encoder self-attention", "All layers and heads"])
    with cross:
        st.caption(
            "Row: the French word being written; columns: the English words it looked at. Crossing "
            "lines show reordering (adjective after the noun, pronoun before the verb)."
        )
        st.plotly_chart(
            charts.word_heatmap(
                pick(result.cross_attention),
                result.target_tokens,
                result.source_tokens,
                f"Cross-attention, layer {layer + 1}, {which}",
                x_title="English (source)",
                y_title="French (output)",
            ),
            key="transformer-cross",
        )
    with encoder:
        st.caption("Row: an English word; columns: the English words it gathers context from.")
        st.plotly_chart(
            charts.word_heatmap(
                pick(result.encoder_attention),
                result.source_tokens,
                result.source_tokens,
                f"Encoder self-attention, layer {layer + 1}, {which}",
                x_title="English",
                y_title="English",
            ),
            key="transformer-encoder",
        )
    with grid:
        st.plotly_chart(
            charts.attention_grid(
                result.cross_attention,
                result.target_tokens,
                result.source_tokens,
                "Cross-attention, every head",
            ),
            key="transformer-grid",
        )


def try_it(trained: TrainedModel) -> None:
    text = sentence_input(trained)
    beam = search_controls()
    try:
        result = transformer.translate(trained, text, beam)
    except TextInputError as error:
        st.warning(str(error))
        return
    with st.container(key="transformer-result"):
        st.markdown(f"### {result.translation}")
        reference = heldout_pairs(trained.config.get("data", {}).get("name", "generated")).get(result.text)
        search = "greedy search" if result.beam == 1 else f"beam search, width {result.beam}"
        caption = f"{search} · log-probability {result.log_prob:.2f}"
        if reference:
            caption += f" · reference: {reference}"
        st.caption(caption)
        for note in result.notes:
            st.info(note)
    show_attention(result)


def main() -> None:
    ui.lab_header(SPEC)
    params = ui.training_sidebar(LAB, TRAINING, COURSE_RECIPE)
    st.subheader("Training")
    ui.show_training(
        TRAINING,
        hint="Pick the settings in the sidebar and press **Train**. The loss and the held-out BLEU "
        "(sacreBLEU on sentences never trained on) grow here, with translations of a few held-out "
        "sentences. Meanwhile the pretrained model below is ready to use.",
        metrics=("loss", "bleu"),
        view_history=training_view,
    )
    trained = ui.model_section(LAB, TRAINING, params)
    if trained is None:
        return
    st.subheader("Try it")
    try_it(trained)


main()
