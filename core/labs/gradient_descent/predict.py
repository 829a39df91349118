"""Read handwritten digits with the copies of the course's MLP exported from Deep Learning
Labs' gradient descent lab, one trained each way (full batch, mini-batches, single examples).

    python predict.py DIGIT.png [DIGIT2.pgm ...]

Needs only PyTorch and safetensors (pip install torch safetensors): model.py and course_mlp.py
beside this file build the copies, pictures.py reads the pictures, model.safetensors and
config.json hold what was trained.
Pictures are PNG (8-bit, grey or colour) or PGM; dark ink on light paper or light on dark both
work; a 28x28 picture is read as an MNIST frame as it is, any other is first framed as MNIST's
digits are. Prints one line per picture: each copy's digit and its probability, by way of training.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from model import build_copies
from pictures import classify
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent


def main(paths: list[str]) -> None:
    config = json.loads((HERE / "config.json").read_text())
    model = build_copies(config)
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    classify(paths, dict(model.items()), config.get("classes", [str(digit) for digit in range(10)]))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
