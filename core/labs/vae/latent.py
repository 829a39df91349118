"""The VAE's latent space, as pure functions of (trained model, input): checked codes, decode,
encode, the map of held-out digits, the manifold grid, traversals and interpolations.

Dimensions are counted from 0 here; the interactions show them to students as z1, z2, ...
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from core.data import ImageData, training_data
from core.imaging import ImageInputError
from core.labs.base import TrainedModel
from core.labs.vae.train import to_inputs
from core.specs import SpecError, number_rows

Z_LIMIT = 10.0  # latent coordinates are refused beyond this: the N(0, 1) prior lives within about ±4
GRID_SIZES = (2, 20)  # a manifold grid is n x n decodings, n in this range
STEP_COUNTS = (2, 50)  # frames of an interpolation or a traversal
MAX_CODES = 100  # codes decoded at once
COLLAPSE_KL = 0.5  # nats per image: codes carrying less than this say almost nothing about the digit


class LatentInputError(SpecError):
    """A latent vector, range, grid size or step count that cannot be decoded."""


def collapse_warning(metrics: dict[str, Any]) -> str:
    """A message naming posterior collapse when the model's held-out KL is near zero, else ""."""
    kl = metrics.get("heldout_kl")
    if not isinstance(kl, float) or kl >= COLLAPSE_KL:
        return ""
    return (
        f"Posterior collapse: the held-out KL is {kl:.2f} nats per image, so the codes carry almost "
        "no information about the digits and every point of the latent space decodes to nearly the "
        "same image. Lower β (the KL weight) or train for longer."
    )


def latent_size(trained: TrainedModel) -> int:
    return int(trained.config["latent_dim"])


# --- checked input -------------------------------------------------------------------------


def check_latents(z: Any, size: int) -> np.ndarray:
    """`z` as an (N, size) float32 array, or LatentInputError saying what is wrong with it."""
    array = number_rows(z, LatentInputError, "a latent vector must be a list of numbers")
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] != size:
        got = array.shape[-1] if array.ndim >= 1 else 0
        raise LatentInputError(f"this model's latent vectors have {size} numbers, got {got}")
    if not np.isfinite(array).all():
        raise LatentInputError("latent coordinates must be finite numbers")
    if np.abs(array).max() > Z_LIMIT:
        raise LatentInputError(
            f"latent coordinates must lie within ±{Z_LIMIT:g} (the prior puts almost every code "
            f"within ±4); got {np.abs(array).max():g}"
        )
    return array.astype(np.float32)


def parse_numbers(text: str, name: str) -> list[float]:
    """'0.5, -1' -> [0.5, -1.0]; LatentInputError naming the first thing that is not a number."""
    values = []
    for part in (part for part in re.split(r"[,\s]+", str(text).strip()) if part):
        try:
            values.append(float(part))
        except ValueError:
            raise LatentInputError(f"{name}: {part!r} is not a number") from None
    return values


def parse_latent(text: str, size: int, name: str = "Code") -> np.ndarray:
    """A latent vector typed as text ('0.5,-1') -> (size,) array, checked like any other."""
    values = parse_numbers(text, name)
    if len(values) != size:
        raise LatentInputError(
            f"{name}: this model's latent vectors have {size} numbers, got {len(values)} ({text!r})"
        )
    return check_latents(values, size)[0]


def parse_codes(text: str, size: int, name: str = "Code") -> np.ndarray:
    """Several latent vectors typed as text, one per line or separated by ';'
    ('0.5, -1; -1, 0.5') -> (N, size) array."""
    lines = [line for line in re.split(r"[;\n]+", str(text)) if line.strip()]
    if not lines:
        raise LatentInputError(f"{name}: type a code of {size} numbers, such as {', '.join(['0'] * size)}")
    if len(lines) > MAX_CODES:
        raise LatentInputError(f"{name}: at most {MAX_CODES} codes at once, got {len(lines)}")
    return np.stack([parse_latent(line, size, name) for line in lines])


def check_range(low: float, high: float) -> tuple[float, float]:
    """A latent interval to decode over: finite, non-empty, within ±Z_LIMIT."""
    try:
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        raise LatentInputError("the range must be two numbers") from None
    except OverflowError:  # an int too large for a float
        raise LatentInputError(f"the range must lie within ±{Z_LIMIT:g}") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise LatentInputError("the range must be finite numbers")
    if max(abs(low), abs(high)) > Z_LIMIT:
        raise LatentInputError(
            f"the range must lie within ±{Z_LIMIT:g} (the prior puts almost every code within ±4); "
            f"got {low:g} to {high:g}"
        )
    if not low < high:
        raise LatentInputError(
            f"the range is empty: the low end ({low:g}) must be below the high end ({high:g})"
        )
    return low, high


def check_count(n: Any, bounds: tuple[int, int], what: str) -> int:
    try:
        number = float(n)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int too large for a float
        raise LatentInputError(f"{what} must be a whole number, got {n!r}") from None
    if not number.is_integer() or not bounds[0] <= number <= bounds[1]:
        raise LatentInputError(f"{what} must be a whole number from {bounds[0]} to {bounds[1]}, got {n!r}")
    return int(number)


# --- decode and encode ---------------------------------------------------------------------


@torch.inference_mode()
def decode(trained: TrainedModel, z: Any) -> np.ndarray:
    """Latent vectors, (size,) or (N, size) -> images (N, 28, 28) in [0, 1]."""
    array = check_latents(z, latent_size(trained))
    return trained.model.decode(torch.from_numpy(array))[:, 0].numpy()


