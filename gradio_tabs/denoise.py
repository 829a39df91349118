"""The Denoising tab: corrupt a drawn or held-out digit and see it restored with the PSNR of each,
train your own with live PSNR curves, and the named API endpoints /denoise (an image file) and
/denoise_drawing (a 2-D list of pixels)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from core import charts
from core.catalogue import DENOISE_ARCHITECTURES
from core.data import training_data
from core.labs import denoise
from core.labs.base import TrainedModel
from core.noise import DEFAULT_LEVELS, LEVEL_RANGE, MAX_SEED, NOISE_KINDS, NOISE_LABELS
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
    lab_header,
    model_summary_markdown,
    session_state,
    show_session_model,
    training_updates,
    user_errors,
    wire_model_info,
    wire_training,
)

LAB = get_lab("denoise")
MODEL_CHOICES = [(f"Bundled {name}", name) for name in DENOISE_ARCHITECTURES] + [
    ("This session's model", SESSION_MODEL)
]
NOISE_CHOICES = [(NOISE_LABELS[kind].capitalize(), kind) for kind in NOISE_KINDS]
BUNDLED_MODELS = {name: {"architecture": name} for name in DENOISE_ARCHITECTURES}
DRAW, HELDOUT = "Drawing", "Held-out digit"


def denoise_model(choice: str | None, session: LabSession | None) -> TrainedModel:
    """The model a user picked; raises gr.Error when it is not available."""
    return chosen_model(LAB, choice, session, BUNDLED_MODELS)


def model_summary(trained: TrainedModel) -> str:
    name = f"**{trained.config['architecture']}**, trained on {trained.metrics.get('noise', '?')} noise"
    return model_summary_markdown(LAB, trained, name=name)


def model_info(choice: str | None, session: LabSession | None = None) -> str:
    """API /denoise_model_info and the line under the model picker."""
    return chosen_model_info(LAB, choice, session, BUNDLED_MODELS, model_summary)


def api_result(result: denoise.DenoiseResult, trained: TrainedModel) -> dict[str, Any]:
    """The API's JSON answer: PSNRs, the three 28x28 images, and which model gave them."""
    return result.to_dict(images=True) | answered_by(trained)


def denoise_image_api(
    image: str | None,
    noise: str = "gaussian",
    level: Any = DEFAULT_LEVELS["gaussian"],
    seed: Any = 0,
    model: str | None = None,
    session: LabSession | None = None,
) -> dict:
    """API /denoise: an image file of one clean digit (png, jpg or webp, either polarity), a
    noise (gaussian, salt-pepper, mask), its level in [0, 1], a seed and a model (skip-ae,
    course, or session) -> {psnr_in, psnr_out, psnr_gain, clean, noisy, denoised, ...}."""
    if not image:
        raise gr.Error("No image was sent: attach a png, jpg or webp file of a digit.", print_exception=False)
    data = Path(image).read_bytes()
    trained = denoise_model(model, session)
    with user_errors():
        result = denoise.denoise_upload(trained, data, str(noise), level, seed)
    return api_result(result, trained)


def denoise_pixels_api(
    pixels: Any,
    noise: str = "gaussian",
    level: Any = DEFAULT_LEVELS["gaussian"],
    seed: Any = 0,
    model: str | None = None,
    session: LabSession | None = None,
) -> dict:
    """API /denoise_drawing: a 2-D list of grey pixels of a clean digit (white ink on black, 0-1
    or 0-255, any size up to 1024x1024) and the same options -> the same JSON as /denoise."""
    array = drawing_pixels(pixels)
    trained = denoise_model(model, session)
    with user_errors():
        result = denoise.denoise_drawing(trained, array, str(noise), level, seed)
    return api_result(result, trained)


def picture(image: np.ndarray, factor: int = 8) -> np.ndarray:
    return charts.to_uint8(charts.upscale(image, factor))


def try_view(
    source: str,
    editor: dict | None,
    index: float | None,
    noise: str,
    level: float,
    seed: float | None,
    choice: str,
    session: LabSession | None,
) -> tuple:
    """Clean, noisy and denoised pictures and a headline for the Try it panel. Problems (no
    model, a blank pad, a number out of range) go in the headline: a live view should not pop
    up error toasts."""
    empty = (None, None, None)
    try:
        trained = denoise_model(choice, session)
        with user_errors():
            if source == HELDOUT:
                data = training_data(trained.config)
                clean = denoise.heldout_digit(data, int(index or 0))
            else:
                composite = None if editor is None else editor.get("composite")
                if composite is None:
                    return "### Draw a digit", *empty
                clean = denoise.drawing_frame(composite)
            result = denoise.corrupt_and_denoise(trained, clean, noise, level, int(seed or 0))
    except gr.Error as error:
        return f"### {error.message}", *empty
    headline = (
        f"### Noisy {result.psnr_in:.1f} dB → denoised **{result.psnr_out:.1f} dB** ({result.gain:+.1f} dB)"
    )
    return headline, picture(result.clean), picture(result.noisy), picture(result.denoised)


