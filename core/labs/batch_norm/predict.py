"""Name the garment in a picture with each copy of the course's CNN exported from Deep Learning
Labs' batch-norm lab (trained on Fashion-MNIST: plain, with batch norm, with augmentation, with
both).

    python predict.py GARMENT.png [GARMENT2.pgm ...]

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the copies, pictures.py reads the pictures, model.safetensors and config.json hold what
was trained, which copies there are and the class names. Pictures are PNG (8-bit, grey or
colour) or PGM, best 28x28 as Fashion-MNIST's (a light garment on black); any other size is
shrunk to 28x28, and a picture on a light background is turned round. Prints one line per
picture: each copy's class and its probability (the batch norms use the statistics they
gathered while training, as in the app).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from model import build_copies
from pictures import classify_frames, garment_frame, read_picture
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent


def main(paths: list[str]) -> None:
    config = json.loads((HERE / "config.json").read_text())
    copies = build_copies(config)
    copies.load_state_dict(load_file(HERE / "model.safetensors"))
    frames = {path: garment_frame(read_picture(path)) for path in paths}
    classify_frames(frames, dict(copies.items()), config["classes"])


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
