"""A lab's Gradio tab, generated from its declaration: the model picker (bundled variants, this
session's model, a loaded checkpoint), a panel per interaction, the training panel, and a named
API endpoint for everything, one rule for every lab:

    /<lab>_<interaction>   inputs by name, plus `model`; answers the interaction's JSON
    /<lab>_train, /<lab>_stop, /<lab>_model_info

(`lab` and `interaction` with "-" written "_"). A lab may build any interaction's panel its own
way in gradio_tabs/panels/<lab>.py: a function named after the interaction, taking a `Panel`.
"""

from __future__ import annotations

import importlib
import importlib.util
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
import pandas as pd

from core import controls, image_classes, models, output_views, picture_inputs
from core.compared_html import compared_html
from core.export import export_archive
from core.imaging import BUNDLED_PHOTOS, UPLOAD_LIMITS, read_photo
from core.interactions import Interaction, Output, output_json, result_json
from core.labs.base import Lab, TrainedModel
from core.specs import Param
from gradio_tabs.common import (
    LabSession,
    build_training_panel,
    digit_pad,
    lab_header,
    param_control,
    session_state,
    training_updates,
    user_errors,
    wire_training,
)
from gradio_tabs.compared import compared_runs
from gradio_tabs.lesson_panel import build_lesson_parts, build_share, lesson_settings, open_lesson
from gradio_tabs.runs_tab import build_runs_tab

INTERACT = {"concurrency_limit": 4}  # interactions run beside each other, trainings queue apart
PRIVATE = {"api_visibility": "private", **INTERACT}  # widgets' events are no API to promise
# How the API reads the inputs it takes as files (by their path), by the input's kind.
API_FILES = {
    "image": picture_inputs.sent_digit,
    "photo": picture_inputs.sent_photo,
    "classes": picture_inputs.sent_classes,
}


def api_name(*parts: str) -> str:
    return "_".join(part.replace("-", "_") for part in parts)


@dataclass
class Panel:
    """What an interaction's panel is built with: the lab, the interaction, and the model picker
    and session its events read (`panel.model(choice, session)` is the model they pick)."""

    lab: Lab
    interaction: Interaction
    model_choice: gr.Radio
    session: gr.State

    def model(self, choice: str | None, session: LabSession | None) -> TrainedModel | None:
        if not self.interaction.needs_model:
            return None
        with user_errors():
            return chosen_model(self.lab, choice, session)


def chosen_model(lab: Lab, choice: str | None, session: LabSession | None) -> TrainedModel:
    """The model a choice names for this session: a bundled variant, the session's model, the
    loaded checkpoint, or one of the session's runs by its label."""
    session = session or LabSession()
    run_models = {run.label: run.trained for run in session.runs if run.trained is not None}
    return models.choose(lab, choice, session.trained, session.loaded, run_models)


def model_choices(lab: Lab) -> list[tuple[str, str]]:
    return [(f"Bundled {name}", name) for name in lab.variants] + [
        ("This session's model", models.SESSION),
        ("Loaded from a file", models.LOADED),
    ]


def model_info(lab: Lab, choice: str | None, session: LabSession | None) -> str:
    """The line under the model picker (and /<lab>_model_info): the model's summary, or why it
    is not available."""
    session = session or LabSession()
    try:
        return models.summary(lab, models.choose(lab, choice, session.trained, session.loaded))
    except models.ModelChoiceError as error:
        return f"**Not available:** {error}"


