"""The GAN tab: samples from a seed (click two to interpolate between them), interpolation as a
strip and an animation, sliders on single latent dimensions, the training timeline, train your
own with both players' live curves, and the named API endpoints /gan_sample, /gan_interpolate
and /gan_model_info."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator
from typing import Any

import gradio as gr
import numpy as np

from core import charts
from core.history import TrainingHistory
from core.labs import gan
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
    picture,
    session_state,
    stream_training,
    user_errors,
    wire_model_info,
    wire_training,
)

LAB = get_lab("gan")
BUNDLED = "bundled"
BUNDLED_MODELS = {BUNDLED: None}
MODEL_CHOICES = [("Bundled (default recipe)", BUNDLED), ("This session's model", SESSION_MODEL)]
GRID_SAMPLES = 32


def gan_model(choice: str | None, session: LabSession | None) -> TrainedModel:
    """The model a user picked; raises gr.Error when it is not available."""
    return chosen_model(LAB, choice, session, BUNDLED_MODELS)


def model_summary(trained: TrainedModel) -> str:
    """What it is, how good, and a warning if the generator collapsed."""
    text = model_line(LAB, trained, f"**{trained.config.get('recipe')}** GAN")
    text += f"\n\nTrained on: {trained.data_source}"
    if collapse := trained.metrics.get("collapse"):
        text += f"\n\n⚠️ **{collapse}**"
    return text


def model_info(choice: str | None, session: LabSession | None = None) -> str:
    """API /gan_model_info and the line under the model picker: what it is, how good, collapse."""
    return chosen_model_info(LAB, choice, session, BUNDLED_MODELS, model_summary)


def written(data: bytes, suffix: str) -> str:
    """Bytes in a temporary file, for a gr.File or a gr.Image that shows a GIF."""
    with tempfile.NamedTemporaryFile(prefix="dll-gan-", suffix=suffix, delete=False) as handle:
        handle.write(data)
    return handle.name


# --- API endpoints and views ---------------------------------------------------------------


def sample_api(
    seed: Any, n: Any = 16, model: str | None = None, session: LabSession | None = None
) -> tuple[np.ndarray, dict]:
    """API /gan_sample: n samples (1 to 1024) from the noise a seed names -> a grid image and
    {seed, n, confident_share, class_entropy, diversity}."""
    trained = gan_model(model, session)
    with user_errors():
        seed = gan.parse_seed(seed)
        images = gan.sample(trained, n, seed)
    quality = gan.sample_quality(images, trained.config)
    summary = {"seed": seed, "n": len(images)}
    summary |= {k: v for k, v in quality.items() if k in ("confident_share", "class_entropy", "diversity")}
    columns = min(len(images), gan.GRID_COLUMNS)
    return picture(charts.tile(images, columns), 560), summary


def interpolation_frames(
    start: Any, end: Any, steps: Any, mode: str | None, trained: TrainedModel
) -> tuple[np.ndarray, str]:
    """The frames between two latents named as SEED or SEED:INDEX, and the note on the steps."""
    with user_errors():
        count, note = gan.clamp_steps(steps)
        ends = [gan.latent_from_reference(trained, text) for text in (start, end)]
        return gan.interpolate(trained, ends[0], ends[1], count, mode or "linear"), note


def strip_picture(frames: np.ndarray) -> np.ndarray:
    return picture(charts.tile(frames, len(frames)), 90 * len(frames))


def interpolate_api(
    start: Any,
    end: Any,
    steps: Any = gan.DEFAULT_STEPS,
    mode: str = "linear",
    model: str | None = None,
    session: LabSession | None = None,
) -> tuple[np.ndarray, str]:
    """API /gan_interpolate: two latents named as SEED or SEED:INDEX (sample INDEX of that seed's
    grid), a number of frames (brought into 2..64) and a path (linear or spherical) -> the strip,
    and a note when the number of frames had to be changed."""
    frames, note = interpolation_frames(start, end, steps, mode, gan_model(model, session))
    return strip_picture(frames), note


def sample_view(seed: str, count: float, choice: str, session: LabSession | None) -> tuple:
    """Gallery of numbered samples and a line about them; problems go in the line."""
    try:
        trained = gan_model(choice, session)
        with user_errors():
            images = gan.sample(trained, int(count), gan.parse_seed(seed))
            names = gan.sample_names(trained, int(count), gan.parse_seed(seed))
    except gr.Error as error:
        return [], f"**{error.message}**"
    items = [(picture(image, 112), name) for image, name in zip(images, names, strict=True)]
    quality = gan.sample_quality(images, trained.config)
    note = "Click two samples to interpolate between them."
    if "confident_share" in quality:
        note = f"{quality['confident_share']:.0%} read confidently as a digit. " + note
    return items, note


def pick_sample(seed: str, start: str, end: str, event: gr.SelectData) -> tuple[str, str, str]:
    """A click on sample #i: it becomes the interpolation's end, the old end its start."""
    reference = f"{str(seed).strip()}:{event.index}"
    return end, reference, f"From **{end}** to **{reference}**: see the Interpolate tab."


