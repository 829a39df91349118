"""What a student does with the trained UNet: pure functions of (networks, scene)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from core import scenes
from core.imaging import example_photo
from core.interactions import Interaction, Output, photo_input
from core.labs.base import TrainedModel
from core.labs.segmentation.model import MODEL_NAMES
from core.labs.segmentation.train import HELDOUT_SCENES, THRESHOLD, error_picture, mask_scores, scene_set
from core.scene_views import PREVIEW, check_index, photo_choice, scene_index, square_scene
from core.specs import Param

OBJECTS_HELP = (
    "Objects to paste, separated by ';': CLASS at X,Y (the top-left corner, 0 to 63) and "
    "optionally size S (pixels, 10 to 32). E.g. '7 at 6,8; 3 at 36,30 size 26'."
)


@torch.no_grad()
def masks_of(trained: TrainedModel, image: np.ndarray, threshold: float) -> dict[str, np.ndarray]:
    pixels = torch.from_numpy(image).permute(2, 0, 1)[None].contiguous()
    return {
        name: (model.eval()(pixels)[0, 0].sigmoid() >= threshold).long().numpy()
        for name, model in trained.model.items()
    }


def threshold_input() -> Param:
    return Param(
        "threshold",
        "float",
        THRESHOLD,
        "A pixel is marked 'object' where the network's probability reaches this.",
        label="Probability threshold",
        low=0.05,
        high=0.95,
        step=0.05,
    )


def compared(image: np.ndarray, truth: np.ndarray, trained: TrainedModel, threshold: float) -> dict[str, Any]:
    """The scene, its true mask and each network's, errors marked, with their IoU and Dice."""
    predicted = masks_of(trained, image, threshold)
    result: dict[str, Any] = {"scene": image, "truth": truth.astype(np.float32)}
    rows = []
    for name, mask in predicted.items():
        result[name] = error_picture(mask, truth)
        s = mask_scores(torch.from_numpy(mask), torch.from_numpy(truth.astype(np.int64)))
        wrong = int((mask != truth).sum())
        rows.append(f"| {MODEL_NAMES[name]} | {s['object_iou']:.3f} | {s['dice']:.3f} | {wrong} |")
    result["scores"] = (
        "| network | object IoU | Dice | wrong pixels |\n| --- | --- | --- | --- |\n"
        + "\n".join(rows)
        + "\n\nWhite: object found · red: photo marked as object · blue: object missed."
    )
    return result


def heldout(trained: TrainedModel, index: int, threshold: float) -> dict[str, Any]:
    """A held-out scene: its true mask and each network's, errors marked."""
    check_index(index, HELDOUT_SCENES)
    scene_set_ = scene_set(trained.config, "heldout", HELDOUT_SCENES)
    image = scene_set_.images[index].permute(1, 2, 0).numpy()
    return compared(image, (scene_set_.masks[index] > 0).numpy().astype(np.int64), trained, threshold)


def compose(trained: TrainedModel, objects: str, background: str, threshold: float) -> dict[str, Any]:
    """A scene the student lays out, segmented."""
    classes = scenes.object_classes(trained.config.get("objects", "digits"))
    scene = scenes.compose(
        scenes.parse_placements(objects, classes), background, trained.config.get("objects", "digits")
    )
    return compared(scene.image, (scene.mask > 0).astype(np.int64), trained, threshold)


def photo(trained: TrainedModel, photo: np.ndarray, threshold: float) -> dict[str, Any]:
    """Any photo's centre square at 64x64, and what the UNet marks in it."""
    image = square_scene(photo)
    mask = masks_of(trained, image, threshold)["unet"]
    return {
        "scene": image,
        "unet": scenes.mask_overlay(image, mask),
        "scores": f"The UNet marks {mask.mean():.1%} of the pixels as object. It learnt strokes "
        "pasted onto photos: digits written boldly on paper are the fair test.",
    }


SCENE = Output("scene", "image", "Scene", size=256)
TRUTH = Output("truth", "image", "True mask", size=256)
UNET = Output("unet", "image", "UNet", size=256, help="White: found; red: false object; blue: missed.")
NO_SKIPS = Output(
    "no_skips", "image", "Without skips", size=256, help="The same network without skip connections."
)
SCORES = Output("scores", "markdown", "")

INTERACTIONS = (
    Interaction(
        "heldout",
        "Held-out scenes",
        "A scene the networks never saw: the true mask beside the UNet's and the no-skip "
        "network's, errors marked.",
        heldout,
        inputs=(scene_index(HELDOUT_SCENES), threshold_input()),
        outputs=(SCENE, TRUTH, UNET, NO_SKIPS, SCORES),
        example={"index": 2},
    ),
    Interaction(
        "compose",
        "Your scene",
        "Lay out a scene: which objects, where and how large, on which photo.",
        compose,
        inputs=(
            Param("objects", "text", "7 at 6,8; 3 at 36,30 size 26", OBJECTS_HELP, label="Objects", lines=1),
            photo_choice(),
            threshold_input(),
        ),
        outputs=(SCENE, TRUTH, UNET, NO_SKIPS, SCORES),
        example={"objects": "2 at 4,4; 8 at 34,32 size 28", "background": "astronaut"},
    ),
    Interaction(
        "photo",
        "Your photo",
        "Your own photo (its centre square, shrunk to 64x64), and the pixels the UNet marks.",
        photo,
        inputs=(photo_input(default="coffee"), threshold_input()),
        outputs=(SCENE, Output("unet", "image", "What the UNet marks", size=256), SCORES),
        example={"photo": example_photo},
    ),
    PREVIEW,
)
