"""Name the last digit of a palindrome with the LSTM and RNN pairs exported from Deep Learning
Labs' palindromes lab.

    python predict.py 1234543 98789
    python predict.py "1 2 3 2" --temperature 2

Needs only PyTorch and safetensors (pip install torch safetensors): model.py and recurrent.py
beside this file build the pairs (written from their equations), model.safetensors and
config.json hold what was trained and at which lengths T. A prefix of T - 1 digits (spaces and
commas between them are skipped) asks for digit T, which completes a palindrome when it equals
the first; the pair trained at the nearest length answers, as in the app. Probabilities are
softmax(logits / temperature), the temperature from 0.05 to 20 (it changes how sure a model
sounds, never its answer). Prints one line per prefix: each model's digit and probability.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch
from model import CELL_NAMES, CELLS, PalindromeModels
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
TEMPERATURES = (0.05, 20.0)


def digits_of(text: str) -> str:
    digits = "".join(text.replace(",", " ").split())
    if not digits or set(digits) - set("0123456789"):
        sys.exit(f"{text!r}: type the first digits of a palindrome (only 0-9), e.g. 1234543")
    return digits


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter  # --help shows this file's docstring as written
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("prefixes", nargs="+", help="the first T - 1 digits of palindromes")
    parser.add_argument("--temperature", type=float, default=1.0)
    args = parser.parse_args()
    if not args.temperature >= 0:
        parser.error("--temperature must be 0 or more")
    temperature = min(max(args.temperature, TEMPERATURES[0]), TEMPERATURES[1])
    config = json.loads((HERE / "config.json").read_text())
    seeds = len(config.get("seeds") or [0])
    models = PalindromeModels([int(t) for t in config["lengths"]], int(config["hidden_size"]), seeds=seeds)
    models.load_state_dict(load_file(HERE / "model.safetensors"))
    models.eval()
    lengths = models.lengths
    for text in args.prefixes:
        prefix = digits_of(text)
        length = len(prefix) + 1
        if not min(lengths) <= length <= max(lengths):
            sys.exit(
                f"{prefix}: these models were trained at T = {min(lengths)} to {max(lengths)}: type "
                f"{min(lengths) - 1} to {max(lengths) - 1} digits"
            )
        nearest = min(lengths, key=lambda t: (abs(t - length), t))
        pair = models.pair(nearest)
        said = []
        with torch.no_grad():
            for cell in CELLS:
                p = torch.softmax(
                    pair[cell](torch.tensor([[int(d) for d in prefix]]))[0] / temperature, dim=0
                )
                said.append(f"{CELL_NAMES[cell]} {int(p.argmax())} ({float(p.max()):.4f})")
        print(
            f"{prefix} (T = {length}, the pair trained at T = {nearest}; a palindrome ends {prefix[0]}): "
            + "; ".join(said)
        )


if __name__ == "__main__":
    main()
