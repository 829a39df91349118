"""Deep Learning Labs as a Gradio Blocks app: the catalogue, one tab per ready lab, and an HTTP API.

The app is thin on purpose: every control is drawn from a lab's `LabSpec`, every training goes
through the process-wide runner in `core.runner`, and every picture or chart comes from `core`.
What is written here is layout, event wiring and turning core errors into messages.

Adding a lab means writing one `build_<lab>_tab()` and listing it in `LAB_TABS`; the generic
pieces (controls from a spec, streaming a job into charts, a per-session home for jobs and
models, user-facing errors) are the helpers in the first half of this file.

Run it with `python gradio_app.py` (port from GRADIO_SERVER_PORT, default 7860). The named API
endpoints (see `build_digits_tab`) are listed on the app's "Use via API" page.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from core import charts, checkpoints
from core.catalogue import DIGIT_ARCHITECTURES, catalogue
from core.data import DataUnavailableError
from core.history import TrainingHistory
from core.imaging import MAX_UPLOAD_BYTES, UPLOAD_LIMITS, ImageInputError
from core.labs import digits
from core.labs.base import Lab, TrainedModel
from core.registry import get_lab
from core.runner import BusyError, Job, default_runner
from core.specs import LabSpec, Param, SpecError

LATEX = [
    {"left": "$$", "right": "$$", "display": True},
    {"left": "$", "right": "$", "display": False},
]
REFRESH_SECONDS = 0.5  # how often a running training redraws its charts
MAX_PIXELS_SIDE = 1024  # /classify_drawing refuses bigger arrays: JSON that large is abuse
CSS = """
.pixelated img { image-rendering: pixelated; }
"""

# Errors from core that are the user's input, not a bug: shown as a message, never a traceback.
USER_ERRORS = (SpecError, BusyError, ImageInputError, checkpoints.CheckpointError, DataUnavailableError)


# --- generic helpers that every lab tab uses -----------------------------------------------


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn core's input errors into `gr.Error`: a toast in the UI, a clear error in the API."""
    try:
        yield
    except USER_ERRORS as error:
        raise gr.Error(str(error), print_exception=False) from None


@dataclass
class LabSession:
    """One browser session's training job and trained model for one lab.

    Kept in a `gr.State`, so each session has its own and never sees another's. `owner` is what
    the runner uses to allow one active job per session.
    """

    owner: str = field(default_factory=lambda: uuid.uuid4().hex)
    job: Job | None = None
    trained: TrainedModel | None = None

    def stop(self) -> None:
        if self.job is not None and not self.job.done:
            self.job.stop()


def stop_session(session: LabSession | None) -> None:
    """Stop the session's training, if any: for the Stop button, and for Gradio when it deletes a
    closed session's state, so that the trainer is free for others."""
    if session is not None:
        session.stop()


def session_state() -> gr.State:
    return gr.State(None, delete_callback=stop_session)


def lab_header(spec: LabSpec) -> None:
    """The lab's title, summary and theory (collapsed, with LaTeX)."""
    gr.Markdown(f"## {spec.heading}\n{spec.summary}")
    if spec.theory:
        with gr.Accordion("Theory", open=False):
            gr.Markdown(spec.theory, latex_delimiters=LATEX)


def param_control(param: Param) -> gr.Component:
    """One input widget for one hyperparameter, chosen from its kind and range.

    Sliders for short linear ranges; a number box for log-scale values (a linear slider from 1e-5
    to 10 cannot reach the useful small rates) and for huge ranges such as seeds. Ranges are
    enforced by `LabSpec.validate`, so every front end gives the same message.
    """
    common = {"label": param.label, "value": param.default}
    if param.kind == "bool":
        return gr.Checkbox(info=param.help, **common)
    if param.kind == "choice":
        if len(param.choices) <= 4:
            return gr.Radio(list(param.choices), info=param.help, **common)
        return gr.Dropdown(list(param.choices), info=param.help, **common)
    span = None if param.low is None or param.high is None else param.high - param.low
    if param.kind == "int" and span is not None and span <= 1024:
        return gr.Slider(param.low, param.high, step=param.step or 1, info=param.help, **common)
    if param.kind == "float" and param.step and span is not None and not param.log:
        return gr.Slider(param.low, param.high, step=param.step, info=param.help, **common)
    fmt = ",.0f" if param.kind == "int" else "g"
    bounds = "" if span is None else f" ({param.low:{fmt}} to {param.high:{fmt}})"
    return gr.Number(precision=0 if param.kind == "int" else None, info=param.help + bounds, **common)


