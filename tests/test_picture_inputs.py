"""core.picture_inputs: pictures as the fronts and the API receive them."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from helpers import digit_one_png, photo_file

from core import image_classes, picture_inputs
from core.imaging import ImageInputError


def test_a_blank_pad_is_no_drawing_and_a_stroke_is_bright_ink():
    canvas = np.zeros((28, 28, 4), dtype=np.uint8)
    assert picture_inputs.drawn_digit(None) is None
    assert picture_inputs.drawn_digit(canvas) is None
    canvas[10:18, 12:14] = 255
    gray = picture_inputs.drawn_digit(canvas)
    assert gray.shape == (28, 28) and gray.max() == 1.0 and gray[0, 0] == 0.0


def test_an_uploaded_digit_is_read_grey_with_bright_ink(tmp_path):
    path = tmp_path / "one.png"
    path.write_bytes(digit_one_png())
    assert picture_inputs.uploaded_digit(None) is None
    for read in (picture_inputs.uploaded_digit, picture_inputs.sent_digit):
        gray = read(str(path))
        assert gray.ndim == 2 and gray.max() > 0.5 and np.median(gray) < 0.1  # dark paper, bright ink


def test_the_api_must_send_a_picture_and_may_leave_the_classes_out(tmp_path):
    with pytest.raises(ImageInputError, match="No image was sent"):
        picture_inputs.sent_digit("")
    with pytest.raises(ImageInputError, match="No photo was sent"):
        picture_inputs.sent_photo(None)
    assert picture_inputs.sent_photo(str(photo_file(tmp_path / "p.png", [(10, 10), (90, 90)]))).shape[2] == 3
    assert picture_inputs.sent_classes(None) == image_classes.DEFAULT
    not_a_zip = tmp_path / "classes.zip"
    not_a_zip.write_bytes(b"no zip")
    with pytest.raises(ImageInputError, match="not a zip"):
        picture_inputs.sent_classes(str(not_a_zip))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("cats", "dogs"):
            for picture in ("a.png", "b.png"):
                archive.writestr(f"{name}/{picture}", (tmp_path / "p.png").read_bytes())
    zipped = tmp_path / "two.zip"
    zipped.write_bytes(buffer.getvalue())
    assert picture_inputs.sent_classes(str(zipped)).names == ("cats", "dogs")


def test_a_forms_classes_are_read_from_their_files_then_their_shots(tmp_path):
    ready, own = image_classes.SOURCES
    count = image_classes.MAX_CLASSES
    names = [f"Class {number + 1}" for number in range(count)]
    nothing = [None] * count
    assert picture_inputs.classes_from_files(ready, names, nothing, nothing) == image_classes.DEFAULT
    assert picture_inputs.classes_from_files(own, names, nothing, nothing) is None  # no picture yet
    photo = str(photo_file(tmp_path / "p.png", [(10, 10), (90, 90)]))
    shot = np.ones((40, 40, 3))
    files = [[photo], [photo, photo], *[None] * (count - 2)]
    shots = [[shot], None, *[[]] * (count - 2)]
    classes = picture_inputs.classes_from_files(own, names, files, shots)
    assert [name for name, _ in classes] == ["Class 1", "Class 2"]  # empty classes beyond two dropped
    assert [len(pictures) for _, pictures in classes] == [2, 2]
    broken = tmp_path / "notes.png"
    broken.write_bytes(b"not a picture")
    with pytest.raises(image_classes.RefusedFile, match=r"notes\.png"):
        picture_inputs.classes_from_files(own, names, [[str(broken)], *[None] * (count - 1)], nothing)
