"""A small one-stage, anchor-free detector (CenterNet/FCOS-like), written out plainly.

The scene (64x64) goes through a few convolutions down to a 16x16 grid: each grid cell (4x4
pixels of the scene) answers three questions, one head each:
- objectness: is an object's centre in this cell? (one logit)
- class: which class is that object? (one logit per class)
- box: how far are its left, top, right and bottom edges from this cell's centre? (four numbers)
A detection is a cell whose score, objectness x class probability, passes a threshold; boxes
that overlap a better-scored box of the same class are removed by non-maximum suppression.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.ops import batched_nms, generalized_box_iou_loss

from core.scenes import SCENE_SIZE

STRIDE = 4  # pixels of the scene per grid cell
GRID = SCENE_SIZE // STRIDE  # 16x16 cells
CENTRE_RADIUS = 1  # cells this close to an object's centre cell also learn its class and box


def conv(c_in: int, c_out: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    """3x3 convolution, batch norm, ReLU: the only building block."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class TinyDetector(nn.Module):
    def __init__(self, classes: int, width: int = 32):
        super().__init__()
        self.backbone = nn.Sequential(
            conv(3, width // 2, stride=2),  # 32x32
            conv(width // 2, width, stride=2),  # 16x16: the grid
            conv(width, width),
            # Dilated convolutions widen what each cell sees (to about 60 pixels, a whole
            # object) without shrinking the grid.
            conv(width, width, dilation=2),
            conv(width, width),
            conv(width, width, dilation=2),
        )
        self.objectness = nn.Conv2d(width, 1, 1)
        self.classes = nn.Conv2d(width, classes, 1)
        self.box = nn.Conv2d(width, 4, 1)
        # Start by saying "no object" almost everywhere (most cells are empty): a prior of 1%,
        # as in RetinaNet, so the first steps are not spent unlearning a 50% guess.
        nn.init.constant_(self.objectness.bias, -4.6)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(N, 3, 64, 64) in [0, 1] -> objectness (N, 1, G, G), class logits (N, C, G, G) and
        box edge distances in pixels (N, 4, G, G)."""
        features = self.backbone(x - 0.5)
        # exp keeps the distances positive; one cell's stride is the unit.
        distances = self.box(features).clamp(max=4.0).exp() * STRIDE
        return self.objectness(features), self.classes(features), distances


def cell_centres() -> torch.Tensor:
    """(G, G, 2) x, y of every cell's centre, in scene pixels."""
    centre = (torch.arange(GRID, dtype=torch.float32) + 0.5) * STRIDE
    y, x = torch.meshgrid(centre, centre, indexing="ij")
    return torch.stack([x, y], dim=-1)


def to_boxes(distances: torch.Tensor) -> torch.Tensor:
    """Edge distances (N, 4, G, G) -> boxes (N, G, G, 4) as x0, y0, x1, y1 pixels."""
    left, top, right, bottom = distances.permute(0, 2, 3, 1).unbind(-1)
    centres = cell_centres().to(distances.device)
    x, y = centres[..., 0], centres[..., 1]
    return torch.stack([x - left, y - top, x + right, y + bottom], dim=-1)


# --- what each cell should say: the targets --------------------------------------------------


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


# --- from grid to detections --------------------------------------------------------------------


@dataclass
class Candidates:
    """Every cell's best guess for one scene, before any threshold: cached so that moving the
    score or NMS sliders only filters these (no network pass)."""

    boxes: torch.Tensor  # (G*G, 4) pixels, clipped to the scene
    scores: torch.Tensor  # (G*G,) objectness x class probability
    labels: torch.Tensor  # (G*G,) int64


@torch.inference_mode()
def candidates(model: TinyDetector, images: torch.Tensor) -> list[Candidates]:
    """Every cell's box, score and class for each of `images` (N, 3, 64, 64)."""
    model.eval()
    objectness, class_logits, distances = model(images)
    class_probability, labels = class_logits.softmax(1).max(1)
    scores = objectness[:, 0].sigmoid() * class_probability
    boxes = to_boxes(distances).clamp(0, SCENE_SIZE)
    return [
        Candidates(boxes[n].reshape(-1, 4), scores[n].reshape(-1), labels[n].reshape(-1))
        for n in range(len(images))
    ]


def select(found: Candidates, score_threshold: float, nms_iou: float, limit: int = 50) -> Candidates:
    """The detections: candidates scoring at least the threshold, then non-maximum suppression
    per class (a box is dropped when it overlaps a better one of its class by more than
    `nms_iou`; 1 keeps every box)."""
    keep = (found.scores >= score_threshold).nonzero().flatten()
    boxes, scores, labels = found.boxes[keep], found.scores[keep], found.labels[keep]
    kept = batched_nms(boxes, scores, labels, nms_iou) if nms_iou < 1.0 else scores.argsort(descending=True)
    kept = kept[:limit]
    return Candidates(boxes[kept], scores[kept], labels[kept])