def build_tab() -> None:
    """The denoising lab: Try it (draw or pick a digit, choose the noise), Train, and the API."""
    spec = LAB.spec
    session = session_state()
    lab_header(spec)
    model_choice = gr.Radio(MODEL_CHOICES, value=DENOISE_ARCHITECTURES[0], label="Model in use")
    model_text = gr.Markdown(model_info(DENOISE_ARCHITECTURES[0]), label="model")
    image_options = {"format": "png", "interactive": False, "elem_classes": "pixelated", "height": 240}

    with gr.Tabs():
        with gr.Tab("Try it"):
            with gr.Row():
                with gr.Column():
                    source = gr.Radio([DRAW, HELDOUT], value=DRAW, label="Digit")
                    pad = digit_pad(elem_id="denoise-pad")
                    index = gr.Number(0, precision=0, minimum=0, label="Held-out digit number", visible=False)
                with gr.Column():
                    noise = gr.Radio(NOISE_CHOICES, value="gaussian", label="Noise")
                    level = gr.Slider(
                        *LEVEL_RANGE,
                        value=DEFAULT_LEVELS["gaussian"],
                        step=0.05,
                        label="Level (Gaussian: standard deviation; others: share of pixels)",
                    )
                    seed = gr.Number(0, precision=0, minimum=0, maximum=MAX_SEED, label="Noise seed")
                    reseed = gr.Button("🎲 New noise")
            headline = gr.Markdown("### Draw a digit or pick a held-out one", elem_id="denoise-headline")
            with gr.Row():
                clean = gr.Image(label="Clean", **image_options)
                noisy = gr.Image(label="Noisy", **image_options)
                restored = gr.Image(label="Denoised", **image_options)
        with gr.Tab("Train"):
            training = build_training_panel(
                spec,
                metrics=("loss", "psnr", "psnr_gain"),
                samples_label="Held-out digits: clean | noisy | denoised",
            )

    # Hidden: the inputs and outputs of the API-only endpoints.
    with gr.Group(visible=False):
        api_file = gr.File(type="filepath", label="image")
        api_pixels = gr.JSON(label="pixels")
        api_noise = gr.Textbox(value="gaussian", label="noise")
        api_level = gr.Number(value=DEFAULT_LEVELS["gaussian"], label="level")
        api_seed = gr.Number(value=0, label="seed")
        api_model = gr.Textbox(value=DENOISE_ARCHITECTURES[0], label="model")
        api_result_json = gr.JSON(label="result")
        api_button = gr.Button()

    on_model = show_session_model(model_choice, model_text, model_info)

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        yield from training_updates(LAB, training, session, state, settings, on_model=on_model)

    interact = {"concurrency_limit": 4, "concurrency_id": "denoise-interact"}
    api_options = [api_noise, api_level, api_seed, api_model, session]
    api_button.click(
        denoise_image_api, [api_file, *api_options], api_result_json, api_name="denoise", **interact
    )
    api_button.click(
        denoise_pixels_api,
        [api_pixels, *api_options],
        api_result_json,
        api_name="denoise_drawing",
        **interact,
    )
    wire_model_info(model_info, [api_model, session], api_button, "denoise_model_info", **interact)
    wire_training(training, session, on_train, [model_choice, model_text], api_prefix="denoise_")

    # UI-only events: private, since widgets' payloads are no API to promise.
    private = {"api_visibility": "private", **interact}
    view_inputs = [source, pad, index, noise, level, seed, model_choice, session]
    view_outputs = [headline, clean, noisy, restored]
    model_choice.change(model_info, [model_choice, session], model_text, **private)
    for control in (source, index, noise, level, seed, model_choice):
        control.change(try_view, view_inputs, view_outputs, trigger_mode="always_last", **private)
    # `input` fires after every stroke; `change` lags a stroke behind in Gradio 6.
    pad.input(try_view, view_inputs, view_outputs, trigger_mode="always_last", **private)
    source.change(
        lambda chosen: (gr.update(visible=chosen == DRAW), gr.update(visible=chosen == HELDOUT)),
        source,
        [pad, index],
        api_visibility="private",
    )
    noise.change(lambda kind: DEFAULT_LEVELS.get(kind, 0.5), noise, level, api_visibility="private")
    reseed.click(lambda value: (int(value or 0) + 1) % (MAX_SEED + 1), seed, seed, api_visibility="private")
