"""Name the garment in a picture with the small CNNs exported from Deep Learning Labs'
cnn-architectures lab (a simple CNN, a small VGG and a small ResNet, trained on Fashion-MNIST).

    python predict.py GARMENT.png [GARMENT2.pgm ...]

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the networks, pictures.py reads the pictures, model.safetensors and config.json hold what
was trained and the class names. Pictures are PNG (8-bit, grey or colour) or PGM, best 28x28 as
Fashion-MNIST's (a light garment on black); any other size is shrunk to 28x28, and a picture on
a light background is turned round. Prints one line per picture: each network's class and its
probability. The lab's fourth network, the fine-tuned EfficientNet-Lite0, is not here: it
builds on ImageNet's EfficientNet-Lite0, whose weights come from a package, not this export.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from model import NETWORKS, build_architectures
from pictures import read_picture, say_classes
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent


def garment(grey: torch.Tensor) -> torch.Tensor:
    """(28, 28) in [0, 1], light on dark, as Fashion-MNIST's pictures."""
    edge = torch.cat([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    if edge.mean() > 0.5:  # a garment on white paper or a shop's white background
        grey = 1 - grey
    if grey.shape != (28, 28):
        grey = F.interpolate(grey[None, None], size=(28, 28), mode="area")[0, 0]
    return grey


def main(paths: list[str]) -> None:
    config = json.loads((HERE / "config.json").read_text())
    config["models"] = [name for name in config["models"] if name in NETWORKS]  # not EfficientNet
    networks = build_architectures(config)
    weights = load_file(HERE / "model.safetensors")
    networks.load_state_dict({k: v for k, v in weights.items() if k.split(".")[0] in NETWORKS})
    networks.eval()
    for path in paths:
        picture = garment(read_picture(path))[None]
        with torch.no_grad():
            said = {name: network(picture).softmax(-1)[0] for name, network in networks.items()}
        print(say_classes(path, said, config["classes"]))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
