"""Digits lab: train an MNIST classifier live, then draw digits for it and look inside.

Three models: the course's MLP (784-256-128-64-10 with batch norm and dropout), the course's
three-block CNN (32/64/128 channels), and a compact CNN (16/32/64) that is the default because
it reaches the same accuracy several times sooner on a laptop CPU. Every model starts with its
own normalisation layer, so a checkpoint takes plain [0, 1] pixels and cannot be fed wrongly.
"""

from __future__ import annotations

import argparse
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.catalogue import DIGITS as SPEC
from core.data import ImageData, load_images, training_data
from core.events import Event, Samples, Trained
from core.imaging import ImageInputError, canvas_to_gray, read_upload, to_mnist_frame
from core.labs.base import CHECKPOINT_ROOT, Lab, TrainedModel
from core.runner import TrainContext
from core.training import TensorSplit, evaluate_classifier, fit_classifier

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


class Normalize(nn.Module):
    """(x - mean) / std inside the model, so callers pass [0, 1] pixels."""

    def __init__(self, mean: float, std: float):
        super().__init__()
        self.mean, self.std = mean, std

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


def conv_block(c_in: int, c_out: int, pool: nn.Module) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        pool,
    )


class ConvClassifier(nn.Module):
    """Three conv blocks then two fully connected layers. `fast-cnn` and the course `cnn`
    differ only in widths and in how the last block is pooled."""

    def __init__(
        self,
        widths: tuple[int, int, int],
        hidden: int,
        final_pool: nn.Module,
        pooled_side: int,
        dropout: float,
        classes: int = 10,
    ):
        super().__init__()
        c1, c2, c3 = widths
        self.normalize = Normalize(MNIST_MEAN, MNIST_STD)
        self.features = nn.Sequential(
            conv_block(1, c1, nn.MaxPool2d(2)),  # 28 -> 14
            conv_block(c1, c2, nn.MaxPool2d(2)),  # 14 -> 7
            conv_block(c2, c3, final_pool),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(c3 * pooled_side**2, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(self.normalize(x)))


class MLPClassifier(nn.Module):
    """The course MLP: 784-256-128-64-10, each hidden layer Linear -> BatchNorm -> ReLU -> Dropout."""

    def __init__(self, dropout: float, classes: int = 10, sizes: tuple[int, ...] = (256, 128, 64)):
        super().__init__()
        self.normalize = Normalize(MNIST_MEAN, MNIST_STD)
        layers: list[nn.Module] = [nn.Flatten()]
        width = 28 * 28
        for size in sizes:
            layers.append(
                nn.Sequential(nn.Linear(width, size), nn.BatchNorm1d(size), nn.ReLU(), nn.Dropout(dropout))
            )
            width = size
        layers.append(nn.Linear(width, classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(self.normalize(x))


def build_classifier(architecture: str, dropout: float, classes: int = 10) -> nn.Module:
    if architecture == "fast-cnn":
        return ConvClassifier((16, 32, 64), 128, nn.MaxPool2d(2), 3, dropout, classes)  # 7 -> 3
    if architecture == "cnn":
        return ConvClassifier((32, 64, 128), 256, nn.AdaptiveAvgPool2d(4), 4, dropout, classes)
    if architecture == "mlp":
        return MLPClassifier(dropout, classes)
    raise ValueError(f"unknown architecture {architecture!r}")


def to_split(images: torch.Tensor, labels: torch.Tensor, device: torch.device) -> TensorSplit:
    """uint8 (N, 28, 28) -> float (N, 1, 28, 28) in [0, 1] on the device."""
    return TensorSplit(images.float().div(255).unsqueeze(1).to(device), labels.to(device))


def random_shift(batch: torch.Tensor, max_shift: int = 2) -> torch.Tensor:
    """Translate the whole batch by the same random offset (cheap, and enough to help)."""
    dy, dx = torch.randint(-max_shift, max_shift + 1, (2,)).tolist()
    return torch.roll(batch, shifts=(dy, dx), dims=(2, 3))


class DigitsLab(Lab):
    spec = SPEC
    best_metric = ("heldout_accuracy", "max")

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return build_classifier(
            config["architecture"], float(config.get("dropout", 0.0)), len(config.get("classes", range(10)))
        )

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Any:
        architecture = (params or {}).get("architecture", SPEC.param("architecture").default)
        return CHECKPOINT_ROOT / f"digits-{architecture}"

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        data = load_images(params["dataset"], ctx.data_dir)
        train = to_split(data.train_images, data.train_labels, ctx.device)
        heldout = to_split(data.test_images, data.test_labels, ctx.device)
        config = {
            "lab": SPEC.id,
            "architecture": params["architecture"],
            "dropout": params["dropout"],
            "classes": list(data.classes),
            "input": {"size": [28, 28], "range": [0, 1], "polarity": "white ink on black"},
            "data": data.source.to_dict(),
            "params": params,
        }
        model = self.build_model(config).to(ctx.device)
        if params["architecture"] != "mlp":
            # NHWC is several times faster for max-pooling on CPUs (measured 4 ms -> 0.8 ms).
            model = model.to(memory_format=torch.channels_last)
        optimizer = make_optimizer(model, params)
        steps = params["epochs"] * ((len(train) + params["batch_size"] - 1) // params["batch_size"])
        scheduler = None
        if params["schedule"] == "one-cycle":
            scheduler = torch.optim.lr_scheduler.OneCycleLR(
                optimizer, max_lr=params["learning_rate"], total_steps=steps, pct_start=0.25
            )
        samples = TensorSplit(heldout.inputs[:16], heldout.labels[:16])

        def show_samples(epoch: int, step: int) -> Iterator[Event]:
            probs = predict_tensor(model, samples.inputs)
            guesses = probs.argmax(1).tolist()
            captions = tuple(
                f"{data.classes[g]}" + ("" if g == t else f" (true {data.classes[t]})")
                for g, t in zip(guesses, samples.labels.tolist(), strict=True)
            )
            images = samples.inputs[:, 0].cpu().numpy()
            yield Samples(step, images, captions, title=f"Held-out predictions after epoch {epoch}")

        yield from fit_classifier(
            model,
            optimizer,
            train,
            heldout,
            ctx,
            epochs=params["epochs"],
            batch_size=params["batch_size"],
            scheduler=scheduler,
            augment=random_shift if params["augment"] else None,
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

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        data = heldout_data(trained, data_dir)
        split = to_split(data.test_images, data.test_labels, torch.device("cpu"))
        result = evaluate_classifier(trained.model, split)
        report = heldout_report(trained, data)
        per_class = report.confusion.diagonal() / np.maximum(1, report.confusion.sum(axis=1))
        return {
            "lab": SPEC.id,
            "architecture": trained.config["architecture"],
            "heldout_accuracy": result["accuracy"],
            "heldout_loss": result["loss"],
            "heldout_size": len(split),
            "per_class_accuracy": {
                c: round(float(a), 4) for c, a in zip(data.classes, per_class, strict=True)
            },
            "data": data.source.description,
        }

    def headline(self, metrics: dict[str, Any]) -> str:
        accuracy, size = metrics.get("heldout_accuracy"), metrics.get("heldout_size")
        if not isinstance(accuracy, float):
            return ""
        return f"held-out accuracy {accuracy:.1%}" + (f" on {size:,} images" if size else "")

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        accuracy = metrics.get("heldout_accuracy")
        figure = f"{accuracy:.2%}" if isinstance(accuracy, float) else "n/a"
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        return (
            "---\nlibrary_name: pytorch\ntags:\n- image-classification\n- mnist\n"
            "- deep-learning-labs\n---\n\n"
            f"# Digits classifier: {config.get('architecture')}\n\n"
            f"Trained by Deep Learning Labs' Digits lab on {config.get('data', {}).get('description')}.\n\n"
            f"- Held-out accuracy: {figure} on {metrics.get('heldout_size')} images\n"
            f"- Input: 1x28x28 floats in [0, 1], white ink on black, MNIST-style centring\n"
            f"- Output: 10 logits ({', '.join(config.get('classes', []))})\n\n"
            f"Reproduce: `python -m core train digits {settings} --data-dir <folder with MNIST/raw>`\n"
        )

    def add_cli_commands(self, commands: argparse._SubParsersAction) -> None:
        classify = commands.add_parser("classify", help="read handwritten digits from image files")
        classify.add_argument("images", nargs="+", metavar="IMAGE")
        classify.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
        classify.add_argument("--json", action="store_true", help="one JSON object per image")
        classify.set_defaults(handler=self.cli_classify)

    def cli_classify(self, args: argparse.Namespace) -> int:
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        failures = 0
        for name in args.images:
            try:
                result = {"file": name, **classify_upload(trained, Path(name).read_bytes()).to_dict()}
            except (OSError, ImageInputError) as error:
                failures += 1
                reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
                result = {"file": name, "error": reason}
            if args.json:
                print(json.dumps(result))
            elif "error" in result:
                print(f"{name}: error: {result['error']}")
            else:
                print(f"{name}: {result['prediction']} ({result['confidence']:.1%})")
        return 1 if failures else 0


def make_optimizer(model: nn.Module, params: dict[str, Any]) -> torch.optim.Optimizer:
    if params["optimizer"] == "sgd":
        return torch.optim.SGD(
            model.parameters(), lr=params["learning_rate"], momentum=0.9, weight_decay=params["weight_decay"]
        )
    return torch.optim.AdamW(
        model.parameters(), lr=params["learning_rate"], weight_decay=params["weight_decay"]
    )


# --- interactions: pure functions of (model, input) ----------------------------------------


@dataclass
class Prediction:
    frame: np.ndarray  # the 28x28 the model sees
    probabilities: np.ndarray  # (10,)
    classes: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.classes[int(self.probabilities.argmax())]

    @property
    def confidence(self) -> float:
        return float(self.probabilities.max())

    def to_dict(self) -> dict[str, Any]:
        return {
            "prediction": self.label,
            "confidence": round(self.confidence, 4),
            "probabilities": {
                c: round(float(p), 4) for c, p in zip(self.classes, self.probabilities, strict=True)
            },
        }


@torch.no_grad()
def predict_tensor(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    was_training = model.training
    model.eval()
    probs = F.softmax(model(inputs), dim=1)
    model.train(was_training)
    return probs


def classify_frame(trained: TrainedModel, frame: np.ndarray) -> Prediction:
    """A prepared 28x28 frame in [0, 1] -> the model's ten probabilities."""
    inputs = torch.from_numpy(np.ascontiguousarray(frame, dtype=np.float32))[None, None]
    probs = predict_tensor(trained.model, inputs)[0].numpy()
    return Prediction(frame, probs, tuple(trained.config.get("classes", range(10))))


def classify_drawing(trained: TrainedModel, pad: np.ndarray) -> Prediction:
    """A drawing pad's pixels (white on black, any size) -> prediction. Raises ImageInputError
    when the pad is empty."""
    return classify_frame(trained, to_mnist_frame(canvas_to_gray(pad)))


def classify_upload(trained: TrainedModel, data: bytes) -> Prediction:
    """An uploaded photo or scan (either polarity) -> prediction. Raises ImageInputError."""
    return classify_frame(trained, to_mnist_frame(read_upload(data)))


def heldout_data(trained: TrainedModel, data_dir: str | None = None) -> ImageData:
    """The data this model was trained on (its held-out split is what the views score)."""
    return training_data(trained.config, data_dir)


@dataclass
class HeldoutReport:
    confusion: np.ndarray  # (classes, classes): rows true, columns predicted
    mistakes: list[dict[str, Any]]  # most confident mistakes first
    accuracy: float
    classes: tuple[str, ...]


def heldout_report(trained: TrainedModel, data: ImageData, max_mistakes: int = 32) -> HeldoutReport:
    """Confusion matrix and a gallery of misclassified held-out images."""
    split = to_split(data.test_images, data.test_labels, torch.device("cpu"))
    probs = torch.cat(
        [predict_tensor(trained.model, split.inputs[i : i + 1024]) for i in range(0, len(split), 1024)]
    )
    predicted = probs.argmax(1)
    classes = len(data.classes)
    confusion = torch.zeros(classes, classes, dtype=torch.int64)
    confusion.index_put_((split.labels, predicted), torch.ones_like(predicted), accumulate=True)
    wrong = (predicted != split.labels).nonzero().flatten()
    wrong = wrong[probs[wrong].max(1).values.argsort(descending=True)][:max_mistakes]
    mistakes = [
        {
            "image": split.inputs[i, 0].numpy(),
            "predicted": data.classes[predicted[i]],
            "true": data.classes[split.labels[i]],
            "confidence": float(probs[i].max()),
            "index": int(i),
        }
        for i in wrong.tolist()
    ]
    accuracy = float((predicted == split.labels).float().mean())
    return HeldoutReport(confusion.numpy(), mistakes, accuracy, data.classes)


def first_layer_weights(trained: TrainedModel, limit: int = 64) -> np.ndarray:
    """The first layer's filters (CNN: 3x3 kernels; MLP: each unit's 28x28 weights), each
    scaled to [0, 1] for display. Shape (K, h, w)."""
    first = next(m for m in trained.model.modules() if isinstance(m, nn.Conv2d | nn.Linear))
    weights = first.weight.detach()[:limit]
    weights = weights[:, 0] if weights.ndim == 4 else weights.reshape(-1, 28, 28)
    low = weights.amin(dim=(1, 2), keepdim=True)
    high = weights.amax(dim=(1, 2), keepdim=True)
    return ((weights - low) / (high - low).clamp_min(1e-8)).numpy()


@torch.no_grad()
def feature_maps(trained: TrainedModel, frame: np.ndarray, limit: int = 16) -> list[tuple[str, np.ndarray]]:
    """What each block computes for one input: (name, (C, H, W) activations in [0, 1]).

    For the MLP, each hidden layer's units are laid out in rows of 8, since they have no
    spatial layout.
    """
    model = trained.model.eval()
    x = torch.from_numpy(np.ascontiguousarray(frame, dtype=np.float32))[None, None]
    x = model.normalize(x)
    outputs = []
    if isinstance(model, ConvClassifier):
        for index, block in enumerate(model.features):
            x = block(x)
            outputs.append((f"conv block {index + 1}", x[0, :limit]))
    else:
        for layer in model.layers:
            x = layer(x)
            if isinstance(layer, nn.Sequential):
                width = x.shape[1]
                outputs.append((f"hidden {len(outputs) + 1} ({width} units)", x[0].reshape(1, -1, 8)))
    scaled = []
    for name, maps in outputs:
        peak = maps.amax(dim=(1, 2), keepdim=True).clamp_min(1e-8)
        scaled.append((name, (maps.clamp_min(0) / peak).numpy()))
    return scaled


# --- judging generated digits (GAN lab) -----------------------------------------------------

CONFIDENT = 0.9  # a sample the judge reads with more than this probability counts as recognisable


@functools.lru_cache(maxsize=1)
def quality_judge() -> TrainedModel:
    """The bundled default classifier, loaded once per process: the judge of generated digits.
    Channels-last, which reads a batch of hundreds about 30% faster on a CPU."""
    judge = DigitsLab().load_bundled()
    judge.model.to(memory_format=torch.channels_last)
    return judge


def digit_quality(images: np.ndarray | torch.Tensor, judge: TrainedModel | None = None) -> dict[str, Any]:
    """How recognisable and how varied generated digits are, read by the bundled classifier.

    `images`: (N, 28, 28) or (N, 1, 28, 28) in [0, 1], white ink on black, MNIST-style. Returns
    `confident_share`, the share read with probability > 0.9 (real held-out MNIST: about 0.96),
    `class_entropy`, the entropy of the histogram of predicted digits divided by log 10 (1: all
    ten equally often; mode collapse drives it towards 0), and that histogram, `class_counts`.
    """
    inputs = torch.as_tensor(
        np.asarray(images, dtype=np.float32) if isinstance(images, np.ndarray) else images
    )
    inputs = inputs.detach().float().cpu().reshape(-1, 1, 28, 28).clamp(0.0, 1.0)
    if len(inputs) == 0:
        raise ValueError("digit_quality needs at least one image")
    model = (judge or quality_judge()).model
    probs = torch.cat([predict_tensor(model, inputs[i : i + 1024]) for i in range(0, len(inputs), 1024)])
    counts = torch.bincount(probs.argmax(1), minlength=probs.shape[1]).double()
    shares = counts[counts > 0] / counts.sum()
    entropy = float(-(shares * shares.log()).sum() / np.log(probs.shape[1]))
    return {
        "confident_share": float((probs.max(1).values > CONFIDENT).double().mean()),
        "class_entropy": max(0.0, entropy),
        "class_counts": [int(c) for c in counts.tolist()],
    }
