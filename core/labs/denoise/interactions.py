"""What a student does with a denoiser: pure functions of (model, input).

A clean digit (drawn, uploaded, or picked from the held-out set) is corrupted with the noise,
level and seed the student picks, the model restores it, and each picture is scored in dB
against the clean one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from core.data import ImageData
from core.imaging import ImageInputError, example_digit, to_mnist_frame
from core.interactions import Interaction, Output, digit_input, heldout_image_index
from core.labs.base import TrainedModel
from core.labs.denoise.train import EVAL_SEED, FRAME, heldout_data
from core.noise import (
    LEVEL_RANGE,
    MAX_SEED,
    NOISE_KINDS,
    add_noise,
    check_noise,
    check_seed,
    psnr_per_image,
    seeded,
)
from core.specs import Param, SpecError


@dataclass
class DenoiseResult:
    """A clean frame, its noisy copy and the model's estimate, with their PSNRs in dB."""

    clean: np.ndarray  # (28, 28) in [0, 1]
    noisy: np.ndarray
    denoised: np.ndarray
    psnr_in: float
    psnr_out: float

    @property
    def gain(self) -> float:
        return self.psnr_out - self.psnr_in


def _frames(array: Any) -> np.ndarray:
    try:  # text, ragged lists or huge ints used to escape as ValueError/TypeError/OverflowError
        frames = np.asarray(array, dtype=np.float32)
    except (TypeError, ValueError, OverflowError):
        raise ImageInputError("expected 28x28 frames of numbers") from None
    if frames.shape[-2:] != (FRAME, FRAME) or frames.ndim not in (2, 3):
        raise ImageInputError(f"expected 28x28 frames, got an array of shape {frames.shape}")
    if not np.isfinite(frames).all():
        raise ImageInputError("the frame holds NaN or infinite values")
    return np.clip(frames, 0.0, 1.0)


def denoise(trained: TrainedModel, noisy: Any) -> np.ndarray:
    """The model's clean estimate of one noisy 28x28 frame, or of a stack (N, 28, 28), in [0, 1]."""
    frames = _frames(noisy)
    inputs = torch.from_numpy(np.ascontiguousarray(frames.reshape(-1, 1, FRAME, FRAME)))
    with torch.no_grad():
        outputs = trained.model.eval()(inputs)
    return outputs.numpy().reshape(frames.shape)


def corrupt_and_denoise(
    trained: TrainedModel, clean: Any, noise: str, level: float, seed: int = 0
) -> DenoiseResult:
    """Add `noise` at `level` (seeded) to a clean 28x28 frame, denoise it, and score both."""
    level = check_noise(noise, level)
    seed = check_seed(seed)
    frame = _frames(clean)
    if frame.ndim != 2:
        raise ImageInputError("expected one 28x28 frame")
    clean_t = torch.from_numpy(np.ascontiguousarray(frame))[None, None]
    noisy = add_noise(clean_t, noise, level, seeded(seed))[0, 0].numpy()
    denoised = denoise(trained, noisy)
    psnr = psnr_per_image(np.stack([frame, frame]), np.stack([noisy, denoised])).tolist()
    return DenoiseResult(frame, noisy, denoised, psnr[0], psnr[1])


def heldout_digit(data: ImageData, index: int) -> np.ndarray:
    """Held-out image number `index` as a 28x28 frame in [0, 1]; a clear error when out of range."""
    count = len(data.test_images)
    if not 0 <= index < count:
        raise SpecError(f"Held-out digit: there are {count:,}, pick a number from 0 to {count - 1}")
    return data.test_images[int(index)].numpy().astype(np.float32) / 255


def shown(result: DenoiseResult) -> dict[str, Any]:
    """The three pictures, each captioned with its PSNR, and the figures."""
    return {
        "images": [
            (result.clean, "Clean"),
            (result.noisy, f"Noisy: {result.psnr_in:.1f} dB"),
            (result.denoised, f"Denoised: {result.psnr_out:.1f} dB"),
        ],
        "psnr_in": round(result.psnr_in, 2),
        "psnr_out": round(result.psnr_out, 2),
        "psnr_gain": round(result.gain, 2),
    }


