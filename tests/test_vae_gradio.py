"""The VAE tab's HTTP API through gradio_client: decode, the latent map, manifold, encode,
interpolate, their bad input, and a tiny training that becomes the session's model."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from helpers import lab_endpoints, photo_file, train_through_api
from PIL import Image


def picture(data_uri: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1])))


def digit_file(path: Path, points) -> str:
    return handle_file(str(photo_file(path, points, width=18, mode="RGB")))


def test_the_vae_endpoints_are_listed(client: Client) -> None:
    lab_endpoints(client, "vae", "latent_map", "encode", "decode", "manifold", "traverse", "interpolate")


def test_decode_the_map_and_the_manifold_give_pictures(client: Client) -> None:
    answer = client.predict(z="0.5, -1; -1, 0.5", api_name="/vae_decode")
    assert answer["z"] == [[0.5, -1.0], [-1.0, 0.5]] and answer["model"] == "mlp, 2-D latent"
    with picture(answer["decoded"][0]["image"]) as image:
        assert image.size == (28, 28)
    point = client.predict(x=1.5, y=-0.5, model="mlp-2d", api_name="/vae_latent_map")
    assert point["note"].startswith("Decoded from z = (1.50, -0.50).") and point["map"]
    grid = client.predict(low=-2, high=2, n=4, api_name="/vae_manifold")
    with picture(grid["grid"]) as image:
        assert image.size == (4 * 29 + 1, 4 * 29 + 1)


@pytest.mark.parametrize(
    ("api_name", "args", "message"),
    [
        ("/vae_decode", {"z": "0.5"}, "have 2 numbers, got 1"),
        ("/vae_decode", {"z": "1e9, 0"}, "within ±10"),
        ("/vae_decode", {"z": "0.5,abc"}, "'abc' is not a number"),
        ("/vae_manifold", {"low": 0, "high": 0, "n": 10}, "range is empty"),
        ("/vae_manifold", {"n": 21}, "greater than maximum value 20"),
        ("/vae_latent_map", {"x_dim": 5}, "pick axes from z1 to z2"),
        ("/vae_decode", {"z": "0, 0", "model": "session"}, "no trained model yet"),
    ],
)
def test_bad_input_is_a_clear_error(client: Client, api_name, args, message) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(**args, api_name=api_name)


def test_encode_and_interpolate_photos(client: Client, tmp_path: Path) -> None:
    one = digit_file(tmp_path / "one.png", [(100, 30), (100, 170)])
    zero = digit_file(tmp_path / "zero.png", [(60, 30), (140, 30), (140, 170), (60, 170), (60, 30)])
    result = client.predict(image=one, api_name="/vae_encode")
    assert len(result["mean"]) == len(result["log_variance"]) == 2 and result["origin"] == "bundled"
    assert result["code"].startswith("Code (mean ± σ)")
    path = client.predict(start=one, end=zero, steps=5, api_name="/vae_interpolate")
    assert len(path["z"]) == 5 and path["z"][0] == pytest.approx(result["mean"], abs=1e-3)
    with pytest.raises(AppError, match="No image was sent"):
        client.predict(start=one, end=None, api_name="/vae_interpolate")


@pytest.mark.usefixtures("data_dir")
def test_a_tiny_training_becomes_this_sessions_model(client: Client) -> None:
    outputs = train_through_api(client, "vae", epochs=1, latent_dim=3)
    assert "Training finished (ended by the step limit)" in outputs[0] and "3-D latent" in outputs[-1]
    answer = client.predict(z="0, 0, 0", model="session", api_name="/vae_decode")
    assert answer["origin"] == "session" and answer["model"] == "mlp, 3-D latent"
    with pytest.raises(AppError, match="have 3 numbers, got 2"):
        client.predict(z="0, 0", model="session", api_name="/vae_decode")
    traversed = client.predict(dim=3, steps=4, model="session", api_name="/vae_traverse")
    assert [z[2] for z in traversed["z"]] == [-3.0, -1.0, 1.0, 3.0]
