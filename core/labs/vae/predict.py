"""Decode codes and reconstruct digits with a VAE exported from Deep Learning Labs' VAE lab.

    python predict.py decode 0,0 1.5,-0.5 [CODE ...]
    python predict.py reconstruct DIGIT.png [DIGIT2.pgm ...]

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the network, pictures.py reads and writes the pictures, model.safetensors and config.json
hold what was trained (config.json's "latent_dim" says how many numbers a code has).

decode: each code (its numbers separated by commas) through the decoder, the pixels' Bernoulli
probabilities drawn side by side in decoded.png, in the order given.
reconstruct: each picture (PNG, 8-bit grey or colour, or PGM) through the encoder; prints its
code, the mean and standard deviation of q(z|x), and writes DIGIT-reconstructed.png, the mean
decoded. A 28x28 picture is read as it is, as MNIST's own frames; any other size is framed as
MNIST's digits are (ink light on dark, its box scaled to 20x20 and centred in 28x28).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import torch
from model import build_vae
from pictures import grid, mnist_frame, read_picture, write_png
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent


def load() -> torch.nn.Module:
    config = json.loads((HERE / "config.json").read_text())
    model = build_vae(config["architecture"], int(config["latent_dim"]), float(config.get("dropout", 0.0)))
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    return model.eval()  # no dropout


def code(text: str, size: int) -> list[float]:
    """A code typed as numbers separated by commas; stops with a plain message when it is not one."""
    example = ",".join(["0"] * size)
    try:
        numbers = [float(part) for part in text.split(",")]
    except ValueError:
        sys.exit(f"{text!r} is not a code: type {size} numbers separated by commas, such as {example}")
    if not all(math.isfinite(number) for number in numbers):
        sys.exit(f"{text!r}: a code's numbers must be finite")
    if len(numbers) != size:
        sys.exit(f"{text!r} has {len(numbers)} numbers; this model's codes have {size}")
    return numbers


@torch.no_grad()
def decode(texts: list[str]) -> None:
    model = load()
    z = torch.tensor([code(text, model.latent_dim) for text in texts])
    pictures = model.decode(z)[:, 0]
    write_png(grid(pictures, columns=len(pictures)), "decoded.png")
    print(f"decoded.png: {len(pictures)} digits, left to right as the codes were given")


@torch.no_grad()
def reconstruct(paths: list[str]) -> None:
    model = load()
    for path in paths:
        grey = read_picture(path)
        frame = grey if grey.shape == (28, 28) else mnist_frame(grey)
        mean, log_variance = model.encode(frame[None, None])
        sigma = (0.5 * log_variance).exp()
        out = Path(path).with_name(f"{Path(path).stem}-reconstructed.png")
        write_png(model.decode(mean)[0, 0], out)
        pairs = zip(mean[0].tolist(), sigma[0].tolist(), strict=True)
        shown = ", ".join(f"{m:.4f} ± {s:.4f}" for m, s in pairs)
        print(f"{path}: code {shown}; {out}")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("decode", "reconstruct"):
        sys.exit(__doc__)
    (decode if sys.argv[1] == "decode" else reconstruct)(sys.argv[2:])
