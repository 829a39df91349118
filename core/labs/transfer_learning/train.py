"""The transfer-learning lab's training, in the course's two phases (Lab Work 13), then the
baseline the course only talks about:

1. frozen: the pretrained network reads every picture once; a new linear head learns on those
   1280-number feature vectors (seconds: the network never runs again);
2. fine-tuned: the last `unfrozen` stages and the head learn together, the stages with a ten
   times smaller learning rate (as the course does), on the frozen trunk's kept output;
3. from scratch: the same architecture with random weights, whole, for `scratch_seconds` of
   its own, on the same pictures.

The curves run over phases 1 and 2 (their epochs numbered on); the three held-out accuracies
are the lab's figures. `fit_features` is the loop: shuffle, forward, loss, backward, step.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from core import pretrained
from core.events import EpochEnd, Event, Progress, Trained
from core.image_classes import ImageClasses, colour_pictures, fashion_pick
from core.labs.base import TrainedModel
from core.labs.transfer_learning.model import TransferNet, build_model, to_inputs
from core.labs.transfer_learning.spec import SPEC
from core.pretrained import centre_crop

HELDOUT_PER_CLASS = 50  # Fashion-MNIST test pictures per class the figures are measured on
# The course's settings (Lab Work 13: ResNet18 on five flower classes), as far as they are this
# lab's settings: 5 epochs of the head at Adam's 0.001, batch 32, then 5 epochs with the last
# two of four stages unfrozen at 0.0001.
COURSE_RECIPE = {
    "head_epochs": 5,
    "fine_tune_epochs": 5,
    "learning_rate": 1e-3,
    "fine_tune_rate": 1e-4,
    "batch_size": 32,
    "unfrozen": 2,
}


@dataclass
class Pictures:
    """(N, 3, S, S) network inputs with their labels, and what they are."""

    inputs: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]
    description: str


def fashion_pictures(params: dict[str, Any], data_dir: str | None = None) -> tuple[Pictures, Pictures]:
    """The default custom dataset: `images_per_class` random training pictures (seeded) of each
    chosen garment, and the first HELDOUT_PER_CLASS test pictures of each, in colour at the
    network's input size."""
    from core.data import FASHION_CLASSES, load_images

    data = load_images("fashion-mnist", data_dir)
    labels = [FASHION_CLASSES.index(name) for name in params["classes"]]
    size, seed, per_class = params["image_size"], params["seed"], params["images_per_class"]

    def split(images: torch.Tensor, all_labels: torch.Tensor, index: np.ndarray, seed: int) -> Pictures:
        pictures = colour_pictures(images.numpy()[index], seed, size)
        remapped = torch.tensor([labels.index(int(label)) for label in all_labels.numpy()[index]])
        return Pictures(to_inputs(pictures), remapped, tuple(params["classes"]), described)

    described = (
        f"Fashion-MNIST ({data.source.kind}), {per_class} training pictures per class in colour, "
        f"{HELDOUT_PER_CLASS} test pictures per class held out"
    )

    train_index = fashion_pick(data.train_labels.numpy(), labels, per_class, seed)
    test_index = np.concatenate(
        [np.flatnonzero(data.test_labels.numpy() == label)[:HELDOUT_PER_CLASS] for label in labels]
    )
    # The held-out pictures' colours are fixed (seed 10**6), whatever the run's seed.
    return (
        split(data.train_images, data.train_labels, train_index, seed),
        split(data.test_images, data.test_labels, test_index, 10**6),
    )


def own_pictures(classes: ImageClasses, size: int, heldout_share: float = 0.25) -> tuple[Pictures, Pictures]:
    """A student's classes -> training and held-out pictures: the last quarter of each class's
    pictures held out when it has four or more (else none: the figure says so)."""
    train, held, train_labels, held_labels = [], [], [], []
    for label, photos in enumerate(classes.photos):
        squares = [centre_crop(photo, size) for photo in photos]
        kept = len(squares) - int(len(squares) * heldout_share) if len(squares) >= 4 else len(squares)
        train += squares[:kept]
        held += squares[kept:]
        train_labels += [label] * kept
        held_labels += [label] * (len(squares) - kept)

    def pictures(squares: list[np.ndarray], labels: list[int]) -> Pictures:
        inputs = to_inputs(np.stack(squares)) if squares else torch.zeros(0, 3, size, size)
        return Pictures(inputs, torch.tensor(labels, dtype=torch.long), classes.names, classes.describe())

    return pictures(train, train_labels), pictures(held, held_labels)


