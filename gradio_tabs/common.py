"""What every Gradio lab page shares: controls drawn from a lab's spec, a training panel that
streams a job into growing charts, a per-session home for jobs and models, and turning core's
input errors into messages. gradio_tabs/lab_tab.py builds a lab's page from these."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from core import charts, checkpoints, controls, output_views
from core import runs as runs_module
from core.errors import USER_ERRORS
from core.history import TrainingHistory
from core.job_view import job_status, watch_job
from core.labs.base import Lab, TrainedModel
from core.runner import Job, default_runner
from core.runs import Run
from core.specs import LabSpec, Param
from gradio_tabs import cache_fix

cache_fix.install()  # identical images requested at once must not truncate each other

LATEX = [
    {"left": "$$", "right": "$$", "display": True},
    {"left": "$", "right": "$", "display": False},
]
CSS = """
.pixelated img { image-rendering: pixelated; }
.output-help { font-size: 0.85em; opacity: 0.75; margin-top: -0.5em; }
"""


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
    loaded: TrainedModel | None = None  # a checkpoint loaded from a file
    runs: list[Run] = field(default_factory=list)  # every finished training, oldest first
    compared: list[str] = field(default_factory=list)  # the runs ticked in the Runs tab, by label

    def stop(self) -> None:
        if self.job is not None and not self.job.done:
            self.job.stop()


PAD_SIZE = 280  # drawing pads: ten pad pixels per MNIST pixel


def blank_pad(size: int = PAD_SIZE) -> np.ndarray:
    """A black sheet for a drawing pad: white ink on black is what MNIST digits look like."""
    return np.zeros((size, size, 3), dtype=np.uint8)


def digit_pad(**options: Any) -> gr.Sketchpad:
    """A drawing pad for one digit in white ink on a black sheet, like MNIST, that gives its
    picture as numpy; `options` (elem_id, visible...) go to gr.Sketchpad. Clearing the pad removes
    its black sheet too, and white ink on white is invisible, so Clear puts the sheet back."""
    settings = {
        "value": blank_pad(),
        "canvas_size": (PAD_SIZE, PAD_SIZE),
        "fixed_canvas": True,
        "brush": gr.Brush(default_size=12, colors=["#ffffff"], color_mode="fixed"),
        "layers": False,
        "eraser": False,  # a brush alone has no tool column over the sheet (Clear undoes all)
        "transforms": (),
        # Short: a longer label runs under the pad's zoom and undo buttons and is cut.
        "label": "Draw a digit",
        "type": "numpy",
    }
    pad = gr.Sketchpad(**(settings | options))
    pad.clear(blank_pad, None, pad, api_visibility="private")
    return pad


def stop_session(session: LabSession | None) -> None:
    """Stop the session's training, if any: for the Stop button, and for Gradio when it deletes a
    closed session's state, so that the trainer is free for others."""
    if session is not None:
        session.stop()


def session_state() -> gr.State:
    """A session's LabSession. Gradio drops it when the tab closes; `DLL_SESSION_TTL` (seconds
    since the last training, default 8 hours) also ends sessions left open for days."""
    ttl = float(os.environ.get("DLL_SESSION_TTL") or 8 * 3600)
    return gr.State(None, time_to_live=ttl, delete_callback=stop_session)


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
    if param.kind == "multichoice":
        return gr.CheckboxGroup(
            list(param.choices), info=param.help, **(common | {"value": list(param.default)})
        )
    if param.kind == "text":
        return gr.Textbox(
            lines=param.lines,
            max_lines=max(param.lines, 20 if param.lines > 1 else 1),
            info=param.help,
            **common,
        )
    if controls.fits_slider(param):
        return gr.Slider(param.low, param.high, step=param.step or 1, info=param.help, **common)
    bounded = param.low is not None and param.high is not None
    if param.kind == "float" and param.step and bounded and not param.log:
        return gr.Slider(param.low, param.high, step=param.step, info=param.help, **common)
    info = param.help + controls.range_note(param)
    return gr.Number(precision=0 if param.kind == "int" else None, info=info, **common)


def spec_controls(spec: LabSpec) -> dict[str, gr.Component]:
    """A control per hyperparameter, by name: pass it as an event's `inputs_kwargs`, so the
    handler gets keyword arguments and the API names its parameters after the settings."""
    return {
        param.name: seed_control(param) if param.name == "seed" else param_control(param)
        for param in spec.params
    }


