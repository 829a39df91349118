"""Turning drawings, photos and scans into what a digit model expects: a 28x28 MNIST frame.

MNIST digits were made by cropping the ink, scaling the longer side to 20 px with the aspect
ratio kept, and placing that box in a 28x28 frame so the centre of mass sits at the centre. A
drawing prepared any other way (a small digit in a corner, a digit filling the whole pad) looks
nothing like the training data, and even a good model misreads it. `to_mnist_frame` does the
same steps, so a digit drawn anywhere, at any size, is read as well as an MNIST digit.
"""

from __future__ import annotations

import io
import os
import warnings

import numpy as np
from PIL import Image, ImageDraw, ImageOps

INK_THRESHOLD = 0.2  # a pixel brighter than this share of the brightest one counts as ink
# A server may change the upload limit (Streamlit's own server.maxUploadSize must then allow it).
MAX_UPLOAD_BYTES = int(float(os.environ.get("DLL_MAX_UPLOAD_MB") or 10) * 1024 * 1024)
MAX_UPLOAD_PIXELS = 40_000_000  # 40 megapixels: any phone photo, not a decompression bomb
UPLOAD_TYPES = ("png", "jpg", "jpeg", "webp")
UPLOAD_LIMITS = (  # what every front tells the student before they upload
    f"png, jpg or webp, up to {MAX_UPLOAD_BYTES // 2**20} MB and {MAX_UPLOAD_PIXELS // 1_000_000} megapixels"
)


class ImageInputError(ValueError):
    """The input cannot be used as a digit: empty, not an image, truncated or too large."""


def to_mnist_frame(gray: np.ndarray, box: int = 20, size: int = 28) -> np.ndarray:
    """White-on-black grey image (any size, values in [0, 1]) -> (28, 28) float32 MNIST frame.

    Raises ImageInputError when there is no ink to read.
    """
    gray = np.asarray(gray, dtype=np.float32)
    if gray.ndim != 2 or gray.size == 0:
        raise ImageInputError("expected a 2-D greyscale image")
    gray = np.nan_to_num(np.clip(gray, 0.0, 1.0))
    peak = float(gray.max())
    if peak < 0.05:
        raise ImageInputError("The image is blank: draw or upload a digit first.")
    rows = np.flatnonzero((gray > INK_THRESHOLD * peak).any(axis=1))
    cols = np.flatnonzero((gray > INK_THRESHOLD * peak).any(axis=0))
    ink = gray[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1] / peak

    height, width = ink.shape
    scale = box / max(height, width)
    new_h, new_w = max(1, round(height * scale)), max(1, round(width * scale))
    resized = Image.fromarray((ink * 255).astype(np.uint8)).resize((new_w, new_h), Image.Resampling.LANCZOS)
    digit = np.asarray(resized, dtype=np.float32) / 255.0
    digit = np.clip(digit, 0.0, 1.0)
    if not digit.any():
        # Ink too thin to survive the shrink to `box` pixels (two dots far apart on a big pad):
        # the frame would be empty and centring it would divide by zero.
        raise ImageInputError("Too little ink to read: draw the digit with thicker strokes.")

    frame = np.zeros((size, size), dtype=np.float32)
    top, left = (size - new_h) // 2, (size - new_w) // 2
    frame[top : top + new_h, left : left + new_w] = digit
    return _centre_by_mass(frame)


def _centre_by_mass(frame: np.ndarray) -> np.ndarray:
    """Shift by whole pixels so the centre of mass lands at the frame's centre, clipped so the
    ink is never pushed out of the frame."""
    total = frame.sum()
    size = frame.shape[0]
    ys, xs = np.indices(frame.shape)
    dy = round((size - 1) / 2 - (ys * frame).sum() / total)
    dx = round((size - 1) / 2 - (xs * frame).sum() / total)
    rows = np.flatnonzero(frame.any(axis=1))
    cols = np.flatnonzero(frame.any(axis=0))
    dy = int(np.clip(dy, -rows[0], size - 1 - rows[-1]))
    dx = int(np.clip(dx, -cols[0], size - 1 - cols[-1]))
    return np.roll(frame, (dy, dx), axis=(0, 1))