@dataclass
class Encoding:
    """What the encoder makes of some 28x28 frames, and their reconstructions from the means."""

    frames: np.ndarray  # (N, 28, 28), the inputs as the model saw them
    means: np.ndarray  # (N, d)
    log_variances: np.ndarray  # (N, d)
    reconstructions: np.ndarray  # (N, 28, 28), decoded from the means

    def to_dicts(self) -> list[dict[str, Any]]:
        return [
            {
                "mean": [round(float(v), 5) for v in mean],
                "log_variance": [round(float(v), 5) for v in log_variance],
            }
            for mean, log_variance in zip(self.means, self.log_variances, strict=True)
        ]


@torch.inference_mode()
def encode(trained: TrainedModel, frames: np.ndarray) -> Encoding:
    """Prepared 28x28 frames in [0, 1], shape (28, 28) or (N, 28, 28) -> their encodings."""
    frames = np.asarray(frames, dtype=np.float32)
    if frames.ndim == 2:
        frames = frames[None]
    if frames.ndim != 3 or frames.shape[1:] != (28, 28) or len(frames) == 0:
        raise ImageInputError(f"expected 28x28 frames, got shape {frames.shape}")
    x = torch.from_numpy(np.ascontiguousarray(frames))[:, None]
    mean, log_variance = trained.model.encode(x)
    reconstructions = trained.model.decode(mean)[:, 0]
    return Encoding(frames, mean.numpy(), log_variance.numpy(), reconstructions.numpy())


# --- the map of held-out digits ------------------------------------------------------------


@dataclass
class LatentMap:
    """Held-out digits placed by their latent means, with their labels, for a scatter plot."""

    means: np.ndarray  # (N, d)
    labels: np.ndarray  # (N,) class indices
    classes: tuple[str, ...]
    data: str  # which held-out digits these are (the offline fallback is not MNIST)
    images: np.ndarray  # (N, 28, 28) uint8, the digits themselves (a clicked dot shows its digit)


@torch.inference_mode()
def latent_map(trained: TrainedModel, data: ImageData, limit: int | None = None) -> LatentMap:
    """Encode the held-out split (its first `limit` images, or all)."""
    images = data.test_images[:limit] if limit else data.test_images
    x = to_inputs(images, torch.device("cpu"))
    means = torch.cat([trained.model.encode(x[i : i + 1024])[0] for i in range(0, len(x), 1024)])
    labels = data.test_labels[: len(images)].numpy()
    return LatentMap(means.numpy(), labels, data.classes, data.source.description, images.numpy())


_MAPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> its LatentMap
_MAPS_LOCK = threading.Lock()


def heldout_map(trained: TrainedModel) -> LatentMap:
    """The model's map of every held-out digit, encoded once per model and shared by every
    session (DataUnavailableError when its data is not here)."""
    with _MAPS_LOCK:
        found = _MAPS.get(trained.model)
    if found is None:
        found = latent_map(trained, training_data(trained.config))
        with _MAPS_LOCK:
            _MAPS[trained.model] = found
    return found


# --- walks through the latent space --------------------------------------------------------


@dataclass
class Manifold:
    """n x n decodings: column c has value values[c] on dims[0]; row r has values[n - 1 - r] on
    dims[1], so that up is positive, as on the latent map."""

    images: np.ndarray  # (n, n, 28, 28)
    values: np.ndarray  # (n,)
    dims: tuple[int, int]

    @property
    def n(self) -> int:
        return len(self.values)


@torch.inference_mode()
def manifold(
    trained: TrainedModel,
    low: float,
    high: float,
    n: int,
    dims: tuple[int, int] = (0, 1),
    base: Any = None,
) -> Manifold:
    """Decode an n x n grid over [low, high] on two latent dimensions; the others stay at `base`
    (default 0, the prior's mean)."""
    size = latent_size(trained)
    low, high = check_range(low, high)
    n = check_count(n, GRID_SIZES, "the grid size")
    dims = tuple(int(d) for d in dims)
    if len(dims) != 2 or dims[0] == dims[1] or not all(0 <= d < size for d in dims):
        raise LatentInputError(f"pick two different dimensions from 0 to {size - 1}, got {dims}")
    z = np.tile(np.zeros(size, np.float32) if base is None else check_latents(base, size)[0], (n * n, 1))
    values = np.linspace(low, high, n, dtype=np.float32)
    z[:, dims[0]] = np.tile(values, n)  # columns: left to right
    z[:, dims[1]] = np.repeat(values[::-1], n)  # rows: top to bottom
    images = trained.model.decode(torch.from_numpy(z))[:, 0].numpy()
    return Manifold(images.reshape(n, n, 28, 28), values, dims)


@dataclass
class LatentPath:
    """Decodings along a line in latent space."""

    z: np.ndarray  # (steps, d)
    images: np.ndarray  # (steps, 28, 28)


def traverse(trained: TrainedModel, base: Any, dim: int, low: float, high: float, steps: int) -> LatentPath:
    """Vary one latent dimension from low to high with every other one fixed at `base`."""
    size = latent_size(trained)
    base = check_latents(base, size)[0]
    low, high = check_range(low, high)
    steps = check_count(steps, STEP_COUNTS, "the number of steps")
    dim = check_count(dim, (0, size - 1), "the dimension")
    z = np.tile(base, (steps, 1))
    z[:, dim] = np.linspace(low, high, steps, dtype=np.float32)
    return LatentPath(z, decode(trained, z))


def interpolate(trained: TrainedModel, start: Any, end: Any, steps: int) -> LatentPath:
    """Decode `steps` evenly spaced points on the straight line from latent `start` to `end`
    (e.g. the means of two drawn digits)."""
    size = latent_size(trained)
    start, end = check_latents(start, size)[0], check_latents(end, size)[0]
    steps = check_count(steps, STEP_COUNTS, "the number of steps")
    weights = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    z = (1 - weights) * start + weights * end
    return LatentPath(z, decode(trained, z))
