"""Segmentation lab benchmark: held-out IoU and Dice at equal training time, the lab's UNet beside
the same network without skips and beside the course's recipe.

segmentation_iou_at_equal_time trains, one after the other in this process, on the same scenes
(the lab's 4,000 training scenes of seed 0) and scores on the same 500 held-out scenes with the
same torchmetrics figures (lab.segmentation.train.mask_scores):
- the lab's default training through the app's runner, with `compare` on: the UNet and the
  same network without skips take turns on the same batches for twice the budget, so each gets
  about the budget's seconds of its own;
- the course's recipe (Lab Work 19): Adam at a constant 1e-3, the Dice loss alone, batch 4, on
  the lab's UNet for the budget. The course's network was segmentation_models_pytorch's UNet
  with an ImageNet-trained ResNet34 encoder, whose weights cannot be fetched here (and the
  package is not installed), so its training recipe runs on the lab's network.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import torch

from benchmarks.detection_bench import environment
from benchmarks.harness import Options, Result, benchmark, progress, require_mnist, train_in_runner

NAME = "segmentation"
BUDGET_SECONDS = 300.0
QUICK_SECONDS = 10.0
TARGET_IOU = 0.85


def course_recipe(train_set, seconds: float, width: int) -> tuple[torch.nn.Module, int]:
    """The course's loop: Adam 1e-3, Dice loss only, batch 4, for `seconds` of training steps."""
    from core.labs.segmentation.model import UNet, segmentation_loss

    torch.manual_seed(0)
    model = UNet(width)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(0)
    masks = (train_set.masks > 0).long()
    steps, spent = 0, 0.0
    while spent < seconds:
        for batch in torch.randperm(len(train_set), generator=generator).split(4):
            started = time.perf_counter()
            loss = segmentation_loss(model(train_set.images[batch]), masks[batch])["dice_loss"]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            steps += 1
            spent += time.perf_counter() - started
            if spent >= seconds:
                break
    return model.eval(), steps


@benchmark(
    "segmentation_iou_at_equal_time",
    "Segmentation: held-out mean IoU and Dice of the lab's UNet, the same network without skips "
    "and the course's recipe (Adam 1e-3, Dice loss, batch 4) after the same training seconds.",
)
def segmentation_iou_at_equal_time(options: Options) -> Result:
    from core import scenes
    from core.labs.segmentation.spec import SPEC
    from core.labs.segmentation.train import HELDOUT_SCENES, heldout_figures

    require_mnist(options)
    seconds = QUICK_SECONDS if options.quick else BUDGET_SECONDS
    load = [round(os.getloadavg()[0], 2)]
    progress(f"segmentation: the UNet and the no-skip net for {2 * seconds:g} s together...")
    with environment(DLL_TIME_BUDGET=str(2 * seconds)):
        job, _ = train_in_runner(NAME, {"epochs": 100}, options.data_dir)
    lab = job.result.metrics["heldout"]
    defaults = SPEC.defaults()
    train_set = scenes.make_scenes(0, "train", defaults["train_scenes"], "digits", 3, options.data_dir)
    heldout = scenes.make_scenes(0, "heldout", HELDOUT_SCENES, "digits", 3, options.data_dir)
    progress(f"segmentation: the course's recipe for {seconds:g} s...")
    model, steps = course_recipe(train_set, seconds, defaults["width"])
    course = heldout_figures(model, heldout)
    load.append(round(os.getloadavg()[0], 2))
    figures: dict[str, Any] = {
        "seconds_each": seconds,
        "lab.steps": job.result.metrics["steps"],
        "course.steps": steps,
    }
    for name, values in (("unet", lab["unet"]), ("no_skips", lab["no_skips"]), ("course", course)):
        figures |= {f"{name}.mean_iou": round(values["iou"], 4), f"{name}.dice": round(values["dice"], 4)}
    figures["unet_over_course_iou"] = round(lab["unet"]["iou"] / max(course["iou"], 1e-4), 3)
    return Result(
        figures,
        target=f"UNet held-out mean IoU >= {TARGET_IOU} within {BUDGET_SECONDS:g} s of its own training",
        met=None if options.quick else lab["unet"]["iou"] >= TARGET_IOU,
        notes=[
            f"load average {load[0]} before, {load[1]} after (other work on the machine)",
            "the course's network (smp UNet, ImageNet ResNet34) cannot be loaded offline: its "
            "recipe runs on the lab's UNet",
        ],
        details={"load": load, "lab": lab, "course": course},
    )


if __name__ == "__main__":
    from benchmarks.harness import main

    name = "segmentation_iou_at_equal_time"
    sys.exit(main([*(sys.argv[1:] or []), *([] if name in sys.argv else [name])]))
