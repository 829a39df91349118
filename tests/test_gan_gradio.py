"""The GAN tab's HTTP API through gradio_client: samples, interpolation, their bad input (seeds
that are not numbers, 1 or 10,000 steps), and a tiny training that becomes the session's model."""

from __future__ import annotations

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from PIL import Image


def test_the_gan_endpoints_are_listed(client: Client) -> None:
    endpoints = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/gan_sample", "/gan_interpolate", "/gan_model_info", "/gan_train", "/gan_stop"} <= endpoints


def test_samples_come_as_a_grid_with_their_quality(client: Client) -> None:
    grid, summary = client.predict("7", 16, "bundled", api_name="/gan_sample")
    assert summary["seed"] == 7 and summary["n"] == 16
    assert 0 <= summary["confident_share"] <= 1 and 0 <= summary["class_entropy"] <= 1
    with Image.open(grid) as image:
        assert image.size[0] > image.size[1] > 28  # 8 columns, 2 rows


@pytest.mark.parametrize(
    ("steps", "frames", "note"), [(10, 10, ""), (1, 2, "changed to 2"), (10_000, 64, "to 64")]
)
def test_interpolation_clamps_the_steps_and_says_so(client: Client, steps, frames, note) -> None:
    strip, message = client.predict("1", "5:3", steps, "spherical", "bundled", api_name="/gan_interpolate")
    assert note in message and bool(message) == bool(note)
    with Image.open(strip) as image:
        assert round(image.size[0] / image.size[1]) == round((frames * 29 + 1) / 30)


@pytest.mark.parametrize(
    ("api_name", "args", "message"),
    [
        ("/gan_sample", ("lucky", 16, "bundled"), "'lucky' is not a number"),
        ("/gan_sample", ("", 16, "bundled"), "enter a whole number"),
        ("/gan_sample", ("1", 0, "bundled"), "out of range"),
        ("/gan_interpolate", ("one", "2", 10, "linear", "bundled"), "'one' is not a number"),
        ("/gan_interpolate", ("1", "2", 10, "zigzag", "bundled"), "not one of linear, spherical"),
        ("/gan_sample", ("1", 16, "session"), "no trained model yet"),
    ],
)
def test_bad_input_is_a_clear_error(client: Client, api_name, args, message) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name=api_name)


@pytest.mark.usefixtures("data_dir")
def test_a_tiny_training_becomes_this_sessions_model(client: Client) -> None:
    outputs = client.predict(epochs=1, api_name="/gan_train")
    status, model_choice, model_text = outputs[0], outputs[-2], outputs[-1]
    assert "Training finished (ended by the step limit)" in status
    assert model_choice == "session" and "This session's **cdcgan** GAN" in model_text
    _, summary = client.predict("3", 8, "session", api_name="/gan_sample")
    assert summary["n"] == 8