def interpolation_view(
    start: str, end: str, steps: float, mode: str, choice: str, session: LabSession | None
) -> tuple:
    """Strip, animation, downloads and a note; problems go in the note."""
    try:
        frames, note = interpolation_frames(start, end, steps, mode, gan_model(choice, session))
    except gr.Error as error:
        return None, None, None, f"**{error.message}**"
    gif = written(gan.animation_gif(frames), ".gif")
    png = written(gan.strip_png(frames), ".png")
    return strip_picture(frames), gif, [png, gif], note


SEEDS_CLASS = "the seed's"


def nudge_view(seed: str, choice: str, session: LabSession | None, digit: str, *values: float) -> tuple:
    """The seed's sample as drawn and with the sliders (and, for a conditional model, the class
    picked in `digit`)."""
    try:
        trained = gan_model(choice, session)
        with user_errors():
            base = gan.latent_from_reference(trained, str(seed))
            asked = base
            if digit not in (None, "", SEEDS_CLASS) and trained.model.classes:
                asked = gan.with_class(trained, base, digit)
    except gr.Error as error:
        return None, None, f"**{error.message}**"
    z = gan.nudge(asked, dict(enumerate(values)))
    note = ""
    if (own := gan.asked_class(trained, base)) is not None:
        note = f"Seed {seed} asks for class {own}; with your choice: class {gan.asked_class(trained, z)}."
    return picture(gan.generate(trained, base)[0]), picture(gan.generate(trained, z)[0]), note


def nudge_reset(seed: str, choice: str, session: LabSession | None) -> list[Any]:
    """The sliders set to the seed's own values, so a new seed starts from its sample."""
    try:
        trained = gan_model(choice, session)
        base = gan.latent_from_reference(trained, str(seed))
    except (gr.Error, gan.LatentInputError):
        return [gr.update()] * gan.NUDGE_DIMS
    return [float(np.clip(v, *gan.NUDGE_RANGE)) for v in base[: gan.NUDGE_DIMS]]


def timeline_view(position: float, choice: str, session: LabSession | None) -> tuple:
    """The grid at a point of the training timeline (0 = start, 100 = end)."""
    try:
        timeline = gan.training_timeline(gan_model(choice, session))
    except gr.Error as error:
        return None, f"**{error.message}**"
    if not timeline:
        return None, "This checkpoint holds no training timeline."
    index = round(float(position) / 100 * (len(timeline) - 1))
    step, grid = timeline[index]
    return picture(charts.tile(grid, gan.GRID_COLUMNS), 480), f"Step {step:,} of {timeline[-1][0]:,}"


def gan_figures(history: TrainingHistory) -> dict[str, Any]:
    """The live charts: both losses, D's verdicts, and the quality probe."""
    return {
        "d_loss": charts.series_curves(
            history,
            [("d_loss", "D loss"), ("g_loss", "G loss")],
            "Losses",
            "BCE",
            smooth=25,
            reference=(2 * math.log(2), "D at balance"),
        ),
        "d_real": charts.series_curves(
            history,
            [("d_real", "D(x): real"), ("d_fake", "D(G(z)): generated")],
            "The discriminator's verdicts",
            "mean probability 'real'",
            smooth=25,
            reference=(0.5, "undecided"),
            unit_range=True,
        ),
        "confident_share": charts.series_curves(
            history,
            [("confident_share", "read with p > 0.9"), ("class_entropy", "class entropy")],
            "Quality (Digits classifier)",
            "share / entropy",
            unit_range=True,
        ),
    }


