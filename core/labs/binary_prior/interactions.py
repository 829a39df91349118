"""What a student does with a prior: generate codes at a temperature, decode them with the
autoencoder the prior learnt from, and see which training digit each one reproduced."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from core.bit_codes import SIZE, bits_to_text, codes_of, decode, to_pixels
from core.data import ImageData
from core.interactions import Interaction, Output
from core.labs.base import TrainedModel
from core.labs.binary_prior.train import (
    PriorInputError,
    autoencoder_for,
    generated_pictures,
    nearest_codes,
    training_codes,
    training_images,
)
from core.specs import Param, read_number, read_temperature

TEMPERATURE_MAX = 10.0  # above this every bit is practically a coin toss
SAMPLE_LIMITS = (1, 512)
SEED_LIMIT = 2**63


def check_temperature(value: Any) -> tuple[float, str]:
    """A usable temperature and a note when it was clamped; PriorInputError when unusable."""
    temperature = read_temperature(
        value,
        PriorInputError,
        "the temperature must be a number, got {!r}",
        "the temperature must be 0 (always the likelier bit) or more, got {!r}",
    )
    if temperature > TEMPERATURE_MAX:
        return TEMPERATURE_MAX, (
            f"temperature {temperature:g} clamped to {TEMPERATURE_MAX:g}: beyond it every bit is a coin toss"
        )
    return temperature, ""


def check_samples(n: Any) -> int:
    number = read_number(n, PriorInputError, "the number of samples must be a whole number, got {!r}")
    low, high = SAMPLE_LIMITS
    if not number.is_integer() or not low <= number <= high:
        raise PriorInputError(f"the number of samples must be a whole number from {low} to {high}, got {n!r}")
    return int(number)


@dataclass
class Generation:
    """Generated codes, their digits, and which training digit each reproduced."""

    bits: np.ndarray  # (N, 48)
    images: np.ndarray  # (N, 32, 32) decoded
    nearest: np.ndarray  # (N,) index of the nearest training digit
    distance: np.ndarray  # (N,) Hamming distance to it (0: memorised)
    originals: np.ndarray  # (N, 32, 32) the nearest training digits
    pictures: np.ndarray  # (N, 32, 65) each decoded code | the training digit it equals (black if new)
    captions: tuple[str, ...]
    temperature: float
    seed: int
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return float((self.distance == 0).mean())

    def samples(self) -> list[dict[str, Any]]:
        return [
            {
                "bits": bits_to_text(bits),
                "match": int(i) if d == 0 else None,
                "nearest": int(i),
                "distance": int(d),
            }
            for bits, i, d in zip(self.bits, self.nearest, self.distance, strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "temperature": self.temperature,
            "seed": self.seed,
            "memorisation_rate": round(self.rate, 4),
            "notes": self.notes,
            "samples": self.samples(),
        }


def generate(
    prior: TrainedModel,
    n: Any = 16,
    temperature: Any = 1.0,
    seed: Any = 0,
    autoencoder: TrainedModel | None = None,
    data: ImageData | None = None,
) -> Generation:
    """Draw `n` codes at `temperature` (seeded), decode them, and find the training digit each
    reproduced. PriorInputError for a bad count, temperature or autoencoder."""
    n = check_samples(n)
    temperature, note = check_temperature(temperature)
    try:
        seed = int(seed)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
        raise PriorInputError(f"the seed must be a whole number, got {seed!r}") from None
    if not 0 <= seed < SEED_LIMIT:
        raise PriorInputError(f"the seed must be 0 or more, got {seed}")
    autoencoder = autoencoder_for(prior, autoencoder)
    generated = prior.model.eval().sample(n, temperature, torch.Generator().manual_seed(seed)).cpu()
    codes = training_codes(prior.config)
    index, distance = nearest_codes(generated, codes)
    notes = [note] if note else []
    images = training_images(prior, data)
    if torch.equal(codes_of(autoencoder.model, images).long(), codes):
        originals = to_pixels(images)
    else:  # another dataset here (the offline fallback, say): these are not the digits it learnt
        originals = decode(autoencoder, codes.numpy())
        notes.append(
            "the training digits are not available here, so each match shows its decoded code "
            "instead (point DLL_DATA_DIR at the data the prior learnt from)"
        )
    shown = generated_pictures(autoencoder, generated, codes, originals)
    return Generation(
        generated.numpy().astype(np.uint8),
        shown.pictures[:, :, :SIZE],
        index.numpy(),
        distance.numpy(),
        originals[index.numpy()],
        shown.pictures,
        shown.captions,
        temperature,
        seed,
        notes,
    )


def generate_codes(trained: TrainedModel, n: int, temperature: float, seed: int) -> dict[str, Any]:
    result = generate(trained, n, temperature, seed)
    memorised = int((result.distance == 0).sum())
    notes = "".join(f"\n\n*{note.capitalize()}*" for note in result.notes)
    summary = (
        f"### Memorisation: **{result.rate:.0%}** ({memorised} of {len(result.bits)} generated codes "
        f"equal a training digit's){notes}"
    )
    return {
        "summary": summary,
        "samples": list(zip(result.pictures, result.captions, strict=True)),
        "memorisation_rate": round(result.rate, 4),
        "temperature": result.temperature,
        "codes": result.samples(),
    }


INTERACTIONS = (
    Interaction(
        "generate",
        "Generate digits",
        "Draw codes bit by bit at a temperature, decode them with the autoencoder the prior learnt "
        "from, and see beside each the training digit whose code it reproduced (black: a new code).",
        generate_codes,
        inputs=(
            Param(
                "n", "int", 16, "How many codes to generate.", label="Samples", low=1, high=SAMPLE_LIMITS[1]
            ),
            Param(
                "temperature",
                "float",
                1.0,
                "0: always the likelier bit; 1: the learnt probabilities; above 1: closer to coin "
                f"tosses (at {TEMPERATURE_MAX:g}, practically every bit is one).",
                low=0.0,
                high=TEMPERATURE_MAX,
                step=0.05,
            ),
            Param(
                "seed",
                "int",
                0,
                "Seed of the sampling: the same seed draws the same codes.",
                low=0,
                high=2**31 - 1,
            ),
        ),
        outputs=(
            Output("summary", "markdown", ""),
            Output("samples", "gallery", "Generated | the training digit it reproduced", size=130, columns=8),
            Output("memorisation_rate", "number", "Memorisation rate"),
            Output("temperature", "number", "Temperature used"),
            Output("codes", "table", "The codes and their nearest training digits"),
        ),
        example={"n": 8, "temperature": 1.0, "seed": 3},
    ),
)