def fit_features(
    predict: Callable[[torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    features: torch.Tensor,
    labels: torch.Tensor,
    *,
    epochs: int,
    batch_size: int,
    generator: torch.Generator,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[tuple[int, float, float, float]]:
    """The training loop on kept features: yields (epoch, epoch progress, step loss, step
    accuracy) after every step; returns early when `should_stop()`."""
    for epoch in range(epochs):
        order = torch.randperm(len(labels), generator=generator)
        for start in range(0, len(labels), batch_size):
            index = order[start : start + batch_size]
            logits = predict(features[index])
            loss = F.cross_entropy(logits, labels[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            accuracy = (logits.argmax(1) == labels[index]).float().mean().item()
            yield epoch, min(1.0, (start + batch_size) / len(labels)), loss.item(), accuracy
            if should_stop():
                return


@torch.no_grad()
def score(
    predict: Callable[[torch.Tensor], torch.Tensor], features: torch.Tensor, labels: torch.Tensor
) -> dict:
    """Mean cross-entropy and accuracy (None when nothing is held out)."""
    if len(labels) == 0:
        return {"loss": None, "accuracy": None}
    logits = torch.cat([predict(features[i : i + 256]) for i in range(0, len(labels), 256)])
    return {
        "loss": F.cross_entropy(logits, labels).item(),
        "accuracy": (logits.argmax(1) == labels).float().mean().item(),
    }


def train(params: dict[str, Any], ctx) -> Iterator[Event]:
    train_set, heldout = fashion_pictures(params, ctx.data_dir)
    yield from train_on(train_set, heldout, params, ctx)


def train_on(train_set: Pictures, heldout: Pictures, params: dict[str, Any], ctx) -> Iterator[Event]:
    """The three phases on these pictures (the lab's own data or a student's classes)."""
    config = {
        "lab": SPEC.id,
        "architecture": "EfficientNet-Lite0, fine-tuned",
        "classes": list(train_set.classes),
        "unfrozen": params["unfrozen"],
        "image_size": params["image_size"],
        "data": {"description": train_set.description, "train_size": len(train_set.labels)},
        "params": dict(params),
    }
    model = build_model(config, pretrained.efficientnet_lite0)
    ctx.watch(model)
    started = time.perf_counter()
    # Phase 1: every picture through the frozen trunk once, and through the (not yet tuned)
    # tail once: the head learns on these vectors alone.
    features = model.trunk_features(train_set.inputs)
    with torch.no_grad():
        vectors = model.pooled(features)
    feature_seconds = time.perf_counter() - started
    held_features = model.trunk_features(heldout.inputs)
    with torch.no_grad():
        held_vectors = model.pooled(held_features)
    steps_per_epoch = -(-len(train_set.labels) // params["batch_size"])
    epochs = params["head_epochs"] + params["fine_tune_epochs"]
    progress = Progression(steps_per_epoch * epochs)

    head_started = time.perf_counter()
    optimizer = torch.optim.Adam(model.head.parameters(), lr=params["learning_rate"])
    model.train()
    yield from progress.run(
        fit_features(
            model.head,
            optimizer,
            vectors,
            train_set.labels,
            epochs=params["head_epochs"],
            batch_size=params["batch_size"],
            generator=ctx.generator,
            should_stop=ctx.should_stop,
        ),
        model.head,
        held_vectors,
        heldout.labels,
    )
    head_seconds = time.perf_counter() - head_started
    frozen = score(model.head, held_vectors, heldout.labels)

    # Phase 2: the last stages learn too, ten times slower than the head (the course's rates).
    tuned_started = time.perf_counter()
    if params["fine_tune_epochs"] and not ctx.should_stop():
        optimizer = torch.optim.Adam(
            [
                {"params": model.head.parameters(), "lr": params["learning_rate"]},
                {
                    "params": [
                        *model.tail.parameters(),
                        *model.conv_head.parameters(),
                        *model.bn2.parameters(),
                    ],
                    "lr": params["fine_tune_rate"],
                },
            ]
        )

        def predict(kept: torch.Tensor) -> torch.Tensor:
            return model.head(model.pooled(kept))

        yield from progress.run(
            fit_features(
                predict,
                optimizer,
                features,
                train_set.labels,
                epochs=params["fine_tune_epochs"],
                batch_size=params["batch_size"],
                generator=ctx.generator,
                should_stop=ctx.should_stop,
            ),
            predict,
            held_features,
            heldout.labels,
        )
    model.eval()
    tuned = score(lambda kept: model.head(model.pooled(kept)), held_features, heldout.labels)
    tuned_seconds = time.perf_counter() - tuned_started

    scratch = scratch_baseline(train_set, heldout, params, ctx.generator, ctx.should_stop)
    metrics = {
        "lab": SPEC.id,
        "classes": list(train_set.classes),
        "images_per_class": round(len(train_set.labels) / len(train_set.classes), 1),
        "heldout_size": len(heldout.labels),
        "frozen_accuracy": frozen["accuracy"],
        "fine_tuned_accuracy": tuned["accuracy"],
        "heldout_accuracy": tuned["accuracy"],
        "heldout_loss": tuned["loss"],
        "scratch_accuracy": scratch["accuracy"],
        "feature_seconds": round(feature_seconds, 2),
        "head_seconds": round(head_seconds, 2),
        "fine_tune_seconds": round(tuned_seconds, 2),
        "scratch_seconds": scratch["seconds"],
        "scratch_epochs": scratch["epochs"],
        "data": train_set.description,
    }
    config["training"] = {"device": "cpu", "seconds": round(time.perf_counter() - started, 2)}
    yield Trained(model.eval(), config, metrics)


class Progression:
    """Turns the loop's steps into the runner's events, with epochs numbered on across phases
    and a held-out check at every epoch's end."""

    def __init__(self, total_steps: int):
        self.total_steps, self.step, self.epochs_done = total_steps, 0, 0

    def run(self, steps, predict, held_features: torch.Tensor, held_labels: torch.Tensor) -> Iterator[Event]:
        losses, correct, epoch = [], [], None
        for epoch, share, loss, accuracy in steps:
            self.step += 1
            losses.append(loss)
            correct.append(accuracy)
            yield Progress(
                self.step,
                self.total_steps,
                self.epochs_done + epoch + share,
                {"loss": loss, "accuracy": accuracy},
            )
            if share >= 1.0:
                yield self._epoch_end(predict, held_features, held_labels, losses, correct)
                losses, correct = [], []
        if losses:  # a stop in mid-epoch still gets its figures
            yield self._epoch_end(predict, held_features, held_labels, losses, correct)

    def _epoch_end(self, predict, held_features, held_labels, losses, correct) -> EpochEnd:
        self.epochs_done += 1
        held = score(predict, held_features, held_labels)
        metrics = {"train_loss": float(np.mean(losses)), "train_accuracy": float(np.mean(correct))}
        if held["accuracy"] is not None:
            metrics |= {"heldout_loss": held["loss"], "heldout_accuracy": held["accuracy"]}
        return EpochEnd(self.epochs_done, self.step, metrics)


def from_scratch(classes: int) -> torch.nn.Module:
    """The same architecture with random weights and a `classes`-way classifier: the baseline
    that shows what ImageNet's weights are worth."""
    import timm

    return timm.create_model(pretrained.ARCHITECTURE, pretrained=False, num_classes=classes)


def scratch_baseline(
    train_set: Pictures,
    heldout: Pictures,
    params: dict[str, Any],
    generator: torch.Generator,
    should_stop: Callable[[], bool] = lambda: False,
) -> dict[str, Any]:
    """The same architecture from random weights, every layer training (batch norm too), for
    `scratch_seconds` of its own steps at Adam's 0.001; its held-out accuracy."""
    seconds = params["scratch_seconds"]
    if seconds <= 0 or should_stop():
        return {"accuracy": None, "seconds": 0.0, "epochs": 0}
    network = from_scratch(len(train_set.classes))
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    network.train()
    started, epochs, share = time.perf_counter(), 0, [0.0]

    def out_of_time() -> bool:
        return time.perf_counter() - started >= seconds or should_stop()

    while not out_of_time():
        steps = fit_features(
            network,
            optimizer,
            train_set.inputs,
            train_set.labels,
            epochs=1,
            batch_size=params["batch_size"],
            generator=generator,
            should_stop=out_of_time,
        )
        share = [step[1] for step in steps][-1:] or [0.0]  # run the pass; how far it got
        epochs += 1
    clock = time.perf_counter() - started
    epochs = epochs - 1 + share[0]  # the last pass may have ended part-way
    network.eval()
    held = score(network, heldout.inputs, heldout.labels)
    return {"accuracy": held["accuracy"], "seconds": round(clock, 2), "epochs": round(epochs, 2)}


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """The model's accuracy on the Fashion-MNIST held-out pictures of its classes (a model
    trained on a student's own classes has none: its figures are those it was trained with)."""
    from core.data import FASHION_CLASSES

    classes = trained.config.get("classes", [])
    if not all(name in FASHION_CLASSES for name in classes):
        return {k: trained.metrics.get(k) for k in ("heldout_accuracy", "heldout_size")}
    params = {
        "classes": classes,
        "image_size": trained.config["image_size"],
        "seed": 0,
        "images_per_class": 1,
    }
    _, heldout = fashion_pictures(params, data_dir)
    model: TransferNet = trained.model
    held = score(model, heldout.inputs, heldout.labels)
    return {
        "heldout_accuracy": held["accuracy"],
        "heldout_loss": held["loss"],
        "heldout_size": len(heldout.labels),
    }


def headline_figures(metrics: dict[str, Any]) -> list[tuple[str, float | None]]:
    return [
        ("frozen", metrics.get("frozen_accuracy")),
        ("fine-tuned", metrics.get("fine_tuned_accuracy")),
        ("from scratch", metrics.get("scratch_accuracy")),
    ]