def build_lab_tab(lab: Lab, page: gr.Blocks | None = None) -> None:
    """Everything a lab's tab shows and answers. `page`: the Blocks (or route) whose load opens
    a lesson link (`?lesson=...`); without one, lesson links are not read."""
    overrides = _overrides(lab)
    session = session_state()
    lab_header(lab.spec)
    lesson_parts = build_lesson_parts()
    default = models.default_choice(lab)
    model_choice = gr.Radio(model_choices(lab), value=default, label="Model in use")
    model_text = gr.Markdown(model_info(lab, default, None))
    with gr.Accordion("Download this model, or load a checkpoint", open=False):
        with gr.Row():
            export = gr.Button("Download this model (.zip)")
            exported = gr.File(label="This model, to take away (see EXPORT.md inside)")
        checkpoint = gr.File(
            label="Load a checkpoint (.zip with config.json and model.safetensors)", file_types=[".zip"]
        )
    with gr.Tabs():
        with gr.Tab("Try it"), gr.Tabs():
            for interaction in lab.interactions:
                with gr.Tab(interaction.title):
                    gr.Markdown(interaction.help)
                    panel = Panel(lab, interaction, model_choice, session)
                    build = overrides.get(interaction.name.replace("-", "_"), build_interaction_panel)
                    build(panel)
        with gr.Tab("Train"):
            training = build_training_panel(
                lab.spec, lab.train_metrics, lab.samples_label, lab.training_figures, lab.next_step()
            )
            if lab.course_recipe:
                gr.Markdown(controls.recipe_note(lab.course_recipe))
            build_share(lab, training, api_name(lab.spec.id, "lesson_link"))
        refresh_runs = build_runs_tab(lab, session, training)

    def on_train(
        state: LabSession | None, lesson: str = "", lesson_answer: str = "", **settings: Any
    ) -> Iterator[dict]:
        def on_model(state: LabSession) -> dict:
            return {model_choice: models.SESSION, model_text: model_info(lab, models.SESSION, state)}

        settings = lesson_settings(lab, lesson, lesson_answer, settings)
        note = (lesson_answer or "").strip() if lesson else ""
        yield from training_updates(lab, training, session, state, settings, on_model=on_model, note=note)

    def on_checkpoint(path: str | None, state: LabSession | None) -> tuple:
        state = state or LabSession()
        if not path:
            return state, gr.update(), gr.update()
        folder = Path(tempfile.mkdtemp(prefix="dll-checkpoint-"))
        with user_errors():
            state.loaded = models.load_archive(lab, Path(path).read_bytes(), Path(path).name, folder)
        return state, models.LOADED, model_info(lab, models.LOADED, state)

    with gr.Group(visible=False):  # the API-only endpoints' inputs and outputs
        trigger = gr.Button()
        info = gr.Textbox(label="model summary (markdown)")
        api_model = gr.Textbox(value=default, label="model")
        for interaction in lab.interactions:
            add_api_endpoint(lab, interaction, trigger, api_model, session)
    trigger.click(
        lambda state, model=None: model_info(lab, model, state),
        [session],
        info,
        inputs_kwargs={"model": api_model},
        api_name=api_name(lab.spec.id, "model_info"),
        **INTERACT,
    )

    def on_export(choice: str | None, state: LabSession | None) -> str:
        state = state or LabSession()
        with user_errors():
            trained = models.choose(lab, choice, state.trained, state.loaded)
            data = export_archive(lab, trained)
        target = Path(tempfile.mkdtemp(prefix="dll-export-")) / f"{Path(trained.path).name}.zip"
        target.write_bytes(data)
        return str(target)

    export.click(
        on_export, [model_choice, session], exported, api_name=api_name(lab.spec.id, "export"), **INTERACT
    )
    trained = wire_training(
        training,
        session,
        on_train,
        [model_choice, model_text],
        api_prefix=api_name(lab.spec.id, ""),
        extra_inputs=lesson_parts.train_inputs,
    )
    if page is not None:

        def on_open(request: gr.Request) -> dict:
            return open_lesson(lab, training, lesson_parts, request)

        opened = [*training.controls.values(), *vars(lesson_parts).values()]
        page.load(on_open, None, opened, **PRIVATE)
    trained.then(*refresh_runs, **PRIVATE)  # the Runs tab lists a training as soon as it ends
    model_choice.change(lambda c, s: model_info(lab, c, s), [model_choice, session], model_text, **PRIVATE)
    checkpoint.upload(on_checkpoint, [checkpoint, session], [session, model_choice, model_text], **PRIVATE)


def _overrides(lab: Lab) -> dict[str, Callable[[Panel], None]]:
    """The panels a lab builds itself, from gradio_tabs/panels/<lab>.py, by interaction name."""
    name = f"gradio_tabs.panels.{lab.spec.id.replace('-', '_')}"
    if importlib.util.find_spec(name) is None:
        return {}
    module = importlib.import_module(name)
    # Only the panel module's own functions: a name it imported is no panel.
    return {
        key: value
        for key, value in vars(module).items()
        if callable(value) and not key.startswith("_") and getattr(value, "__module__", None) == name
    }


