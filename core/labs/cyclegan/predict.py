"""Translate emoji pictures from one style to the other with the CycleGAN exported from Deep
Learning Labs' cyclegan lab (style A: Noto Color Emoji; style B: OpenMoji, as config.json says).

    python predict.py EMOJI.png [EMOJI2.png ...] [--direction ab|ba]

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the generators, pictures.py reads and writes the pictures, model.safetensors and
config.json hold what was trained. A picture is an 8-bit PNG (RGB, RGBA or grey) or PGM, best
64x64 on white as the emoji it learnt from; a transparent background becomes white, and another
size is padded with white to a square and resized to 64x64 (bilinear: the app uses Lanczos, so
only a 64x64 picture translates exactly as in the app). `ab` (the default) turns style A into
style B, `ba` the other way. Writes EMOJI-ab.png (or EMOJI-ba.png), the translation, and
EMOJI-ab-back.png, the round trip back to the first style, and prints how far the round trip is
from the picture (the mean absolute difference, pixels in [0, 1]).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
import torch.nn.functional as F
from model import cyclegan_from_config
from pictures import read_colour, write_colour_png
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
SIZE = 64


def fit_square(rgb: torch.Tensor) -> torch.Tensor:
    """(H, W, 3) in [0, 1] padded with white to a square, then resized to 64x64."""
    height, width = rgb.shape[:2]
    if (height, width) == (SIZE, SIZE):
        return rgb
    side = max(height, width)
    canvas = torch.ones(side, side, 3)
    top, left = (side - height) // 2, (side - width) // 2
    canvas[top : top + height, left : left + width] = rgb
    square = F.interpolate(canvas.permute(2, 0, 1)[None], size=(SIZE, SIZE), mode="bilinear", antialias=True)
    return (square[0].permute(1, 2, 0) * 255).round().clamp(0, 255) / 255  # 8-bit, as the app's


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pictures", nargs="+")
    parser.add_argument("--direction", choices=("ab", "ba"), default="ab")
    args = parser.parse_args()
    config = json.loads((HERE / "config.json").read_text())
    cyclegan = cyclegan_from_config(config)
    cyclegan.load_state_dict(load_file(HERE / "model.safetensors"))
    styles = config.get("styles", {"a": "style A", "b": "style B"})
    target = styles[args.direction[1]]
    for path in args.pictures:
        picture = fit_square(read_colour(path)).permute(2, 0, 1)[None] * 2 - 1  # [-1, 1], as trained
        there, back = cyclegan.translate(picture, args.direction)
        stem = Path(path).with_name(f"{Path(path).stem}-{args.direction}")
        write_colour_png(((there[0] + 1) / 2).permute(1, 2, 0), f"{stem}.png")
        write_colour_png(((back[0] + 1) / 2).permute(1, 2, 0), f"{stem}-back.png")
        round_trip = float(((back - picture).abs() / 2).mean())
        print(f"{path}: as {target} in {stem.name}.png; round trip {stem.name}-back.png, L1 {round_trip:.4f}")


if __name__ == "__main__":
    main()
