"""Generate 48-bit codes with the prior exported from Deep Learning Labs' prior lab, and see
which training digit's code each one reproduced.

    python predict.py --count 8 --temperature 1 --seed 0

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the prior (the LSTM draws one bit at a time, each from the bits before it; denoise-fc
refines random bits 10 times), model.safetensors and config.json hold what was trained and the
codes it learnt (those of the binary autoencoder's first training digits). Bits are drawn at
--temperature (0: always the likelier bit; at most 10) with PyTorch's generator seeded with
--seed, as the app draws them. Prints one code a line with the training code nearest to it
(its index and how many bits differ: 0 means the prior reproduced that digit's code). To see
the digits, pass the codes to the binary autoencoder export's predict.py: `decode CODE ...`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from model import build_prior
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
MAX_TEMPERATURE, MAX_COUNT = 10.0, 512


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter  # --help shows this file's docstring as written
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--count", type=int, default=16, help=f"how many codes (1 to {MAX_COUNT})")
    parser.add_argument("--temperature", type=float, default=1.0, help="0 (likeliest bits) to 10")
    parser.add_argument("--seed", type=int, default=0, help="the same seed draws the same codes")
    args = parser.parse_args()
    if not 1 <= args.count <= MAX_COUNT or not args.temperature >= 0 or args.seed < 0:
        parser.error(f"--count must be 1 to {MAX_COUNT}, --temperature and --seed 0 or more")
    config = json.loads((HERE / "config.json").read_text())
    prior = build_prior(config["model"])
    prior.load_state_dict(load_file(HERE / "model.safetensors"))
    learnt = torch.tensor([[int(bit) for bit in code] for code in config["codes"]])
    temperature = min(args.temperature, MAX_TEMPERATURE)
    drawn = prior.eval().sample(args.count, temperature, torch.Generator().manual_seed(args.seed))
    distance, index = (drawn[:, None, :] != learnt[None]).sum(-1).min(1)
    for code, near, bits in zip(drawn.tolist(), index.tolist(), distance.tolist(), strict=True):
        same = "the same code" if bits == 0 else f"{bits} bits differ"
        print(f"{''.join(map(str, code))}  nearest training code: #{near} ({same})")


if __name__ == "__main__":
    main()
