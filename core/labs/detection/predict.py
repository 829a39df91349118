"""Find the objects in a picture with the small detector exported from Deep Learning Labs'
detection lab: a box, a class and a score for each.

    python predict.py SCENE.png [SCENE2.png ...] [--score 0.3] [--nms 0.5]

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the detector and turns its grid into boxes (non-maximum suppression in plain torch),
pictures.py reads the pictures, model.safetensors and config.json hold what was trained and the
class names. A picture is an 8-bit PNG (colour or grey) or PGM; the detector reads 64x64
scenes, so a larger picture's centre square is shrunk to 64x64 (by averaging: the app uses
Lanczos, so only a 64x64 picture reads exactly as in the app). As in the app, a box is kept
when its score (objectness x class probability) reaches --score, and a box overlapping a
better-scored box of its class by more than --nms (IoU) is dropped; --nms 1 keeps them all.
Prints one line per box, best first: the picture, the class, the score and the box as x0, y0,
x1, y1 in the 64x64 scene's pixels.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from model import SCENE_SIZE, TinyDetector, candidates, select
from pictures import centre_square, read_colour
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pictures", nargs="+")
    parser.add_argument("--score", type=float, default=0.3, help="the least score shown (the app's 0.3)")
    parser.add_argument("--nms", type=float, default=0.5, help="the IoU above which NMS drops a box (0.5)")
    args = parser.parse_args()
    if not 0 <= args.score <= 1 or not 0 < args.nms <= 1:
        parser.error("--score is between 0 and 1, --nms above 0 and at most 1")
    config = json.loads((HERE / "config.json").read_text())
    classes = config["classes"]
    detector = TinyDetector(len(classes), int(config.get("width", 32)))
    detector.load_state_dict(load_file(HERE / "model.safetensors"))
    for path in args.pictures:
        scene = centre_square(read_colour(path), SCENE_SIZE).permute(2, 0, 1)[None].contiguous()
        found = select(candidates(detector, scene)[0], args.score, args.nms)
        if len(found.scores) == 0:
            print(f"{path}: no box scores at least {args.score:.2f}")
        for box, score, label in zip(
            found.boxes.tolist(), found.scores.tolist(), found.labels.tolist(), strict=True
        ):
            print(f"{path}: {classes[label]} {score:.4f} at {', '.join(f'{v:.2f}' for v in box)}")


if __name__ == "__main__":
    main()
