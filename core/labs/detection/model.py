"""A small one-stage, anchor-free detector (CenterNet/FCOS-like), written out plainly.

The scene (64x64) goes through a few convolutions down to a 16x16 grid: each grid cell (4x4
pixels of the scene) answers three questions, one head each:
- objectness: is an object's centre in this cell? (one logit)
- class: which class is that object? (one logit per class)
- box: how far are its left, top, right and bottom edges from this cell's centre? (four numbers)
A detection is a cell whose score, objectness x class probability, passes a threshold; boxes
that overlap a better-scored box of the same class are removed by non-maximum suppression.

What each cell should learn (the targets) and the loss are in targets.py; this file needs nothing
but torch, so that an export's predict.py runs it alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

SCENE_SIZE = 64  # pixels on each side: core.scenes' (this file needs nothing but torch, so that
# an export runs it alone; a test checks the two agree)
STRIDE = 4  # pixels of the scene per grid cell
GRID = SCENE_SIZE // STRIDE  # 16x16 cells


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


def select(
    found: Candidates, score_threshold: float, nms_iou: float, limit: int = 50, nms: Callable | None = None
) -> Candidates:
    """The detections: candidates scoring at least the threshold, then non-maximum suppression
    per class (a box is dropped when it overlaps a better one of its class by more than
    `nms_iou`; 1 keeps every box). The app passes torchvision's `batched_nms` as `nms`; this
    file's own `class_nms` (the same boxes kept, checked in the tests) needs torch alone."""
    keep = (found.scores >= score_threshold).nonzero().flatten()
    boxes, scores, labels = found.boxes[keep], found.scores[keep], found.labels[keep]
    suppress = nms or class_nms
    kept = suppress(boxes, scores, labels, nms_iou) if nms_iou < 1.0 else scores.argsort(descending=True)
    kept = kept[:limit]
    return Candidates(boxes[kept], scores[kept], labels[kept])


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(A, 4) and (B, 4) boxes (x0, y0, x1, y1) -> (A, B) intersection over union."""
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    top_left = torch.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    overlap = (bottom_right - top_left).clamp(min=0).prod(-1)
    return overlap / (area_a[:, None] + area_b[None, :] - overlap)


def class_nms(boxes: torch.Tensor, scores: torch.Tensor, labels: torch.Tensor, iou: float) -> torch.Tensor:
    """Non-maximum suppression per class, in plain torch (torchvision's batched_nms): going down
    the scores, a box is kept unless it overlaps a kept box of its class by more than `iou`.
    The indices kept, best score first."""
    order = scores.argsort(descending=True)
    ranked_boxes, ranked_labels = boxes[order], labels[order]
    same_class = ranked_labels[:, None] == ranked_labels[None, :]
    # drops[i, j]: box i, ranked above box j, would drop it if box i is kept.
    drops = torch.triu((box_iou(ranked_boxes, ranked_boxes) > iou) & same_class, diagonal=1)
    # Kept: no kept box drops it. Solved for every box at once, again until nothing changes:
    # each round settles at least the next box in rank order, and a chain of overlapping boxes
    # is rarely more than a few long, so a few rounds of one matrix test do it.
    kept = torch.ones(len(order), dtype=torch.bool)
    while True:
        again = ~(drops & kept[:, None]).any(0)
        if torch.equal(again, kept):
            return order[kept]
        kept = again