# --- the generated panel -------------------------------------------------------------------


def build_interaction_panel(panel: Panel) -> dict[str, Any]:
    """Inputs on the left, the answer on the right. Live interactions answer on every change
    (a problem shows in the message line: a live view should not pop up error toasts); the others
    on their button. Returns the components by input and output name (and "message"), for a
    lab's own panel that adds to the generated one."""
    interaction = panel.interaction
    with gr.Row():
        with gr.Column(scale=1):
            inputs = [input_component(param) for param in interaction.inputs]
            # No inputs to change: a button asks (the model picker still updates a shown answer).
            asked = interaction.live and interaction.inputs
            run = None if asked else gr.Button(interaction.title, variant="primary")
        with gr.Column(scale=2):
            message = gr.Markdown()
            outputs = []
            for output in interaction.outputs:
                outputs.append(output_component(output))
                if output.help:
                    gr.Markdown(output.help, elem_classes="output-help", visible=output.shown)
            compared = gr.HTML(visible=False)  # the same input through each compared run

    def answer(choice: str | None, state: LabSession | None, *values: Any) -> list:
        asked = dict(zip([p.name for p in interaction.inputs], values, strict=True))
        try:
            trained = panel.model(choice, state)
            with user_errors():
                result = interaction(trained, asked)
        except gr.Error as error:
            return [f"**{error.message}**", *[None] * len(outputs), gr.update(visible=False)]
        chosen = compared_runs(state) if interaction.needs_model else []
        side_by_side = (
            gr.update(value=compared_html(interaction, asked, chosen), visible=True)
            if len(chosen) >= 2
            else gr.update(visible=False)
        )
        return ["", *[component_value(o, result.get(o.name)) for o in interaction.outputs], side_by_side]

    sources = [panel.model_choice, panel.session, *[_value_of(c) for c in inputs]]
    # Composite inputs (a drawing, a photo, classes) fill their state on every change, whether
    # the answer follows at once (live) or waits for the button.
    changed = [t for c in inputs for t in _triggers(c)]
    triggers = [_read_first(run.click, inputs)] if run is not None else changed
    if interaction.live and interaction.needs_model:
        triggers.append(panel.model_choice.change)
    for trigger in triggers:
        trigger(answer, sources, [message, *outputs, compared], **PRIVATE)
    names = [p.name for p in interaction.inputs] + [o.name for o in interaction.outputs]
    return {"message": message, **dict(zip(names, [*inputs, *outputs], strict=True))}


@dataclass
class ImageInput:
    """A picture drawn or uploaded: the pad and the upload write it into `picture`."""

    picture: gr.State
    pad: gr.Sketchpad | None
    upload: gr.Image | None


@dataclass
class PhotoInput:
    """A colour photo: a bundled one (its name), or an upload or a webcam shot (the array),
    written into `picture`."""

    picture: gr.State
    bundled: gr.Dropdown
    upload: gr.Image


def photo_component(param: Param) -> PhotoInput:
    picture = gr.State(param.default)  # a bundled photo's name: core reads it
    bundled = gr.Dropdown(
        [(f"{name}: {about}", name) for name, about in BUNDLED_PHOTOS.items()],
        value=param.default,
        label=f"{param.label}: a bundled photo",
        info=param.help,
    )
    upload = gr.Image(
        type="filepath",  # the file as sent: core checks its size and format before decoding it
        sources=["upload", "webcam"],
        label=f"or your own, uploaded or from the webcam ({UPLOAD_LIMITS})",
    )
    return PhotoInput(picture, bundled, upload)


@dataclass
class ClassesInput:
    """A student's classes: per class a name box, a file box (several pictures) and a webcam
    whose shots add up; `picture` holds what core reads (the ready-made set's name, or the
    decoded pictures by class), kept in this session's state only. Read when the interaction's
    button is pressed: teaching takes seconds, so it is never live."""

    picture: gr.State
    source: gr.Radio
    names: list[gr.Textbox]
    files: list[gr.File]
    webcams: list[gr.Image]
    shots: list[gr.State]


