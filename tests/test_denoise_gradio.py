"""The denoising tab's HTTP API through gradio_client: /denoise and /denoise_drawing, their bad
input, and a tiny training that becomes the session's model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image, ImageDraw

from core.registry import get_lab


def seven(path: Path) -> Path:
    image = Image.new("RGB", (200, 200), "white")
    ImageDraw.Draw(image).line([(50, 40), (150, 40), (90, 170)], fill="black", width=16)
    image.save(path)
    return path


PIXELS = [[1.0 if 12 <= x <= 15 and 4 <= y <= 23 else 0.0 for x in range(28)] for y in range(28)]


def test_the_denoise_endpoints_are_listed(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    wanted = {"/denoise", "/denoise_drawing", "/denoise_model_info", "/denoise_train", "/denoise_stop"}
    assert wanted <= set(endpoints)
    train_params = [p["parameter_name"] for p in endpoints["/denoise_train"]["parameters"]]
    assert train_params == [p.name for p in get_lab("denoise").spec.params]


def test_denoise_restores_a_photo_of_a_seven(client: Client, tmp_path: Path) -> None:
    result = client.predict(
        handle_file(str(seven(tmp_path / "seven.png"))), "gaussian", 0.5, 3, "skip-ae", api_name="/denoise"
    )
    assert result["psnr_out"] > result["psnr_in"] + 5
    assert result["psnr_gain"] == pytest.approx(result["psnr_out"] - result["psnr_in"], abs=0.02)
    assert np.asarray(result["denoised"]).shape == (28, 28)
    assert result["model"] == "skip-ae" and result["origin"] == "bundled" and result["seed"] == 3


def test_denoise_drawing_takes_pixels_and_every_kind_of_noise(client: Client) -> None:
    for noise in ("gaussian", "salt-pepper", "mask"):
        result = client.predict(PIXELS, noise, 0.3, 0, "course", api_name="/denoise_drawing")
        assert result["noise"] == noise and result["model"] == "course"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("gaussian", 1.5, 0, "skip-ae"), r"between 0 and 1, got 1\.5"),
        (("blur", 0.5, 0, "skip-ae"), "unknown noise 'blur'"),
        (("gaussian", 0.5, -2, "skip-ae"), "seed must be between"),
        (("gaussian", 0.5, 0, "resnet"), "Unknown model 'resnet'"),
        (("gaussian", 0.5, 0, "session"), "no trained model yet"),
    ],
)
def test_bad_options_get_a_clear_error(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(PIXELS, *args, api_name="/denoise_drawing")


def test_an_empty_drawing_and_a_file_that_is_not_an_image_are_refused(client: Client, tmp_path: Path) -> None:
    with pytest.raises(AppError, match="blank"):
        client.predict([[0] * 28] * 28, "gaussian", 0.5, 0, "skip-ae", api_name="/denoise_drawing")
    text = tmp_path / "notes.png"
    text.write_text("this is not a picture")
    with pytest.raises(AppError, match="not a readable png, jpg or webp image"):
        client.predict(handle_file(str(text)), "gaussian", 0.5, 0, "skip-ae", api_name="/denoise")


@pytest.mark.usefixtures("data_dir")
def test_a_tiny_training_becomes_this_sessions_model(client: Client) -> None:
    outputs = client.predict(epochs=1, api_name="/denoise_train")
    status, _loss, _psnr, gain, samples, download, model_choice, model_text = outputs
    assert "Training finished (ended by the step limit)" in status
    assert json.loads(gain["plot"])["data"], "the gain chart has no series"
    assert samples and download
    assert model_choice == "session" and "This session's **skip-ae**" in model_text
    result = client.predict(PIXELS, "gaussian", 0.5, 0, "session", api_name="/denoise_drawing")
    assert result["origin"] == "session"
