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
from model import build_classifier
from pictures import mnist_frame, read_picture
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent


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
