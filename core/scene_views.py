"""What the scene labs (detection, segmentation) share in their views: the scene preview a
student regenerates with a seed, and the inputs that pick a scene."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import scenes
from core.interactions import Interaction, Output
from core.specs import LabSpec, Param, SpecError


def scene_seed_input(default: int = 0) -> Param:
    return Param(
        "scene_seed",
        "int",
        default,
        "Which scenes: a seed makes the same scenes every time; a new seed makes new ones.",
        label="Scene seed",
        low=0,
        high=2**31 - 1,
    )


def objects_input() -> Param:
    return Param(
        "objects",
        "choice",
        "digits",
        "What is pasted onto the photos: digits (MNIST), clothing (Fashion-MNIST) or both.",
        choices=tuple(scenes.OBJECT_SETS),
    )


def photo_choice(default: str = "coffee") -> Param:
    return Param(
        "background",
        "choice",
        default,
        "The scikit-image photo the scene is cut from (its held-out part).",
        choices=scenes.PHOTOS,
    )


def scene_index(count: int) -> Param:
    return Param(
        "index",
        "int",
        0,
        "Which held-out scene.",
        label="Held-out scene",
        low=0,
        high=count - 1,
    )


def check_scene_config(spec: LabSpec, config: dict[str, Any]) -> None:
    """A checkpoint's scene settings, checked as the settings are (SpecError, a ValueError,
    which a lab's `load` reports as an unusable config.json): its views rebuild its scenes."""
    for name in ("objects", "max_objects", "scene_seed", "width"):
        if spec.param(name).coerce(config[name]) != config[name]:
            raise SpecError(f"{name} {config[name]!r} is not a value the lab's setting takes")


def check_index(index: int, count: int) -> None:
    if not 0 <= index < count:
        raise SpecError(f"Held-out scene {index} does not exist: pick a number from 0 to {count - 1}.")


PREVIEW_COUNT = 8


def preview(trained: Any, split: str, scene_seed: int, objects: str, first: int) -> dict[str, Any]:
    """Eight scenes of a split, each with its true boxes and, below, its mask."""
    made = [scenes.make_scene(scene_seed, split, first + i, objects) for i in range(PREVIEW_COUNT)]
    classes = scenes.object_classes(objects)
    boxed = [
        (
            scenes.draw_boxes(s.image, s.boxes, s.labels, classes, scale=3),
            f"{split} scene {first + i} · {s.photo}",
        )
        for i, s in enumerate(made)
    ]
    masked = [
        (scenes.mask_overlay(s.image, s.mask), f"mask · {int((s.mask > 0).sum())} object pixels")
        for s in made
    ]
    counts = [len(s.labels) for s in made]
    note = (
        f"{split.replace('heldout', 'Held-out')} scenes {first} to {first + PREVIEW_COUNT - 1} of seed "
        f"{scene_seed}: {sum(counts)} objects. Each box is where an object was pasted; the mask is "
        f"where its strokes cover the photo (ink at least {scenes.INK:.0%} opaque). "
        + (
            "Training scenes use the datasets' training objects and the left three quarters of each photo."
            if split == "train"
            else "Held-out scenes use the datasets' test objects and the right quarter of each photo, "
            "which training never sees."
        )
    )
    return {"note": note, "boxes": boxed, "masks": masked}


PREVIEW = Interaction(
    "scenes",
    "The scenes",
    "Real objects pasted onto real photos: the exact boxes and masks the labs learn from. Change "
    "the seed for new scenes; the same seed always gives the same ones.",
    preview,
    inputs=(
        Param("split", "choice", "train", "Training scenes, or the held-out ones.", choices=scenes.SPLITS),
        scene_seed_input(),
        objects_input(),
        Param(
            "first",
            "int",
            0,
            "The first scene shown (eight from here).",
            label="From scene",
            low=0,
            high=100_000,
        ),
    ),
    outputs=(
        Output("note", "markdown", ""),
        Output("boxes", "gallery", "Scenes and their true boxes", size=192, columns=4),
        Output("masks", "gallery", "Their masks (objects tinted)", size=192, columns=4),
    ),
    example={"split": "heldout", "scene_seed": 3},
    needs_model=False,
)


def square_scene(photo: np.ndarray) -> np.ndarray:
    """Any photo -> the scene the models read: its centre square, shrunk to 64x64."""
    from PIL import Image

    height, width = photo.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = Image.fromarray((photo[top : top + side, left : left + side] * 255).astype(np.uint8))
    square = square.resize((scenes.SCENE_SIZE, scenes.SCENE_SIZE), Image.Resampling.LANCZOS)
    return np.asarray(square, dtype=np.float32) / 255.0
