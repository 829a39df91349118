"""The Transformer translator tab: type an English sentence, get the French translation with the
cross-attention and encoder self-attention per layer and head, train your own with live loss and
held-out BLEU, and the named API endpoint /translate (text -> translation, tokens, attention)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from core import charts
from core.history import TrainingHistory
from core.labs import transformer
from core.labs.base import TrainedModel
from core.registry import get_lab
from core.sentence_pairs import MAX_TEXT_CHARS
from core.tokens import TextInputError
from gradio_tabs.common import (
    SESSION_MODEL,
    LabSession,
    build_training_panel,
    chosen_model,
    chosen_model_info,
    lab_header,
    model_summary_markdown,
    session_state,
    show_session_model,
    training_updates,
    wire_training,
)

LAB = get_lab("transformer")
BUNDLED = "bundled"
BUNDLED_MODELS = {BUNDLED: None}
MODEL_CHOICES = [("Bundled (pretrained)", BUNDLED), ("This session's model", SESSION_MODEL)]
DEFAULT_SENTENCE = "the small cat does not see the red car near the old house."
AVERAGE = "average"


def translator(choice: str | None, session: LabSession | None) -> TrainedModel:
    """The model a user picked; raises gr.Error when it is not available."""
    return chosen_model(LAB, choice, session, BUNDLED_MODELS)


def model_summary(trained: TrainedModel) -> str:
    return model_summary_markdown(LAB, trained, name=trained.config.get("architecture", "Transformer"))


def model_info(choice: str | None, session: LabSession | None = None) -> str:
    return chosen_model_info(LAB, choice, session, BUNDLED_MODELS, model_summary)


def translate_api(
    text: str, beam: Any = 1, model: str | None = BUNDLED, session: LabSession | None = None
) -> dict:
    """API /translate: an English sentence, a beam width (1 = greedy, up to 10) and a model
    (bundled or session) -> {translation, source_tokens, target_tokens, cross_attention
    [layer][head][target][source], encoder_attention [layer][head][source][source], notes, ...}."""
    trained = translator(model, session)
    try:
        result = transformer.translate(trained, text, beam)
    except TextInputError as error:
        raise gr.Error(str(error), print_exception=False) from None
    return result.to_dict() | {"origin": trained.origin, "trained_on": trained.data_source}


def head_choices(trained: TrainedModel) -> tuple[list[int], list[str]]:
    shape = trained.config.get("model", {})
    return list(range(1, shape.get("layers", 1) + 1)), [AVERAGE] + [
        f"head {h}" for h in range(1, shape.get("heads", 1) + 1)
    ]


def try_view(
    text: str, search: str, width: float, layer: Any, head: str, choice: str, session: LabSession | None
) -> tuple:
    """The translation headline and the two heatmaps. Problems go in the headline rather than
    in error toasts, since this view follows every keystroke."""
    try:
        trained = translator(choice, session)
        result = transformer.translate(trained, text, 1 if search == "greedy" else int(width or 2))
    except gr.Error as error:
        return f"### {error.message}", None, None, None
    except TextInputError as error:
        return f"### {error}", None, None, None
    layers = result.cross_attention.shape[0]
    index = min(max(int(layer or 1), 1), layers) - 1
    heads = result.cross_attention.shape[1]
    number = None if head in (None, AVERAGE) else min(int(str(head).split()[-1]), heads) - 1
    which = "average of the heads" if number is None else f"head {number + 1}"

    def pick(weights):
        return weights[index].mean(0) if number is None else weights[index, number]

    search_text = "greedy search" if result.beam == 1 else f"beam search, width {result.beam}"
    headline = f"### {result.translation}\n{search_text} · log-probability {result.log_prob:.2f}"
    headline += "".join(f"\n\n> {note}" for note in result.notes)
    cross = charts.word_heatmap(
        pick(result.cross_attention),
        result.target_tokens,
        result.source_tokens,
        f"Cross-attention, layer {index + 1}, {which}",
        x_title="English (source)",
        y_title="French (output)",
    )
    encoder = charts.word_heatmap(
        pick(result.encoder_attention),
        result.source_tokens,
        result.source_tokens,
        f"Encoder self-attention, layer {index + 1}, {which}",
        x_title="English",
        y_title="English",
    )
    grid = charts.attention_grid(
        result.cross_attention, result.target_tokens, result.source_tokens, "Cross-attention, every head"
    )
    return headline, cross, encoder, grid


def build_tab() -> None:
    """The Transformer lab: Try it (translate and read the attention), Train, and the API."""
    spec = LAB.spec
    session = session_state()
    lab_header(spec)
    model_choice = gr.Radio(MODEL_CHOICES, value=BUNDLED, label="Model in use")
    model_text = gr.Markdown(model_info(BUNDLED), label="model")
    try:
        layers, heads = head_choices(translator(BUNDLED, None))
    except gr.Error:
        layers, heads = [1, 2], [AVERAGE, "head 1", "head 2", "head 3", "head 4"]

    with gr.Tabs():
        with gr.Tab("Try it"):
            with gr.Row():
                text = gr.Textbox(
                    DEFAULT_SENTENCE,
                    label="English sentence",
                    max_length=MAX_TEXT_CHARS,
                    elem_id="transformer-text",
                    scale=3,
                )
                go = gr.Button("Translate", variant="primary", scale=1)
            with gr.Row():
                search = gr.Radio(["greedy", "beam"], value="greedy", label="Search")
                width = gr.Slider(2, transformer.MAX_BEAM, value=4, step=1, label="Beam width (beam search)")
                layer = gr.Radio(layers, value=layers[-1], label="Layer")
                head = gr.Radio(heads, value=AVERAGE, label="Head")
            headline = gr.Markdown("### Type a sentence and press Translate", elem_id="transformer-headline")
            with gr.Row():
                cross = gr.Plot(label="Cross-attention")
                encoder = gr.Plot(label="Encoder self-attention")
            grid = gr.Plot(label="Cross-attention, every layer and head")
        with gr.Tab("Train"):
            training = build_training_panel(spec, metrics=("loss", "bleu"), samples_label="Samples")
            training.samples.visible = False  # translations are text: shown in the status below
            samples_text = gr.Markdown()

    with gr.Group(visible=False):
        api_text = gr.Textbox(label="text")
        api_beam = gr.Number(value=1, label="beam")
        api_model = gr.Textbox(value=BUNDLED, label="model")
        api_result = gr.JSON(label="result")
        api_button = gr.Button()

    on_model = show_session_model(model_choice, model_text, model_info)

    def sample_translations(history: TrainingHistory) -> dict:
        return {samples_text: history.samples.title if history.samples else ""}

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        yield from training_updates(LAB, training, session, state, settings, sample_translations, on_model)

    interact = {"concurrency_limit": 4, "concurrency_id": "transformer-interact"}
    api_button.click(
        translate_api, [api_text, api_beam, api_model, session], api_result, api_name="translate", **interact
    )
    wire_training(
        training, session, on_train, [model_choice, model_text, samples_text], api_prefix="transformer_"
    )

    private = {"api_visibility": "private", **interact}
    view_inputs = [text, search, width, layer, head, model_choice, session]
    view_outputs = [headline, cross, encoder, grid]
    model_choice.change(model_info, [model_choice, session], model_text, **private)
    go.click(try_view, view_inputs, view_outputs, **private)
    text.submit(try_view, view_inputs, view_outputs, **private)
    for control in (search, width, layer, head, model_choice):
        control.change(try_view, view_inputs, view_outputs, trigger_mode="always_last", **private)
