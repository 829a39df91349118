"""Pictures sorted into named classes: the input kind "classes" (a student's own dataset).

A student makes 2 to 6 classes of a few pictures each, as in Teachable Machine: a name and some
uploads or webcam shots per class. Every front hands over its own form (Streamlit and Gradio:
photos per named class; the CLI: a folder with one sub-folder per class; the API: a zip of the
same layout), and `to_classes` turns each into one checked `ImageClasses`. Every picture goes
through `core.imaging.read_photo` (size, format, decompression bombs) or `to_photo`, and is
shrunk on arrival, so six classes of a hundred phone photos stay a few megabytes in memory.
Nothing here writes a file: the pictures live in the student's session only.

The name "fashion-mnist" stands for the default classes, for a student without a camera: a
few-shot slice of Fashion-MNIST as colour pictures (see `fashion_classes`).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from core.imaging import MAX_UPLOAD_BYTES, UPLOAD_TYPES, ImageInputError, read_photo, to_photo

MIN_CLASSES, MAX_CLASSES = 2, 6
MIN_PER_CLASS, MAX_PER_CLASS = 2, 100
MAX_NAME = 40  # characters of a class name
KEPT_SIDE = 160  # a picture's longer side once it arrived: the network reads 96 (224 at most)
DEFAULT = "fashion-mnist"  # the default classes' name, also the input's default
DEFAULT_PER_CLASS = 8  # pictures per default class: a handful, as a student would take
# The default classes: six garments that differ in shape (a T-shirt and a shirt would be a
# lesson in confusion, not in transfer).
FASHION_PICKS = ("T-shirt/top", "Trouser", "Pullover", "Sneaker", "Bag", "Ankle boot")
MAX_ZIP_ENTRIES = MAX_CLASSES * MAX_PER_CLASS + 64  # pictures plus a few folders and stray files


@dataclass(frozen=True)
class ImageClasses:
    """Named classes of colour pictures, each (H, W, 3) in [0, 1]; `source` says what they are."""

    names: tuple[str, ...]
    photos: tuple[tuple[np.ndarray, ...], ...]
    source: str = "your own pictures"

    @property
    def counts(self) -> tuple[int, ...]:
        return tuple(len(photos) for photos in self.photos)

    def fingerprint(self) -> str:
        """Equal for the same names and pixels: the key of the models trained on them."""
        digest = hashlib.sha256()
        for name, photos in zip(self.names, self.photos, strict=True):
            digest.update(name.encode() + b"\0")
            for photo in photos:
                digest.update(str(photo.shape).encode() + np.ascontiguousarray(photo).tobytes())
        return digest.hexdigest()[:16]

    def describe(self) -> str:
        parts = ", ".join(f"{name} ({count})" for name, count in zip(self.names, self.counts, strict=True))
        return f"{len(self.names)} classes from {self.source}: {parts}"


def to_classes(value: Any) -> ImageClasses:
    """What a front hands over -> checked ImageClasses; ImageInputError says what to fix.

    Accepted: ImageClasses; "fashion-mnist" (the default classes); a zip's bytes (a folder of
    pictures per class); a mapping or a list of (name, pictures) pairs, each picture an array or
    png/jpg/webp bytes. Never a path: a server must not read folders a caller names."""
    if isinstance(value, ImageClasses):
        return _checked(value.names, value.photos, value.source)
    if value is None:
        raise ImageInputError("No classes yet: name at least two and add a few pictures to each.")
    if isinstance(value, bytes | bytearray):
        return read_zip(bytes(value))
    if isinstance(value, str):  # a name only: a folder is read by the CLI (`read_argument`)
        if value.strip().lower() == DEFAULT:
            return fashion_classes()
        raise ImageInputError(f"{value[:60]!r} is not {DEFAULT!r}: name your classes and add pictures.")
    pairs = list(value.items()) if isinstance(value, Mapping) else value
    if not isinstance(pairs, Sequence) or not all(
        isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2 for pair in pairs
    ):
        raise ImageInputError(
            f"Classes are named groups of pictures (name, pictures), not {type(value).__name__}."
        )
    names = [str(name) if name is not None else "" for name, _ in pairs]
    photos = []
    for name, pictures in pairs:
        if isinstance(pictures, np.ndarray | str | bytes) or not isinstance(pictures, Sequence):
            raise ImageInputError(f"Class {name!r}: expected a list of pictures.")
        photos.append(tuple(_picture(item, name) for item in pictures))
    return _checked(names, photos)


def _picture(item: Any, name: str) -> np.ndarray:
    """One picture of class `name`: checked like every upload, shrunk to KEPT_SIDE."""
    try:
        photo = read_photo(bytes(item)) if isinstance(item, bytes | bytearray) else to_photo(item)
    except ImageInputError as error:
        raise ImageInputError(f"Class {name!r}: {error}") from None
    return shrink(photo)


def shrink(photo: np.ndarray, side: int = KEPT_SIDE) -> np.ndarray:
    """A photo whose longer side is at most `side` (the network never reads more)."""
    if max(photo.shape[:2]) <= side:
        return photo
    image = Image.fromarray((np.clip(photo, 0, 1) * 255).round().astype(np.uint8))
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.float32) / 255.0


def _checked(names: Sequence[str], photos: Sequence[Sequence[np.ndarray]], source: str = "") -> ImageClasses:
    cleaned = [" ".join(str(name).split()) for name in names]
    if not MIN_CLASSES <= len(cleaned) <= MAX_CLASSES:
        raise ImageInputError(
            f"Make {MIN_CLASSES} to {MAX_CLASSES} classes; there {'is' if len(cleaned) == 1 else 'are'} "
            f"{len(cleaned)}."
        )
    for name, pictures in zip(cleaned, photos, strict=True):
        if not name:
            raise ImageInputError("Every class needs a name.")
        if len(name) > MAX_NAME:
            raise ImageInputError(f"Class name {name[:MAX_NAME]!r}... is longer than {MAX_NAME} characters.")
        if not MIN_PER_CLASS <= len(pictures) <= MAX_PER_CLASS:
            raise ImageInputError(
                f"Class {name!r} has {len(pictures)} picture{'' if len(pictures) == 1 else 's'}: "
                f"give each class {MIN_PER_CLASS} to {MAX_PER_CLASS}."
            )
    if len({name.lower() for name in cleaned}) < len(cleaned):
        raise ImageInputError("Two classes have the same name: give each its own.")
    return ImageClasses(tuple(cleaned), tuple(tuple(p) for p in photos), source or "your own pictures")


# --- the fronts' form: a source, then a name, uploads and webcam shots per class --------------

SOURCES = ("Ready-made (Fashion-MNIST)", "My own classes")  # the form's first choice
READY_MADE_NOTE = "Six Fashion-MNIST garments, 8 colour pictures each: for a class without cameras."


class RefusedFile(ImageInputError):
    """An uploaded file of a class that is no usable picture. It names the file, so a student
    knows which of a dozen to remove, and keeps the reason apart for a class's summary."""

    def __init__(self, file_name: str, reason: str):
        super().__init__(f"{file_name}: {reason}")
        self.file_name, self.reason = file_name, reason

    def __reduce__(self) -> tuple:  # pickled and copied with both arguments, not the message
        return type(self), (self.file_name, self.reason)

    def summary(self) -> str:
        """The refusal as a class's summary line puts it: "notes.png refused: why"."""
        return f"{self.file_name} refused: {self.reason.rstrip('.')}"