def canvas_to_gray(rgba: np.ndarray) -> np.ndarray:
    """A drawing pad's RGBA (or RGB, or grey) array -> grey in [0, 1], ink bright.

    The pad draws white ink on black; transparent pixels count as background.
    """
    # A drawing arrives from a widget or an API call: text, ragged rows or an empty array used
    # to escape as ValueError or TypeError from numpy.
    try:
        array = np.asarray(rgba, dtype=np.float32)
    except (TypeError, ValueError, OverflowError):
        raise ImageInputError("a drawing must be an array of pixel values") from None
    if array.size == 0:
        raise ImageInputError(f"the drawing is empty (shape {array.shape})")
    if array.ndim == 2:
        gray = array
    elif array.ndim == 3 and array.shape[2] in (3, 4):
        gray = array[..., :3].mean(axis=2)
        if array.shape[2] == 4:
            gray = gray * (array[..., 3] / 255.0)
    else:
        raise ImageInputError(f"unexpected drawing shape {array.shape}")
    if gray.max() > 1.0:
        gray = gray / 255.0
    return gray


def read_upload(data: bytes) -> np.ndarray:
    """Bytes of a png/jpg/webp photo or scan -> grey image in [0, 1] with the ink bright.

    Either polarity is accepted: a light background (paper) is detected and inverted. The size
    is checked before any pixel is decoded, so huge images and decompression bombs are refused.
    """
    return photo_to_gray(open_upload(data))


def open_upload(data: bytes) -> Image.Image:
    """Bytes of a png/jpg/webp file -> a decoded PIL image, turned as its EXIF says; the size
    and the format are checked before any pixel is decoded (huge images, decompression bombs)."""
    if not data:
        raise ImageInputError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageInputError(f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_UPLOAD_PIXELS:
                raise ImageInputError(
                    f"The image is {width}x{height} pixels; the limit is "
                    f"{MAX_UPLOAD_PIXELS // 1_000_000} megapixels."
                )
            if (image.format or "").lower() not in ("png", "jpeg", "webp"):
                raise ImageInputError(f"{image.format} images are not supported: use png, jpg or webp.")
            image = ImageOps.exif_transpose(image)
            image.load()
    except ImageInputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        limit = MAX_UPLOAD_PIXELS // 1_000_000
        raise ImageInputError(f"The image is too large; the limit is {limit} megapixels.") from None
    except Exception:  # PIL raises many types for truncated or malformed files
        raise ImageInputError(
            "The file is not a readable png, jpg or webp image (or it is truncated)."
        ) from None
    return image


def photo_to_gray(image: Image.Image) -> np.ndarray:
    """A PIL image of a handwritten digit -> grey in [0, 1], ink bright, paper black."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent background: the ink is where the alpha is, whatever its colour.
        rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
        alpha = rgba[..., 3]
        if alpha.min() < 0.99:
            luminance = rgba[..., :3].mean(axis=2)
            ink_is_dark = (luminance * alpha).sum() < ((1 - luminance) * alpha).sum()
            return alpha * ((1 - luminance) if ink_is_dark else luminance)
    gray = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if np.median(border) > 0.5:  # light paper, dark ink
        gray = 1.0 - gray
    # Paper is never perfectly black after inversion: subtract its level and stretch the ink.
    background = float(np.percentile(gray, 50))
    peak = float(gray.max())
    if peak - background < 0.1:
        raise ImageInputError("No digit found: the image has almost no contrast.")
    return np.clip((gray - background) / (peak - background), 0.0, 1.0)


def example_digit(size: int = 112) -> np.ndarray:
    """A drawn "7" as a drawing pad gives it (white ink on black, [0, 1]): the example input of
    interactions that read a digit, for tests and documentation."""
    image = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(image)
    stroke = max(2, size // 10)
    draw.line(
        [(size * 0.25, size * 0.2), (size * 0.75, size * 0.2), (size * 0.45, size * 0.85)],
        fill=255,
        width=stroke,
    )
    return np.asarray(image, dtype=np.float32) / 255.0


# --- colour photos (input kind "photo"), for the labs on a real ImageNet network -------------

# scikit-image's bundled photos, which load offline: the default pictures, by name.
BUNDLED_PHOTOS = {
    "chelsea": "Chelsea the cat",
    "coffee": "a cup of coffee",
    "rocket": "a Falcon 9 rocket on its launch pad",
    "astronaut": "astronaut Eileen Collins",
    "camera": "a cameraman with his camera (black and white)",
    "clock": "a clock on a wall (black and white)",
    "coins": "Greek coins (black and white)",
}
MIN_PHOTO_SIDE = 32  # smaller than this there is nothing left to see at 224 px
MAX_PHOTO_SIDE = 1024  # a phone photo is shrunk to this on arrival: the network sees 224 px


def bundled_photo(name: str) -> np.ndarray:
    """One of scikit-image's photos, by name, as an (H, W, 3) array in [0, 1]."""
    key = str(name).strip().lower()
    if key not in BUNDLED_PHOTOS:
        raise ImageInputError(f"No bundled photo named {name!r}: pick one of {', '.join(BUNDLED_PHOTOS)}.")
    import skimage.data  # here: only the photo labs need scikit-image

    return to_photo(getattr(skimage.data, key)())


def read_photo(data: bytes) -> np.ndarray:
    """Bytes of a png/jpg/webp photo -> (H, W, 3) colour array in [0, 1], checked like every
    upload (size, format, decompression bombs); a transparent background becomes white."""
    image = open_upload(data)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image.convert("RGBA"))
    image = image.convert("RGB")
    image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE), Image.Resampling.LANCZOS)
    return to_photo(np.asarray(image))


