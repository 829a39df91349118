"""The Digits tab: try the model (draw or upload), train your own with live curves, look inside
it, and the named API endpoints /classify and /classify_drawing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from core import charts
from core.catalogue import DIGIT_ARCHITECTURES
from core.imaging import UPLOAD_LIMITS
from core.labs import digits
from core.labs.base import TrainedModel
from core.registry import get_lab
from gradio_tabs.common import (
    SESSION_MODEL,
    LabSession,
    answered_by,
    build_training_panel,
    chosen_model,
    chosen_model_info,
    digit_pad,
    drawing_pixels,
    gallery_items,
    lab_header,
    session_state,
    training_updates,
    user_errors,
    wire_model_info,
    wire_training,
)

LAB = get_lab("digits")
MODEL_CHOICES = [(f"Bundled {name}", name) for name in DIGIT_ARCHITECTURES] + [
    ("This session's model", SESSION_MODEL)
]
BUNDLED_MODELS = {name: {"architecture": name} for name in DIGIT_ARCHITECTURES}


def digits_model(choice: str | None, session: LabSession | None) -> TrainedModel:
    """The model a user picked; raises gr.Error when it is not available."""
    return chosen_model(LAB, choice, session, BUNDLED_MODELS)


def model_summary(trained: TrainedModel) -> str:
    """Which model, how good, and which data it was trained on."""
    name = trained.config.get("architecture", "?")
    who = f"Bundled **{name}**" if trained.origin == "bundled" else f"This session's **{name}**"
    metrics = trained.metrics
    accuracy, size = metrics.get("heldout_accuracy"), metrics.get("heldout_size")
    parts = [who]
    if isinstance(accuracy, float) and isinstance(size, int):
        parts.append(f"held-out accuracy **{accuracy:.1%}** on {size:,} images")
    if metrics.get("stopped_by") not in (None, "completed"):
        parts.append(f"training ended early ({metrics['stopped_by']})")
    return " · ".join(parts) + f"\n\nTrained on: {trained.data_source}"


def model_info(model: str | None, session: LabSession | None = None) -> str:
    """API /model_info and the line under the model picker: the summary, or why it is missing."""
    return chosen_model_info(LAB, model, session, BUNDLED_MODELS, model_summary)


def prediction_result(prediction: digits.Prediction, trained: TrainedModel) -> dict[str, Any]:
    """The API's JSON answer: the core prediction plus which model gave it."""
    return prediction.to_dict() | answered_by(trained)


def classify_image_file(
    image: str | None, model: str | None = None, session: LabSession | None = None
) -> dict:
    """API /classify: an image file (png, jpg or webp; dark ink on paper or white on black) and a
    model (fast-cnn, cnn, mlp, or session for the one this client trained through /train) ->
    {prediction, confidence, probabilities, model, origin, trained_on}."""
    if not image:
        raise gr.Error("No image was sent: attach a png, jpg or webp file of a digit.", print_exception=False)
    data = Path(image).read_bytes()
    trained = digits_model(model, session)
    with user_errors():
        return prediction_result(digits.classify_upload(trained, data), trained)


def classify_pixels(pixels: Any, model: str | None = None, session: LabSession | None = None) -> dict:
    """API /classify_drawing: a 2-D list of grey pixels (white ink on black, 0-1 or 0-255, any
    size up to 1024x1024) -> the same JSON as /classify."""
    array = drawing_pixels(pixels)
    trained = digits_model(model, session)
    with user_errors():
        return prediction_result(digits.classify_drawing(trained, array), trained)


def prediction_views(prediction: digits.Prediction) -> tuple[str, Any, np.ndarray]:
    """Headline, probability bars and the enlarged 28x28 frame the model saw."""
    headline = f"### It looks like a **{prediction.label}** ({prediction.confidence:.0%} sure)"
    bars = charts.probability_bars(prediction.probabilities, prediction.classes)
    return headline, bars, charts.to_uint8(charts.upscale(prediction.frame, 8))