def uploaded_picture(data: bytes, file_name: str) -> np.ndarray:
    """One uploaded file of a class, checked like every upload and shrunk; a refusal is a
    RefusedFile."""
    try:
        return shrink(read_photo(data))
    except ImageInputError as error:
        raise RefusedFile(file_name, str(error)) from None


def shot_picture(shot: np.ndarray) -> np.ndarray:
    """A webcam shot (the front's decoded array), checked and shrunk like an upload."""
    return shrink(to_photo(shot))


def form_value(
    source: str, classes: Sequence[tuple[str, Sequence[np.ndarray]]], drop_empty: bool = False
) -> str | list[tuple[str, list[np.ndarray]]] | None:
    """What a front's form hands to `to_classes`: the ready-made set's name when that source is
    picked; else each class's (name, pictures), or None until a picture is given.
    `drop_empty` leaves out empty classes beyond the two a set needs: for a form that always
    shows six classes' boxes (Gradio), where a student fills only the first few."""
    if source == SOURCES[0]:
        return DEFAULT
    pairs = [(name, list(pictures)) for name, pictures in classes]
    if not any(pictures for _, pictures in pairs):
        return None
    if drop_empty:
        pairs = [pair for number, pair in enumerate(pairs) if pair[1] or number < MIN_CLASSES]
    return pairs