def to_photo(value) -> np.ndarray:
    """What a front or the API hands over (an array: colour, grey or with alpha; 0-1 or 0-255;
    or a bundled photo's name) -> (H, W, 3) float32 in [0, 1]; ImageInputError says why not."""
    if isinstance(value, str):
        return bundled_photo(value)
    if value is None:
        raise ImageInputError("No photo yet: pick one, upload one or take one with the webcam.")
    try:
        array = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError, OverflowError):
        raise ImageInputError(f"A photo must be an array of pixels, not {type(value).__name__}.") from None
    if array.ndim == 3 and array.shape[2] == 4:
        array = array[..., :3]  # a webcam frame or a png with alpha: the colours
    elif (array.ndim == 3 and array.shape[2] == 1) or array.ndim == 2:
        array = np.repeat(array.reshape(array.shape[0], array.shape[1], 1), 3, axis=2)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ImageInputError(f"A photo has height, width and 3 colours; this array has shape {array.shape}.")
    if min(array.shape[:2]) < MIN_PHOTO_SIDE:
        raise ImageInputError(
            f"The photo is {array.shape[1]}x{array.shape[0]} pixels; it needs at least "
            f"{MIN_PHOTO_SIDE} pixels on each side."
        )
    if max(array.shape[:2]) > MAX_PHOTO_SIDE * 8:
        raise ImageInputError(f"The photo is {array.shape[1]}x{array.shape[0]} pixels: too large.")
    if not np.isfinite(array).all() or array.min() < 0 or array.max() > 255:
        raise ImageInputError("Pixels must be numbers from 0 to 1 (or 0 to 255).")
    if array.max() > 1.0:
        array = array / 255.0
    return np.ascontiguousarray(array, dtype=np.float32)


def example_photo() -> np.ndarray:
    """The cat: the example input of interactions that read a photo."""
    return bundled_photo("chelsea")