def feature_map_items(trained: TrainedModel, frame: np.ndarray) -> list[tuple[np.ndarray, str]]:
    """Each block's activations for this input, tiled, for a gallery."""
    items = []
    for name, maps in digits.feature_maps(trained, frame):
        grid = charts.tile(maps, columns=8)
        items.append((charts.to_uint8(charts.upscale(grid, max(1, 480 // grid.shape[1]))), name))
    return items


def classify_view(
    choice: str, session: LabSession | None, classify: Callable[[TrainedModel], digits.Prediction]
) -> tuple:
    """Headline, bars, frame and feature maps for the Try it panel. Problems (no model, a blank
    pad, a bad file) go in the headline: a live view should not pop up error toasts."""
    try:
        trained = digits_model(choice, session)
        with user_errors():
            prediction = classify(trained)
    except gr.Error as error:
        return f"### {error.message}", None, None, []
    return (*prediction_views(prediction), feature_map_items(trained, prediction.frame))


def drawing_view(editor: dict | None, choice: str, session: LabSession | None) -> tuple:
    """The Try it panel for the drawing pad's current picture."""
    composite = None if editor is None else editor.get("composite")
    if composite is None:
        return "### Draw a digit", None, None, []
    return classify_view(choice, session, lambda trained: digits.classify_drawing(trained, composite))


def upload_view(path: str | None, choice: str, session: LabSession | None) -> tuple:
    """The Try it panel for an uploaded photo or scan."""
    if not path:
        return "### Upload a photo of a digit", None, None, []
    data = Path(path).read_bytes()
    return classify_view(choice, session, lambda trained: digits.classify_upload(trained, data))


def digits_report(trained: TrainedModel) -> tuple[Any, list[tuple[np.ndarray, str]], np.ndarray, str]:
    """Confusion matrix, most confident mistakes and first-layer filters of a model, plus a note
    saying which held-out data they come from."""
    with user_errors():
        data = digits.heldout_data(trained)
    report = digits.heldout_report(trained, data, max_mistakes=24)
    mistakes = gallery_items(
        np.stack([m["image"] for m in report.mistakes]) if report.mistakes else np.empty((0, 28, 28)),
        [f"{m['predicted']} (true {m['true']}) {m['confidence']:.0%}" for m in report.mistakes],
    )
    filters = digits.first_layer_weights(trained, limit=32)
    grid = charts.tile(filters, columns=8)
    filter_image = charts.to_uint8(charts.upscale(grid, max(1, 480 // grid.shape[1])))
    note = (
        f"Held-out accuracy **{report.accuracy:.1%}** on {len(data.test_labels):,} images of "
        f"{data.source.description}. Mistakes are sorted by how sure the model was."
    )
    return charts.confusion_heatmap(report.confusion, report.classes), mistakes, filter_image, note


@dataclass
class ReportPanel:
    """The widgets that show a `digits_report`."""

    note: gr.Markdown
    confusion: gr.Plot
    mistakes: gr.Gallery
    filters: gr.Image

    @property
    def outputs(self) -> list[gr.Component]:
        return [self.confusion, self.mistakes, self.filters, self.note]


def build_report_panel(title: str) -> ReportPanel:
    gr.Markdown(f"### {title}")
    note = gr.Markdown(label="report")
    with gr.Row():
        confusion = gr.Plot(label="Confusion matrix")
        with gr.Column():
            filters = gr.Image(
                label="First-layer filters (bright = positive weight)",
                format="png",
                interactive=False,
                elem_classes="pixelated",
            )
    mistakes = gr.Gallery(
        label="Misclassified held-out digits", columns=8, height="auto", object_fit="contain", format="png"
    )
    return ReportPanel(note, confusion, mistakes, filters)


def build_tab() -> None:
    """The Digits lab: Try it (draw or upload), Train (live curves), and the named API."""
    spec = LAB.spec
    session = session_state()
    lab_header(spec)
    model_choice = gr.Radio(MODEL_CHOICES, value=DIGIT_ARCHITECTURES[0], label="Model in use")
    model_text = gr.Markdown(model_info(DIGIT_ARCHITECTURES[0]), label="model")

    with gr.Tabs():
        with gr.Tab("Try it"):
            with gr.Row():
                with gr.Column():
                    with gr.Tab("Draw"):
                        pad = digit_pad(elem_id="digits-pad")
                    with gr.Tab("Upload"):
                        upload = gr.Image(
                            type="filepath",
                            image_mode=None,  # keep the file as sent; core detects its polarity
                            sources=["upload", "clipboard"],
                            label=f"Photo or scan of a digit ({UPLOAD_LIMITS})",
                            elem_id="digits-upload",
                        )
                with gr.Column():
                    headline = gr.Markdown("### Draw a digit or upload a photo", elem_id="digits-headline")
                    bars = gr.Plot(label="Probabilities")
                    frame = gr.Image(
                        label="What the model sees (28x28)",
                        format="png",
                        interactive=False,
                        height=240,
                        elem_classes="pixelated",
                    )
            with gr.Accordion("What the layers see", open=False):
                maps = gr.Gallery(
                    label="Activations per block", columns=3, height=360, object_fit="contain", format="png"
                )
            with gr.Accordion("Held-out report of the model in use", open=False):
                inspect_button = gr.Button("Compute report")
                inspect = build_report_panel("Held-out report")

        with gr.Tab("Train"):
            training = build_training_panel(spec, samples_label="Held-out predictions")
            trained_report = build_report_panel("Your model on held-out data")

    # Hidden: the inputs and outputs of the API-only endpoints.
    with gr.Group(visible=False):
        api_file = gr.File(type="filepath", label="image")
        api_pixels = gr.JSON(label="pixels")
        api_model = gr.Textbox(value=DIGIT_ARCHITECTURES[0], label="model")
        api_result = gr.JSON(label="result")
        api_button = gr.Button()

    def on_inspect(choice: str, state: LabSession | None) -> tuple:
        return digits_report(digits_model(choice, state))

    def on_model(state: LabSession) -> dict:  # the model just trained, in use, with its report
        confusion, mistakes, filters, note = digits_report(state.trained)
        return {
            model_choice: SESSION_MODEL,
            model_text: model_summary(state.trained),
            trained_report.confusion: confusion,
            trained_report.mistakes: mistakes,
            trained_report.filters: filters,
            trained_report.note: note,
        }

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        yield from training_updates(LAB, training, session, state, settings, on_model=on_model)

    interact = {"concurrency_limit": 4, "concurrency_id": "digits-interact"}
    # The named API first, so that its names are not taken by the UI's private events.
    api_button.click(
        classify_image_file, [api_file, api_model, session], api_result, api_name="classify", **interact
    )
    api_button.click(
        classify_pixels, [api_pixels, api_model, session], api_result, api_name="classify_drawing", **interact
    )
    wire_model_info(model_info, [api_model, session], api_button, "model_info", **interact)
    wire_training(training, session, on_train, [model_choice, model_text, *trained_report.outputs])

    # UI-only events: private, since widgets' payloads are no API to promise.
    private = {"api_visibility": "private", **interact}
    view_outputs = [headline, bars, frame, maps]
    model_choice.change(model_info, [model_choice, session], model_text, **private)
    model_choice.change(drawing_view, [pad, model_choice, session], view_outputs, **private)
    # `input` fires after every stroke; `change` lags a stroke behind in Gradio 6.
    pad.input(drawing_view, [pad, model_choice, session], view_outputs, trigger_mode="always_last", **private)
    upload.change(upload_view, [upload, model_choice, session], view_outputs, **private)
    inspect_button.click(on_inspect, [model_choice, session], inspect.outputs, **private)