def build_tab() -> None:
    """The GAN lab: Samples, Interpolate, Nudge, Timeline, Train, and the named API."""
    spec = LAB.spec
    session = session_state()
    lab_header(spec)
    model_choice = gr.Radio(MODEL_CHOICES, value=BUNDLED, label="Model in use")
    model_text = gr.Markdown(model_info(BUNDLED), label="model")
    image_options = {"format": "png", "interactive": False, "elem_classes": "pixelated"}

    with gr.Tabs():
        with gr.Tab("Samples"), gr.Row():
            with gr.Column(scale=1):
                seed = gr.Textbox("0", label="Seed of the noise", elem_id="gan-seed")
                count = gr.Slider(8, 64, value=GRID_SAMPLES, step=8, label="Samples")
                sample_note = gr.Markdown(elem_id="gan-sample-note")
            gallery = gr.Gallery(
                label="Samples (click two)",
                columns=8,
                height="auto",
                object_fit="contain",
                format="png",
                scale=3,
            )
        with gr.Tab("Interpolate"):
            with gr.Row():
                start = gr.Textbox("1", label="From (SEED or SEED:INDEX)", elem_id="gan-from")
                end = gr.Textbox("2", label="To (SEED or SEED:INDEX)", elem_id="gan-to")
                steps = gr.Slider(*gan.STEP_RANGE, value=gan.DEFAULT_STEPS, step=1, label="Steps")
                mode = gr.Radio(["linear", "spherical"], value="linear", label="Path")
            go_button = gr.Button("Interpolate", variant="primary")
            path_note = gr.Markdown(elem_id="gan-path-note")
            path_strip = gr.Image(label="The strip", **image_options)
            with gr.Row():
                animation = gr.Image(label="As an animation", type="filepath", interactive=False, height=200)
                downloads = gr.File(
                    label="Download the strip (PNG) and the animation (GIF)", file_count="multiple"
                )
        with gr.Tab("Nudge"), gr.Row():
            with gr.Column():
                nudge_seed = gr.Textbox("3", label="Start from the sample of seed")
                nudge_class = gr.Dropdown(
                    [SEEDS_CLASS, *map(str, range(10))],
                    value=SEEDS_CLASS,
                    label="Class to draw (conditional models)",
                )
                sliders = [
                    gr.Slider(*gan.NUDGE_RANGE, value=0.0, step=0.1, label=f"z{d + 1}")
                    for d in range(gan.NUDGE_DIMS)
                ]
            with gr.Column():
                as_drawn = gr.Image(label="The seed's sample", height=224, **image_options)
                nudged = gr.Image(label="With your sliders", height=224, **image_options)
                nudge_note = gr.Markdown()
        with gr.Tab("Timeline"), gr.Row():
            position = gr.Slider(0, 100, value=100, step=1, label="Training: start (0) to end (100)")
            with gr.Column(scale=2):
                timeline_grid = gr.Image(
                    label="The fixed noise at this point of the training", **image_options
                )
                timeline_note = gr.Markdown()
        with gr.Tab("Train"):
            training = build_training_panel(
                spec, metrics=("d_loss", "d_real", "confident_share"), samples_label="Fixed-noise samples"
            )

    with gr.Group(visible=False):
        api_seed = gr.Textbox(value="0", label="seed")
        api_n = gr.Number(value=16, label="n")
        api_from = gr.Textbox(value="1", label="start")
        api_to = gr.Textbox(value="2", label="end")
        api_steps = gr.Number(value=gan.DEFAULT_STEPS, label="steps")
        api_mode = gr.Textbox(value="linear", label="mode")
        api_model = gr.Textbox(value=BUNDLED, label="model")
        api_image = gr.Image(format="png", label="image_out")
        api_result = gr.JSON(label="result")
        api_note = gr.Markdown(label="note")
        api_button = gr.Button()

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        state = state or LabSession()
        for job, history in stream_training(LAB, state, settings):
            yield {session: state, **live(job, history)}
        if job.result is None:
            return
        state.trained = job.result
        yield training.finished(job, history) | {
            **{training.plots[k]: v for k, v in gan_figures(history).items()},
            model_choice: SESSION_MODEL,
            model_text: model_info(SESSION_MODEL, state),
        }

    def live(job: Any, history: TrainingHistory) -> dict:
        update = training.live(job, history)
        if job.state == "queued":  # see TrainingPanel.live: no charts while waiting
            return update
        update |= {training.plots[k]: v for k, v in gan_figures(history).items()}
        if history.samples is not None and "⚠" in history.samples.title:
            update[training.status] += "\n\n⚠️ **" + history.samples.title.split("⚠", 1)[1].strip() + "**"
        return update

    interact = {"concurrency_limit": 4, "concurrency_id": "gan-interact"}
    api_button.click(
        sample_api,
        [api_seed, api_n, api_model, session],
        [api_image, api_result],
        api_name="gan_sample",
        **interact,
    )
    api_button.click(
        interpolate_api,
        [api_from, api_to, api_steps, api_mode, api_model, session],
        [api_image, api_note],
        api_name="gan_interpolate",
        **interact,
    )
    wire_model_info(model_info, [api_model, session], api_button, "gan_model_info", **interact)
    wire_training(training, session, on_train, [model_choice, model_text], api_prefix="gan_")

    private = {"api_visibility": "private", **interact}
    model_choice.change(model_info, [model_choice, session], model_text, **private)
    for control in (seed, count):
        control.change(sample_view, [seed, count, model_choice, session], [gallery, sample_note], **private)
    model_choice.change(sample_view, [seed, count, model_choice, session], [gallery, sample_note], **private)
    gallery.select(pick_sample, [seed, start, end], [start, end, sample_note], **private)
    go_button.click(
        interpolation_view,
        [start, end, steps, mode, model_choice, session],
        [path_strip, animation, downloads, path_note],
        **private,
    )
    nudge_inputs = [nudge_seed, model_choice, session, nudge_class, *sliders]
    nudge_seed.change(nudge_reset, [nudge_seed, model_choice, session], sliders, **private)
    for control in (nudge_class, *sliders):
        control.change(
            nudge_view, nudge_inputs, [as_drawn, nudged, nudge_note], trigger_mode="always_last", **private
        )
    position.change(
        timeline_view, [position, model_choice, session], [timeline_grid, timeline_note], **private
    )
    model_choice.change(
        timeline_view, [position, model_choice, session], [timeline_grid, timeline_note], **private
    )
