"""What a student does with a binary autoencoder: a digit (drawn, uploaded, or one from the data)
as its 48 bits, bits typed or flipped and the digit they decode to, and how well it memorised.
Pure functions of (model, input)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from core import charts
from core.bit_codes import (
    CODE_BITS,
    CODE_SHAPE,
    bits_grid,
    bits_to_codes,
    bits_to_text,
    decode,
    flip_all,
    parse_codes,
    parse_flips,
    to_inputs,
    to_pixels,
)
from core.data import ImageData, training_data
from core.imaging import ImageInputError, example_digit, to_mnist_frame
from core.interactions import Interaction, Output, digit_input
from core.labs.base import TrainedModel
from core.labs.binary_ae.train import TARGET_PSNR_DB, psnr
from core.specs import Param, SpecError

MEMORISED, HELDOUT = "memorised", "held-out"


@dataclass
class Encoding:
    """A digit, its 48 bits and its reconstruction from them."""

    frame: np.ndarray  # (32, 32) in [0, 1], the input as the model saw it
    bits: np.ndarray  # (48,) in {0, 1}
    reconstruction: np.ndarray  # (32, 32) in [0, 1]
    psnr: float

    @property
    def bits_text(self) -> str:
        return bits_to_text(self.bits)

    @property
    def grid(self) -> np.ndarray:
        return self.bits.reshape(CODE_SHAPE)


@torch.inference_mode()
def encode_frame(trained: TrainedModel, frame: Any) -> Encoding:
    """One MNIST-style 28x28 frame in [0, 1] -> its code and reconstruction."""
    array = np.asarray(frame, dtype=np.float32)
    if array.shape != (28, 28) or not np.isfinite(array).all():
        raise ImageInputError(f"expected one 28x28 frame of finite values, got shape {array.shape}")
    x = to_inputs(torch.from_numpy(np.ascontiguousarray(array)))
    model = trained.model.eval()
    bits = (model.encode(x).flatten() >= 0).to(torch.uint8).numpy()
    out = model.decode(bits_to_codes(bits[None]))
    return Encoding(to_pixels(x)[0], bits, to_pixels(out)[0], float(psnr(x, out)[0]))


def bit_grid_picture(bits: Any, cell: int = 12) -> np.ndarray:
    """A code drawn as its three 4x4 channels side by side, white for 1 and black for 0."""
    channels = bits_grid(bits).astype(np.float32)
    return charts.tile(np.stack([charts.upscale(c, cell) for c in channels]), columns=3, pad=2)


def encoding_outputs(encoding: Encoding, about: str) -> dict[str, Any]:
    return {
        "summary": f"{about}Reconstruction from its 48 bits: **{encoding.psnr:.1f} dB** PSNR.",
        "bits": encoding.bits_text,
        "code": bit_grid_picture(encoding.bits),
        "input": encoding.frame,
        "reconstruction": encoding.reconstruction,
        "psnr": round(encoding.psnr, 2),
        "grid": encoding.grid.tolist(),
    }


def encode(trained: TrainedModel, image: np.ndarray) -> dict[str, Any]:
    return encoding_outputs(encode_frame(trained, to_mnist_frame(image)), "")


def data_digit(data: ImageData, split: str, index: int) -> np.ndarray:
    """Image `index` of the training or held-out split as a 28x28 frame in [0, 1]."""
    images = data.train_images if split == MEMORISED else data.test_images
    return images[int(index)].numpy().astype(np.float32) / 255


def digit(trained: TrainedModel, split: str, index: int) -> dict[str, Any]:
    data = training_data(trained.config)
    count = int(trained.config["train_size"]) if split == MEMORISED else len(data.test_images)
    if not 0 <= index < count:
        raise SpecError(f"Pick a {split} digit from 0 to {count - 1:,}")
    if split == MEMORISED:
        about = f"Training digit {index}, one of the {count:,} it memorised. "
        if data.source.dataset != trained.config.get("data", {}).get("dataset"):
            about = (
                "The digits this model memorised are not on this server; this is one of "
                f"{data.source.description}. "
            )
    else:
        about = f"Held-out digit {index}: one it never saw. "
    return encoding_outputs(encode_frame(trained, data_digit(data, split, index)), about)


def decode_codes(trained: TrainedModel, bits: str, flips: str) -> dict[str, Any]:
    codes = flip_all(parse_codes(bits), parse_flips(flips))
    images = decode(trained, codes)
    flipped = len(parse_flips(flips))
    summary = f"{len(codes)} code{'s' * (len(codes) != 1)} decoded"
    if flipped:
        summary += f", with {flipped} bit{'s' * (flipped != 1)} flipped in each"
    return {
        "summary": summary + ".",
        "digits": [(image, f"code {i + 1}") for i, image in enumerate(images)],
        "bits": "\n".join(bits_to_text(code) for code in codes),
        "code": bit_grid_picture(codes[0]),
    }


def scores(trained: TrainedModel) -> dict[str, Any]:
    """The checkpoint's recorded figures, as `python -m core evaluate binary-ae` measures them."""
    m = trained.metrics

    def db(name: str) -> str:
        value = m.get(name)
        return f"{value:.2f} dB" if isinstance(value, int | float) else "n/a"

    rows = [
        ("Memorised digits, 48-bit codes", db("train_psnr")),
        ("Memorised digits, real-valued codes (no binarisation)", db("train_psnr_real_codes")),
        ("Held-out digits, 48-bit codes", db("heldout_psnr")),
        (
            "Distinct codes among the memorised digits",
            f"{m.get('distinct_codes', '?')} of {m.get('train_size', '?')}",
        ),
        (
            f"Course criterion: memorised > {TARGET_PSNR_DB:g} dB",
            "met" if m.get("criterion_met") else "not met",
        ),
    ]
    note = (
        "PSNR per image on [0, 1] pixels, averaged. With real-valued codes is what the course "
        "measured during its warm-up; held-out digits show how far the codes generalise."
    )
    return {"scores": [{"figure": name, "value": value} for name, value in rows], "note": note}


