"""Read a handwritten digit with a model exported from Deep Learning Labs' Digits lab.

    python predict.py DIGIT.png [DIGIT2.pgm ...]

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the network, model.safetensors and config.json hold what was trained. Pictures are PNG
(8-bit, grey or colour) or PGM; dark ink on light paper or light on dark both work. Prints one
line per picture: the digit and the ten probabilities.
"""

from __future__ import annotations

import json
import struct
import sys
import zlib
from pathlib import Path

import torch
import torch.nn.functional as F
from model import build_classifier
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent


def read_png(data: bytes) -> torch.Tensor:
    """An 8-bit, non-interlaced PNG as a (H, W) tensor of grey levels in [0, 1]."""
    chunks, position = {}, 8
    width = height = 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or interlace:
                raise ValueError("only 8-bit, non-interlaced PNGs are read here")
            channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
            if channels is None:
                raise ValueError("palette PNGs are not read here: save the picture as grey or RGB")
        chunks.setdefault(kind, b"")
        chunks[kind] += body
        position += 12 + length
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):  # undo the PNG row filter
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                nearest = min(
                    (abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner)
                )
                line[x] = (line[x] + nearest[2]) & 255
        rows.append(line)
        previous = line
    pixels = torch.tensor([list(row) for row in rows], dtype=torch.float32).view(height, width, channels)
    colour = pixels[..., :3] if channels >= 3 else pixels[..., :1]
    grey = colour.mean(-1) / 255
    if channels in (2, 4):  # transparent parts are paper
        alpha = pixels[..., -1] / 255
        grey = grey * alpha + (1 - alpha) * (1.0 if grey.mean() > 0.5 else 0.0)
    return grey


def read_pgm(data: bytes) -> torch.Tensor:
    """A binary (P5) 8-bit PGM as a (H, W) tensor in [0, 1]."""
    fields = data.split(maxsplit=4)
    if fields[0] != b"P5" or int(fields[3]) > 255:
        raise ValueError("only 8-bit binary PGM (P5) is read here")
    width, height = int(fields[1]), int(fields[2])
    return torch.tensor(list(fields[4][: width * height]), dtype=torch.float32).view(height, width) / 255


def mnist_frame(grey: torch.Tensor) -> torch.Tensor:
    """A picture as MNIST digits look: white ink on black, the ink's box scaled to fit 20x20 and
    centred in 28x28."""
    if grey.mean() > 0.5:  # dark ink on light paper
        grey = 1 - grey
    ink = (grey > 0.2).nonzero()
    if len(ink) == 0:
        raise ValueError("no ink found in the picture")
    (top, left), (bottom, right) = ink.min(0).values, ink.max(0).values
    digit = grey[top : bottom + 1, left : right + 1]
    scale = 20 / max(digit.shape)
    size = (max(1, round(digit.shape[0] * scale)), max(1, round(digit.shape[1] * scale)))
    digit = F.interpolate(digit[None, None], size=size, mode="area")[0, 0]
    frame = torch.zeros(28, 28)
    y, x = (28 - size[0]) // 2, (28 - size[1]) // 2
    frame[y : y + size[0], x : x + size[1]] = digit
    return frame.clamp(0, 1)


def main(paths: list[str]) -> None:
    config = json.loads((HERE / "config.json").read_text())
    classes = len(config.get("classes", range(10)))
    model = build_classifier(config["architecture"], float(config.get("dropout", 0.0)), classes)
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    model.eval()
    for path in paths:
        data = Path(path).read_bytes()
        grey = read_png(data) if data[:8] == b"\x89PNG\r\n\x1a\n" else read_pgm(data)
        with torch.no_grad():
            probabilities = model(mnist_frame(grey)[None, None]).softmax(-1)[0]
        shown = " ".join(f"{digit}:{p:.3f}" for digit, p in enumerate(probabilities.tolist()))
        print(f"{path}: {int(probabilities.argmax())} ({shown})")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