def seed_control(seed: Param) -> gr.Number:
    """The seed; each visit puts one of its own here when the page loads (lesson_panel's
    open_lesson), so a first training is not the bundled model again. Not a callable value:
    Gradio 6 fires every page's callable values on every page's load (hundreds of queued events
    before a student's first click, with thirty labs)."""
    return gr.Number(
        value=seed.default,
        precision=0,
        label=seed.label,
        info=f"{seed.help} {controls.seed_note(seed)}",
    )


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
    """A lab's Train panel: controls from its spec, Train and Stop, live status, one growing chart
    per metric, samples, and the download of the trained checkpoint."""

    controls: dict[str, gr.Component]
    train: gr.Button
    stop: gr.Button
    status: gr.Markdown
    plots: dict[str, gr.Plot]  # metric name -> its chart
    samples: gr.Gallery
    download: gr.File
    figures: Callable[[TrainingHistory], list] | None = None  # the lab's own charts, one per plot
    next_step: str = ""  # what to try after a training

    @property
    def outputs(self) -> list[gr.Component]:
        return [self.status, *self.plots.values(), self.samples, self.download]

    def live(self, job: Job, history: TrainingHistory) -> dict[gr.Component, Any]:
        if job.state == "queued":  # nothing to chart yet: only the place in the queue changes
            return {self.status: job_status(job, history)}
        shown = history.samples
        return {
            self.status: job_status(job, history),
            **dict(zip(self.plots.values(), self._figures(history), strict=True)),
            self.samples: [] if shown is None else output_views.gallery_items(shown.images, shown.captions),
        }

    def _figures(self, history: TrainingHistory) -> list:
        if self.figures is not None:
            return [charts.fit_title(figure) for figure in self.figures(history)]
        return [charts.training_curves(history, metric) for metric in self.plots]

    def finished(self, job: Job, history: TrainingHistory) -> dict[gr.Component, Any]:
        """The complete last update (an API client sees only the last one)."""
        note = " Your model is now the model in use (see Try it)." if job.result else ""
        if job.state == "finished" and self.next_step:
            note += f"\n\nNext: {self.next_step}"
        return self.live(job, history) | {
            self.status: job_status(job, history) + note,
            self.download: checkpoint_download(job.result),
        }


def build_training_panel(
    spec: LabSpec,
    metrics: Sequence[str] = ("loss", "accuracy"),
    samples_label: str | None = "Samples",
    figures: Callable[[TrainingHistory], list] | None = None,
    next_step: str = "",
) -> TrainingPanel:
    """The panel, with a chart for each of `metrics` (names as the lab's events carry them)."""
    with gr.Row():
        with gr.Column(scale=1):
            # Train, Stop and the status line first, the settings under them: on a phone the
            # columns stack, and a long list of settings would push the buttons off the screen.
            with gr.Row():
                train = gr.Button("Train", variant="primary")
                stop = gr.Button("Stop", variant="stop")
            status = gr.Markdown("Set the settings below and press **Train**.", label="status")
            controls = spec_controls(spec)
        with gr.Column(scale=2):
            # Stacked, not side by side: each chart needs the width for its legend.
            # Labelled with what will appear, so an empty chart before the first step is not a puzzle.
            plots = {
                metric: gr.Plot(label=f"{charts.metric_title(metric)}: drawn as the training runs")
                for metric in metrics
            }
            samples = gr.Gallery(
                label=samples_label,
                columns=6,
                height="auto",
                object_fit="contain",
                format="png",
                visible=samples_label is not None,
            )
            download = gr.File(label="Download this session's model (checkpoint zip)")
    return TrainingPanel(controls, train, stop, status, plots, samples, download, figures, next_step)


def wire_training(
    panel: TrainingPanel,
    session: gr.State,
    train: Callable[..., Iterator[dict]],
    extra_outputs: Sequence[gr.Component] = (),
    api_prefix: str = "",
    extra_inputs: dict[str, gr.Component] | None = None,
) -> Any:
    """Connect Train and Stop as the public /<api_prefix>train and /<api_prefix>stop endpoints
    (Digits has no prefix; every other lab passes its own, e.g. "gan_", since names are unique).

    Trainings queue in the runner, which tells each its place, so Gradio must not queue them
    too: no concurrency limit on these events. Returns the Train event, for what follows a
    training (the Runs tab's list).
    """
    trained = panel.train.click(
        train,
        [session],
        [session, *panel.outputs, *extra_outputs],
        inputs_kwargs=panel.controls | (extra_inputs or {}),
        api_name=f"{api_prefix}train",
        concurrency_limit=None,
        show_progress="hidden",  # the status line shows progress; spinners would hide the charts
    )
    panel.stop.click(stop_session, session, None, api_name=f"{api_prefix}stop", concurrency_limit=None)
    return trained


def training_updates(
    lab: Lab,
    panel: TrainingPanel,
    session: gr.State,
    state: LabSession | None,
    settings: dict[str, Any],
    views: Callable[[TrainingHistory], dict[gr.Component, Any]] | None = None,
    on_model: Callable[[LabSession], dict[gr.Component, Any]] | None = None,
    note: str = "",
) -> Iterator[dict[gr.Component, Any]]:
    """What a lab's Train handler yields: the panel's live view, plus `views(history)` (the lab's
    own charts), while the job runs. When it ends with a model, that becomes the session's model
    and the last update is complete, since an API client sees only that one: the finished panel,
    the views and `on_model(state)` (e.g. the model picker set to SESSION_MODEL)."""
    state = state or LabSession()
    shown: dict[gr.Component, Any] = {}
    for job, history in stream_training(lab, state, settings):
        # Charts cost the server real time to build; a queued job has none to show yet.
        shown = {} if views is None or job.state == "queued" else views(history)
        yield {session: state, **panel.live(job, history), **shown}
    if job.result is None:  # failed, or withdrawn from the queue: the status says why
        return
    state.trained = job.result
    state.runs.append(runs_module.from_job(job, label=f"run {len(state.runs) + 1}", note=note))
    yield panel.finished(job, history) | shown | ({} if on_model is None else on_model(state))
