"""The Seq2seq tab: translate a sentence with both models (with and without attention) and read
the alignment; train both side by side with their losses and held-out BLEU live; and the named
API endpoints /seq2seq_translate and /seq2seq_model_info."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from core import charts
from core.history import TrainingHistory
from core.labs import seq2seq
from core.labs.base import TrainedModel
from core.registry import get_lab
from core.tokens import TextInputError
from gradio_tabs.common import (
    SESSION_MODEL,
    LabSession,
    build_training_panel,
    chosen_model,
    lab_header,
    model_info_markdown,
    session_state,
    show_session_model,
    training_updates,
    wire_model_info,
    wire_training,
)

LAB = get_lab("seq2seq")
BUNDLED = "bundled"
BUNDLED_MODELS = {BUNDLED: None}
MODEL_CHOICES = [("Bundled pair (GRU, additive attention)", BUNDLED), ("This session's pair", SESSION_MODEL)]
DEFAULT_TEXT = "the old man sees the red car near the river."
LABELS = seq2seq.MODEL_LABELS


def pair_model(choice: str | None, session: LabSession | None) -> TrainedModel:
    return chosen_model(LAB, choice, session, BUNDLED_MODELS)


def model_info(choice: str | None, session: LabSession | None = None) -> str:
    """API /seq2seq_model_info and the line under the model picker."""
    return model_info_markdown(LAB, choice, session, BUNDLED_MODELS)


def translate_api(text: str, model: str | None = None, session: LabSession | None = None) -> dict:
    """API /seq2seq_translate: an English sentence and a model (bundled or session) -> both
    translations, the source tokens as read (<unk> for unknown words), the attention model's
    output tokens and its alignment (one row per output token), and notes."""
    trained = pair_model(model, session)
    try:
        return seq2seq.translate(trained, text).to_dict()
    except TextInputError as error:
        raise gr.Error(str(error), print_exception=False) from None


def translate_view(text: str, choice: str, session: LabSession | None) -> tuple:
    """Both translations and the alignment; problems go in the first line, not in a toast."""
    try:
        result = seq2seq.translate(pair_model(choice, session), text)
    except (TextInputError, gr.Error) as error:
        return f"### {getattr(error, 'message', error)}", "", None
    notes = "".join(f"\n\n*{note}*" for note in result.notes)
    figure = charts.word_heatmap(
        result.alignment,
        result.target_tokens,
        result.source_tokens,
        "Alignment: the attention model's weights over the English words",
        x_title="English (source)",
        y_title="French (output)",
    )
    return f"**With attention:** {result.attention}{notes}", f"**Without attention:** {result.plain}", figure


def side_by_side(history: TrainingHistory) -> dict[str, Any]:
    """The two models' losses on one chart and their held-out BLEU on another."""
    losses = [(f"loss_{name}", LABELS[name]) for name in seq2seq.MODELS]
    bleus = [(f"heldout_bleu_{name}", LABELS[name]) for name in seq2seq.MODELS]
    return {
        "loss": charts.series_curves(history, losses, "Training loss", "cross-entropy per word", smooth=10),
        "bleu": charts.series_curves(history, bleus, "Held-out BLEU (live sample of 150)", "BLEU"),
    }


def build_tab() -> None:
    """The seq2seq lab: Translate, Train (both models at once), and the API."""
    spec = LAB.spec
    session = session_state()
    lab_header(spec)
    model_choice = gr.Radio(MODEL_CHOICES, value=BUNDLED, label="Models in use")
    model_text = gr.Markdown(model_info(BUNDLED))
    with gr.Tabs():
        with gr.Tab("Translate"):
            text = gr.Textbox(DEFAULT_TEXT, label="English sentence")
            first = translate_view(DEFAULT_TEXT, BUNDLED, None)
            with gr.Row():
                with_attention = gr.Markdown(first[0], elem_id="seq2seq-attention")
                without = gr.Markdown(first[1], elem_id="seq2seq-plain")
            alignment = gr.Plot(first[2], label="alignment")
        with gr.Tab("Train"):
            training = build_training_panel(
                spec, metrics=("loss", "bleu"), samples_label="(no pictures here)"
            )

    with gr.Group(visible=False):  # the inputs and outputs of the API-only endpoints
        api_text = gr.Textbox(label="text")
        api_model = gr.Textbox(BUNDLED, label="model")
        api_result = gr.JSON(label="result")
        api_button = gr.Button()

    def both_models(history: TrainingHistory) -> dict:
        """The panel's two charts drawn as both models side by side."""
        return {training.plots[name]: figure for name, figure in side_by_side(history).items()}

    on_model = show_session_model(model_choice, model_text, model_info)

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        yield from training_updates(LAB, training, session, state, settings, both_models, on_model)

    interact = {"concurrency_limit": 4, "concurrency_id": "seq2seq-interact"}
    api_button.click(
        translate_api, [api_text, api_model, session], api_result, api_name="seq2seq_translate", **interact
    )
    wire_model_info(model_info, [api_model, session], api_button, "seq2seq_model_info", **interact)
    wire_training(training, session, on_train, [model_choice, model_text], api_prefix="seq2seq_")

    private = {"api_visibility": "private", **interact}
    view_inputs = [text, model_choice, session]
    for control in (text, model_choice):
        control.change(
            translate_view,
            view_inputs,
            [with_attention, without, alignment],
            trigger_mode="always_last",
            **private,
        )
    model_choice.change(model_info, [model_choice, session], model_text, **private)
