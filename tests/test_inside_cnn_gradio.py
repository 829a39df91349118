"""The inside-cnn tab's HTTP API through gradio_client: a photo file gets its top-5, Grad-CAM
for a chosen class comes back as a picture of the photo's size, and a file that is no photo or
no file at all gets a clear message (the app and `client` come from conftest.py)."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from core.imaging import bundled_photo
from core.interactions import png_bytes


def picture(uri: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))


@pytest.fixture
def coffee(tmp_path) -> str:
    path = tmp_path / "coffee.png"
    path.write_bytes(png_bytes(bundled_photo("coffee")))
    return handle_file(str(path))


def test_a_photo_file_gets_its_top5_and_a_grad_cam_for_a_chosen_class(client: Client, coffee) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    names = [p["parameter_name"] for p in endpoints["/inside_cnn_grad_cam"]["parameters"]]
    assert names == ["model", "photo", "target"]
    top5 = client.predict(photo=coffee, api_name="/inside_cnn_top_5")
    assert top5["guesses"]["prediction"] == "espresso [967]" and len(top5["guesses"]["probabilities"]) == 5
    assert top5["origin"] == "bundled"
    cam = client.predict(photo=coffee, target="cup", api_name="/inside_cnn_grad_cam")
    assert "Grad-CAM for cup [968]" in cam["note"]
    assert picture(cam["map"]).size == (224, 224)
    grey = np.asarray(picture(cam["map"]).convert("L"), dtype=np.float32)
    assert grey.std() > 5  # a map, not a flat picture


def test_a_bad_photo_or_none_is_refused_with_a_message(client: Client, tmp_path, coffee) -> None:
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    with pytest.raises(AppError, match="not a readable png, jpg or webp"):
        client.predict(photo=handle_file(str(text)), api_name="/inside_cnn_top_5")
    with pytest.raises(AppError, match="No photo was sent"):
        client.predict(photo=None, api_name="/inside_cnn_top_5")
    with pytest.raises(AppError, match=r"fits .* ImageNet classes"):
        client.predict(photo=coffee, target="dog", api_name="/inside_cnn_grad_cam")
