"""Add binary numbers with the LSTM exported from Deep Learning Labs' binary addition lab.

    python predict.py 1011 110
    python predict.py 10110 1 11111 11111 --temperature 2

Needs only PyTorch and safetensors (pip install torch safetensors): model.py and recurrent.py
beside this file build the LSTM (written from its gate equations), model.safetensors and
config.json hold what was trained. Give the numbers in pairs, in binary (spaces, underscores and
a 0b prefix are skipped, as the app skips them), each at most max_bits long (config.json). The
LSTM reads one column per step, least significant bit first, plus a column of zeros for the last
carry, and gives each bit of the sum as P(1) = sigmoid(logit / temperature) (0.05 to 20; the
temperature changes how sure it sounds, never its answer). Prints one line per pair: the sum,
whether it is right, and P(1) for each bit, most significant first.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch
from model import BitAdder
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
TEMPERATURES = (0.05, 20.0)


def binary(text: str, max_bits: int) -> str:
    """A typed binary number, checked and cleaned as the app does it."""
    cleaned = "".join(text.split()).replace("_", "")
    cleaned = cleaned[2:] if cleaned.lower().startswith("0b") else cleaned
    if not cleaned or set(cleaned) - {"0", "1"}:
        sys.exit(f"{text!r} is not a binary number such as 1011")
    if len(cleaned) > max_bits:
        sys.exit(f"{text!r}: {len(cleaned)} bits is longer than this model takes ({max_bits} bits)")
    return cleaned


def columns(a: int, b: int, width: int) -> torch.Tensor:
    """(width, 1, 2): the bits of a and b side by side, least significant first."""
    return torch.tensor([[[(a >> i) & 1, (b >> i) & 1]] for i in range(width)], dtype=torch.float32)


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter  # --help shows this file's docstring as written
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("numbers", nargs="+", help="binary numbers, in pairs")
    parser.add_argument("--temperature", type=float, default=1.0)
    args = parser.parse_args()
    if len(args.numbers) % 2:
        parser.error("give the numbers in pairs: a b [a b ...]")
    if not args.temperature >= 0:
        parser.error("--temperature must be 0 or more")
    temperature = min(max(args.temperature, TEMPERATURES[0]), TEMPERATURES[1])
    config = json.loads((HERE / "config.json").read_text())
    model = BitAdder(int(config["hidden_size"]))
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    model.eval()
    for a, b in zip(args.numbers[::2], args.numbers[1::2], strict=True):
        a, b = binary(a, config["max_bits"]), binary(b, config["max_bits"])
        width = max(len(a), len(b)) + 1  # one more column for the last carry
        with torch.no_grad():
            probabilities = torch.sigmoid(model(columns(int(a, 2), int(b, 2), width))[:, 0] / temperature)
        bits = [int(p > 0.5) for p in probabilities.tolist()]
        total = sum(bit << i for i, bit in enumerate(bits))
        verdict = "right" if total == int(a, 2) + int(b, 2) else f"wrong: the sum is {int(a, 2) + int(b, 2)}"
        shown = " ".join(f"{p:.4f}" for p in reversed(probabilities.tolist()))
        print(f"{a} + {b} = {''.join(map(str, bits[::-1]))} ({total}): {verdict}; P(1) {shown}")


if __name__ == "__main__":
    main()
