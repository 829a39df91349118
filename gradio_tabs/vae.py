"""The VAE tab: explore the latent space (map, decoded point, manifold, drawings, interpolation),
train your own with live ELBO curves, and the named API endpoints /vae_decode, /vae_manifold,
/vae_encode and /vae_encode_drawing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from core import charts
from core.data import training_data
from core.imaging import ImageInputError
from core.labs import vae
from core.labs.base import TrainedModel
from core.registry import get_lab
from gradio_tabs.common import (
    MAX_PIXELS_SIDE,
    SESSION_MODEL,
    LabSession,
    blank_pad,
    build_training_panel,
    chosen_model,
    chosen_model_info,
    lab_header,
    model_line,
    picture,
    session_state,
    show_session_model,
    training_updates,
    user_errors,
    wire_model_info,
    wire_training,
)

LAB = get_lab("vae")
BUNDLED = "bundled"
BUNDLED_MODELS = {BUNDLED: None}
MODEL_CHOICES = [("Bundled (default recipe, 2-D latent)", BUNDLED), ("This session's model", SESSION_MODEL)]
PAD_SIZE = 200
SLIDER_LIMIT = vae.Z_LIMIT  # codes reach beyond the prior's ±3: cover all that decode


def vae_model(choice: str | None, session: LabSession | None) -> TrainedModel:
    """The model a user picked; raises gr.Error when it is not available."""
    return chosen_model(LAB, choice, session, BUNDLED_MODELS)


def model_summary(trained: TrainedModel) -> str:
    """What it is, how good, and a warning if its latent dimensions collapsed."""
    name = f"**{trained.config['architecture']}**, {vae.latent_size(trained)}-D latent"
    text = model_line(LAB, trained, name)
    text += f"\n\nTrained on: {trained.data_source}"
    if collapse := vae.collapse_warning(trained.metrics):
        text += f"\n\n**{collapse}**"
    return text


def model_info(choice: str | None, session: LabSession | None = None) -> str:
    """API /vae_model_info and the line under the model picker."""
    return chosen_model_info(LAB, choice, session, BUNDLED_MODELS, model_summary)


def strip(images: np.ndarray, columns: int, size: int) -> np.ndarray:
    return picture(charts.tile(images, columns=columns), size)


def map_figure(trained: TrainedModel, overlays=()) -> Any:
    """The held-out latent map (first two dimensions) with `overlays` on top."""
    with user_errors():
        data = training_data(trained.config)
    latent_map = vae.latent_map(trained, data)
    return charts.class_scatter(
        latent_map.means[:, :2],
        latent_map.labels,
        latent_map.classes,
        title="Held-out digits in latent space",
        x_title="z1",
        y_title="z2",
        overlays=[(name, np.asarray(codes)[:, :2]) for name, codes in overlays],
    )


# --- API endpoints and views ---------------------------------------------------------------


def decode_api(z: Any, model: str | None = None, session: LabSession | None = None) -> np.ndarray:
    """API /vae_decode: a latent vector (a list of numbers, as many as the model's latent size,
    each within ±10) -> the decoded 28x28 digit, enlarged."""
    trained = vae_model(model, session)
    with user_errors():
        if isinstance(z, str):
            z = vae.parse_latent(z, vae.latent_size(trained))
        return picture(vae.decode(trained, z)[0])


def manifold_api(
    low: float, high: float, n: float, model: str | None = None, session: LabSession | None = None
) -> np.ndarray:
    """API /vae_manifold: an n x n grid (n from 2 to 20) of digits decoded over [low, high] on
    the first two latent dimensions (the others at 0)."""
    trained = vae_model(model, session)
    with user_errors():
        grid = vae.manifold(trained, low, high, n)
    return strip(grid.images.reshape(-1, 28, 28), grid.n, 580)


def encoding_result(encoding: vae.Encoding, trained: TrainedModel) -> dict[str, Any]:
    return {**encoding.to_dicts()[0], "latent_dim": vae.latent_size(trained), "origin": trained.origin}


def encode_api(image: str | None, model: str | None = None, session: LabSession | None = None) -> dict:
    """API /vae_encode: an image file of a digit (png, jpg or webp, either polarity) -> the mean
    and log-variance of its code."""
    if not image:
        raise gr.Error("No image was sent: attach a png, jpg or webp file of a digit.", print_exception=False)
    trained = vae_model(model, session)
    with user_errors():
        return encoding_result(vae.encode_upload(trained, Path(image).read_bytes()), trained)


def encode_drawing_api(pixels: Any, model: str | None = None, session: LabSession | None = None) -> dict:
    """API /vae_encode_drawing: a 2-D list of grey pixels (white ink on black) -> its code."""
    try:
        array = np.asarray(pixels, dtype=np.float32)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a JSON int beyond float range
        array = np.empty(0)
    if array.ndim != 2 or min(array.shape) == 0 or max(array.shape) > MAX_PIXELS_SIDE:
        raise gr.Error(
            f"Expected a 2-D list of grey pixel values, at most {MAX_PIXELS_SIDE} on a side.",
            print_exception=False,
        )
    trained = vae_model(model, session)
    with user_errors():
        return encoding_result(vae.encode_drawing(trained, array), trained)


def point_view(z1: float, z2: float, choice: str, session: LabSession | None) -> tuple[Any, str]:
    """The decoded point of the sliders (other dimensions at 0)."""
    try:
        trained = vae_model(choice, session)
    except gr.Error as error:
        return None, error.message
    z = np.zeros(vae.latent_size(trained), dtype=np.float32)
    z[:2] = z1, z2
    return picture(vae.decode(trained, z)[0]), f"Decoded from z1 = {z1:.2f}, z2 = {z2:.2f}"


def map_view(choice: str, session: LabSession | None) -> Any:
    try:
        return map_figure(vae_model(choice, session))
    except gr.Error:
        return None


def manifold_view(low: float, high: float, n: float, choice: str, session: LabSession | None) -> tuple:
    """The grid, or a message saying why not (a live view should not pop up error toasts)."""
    try:
        return manifold_api(low, high, n, choice, session), ""
    except gr.Error as error:
        return None, f"**Cannot draw this grid:** {error.message}"


def pad_pixels(editor: dict | None) -> np.ndarray | None:
    return None if editor is None else editor.get("composite")


def drawing_view(editor: dict | None, choice: str, session: LabSession | None) -> tuple:
    """Frame, reconstruction, code and the map with the drawing on it."""
    pixels = pad_pixels(editor)
    try:
        trained = vae_model(choice, session)
        if pixels is None:
            raise ImageInputError("Draw a digit on the pad.")
        encoding = vae.encode_drawing(trained, pixels)
    except (gr.Error, ImageInputError) as error:
        return None, None, f"### {getattr(error, 'message', None) or error}", None
    sigma = np.exp(0.5 * encoding.log_variances[0])
    code = ", ".join(f"{m:.2f} ± {s:.2f}" for m, s in zip(encoding.means[0][:4], sigma[:4], strict=True))
    try:
        figure = map_figure(trained, [("your digit", encoding.means)])
    except gr.Error:
        figure = None
    return (
        picture(encoding.frames[0]),
        picture(encoding.reconstructions[0]),
        f"Code (mean ± σ): {code}",
        figure,
    )


def interpolation_view(
    first: dict | None, second: dict | None, steps: float, choice: str, session: LabSession | None
) -> tuple:
    """The decoded path between two drawn digits, and the path on the map."""
    try:
        trained = vae_model(choice, session)
        with user_errors():
            ends = []
            for name, editor in (("first", first), ("second", second)):
                pixels = pad_pixels(editor)
                if pixels is None:
                    raise ImageInputError(f"Draw a digit on the {name} pad.")
                try:
                    ends.append(vae.encode_drawing(trained, pixels).means[0])
                except ImageInputError:
                    raise ImageInputError(f"The {name} pad is empty: draw a digit on it.") from None
            path = vae.interpolate(trained, ends[0], ends[1], steps)
    except gr.Error as error:
        return None, f"**{error.message}**", None
    return strip(path.images, len(path.images), 900), "", map_figure(trained, [("path", path.z)])


def build_tab() -> None:
    """The VAE lab: Explore (map, point, manifold, draw, interpolate), Train, and the named API."""
    spec = LAB.spec
    session = session_state()
    lab_header(spec)
    model_choice = gr.Radio(MODEL_CHOICES, value=BUNDLED, label="Model in use")
    model_text = gr.Markdown(model_info(BUNDLED), label="model")
    pad_options = {
        "value": blank_pad(PAD_SIZE),
        "canvas_size": (PAD_SIZE, PAD_SIZE),
        "fixed_canvas": True,
        "brush": gr.Brush(default_size=10, colors=["#ffffff"], color_mode="fixed"),
        "layers": False,
        "transforms": (),
        "type": "numpy",
    }
    image_options = {"format": "png", "interactive": False, "elem_classes": "pixelated"}

    with gr.Tabs():
        with gr.Tab("Latent map"), gr.Row():
            latent_plot = gr.Plot(lambda: map_view(BUNDLED, None), label="Latent map", scale=3)
            with gr.Column(scale=2):
                z1 = gr.Slider(-SLIDER_LIMIT, SLIDER_LIMIT, value=0.0, step=0.05, label="z1")
                z2 = gr.Slider(-SLIDER_LIMIT, SLIDER_LIMIT, value=0.0, step=0.05, label="z2")
                point = gr.Image(
                    lambda: point_view(0.0, 0.0, BUNDLED, None)[0],
                    label="Decoded point",
                    height=240,
                    **image_options,
                )
                point_note = gr.Markdown()
        with gr.Tab("Manifold"), gr.Row():
            with gr.Column(scale=1):
                low = gr.Slider(-vae.Z_LIMIT, vae.Z_LIMIT, value=-3.0, step=0.25, label="From (each axis)")
                high = gr.Slider(-vae.Z_LIMIT, vae.Z_LIMIT, value=3.0, step=0.25, label="To (each axis)")
                size = gr.Slider(*vae.GRID_SIZES, value=15, step=1, label="Grid size (n x n)")
                grid_note = gr.Markdown()
            grid = gr.Image(
                lambda: manifold_view(-3.0, 3.0, 15, BUNDLED, None)[0],
                label="Decoded grid: z1 left to right, z2 bottom to top",
                scale=3,
                **image_options,
            )
        with gr.Tab("Draw"), gr.Row():
            pad = gr.Sketchpad(label="Draw a digit (white on black)", elem_id="vae-pad", **pad_options)
            with gr.Column():
                seen = gr.Image(label="What the encoder sees", height=200, **image_options)
                rebuilt = gr.Image(label="Decoded from its code", height=200, **image_options)
                code = gr.Markdown("### Draw a digit")
            drawn_map = gr.Plot(label="Where it lands")
        with gr.Tab("Interpolate"):
            with gr.Row():
                pad_a = gr.Sketchpad(label="From", **pad_options)
                pad_b = gr.Sketchpad(label="To", **pad_options)
                with gr.Column():
                    steps = gr.Slider(2, 20, value=10, step=1, label="Steps")
                    go_button = gr.Button("Interpolate", variant="primary")
            path_strip = gr.Image(label="Decoded along the line between the two codes", **image_options)
            path_note = gr.Markdown()
            path_map = gr.Plot(label="The path through latent space")
        with gr.Tab("Train"):
            training = build_training_panel(
                spec,
                metrics=("loss", "reconstruction", "kl"),
                samples_label="Held-out digits: original | decoded",
            )

    with gr.Group(visible=False):
        api_file = gr.File(type="filepath", label="image")
        api_json = gr.JSON(label="input")
        api_model = gr.Textbox(value=BUNDLED, label="model")
        api_low = gr.Number(value=-3.0, label="low")
        api_high = gr.Number(value=3.0, label="high")
        api_n = gr.Number(value=15, label="n")
        api_image = gr.Image(format="png", label="image_out")
        api_result = gr.JSON(label="result")
        api_button = gr.Button()

    on_model = show_session_model(model_choice, model_text, model_info)

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        yield from training_updates(LAB, training, session, state, settings, on_model=on_model)

    interact = {"concurrency_limit": 4, "concurrency_id": "vae-interact"}
    api_button.click(decode_api, [api_json, api_model, session], api_image, api_name="vae_decode", **interact)
    api_button.click(
        manifold_api,
        [api_low, api_high, api_n, api_model, session],
        api_image,
        api_name="vae_manifold",
        **interact,
    )
    api_button.click(
        encode_api, [api_file, api_model, session], api_result, api_name="vae_encode", **interact
    )
    api_button.click(
        encode_drawing_api,
        [api_json, api_model, session],
        api_result,
        api_name="vae_encode_drawing",
        **interact,
    )
    wire_model_info(model_info, [api_model, session], api_button, "vae_model_info", **interact)
    wire_training(training, session, on_train, [model_choice, model_text], api_prefix="vae_")

    private = {"api_visibility": "private", **interact}
    model_choice.change(model_info, [model_choice, session], model_text, **private)
    for slider in (z1, z2):
        slider.change(point_view, [z1, z2, model_choice, session], [point, point_note], **private)
    model_choice.change(map_view, [model_choice, session], latent_plot, **private)
    for control in (low, high, size):
        control.change(manifold_view, [low, high, size, model_choice, session], [grid, grid_note], **private)
    pad.input(
        drawing_view,
        [pad, model_choice, session],
        [seen, rebuilt, code, drawn_map],
        trigger_mode="always_last",
        **private,
    )
    for sketch in (pad, pad_a, pad_b):
        sketch.clear(lambda: blank_pad(PAD_SIZE), None, sketch, api_visibility="private")
    go_button.click(
        interpolation_view,
        [pad_a, pad_b, steps, model_choice, session],
        [path_strip, path_note, path_map],
        **private,
    )
