"""Read a handwritten digit with a model exported from Deep Learning Labs' Digits lab.

    python predict.py DIGIT.png [DIGIT2.pgm ...]

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the network, pictures.py reads the pictures, model.safetensors and config.json hold
what was trained. Pictures are PNG (8-bit, grey or colour) or PGM; dark ink on light paper or
light on dark both work. Prints one line per picture: the digit and the ten probabilities.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from model import build_classifier
from pictures import read_picture
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent


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
        grey = read_picture(path)
        with torch.no_grad():
            probabilities = model(mnist_frame(grey)[None, None]).softmax(-1)[0]
        shown = " ".join(f"{digit}:{p:.3f}" for digit, p in enumerate(probabilities.tolist()))
        print(f"{path}: {int(probabilities.argmax())} ({shown})")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
