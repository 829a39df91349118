"""The denoising tab's HTTP API through gradio_client: /denoise_restore (an image file),
/denoise_heldout and /denoise_by_noise, their bad input, and a tiny training that becomes the
session's model."""

from __future__ import annotations

import json
from pathlib import Path

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


def test_the_denoise_endpoints_are_listed(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    wanted = {
        "/denoise_restore",
        "/denoise_heldout",
        "/denoise_by_noise",
        "/denoise_model_info",
        "/denoise_train",
        "/denoise_stop",
    }
    assert wanted <= set(endpoints)
    train_params = [p["parameter_name"] for p in endpoints["/denoise_train"]["parameters"]]
    assert train_params == [p.name for p in get_lab("denoise").spec.params]
    restore_params = [p["parameter_name"] for p in endpoints["/denoise_restore"]["parameters"]]
    assert restore_params == ["model", "image", "noise", "level", "seed"]


def test_denoise_restores_a_photo_of_a_seven(client: Client, tmp_path: Path) -> None:
    result = client.predict(
        image=handle_file(str(seven(tmp_path / "seven.png"))),
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
    outputs = client.predict(epochs=1, api_name="/denoise_train")
    status, _loss, _psnr, gain, samples, download, model_choice, model_text = outputs
    assert "Training finished (ended by the step limit)" in status
    assert json.loads(gain["plot"])["data"], "the gain chart has no series"
    assert samples and download
    assert model_choice == "session" and "**skip-ae**, trained in this session" in model_text
    result = client.predict(index=3, model="session", api_name="/denoise_heldout")
    assert result["origin"] == "session"