def classes_component(param: Param) -> ClassesInput:
    picture = gr.State(param.default)
    sources = list(image_classes.SOURCES)
    source = gr.Radio(sources, value=sources[0], label=f"{param.label} from", info=param.help)
    names, files, webcams, shots = [], [], [], []
    for number in range(image_classes.MAX_CLASSES):
        with gr.Accordion(f"Class {number + 1}", open=number < 2):
            names.append(gr.Textbox(f"Class {number + 1}", label="Name", max_length=image_classes.MAX_NAME))
            files.append(
                gr.File(
                    file_count="multiple",
                    elem_classes="class-pictures",
                    file_types=["image"],
                    type="filepath",
                    label=f"Pictures ({UPLOAD_LIMITS} each)",
                )
            )
            webcams.append(
                gr.Image(sources=["webcam"], type="numpy", label="Webcam: each shot adds a picture")
            )
            shots.append(gr.State([]))
    return ClassesInput(picture, source, names, files, webcams, shots)


def _classes_value(source: str, *parts: Any) -> Any:
    """What core reads of the boxes: the names, the files, then the shots of every class."""
    count = image_classes.MAX_CLASSES
    with user_errors():
        return picture_inputs.classes_from_files(source, parts[:count], parts[count:-count], parts[-count:])


def _add_shot(shot: np.ndarray | None, taken: list) -> list:
    if shot is None:  # the shot was cleared, to take the next one
        return taken
    with user_errors():
        return [*taken, image_classes.shot_picture(shot)]


def input_component(param: Param) -> gr.Component | ImageInput | PhotoInput | ClassesInput:
    if param.kind == "photo":
        return photo_component(param)
    if param.kind == "classes":
        return classes_component(param)
    if param.kind != "image":
        return param_control(param)
    picture = gr.State(None)
    pad = upload = None
    with gr.Tabs():
        if "draw" in param.sources:
            with gr.Tab("Draw"):
                pad = digit_pad()
        if "upload" in param.sources:
            with gr.Tab("Upload"):
                upload = gr.Image(
                    type="filepath",
                    image_mode=None,  # the file as sent: core detects its polarity
                    sources=["upload", "clipboard"],
                    label=f"{param.label}: a photo or scan ({UPLOAD_LIMITS})",
                )
    return ImageInput(picture, pad, upload)


def _read_first(click: Callable, inputs: list) -> Callable:
    """The button's trigger, after each classes input is read from its boxes as they are at the
    click (a name typed a moment before counts)."""
    for component in inputs:
        if isinstance(component, ClassesInput):
            parts = [component.source, *component.names, *component.files, *component.shots]
            # .success: a file that cannot be read stops here, with its message, and no answer.
            click = click(_classes_value, parts, component.picture, **PRIVATE).success
    return click


def _value_of(component: gr.Component | ImageInput | PhotoInput | ClassesInput) -> gr.Component:
    return component.picture if isinstance(component, ImageInput | PhotoInput | ClassesInput) else component


def _triggers(component: gr.Component | ImageInput) -> list[Callable]:
    """The events after which a live interaction answers again; a drawing or an upload first
    becomes the input's picture."""
    if isinstance(component, gr.Textbox):  # not on every keystroke: when typed (Enter) or left
        return [component.submit, component.blur]
    if isinstance(component, gr.Slider):  # not at every step of a drag: where it is let go
        return [component.release]
    if isinstance(component, ClassesInput):  # read when the button is pressed (`_read_first`)
        for webcam, shots in zip(component.webcams, component.shots, strict=True):
            webcam.change(_add_shot, [webcam, shots], shots, **PRIVATE)
        return []
    if isinstance(component, PhotoInput):  # the newest choice wins: a bundled photo or one's own
        picked = component.bundled.change(lambda name: name, component.bundled, component.picture, **PRIVATE)
        taken = component.upload.change(
            _photo_from_upload, [component.upload, component.bundled], component.picture, **PRIVATE
        )
        return [picked.then, taken.then]
    if not isinstance(component, ImageInput):
        return [component.change]
    triggers = []
    if component.pad is not None:
        # `input` fires after every stroke; `change` lags a stroke behind in Gradio 6.
        drawn = component.pad.input(
            _from_pad, component.pad, component.picture, trigger_mode="always_last", **PRIVATE
        )
        triggers.append(drawn.then)
    if component.upload is not None:
        uploaded = component.upload.change(_from_upload, component.upload, component.picture, **PRIVATE)
        triggers.append(uploaded.then)
    return triggers


