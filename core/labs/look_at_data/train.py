"""The look-at-data lab's training: the course's MLP (Lab Work 1) on the chosen images, the loop
a student can read in core.training.fit_classifier, and its held-out evaluation.

What the course did: Adam at 1e-4, batches of 64, 10 epochs on the 60,000 MNIST training digits,
dropout 0.2 (spec.COURSE_RECIPE). The lab's default is Adam at 1e-3 for 5 epochs: the same network
reaches the same place sooner, which a live lesson needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from core.data import load_images, training_data
from core.events import Event, Samples, Trained
from core.judge import predict_tensor
from core.labs.base import TrainedModel
from core.labs.look_at_data.model import CourseMLP
from core.labs.look_at_data.spec import SPEC
from core.runner import TrainContext
from core.training import TensorSplit, evaluate_classifier, fit_classifier


def to_split(images: torch.Tensor, labels: torch.Tensor, device: torch.device) -> TensorSplit:
    """uint8 (N, 28, 28) -> float (N, 28, 28) in [0, 1] on the device (the course's / 255.0)."""
    return TensorSplit(images.float().div(255).to(device), labels.to(device))


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    data = load_images(params["dataset"], ctx.data_dir)
    train_split = to_split(data.train_images, data.train_labels, ctx.device)
    heldout = to_split(data.test_images, data.test_labels, ctx.device)
    config = {
        "lab": SPEC.id,
        "architecture": "course-mlp",
        "dropout": params["dropout"],
        "classes": list(data.classes),
        "input": {"size": [28, 28], "range": [0, 1], "polarity": "white ink on black"},
        "data": data.source.to_dict(),
        "params": params,
    }
    model = CourseMLP(params["dropout"], len(data.classes)).to(ctx.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"])
    samples = TensorSplit(heldout.inputs[:16], heldout.labels[:16])

    def show_samples(epoch: int, step: int) -> Iterator[Event]:
        guesses = predict_tensor(model, samples.inputs).argmax(1).tolist()
        captions = tuple(
            data.classes[g] + ("" if g == t else f" (is {data.classes[t]})")
            for g, t in zip(guesses, samples.labels.tolist(), strict=True)
        )
        yield Samples(
            step, samples.inputs.cpu().numpy(), captions, title=f"Held-out answers after epoch {epoch}"
        )

    yield from fit_classifier(
        model,
        optimizer,
        train_split,
        heldout,
        ctx,
        epochs=params["epochs"],
        batch_size=params["batch_size"],
        on_epoch_end=show_samples,
    )
    final = evaluate_classifier(model, heldout)
    metrics = {
        "heldout_accuracy": final["accuracy"],
        "heldout_loss": final["loss"],
        "heldout_size": len(heldout),
        "train_seconds": round(ctx.elapsed(), 2),
        "dataset": data.source.description,
    }
    config["training"] = {"device": str(ctx.device), "seconds": round(ctx.elapsed(), 2)}
    yield Trained(model.cpu().eval(), config, metrics)


@torch.no_grad()
def heldout_answers(trained: TrainedModel, data_dir: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The model's answer and its probability for every held-out image, in index order."""
    data = training_data(trained.config, data_dir)
    inputs = data.test_images.float().div(255)
    probs = torch.cat(
        [predict_tensor(trained.model, inputs[i : i + 2048]) for i in range(0, len(inputs), 2048)]
    )
    confidence, answers = probs.max(1)
    return answers.numpy(), confidence.numpy()


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    data = training_data(trained.config, data_dir)
    heldout = to_split(data.test_images, data.test_labels, torch.device("cpu"))
    result = evaluate_classifier(trained.model, heldout)
    answers, _ = heldout_answers(trained, data_dir)
    labels = data.test_labels.numpy()
    per_class = {
        name: round(float((answers[labels == c] == c).mean()), 4) for c, name in enumerate(data.classes)
    }
    return {
        "lab": SPEC.id,
        "heldout_accuracy": result["accuracy"],
        "heldout_loss": result["loss"],
        "heldout_size": len(heldout),
        "per_class_accuracy": per_class,
        "data": data.source.description,
    }
