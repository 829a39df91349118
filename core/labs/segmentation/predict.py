"""Mark the object pixels of a picture with the UNet (and, when it was trained beside it, the
same network without skips) exported from Deep Learning Labs' segmentation lab.

    python predict.py SCENE.png [SCENE2.png ...] [--threshold 0.5]

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the networks, pictures.py reads and writes the pictures, model.safetensors and
config.json hold what was trained. A picture is an 8-bit PNG (colour or grey) or PGM; the
networks read 64x64 scenes, so a larger picture's centre square is shrunk to 64x64 (by
averaging: the app uses Lanczos, so only a 64x64 picture reads exactly as in the app). A pixel
is "object" where a network's probability reaches the threshold (the app's default, 0.5).
Writes SCENE-unet.png (and SCENE-no_skips.png): the mask, white on black, 64x64, and prints
the share of the picture each network marks.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from model import MODEL_NAMES, build_models
from pictures import centre_square, read_colour, write_png
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
SIZE = 64  # the scenes the networks learnt from


@torch.no_grad()
def masks(networks: torch.nn.ModuleDict, scene: torch.Tensor, threshold: float) -> dict[str, torch.Tensor]:
    """(64, 64, 3) in [0, 1] -> each network's (64, 64) mask of 0 and 1."""
    pixels = scene.permute(2, 0, 1)[None].contiguous()
    return {
        name: (network(pixels)[0, 0].sigmoid() >= threshold).float() for name, network in networks.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pictures", nargs="+")
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args()
    if not 0 < args.threshold < 1:
        parser.error("the threshold is a probability between 0 and 1")
    config = json.loads((HERE / "config.json").read_text())
    networks = build_models(int(config["width"]), bool(config.get("compare", False)))
    networks.load_state_dict(load_file(HERE / "model.safetensors"))
    networks.eval()
    for path in args.pictures:
        found = masks(networks, centre_square(read_colour(path), SIZE), args.threshold)
        for name, mask in found.items():
            write_png(mask, Path(path).with_name(f"{Path(path).stem}-{name}.png"))
        shares = "; ".join(
            f"{MODEL_NAMES[name]}: {float(mask.mean()):.1%} object" for name, mask in found.items()
        )
        print(f"{path}: {shares}")


if __name__ == "__main__":
    main()
