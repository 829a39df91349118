"""The MNIST row-by-row tab: draw a digit and see every recurrent reader's answer and hidden state
over the 28 rows, train several readers side by side with their curves on one chart, and the
named API endpoints /mnist_rows_classify (an image file) and /mnist_rows_classify_drawing (a 2-D
list of pixels)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from core import charts
from core.history import TrainingHistory
from core.labs import mnist_rows
from core.labs.base import TrainedModel
from core.registry import get_lab
from gradio_tabs.common import (
    SESSION_MODEL,
    LabSession,
    build_training_panel,
    chosen_model,
    digit_pad,
    drawing_pixels,
    lab_header,
    model_info_markdown,
    picture,
    session_state,
    show_session_model,
    training_updates,
    user_errors,
    wire_model_info,
    wire_training,
)

LAB = get_lab("mnist-rows")
BUNDLED = "bundled"
BUNDLED_MODELS = {BUNDLED: None}
MODEL_CHOICES = [("Bundled (all five readers)", BUNDLED), ("This session's models", SESSION_MODEL)]


def readers_model(choice: str | None, session: LabSession | None) -> TrainedModel:
    """The readers a user picked; raises gr.Error when they are not available."""
    return chosen_model(LAB, choice, session, BUNDLED_MODELS)


def model_info(choice: str | None, session: LabSession | None = None) -> str:
    """API /mnist_rows_model_info and the line under the model picker."""
    return model_info_markdown(LAB, choice, session, BUNDLED_MODELS)


def api_result(readings: list[mnist_rows.RowReading], trained: TrainedModel) -> dict[str, Any]:
    """The API's JSON: each reader's answer and its hidden state after each row (28 x units)."""
    return {
        "models": {reading.model: reading.to_dict(hidden=True) for reading in readings},
        "origin": trained.origin,
        "trained_on": trained.data_source,
    }


def classify_image_api(
    image: str | None, model: str | None = None, session: LabSession | None = None
) -> dict:
    """API /mnist_rows_classify: an image file of one digit (png, jpg or webp, either polarity)
    and a model (bundled or session) -> {models: {rnn: {prediction, confidence, probabilities,
    hidden}, ...}, origin, trained_on}."""
    if not image:
        raise gr.Error("No image was sent: attach a png, jpg or webp file of a digit.", print_exception=False)
    data = Path(image).read_bytes()
    trained = readers_model(model, session)
    with user_errors():
        return api_result(mnist_rows.read_upload_rows(trained, data), trained)


def classify_pixels_api(pixels: Any, model: str | None = None, session: LabSession | None = None) -> dict:
    """API /mnist_rows_classify_drawing: a 2-D list of grey pixels (white ink on black, 0-1 or
    0-255, any size up to 1024x1024) -> the same JSON as /mnist_rows_classify."""
    array = drawing_pixels(pixels)
    trained = readers_model(model, session)
    with user_errors():
        return api_result(mnist_rows.read_drawing_rows(trained, array), trained)


def answers_markdown(readings: list[mnist_rows.RowReading]) -> str:
    rows = "\n".join(
        f"| {mnist_rows.MODEL_NAMES[r.model]} | **{r.label}** | {r.confidence:.0%} |" for r in readings
    )
    return f"| model | reads | sure |\n| --- | --- | --- |\n{rows}"


def hidden_figure(reading: mnist_rows.RowReading) -> Any:
    directions = " (forward units, then backward)" if reading.model.startswith("bi") else ""
    return charts.matrix_heatmap(
        reading.hidden.T,
        f"{mnist_rows.MODEL_NAMES[reading.model]}: hidden state after each row{directions}",
        "row",
        "hidden unit",
        height=360,
    )


def try_view(editor: dict | None, shown: str | None, choice: str, session: LabSession | None) -> tuple:
    """Every reader's answer, the hidden state of the one picked, and the frame they read.
    Problems (no model, a blank pad) go in the answers: a live view should not pop up toasts."""
    composite = None if editor is None else editor.get("composite")
    if composite is None:
        return "### Draw a digit", None, None, gr.update()
    try:
        trained = readers_model(choice, session)
        with user_errors():
            frame = mnist_rows.drawing_frame(composite)
            readings = mnist_rows.read_frame(trained, frame)
    except gr.Error as error:
        return f"### {error.message}", None, None, gr.update()
    names = [r.model for r in readings]
    picked = next((r for r in readings if r.model == shown), readings[0])
    choices = [(mnist_rows.MODEL_NAMES[name], name) for name in names]
    return (
        answers_markdown(readings),
        hidden_figure(picked),
        picture(frame),
        gr.update(choices=choices, value=picked.model),
    )


def comparison_figures(history: TrainingHistory) -> tuple[Any, Any]:
    """Held-out accuracy and training loss of every reader, each on one chart."""
    names = [name for name in mnist_rows.MODEL_NAMES if f"{name}_loss" in history.steps]
    label = mnist_rows.MODEL_NAMES
    models = [(name, label[name]) for name in names]
    accuracy = charts.per_model_curves(
        history,
        models,
        "heldout_{name}_accuracy",
        "Held-out accuracy (live sample, then epoch ends)",
        "accuracy",
    )
    accuracy.update_yaxes(tickformat=".0%")
    loss = charts.per_model_curves(
        history, models, "{name}_loss", "Training loss (per step, smoothed)", "cross-entropy", smooth=20
    )
    return accuracy, loss


def build_tab() -> None:
    """The mnist-rows lab: Try it (draw), Train (readers side by side), and the named API."""
    spec = LAB.spec
    session = session_state()
    lab_header(spec)
    model_choice = gr.Radio(MODEL_CHOICES, value=BUNDLED, label="Models in use")
    model_text = gr.Markdown(model_info(BUNDLED), label="model")

    with gr.Tabs():
        with gr.Tab("Try it"), gr.Row():
            with gr.Column():
                pad = digit_pad(elem_id="mnist-rows-pad")
                frame = gr.Image(
                    label="The 28 rows they read, top to bottom",
                    format="png",
                    interactive=False,
                    height=240,
                    elem_classes="pixelated",
                )
            with gr.Column():
                answers = gr.Markdown("### Draw a digit", elem_id="mnist-rows-answers")
                shown = gr.Radio([], label="Hidden state of")
                hidden = gr.Plot(label="Hidden state over the rows")
        with gr.Tab("Train"):
            training = build_training_panel(
                spec, metrics=(), samples_label="Held-out digits, each model's answer"
            )
            accuracy_plot = gr.Plot(label="Held-out accuracy")
            loss_plot = gr.Plot(label="Training loss")

    # Hidden: the inputs and outputs of the API-only endpoints.
    with gr.Group(visible=False):
        api_file = gr.File(type="filepath", label="image")
        api_pixels = gr.JSON(label="pixels")
        api_model = gr.Textbox(value=BUNDLED, label="model")
        api_result_json = gr.JSON(label="result")
        api_button = gr.Button()

    def comparison(history: TrainingHistory) -> dict:
        accuracy, loss = comparison_figures(history)
        return {accuracy_plot: accuracy, loss_plot: loss}

    on_model = show_session_model(model_choice, model_text, model_info)

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        yield from training_updates(LAB, training, session, state, settings, comparison, on_model)

    interact = {"concurrency_limit": 4, "concurrency_id": "mnist-rows-interact"}
    api_button.click(
        classify_image_api,
        [api_file, api_model, session],
        api_result_json,
        api_name="mnist_rows_classify",
        **interact,
    )
    api_button.click(
        classify_pixels_api,
        [api_pixels, api_model, session],
        api_result_json,
        api_name="mnist_rows_classify_drawing",
        **interact,
    )
    wire_model_info(model_info, [api_model, session], api_button, "mnist_rows_model_info", **interact)
    wire_training(
        training,
        session,
        on_train,
        [model_choice, model_text, accuracy_plot, loss_plot],
        api_prefix="mnist_rows_",
    )

    # UI-only events: private, since widgets' payloads are no API to promise.
    private = {"api_visibility": "private", **interact}
    view_inputs = [pad, shown, model_choice, session]
    view_outputs = [answers, hidden, frame, shown]
    model_choice.change(model_info, [model_choice, session], model_text, **private)
    model_choice.change(try_view, view_inputs, view_outputs, trigger_mode="always_last", **private)
    shown.input(try_view, view_inputs, view_outputs, trigger_mode="always_last", **private)
    # `input` fires after every stroke; `change` lags a stroke behind in Gradio 6.
    pad.input(try_view, view_inputs, view_outputs, trigger_mode="always_last", **private)
