"""Clean up a noisy handwritten digit with a model exported from Deep Learning Labs' denoising lab.

    python predict.py NOISY.png [NOISY2.pgm ...]

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the network, pictures.py reads and writes the pictures, model.safetensors and config.json
hold what was trained. A picture is PNG (8-bit, grey or colour) or PGM, best 28x28 as the model
was trained (a bigger one is shrunk to 28x28 by averaging, so keep the digit filling it); white
ink on black as in MNIST, or dark ink on light paper, which is turned round for the model and
back for the answer. Writes NOISY-denoised.png beside each picture, the same polarity as it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from model import build_denoiser
from pictures import read_picture, write_png
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
FRAME = 28  # the model's input and output: 28x28 grey levels in [0, 1], white ink on black


def main(paths: list[str]) -> None:
    config = json.loads((HERE / "config.json").read_text())
    model = build_denoiser(config["architecture"])
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    model.eval()
    for path in paths:
        grey = read_picture(path)
        if grey.shape != (FRAME, FRAME):
            grey = F.interpolate(grey[None, None], size=(FRAME, FRAME), mode="area")[0, 0]
        dark_ink = bool(grey.mean() > 0.5)  # MNIST's ink is light on a dark page
        frame = 1 - grey if dark_ink else grey
        with torch.no_grad():
            clean = model(frame[None, None])[0, 0]
        out = Path(path).with_name(f"{Path(path).stem}-denoised.png")
        write_png(1 - clean if dark_ink else clean, out)
        print(f"{path}: {out}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
