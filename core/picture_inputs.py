"""Pictures as the fronts receive them, read into what the interactions take: a drawing pad's
pixels, a file that a browser or an API client sent (by its path on the server), and a
student's classes from a form's boxes. What cannot be used is an ImageInputError, said plainly."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core import image_classes
from core.imaging import ImageInputError, canvas_to_gray, read_photo, read_upload


def drawn_digit(canvas: np.ndarray | None) -> np.ndarray | None:
    """A drawing pad's pixels as grey in [0, 1], ink bright; None while the pad is blank."""
    if canvas is None:
        return None
    gray = canvas_to_gray(canvas)
    return gray if gray.max() > 0 else None


def uploaded_digit(path: str | None) -> np.ndarray | None:
    """An uploaded photo or scan of a digit, grey with the ink bright; None without a file."""
    return read_upload(Path(path).read_bytes()) if path else None


def sent_digit(path: str | None) -> np.ndarray:
    """An API client's image: one must be sent."""
    if not path:
        raise ImageInputError("No image was sent: attach a png, jpg or webp file.")
    return read_upload(Path(path).read_bytes())


def sent_photo(path: str | None) -> np.ndarray:
    """An API client's colour photo: one must be sent."""
    if not path:
        raise ImageInputError("No photo was sent: attach a png, jpg or webp file.")
    return read_photo(Path(path).read_bytes())


def sent_classes(path: str | None) -> Any:
    """An API client's classes: a zip of one folder per class; none sent: the ready-made set."""
    return image_classes.read_zip(Path(path).read_bytes()) if path else image_classes.DEFAULT


def classes_from_files(
    source: str, names: Sequence[str], files: Sequence[Sequence[str] | None], shots: Sequence[list | None]
) -> Any:
    """What core reads of a form that shows every class's boxes (core.image_classes.form_value):
    each class's files (paths) read and checked like every upload, then its webcam shots; none
    read for the ready-made set. A file that is no picture is a RefusedFile naming it."""
    if source == image_classes.SOURCES[0]:
        return image_classes.form_value(source, [])
    pictures = [
        [image_classes.uploaded_picture(Path(path).read_bytes(), Path(path).name) for path in paths or []]
        + list(taken or [])
        for paths, taken in zip(files, shots, strict=True)
    ]
    return image_classes.form_value(source, list(zip(names, pictures, strict=True)), drop_empty=True)