def spec_controls(spec: LabSpec) -> dict[str, gr.Component]:
    """A control per hyperparameter, by name: pass it as an event's `inputs_kwargs`, so the
    handler gets keyword arguments and the API names its parameters after the settings."""
    return {param.name: param_control(param) for param in spec.params}


def watch_job(job: Job, interval: float = REFRESH_SECONDS) -> Iterator[TrainingHistory]:
    """The job's history, refreshed about every `interval` seconds and once more at the end.

    Waiting on the job rather than sleeping means the last update comes as soon as the job is
    done, and the regular tick keeps the queue place current while nothing else happens. The
    tick also throttles redraws: a fast model takes dozens of steps a second.
    """
    history = TrainingHistory()
    seen = 0
    while True:
        finished = job.wait(timeout=interval)
        events = job.events_since(seen)
        seen += len(events)
        history.extend(events)
        yield history
        if finished:  # a finished job emits nothing more
            return


def progress_bar(fraction: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def job_status(job: Job, history: TrainingHistory) -> str:
    """A line of markdown: queue place, progress and the latest metrics, or the outcome."""
    if job.state == "queued":
        place = job.queue_position()
        where = "next in line" if place <= 1 else f"place {place} in the line"
        return f"**Queued**: {where} for a free trainer."
    if job.state == "running":
        if not history.total_steps:
            return "**Loading** the data and building the model..."
        parts = [f"step {history.step}/{history.total_steps}"]
        for name, label, fmt in (
            ("loss", "loss", ".3f"),
            ("heldout_accuracy", "held-out accuracy", ".1%"),
        ):
            value = history.latest(name)
            if value is not None:
                parts.append(f"{label} {value:{fmt}}")
        return f"**Training** `{progress_bar(history.fraction_done)}` " + " · ".join(parts)
    return job.message  # the runner words each outcome itself


def gallery_items(
    images: np.ndarray, captions: Sequence[str], scale: int = 4
) -> list[tuple[np.ndarray, str]]:
    """(N, H, W) images in [0, 1] -> gallery entries, enlarged so the pixels stay crisp."""
    return [
        (charts.to_uint8(charts.upscale(image, scale)), caption)
        for image, caption in zip(images, captions, strict=True)
    ]


def checkpoint_download(trained: TrainedModel | None) -> str | None:
    """The trained model's checkpoint folder as a zip file path for a `gr.File`, if it was saved."""
    if trained is None or trained.path is None or not trained.path.is_dir():
        return None
    target = Path(tempfile.mkdtemp(prefix="dll-download-")) / f"{trained.path.name}.zip"
    target.write_bytes(checkpoints.archive_bytes(trained.path))
    return str(target)


def stream_training(
    lab: Lab, session: LabSession, settings: dict[str, Any]
) -> Iterator[tuple[Job, TrainingHistory]]:
    """Validate, submit under this session's name and follow the job until it is done.

    Bad settings or a second training from the same session raise gr.Error. If the browser goes
    away mid-training, Gradio closes this generator and the job is stopped, so an orphaned
    training does not hold the trainer that others are queueing for.
    """
    with user_errors():
        session.job = job = default_runner().submit(lab, lab.spec.validate(settings), owner=session.owner)
    try:
        for history in watch_job(job):
            yield job, history
    finally:
        session.stop()


@dataclass
class TrainingPanel:
    """A lab's Train panel: controls from its spec, Train and Stop, live status, curves and
    samples, and the download of the trained checkpoint."""

    controls: dict[str, gr.Component]
    train: gr.Button
    stop: gr.Button
    status: gr.Markdown
    loss: gr.Plot
    accuracy: gr.Plot
    samples: gr.Gallery
    download: gr.File

    @property
    def outputs(self) -> list[gr.Component]:
        return [self.status, self.loss, self.accuracy, self.samples, self.download]

    def live(self, job: Job, history: TrainingHistory) -> dict[gr.Component, Any]:
        shown = history.samples
        return {
            self.status: job_status(job, history),
            self.loss: charts.training_curves(history, "loss"),
            self.accuracy: charts.training_curves(history, "accuracy"),
            self.samples: [] if shown is None else gallery_items(shown.images, shown.captions),
        }

    def finished(self, job: Job, history: TrainingHistory) -> dict[gr.Component, Any]:
        """The complete last update (an API client sees only the last one)."""
        note = " Your model is now the model in use (see Try it)." if job.result else ""
        return self.live(job, history) | {
            self.status: job_status(job, history) + note,
            self.download: checkpoint_download(job.result),
        }


def build_training_panel(spec: LabSpec) -> TrainingPanel:
    with gr.Row():
        with gr.Column(scale=1):
            controls = spec_controls(spec)
            with gr.Row():
                train = gr.Button("Train", variant="primary")
                stop = gr.Button("Stop", variant="stop")
        with gr.Column(scale=2):
            status = gr.Markdown("Set the hyperparameters and press **Train**.", label="status")
            # Stacked, not side by side: each chart needs the width for its legend.
            loss = gr.Plot(label="Loss")
            accuracy = gr.Plot(label="Accuracy")
            samples = gr.Gallery(
                label="Held-out predictions", columns=6, height="auto", object_fit="contain", format="png"
            )
            download = gr.File(label="Download this session's model (checkpoint zip)")
    return TrainingPanel(controls, train, stop, status, loss, accuracy, samples, download)


def wire_training(
    panel: TrainingPanel,
    session: gr.State,
    train: Callable[..., Iterator[dict]],
    extra_outputs: Sequence[gr.Component] = (),
) -> None:
    """Connect Train and Stop as the public /train and /stop endpoints.

    Trainings queue in the runner, which tells each its place, so Gradio must not queue them
    too: no concurrency limit on these events.
    """
    panel.train.click(
        train,
        [session],
        [session, *panel.outputs, *extra_outputs],
        inputs_kwargs=panel.controls,
        api_name="train",
        concurrency_limit=None,
        show_progress="hidden",  # the status line shows progress; spinners would hide the charts
    )
    panel.stop.click(stop_session, session, None, api_name="stop", concurrency_limit=None)


def catalogue_markdown() -> str:
    """Every lab by topic: ready ones point at their tab, planned ones say so."""
    lines = [
        "# Deep Learning Labs",
        "Learn deep learning by doing: pick a lab, train it live, then play with it.",
    ]
    for topic, specs in catalogue().items():
        lines.append(f"\n### {topic}")
        for spec in specs:
            if spec.status == "ready":
                lines.append(f"- **{spec.heading}**: {spec.summary} *Ready: open its tab above.*")
            else:
                lines.append(f"- {spec.title}: {spec.summary} *(planned)*")
    return "\n".join(lines)


# --- Digits lab -------------------------------------------------------------------------------

DIGITS = get_lab("digits")
SESSION_MODEL = "session"
MODEL_CHOICES = [(f"Bundled {name}", name) for name in DIGIT_ARCHITECTURES] + [
    ("This session's model", SESSION_MODEL)
]
PAD_SIZE = 280  # ten pad pixels per MNIST pixel


def blank_pad() -> np.ndarray:
    """A black sheet for the drawing pad: white ink on black is what MNIST digits look like."""
    return np.zeros((PAD_SIZE, PAD_SIZE, 3), dtype=np.uint8)


@functools.lru_cache(maxsize=len(DIGIT_ARCHITECTURES))
def bundled_digits_model(architecture: str) -> TrainedModel:
    """A bundled checkpoint, loaded once per process and shared read-only by every session."""
    return DIGITS.load_bundled({"architecture": architecture})


def digits_model(choice: str | None, session: LabSession | None) -> TrainedModel:
    """The model a user picked; raises gr.Error when it is not available."""
    choice = (choice or DIGIT_ARCHITECTURES[0]).strip()
    if choice == SESSION_MODEL:
        if session is None or session.trained is None:
            raise gr.Error(
                "This session has no trained model yet: train one in the Train tab, or pick a bundled model.",
                print_exception=False,
            )
        return session.trained
    if choice not in DIGIT_ARCHITECTURES:
        options = ", ".join([*DIGIT_ARCHITECTURES, SESSION_MODEL])
        raise gr.Error(f"Unknown model {choice!r}: choose one of {options}.", print_exception=False)
    try:
        return bundled_digits_model(choice)
    except checkpoints.CheckpointError:
        raise gr.Error(
            f"The bundled {choice} model is not installed on this server (checkpoints/digits-{choice}); "
            "pick another model or train your own.",
            print_exception=False,
        ) from None


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
    try:
        return model_summary(digits_model(model, session))
    except gr.Error as error:
        return f"**Not available:** {error.message}"


def prediction_result(prediction: digits.Prediction, trained: TrainedModel) -> dict[str, Any]:
    """The API's JSON answer: the core prediction plus which model gave it."""
    return {
        **prediction.to_dict(),
        "model": trained.config.get("architecture"),
        "origin": trained.origin,
        "trained_on": trained.data_source,
    }


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
    try:
        array = np.asarray(pixels, dtype=np.float32)
    except (TypeError, ValueError):
        array = np.empty(0)
    if array.ndim != 2 or min(array.shape) == 0:
        raise gr.Error("Expected a 2-D list of grey pixel values (rows of numbers).", print_exception=False)
    if max(array.shape) > MAX_PIXELS_SIDE:
        raise gr.Error(
            f"The drawing is larger than {MAX_PIXELS_SIDE}x{MAX_PIXELS_SIDE} pixels.", print_exception=False
        )
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


def build_digits_tab() -> None:
    """The Digits lab: Try it (draw or upload), Train (live curves), and the named API."""
    spec = DIGITS.spec
    session = session_state()
    lab_header(spec)
    model_choice = gr.Radio(MODEL_CHOICES, value=DIGIT_ARCHITECTURES[0], label="Model in use")
    model_text = gr.Markdown(model_info(DIGIT_ARCHITECTURES[0]), label="model")

    with gr.Tabs():
        with gr.Tab("Try it"):
            with gr.Row():
                with gr.Column():
                    with gr.Tab("Draw"):
                        pad = gr.Sketchpad(
                            value=blank_pad(),
                            canvas_size=(PAD_SIZE, PAD_SIZE),
                            fixed_canvas=True,
                            brush=gr.Brush(default_size=12, colors=["#ffffff"], color_mode="fixed"),
                            layers=False,
                            transforms=(),
                            label="Draw a digit (white on black, like MNIST)",
                            elem_id="digits-pad",
                            type="numpy",
                        )
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
            training = build_training_panel(spec)
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

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        state = state or LabSession()
        for job, history in stream_training(DIGITS, state, settings):
            yield {session: state, **training.live(job, history)}
        if job.result is None:  # failed, or withdrawn from the queue: the status says why
            return
        state.trained = job.result
        confusion, mistakes, filters, note = digits_report(job.result)
        yield training.finished(job, history) | {
            model_choice: SESSION_MODEL,
            model_text: model_summary(job.result),
            trained_report.confusion: confusion,
            trained_report.mistakes: mistakes,
            trained_report.filters: filters,
            trained_report.note: note,
        }

    interact = {"concurrency_limit": 4, "concurrency_id": "digits-interact"}
    # The named API first, so that its names are not taken by the UI's private events.
    api_button.click(
        classify_image_file, [api_file, api_model, session], api_result, api_name="classify", **interact
    )
    api_button.click(
        classify_pixels, [api_pixels, api_model, session], api_result, api_name="classify_drawing", **interact
    )
    api_button.click(model_info, [api_model, session], api_result, api_name="model_info", **interact)
    wire_training(training, session, on_train, [model_choice, model_text, *trained_report.outputs])

    # UI-only events: private, since widgets' payloads are no API to promise.
    private = {"api_visibility": "private", **interact}
    view_outputs = [headline, bars, frame, maps]
    model_choice.change(model_info, [model_choice, session], model_text, **private)
    model_choice.change(drawing_view, [pad, model_choice, session], view_outputs, **private)
    # `input` fires after every stroke; `change` lags a stroke behind in Gradio 6.
    pad.input(drawing_view, [pad, model_choice, session], view_outputs, trigger_mode="always_last", **private)
    # Clearing the pad removes its black sheet too, and white ink on white is invisible: put it back.
    pad.clear(blank_pad, None, pad, api_visibility="private")
    upload.change(upload_view, [upload, model_choice, session], view_outputs, **private)
    inspect_button.click(on_inspect, [model_choice, session], inspect.outputs, **private)


LAB_TABS: dict[str, Callable[[], None]] = {"digits": build_digits_tab}


def build_app() -> gr.Blocks:
    """The whole app: the catalogue first, then a tab per ready lab."""
    # Every drawing, upload and gallery image lands in Gradio's cache: drop files older than a day.
    with gr.Blocks(title="Deep Learning Labs", delete_cache=(3600, 86400)) as app, gr.Tabs():
        with gr.Tab("Labs"):
            gr.Markdown(catalogue_markdown())
        for lab_id, build_tab in LAB_TABS.items():
            spec = get_lab(lab_id).spec
            with gr.Tab(spec.heading):
                build_tab()
    return app


demo = build_app()


def main() -> None:
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    demo.launch(server_port=port, max_file_size=MAX_UPLOAD_BYTES, css=CSS)


if __name__ == "__main__":
    main()
