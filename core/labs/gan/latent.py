"""Walking a GAN's latent space: seeds that name samples, interpolation, nudging single
dimensions, the training timeline, and PNG/GIF export. Pure functions of (model, input); the
lab's interactions (interactions.py) are built from them, and bad input raises a
`LatentInputError` that says what was wrong."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from core.charts import tile, to_uint8, upscale
from core.interactions import png_bytes
from core.labs.base import TrainedModel
from core.labs.gan.sampling import generate_tensor, latents, seeded_latents
from core.specs import SpecError

STEP_RANGE = (2, 64)  # interpolation frames
DEFAULT_STEPS = 10
MAX_SAMPLES = 1024  # images per `sample` call
SEED_RANGE = (0, 2**31 - 1)
NUDGE_DIMS = 6  # latent dimensions the fronts offer as sliders
NUDGE_RANGE = (-3.0, 3.0)


class LatentInputError(SpecError):
    """A seed, latent vector, step count or sample count that cannot be used."""


def check_count(value: Any, bounds: tuple[int, int], what: str) -> int:
    """A whole number within `bounds`, or LatentInputError saying what was wrong."""
    text = str(value).strip() if value is not None else ""
    if not text:
        raise LatentInputError(f"{what}: enter a whole number from {bounds[0]} to {bounds[1]}")
    try:
        number = float(text)
    except ValueError:
        raise LatentInputError(f"{what}: {text!r} is not a number") from None
    if not math.isfinite(number) or number != int(number):
        raise LatentInputError(f"{what}: expected a whole number, got {text!r}")
    if not bounds[0] <= number <= bounds[1]:
        raise LatentInputError(f"{what}: {int(number)} is out of range [{bounds[0]}, {bounds[1]}]")
    return int(number)


def parse_seed(value: Any) -> int:
    """A seed from a widget or the command line: a whole number from 0 to 2**31 - 1."""
    if isinstance(value, bool):
        raise LatentInputError(f"Seed: expected a whole number, got {value!r}")
    return check_count(value, SEED_RANGE, "Seed")


def clamp_steps(value: Any) -> tuple[int, str]:
    """The number of interpolation frames, brought into STEP_RANGE, and a note when it had to
    be (an empty value gives the default). Raises LatentInputError when it is not a number."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return DEFAULT_STEPS, f"No number of steps given: using {DEFAULT_STEPS}."
    try:
        number = float(text)
    except ValueError:
        raise LatentInputError(f"Steps: {text!r} is not a number") from None
    if not math.isfinite(number):
        raise LatentInputError(f"Steps: expected a whole number, got {text!r}")
    low, high = STEP_RANGE
    steps = min(max(round(number), low), high)
    if steps != number:
        return steps, f"Steps must be a whole number from {low} to {high}: {text} was changed to {steps}."
    return steps, ""


def latent_size(trained: TrainedModel) -> int:
    """How many numbers make one of this model's latents: z, and the class vector if any."""
    return trained.model.latent_dim + trained.model.classes


def latent_from_seed(seed: Any, latent_dim: int = 100, classes: int = 0) -> np.ndarray:
    """The latent vector a seed names: (latent_dim [+ classes],) float32 (see `latents`)."""
    return latents(parse_seed(seed), 1, latent_dim, classes)[0].numpy()


def sample_latents(trained: TrainedModel, n: Any, seed: Any) -> np.ndarray:
    """The (n, latent_dim) latents behind `sample(trained, n, seed)`; row i is sample i."""
    n = check_count(n, (1, MAX_SAMPLES), "Number of samples")
    return seeded_latents(trained.model, parse_seed(seed), n).numpy()


def sample_names(trained: TrainedModel, n: Any, seed: Any) -> list[str]:
    """Captions for `sample(trained, n, seed)`: '#i', and for a conditional model the class each
    sample was asked to be ('#3: 7')."""
    z = sample_latents(trained, n, seed)
    if not trained.model.classes:
        return [f"#{i}" for i in range(len(z))]
    names = trained.config.get("classes") or [str(c) for c in range(trained.model.classes)]
    return [f"#{i}: {names[asked_class(trained, row)]}" for i, row in enumerate(z)]


