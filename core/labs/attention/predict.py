"""Copy or reverse digit strings with the toy attention model exported from Deep Learning Labs'
attention lab, and see where it looked.

    python predict.py 31415 2718 "1, 2, 3"

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the one attention head, model.safetensors and config.json hold what was trained and its
task (copy or reverse). Each string holds 2 to max_length digits (config.json; spaces and
commas between them are skipped, as the app skips them). Prints one line per string: the
model's answer, whether it is right, and which input place each output digit read most (the
largest attention weight, counted from 1).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from model import SYMBOLS, ToyAttention
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent


def digits_of(text: str, max_length: int) -> str:
    """The digits of a typed string, checked as the app checks them."""
    digits = "".join(ch for ch in text if ch not in " ,")
    wrong = sorted({ch for ch in digits if ch not in SYMBOLS})
    if wrong:
        sys.exit(f"{text!r}: the toy model reads only the digits 0-9, not {' '.join(map(repr, wrong))}")
    if not 2 <= len(digits) <= max_length:
        sys.exit(f"{text!r}: type 2 to {max_length} digits (the model was trained on those lengths)")
    return digits


def main(texts: list[str]) -> None:
    config = json.loads((HERE / "config.json").read_text())
    model = ToyAttention(int(config["max_length"]), int(config["dim"]))
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    model.eval()
    for text in texts:
        digits = digits_of(text, model.max_length)
        with torch.no_grad():
            logits, weights = model(
                torch.tensor([[SYMBOLS.index(ch) for ch in digits]]), torch.tensor([len(digits)])
            )
        answer = "".join(SYMBOLS[i] for i in logits[0].argmax(-1).tolist())
        expected = digits if config["task"] == "copy" else digits[::-1]
        verdict = "right" if answer == expected else f"wrong: the answer is {expected}"
        places = " ".join(str(place + 1) for place in weights[0].argmax(-1).tolist())
        print(f"{config['task']} {digits} -> {answer} ({verdict}); reads input places {places}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
