"""The denoising tab's HTTP API through gradio_client: /denoise_restore (an image file),
/denoise_heldout and /denoise_by_noise, their bad input, and a tiny training that becomes the
session's model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from helpers import SEVEN, lab_endpoints, parameters, photo_file, train_through_api
from PIL import Image


def test_the_denoise_endpoints_are_listed(client: Client) -> None:
    endpoints = lab_endpoints(client, "denoise", "restore", "heldout", "by_noise")
    assert parameters(endpoints, "/denoise_restore") == ["model", "image", "noise", "level", "seed"]


def test_denoise_restores_a_photo_of_a_seven(client: Client, tmp_path: Path) -> None:
    result = client.predict(
        image=handle_file(str(photo_file(tmp_path / "seven.png", SEVEN, mode="RGB"))),
        noise="gaussian",
        level=0.5,
        seed=3,
        model="skip-ae",
        api_name="/denoise_restore",
    )
    assert result["psnr_out"] > result["psnr_in"] + 5
    assert result["psnr_gain"] == pytest.approx(result["psnr_out"] - result["psnr_in"], abs=0.02)
    _clean, noisy, denoised = result["images"]
    assert denoised["image"].startswith("data:image/png;base64,")
    assert noisy["caption"] == f"Noisy: {result['psnr_in']:.1f} dB"
    assert result["model"] == "skip-ae" and result["origin"] == "bundled"


def test_every_kind_of_noise_on_a_heldout_digit(client: Client) -> None:
    for noise in ("gaussian", "salt-pepper", "mask"):
        result = client.predict(
            index=12, noise=noise, level=0.3, seed=0, model="course", api_name="/denoise_heldout"
        )
        assert result["model"] == "course" and "Held-out digit 12" in result["truth"]
    table = client.predict(model="course", api_name="/denoise_by_noise")["table"]
    assert {row["noise"] for row in table} == {"gaussian 0.5", "salt-pepper 0.2", "mask 0.5"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"level": 1.5}, r"1\.5 is greater than maximum value 1"),  # Gradio checks the slider
        ({"noise": "blur"}, "blur"),
        ({"seed": -2}, "Noise seed: -2 is out of range"),
        ({"index": 3604}, "from 0 to 3603"),
        ({"model": "resnet"}, "Unknown model 'resnet'"),
        ({"model": "session"}, "no trained model yet"),
    ],
)
def test_bad_options_get_a_clear_error(client: Client, args: dict, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(**({"index": 0} | args), api_name="/denoise_heldout")


def test_an_empty_picture_and_a_file_that_is_not_an_image_are_refused(client: Client, tmp_path: Path) -> None:
    Image.new("L", (28, 28), 0).save(tmp_path / "black.png")
    with pytest.raises(AppError, match=r"No digit found|blank"):
        client.predict(image=handle_file(str(tmp_path / "black.png")), api_name="/denoise_restore")
    text = tmp_path / "notes.png"
    text.write_text("this is not a picture")
    with pytest.raises(AppError, match="not a readable png, jpg or webp image"):
        client.predict(image=handle_file(str(text)), api_name="/denoise_restore")


@pytest.mark.usefixtures("data_dir")
def test_a_tiny_training_becomes_this_sessions_model(client: Client) -> None:
    outputs = train_through_api(client, "denoise", epochs=1)
    status, _loss, _psnr, gain, samples, _download, _choice, model_text = outputs
    assert "Training finished (ended by the step limit)" in status
    assert json.loads(gain["plot"])["data"], "the gain chart has no series"
    assert samples and "**skip-ae**, trained in this session" in model_text
    result = client.predict(index=3, model="session", api_name="/denoise_heldout")
    assert result["origin"] == "session"
