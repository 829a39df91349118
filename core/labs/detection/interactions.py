"""What a student does with the trained detector: pure functions of (model, scene, sliders).

The network runs once per scene; its candidates (every cell's box, score and class) are kept
with the model, so moving the score-threshold or NMS-IoU slider only filters them again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from core import scenes
from core.imaging import example_photo
from core.interactions import Interaction, Output, photo_input
from core.labs.base import TrainedModel
from core.labs.detection.model import Candidates, candidates
from core.labs.detection.train import HELDOUT_SCENES, detections, heldout_scenes
from core.scene_views import PREVIEW, check_index, photo_choice, scene_index, square_scene
from core.specs import Param

CACHED_SCENES = 64  # candidates kept per model (a student browsing scenes and moving sliders)
_cache_lock = threading.Lock()


def cached_candidates(trained: TrainedModel, key: str, image: Callable[[], np.ndarray]) -> Candidates:
    """The model's candidates for a scene, computed once per (model, scene). The cache lives on
    the model object, so it goes with it, and one student's model never answers another's."""
    with _cache_lock:
        cache = trained.model.__dict__.setdefault("_scene_candidates", OrderedDict())
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    pixels = torch.from_numpy(image()).permute(2, 0, 1)[None].contiguous()
    found = candidates(trained.model, pixels)[0]
    with _cache_lock:
        cache[key] = found
        while len(cache) > CACHED_SCENES:
            cache.popitem(last=False)
    return found


def score_input() -> Param:
    return Param(
        "score_threshold",
        "float",
        0.3,
        "Boxes scoring less (objectness x class probability) are not shown.",
        label="Score threshold",
        low=0.0,
        high=1.0,
        step=0.05,
    )


def nms_input() -> Param:
    return Param(
        "nms_iou",
        "float",
        0.5,
        "A box overlapping a better-scored box of its class by more than this IoU is dropped; "
        "1 keeps them all.",
        label="NMS IoU",
        low=0.05,
        high=1.0,
        step=0.05,
    )


def classes_of(trained: TrainedModel) -> tuple[str, ...]:
    return tuple(trained.config["classes"])


def detections_table(found: Candidates, classes: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "class": classes[int(label)],
            "score": round(float(score), 3),
            "box (x0, y0, x1, y1)": [round(float(v), 1) for v in box],
        }
        for box, score, label in zip(found.boxes, found.scores, found.labels, strict=True)
    ]


def drawn(image: np.ndarray, found: Candidates, classes: tuple[str, ...]) -> np.ndarray:
    return scenes.draw_boxes(image, found.boxes.numpy(), found.labels.numpy(), classes, found.scores.numpy())


def summary(
    found: Candidates, raw: Candidates, score_threshold: float, nms_iou: float, classes: tuple[str, ...]
) -> str:
    passing = int((raw.scores >= score_threshold).sum())
    names = ", ".join(
        f"**{classes[int(label)]}** {float(score):.2f}"
        for label, score in zip(found.labels, found.scores, strict=True)
    )
    return (
        f"{len(found.scores)} boxes shown: {names or 'none'}. Of the {len(raw.scores)} cells' "
        f"candidates, {passing} score at least {score_threshold:.2f}; non-maximum suppression at "
        f"IoU {nms_iou:.2f} keeps {len(found.scores)}."
    )


def match_note(found: Candidates, boxes: np.ndarray, labels: np.ndarray, classes: tuple[str, ...]) -> str:
    """Each true object: found (IoU >= 0.5 with a box of its class) or missed."""
    from torchvision.ops import box_iou

    if len(boxes) == 0:
        return ""
    ious = box_iou(torch.from_numpy(boxes), found.boxes) if len(found.scores) else torch.zeros(len(boxes), 0)
    lines = []
    for i, label in enumerate(labels):
        right = [
            j
            for j in range(len(found.scores))
            if int(found.labels[j]) == int(label) and float(ious[i, j]) >= 0.5
        ]
        lines.append(
            f"{classes[int(label)]}: "
            + (f"found (IoU {float(ious[i, right].max()):.2f})" if right else "missed")
        )
    return " · ".join(lines)


def heldout(trained: TrainedModel, index: int, score_threshold: float, nms_iou: float) -> dict[str, Any]:
    """A held-out scene: the boxes found beside the true ones."""
    check_index(index, HELDOUT_SCENES)
    scene_set = heldout_scenes(trained)
    image = scene_set.images[index].permute(1, 2, 0).numpy()
    raw = cached_candidates(trained, f"heldout-{index}", lambda: image)
    found = detections(raw, score_threshold, nms_iou)
    classes = classes_of(trained)
    truth_boxes, truth_labels = scene_set.boxes[index].numpy(), scene_set.labels[index].numpy()
    return {
        "found": drawn(image, found, classes),
        "truth": scenes.draw_boxes(image, truth_boxes, truth_labels, classes),
        "summary": summary(found, raw, score_threshold, nms_iou, classes)
        + "\n\n"
        + match_note(found, truth_boxes, truth_labels, classes),
        "detections": detections_table(found, classes),
    }


def compose(
    trained: TrainedModel, objects: str, background: str, score_threshold: float, nms_iou: float
) -> dict[str, Any]:
    """A scene the student lays out: the boxes found beside the true ones."""
    classes = classes_of(trained)
    placements = scenes.parse_placements(objects, classes)
    scene = scenes.compose(placements, background, trained.config.get("objects", "digits"))
    key = "compose-" + repr((placements, background))
    raw = cached_candidates(trained, key, lambda: scene.image)
    found = detections(raw, score_threshold, nms_iou)
    return {
        "found": drawn(scene.image, found, classes),
        "truth": scenes.draw_boxes(scene.image, scene.boxes, scene.labels, classes),
        "summary": summary(found, raw, score_threshold, nms_iou, classes)
        + "\n\n"
        + match_note(found, scene.boxes, scene.labels, classes),
        "detections": detections_table(found, classes),
    }


def photo(trained: TrainedModel, photo: np.ndarray, score_threshold: float, nms_iou: float) -> dict[str, Any]:
    """Any photo, its centre square shrunk to the 64x64 scene the detector reads."""
    image = square_scene(photo)
    key = "photo-" + hashlib.blake2b(image.tobytes(), digest_size=16).hexdigest()
    raw = cached_candidates(trained, key, lambda: image)
    found = detections(raw, score_threshold, nms_iou)
    classes = classes_of(trained)
    note = (
        summary(found, raw, score_threshold, nms_iou, classes)
        + "\n\nThe detector only knows its "
        + f"{len(classes)} classes ({', '.join(classes)}), pasted onto photos: a photo of digits "
        "written on paper, filling the centre square, is the fair test. On anything else it is "
        "guessing, and its scores say so."
    )
    return {
        "found": drawn(image, found, classes),
        "summary": note,
        "detections": detections_table(found, classes),
    }


OBJECTS_HELP = (
    "Objects to paste, separated by ';': CLASS at X,Y (the top-left corner, 0 to 63) and "
    "optionally size S (pixels, 10 to 32). E.g. '7 at 6,8; 3 at 36,30 size 26'."
)

FOUND = Output(
    "found", "image", "What the detector found", size=320, help="Each box: class and score; colour by class."
)
TRUTH = Output("truth", "image", "The true boxes", size=320, help="Where each object was pasted.")
SUMMARY = Output("summary", "markdown", "")
TABLE = Output("detections", "table", "Detections", shown=False)

INTERACTIONS = (
    Interaction(
        "heldout",
        "Held-out scenes",
        "The detector on scenes it never saw (test objects on unseen parts of the photos). Move "
        "the sliders: lower the threshold to see the weak guesses, set NMS IoU to 1 to see every "
        "cell's box piled on each object.",
        heldout,
        inputs=(scene_index(HELDOUT_SCENES), score_input(), nms_input()),
        outputs=(FOUND, TRUTH, SUMMARY, TABLE),
        example={"index": 3, "score_threshold": 0.3, "nms_iou": 0.5},
    ),
    Interaction(
        "compose",
        "Your scene",
        "Lay out a scene: which objects, where and how large, on which photo. Crowd them, make "
        "them small, or overlap them, and see where the detector gives up.",
        compose,
        inputs=(
            Param("objects", "text", "7 at 6,8; 3 at 36,30 size 26", OBJECTS_HELP, label="Objects", lines=1),
            photo_choice(),
            score_input(),
            nms_input(),
        ),
        outputs=(FOUND, TRUTH, SUMMARY, TABLE),
        example={"objects": "2 at 4,4; 8 at 34,32 size 28", "background": "astronaut"},
    ),
    Interaction(
        "photo",
        "Your photo",
        "Your own photo (its centre square, shrunk to 64x64): write a few large digits on paper "
        "and take a picture.",
        photo,
        inputs=(photo_input(default="coffee"), score_input(), nms_input()),
        outputs=(FOUND, SUMMARY, TABLE),
        example={"photo": example_photo},
    ),
    PREVIEW,
)
