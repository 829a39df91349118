"""The segmentation lab's training and held-out evaluation: the loop a student can read.

With `compare` on, the UNet and the same network without skips take turns on the very same
batches, from the same starting seed: any difference is the skip connections'.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

from core import scenes
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.labs.base import TrainedModel
from core.labs.segmentation.model import MODEL_NAMES, build_models, segmentation_loss
from core.labs.segmentation.spec import SPEC
from core.runner import TrainContext
from core.training import learning_rate_at, training_progress

HELDOUT_SCENES = 500
SHOWN_SCENES = 6
THRESHOLD = 0.5  # a pixel is "object" where the network's probability reaches this


def scene_set(config: dict[str, Any], split: str, count: int, data_dir: str | None = None) -> scenes.SceneSet:
    return scenes.make_scenes(
        config["scene_seed"], split, count, config["objects"], config["max_objects"], data_dir
    )


def binary(masks: torch.Tensor) -> torch.Tensor:
    """Object numbers (0: photo) -> 1 where any object is, 0 on the photo."""
    return (masks > 0).long()


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 250) -> torch.Tensor:
    """(N, 3, H, W) -> (N, H, W) probabilities of "object", in eval mode."""
    was_training = model.training
    model.eval()
    probabilities = torch.cat(
        [model(images[i : i + batch_size])[:, 0].sigmoid() for i in range(0, len(images), batch_size)]
    )
    model.train(was_training)
    return probabilities


def mask_scores(predicted: torch.Tensor, truth: torch.Tensor) -> dict[str, float]:
    """IoU of each class (photo, object), their mean, and the object's Dice, over all the
    pixels, by torchmetrics."""
    from torchmetrics.classification import MulticlassJaccardIndex
    from torchmetrics.segmentation import DiceScore

    iou = MulticlassJaccardIndex(num_classes=2, average="none")(predicted, truth)
    with warnings.catch_warnings():  # DiceScore warns of a coming change of its default, set here
        warnings.simplefilter("ignore", UserWarning)
        dice = DiceScore(
            num_classes=2,
            include_background=False,
            average="micro",
            aggregation_level="global",
            input_format="index",
        )(predicted, truth)
    return {
        "iou": float(iou.mean()),
        "object_iou": float(iou[1]),
        "photo_iou": float(iou[0]),
        "dice": float(dice),
    }


def heldout_figures(model: nn.Module, heldout: scenes.SceneSet) -> dict[str, float]:
    probabilities = predict(model, heldout.images)
    truth = binary(heldout.masks)
    figures = mask_scores((probabilities >= THRESHOLD).long(), truth)
    logits = torch.logit(probabilities.clamp(1e-6, 1 - 1e-6)).unsqueeze(1)
    return figures | {"loss": float(segmentation_loss(logits, truth)["loss"])}


# --- pictures: the mask with its errors marked -------------------------------------------------

RIGHT_OBJECT, FALSE_OBJECT, MISSED = (1.0, 1.0, 1.0), (0.9, 0.1, 0.1), (0.15, 0.45, 1.0)


def error_picture(predicted: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """A predicted mask as a colour picture: white where it found an object, black where it
    rightly saw photo, red where it marked photo as object, blue where it missed the object."""
    picture = np.zeros((*truth.shape, 3), dtype=np.float32)
    picture[(predicted == 1) & (truth == 1)] = RIGHT_OBJECT
    picture[(predicted == 1) & (truth == 0)] = FALSE_OBJECT
    picture[(predicted == 0) & (truth == 1)] = MISSED
    return picture


def side_by_side(pictures: list[np.ndarray], gap: int = 2) -> np.ndarray:
    """(H, W, 3) pictures in a row with a grey gap between."""
    height = pictures[0].shape[0]
    line = np.full((height, gap, 3), 0.5, dtype=np.float32)
    row = [pictures[0]]
    for picture in pictures[1:]:
        row += [line, picture]
    return np.concatenate(row, axis=1)


def mask_samples(models: nn.ModuleDict, heldout: scenes.SceneSet, step: int, epoch: int) -> Samples:
    images = heldout.images[:SHOWN_SCENES]
    truth = binary(heldout.masks[:SHOWN_SCENES]).numpy()
    predicted = {name: (predict(model, images) >= THRESHOLD).long().numpy() for name, model in models.items()}
    rows, captions = [], []
    for n in range(len(images)):
        photo = images[n].permute(1, 2, 0).numpy()
        row = [photo, np.repeat(truth[n][..., None].astype(np.float32), 3, axis=2)]
        row += [error_picture(predicted[name][n], truth[n]) for name in models]
        rows.append(side_by_side(row))
        captions.append("scene | true mask | " + " | ".join(MODEL_NAMES[name] for name in models))
    return Samples(
        step,
        np.stack(rows),
        tuple(captions),
        title=f"Held-out scenes after epoch {epoch} (red: false object, blue: missed)",
    )


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Train the UNet (and, with `compare`, the same network without skips on the same
    batches): the loss at every step, held-out IoU and Dice and the masks after every epoch."""
    config = {
        "lab": SPEC.id,
        "architecture": "unet",
        "objects": params["objects"],
        "max_objects": params["max_objects"],
        "scene_seed": params["scene_seed"],
        "width": params["width"],
        "compare": params["compare"],
        "params": params,
    }
    train_set = scene_set(config, "train", params["train_scenes"], ctx.data_dir)
    heldout = scene_set(config, "heldout", HELDOUT_SCENES, ctx.data_dir)
    config["data"] = {"description": f"{train_set.description}; {heldout.description}"}
    config["input"] = {"size": [scenes.SCENE_SIZE, scenes.SCENE_SIZE], "range": [0, 1], "channels": "RGB"}
    torch.manual_seed(ctx.seed)
    models = build_models(params["width"], params["compare"])
    optimizers = {
        name: torch.optim.AdamW(model.parameters(), lr=params["learning_rate"], weight_decay=1e-4)
        for name, model in models.items()
    }
    targets = binary(train_set.masks)
    batch_size = params["batch_size"]
    total_steps = params["epochs"] * math.ceil(len(train_set) / batch_size)

    ctx.watch(models)
    step = 0
    for epoch in range(params["epochs"]):
        models.train()
        order = torch.randperm(len(train_set), generator=ctx.generator)
        sums, seen = {}, 0
        for start in range(0, len(train_set), batch_size):
            step += 1
            lr = learning_rate_at(
                training_progress(step, total_steps, ctx), params["learning_rate"], params["schedule"]
            )
            batch = order[start : start + batch_size]
            images, masks = train_set.images[batch], targets[batch]
            values = {}
            for name, model in models.items():  # the same batch for each
                for group in optimizers[name].param_groups:
                    group["lr"] = lr
                parts = segmentation_loss(model(images), masks)
                optimizers[name].zero_grad(set_to_none=True)
                parts["loss"].backward()
                optimizers[name].step()
                prefix = "" if name == "unet" else f"{name}_"
                values |= {f"{prefix}{key}": value.item() for key, value in parts.items()}
            for key, value in values.items():
                sums[key] = sums.get(key, 0.0) + value * len(batch)
            seen += len(batch)
            yield Progress(step, total_steps, epoch + seen / len(train_set), values)
            if ctx.should_stop():
                break
        epoch_metrics = {f"train_{key}": value / max(1, seen) for key, value in sums.items()}
        final = {name: heldout_figures(model, heldout) for name, model in models.items()}
        for name, figures in final.items():
            prefix = "heldout_" if name == "unet" else f"heldout_{name}_"
            epoch_metrics |= {f"{prefix}{key}": value for key, value in figures.items()}
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        yield mask_samples(models, heldout, step, epoch + 1)
        if ctx.should_stop():
            break

    metrics = {
        "heldout": final,
        "heldout_iou": final["unet"]["iou"],
        "heldout_dice": final["unet"]["dice"],
        "heldout_size": len(heldout),
        "train_seconds": round(ctx.elapsed(), 2),
        "steps": step,
        "dataset": config["data"]["description"],
    }
    config["training"] = {"device": "cpu", "seconds": round(ctx.elapsed(), 2)}
    yield Trained(models.eval(), config, metrics)


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """Held-out IoU (each class and their mean) and Dice of every network."""
    heldout = scene_set(trained.config, "heldout", HELDOUT_SCENES, data_dir)
    figures = {name: heldout_figures(model, heldout) for name, model in trained.model.items()}
    return {
        "lab": SPEC.id,
        "heldout": figures,
        "heldout_iou": figures["unet"]["iou"],
        "heldout_dice": figures["unet"]["dice"],
        "heldout_size": len(heldout),
        "data": heldout.description,
    }
