"""Drawings and uploads become MNIST-like frames wherever and however big the digit was drawn."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from core.imaging import ImageInputError, canvas_to_gray, read_upload, to_mnist_frame


def stroke_pad(points, width, size=280, mode="RGBA") -> np.ndarray:
    """White strokes on a black pad, like the drawing canvas."""
    image = Image.new(mode, (size, size), "black")
    ImageDraw.Draw(image).line(points, fill="white", width=width, joint="curve")
    return np.asarray(image)


def ink_box(frame: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero(frame.max(axis=1) > 0.2)
    cols = np.flatnonzero(frame.max(axis=0) > 0.2)
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def centre_of_mass(frame: np.ndarray) -> tuple[float, float]:
    ys, xs = np.indices(frame.shape)
    return (ys * frame).sum() / frame.sum(), (xs * frame).sum() / frame.sum()


SEVEN = [(0, 0), (60, 0), (20, 90)]


@pytest.mark.parametrize(
    ("offset", "scale", "width"),
    [((5, 5), 0.4, 4), ((190, 170), 0.9, 8), ((60, 40), 2.0, 20), ((200, 10), 0.6, 6)],
    ids=["small-top-left", "bottom-right", "large", "small-top-right"],
)
def test_a_digit_drawn_anywhere_at_any_size_becomes_the_same_frame(offset, scale, width):
    points = [(offset[0] + x * scale, offset[1] + y * scale) for x, y in SEVEN]
    frame = to_mnist_frame(canvas_to_gray(stroke_pad(points, width)))
    assert frame.shape == (28, 28) and frame.dtype == np.float32
    assert frame.min() >= 0.0 and frame.max() <= 1.0
    height, box_width = ink_box(frame)
    assert max(height, box_width) in (19, 20, 21), "the longer side is scaled to 20 px"
    assert height > box_width, "the aspect ratio is kept"
    cy, cx = centre_of_mass(frame)
    assert abs(cy - 13.5) <= 1.0 and abs(cx - 13.5) <= 1.0, "centred on the centre of mass"


def test_a_thin_one_keeps_its_aspect_ratio():
    frame = to_mnist_frame(canvas_to_gray(stroke_pad([(250, 200), (250, 270)], 6)))
    height, width = ink_box(frame)
    assert height >= 19 and width <= 6


@pytest.mark.parametrize("pad", [np.zeros((280, 280, 4)), np.full((280, 280, 4), [0, 0, 0, 255])])
def test_an_empty_pad_asks_for_a_drawing(pad):
    with pytest.raises(ImageInputError, match="blank"):
        to_mnist_frame(canvas_to_gray(pad))


def test_transparent_strokes_count_as_background():
    pad = stroke_pad([(100, 50), (100, 200)], 10)
    pad = pad.copy()
    pad[..., 3] = np.where(pad[..., 0] > 0, 255, 0)  # only the stroke is opaque
    assert to_mnist_frame(canvas_to_gray(pad)).max() > 0.9


def encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def paper_photo(size=(900, 700)) -> Image.Image:
    """Dark ink on slightly grey paper with some lighting gradient, like a phone photo."""
    gradient = np.linspace(200, 235, size[0], dtype=np.float32)[None, :].repeat(size[1], axis=0)
    image = Image.fromarray(gradient.astype(np.uint8), "L").convert("RGB")
    ImageDraw.Draw(image).line([(450, 150), (450, 560)], fill=(30, 30, 40), width=40)
    return image


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_photos_of_paper_are_inverted_and_cleaned(fmt):
    gray = read_upload(encode(paper_photo(), fmt))
    frame = to_mnist_frame(gray)
    assert gray[350, 450] > 0.8, "the ink becomes bright"
    assert gray[50, 50] < 0.1 and gray[650, 850] < 0.1, "the paper becomes black"
    assert ink_box(frame)[0] >= 19


def test_white_on_black_uploads_are_kept():
    image = Image.new("L", (200, 200), 0)
    ImageDraw.Draw(image).line([(100, 20), (100, 180)], fill=255, width=15)
    assert read_upload(encode(image, "PNG"))[100, 100] > 0.9


def test_transparent_png_with_dark_ink():
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(100, 20), (100, 180)], fill=(0, 0, 0, 255), width=15)
    gray = read_upload(encode(image, "PNG"))
    assert gray[100, 100] > 0.9 and gray[10, 10] == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"this is not an image at all", "not a readable"),
        (encode(paper_photo(), "PNG")[:2000], "truncated"),
        (encode(Image.new("L", (64, 64)), "GIF"), "not supported"),
        (encode(Image.new("L", (300, 300), 128), "PNG"), "no contrast"),
    ],
    ids=["empty", "text", "truncated", "gif", "flat"],
)
def test_bad_uploads_get_a_clear_message(data, message):
    with pytest.raises(ImageInputError, match=message):
        read_upload(data)


def test_huge_images_are_refused_before_decoding():
    huge = encode(Image.new("1", (20000, 20000)), "PNG")  # tiny file, 400 megapixels
    with pytest.raises(ImageInputError, match="limit is 40 megapixels"):
        read_upload(huge)
    wide = encode(Image.new("1", (9000, 5000)), "PNG")  # below PIL's own bomb guard, above ours
    with pytest.raises(ImageInputError, match="9000x5000"):
        read_upload(wide)


def test_oversized_files_are_refused():
    with pytest.raises(ImageInputError, match="larger than"):
        read_upload(b"\x89PNG" + b"\0" * (11 * 1024 * 1024))
