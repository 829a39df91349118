"""Corrupting images and measuring how far an image is from the clean one, in decibels.

Three kinds of noise, each with one level in [0, 1]:
- `gaussian`: add N(0, level²) to every pixel, then clip to [0, 1] (the course's recipe);
- `salt-pepper`: a share `level` of the pixels is set to white or black, half and half;
- `mask`: a share `level` of the pixels is zeroed (dropout on the input; the digit's strokes get
  holes that the model has to fill in).
`mixed` (for training) gives each image one of the three at random.

PSNR is measured per image and then averaged. The course computed one PSNR per batch, from the
batch's mean squared error, and averaged those over batches: a batch's figure is then set by its
worst-restored digits (their errors dominate the mean), it changes with the batch size and the
order of the images, and the short last batch counts as much as a full one. `psnr_per_image`
gives one value per image, which is what a reader of "the held-out PSNR" expects.

Random draws go through an explicit `torch.Generator`, so a seed gives the same noise everywhere
(UI, CLI, API, tests, benchmarks).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from core.specs import SpecError, read_number

NOISE_KINDS = ("gaussian", "salt-pepper", "mask")
TRAINING_NOISES = (*NOISE_KINDS, "mixed")
NOISE_LABELS = {
    "gaussian": "Gaussian",
    "salt-pepper": "salt and pepper",
    "mask": "masking",
    "mixed": "mixed (each image one kind at random)",
}
LEVEL_NAMES = {  # what `level` means for each kind, as the UI names it
    "gaussian": "standard deviation",
    "salt-pepper": "share of pixels set to white or black",
    "mask": "share of pixels zeroed",
    "mixed": "standard deviation or share of pixels",
}
LEVEL_RANGE = (0.0, 1.0)
DEFAULT_LEVELS = {"gaussian": 0.5, "salt-pepper": 0.2, "mask": 0.5}  # the standard evaluation set
MAX_PSNR_DB = 100.0  # a perfect copy (MSE 0) would be infinite; report it as 100 dB
MAX_SEED = 2**32 - 1


class NoiseError(SpecError):
    """An unknown noise kind, or a level or seed outside its range."""


def check_noise(kind: str, level: Any) -> float:
    """The level as a float, after checking the kind and that the level is within [0, 1]."""
    if not isinstance(kind, str) or kind not in TRAINING_NOISES:  # `in` on an array is ambiguous
        raise NoiseError(f"unknown noise {kind!r}; choose one of {', '.join(TRAINING_NOISES)}")
    value = read_number(level, NoiseError, "the noise level must be a number, got {!r}")
    low, high = LEVEL_RANGE
    if not math.isfinite(value) or not low <= value <= high:
        raise NoiseError(
            f"the {NOISE_LABELS[kind]} noise level ({LEVEL_NAMES[kind]}) must be between "
            f"{low:g} and {high:g}, got {level!r}"
        )
    return value


def check_seed(seed: Any) -> int:
    """A seed as an int in [0, 2**32 - 1]; raises NoiseError for anything else."""
    try:
        value = int(seed)
        if value != float(seed):
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise NoiseError(f"the seed must be a whole number, got {seed!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise NoiseError(f"the seed must be between 0 and {MAX_SEED}, got {seed!r}")
    return value


def seeded(seed: int) -> torch.Generator:
    """A CPU generator for `seed` (checked), for reproducible noise."""
    return torch.Generator().manual_seed(check_seed(seed))


def _random(
    shape: tuple[int, ...], like: torch.Tensor, generator: torch.Generator | None, normal: bool = False
) -> torch.Tensor:
    """U[0, 1) (or N(0, 1)) numbers, drawn on the generator's device (so a CPU seed gives the
    same noise for a model on a GPU) and moved to `like`'s device."""
    device = generator.device if generator is not None else like.device
    draw = torch.randn if normal else torch.rand
    return draw(shape, generator=generator, device=device).to(like.device)


def _per_image(level: float | torch.Tensor, images: torch.Tensor) -> float | torch.Tensor:
    """A scalar level as is; a level per image (N,) shaped to broadcast over (N, ...)."""
    if isinstance(level, torch.Tensor) and level.ndim == 1:
        return level.to(images.device).view(-1, *([1] * (images.ndim - 1)))
    return level


def add_noise(
    images: torch.Tensor,
    kind: str,
    level: float | torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """A noisy copy of `images` (floats in [0, 1], any shape with images along the first axis).

    `level` is one number, checked to be in [0, 1], or a tensor with one level per image (used
    to train at random levels). The result is in [0, 1]: Gaussian noise is clipped, as the
    course's `torch.clamp` did, since a pixel cannot be brighter than white.
    """
    if isinstance(level, torch.Tensor) and level.ndim > 0:
        if kind not in TRAINING_NOISES:
            check_noise(kind, 0.0)
        if len(level) != len(images) or not ((level >= 0) & (level <= 1)).all():
            raise NoiseError("expected one noise level in [0, 1] per image")
    else:
        level = check_noise(kind, level)
    images = images.float()
    scale = _per_image(level, images)
    if kind == "gaussian":
        return (images + scale * _random(images.shape, images, generator, normal=True)).clamp(0.0, 1.0)
    if kind == "salt-pepper":
        hit = _random(images.shape, images, generator) < scale
        salt = (_random(images.shape, images, generator) < 0.5).to(images.dtype)
        return torch.where(hit, salt, images)
    if kind == "mask":
        return images * (_random(images.shape, images, generator) >= scale).to(images.dtype)
    # mixed: every image gets each kind, then keeps the one drawn for it
    pick = _random((len(images),), images, generator)
    choice = (pick * len(NOISE_KINDS)).long().view(-1, *([1] * (images.ndim - 1)))
    noisy = torch.stack([add_noise(images, name, level, generator) for name in NOISE_KINDS])
    return noisy.gather(0, choice.expand_as(images)[None]).squeeze(0)


def psnr_per_image(clean: Any, other: Any, data_range: float = 1.0) -> torch.Tensor:
    """Peak signal-to-noise ratio of each image of `other` against the same image of `clean`,
    in dB: 10 log10(range² / MSE), one value per image, shape (N,). A 2-D input is one image.

    Identical images (MSE 0) get MAX_PSNR_DB rather than infinity, so averages stay finite.
    """
    clean = torch.as_tensor(clean, dtype=torch.float32)
    other = torch.as_tensor(other, dtype=torch.float32).to(clean.device)
    if clean.shape != other.shape:
        raise ValueError(f"shapes differ: {tuple(clean.shape)} and {tuple(other.shape)}")
    if clean.ndim == 2:
        clean, other = clean[None], other[None]
    mse = (clean - other).pow(2).flatten(1).mean(1)
    floor = data_range**2 / 10 ** (MAX_PSNR_DB / 10)
    return 10 * torch.log10(data_range**2 / mse.clamp_min(floor))
