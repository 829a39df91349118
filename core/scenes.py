"""Scenes for the detection and segmentation labs: real objects pasted onto real photos.

The course used Pascal VOC and a water-bodies photo set; neither can be fetched here. These
scenes are an honest substitute made only of real parts that ship offline: handwritten digits
(MNIST, through core.data) or clothing (Fashion-MNIST, Debian's dataset-fashion-mnist) pasted at
a random scale, place and colour, sometimes overlapping, onto crops of scikit-image's photos.
Every label is exact: a box is where an object was pasted, a mask pixel is where its strokes
cover the photo.

Honest held-out scenes: held-out objects are the datasets' test images (never seen in
training), and held-out backgrounds are crops of the right quarter of each photo, while training
crops come from the left three quarters. Each scene is made from (seed, split, index) alone, so
any scene can be rebuilt exactly, and a new seed gives a new set.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageDraw

from core.data import DIGIT_CLASSES, FASHION_CLASSES, load_images
from core.specs import SpecError

SCENE_SIZE = 64  # pixels on each side: small enough to train on two CPU cores in minutes
OBJECT_SIZES = (14, 30)  # an object's longer side, in pixels, drawn uniformly
MAX_OVERLAP = 0.25  # largest IoU between two pasted objects' boxes: each stays mostly visible
INK = 0.5  # an object covers a pixel where its ink (alpha) reaches this

# scikit-image's photos that load offline (colour, and three grey textures), the backgrounds.
PHOTOS = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
    "colorwheel",
    "brick",
    "grass",
    "gravel",
)
PHOTO_SIDE = 320  # each photo is shrunk to this longer side once: crops are 40 to 80 pixels
HELDOUT_PHOTO_SHARE = 0.25  # the right quarter of each photo makes the held-out backgrounds

OBJECT_SETS = {"digits": ("mnist",), "fashion": ("fashion-mnist",), "both": ("mnist", "fashion-mnist")}
SPLITS = ("train", "heldout")


def object_classes(objects: str) -> tuple[str, ...]:
    """The class names of an object set: digits, then clothing."""
    names = {"mnist": DIGIT_CLASSES, "fashion-mnist": FASHION_CLASSES}
    return tuple(name for dataset in object_set(objects) for name in names[dataset])


def object_set(objects: str) -> tuple[str, ...]:
    if objects not in OBJECT_SETS:
        raise SpecError(f"Unknown object set {objects!r}: pick one of {', '.join(OBJECT_SETS)}.")
    return OBJECT_SETS[objects]


@dataclass(frozen=True)
class Scene:
    """One scene: the picture, every object's box and class, and which object covers each pixel."""

    image: np.ndarray  # (H, W, 3) float32 in [0, 1]
    boxes: np.ndarray  # (k, 4) float32 x0, y0, x1, y1 in pixels (x1, y1 exclusive)
    labels: np.ndarray  # (k,) int64 class index
    mask: np.ndarray  # (H, W) uint8: 0 the photo, i the i-th object (later objects on top)
    photo: str


@dataclass(frozen=True)
class SceneSet:
    """Many scenes as tensors, ready for a training loop."""

    images: torch.Tensor  # (N, 3, H, W) float32 in [0, 1]
    masks: torch.Tensor  # (N, H, W) uint8 object numbers (0: photo)
    boxes: list[torch.Tensor]  # per scene (k, 4) float32
    labels: list[torch.Tensor]  # per scene (k,) int64
    classes: tuple[str, ...]
    description: str

    def __len__(self) -> int:
        return len(self.images)


# --- the parts: photos and objects ----------------------------------------------------------


