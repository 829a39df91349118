"""Digits as 48 bits and back, with a model exported from Deep Learning Labs' binary autoencoder lab.

    python predict.py encode DIGIT.png [DIGIT2.pgm ...]
    python predict.py decode 010110... [CODE ...]

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the network, pictures.py reads and writes the pictures, model.safetensors and config.json
hold what was trained.

A code is 48 bits, 0 or 1 (spaces, commas and underscores ignored): a 3x4x4 grid in channel-
major order (bit 16c + 4r + k is channel c, row r, column k), 1 for +1 and 0 for -1.
encode: each picture (PNG, 8-bit grey or colour, or PGM; a 28x28 one is read as it is, as
MNIST's own frames, any other size framed as MNIST's digits are) resized to 32x32 as the lab
does, through the encoder; prints its 48 bits and writes DIGIT-rebuilt.png, the code decoded.
decode: each code through the decoder, the 32x32 digits side by side in decoded.png.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from model import build_autoencoder
from pictures import grid, mnist_frame, read_picture, write_png
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
CODE_SHAPE, CODE_BITS, SIZE = (3, 4, 4), 48, 32


def load() -> torch.nn.Module:
    config = json.loads((HERE / "config.json").read_text())
    model = build_autoencoder(config["architecture"])
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    return model.eval()  # batch norm uses its running statistics


def bits(text: str) -> list[int]:
    """A typed code as 48 bits; stops with a plain message when it is not one."""
    cleaned = "".join(ch for ch in text if ch not in " ,_")
    if set(cleaned) - {"0", "1"} or len(cleaned) != CODE_BITS:
        sys.exit(f"{text!r} is not a code: type {CODE_BITS} bits, 0s and 1s")
    return [int(ch) for ch in cleaned]


def pixels(x: torch.Tensor) -> torch.Tensor:
    """The network's [-1, 1] to grey levels in [0, 1]."""
    return (x.clamp(-1, 1) + 1) / 2


@torch.no_grad()
def decode(texts: list[str]) -> None:
    model = load()
    codes = torch.tensor([bits(text) for text in texts], dtype=torch.float32) * 2 - 1  # 1 -> +1, 0 -> -1
    digits = pixels(model.decode(codes.view(-1, *CODE_SHAPE)))[:, 0]
    write_png(grid(digits, columns=len(digits)), "decoded.png")
    print(f"decoded.png: {len(digits)} digits, left to right as the codes were given")


@torch.no_grad()
def encode(paths: list[str]) -> None:
    model = load()
    for path in paths:
        grey = read_picture(path)
        frame = grey if grey.shape == (28, 28) else mnist_frame(grey)
        # 28x28 to 32x32 as the lab does (torchvision's Resize(32) in the course), then [-1, 1]
        x = F.interpolate(frame[None, None], size=SIZE, mode="bilinear", antialias=True, align_corners=False)
        x = x.clamp(0, 1) * 2 - 1
        code = (model.encode(x).flatten() >= 0).float()
        out = Path(path).with_name(f"{Path(path).stem}-rebuilt.png")
        write_png(pixels(model.decode((code * 2 - 1).view(1, *CODE_SHAPE)))[0, 0], out)
        print(f"{path}: {''.join(str(int(bit)) for bit in code.tolist())}; {out}")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("encode", "decode"):
        sys.exit(__doc__)
    (encode if sys.argv[1] == "encode" else decode)(sys.argv[2:])
