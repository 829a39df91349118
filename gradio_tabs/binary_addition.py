"""The Binary addition tab: type two binary numbers and see the LSTM's sum with its confidence in
each bit, read how far beyond its training length it stays right, train your own with live
curves, and the named API endpoints /add and /binary_addition_model_info."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from core.history import TrainingHistory
from core.labs import binary_addition
from core.labs.base import TrainedModel
from core.registry import get_lab
from gradio_tabs.common import (
    SESSION_MODEL,
    LabSession,
    build_training_panel,
    chosen_model,
    chosen_model_info,
    lab_header,
    model_line,
    session_state,
    show_session_model,
    training_updates,
    user_errors,
    wire_model_info,
    wire_training,
)

LAB = get_lab("binary-addition")
BUNDLED = "bundled"
BUNDLED_MODELS = {BUNDLED: None}
MODEL_CHOICES = [("Bundled (trained at 5 bits)", BUNDLED), ("This session's model", SESSION_MODEL)]


def adder(choice: str | None, session: LabSession | None) -> TrainedModel:
    """The model a user picked; raises gr.Error when it is not available."""
    return chosen_model(LAB, choice, session, BUNDLED_MODELS)


def model_summary(trained: TrainedModel) -> str:
    return model_line(LAB, trained, f"**{trained.config.get('architecture')}**")


def model_info(choice: str | None, session: LabSession | None = None) -> str:
    """API /binary_addition_model_info and the line under the model picker."""
    return chosen_model_info(LAB, choice, session, BUNDLED_MODELS, model_summary)


def add_api(
    a: str, b: str, temperature: Any = 1.0, model: str | None = None, session: LabSession | None = None
) -> dict:
    """API /add: two binary numbers (up to 20 bits), a sigmoid temperature and a model (bundled or
    session) -> the model's sum in bits and as a number, the true sum, whether it is right, the
    wrong bit positions and the confidence in each bit (least significant first)."""
    trained = adder(model, session)
    with user_errors():
        return binary_addition.add_numbers(trained, a, b, temperature).to_dict()


def lengths_figure(choice: str | None, session: LabSession | None) -> Any:
    try:
        trained = adder(choice, session)
    except gr.Error:
        return None
    return binary_addition.accuracy_figure(
        trained.metrics.get("lengths") or [], trained.config.get("train_length")
    )


def try_view(a: str, b: str, temperature: float | None, choice: str, session: LabSession | None) -> tuple:
    """A headline and the per-bit confidence chart; problems go in the headline."""
    try:
        trained = adder(choice, session)
        with user_errors():
            result = binary_addition.add_numbers(trained, a, b, 1.0 if temperature is None else temperature)
    except gr.Error as error:
        return f"### {error.message}", None
    verdict = (
        "✓ right" if result.correct else f"✗ the sum is {result.expected_bits} ({result.expected_value})"
    )
    headline = (
        f"### {result.a} + {result.b} = **{result.predicted_bits}** ({result.predicted_value}) {verdict}"
    )
    if result.notes:
        headline += "\n\n" + "\n\n".join(f"*{note}*" for note in result.notes)
    return headline, binary_addition.confidence_figure(result)


def build_tab() -> None:
    """The binary addition lab: Try it, accuracy against length, Train, and the API."""
    spec = LAB.spec
    session = session_state()
    lab_header(spec)
    model_choice = gr.Radio(MODEL_CHOICES, value=BUNDLED, label="Model in use")
    model_text = gr.Markdown(model_info(BUNDLED), label="model")

    with gr.Tabs():
        with gr.Tab("Try it"):
            with gr.Row():
                a = gr.Textbox("1011", label="First number (binary)", elem_id="binary-addition-a")
                b = gr.Textbox("111", label="Second number (binary)", elem_id="binary-addition-b")
                temperature = gr.Number(1.0, minimum=0, label="Sigmoid temperature")
            first = try_view("1011", "111", 1.0, BUNDLED, None)  # the tab opens on an answer
            headline = gr.Markdown(first[0], elem_id="binary-addition-headline")
            bits = gr.Plot(first[1], label="confidence per bit")
        with gr.Tab("Accuracy against length"):
            lengths = gr.Plot(lengths_figure(BUNDLED, None), label="accuracy vs length")
        with gr.Tab("Train"):
            training = build_training_panel(
                spec, metrics=("loss", "bit_accuracy", "sum_accuracy"), samples_label=""
            )

    with gr.Group(visible=False):
        api_a = gr.Textbox(label="a")
        api_b = gr.Textbox(label="b")
        api_temperature = gr.Number(value=1.0, label="temperature")
        api_model = gr.Textbox(value=BUNDLED, label="model")
        api_result_json = gr.JSON(label="result")
        api_button = gr.Button()

    on_model = show_session_model(model_choice, model_text, model_info)

    def no_samples(history: TrainingHistory) -> dict:  # the lab has no sample pictures to show
        return {training.samples: gr.update(visible=False)}

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        yield from training_updates(LAB, training, session, state, settings, no_samples, on_model)

    interact = {"concurrency_limit": 4, "concurrency_id": "binary-addition-interact"}
    api_button.click(
        add_api,
        [api_a, api_b, api_temperature, api_model, session],
        api_result_json,
        api_name="add",
        **interact,
    )
    wire_model_info(model_info, [api_model, session], api_button, "binary_addition_model_info", **interact)
    wire_training(training, session, on_train, [model_choice, model_text], api_prefix="binary_addition_")

    private = {"api_visibility": "private", **interact}
    view_inputs = [a, b, temperature, model_choice, session]
    model_choice.change(model_info, [model_choice, session], model_text, **private)
    model_choice.change(lengths_figure, [model_choice, session], lengths, **private)
    for control in (a, b, temperature, model_choice):
        control.change(try_view, view_inputs, [headline, bits], trigger_mode="always_last", **private)
