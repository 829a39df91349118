"""The binary autoencoder and prior tabs' HTTP API through gradio_client: encode a photo or a
drawing to 48 bits, decode bits with some flipped, generate codes, and their bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image, ImageDraw

from core.registry import get_lab

PIXELS = [[1.0 if 12 <= x <= 15 and 4 <= y <= 23 else 0.0 for x in range(28)] for y in range(28)]
CODE = "0011" * 12


def seven(path: Path) -> str:
    image = Image.new("RGB", (200, 200), "white")
    ImageDraw.Draw(image).line([(50, 40), (150, 40), (90, 170)], fill="black", width=16)
    image.save(path)
    return str(path)


def test_the_endpoints_are_listed(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    wanted = {
        "/binary_ae_encode",
        "/binary_ae_encode_drawing",
        "/binary_ae_decode",
        "/binary_ae_train",
        "/binary_prior_generate",
        "/binary_prior_train",
    }
    assert wanted <= set(endpoints)
    train_params = [p["parameter_name"] for p in endpoints["/binary_prior_train"]["parameters"]]
    assert train_params == [p.name for p in get_lab("binary-prior").spec.params]


def test_a_photo_and_a_drawing_become_48_bits(client: Client, tmp_path: Path) -> None:
    photo = client.predict(
        handle_file(seven(tmp_path / "seven.png")), "bundled", api_name="/binary_ae_encode"
    )
    assert len(photo["bits"]) == 48 and np.asarray(photo["grid"]).shape == (3, 4, 4)
    assert np.asarray(photo["reconstruction"]).shape == (32, 32)
    drawing = client.predict(PIXELS, "bundled", api_name="/binary_ae_encode_drawing")
    assert drawing["bits"] != photo["bits"]  # a 1 and a 7 get different codes
    with pytest.raises(AppError, match="blank"):
        client.predict([[0] * 28] * 28, "bundled", api_name="/binary_ae_encode_drawing")


def test_decoding_flips_the_bits_asked_for(client: Client) -> None:
    plain = client.predict(CODE, [], "bundled", api_name="/binary_ae_decode")
    flipped = client.predict(CODE, [0, 47], "bundled", api_name="/binary_ae_decode")
    assert plain["bits"] == CODE and flipped["bits"] == "1" + CODE[1:47] + "0"
    assert np.abs(np.asarray(plain["image"]) - np.asarray(flipped["image"])).max() > 0.01


@pytest.mark.parametrize(
    ("bits", "flips", "message"),
    [
        ("01" * 20, [], "has 48 bits, got 40"),
        ("01x1" * 12, [], "'x' at position 2 is not a bit"),
        (CODE, [48], "numbered 0 to 47"),
    ],
)
def test_bad_bits_get_a_clear_error(client: Client, bits: str, flips: list, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(bits, flips, "bundled", api_name="/binary_ae_decode")


def test_generate_matches_samples_to_training_digits_and_clamps_the_temperature(client: Client) -> None:
    result = client.predict(8, 1.0, 3, "bundled", api_name="/binary_prior_generate")
    assert len(result["samples"]) == 8 and 0 <= result["memorisation_rate"] <= 1
    hot = client.predict(4, 1e6, 0, "bundled", api_name="/binary_prior_generate")
    assert hot["temperature"] == 10 and "clamped" in hot["notes"][0]
    with pytest.raises(AppError, match="temperature must be 0"):
        client.predict(4, -0.5, 0, "bundled", api_name="/binary_prior_generate")
    with pytest.raises(AppError, match="no trained model yet"):
        client.predict(4, 1.0, 0, "session", api_name="/binary_prior_generate")
