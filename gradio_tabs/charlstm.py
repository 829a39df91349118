"""The character-level text tab: let the LSTM write from a prompt (greedy or with a temperature),
train it on your own sentences with its loss and memorisation curves, and the named API
endpoint /charlstm_generate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from core import charts
from core.history import TrainingHistory
from core.labs import charlstm
from core.labs.base import TrainedModel
from core.registry import get_lab
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
    user_errors,
    wire_model_info,
    wire_training,
)

LAB = get_lab("charlstm")
BUNDLED = "bundled"
BUNDLED_MODELS = {BUNDLED: None}
MODEL_CHOICES = [("Bundled (the default sentences)", BUNDLED), ("This session's model", SESSION_MODEL)]


def text_model(choice: str | None, session: LabSession | None) -> TrainedModel:
    """The model a user picked; raises gr.Error when it is not available."""
    return chosen_model(LAB, choice, session, BUNDLED_MODELS)


def learnt_sentences(trained: TrainedModel) -> str:
    sentences = "\n".join(f"1. {sentence}" for sentence in charlstm.sentences_of(trained))
    return f"The sentences it learnt:\n\n{sentences}"


def model_info(choice: str | None, session: LabSession | None = None) -> str:
    """API /charlstm_model_info and the text under the model picker: what it knows and how well."""
    return model_info_markdown(LAB, choice, session, BUNDLED_MODELS, learnt_sentences)


def generate_api(
    prompt: str | None = "",
    temperature: Any = charlstm.MEMORISATION_TEMPERATURE,
    count: Any = 1,
    seed: Any = 0,
    model: str | None = None,
    session: LabSession | None = None,
) -> dict:
    """API /charlstm_generate: a prompt (may be empty), a temperature (0 for greedy; above 10 is
    clamped, and said in `notes`), how many texts (1 to 50), a seed and a model (bundled or
    session) -> {prompt, temperature, decoding, texts, finished, memorised, notes}."""
    trained = text_model(model, session)
    with user_errors():
        return charlstm.generate(trained, prompt or "", temperature, count, seed or 0).to_dict()


def generation_markdown(result: dict) -> str:
    lines = [f"*{note}*" for note in result["notes"]]
    for text, memorised, finished in zip(
        result["texts"], result["memorised"], result["finished"], strict=True
    ):
        mark = "✅ memorised" if memorised else ("new text" if finished else "stopped at the length limit")
        lines.append(f"- `{text}` ({mark})")
    return "\n".join(lines)


def try_view(
    prompt: str, greedy: bool, temperature: float, count: float, seed: float, choice: str, session: LabSession
) -> str:
    """The generated texts, or what is wrong with the input: a live view shows no toasts."""
    try:
        result = generate_api(
            prompt, 0 if greedy else temperature, 1 if greedy else count, seed, choice, session
        )
    except gr.Error as error:
        return f"**{error.message}**"
    return generation_markdown(result)


def memorisation_figure(history: TrainingHistory) -> Any:
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
    return figure


def build_tab() -> None:
    """The charlstm lab: Try it (prompt and decoding), Train (your sentences), and the named API."""
    spec = LAB.spec
    session = session_state()
    lab_header(spec)
    model_choice = gr.Radio(MODEL_CHOICES, value=BUNDLED, label="Model in use")
    model_text = gr.Markdown(model_info(BUNDLED), label="model")

    with gr.Tabs():
        with gr.Tab("Try it"), gr.Row():
            with gr.Column():
                prompt = gr.Textbox(
                    label="Prompt (empty: the model starts a sentence itself)",
                    max_length=charlstm.MAX_PROMPT_CHARS,
                    elem_id="charlstm-prompt",
                )
                greedy = gr.Checkbox(label="Greedy (always the likeliest character)")
                temperature = gr.Slider(
                    0.05,
                    3.0,
                    value=charlstm.MEMORISATION_TEMPERATURE,
                    step=0.05,
                    label="Temperature (below 1 sharpens, above 1 flattens)",
                )
                count = gr.Slider(1, 10, value=3, step=1, label="How many")
                seed = gr.Number(0, precision=0, minimum=0, label="Seed")
                write = gr.Button("Write", variant="primary")
            with gr.Column():
                output = gr.Markdown("Press **Write**, or type a prompt.", elem_id="charlstm-output")
        with gr.Tab("Train"):
            training = build_training_panel(
                spec, metrics=("loss",), samples_label="(no pictures in this lab)"
            )
            memorisation_plot = gr.Plot(label="Accuracy and memorisation")

    # Hidden: the inputs and outputs of the API-only endpoints.
    with gr.Group(visible=False):
        api_prompt = gr.Textbox(label="prompt")
        api_temperature = gr.Number(value=charlstm.MEMORISATION_TEMPERATURE, label="temperature")
        api_count = gr.Number(value=1, label="count")
        api_seed = gr.Number(value=0, label="seed")
        api_model = gr.Textbox(value=BUNDLED, label="model")
        api_result_json = gr.JSON(label="result")
        api_button = gr.Button()

    def memorisation(history: TrainingHistory) -> dict:
        return {memorisation_plot: memorisation_figure(history)}

    on_model = show_session_model(model_choice, model_text, model_info)

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        yield from training_updates(LAB, training, session, state, settings, memorisation, on_model)

    interact = {"concurrency_limit": 4, "concurrency_id": "charlstm-interact"}
    api_button.click(
        generate_api,
        [api_prompt, api_temperature, api_count, api_seed, api_model, session],
        api_result_json,
        api_name="charlstm_generate",
        **interact,
    )
    wire_model_info(model_info, [api_model, session], api_button, "charlstm_model_info", **interact)
    wire_training(
        training, session, on_train, [model_choice, model_text, memorisation_plot], api_prefix="charlstm_"
    )

    # UI-only events: private, since widgets' payloads are no API to promise.
    private = {"api_visibility": "private", **interact}
    view_inputs = [prompt, greedy, temperature, count, seed, model_choice, session]
    model_choice.change(model_info, [model_choice, session], model_text, **private)
    write.click(try_view, view_inputs, output, **private)
    prompt.submit(try_view, view_inputs, output, **private)
    for control in (greedy, temperature, count, seed, model_choice):
        control.change(try_view, view_inputs, output, trigger_mode="always_last", **private)
