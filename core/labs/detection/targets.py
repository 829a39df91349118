"""What each cell of the detector's grid should say (the targets) and the loss that teaches it.

Kept apart from model.py, which needs nothing but torch (an export ships it): these need numpy
and torchvision, and only training uses them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torchvision.ops import generalized_box_iou_loss

from core.labs.detection.model import GRID, STRIDE, to_boxes

CENTRE_RADIUS = 1  # cells this close to an object's centre cell also learn its class and box


@dataclass
class Targets:
    heat: torch.Tensor  # (N, G, G): 1 at each object's centre cell, a Gaussian bump around it
    classes: torch.Tensor  # (N, G, G): the class a cell must name, -1 where it names none
    boxes: torch.Tensor  # (N, G, G, 4): the box a cell must draw (where classes >= 0)

    def __getitem__(self, index: torch.Tensor) -> Targets:
        return Targets(self.heat[index], self.classes[index], self.boxes[index])


def make_targets(boxes: list[torch.Tensor], labels: list[torch.Tensor]) -> Targets:
    """The targets of every scene, computed once before training (boxes in pixels)."""
    count = len(boxes)
    heat = np.zeros((count, GRID, GRID), dtype=np.float32)
    classes = np.full((count, GRID, GRID), -1, dtype=np.int64)
    cells = np.zeros((count, GRID, GRID, 4), dtype=np.float32)
    centre = (np.arange(GRID) + 0.5) * STRIDE
    for n, (scene_boxes, scene_labels) in enumerate(zip(boxes, labels, strict=True)):
        scene_boxes, scene_labels = scene_boxes.numpy(), scene_labels.numpy()
        # Larger objects first, so a small one's cells are not overwritten by a large one.
        order = np.argsort(-(scene_boxes[:, 2] - scene_boxes[:, 0]) * (scene_boxes[:, 3] - scene_boxes[:, 1]))
        for box, label in zip(scene_boxes[order], scene_labels[order], strict=True):
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            column, row = min(int(cx // STRIDE), GRID - 1), min(int(cy // STRIDE), GRID - 1)
            # The bump's width grows with the object: a cell one step off a large object's
            # centre is nearly as good a centre as the centre itself.
            sigma = max(0.5, min(box[2] - box[0], box[3] - box[1]) / STRIDE / 6)
            bump = np.exp(
                -((np.arange(GRID)[None, :] - column) ** 2 + (np.arange(GRID)[:, None] - row) ** 2)
                / (2 * sigma**2)
            )
            heat[n] = np.maximum(heat[n], bump)
            heat[n, row, column] = 1.0
            # Centre sampling (FCOS): the cells near the centre and inside the box learn it.
            for r in range(max(0, row - CENTRE_RADIUS), min(GRID, row + CENTRE_RADIUS + 1)):
                for c in range(max(0, column - CENTRE_RADIUS), min(GRID, column + CENTRE_RADIUS + 1)):
                    if box[0] <= centre[c] <= box[2] and box[1] <= centre[r] <= box[3]:
                        classes[n, r, c] = label
                        cells[n, r, c] = box
            classes[n, row, column], cells[n, row, column] = label, box
    return Targets(torch.from_numpy(heat), torch.from_numpy(classes), torch.from_numpy(cells))


# --- the loss, in its three parts ----------------------------------------------------------------


def detection_loss(
    outputs: tuple[torch.Tensor, torch.Tensor, torch.Tensor], targets: Targets
) -> dict[str, torch.Tensor]:
    """The three parts of the loss, each a mean, and their sum ("loss")."""
    objectness, class_logits, distances = outputs
    logit = objectness[:, 0]
    # Objectness: CenterNet's focal loss. Centre cells are pushed to 1; every other cell to 0,
    # less hard the nearer it is to a centre ((1 - heat)^4), and less hard once it is already
    # low (p^2): the thousands of easy empty cells do not drown the few centres.
    centres = targets.heat.eq(1.0)
    p = logit.sigmoid()
    positive = -((1 - p) ** 2 * F.logsigmoid(logit))[centres].sum()
    negative = -((1 - targets.heat) ** 4 * p**2 * F.logsigmoid(-logit))[~centres].sum()
    objects = centres.sum().clamp(min=1)
    objectness_loss = (positive + negative) / objects
    # Class and box: only where a cell is responsible for an object.
    assigned = targets.classes >= 0
    class_loss = F.cross_entropy(class_logits.permute(0, 2, 3, 1)[assigned], targets.classes[assigned])
    # Box: generalised IoU, which scores a box by its overlap, the same at every size.
    box_loss = generalized_box_iou_loss(
        to_boxes(distances)[assigned], targets.boxes[assigned], reduction="mean"
    )
    return {
        "loss": objectness_loss + class_loss + box_loss,
        "objectness": objectness_loss,
        "class": class_loss,
        "box": box_loss,
    }
