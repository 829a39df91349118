"""48-bit codes of digits: the format a binary autoencoder writes and a prior over its codes reads.

A code is a 3x4x4 grid of bits, held as 48 bits in channel-major order (bit 16c + 4r + k is
channel c, row r, column k), 1 for +1 and 0 for -1. Typed, it is 48 characters 0 or 1 (spaces,
commas and underscores are ignored). Digits go in as MNIST's 28x28 resized to 32x32 with pixels
in [-1, 1], and come out the same way.

The binary autoencoder lab (core/labs/binary_ae) makes the codes and the prior lab
(core/labs/binary_prior) generates them: both read and write them through here, and each
reaches the other's models only through the registry.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.data import ImageData
from core.labs.base import TrainedModel
from core.specs import SpecError, number_rows

SIZE = 32  # the course resized MNIST's 28x28 to 32x32, so three halvings give 4x4
CODE_SHAPE = (3, 4, 4)
CODE_BITS = 48


class BitsInputError(SpecError):
    """A code that is not 48 bits, or a bit number out of range."""


# --- codes as text and arrays --------------------------------------------------------------


def parse_bits(text: Any) -> np.ndarray:
    """'0101...' (48 digits 0 or 1; spaces, commas and underscores ignored) -> (48,) uint8."""
    cleaned = re.sub(r"[\s,_]", "", str(text))
    if bad := re.search(r"[^01]", cleaned):
        raise BitsInputError(
            f"a code is made of 0s and 1s only; {bad.group()!r} at position {bad.start()} is not a bit"
        )
    if len(cleaned) != CODE_BITS:
        raise BitsInputError(f"a code has {CODE_BITS} bits, got {len(cleaned)}")
    return np.frombuffer(cleaned.encode(), dtype=np.uint8) - ord("0")


def parse_codes(text: Any) -> np.ndarray:
    """One code or several (one per line, or separated by ';') -> (N, 48) uint8."""
    parts = [part for part in re.split(r"[;\n]", str(text)) if part.strip()]
    if not parts:
        raise BitsInputError(f"type a code of {CODE_BITS} bits (0s and 1s)")
    return np.stack([parse_bits(part) for part in parts])


def check_bits(bits: Any) -> np.ndarray:
    """Codes as (N, 48) uint8 in {0, 1}: from strings, or arrays of 0/1 (or -1/+1)."""
    if isinstance(bits, str):
        return parse_bits(bits)[None]
    if isinstance(bits, list | tuple) and bits and all(isinstance(b, str) for b in bits):
        return np.stack([parse_bits(b) for b in bits])
    array = number_rows(bits, BitsInputError, "a code must be a string of 0s and 1s or a list of bits")
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] != CODE_BITS:
        raise BitsInputError(f"a code has {CODE_BITS} bits, got shape {array.shape}")
    if not np.isin(array, (-1, 0, 1)).all():
        raise BitsInputError("bits must be 0 or 1 (or -1 and +1)")
    return (array > 0).astype(np.uint8)


def bits_to_text(bits: np.ndarray) -> str:
    return "".join(str(int(b)) for b in np.asarray(bits).reshape(-1))


def bits_grid(bits: Any) -> np.ndarray:
    """One code as its 3x4x4 grid of bits (channel, row, column)."""
    return check_bits(bits)[0].reshape(CODE_SHAPE)


def flip(bits: Any, index: Any) -> np.ndarray:
    """A copy of one code with bit `index` (0-47, channel-major like the grid) flipped."""
    code = check_bits(bits)[0].copy()
    try:
        position = int(index)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
        raise BitsInputError(f"a bit number must be a whole number, got {index!r}") from None
    if position != index or not 0 <= position < CODE_BITS:
        raise BitsInputError(f"bits are numbered 0 to {CODE_BITS - 1}, got {index!r}")
    code[position] ^= 1
    return code


def parse_flips(text: Any) -> list[int]:
    """'3, 17 40' (or '[3, 17]') -> the bit numbers to flip, each checked to be 0 to 47."""
    numbers = []
    for word in re.split(r"[\s,;\[\]]+", "" if text is None else str(text)):
        if not word:
            continue
        try:
            number = int(word)
        except ValueError:
            raise BitsInputError(f"bits are numbered 0 to {CODE_BITS - 1}, got {word!r}") from None
        if not 0 <= number < CODE_BITS:
            raise BitsInputError(f"bits are numbered 0 to {CODE_BITS - 1}, got {number}")
        numbers.append(number)
    return numbers


def flip_all(codes: np.ndarray, flips: list[int]) -> np.ndarray:
    """(N, 48) codes with the bits numbered in `flips` flipped in every code (a bit named twice
    flips back)."""
    flipped = np.array(codes, dtype=np.uint8, copy=True)
    for index in flips:
        flipped[:, index] ^= 1
    return flipped


def bits_to_codes(bits: np.ndarray) -> torch.Tensor:
    """(N, 48) bits -> (N, 3, 4, 4) codes in {-1, +1}, what the decoder reads."""
    return torch.from_numpy(bits.astype(np.float32) * 2 - 1).view(-1, *CODE_SHAPE)


# --- digits in and out ----------------------------------------------------------------------


def to_inputs(frames: Any) -> torch.Tensor:
    """uint8 (N, 28, 28) in 0-255, or float frames in [0, 1] -> (N, 1, 32, 32) in [-1, 1]
    (bilinear resize with antialiasing, as torchvision's Resize(32) did for the course)."""
    x = torch.as_tensor(frames)
    x = x.float().div(255) if x.dtype == torch.uint8 else x.float()
    if x.ndim == 2:
        x = x[None]
    x = F.interpolate(x[:, None], size=SIZE, mode="bilinear", antialias=True, align_corners=False)
    return x.clamp(0, 1) * 2 - 1


def to_pixels(x: torch.Tensor) -> np.ndarray:
    """(N, 1, 32, 32) in [-1, 1] -> (N, 32, 32) numpy in [0, 1]."""
    return ((x[:, 0].detach().cpu().clamp(-1, 1) + 1) / 2).numpy()


def memorised_inputs(data: ImageData, count: int) -> torch.Tensor:
    """The training digits an autoencoder memorises: the first `count` of the training split."""
    return to_inputs(data.train_images[:count])


@torch.no_grad()
def codes_of(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The 48 bits of each input, (N, 48) uint8 in {0, 1} (1 for +1), in eval mode."""
    was_training = model.training
    model.eval()
    real = torch.cat([model.encode(x[i : i + 1024]) for i in range(0, len(x), 1024)])
    model.train(was_training)
    return (real.flatten(1) >= 0).to(torch.uint8)


@torch.inference_mode()
def decode(trained: TrainedModel, bits: Any) -> np.ndarray:
    """Codes (strings, or (N, 48) arrays of bits) -> digits (N, 32, 32) in [0, 1]."""
    return to_pixels(trained.model.eval().decode(bits_to_codes(check_bits(bits))))


def weights_hash(model: nn.Module) -> str:
    """A short fingerprint of the weights: a prior records it to name the autoencoder whose codes
    it learnt, and refuses to pair with any other."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]
