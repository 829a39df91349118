"""The detection lab's training and held-out evaluation: the loop a student can read."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torchvision.ops import batched_nms

from core import scenes
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.labs.base import TrainedModel
from core.labs.detection.model import Candidates, TinyDetector, candidates, select
from core.labs.detection.spec import SPEC
from core.labs.detection.targets import detection_loss, make_targets
from core.runner import TrainContext
from core.training import learning_rate_at, training_progress

HELDOUT_SCENES = 500  # held-out scenes scored at every epoch's end (mAP over ~1,000 objects)
SHOWN_SCENES = 8  # held-out scenes drawn with their detections after each epoch
# What the held-out mAP is computed from: a low threshold keeps the whole precision-recall curve.
EVAL_THRESHOLD, EVAL_NMS_IOU = 0.05, 0.5
SHOWN_THRESHOLD = 0.3


def detections(found: Candidates, score_threshold: float, nms_iou: float) -> Candidates:
    """What the app shows and scores: `select` with torchvision's batched_nms."""
    return select(found, score_threshold, nms_iou, nms=batched_nms)


def scene_sets(config: dict[str, Any], data_dir: str | None, train_count: int) -> tuple:
    """The training and held-out scenes a config describes (rebuilt exactly from its seed)."""
    made = {
        split: scenes.make_scenes(
            config["scene_seed"], split, count, config["objects"], config["max_objects"], data_dir
        )
        for split, count in (("train", train_count), ("heldout", HELDOUT_SCENES))
    }
    return made["train"], made["heldout"]


@torch.no_grad()
def heldout_figures(model: TinyDetector, heldout: scenes.SceneSet, batch_size: int = 250) -> dict[str, float]:
    """mAP@0.5 and mAP@[0.5:0.95] (torchmetrics, COCO's way) and the loss parts, held out."""
    from torchmetrics.detection import MeanAveragePrecision  # imports pycocotools: slow, once

    metric = MeanAveragePrecision(box_format="xyxy", iou_type="bbox")
    targets = make_targets(heldout.boxes, heldout.labels)
    sums: dict[str, float] = {}
    was_training = model.training
    model.eval()
    for start in range(0, len(heldout), batch_size):
        images = heldout.images[start : start + batch_size]
        parts = detection_loss(model(images), targets[torch.arange(start, start + len(images))])
        for name, value in parts.items():
            sums[name] = sums.get(name, 0.0) + float(value) * len(images)
        found = [detections(c, EVAL_THRESHOLD, EVAL_NMS_IOU) for c in candidates(model, images)]
        metric.update(
            [{"boxes": f.boxes, "scores": f.scores, "labels": f.labels} for f in found],
            [
                {"boxes": heldout.boxes[start + i], "labels": heldout.labels[start + i]}
                for i in range(len(images))
            ],
        )
    model.train(was_training)
    result = metric.compute()
    return {"map50": float(result["map_50"]), "map": float(result["map"])} | {
        name: value / len(heldout) for name, value in sums.items()
    }


def caption(found: Candidates, truth: torch.Tensor, classes: tuple[str, ...]) -> str:
    true_names = " ".join(sorted(classes[int(label)] for label in truth))
    seen = " ".join(
        f"{classes[int(label)]} {float(score):.2f}"
        for label, score in zip(found.labels, found.scores, strict=True)
    )
    return f"true: {true_names} · found: {seen or 'nothing'}"


