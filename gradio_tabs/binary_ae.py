"""The binary autoencoder tab: a digit (drawn, or one the model memorised) as its 48 bits in a 3x4x4
grid, bits to flip and the digit they decode to, training with live PSNR curves, and the API
endpoints /binary_ae_encode (an image file), /binary_ae_encode_drawing (a 2-D list of pixels) and
/binary_ae_decode (48 bits, some flipped)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from core import charts
from core.data import training_data
from core.labs import binary_ae
from core.labs.base import TrainedModel
from core.registry import get_lab
from gradio_tabs.common import (
    SESSION_MODEL,
    LabSession,
    build_training_panel,
    chosen_model,
    chosen_model_info,
    digit_pad,
    drawing_pixels,
    lab_header,
    model_line,
    session_state,
    show_session_model,
    training_updates,
    user_errors,
    wire_training,
)

LAB = get_lab("binary-ae")
BUNDLED = "bundled"
BUNDLED_MODELS = {BUNDLED: None}
MODEL_CHOICES = [("Bundled (fast)", BUNDLED), ("This session's model", SESSION_MODEL)]
MEMORISED, DRAW = "Memorised digit", "Drawing"
BIT_CHOICES = [str(index) for index in range(binary_ae.CODE_BITS)]


def autoencoder(choice: str | None, session: LabSession | None) -> TrainedModel:
    """The model a user picked; raises gr.Error when it is not available."""
    return chosen_model(LAB, choice, session, BUNDLED_MODELS)


def model_summary(trained: TrainedModel) -> str:
    line = model_line(LAB, trained, f"**{trained.config['architecture']}**")
    return line + f"\n\nTrained on: {trained.data_source}"


def model_info(choice: str | None, session: LabSession | None = None) -> str:
    return chosen_model_info(LAB, choice, session, BUNDLED_MODELS, model_summary)


def encode_image_api(image: str | None, model: str | None = None, session: LabSession | None = None) -> dict:
    """API /binary_ae_encode: an image file of one digit (png, jpg or webp, either polarity) and a
    model (bundled or session) -> {bits, grid (3x4x4), psnr, input, reconstruction}."""
    if not image:
        raise gr.Error("No image was sent: attach a png, jpg or webp file of a digit.", print_exception=False)
    trained = autoencoder(model, session)
    with user_errors():
        return binary_ae.encode_upload(trained, Path(image).read_bytes()).to_dict(images=True)


def encode_pixels_api(pixels: Any, model: str | None = None, session: LabSession | None = None) -> dict:
    """API /binary_ae_encode_drawing: a 2-D list of grey pixels (white ink on black, 0-1 or 0-255,
    up to 1024x1024) -> the same JSON as /binary_ae_encode."""
    array = drawing_pixels(pixels)
    trained = autoencoder(model, session)
    with user_errors():
        return binary_ae.encode_drawing(trained, array).to_dict(images=True)


def decode_api(
    bits: str, flips: Any = None, model: str | None = None, session: LabSession | None = None
) -> dict:
    """API /binary_ae_decode: 48 bits as text ('0101...') and a list of bit numbers (0-47) to
    flip -> {bits (after the flips), grid, image (32x32 in [0, 1])}."""
    trained = autoencoder(model, session)
    with user_errors():
        code = binary_ae.check_bits(str(bits or ""))[0]
        for index in flips or []:
            code = binary_ae.flip(code, index)
        image = binary_ae.decode(trained, code)[0]
    return {
        "bits": binary_ae.bits_to_text(code),
        "grid": binary_ae.bits_grid(code).tolist(),
        "image": np.round(image, 4).tolist(),
    }


def picture(image: np.ndarray, factor: int = 6) -> np.ndarray:
    return charts.to_uint8(charts.upscale(image, factor))


def try_view(
    source: str,
    editor: dict | None,
    index: float | None,
    flips: list[str] | None,
    choice: str,
    session: LabSession | None,
) -> tuple:
    """Headline, the code as text, its grid picture, input, reconstruction and the digit with the
    chosen bits flipped. Problems go in the headline, not in error toasts."""
    empty = ("", None, None, None, None)
    try:
        trained = autoencoder(choice, session)
        with user_errors():
            if source == MEMORISED:
                count = int(trained.config["train_size"])
                number = int(index or 0)
                if not 0 <= number < count:
                    return f"### Pick a memorised digit from 0 to {count - 1}", *empty
                frame = binary_ae.training_digit(training_data(trained.config), number)
            else:
                composite = None if editor is None else editor.get("composite")
                if composite is None:
                    return "### Draw a digit", *empty
                frame = binary_ae.drawing_frame(composite)
            encoding = binary_ae.encode(trained, frame)
            code = encoding.bits
            for bit in flips or []:
                code = binary_ae.flip(code, int(bit))
            decoded = binary_ae.decode(trained, code)[0]
    except gr.Error as error:
        return f"### {error.message}", *empty
    flipped = len(flips or [])
    headline = (
        f"### Reconstruction from its 48 bits: **{encoding.psnr:.1f} dB** · {flipped} bit"
        f"{'s' * (flipped != 1)} flipped"
    )
    return (
        headline,
        binary_ae.bits_to_text(code),
        picture(binary_ae.bit_grid_picture(code), 1),
        picture(encoding.frame),
        picture(encoding.reconstruction),
        picture(decoded),
    )


def build_tab() -> None:
    """Try it (a digit's bits, flip them), Train, and the API."""
    spec = LAB.spec
    session = session_state()
    lab_header(spec)
    model_choice = gr.Radio(MODEL_CHOICES, value=BUNDLED, label="Model in use")
    model_text = gr.Markdown(model_info(BUNDLED), label="model")
    image_options = {"format": "png", "interactive": False, "elem_classes": "pixelated", "height": 200}

    with gr.Tabs():
        with gr.Tab("Try it"):
            with gr.Row():
                with gr.Column():
                    source = gr.Radio([MEMORISED, DRAW], value=MEMORISED, label="Digit")
                    index = gr.Number(0, precision=0, minimum=0, label="Memorised digit number")
                    pad = digit_pad(visible=False)
                with gr.Column():
                    flips = gr.CheckboxGroup(
                        BIT_CHOICES,
                        value=[],
                        label="Bits to flip (0-15: channel 1, 16-31: channel 2, 32-47: channel 3)",
                    )
                    clear_flips = gr.Button("Flip none")
            headline = gr.Markdown("### Pick a memorised digit or draw one", elem_id="binary-ae-headline")
            code_text = gr.Textbox(label="The 48 bits (after the flips)", interactive=False)
            with gr.Row():
                grid = gr.Image(label="Code: 3 channels of 4x4 bits (white = +1)", **image_options)
                given = gr.Image(label="Input", **image_options)
                rebuilt = gr.Image(label="From its code", **image_options)
                changed = gr.Image(label="With the bits flipped", **image_options)
        with gr.Tab("Train"):
            training = build_training_panel(
                spec, metrics=("loss", "psnr"), samples_label="Training digits | reconstructions"
            )

    with gr.Group(visible=False):
        api_file = gr.File(type="filepath", label="image")
        api_pixels = gr.JSON(label="pixels")
        api_bits = gr.Textbox(label="bits")
        api_flips = gr.JSON(label="flips")
        api_model = gr.Textbox(value=BUNDLED, label="model")
        api_result = gr.JSON(label="result")
        api_button = gr.Button()

    on_model = show_session_model(model_choice, model_text, model_info)

    def on_train(state: LabSession | None, **settings: Any) -> Iterator[dict]:
        yield from training_updates(LAB, training, session, state, settings, on_model=on_model)

    interact = {"concurrency_limit": 4, "concurrency_id": "binary-ae-interact"}
    api_button.click(
        encode_image_api, [api_file, api_model, session], api_result, api_name="binary_ae_encode", **interact
    )
    api_button.click(
        encode_pixels_api,
        [api_pixels, api_model, session],
        api_result,
        api_name="binary_ae_encode_drawing",
        **interact,
    )
    api_button.click(
        decode_api,
        [api_bits, api_flips, api_model, session],
        api_result,
        api_name="binary_ae_decode",
        **interact,
    )
    wire_training(training, session, on_train, [model_choice, model_text], api_prefix="binary_ae_")

    private = {"api_visibility": "private", **interact}
    view_inputs = [source, pad, index, flips, model_choice, session]
    view_outputs = [headline, code_text, grid, given, rebuilt, changed]
    model_choice.change(model_info, [model_choice, session], model_text, **private)
    for control in (source, index, flips, model_choice):
        control.change(try_view, view_inputs, view_outputs, trigger_mode="always_last", **private)
    pad.input(try_view, view_inputs, view_outputs, trigger_mode="always_last", **private)
    clear_flips.click(lambda: [], None, flips, api_visibility="private")
    source.change(
        lambda chosen: (gr.update(visible=chosen == DRAW), gr.update(visible=chosen == MEMORISED)),
        source,
        [pad, index],
        api_visibility="private",
    )