FLIPS = Param(
    "flips",
    "text",
    "",
    f"Bit numbers to flip in every code, 0 to {CODE_BITS - 1} (0-15: channel 1, 16-31: channel 2, "
    "32-47: channel 3), e.g. 5, 17.",
    label="Bits to flip",
    lines=1,
)
ENCODING = (
    Output("summary", "markdown", ""),
    Output("bits", "text", "Its 48 bits"),
    Output("code", "image", "Code: 3 channels of 4x4 bits (white = 1)", size=308),
    Output("input", "image", "Input (32x32)", size=192),
    Output("reconstruction", "image", "From its code", size=192),
    Output("psnr", "number", "PSNR (dB)"),
    Output("grid", "json", "The bits as a 3x4x4 grid"),
)

INTERACTIONS = (
    Interaction(
        "digit",
        "A memorised or held-out digit",
        "One of the training digits it memorised, or a held-out one it never saw, as its 48 bits "
        "and the digit rebuilt from them: tick bits to flip them and watch the digit change.",
        digit,
        inputs=(
            Param(
                "split",
                "choice",
                MEMORISED,
                "memorised: the training digits it learnt; held-out: digits it never saw.",
                label="Digits",
                choices=(MEMORISED, HELDOUT),
            ),
            Param("index", "int", 0, "Which digit, by number.", label="Digit number", low=0, high=59_999),
        ),
        outputs=ENCODING,
        example={"split": MEMORISED, "index": 3},
    ),
    Interaction(
        "encode",
        "Draw or upload a digit",
        "A drawing or a photo of a digit becomes 48 bits, and the digit is rebuilt from them: tick "
        "bits to flip them and watch the digit change.",
        encode,
        inputs=(digit_input(),),
        outputs=ENCODING,
        example={"image": example_digit},
    ),
    Interaction(
        "decode",
        "Type a code",
        "Type 48 bits (one code per line for several), flip some, and see the digits they decode to.",
        decode_codes,
        inputs=(
            Param(
                "bits",
                "text",
                "0101" * 12,
                f"{CODE_BITS} zeros and ones (spaces, commas and underscores are ignored); one code "
                "per line, or separated by ';'.",
                label="Codes",
                lines=3,
            ),
            FLIPS,
        ),
        outputs=(
            Output("summary", "markdown", ""),
            Output("digits", "gallery", "Decoded digits", size=128),
            Output("bits", "text", "The codes (after the flips)"),
            Output("code", "image", "The first code (white = 1)", size=308),
        ),
        example={"bits": "0011" * 12, "flips": "0, 47"},
    ),
    Interaction(
        "scores",
        "How well it memorised",
        "PSNR of the memorised digits (with binary and with real-valued codes) and of held-out ones.",
        scores,
        outputs=(Output("scores", "table", "Scores"), Output("note", "markdown", "")),
    ),
)
