"""The binary autoencoder and prior tabs' HTTP API through gradio_client: encode a photo or a
drawing to 48 bits, a memorised digit, decode bits with some flipped, the scores, generate
codes, and their bad input."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from helpers import SEVEN, lab_endpoints, photo_file
from PIL import Image

from core.interactions import png_bytes

CODE = "0011" * 12


def seven(path: Path) -> str:
    return str(photo_file(path, SEVEN, mode="RGB"))


def one_drawing(path: Path) -> str:
    """A drawing pad's '1' (white ink on black), as a PNG file."""
    pixels = np.zeros((28, 28), dtype=np.float32)
    pixels[4:24, 12:16] = 1.0
    path.write_bytes(png_bytes(pixels))
    return str(path)


def pixels(uri: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))), dtype=np.float32)


def test_the_endpoints_are_listed(client: Client) -> None:
    lab_endpoints(client, "binary-ae", "encode", "digit", "decode", "scores")
    lab_endpoints(client, "binary-prior", "generate")


def test_a_photo_and_a_drawing_become_48_bits(client: Client, tmp_path: Path) -> None:
    photo = client.predict(image=handle_file(seven(tmp_path / "seven.png")), api_name="/binary_ae_encode")
    assert len(photo["bits"]) == 48 and np.asarray(photo["grid"]).shape == (3, 4, 4)
    assert pixels(photo["reconstruction"]).shape == (32, 32) and photo["model"] == "fast binary autoencoder"
    drawing = client.predict(
        image=handle_file(one_drawing(tmp_path / "one.png")), api_name="/binary_ae_encode"
    )
    assert drawing["bits"] != photo["bits"]  # a 1 and a 7 get different codes
    blank = tmp_path / "blank.png"
    blank.write_bytes(png_bytes(np.zeros((28, 28))))
    with pytest.raises(AppError, match="No digit found"):
        client.predict(image=handle_file(str(blank)), api_name="/binary_ae_encode")


def test_a_memorised_digit_and_the_scores(client: Client) -> None:
    memorised = client.predict(split="memorised", index=3, api_name="/binary_ae_digit")
    assert memorised["psnr"] > 20 and len(memorised["bits"]) == 48
    with pytest.raises(AppError, match="from 0 to 1,023"):
        client.predict(split="memorised", index=2000, api_name="/binary_ae_digit")
    scores = client.predict(api_name="/binary_ae_scores")["scores"]
    assert scores[0]["figure"] == "Memorised digits, 48-bit codes" and scores[0]["value"].endswith("dB")


def test_decoding_flips_the_bits_asked_for(client: Client) -> None:
    plain = client.predict(bits=CODE, flips="", api_name="/binary_ae_decode")
    flipped = client.predict(bits=CODE, flips="0, 47", api_name="/binary_ae_decode")
    assert plain["bits"] == CODE and flipped["bits"] == "1" + CODE[1:47] + "0"
    before, after = pixels(plain["digits"][0]["image"]), pixels(flipped["digits"][0]["image"])
    assert np.abs(before - after).max() > 0.01 * 255
    several = client.predict(bits=f"{CODE}\n{'1' * 48}", flips="", api_name="/binary_ae_decode")
    assert len(several["digits"]) == 2


@pytest.mark.parametrize(
    ("bits", "flips", "message"),
    [
        ("01" * 20, "", "has 48 bits, got 40"),
        ("01x1" * 12, "", "'x' at position 2 is not a bit"),
        (CODE, "48", "numbered 0 to 47"),
    ],
)
def test_bad_bits_get_a_clear_error(client: Client, bits: str, flips: str, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(bits=bits, flips=flips, api_name="/binary_ae_decode")


def test_generate_matches_samples_to_training_digits_and_refuses_a_bad_temperature(client: Client) -> None:
    result = client.predict(n=8, temperature=1.0, seed=3, api_name="/binary_prior_generate")
    assert len(result["codes"]) == 8 and len(result["samples"]) == 8
    assert 0 <= result["memorisation_rate"] <= 1 and result["model"] == "lstm prior"
    greedy = client.predict(n=4, temperature=0, seed=0, api_name="/binary_prior_generate")
    assert greedy["temperature"] == 0 and len({row["bits"] for row in greedy["codes"]}) == 1
    for temperature in (-0.5, 1e6):
        with pytest.raises(AppError, match=r"out of range \[0, 10\]|(minimum|maximum) value (0|10)"):
            client.predict(n=4, temperature=temperature, seed=0, api_name="/binary_prior_generate")
    with pytest.raises(AppError, match="no trained model yet"):
        client.predict(n=4, temperature=1.0, seed=0, model="session", api_name="/binary_prior_generate")