def restore(trained: TrainedModel, image: np.ndarray, noise: str, level: float, seed: int) -> dict[str, Any]:
    check_noise(noise, level)  # a bad level is the clearer message, before a blank picture's
    return shown(corrupt_and_denoise(trained, to_mnist_frame(image), noise, level, seed))


def restore_heldout(trained: TrainedModel, index: int, noise: str, level: float, seed: int) -> dict[str, Any]:
    data = heldout_data(trained)
    clean = heldout_digit(data, index)
    label = data.classes[int(data.test_labels[index])]
    truth = f"Held-out digit {index} of {len(data.test_images):,}: a **{label}**"
    return {"truth": truth, **shown(corrupt_and_denoise(trained, clean, noise, level, seed))}


def by_noise(trained: TrainedModel) -> dict[str, Any]:
    """The held-out PSNR the model reached for each kind of noise, as recorded when it was trained."""
    recorded = trained.metrics.get("psnr_by_noise") or {}
    rows = [
        {
            "noise": name,
            "noisy input (dB)": figures["psnr_in"],
            "denoised (dB)": figures["psnr_out"],
            "gain (dB)": figures["psnr_gain"],
        }
        for name, figures in recorded.items()
    ]
    if not rows:
        return {"note": "This model has no held-out figures per kind of noise."}
    note = (
        f"Held-out PSNR of this model, trained on {trained.metrics.get('noise', 'unknown')} noise: the "
        f"mean of each image's PSNR, in dB, with the same noise (seed {EVAL_SEED}) for every model."
    )
    return {"note": note, "table": rows}


NOISE = Param(
    "noise",
    "choice",
    "gaussian",
    "gaussian: add N(0, level²) to every pixel; salt-pepper: a share of the pixels set to white or "
    "black; mask: a share of the pixels zeroed.",
    choices=NOISE_KINDS,
)
LEVEL = Param(
    "level",
    "float",
    0.5,
    "Gaussian: the standard deviation; salt and pepper, masking: the share of pixels hit. The "
    "standard levels: Gaussian 0.5, salt and pepper 0.2, masking 0.5.",
    low=LEVEL_RANGE[0],
    high=LEVEL_RANGE[1],
    step=0.05,
)
NOISE_SEED = Param(
    "seed",
    "int",
    0,
    "The same seed gives the same noise: step it for new noise.",
    label="Noise seed",
    low=0,
    high=MAX_SEED,
)
RESTORED = (
    Output("images", "gallery", "Clean | noisy | denoised", size=224, columns=3),
    Output("psnr_in", "number", "PSNR of the noisy input (dB)"),
    Output("psnr_out", "number", "PSNR of the denoised output (dB)"),
    Output("psnr_gain", "number", "Gain (dB)"),
)

INTERACTIONS = (
    Interaction(
        "restore",
        "Draw or upload a digit",
        "Your digit is corrupted with the noise you pick, then restored by the model: clean, noisy "
        "and denoised, with the PSNR of each against the clean digit.",
        restore,
        inputs=(
            digit_input(
                help="A clean handwritten digit: drawn on the pad, or a photo or scan (either polarity)."
            ),
            NOISE,
            LEVEL,
            NOISE_SEED,
        ),
        outputs=RESTORED,
        example={"image": example_digit, "noise": "gaussian", "level": 0.5, "seed": 3},
    ),
    Interaction(
        "heldout",
        "A held-out digit",
        "A digit the model never saw in training, picked by number, corrupted and restored.",
        restore_heldout,
        inputs=(
            heldout_image_index("digit"),
            NOISE,
            LEVEL,
            NOISE_SEED,
        ),
        outputs=(Output("truth", "markdown", ""), *RESTORED),
        example={"index": 7, "noise": "mask", "level": 0.5, "seed": 1},
    ),
    Interaction(
        "by-noise",
        "Each kind of noise",
        "How well the model denoises each kind of noise at its standard level, on the held-out digits.",
        by_noise,
        outputs=(Output("note", "markdown", ""), Output("table", "table", "Held-out PSNR by noise")),
    ),
)