def latent_from_reference(trained: TrainedModel, text: str) -> np.ndarray:
    """'SEED' (the seed's first sample) or 'SEED:INDEX' (sample INDEX of the grid drawn with that
    seed) -> its latent vector."""
    seed_text, has_index, index_text = str(text).partition(":")
    seed = parse_seed(seed_text)
    if not has_index:
        return seeded_latents(trained.model, seed, 1)[0].numpy()
    index = check_count(index_text, (0, MAX_SAMPLES - 1), "Sample index")
    return seeded_latents(trained.model, seed, index + 1)[index].numpy()


def check_latents(z: Any, size: int) -> torch.Tensor:
    """`z` as an (N, size) float tensor of finite numbers, or LatentInputError."""
    try:
        array = np.asarray(z, dtype=np.float32)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond float range
        raise LatentInputError("a latent vector must be a list of numbers") from None
    array = array.reshape(1, -1) if array.ndim == 1 else array
    if array.ndim != 2 or array.shape[1] != size or len(array) == 0:
        raise LatentInputError(f"this model's latent vectors have {size} numbers, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise LatentInputError("latent vectors must hold finite numbers")
    return torch.from_numpy(array)


def generate(trained: TrainedModel, z: Any) -> np.ndarray:
    """Latent vectors (N, d) or one (d,) -> (N, 28, 28) images in [0, 1]."""
    return generate_tensor(trained.model, check_latents(z, latent_size(trained)))


def sample(trained: TrainedModel, n: Any, seed: Any) -> np.ndarray:
    """n images from the noise that `seed` names: (n, 28, 28) in [0, 1]."""
    return generate_tensor(trained.model, torch.from_numpy(sample_latents(trained, n, seed)))


def interpolation_path(z_a: np.ndarray, z_b: np.ndarray, steps: int, mode: str = "linear") -> np.ndarray:
    """`steps` latents from z_a to z_b, both ends included: on the straight line, or ("spherical")
    on the great circle between them, with the norm going linearly from |z_a| to |z_b|.

    Slerp keeps every point at a radius the generator saw in training (about sqrt(d) for
    N(0, I)), where the straight line's midpoint is nearer the origin. When the two vectors are
    (almost) parallel the circle is not defined and the straight line is used.
    """
    if mode not in ("linear", "spherical"):
        raise LatentInputError(f"Mode: {mode!r} is not one of linear, spherical")
    a, b = np.asarray(z_a, dtype=np.float64), np.asarray(z_b, dtype=np.float64)
    t = np.linspace(0.0, 1.0, steps)[:, None]
    norm_a, norm_b = np.linalg.norm(a), np.linalg.norm(b)
    if mode == "linear" or min(norm_a, norm_b) < 1e-8:
        return ((1 - t) * a + t * b).astype(np.float32)
    unit_a, unit_b = a / norm_a, b / norm_b
    omega = math.acos(float(np.clip(unit_a @ unit_b, -1.0, 1.0)))
    if math.sin(omega) < 1e-6:
        return ((1 - t) * a + t * b).astype(np.float32)
    directions = (np.sin((1 - t) * omega) * unit_a + np.sin(t * omega) * unit_b) / math.sin(omega)
    return (directions * ((1 - t) * norm_a + t * norm_b)).astype(np.float32)


def interpolate(
    trained: TrainedModel, z_a: Any, z_b: Any, steps: Any = DEFAULT_STEPS, mode: str = "linear"
) -> np.ndarray:
    """Frames (steps, 28, 28) in [0, 1] decoded along the path from z_a to z_b. `steps` is
    brought into STEP_RANGE (see `clamp_steps` for the note to show)."""
    size = latent_size(trained)
    a, b = check_latents(z_a, size), check_latents(z_b, size)
    if len(a) != 1 or len(b) != 1:
        raise LatentInputError("interpolate between two single latent vectors")
    count, _ = clamp_steps(steps)
    return generate_tensor(trained.model, torch.from_numpy(latent_path(trained, a[0], b[0], count, mode)))


def latent_path(trained: TrainedModel, z_a: Any, z_b: Any, steps: int, mode: str = "linear") -> np.ndarray:
    """The latents along the path: z on the line or circle (`interpolation_path`); a conditional
    model's class vector always on the line, so the frames morph from one digit to the other."""
    a, b = np.asarray(z_a, dtype=np.float32), np.asarray(z_b, dtype=np.float32)
    size = trained.model.latent_dim
    z = interpolation_path(a[:size], b[:size], steps, mode)
    if not trained.model.classes:
        return z
    return np.concatenate([z, interpolation_path(a[size:], b[size:], steps, "linear")], axis=1)


def nudge(z: Any, values: Mapping[int, float]) -> np.ndarray:
    """A copy of one latent vector with some dimensions set: {dimension: value}. The fronts' sliders
    set the first NUDGE_DIMS dimensions, within NUDGE_RANGE (N(0, 1) rarely leaves it)."""
    vector = np.array(np.asarray(z, dtype=np.float32).reshape(-1), copy=True)
    for dim, value in values.items():
        # Both come from widgets or the API: a dimension such as "x" or 2.5, a value such as "abc",
        # used to raise ValueError or OverflowError from int() and float().
        index = check_count(dim, (0, len(vector) - 1), "Dimension")
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise LatentInputError(f"Dimension {dim}: expected a number, got {value!r}") from None
        if not math.isfinite(number):
            raise LatentInputError(f"Dimension {dim}: expected a finite number, got {value!r}")
        vector[index] = min(max(number, NUDGE_RANGE[0]), NUDGE_RANGE[1])
    return vector


def asked_class(trained: TrainedModel, z: Any) -> int | None:
    """The class a conditional model's latent asks for (the largest entry of its class vector),
    or None for an unconditional model."""
    if not trained.model.classes:
        return None
    return int(np.argmax(np.asarray(z, dtype=np.float32).reshape(-1)[trained.model.latent_dim :]))


def with_class(trained: TrainedModel, z: Any, digit: Any) -> np.ndarray:
    """A copy of one latent asking a conditional model for another class (0 to classes - 1)."""
    if not trained.model.classes:
        raise LatentInputError("this model draws no chosen class: it was trained without classes")
    digit = check_count(digit, (0, trained.model.classes - 1), "Class")
    vector = check_latents(z, latent_size(trained))[0].numpy().copy()
    vector[trained.model.latent_dim :] = np.eye(trained.model.classes, dtype=np.float32)[digit]
    return vector


def dimension_sweep(trained: TrainedModel, z: Any, dim: int, steps: int = 9) -> np.ndarray:
    """One dimension swept across NUDGE_RANGE with the others fixed: (steps, 28, 28)."""
    base = check_latents(z, latent_size(trained))[0].numpy()
    values = np.linspace(*NUDGE_RANGE, steps)
    return generate(trained, np.stack([nudge(base, {dim: v}) for v in values]))


def training_timeline(trained: TrainedModel) -> list[tuple[int, np.ndarray]]:
    """The fixed-noise grids taken while the model trained: (step, (64, 28, 28) in [0, 1])."""
    steps = trained.config.get("timeline", {}).get("steps", [])
    grids = getattr(trained.model, "timeline", torch.zeros(0))
    return [(int(step), grids[i].float().div(255).numpy()) for i, step in enumerate(steps)]


# --- export -----------------------------------------------------------------------------------


def strip_png(frames: np.ndarray, scale: int = 3) -> bytes:
    """Interpolation frames side by side as one PNG strip (the course saved it as a PDF)."""
    return png_bytes(upscale(tile(frames, columns=len(frames)), scale))


def animation_gif(frames: np.ndarray, frame_ms: int = 120, scale: int = 6, bounce: bool = True) -> bytes:
    """The frames as a looping GIF; `bounce` plays them forth and back, so the loop has no jump."""
    from PIL import Image

    order = list(range(len(frames))) + (list(range(len(frames) - 2, 0, -1)) if bounce else [])
    pictures = [Image.fromarray(to_uint8(upscale(frames[i], scale))) for i in order]
    buffer = io.BytesIO()
    pictures[0].save(
        buffer, format="GIF", save_all=True, append_images=pictures[1:], duration=frame_ms, loop=0
    )
    return buffer.getvalue()
