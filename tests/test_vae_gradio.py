"""The VAE tab's HTTP API through gradio_client: decode, manifold, encode, their bad input, and a
tiny training that becomes the session's model."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image, ImageDraw


def test_the_vae_endpoints_are_listed(client: Client) -> None:
    endpoints = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    wanted = {"/vae_decode", "/vae_manifold", "/vae_encode", "/vae_encode_drawing", "/vae_model_info"}
    assert wanted | {"/vae_train", "/vae_stop"} <= endpoints


def test_decode_and_manifold_give_pictures(client: Client) -> None:
    with Image.open(client.predict([0.5, -1.0], "bundled", api_name="/vae_decode")) as image:
        assert image.size[0] == image.size[1] >= 28
    with Image.open(client.predict(-2, 2, 4, "bundled", api_name="/vae_manifold")) as image:
        assert image.size[0] == image.size[1] > 4 * 28


@pytest.mark.parametrize(
    ("api_name", "args", "message"),
    [
        ("/vae_decode", ([0.5], "bundled"), "have 2 numbers, got 1"),
        ("/vae_decode", ([1e9, 0], "bundled"), "within ±10"),
        ("/vae_decode", ("0.5,abc", "bundled"), "'abc' is not a number"),
        ("/vae_manifold", (0, 0, 10, "bundled"), "range is empty"),
        ("/vae_manifold", (-3, 3, 21, "bundled"), "from 2 to 20"),
        ("/vae_encode_drawing", ([[0] * 28] * 28, "bundled"), "blank"),
        ("/vae_encode_drawing", ({"not": "pixels"}, "bundled"), "2-D list"),
        ("/vae_decode", ([0, 0], "session"), "no trained model yet"),
    ],
)
def test_bad_input_is_a_clear_error(client: Client, api_name, args, message) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name=api_name)


def test_encode_a_photo_and_a_drawing(client: Client, tmp_path: Path) -> None:
    photo = tmp_path / "one.png"
    image = Image.new("RGB", (200, 200), "white")
    ImageDraw.Draw(image).line([(100, 30), (100, 170)], fill="black", width=18)
    image.save(photo)
    result = client.predict(handle_file(str(photo)), "bundled", api_name="/vae_encode")
    assert len(result["mean"]) == len(result["log_variance"]) == result["latent_dim"] == 2
    pixels = [[1.0 if 12 <= x <= 15 and 4 <= y <= 23 else 0.0 for x in range(28)] for y in range(28)]
    drawn = client.predict(pixels, "bundled", api_name="/vae_encode_drawing")
    assert drawn["origin"] == "bundled" and len(drawn["mean"]) == 2


@pytest.mark.usefixtures("data_dir")
def test_a_tiny_training_becomes_this_sessions_model(client: Client) -> None:
    outputs = client.predict(epochs=1, latent_dim=3, api_name="/vae_train")
    status, model_choice, model_text = outputs[0], outputs[-2], outputs[-1]
    assert "Training finished (ended by the step limit)" in status
    assert model_choice == "session" and "3-D latent" in model_text
    with Image.open(client.predict([0, 0, 0], "session", api_name="/vae_decode")) as image:
        assert image.size[0] >= 28
    with pytest.raises(AppError, match="have 3 numbers, got 2"):
        client.predict([0, 0], "session", api_name="/vae_decode")