def picture_count(pictures: Sequence[Any], refused: Sequence[RefusedFile] = ()) -> str:
    """A class's summary under its boxes: how many pictures it has, then each file refused and
    why, for as long as the file stays in the class ("2 pictures (notes.png refused: ...)"), so
    a student who looked away when it was uploaded still sees why a picture is missing."""
    count = f"{len(pictures)} picture{'' if len(pictures) == 1 else 's'}"
    return f"{count} ({'; '.join(file.summary() for file in refused)})" if refused else count


def read_argument(value: str) -> ImageClasses | str:
    """The CLI's `--images`: "fashion-mnist", a folder of class folders, or a zip of them."""
    path = Path(value)
    if path.is_dir():
        return read_folder(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        return read_zip(path.read_bytes())
    if value.strip().lower() == DEFAULT:
        return DEFAULT
    raise ImageInputError(f"{value}: no such folder (one sub-folder of pictures per class), nor {DEFAULT!r}.")


def read_folder(folder: Path) -> ImageClasses:
    """One sub-folder per class (its name the class's), its png/jpg/webp files the pictures
    (each checked like an upload); other files are skipped."""
    classes = sorted(path for path in folder.iterdir() if path.is_dir() and not path.name.startswith("."))
    if not classes:
        raise ImageInputError(f"{folder.name} holds no sub-folders: make one per class, pictures inside.")
    pairs = []
    for path in classes:
        files = [file for file in sorted(path.iterdir()) if file.is_file() and _is_picture(file.name)]
        for file in files:
            if file.stat().st_size > MAX_UPLOAD_BYTES:
                raise ImageInputError(f"{file.name} is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
        pairs.append((path.name, [file.read_bytes() for file in files]))
    return to_classes(pairs)


def read_zip(data: bytes) -> ImageClasses:
    """A zip with one folder per class (the CLI's layout, zipped for the API). The entries'
    declared sizes are checked before anything is inflated: no zip bombs."""
    if len(data) > MAX_UPLOAD_BYTES * 4:
        raise ImageInputError(f"The zip is larger than {MAX_UPLOAD_BYTES * 4 // 2**20} MB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImageInputError("That is not a zip file: send one folder per class, zipped.") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ImageInputError(f"The zip holds {len(entries)} files; at most {MAX_ZIP_ENTRIES} are read.")
    grouped: dict[str, list[bytes]] = {}
    with archive:
        for entry in entries:
            parts = [part for part in entry.filename.split("/") if part]
            if entry.is_dir() or len(parts) < 2 or not _is_picture(parts[-1]) or parts[0].startswith("__"):
                continue  # folders, stray files, macOS's __MACOSX copies
            if entry.file_size > MAX_UPLOAD_BYTES:
                raise ImageInputError(f"{parts[-1]} is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
            grouped.setdefault(parts[-2], []).append(archive.read(entry))
    if not grouped:
        raise ImageInputError("The zip holds no pictures in folders: make one folder per class.")
    return to_classes(list(grouped.items()))  # in the zip's order


def _is_picture(name: str) -> bool:
    return not name.startswith(".") and name.rsplit(".", 1)[-1].lower() in UPLOAD_TYPES


def to_zip(classes: ImageClasses) -> bytes:
    """The classes as the API reads them: a zip with a folder of PNGs per class."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, photos in zip(classes.names, classes.photos, strict=True):
            for number, photo in enumerate(photos):
                archive.writestr(f"{_folder_name(name)}/{number:03d}.png", _png(photo))
    return buffer.getvalue()


def write_folder(classes: ImageClasses, folder: Path) -> Path:
    """The classes as the CLI reads them: a sub-folder of PNGs per class, in `folder`."""
    for name, photos in zip(classes.names, classes.photos, strict=True):
        target = folder / _folder_name(name)
        target.mkdir(parents=True, exist_ok=True)
        for number, photo in enumerate(photos):
            (target / f"{number:03d}.png").write_bytes(_png(photo))
    return folder


def _folder_name(name: str) -> str:
    return name.replace("/", "-").replace("\\", "-")


def _png(photo: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray((np.clip(photo, 0, 1) * 255).round().astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


# --- the default classes: Fashion-MNIST, a few pictures each, in colour -----------------------


def colour_pictures(images: np.ndarray, seed: int, size: int | None = None) -> np.ndarray:
    """uint8 (N, 28, 28) garments, light on black -> (N, S, S, 3) float pictures in [0, 1]: the
    garment in a colour of its own (seeded per picture, so colour says nothing about the class)
    on white, like a shop's product photo, enlarged to `size` (bicubic) when given."""
    ink = images.astype(np.float32)[..., None] / 255.0
    colours = np.random.default_rng(seed).uniform(0.05, 0.85, size=(len(images), 1, 1, 3)).astype(np.float32)
    pictures = 1.0 - ink * (1.0 - colours)  # white where there is no garment
    if size is None or size == images.shape[-1]:
        return pictures
    return np.stack([_resize(picture, size) for picture in pictures])


def _resize(picture: np.ndarray, size: int) -> np.ndarray:
    image = Image.fromarray((picture * 255).round().astype(np.uint8))
    return np.asarray(image.resize((size, size), Image.Resampling.BICUBIC), dtype=np.float32) / 255.0


def fashion_pick(
    labels: np.ndarray, classes: Sequence[int], per_class: int, seed: int, offset: int = 0
) -> np.ndarray:
    """Indices of `per_class` pictures of each class, drawn at random (seeded), skipping each
    class's first `offset` (held out); class by class in the order of `classes`."""
    rng = np.random.default_rng(seed)
    picked = []
    for label in classes:
        members = np.flatnonzero(labels == label)[offset:]
        if len(members) < per_class:
            raise ImageInputError(f"Fashion-MNIST has only {len(members)} pictures of class {label}.")
        picked.append(rng.choice(members, size=per_class, replace=False))
    return np.concatenate(picked)


def fashion_classes(
    names: Sequence[str] = FASHION_PICKS, per_class: int = DEFAULT_PER_CLASS, seed: int = 0, size: int = 64
) -> ImageClasses:
    """The default classes: `per_class` Fashion-MNIST training pictures of each garment in
    `names`, in colour at `size` px (above the 32 px every photo needs; the network enlarges
    them further like any photo)."""
    from core.data import FASHION_CLASSES, DataUnavailableError, load_images  # torch: only here

    try:
        data = load_images("fashion-mnist")
    except DataUnavailableError as error:
        raise ImageInputError(f"The default classes need Fashion-MNIST: {error}") from None
    labels = data.train_labels.numpy()
    index = fashion_pick(labels, [FASHION_CLASSES.index(name) for name in names], per_class, seed)
    pictures = colour_pictures(data.train_images.numpy()[index], seed, size)
    pictures = np.round(pictures * 255).astype(np.float32) / 255.0  # 8-bit: as a PNG round trip gives back
    photos = [tuple(pictures[i * per_class : (i + 1) * per_class]) for i in range(len(names))]
    return ImageClasses(tuple(names), tuple(photos), f"Fashion-MNIST ({per_class} training pictures each)")