def _from_pad(editor: dict | None) -> np.ndarray | None:
    return picture_inputs.drawn_digit(None if editor is None else editor.get("composite"))


def _from_upload(path: str | None) -> np.ndarray | None:
    with user_errors():
        return picture_inputs.uploaded_digit(path)


def _photo_from_upload(path: str | None, bundled: str) -> np.ndarray | str:
    if not path:  # the upload was removed: back to the bundled photo
        return bundled
    with user_errors():
        return read_photo(Path(path).read_bytes())


def output_component(output: Output) -> gr.Component:
    label = output.label or None
    if not output.shown:  # in the API's answer only
        return gr.JSON(visible=False)
    if output.kind == "label":
        return gr.Label(label=label, num_top_classes=10)
    if output.kind == "image":
        return gr.Image(
            label=label, format="png", interactive=False, elem_classes="pixelated", height=output.size
        )
    if output.kind == "gallery":
        return gr.Gallery(
            label=label, columns=output.columns, height="auto", object_fit="contain", format="png"
        )
    if output.kind in ("heatmap", "plot"):
        return gr.Plot(label=label)
    if output.kind == "table":
        return gr.Dataframe(label=label, interactive=False)
    if output.kind == "text":
        return gr.Textbox(label=label, interactive=False)
    if output.kind == "number":
        return gr.Number(label=label, interactive=False)
    if output.kind == "json":
        return gr.JSON(label=label)
    if output.kind == "file":
        return gr.File(label=label)
    return gr.Markdown(label=label)


def component_value(output: Output, value: Any) -> Any:
    """A core value as the output's component shows it."""
    if value is None:
        return None
    if not output.shown:
        return output_json(output, value)
    kind = output.kind
    if kind == "label":
        return output_views.label_scores(value)
    if kind == "table":  # gr.Dataframe draws a list of dicts as "[object Object]": a frame
        return pd.DataFrame(value) if isinstance(value, list) else value
    if kind == "file":
        target = Path(tempfile.mkdtemp(prefix="dll-download-")) / value.name
        target.write_bytes(value.data)
        return str(target)
    return output_views.drawn(output, value)


# --- the API -------------------------------------------------------------------------------


def add_api_endpoint(
    lab: Lab, interaction: Interaction, trigger: gr.Button, model: gr.Textbox, session: gr.State
) -> None:
    """/<lab>_<interaction>: the inputs by name (an image as a file), and `model`; the answer is
    the interaction's JSON (pictures as PNG data URIs), with which model gave it."""
    components = {param.name: api_input(param) for param in interaction.inputs}
    result = gr.JSON(label="result")

    def endpoint(state: LabSession | None, model: str | None = None, **values: Any) -> dict[str, Any]:
        state = state or LabSession()
        with user_errors():
            trained = chosen_model(lab, model, state) if interaction.needs_model else None
            for param in interaction.inputs:
                if param.kind in API_FILES:
                    values[param.name] = API_FILES[param.kind](values[param.name])
            answer = result_json(interaction, interaction(trained, values))
        return answer | (models.answered_by(lab, trained) if trained is not None else {})

    endpoint.__doc__ = interaction.help
    trigger.click(
        endpoint,
        [session],
        result,
        inputs_kwargs=({"model": model} if interaction.needs_model else {}) | components,
        api_name=api_name(lab.spec.id, interaction.name),
        **INTERACT,
    )


def api_input(param: Param) -> gr.Component:
    if param.kind in ("image", "photo"):
        return gr.File(type="filepath", label=param.name)
    if param.kind == "classes":  # a zip of one folder per class; none sent: the ready-made set
        return gr.File(type="filepath", label=param.name, file_types=[".zip"])
    return param_control(param)
