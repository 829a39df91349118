"""The Palindromes tab: type a prefix and see the RNN's and the LSTM's answers with the LSTM's
gates as heatmaps, read the accuracy-vs-T plot, train your own sweep with live curves, and the
named API endpoints /palindrome and /palindromes_model_info."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr

from core import charts
from core.history import TrainingHistory
from core.labs import palindromes
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

LAB = get_lab("palindromes")
BUNDLED = "bundled"
BUNDLED_MODELS = {BUNDLED: None}
MODEL_CHOICES = [("Bundled (sweep T = 5..30)", BUNDLED), ("This session's models", SESSION_MODEL)]
DEFAULT_PREFIX = "1234567876543"
GATE_VIEWS = ("forget", "input", "cell", "output", "cell state")
HEATMAP_UNITS = 32
DIGIT_NAMES = [str(d) for d in range(10)]


def palindrome_models(choice: str | None, session: LabSession | None) -> TrainedModel:
    """The models a user picked; raises gr.Error when they are not available."""
    return chosen_model(LAB, choice, session, BUNDLED_MODELS)


def model_summary(trained: TrainedModel) -> str:
    lengths = ", ".join(map(str, trained.model.lengths))
    return model_line(LAB, trained, f"RNN and LSTM pairs, trained at T = {lengths}")


def model_info(choice: str | None, session: LabSession | None = None) -> str:
    """API /palindromes_model_info and the line under the model picker."""
    return chosen_model_info(LAB, choice, session, BUNDLED_MODELS, model_summary)


def palindrome_api(
    prefix: str, temperature: Any = 1.0, model: str | None = None, session: LabSession | None = None
) -> dict:
    """API /palindrome: the first T-1 digits of a palindrome, a softmax temperature and a model
    (bundled or session) -> both models' digit, confidence and probabilities, the digit a
    palindrome needs, notes, and the LSTM's gate means per step."""
    trained = palindrome_models(model, session)
    with user_errors():
        return palindromes.predict_last_digit(trained, prefix, temperature).to_dict()


def sweep_figure(choice: str | None, session: LabSession | None) -> Any:
    try:
        trained = palindrome_models(choice, session)
    except gr.Error:
        return None
    return palindromes.accuracy_figure(trained.metrics.get("lengths") or [])


def try_view(
    prefix: str, temperature: float | None, gate: str, choice: str, session: LabSession | None
) -> tuple:
    """Headline, both models' probabilities and the gate heatmap; problems go in the headline, as
    a live view should not pop up error toasts."""
    try:
        trained = palindrome_models(choice, session)
        with user_errors():
            result = palindromes.predict_last_digit(
                trained, prefix, 1.0 if temperature is None else temperature
            )
    except gr.Error as error:
        return f"### {error.message}", None, None, None
    answers = []
    for cell in palindromes.CELLS:
        guess = result.guesses[cell]
        mark = "✓" if guess.digit == result.expected else "✗"
        answers.append(f"{palindromes.CELL_NAMES[cell]} **{guess.digit}** {mark} ({guess.confidence:.0%})")
    headline = f"### T = {result.length}, a palindrome ends in {result.expected}: " + " · ".join(answers)
    if result.notes:
        headline += "\n\n" + "\n\n".join(f"*{note}*" for note in result.notes)
    units = palindromes.busiest_units(result, HEATMAP_UNITS)
    return (
        headline,
        charts.probability_bars(result.guesses["lstm"].probabilities, DIGIT_NAMES),
        charts.probability_bars(result.guesses["rnn"].probabilities, DIGIT_NAMES),
        palindromes.gate_figure(result, gate, units),
    )


def build_tab() -> None:
    """The palindromes lab: Try it, the accuracy-vs-T plot, Train, and the API."""
    spec = LAB.spec
    session = session_state()
    lab_header(spec)
    model_choice = gr.Radio(MODEL_CHOICES, value=BUNDLED, label="Models in use")
    model_text = gr.Markdown(model_info(BUNDLED), label="model")

    with gr.Tabs():
        with gr.Tab("Try it"):
            with gr.Row():
                prefix = gr.Textbox(
                    DEFAULT_PREFIX,
                    label="The first T-1 digits of a palindrome",
                    info="Both models name the last digit; try a long prefix.",
                    elem_id="palindromes-prefix",
                )
                temperature = gr.Number(1.0, minimum=0, label="Softmax temperature")
            # The first view is computed here, so the tab opens on an answer, not an empty page.
            first = try_view(DEFAULT_PREFIX, 1.0, GATE_VIEWS[0], BUNDLED, None)
            headline = gr.Markdown(first[0], elem_id="palindromes-headline")
            with gr.Row():
                lstm_bars = gr.Plot(first[1], label="LSTM")
                rnn_bars = gr.Plot(first[2], label="Vanilla RNN")
            gate = gr.Radio(list(GATE_VIEWS), value=GATE_VIEWS[0], label="Inside the LSTM: show")
            heatmap = gr.Plot(first[3], label=f"Gate per unit and step (the {HEATMAP_UNITS} fullest units)")
        with gr.Tab("Accuracy against T"):
            sweep = gr.Plot(sweep_figure(BUNDLED, None), label="accuracy vs T")
        with gr.Tab("Train"):
            training = build_training_panel(spec, metrics=("sweep", "loss", "heldout"), samples_label="")

    with gr.Group(visible=False):
        api_prefix = gr.Textbox(label="prefix")
        api_temperature = gr.Number(value=1.0, label="temperature")
        api_model = gr.Textbox(value=BUNDLED, label="model")
        api_result_json = gr.JSON(label="result")
        api_button = gr.Button()

    plots = list(training.plots.values())

    def sweep_charts(history: TrainingHistory) -> dict:
        loss, held = palindromes.current_length_curves(history)
        rows = palindromes.finished_rows(history)
        return {
            plots[0]: palindromes.accuracy_figure(
                rows, "Held-out accuracy against T, as each length finishes"
            ),
            plots[1]: loss,
            plots[2]: held,
            training.samples: gr.update(visible=False),
        }

    on_model = show_session_model(model_choice, model_text, model_info)

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        yield from training_updates(LAB, training, session, state, settings, sweep_charts, on_model)

    interact = {"concurrency_limit": 4, "concurrency_id": "palindromes-interact"}
    api_button.click(
        palindrome_api,
        [api_prefix, api_temperature, api_model, session],
        api_result_json,
        api_name="palindrome",
        **interact,
    )
    wire_model_info(model_info, [api_model, session], api_button, "palindromes_model_info", **interact)
    wire_training(training, session, on_train, [model_choice, model_text], api_prefix="palindromes_")

    private = {"api_visibility": "private", **interact}
    view_inputs = [prefix, temperature, gate, model_choice, session]
    view_outputs = [headline, lstm_bars, rnn_bars, heatmap]
    model_choice.change(model_info, [model_choice, session], model_text, **private)
    model_choice.change(sweep_figure, [model_choice, session], sweep, **private)
    for control in (prefix, temperature, gate, model_choice):
        control.change(try_view, view_inputs, view_outputs, trigger_mode="always_last", **private)
