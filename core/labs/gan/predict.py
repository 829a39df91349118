"""Draw digits with a generator exported from Deep Learning Labs' GAN lab.

    python predict.py --count 20 --seed 7 [--digit 3] [--out samples.png]

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the network, pictures.py writes the picture, model.safetensors and config.json hold what
was trained. Draws `count` digits side by side, ten to a row, into one PNG (white ink on black).
Each is the generator's picture of a latent z drawn from N(0, I), row by row, by PyTorch's
generator seeded with `seed`: the same seed draws the same digits, and the first ten of twenty
are the ten. (The app names its samples by seeds through numpy: its seed 7 is not this seed 7.)
A conditional model (the cdcgan recipe) is also told which digit to draw: `--digit 3` asks
for threes, and without it the digits are asked for in turn, 0 to 9 along each row. An
unconditional model draws whatever it draws.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from model import gan_from_config
from pictures import grid, write_png
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
COLUMNS = 10


def latents(count: int, seed: int, latent_dim: int, classes: int, digit: int | None) -> torch.Tensor:
    """z ~ N(0, I) from a seeded generator, then for a conditional model the one-hot digit."""
    # Row by row: torch draws a big tensor differently from a small one, and this way the first
    # k digits of a seed are the same whatever the count.
    generator = torch.Generator().manual_seed(seed)
    z = torch.stack([torch.randn(latent_dim, generator=generator) for _ in range(count)])
    if not classes:
        return z
    digits = torch.full((count,), digit) if digit is not None else torch.arange(count) % classes
    return torch.cat([z, torch.nn.functional.one_hot(digits, classes).float()], dim=1)


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter  # --help shows this file's docstring as written
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--count", type=int, default=COLUMNS, help="how many digits (1 to 1000)")
    parser.add_argument("--seed", type=int, default=0, help="the same seed draws the same digits")
    parser.add_argument("--digit", type=int, help="the digit to draw (a conditional model only)")
    parser.add_argument("--out", default="samples.png", help="the PNG to write")
    args = parser.parse_args()
    config = json.loads((HERE / "config.json").read_text())
    model = gan_from_config(config)
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    model.eval()  # batch norm uses its running statistics: a digit does not depend on the others
    classes = model.classes
    if not 1 <= args.count <= 1000:
        parser.error(f"--count must be from 1 to 1000, not {args.count}")
    if args.digit is not None and not classes:
        parser.error("this model is not conditional (its recipe is not cdcgan): leave --digit out")
    if args.digit is not None and not 0 <= args.digit < classes:
        parser.error(f"--digit must be from 0 to {classes - 1}, not {args.digit}")
    z = latents(args.count, args.seed, model.latent_dim, classes, args.digit)
    with torch.no_grad():
        pictures = ((model(z)[:, 0] + 1) / 2).clamp(0, 1)  # the generator's tanh range to [0, 1]
    write_png(grid(pictures, columns=min(COLUMNS, args.count)), args.out)
    print(f"{args.out}: {args.count} digits, seed {args.seed}")


if __name__ == "__main__":
    main()