@functools.lru_cache(maxsize=len(PHOTOS))
def photo(name: str) -> np.ndarray:
    """A scikit-image photo as (H, W, 3) float32 in [0, 1], its longer side PHOTO_SIDE."""
    import skimage.data  # here: only the scene labs need scikit-image

    if name not in PHOTOS:
        raise SpecError(f"No background photo named {name!r}: pick one of {', '.join(PHOTOS)}.")
    pixels = getattr(skimage.data, name)()
    image = Image.fromarray(pixels).convert("RGB")
    image.thumbnail((PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.float32) / 255.0


def photo_region(name: str, split: str) -> np.ndarray:
    """The part of a photo a split's backgrounds come from (training: left, held-out: right)."""
    pixels = photo(name)
    edge = round(pixels.shape[1] * (1 - HELDOUT_PHOTO_SHARE))
    return pixels[:, :edge] if split == "train" else pixels[:, edge:]


def background(rng: np.random.Generator, split: str, name: str | None = None) -> tuple[np.ndarray, str]:
    """A random square crop of a photo's region, resized to the scene."""
    name = name or PHOTOS[rng.integers(len(PHOTOS))]
    region = photo_region(name, split)
    height, width = region.shape[:2]
    side = int(rng.integers(min(40, height, width), min(80, height, width) + 1))
    top, left = int(rng.integers(height - side + 1)), int(rng.integers(width - side + 1))
    crop = Image.fromarray((region[top : top + side, left : left + side] * 255).astype(np.uint8))
    crop = crop.resize((SCENE_SIZE, SCENE_SIZE), Image.Resampling.BILINEAR)
    if rng.random() < 0.5:
        crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return np.asarray(crop, dtype=np.float32) / 255.0, name


@dataclass(frozen=True)
class ObjectPool:
    """The 28x28 objects a split draws from (white ink on black, uint8) and their classes."""

    images: np.ndarray  # (N, 28, 28) uint8
    labels: np.ndarray  # (N,) int64, offset so that digits and clothing share one class list
    description: str


@functools.lru_cache(maxsize=8)
def object_pool(objects: str, split: str, data_dir: str | None = None) -> ObjectPool:
    images, labels, names, offset = [], [], [], 0
    for dataset in object_set(objects):
        data = load_images(dataset, data_dir)
        train = split == "train"
        images.append((data.train_images if train else data.test_images).numpy())
        labels.append((data.train_labels if train else data.test_labels).numpy() + offset)
        names.append(data.source.description)
        offset += len(data.classes)
    return ObjectPool(np.concatenate(images), np.concatenate(labels), " and ".join(names))


def object_alpha(image: np.ndarray, size: int) -> np.ndarray:
    """A 28x28 object cut to its ink and scaled so its longer side is `size` pixels: the
    alpha (opacity) to paste it with, in [0, 1]."""
    ink = image > 25
    rows, columns = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    if len(rows) == 0:  # an empty image (none in MNIST or Fashion-MNIST, but be safe)
        rows = columns = np.arange(28)
    cut = image[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    scale = size / max(cut.shape)
    height, width = max(2, round(cut.shape[0] * scale)), max(2, round(cut.shape[1] * scale))
    resized = Image.fromarray(cut).resize((width, height), Image.Resampling.BILINEAR)
    # MNIST strokes are soft at their edges: a little gain makes the body opaque.
    return np.clip(np.asarray(resized, dtype=np.float32) / 255.0 * 1.5, 0.0, 1.0)


def ink_colour(rng: np.random.Generator, behind: np.ndarray) -> np.ndarray:
    """A random colour that stands out from the photo behind the object (in brightness)."""
    colour = rng.random(3).astype(np.float32)
    luminance = np.array([0.299, 0.587, 0.114], dtype=np.float32)
    if abs(float(colour @ luminance) - float(behind.reshape(-1, 3).mean(0) @ luminance)) < 0.35:
        colour = 1.0 - colour
        if abs(float(colour @ luminance) - float(behind.reshape(-1, 3).mean(0) @ luminance)) < 0.35:
            colour = np.full(3, 1.0 if float(behind.mean()) < 0.5 else 0.0, dtype=np.float32)
    return colour


def box_iou(box: np.ndarray, others: list[np.ndarray]) -> float:
    """The largest IoU between `box` and any of `others` (x0, y0, x1, y1)."""
    best = 0.0
    for other in others:
        width = min(box[2], other[2]) - max(box[0], other[0])
        height = min(box[3], other[3]) - max(box[1], other[1])
        if width <= 0 or height <= 0:
            continue
        inter = width * height
        union = (box[2] - box[0]) * (box[3] - box[1]) + (other[2] - other[0]) * (other[3] - other[1]) - inter
        best = max(best, inter / union)
    return best


# --- making a scene ---------------------------------------------------------------------------


def paste(
    image: np.ndarray, mask: np.ndarray, alpha: np.ndarray, colour: np.ndarray, x: int, y: int, number: int
) -> np.ndarray:
    """Paint an object (its alpha, in one colour) at (x, y) in place; return its box."""
    height, width = alpha.shape
    region = image[y : y + height, x : x + width]
    region[:] = alpha[..., None] * colour + (1.0 - alpha[..., None]) * region
    covered = alpha >= INK
    mask[y : y + height, x : x + width][covered] = number
    rows, columns = np.flatnonzero(covered.any(1)), np.flatnonzero(covered.any(0))
    return np.array([x + columns[0], y + rows[0], x + columns[-1] + 1, y + rows[-1] + 1], dtype=np.float32)


def make_scene(
    seed: int,
    split: str,
    index: int,
    objects: str = "digits",
    max_objects: int = 3,
    data_dir: str | None = None,
) -> Scene:
    """Scene `index` of a split: from (seed, split, index) alone, so it can be rebuilt exactly."""
    if split not in SPLITS:
        raise SpecError(f"Unknown split {split!r}: pick one of {', '.join(SPLITS)}.")
    rng = np.random.default_rng([seed, SPLITS.index(split), index])
    pool = object_pool(objects, split, data_dir)
    image, name = background(rng, split)
    image = image.copy()
    mask = np.zeros((SCENE_SIZE, SCENE_SIZE), dtype=np.uint8)
    boxes, labels = [], []
    for _ in range(int(rng.integers(1, max_objects + 1))):
        which = int(rng.integers(len(pool.images)))
        alpha = object_alpha(pool.images[which], int(rng.integers(OBJECT_SIZES[0], OBJECT_SIZES[1] + 1)))
        for _attempt in range(20):  # a place that does not hide the others
            x = int(rng.integers(SCENE_SIZE - alpha.shape[1] + 1))
            y = int(rng.integers(SCENE_SIZE - alpha.shape[0] + 1))
            place = np.array([x, y, x + alpha.shape[1], y + alpha.shape[0]], dtype=np.float32)
            if box_iou(place, boxes) <= MAX_OVERLAP:
                break
        else:
            continue
        colour = ink_colour(rng, image[y : y + alpha.shape[0], x : x + alpha.shape[1]])
        boxes.append(paste(image, mask, alpha, colour, x, y, len(boxes) + 1))
        labels.append(int(pool.labels[which]))
    return Scene(
        image=image,
        boxes=np.array(boxes, dtype=np.float32).reshape(-1, 4),
        labels=np.array(labels, dtype=np.int64),
        mask=mask,
        photo=name,
    )


def generate_scenes(
    seed: int,
    split: str,
    count: int,
    objects: str = "digits",
    max_objects: int = 3,
    data_dir: str | None = None,
    first: int = 0,
) -> SceneSet:
    """Scenes `first` to `first + count - 1` of a split, as tensors (not cached: a training that
    makes new scenes every epoch should not keep the old ones)."""
    scenes = [make_scene(seed, split, first + i, objects, max_objects, data_dir) for i in range(count)]
    pool = object_pool(objects, split, data_dir)
    numbers = f" (numbers {first:,} to {first + count - 1:,})" if first else ""
    return SceneSet(
        images=torch.from_numpy(np.stack([s.image for s in scenes])).permute(0, 3, 1, 2).contiguous(),
        masks=torch.from_numpy(np.stack([s.mask for s in scenes])),
        boxes=[torch.from_numpy(s.boxes) for s in scenes],
        labels=[torch.from_numpy(s.labels) for s in scenes],
        classes=object_classes(objects),
        description=(
            f"{count:,} {'training' if split == 'train' else 'held-out'} scenes of "
            f"{SCENE_SIZE}x{SCENE_SIZE} (seed {seed}{numbers}): {pool.description.split(',')[0]} "
            f"{'training' if split == 'train' else 'test'} objects on crops of scikit-image photos"
        ),
    )


@functools.lru_cache(maxsize=4)
def make_scenes(
    seed: int,
    split: str,
    count: int,
    objects: str = "digits",
    max_objects: int = 3,
    data_dir: str | None = None,
) -> SceneSet:
    """The first `count` scenes of a split, cached: the labs, their views and tests share them."""
    return generate_scenes(seed, split, count, objects, max_objects, data_dir)


def compose(
    placements: list[tuple[int, int, int, int]],
    photo_name: str,
    objects: str = "digits",
    seed: int = 0,
    data_dir: str | None = None,
) -> Scene:
    """A scene the student lays out: (class, x, y, size) per object, on a crop of a held-out
    photo region; each class's object is a held-out image of it, picked by `seed`."""
    rng = np.random.default_rng([seed, 7])
    pool = object_pool(objects, "heldout", data_dir)
    image, name = background(rng, "heldout", photo_name)
    image = image.copy()
    mask = np.zeros((SCENE_SIZE, SCENE_SIZE), dtype=np.uint8)
    boxes, labels = [], []
    for label, x, y, size in placements:
        candidates = np.flatnonzero(pool.labels == label)
        alpha = object_alpha(pool.images[candidates[rng.integers(len(candidates))]], size)
        x = int(np.clip(x, 0, SCENE_SIZE - alpha.shape[1]))
        y = int(np.clip(y, 0, SCENE_SIZE - alpha.shape[0]))
        colour = ink_colour(rng, image[y : y + alpha.shape[0], x : x + alpha.shape[1]])
        boxes.append(paste(image, mask, alpha, colour, x, y, len(boxes) + 1))
        labels.append(label)
    return Scene(image, np.array(boxes, dtype=np.float32).reshape(-1, 4), np.array(labels), mask, name)


def parse_placements(text: str, classes: tuple[str, ...]) -> list[tuple[int, int, int, int]]:
    """'7 at 10,12 size 24; Bag at 40,30' -> [(class, x, y, size)]; SpecError says what is wrong."""
    lowered = {name.lower(): i for i, name in enumerate(classes)}
    placements = []
    for part in (p.strip() for p in str(text).replace("\n", ";").split(";")):
        if not part:
            continue
        words = part.replace(",", " ").split()
        try:
            at = [w.lower() for w in words].index("at")
            name = " ".join(words[:at]).lower()
            x, y = int(words[at + 1]), int(words[at + 2])
            rest = [w.lower() for w in words[at + 3 :]]
            if rest and (len(rest) != 2 or rest[0] != "size"):
                raise ValueError
            size = int(rest[1]) if rest else 22
        except (ValueError, IndexError):
            raise SpecError(
                f"Objects: could not read {part!r}. Write each object as CLASS at X,Y (and "
                "optionally size S), separated by ';', e.g. '7 at 10,12; 3 at 40,30 size 26'."
            ) from None
        if name not in lowered:
            raise SpecError(f"Objects: no class {name!r}; the classes are {', '.join(classes)}.")
        if not 0 <= x < SCENE_SIZE or not 0 <= y < SCENE_SIZE:
            raise SpecError(
                f"Objects: {part!r} is outside the scene: X and Y run from 0 to {SCENE_SIZE - 1}."
            )
        if not OBJECT_SIZES[0] - 4 <= size <= SCENE_SIZE // 2:
            raise SpecError(
                f"Objects: size {size} in {part!r}: pick {OBJECT_SIZES[0] - 4} to {SCENE_SIZE // 2} pixels."
            )
        placements.append((lowered[name], x, y, size))
    if not placements:
        raise SpecError("Objects: none given. Write e.g. '7 at 10,12; 3 at 40,30'.")
    if len(placements) > 6:
        raise SpecError(f"Objects: {len(placements)} given; a {SCENE_SIZE}-pixel scene holds at most 6.")
    return placements


# --- drawing ------------------------------------------------------------------------------------

BOX_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
)


def draw_boxes(
    image: np.ndarray,
    boxes: np.ndarray,
    labels: np.ndarray,
    classes: tuple[str, ...],
    scores: np.ndarray | None = None,
    scale: int = 4,
) -> np.ndarray:
    """The image enlarged `scale` times (whole pixels) with each box and its class (and score)."""
    picture = Image.fromarray((np.clip(image, 0, 1) * 255).astype(np.uint8))
    picture = picture.resize((picture.width * scale, picture.height * scale), Image.Resampling.NEAREST)
    draw = ImageDraw.Draw(picture)
    for i, (box, label) in enumerate(zip(np.asarray(boxes), np.asarray(labels), strict=True)):
        colour = BOX_COLOURS[int(label) % len(BOX_COLOURS)]
        x0, y0, x1, y1 = (float(v) * scale for v in box)
        draw.rectangle([x0, y0, x1 - 1, y1 - 1], outline=colour, width=2)
        text = classes[int(label)] + ("" if scores is None else f" {float(scores[i]):.2f}")
        left, top, right, bottom = draw.textbbox((x0, y0), text)
        top_edge = max(0, y0 - (bottom - top) - 2)
        draw.rectangle([x0, top_edge, x0 + right - left + 3, top_edge + bottom - top + 2], fill=colour)
        draw.text((x0 + 2, top_edge), text, fill="white")
    return np.asarray(picture, dtype=np.float32) / 255.0


def mask_overlay(
    image: np.ndarray, mask: np.ndarray, colour=(1.0, 0.1, 0.6), strength: float = 0.6
) -> np.ndarray:
    """The image with the masked pixels tinted: where the objects are, at a glance."""
    tinted = image.copy()
    covered = np.asarray(mask) > 0
    tinted[covered] = (1 - strength) * tinted[covered] + strength * np.asarray(colour, dtype=np.float32)
    return tinted