def detection_samples(model: TinyDetector, heldout: scenes.SceneSet, step: int, title: str) -> Samples:
    """The first held-out scenes with the boxes found at a score of at least SHOWN_THRESHOLD."""
    shown = heldout.images[:SHOWN_SCENES]
    pictures, captions = [], []
    for n, found in enumerate(candidates(model, shown)):
        found = detections(found, SHOWN_THRESHOLD, EVAL_NMS_IOU)
        image = shown[n].permute(1, 2, 0).numpy()
        pictures.append(
            scenes.draw_boxes(
                image,
                found.boxes.numpy(),
                found.labels.numpy(),
                heldout.classes,
                found.scores.numpy(),
                scale=3,
            )
        )
        captions.append(caption(found, heldout.labels[n], heldout.classes))
    return Samples(step, np.stack(pictures), tuple(captions), title=title)


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Train the detector on the scenes: the three loss parts at every step, held-out mAP and
    the detections on a few held-out scenes after every epoch."""
    config = {
        "lab": SPEC.id,
        "architecture": "tiny-detector",
        "objects": params["objects"],
        "max_objects": params["max_objects"],
        "scene_seed": params["scene_seed"],
        "width": params["width"],
        "params": params,
    }
    train_set, heldout = scene_sets(config, ctx.data_dir, params["train_scenes"])
    config |= {
        "classes": list(train_set.classes),
        "input": {"size": [scenes.SCENE_SIZE, scenes.SCENE_SIZE], "range": [0, 1], "channels": "RGB"},
        "data": {"description": f"{train_set.description}; {heldout.description}"},
    }
    if params["fresh_scenes"]:
        config["data"]["description"] = config["data"]["description"].replace(
            " training scenes", " new training scenes every epoch", 1
        )
    targets = make_targets(train_set.boxes, train_set.labels)
    model = TinyDetector(len(train_set.classes), params["width"]).to(memory_format=torch.channels_last)
    optimizer = torch.optim.AdamW(model.parameters(), lr=params["learning_rate"], weight_decay=1e-4)
    batch_size = params["batch_size"]
    steps_per_epoch = math.ceil(len(train_set) / batch_size)
    total_steps = params["epochs"] * steps_per_epoch

    ctx.watch(model)
    step = 0
    for epoch in range(params["epochs"]):
        if epoch and params["fresh_scenes"]:
            # New scenes every epoch: the same training digits at new sizes, places and colours
            # on new crops. With one fixed set the detector learns its scenes by heart (its
            # held-out mAP stalls near 0.8 while the training loss keeps falling).
            train_set = scenes.generate_scenes(
                config["scene_seed"],
                "train",
                params["train_scenes"],
                config["objects"],
                config["max_objects"],
                ctx.data_dir,
                first=epoch * params["train_scenes"],
            )
            targets = make_targets(train_set.boxes, train_set.labels)
        model.train()
        order = torch.randperm(len(train_set), generator=ctx.generator)
        sums, seen = {}, 0
        for start in range(0, len(train_set), batch_size):
            step += 1
            lr = learning_rate_at(
                training_progress(step, total_steps, ctx), params["learning_rate"], params["schedule"]
            )
            for group in optimizer.param_groups:
                group["lr"] = lr
            batch = order[start : start + batch_size]
            images = train_set.images[batch].contiguous(memory_format=torch.channels_last)
            parts = detection_loss(model(images), targets[batch])
            optimizer.zero_grad(set_to_none=True)
            parts["loss"].backward()
            optimizer.step()

            values = {name: value.item() for name, value in parts.items()}
            for name, value in values.items():
                sums[name] = sums.get(name, 0.0) + value * len(batch)
            seen += len(batch)
            yield Progress(step, total_steps, epoch + seen / len(train_set), values)
            if ctx.should_stop():
                break
        final = heldout_figures(model, heldout)
        epoch_metrics = {f"train_{name}": value / max(1, seen) for name, value in sums.items()}
        epoch_metrics |= {f"heldout_{name}": value for name, value in final.items()}
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        yield detection_samples(
            model, heldout, step, f"Held-out scenes, boxes scored {SHOWN_THRESHOLD}+ after epoch {epoch + 1}"
        )
        if ctx.should_stop():
            break

    metrics = {
        "heldout_map50": final["map50"],
        "heldout_map": final["map"],
        "heldout_loss": final["loss"],
        "heldout_size": len(heldout),
        "heldout_objects": int(sum(len(labels) for labels in heldout.labels)),
        "train_seconds": round(ctx.elapsed(), 2),
        "steps": step,
        "dataset": config["data"]["description"],
    }
    config["training"] = {"device": "cpu", "seconds": round(ctx.elapsed(), 2)}
    yield Trained(model.eval(), config, metrics)


def heldout_scenes(trained: TrainedModel, data_dir: str | None = None) -> scenes.SceneSet:
    """The held-out scenes of the model's training (rebuilt from its scene seed)."""
    config = trained.config
    return scenes.make_scenes(
        config["scene_seed"], "heldout", HELDOUT_SCENES, config["objects"], config["max_objects"], data_dir
    )


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """Held-out mAP@0.5, mAP@[0.5:0.95] and the loss parts on the model's held-out scenes."""
    heldout = heldout_scenes(trained, data_dir)
    figures = heldout_figures(trained.model, heldout)
    return {
        "lab": SPEC.id,
        "objects": trained.config["objects"],
        "heldout_map50": figures["map50"],
        "heldout_map": figures["map"],
        "heldout_loss": figures["loss"],
        "heldout_objectness": figures["objectness"],
        "heldout_class": figures["class"],
        "heldout_box": figures["box"],
        "heldout_size": len(heldout),
        "data": heldout.description,
    }
