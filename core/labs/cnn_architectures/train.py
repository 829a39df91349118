"""The cnn-architectures lab's training: the selected networks share the CPU, each for the same
number of its own seconds, then the skip-connection experiment.

Time-sharing, not step-sharing: at every turn the network that has used the fewest seconds so
far takes one optimisation step on its next batch (each walks its own shuffled pass over the
same training pictures). A network that costs twice as much per step so gets half the steps:
the comparison is at equal time, as in a classroom where the clock is what you have. Each
network's clock counts its own steps only (forward, backward, update), never the held-out
checks. The checks come when every network has used another quarter of its seconds.

The pretrained EfficientNet-Lite0 trains only its last block and head, on the first
`pretrained_images` pictures upscaled to 96x96. Its frozen trunk's output for a picture is kept
the first time it is computed, so its first pass over the pictures pays for the trunk and the
later passes do not; that cost is on its clock, and is reported apart (`trunk_seconds`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import charts
from core.data import ImageData, load_images
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.history import TrainingHistory
from core.labs.base import TrainedModel
from core.labs.cnn_architectures.model import (
    PRETRAINED_SIZE,
    DeepNet,
    FineTunedEfficientNet,
    build_architectures,
    build_network,
    multiply_adds,
    parameter_count,
)
from core.labs.cnn_architectures.spec import ARCHITECTURES, MODEL_NAMES, SPEC
from core.pretrained import efficientnet_lite0
from core.runner import TrainContext
from core.training import TensorSplit, evaluate_classifier

CHECKS = 4  # held-out checks per training: at each quarter of the seconds
SAMPLE_COUNT = 12
# The course's settings (Lab Work 10) as far as they are lab settings: batch 128, learning rate
# 0.001 (it used SGD with momentum; every network here uses Adam), its three networks.
COURSE_RECIPE = {"models": ["simple", "vgg", "resnet"], "batch_size": 128, "learning_rate": 1e-3}
# The skip-connection experiment's fixed parts: its nets' width, batch and Adam's step size.
DEEP_WIDTH, DEEP_BATCH, DEEP_RATE = 16, 32, 3e-3


def build_pretrained(classes: int = 10) -> FineTunedEfficientNet:
    """EfficientNet-Lite0 with ImageNet's weights, its last block and head to fine-tune."""
    return build_network("efficientnet", 0, classes, efficientnet_lite0)


def to_split(images: torch.Tensor, labels: torch.Tensor, device: torch.device) -> TensorSplit:
    """uint8 (N, 28, 28) -> float (N, 1, 28, 28) in [0, 1]: each network normalises its own."""
    return TensorSplit(images.float().div(255).unsqueeze(1).to(device), labels.to(device))


def ordered(per_model: dict[str, Any]) -> list[str]:
    """The networks named in `per_model` in the lab's order (JSON files sort them by name)."""
    return [name for name in ARCHITECTURES if name in per_model]


@dataclass
class NetworkRun:
    """One network's optimiser, data order and clock while the networks share the CPU."""

    name: str
    model: nn.Module
    optimizer: torch.optim.Optimizer
    pictures: int  # how many training pictures it walks through (the first of the subset)
    generator: torch.Generator
    seconds: float = 0.0
    steps: int = 0
    seen: int = 0  # pictures stepped on, over all passes
    order: torch.Tensor | None = None
    position: int = 0
    loss_sum: float = 0.0  # since the last check
    loss_count: int = 0
    checks: list[tuple[float, float]] = field(default_factory=list)  # (own seconds, accuracy)
    # The pretrained network's cache of its frozen trunk's output, picture by picture.
    features: torch.Tensor | None = None
    cached: torch.Tensor | None = None
    trunk_seconds: float = 0.0

    @property
    def epochs(self) -> float:
        return self.seen / self.pictures

    def next_batch(self, batch_size: int) -> torch.Tensor:
        """The indices of its next batch; a new shuffled pass when the last one is used up."""
        if self.order is None or self.position >= len(self.order):
            self.order = torch.randperm(self.pictures, generator=self.generator)
            self.position = 0
        index = self.order[self.position : self.position + batch_size]
        self.position += batch_size
        return index


def make_run(name: str, model: nn.Module, params: dict[str, Any], pictures: int, seed: int) -> NetworkRun:
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=params["learning_rate"])
    # Each network its own data order from the same seed: the same pictures, the same shuffles.
    return NetworkRun(name, model, optimizer, pictures, torch.Generator().manual_seed(seed))


def pretrained_inputs(run: NetworkRun, images: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """The frozen trunk's output for these pictures: from the cache, computing the missing ones."""
    model: FineTunedEfficientNet = run.model  # type: ignore[assignment]
    if run.features is None:
        shape = model.trunk_features(images[:1]).shape[1:]
        run.features = torch.zeros((run.pictures, *shape))
        run.cached = torch.zeros(run.pictures, dtype=torch.bool)
    missing = index[~run.cached[index]]
    if len(missing):
        started = time.perf_counter()
        run.features[missing] = model.trunk_features(images[missing])
        run.cached[missing] = True
        run.trunk_seconds += time.perf_counter() - started
    return run.features[index]


def train_step(run: NetworkRun, split: TensorSplit, batch_size: int) -> float:
    """One optimisation step of one network on its next batch; returns the loss."""
    started = time.perf_counter()
    index = run.next_batch(batch_size)
    labels = split.labels[index]
    run.model.train()
    if isinstance(run.model, FineTunedEfficientNet):
        logits = run.model.tail(pretrained_inputs(run, split.inputs, index))
    else:
        logits = run.model(split.inputs[index])
    loss = F.cross_entropy(logits, labels)
    run.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    run.optimizer.step()
    run.seconds += time.perf_counter() - started
    run.steps += 1
    run.seen += len(index)
    run.loss_sum += loss.item()
    run.loss_count += 1
    return loss.item()


def costs(models: dict[str, nn.Module]) -> dict[str, dict[str, Any]]:
    """Each network's trainable parameters and multiply-adds per picture (one forward pass)."""
    figures = {}
    for name, model in models.items():
        figures[name] = {"parameters": parameter_count(model), "multiply_adds": multiply_adds(model)}
        if isinstance(model, FineTunedEfficientNet):
            figures[name]["frozen_parameters"] = sum(p.numel() for p in model.trunk.parameters())
    return figures


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Share the CPU between the selected networks, the same seconds each; then, unless asked to
    stop, the deep plain and residual nets of the skip-connection experiment."""
    data = load_images("fashion-mnist", ctx.data_dir)
    count = min(params["train_images"], len(data.train_labels))
    train_split = to_split(data.train_images[:count], data.train_labels[:count], ctx.device)
    tests = min(params["test_images"], len(data.test_labels))
    heldout = to_split(data.test_images[:tests], data.test_labels[:tests], ctx.device)
    config = {
        "lab": SPEC.id,
        "architecture": ", ".join(params["models"]),
        "models": params["models"],
        "width": params["width"],
        "classes": list(data.classes),
        "input": {"size": [28, 28], "range": [0, 1], "polarity": "light garment on black"},
        "data": data.source.to_dict(),
        "params": params,
    }
    networks = build_architectures(config, efficientnet_lite0).to(ctx.device)
    figures = costs(networks)
    pictures = {
        name: min(params["pretrained_images"], count) if name == "efficientnet" else count
        for name in networks
    }
    runs = {name: make_run(name, model, params, pictures[name], ctx.seed) for name, model in networks.items()}
    budget = float(params["seconds"])
    heldout_features: dict[str, torch.Tensor] = {}
    shown = TensorSplit(heldout.inputs[:SAMPLE_COUNT], heldout.labels[:SAMPLE_COUNT])

    ctx.watch(networks)
    step, done_checks, stopped = 0, 0, False
    while True:
        waiting = [run for run in runs.values() if run.seconds < budget]
        if not waiting:
            break
        run = min(waiting, key=lambda r: r.seconds)  # the one that has had the least time
        loss = train_step(run, train_split, params["batch_size"])
        step += 1
        latest = {f"{name}_loss": r.loss_sum / r.loss_count for name, r in runs.items() if r.loss_count}
        used = sum(min(r.seconds, budget) for r in runs.values())
        total = max(step, round(step * budget * len(runs) / max(used, 1e-9)))  # a guess from the pace
        yield Progress(
            step,
            total,
            used / (budget * len(runs)) * CHECKS,
            {f"{run.name}_loss": loss}
            | {
                "loss": float(np.mean(list(latest.values())))  # what the runner watches for divergence
            },
        )
        stopped = ctx.should_stop()
        reached = min(min(r.seconds, budget) for r in runs.values()) / budget * CHECKS
        if stopped or math.floor(reached) > done_checks:
            done_checks += 1
            yield heldout_check(runs, heldout, heldout_features, done_checks, step)
            yield prediction_samples(networks, heldout_features, shown, data.classes, step, done_checks)
        if stopped:
            break
    networks.eval()

    deep = None
    if params["deep_layers"] > 0 and not stopped:
        deep = yield from deep_experiment(
            params["deep_layers"], params["deep_seeds"], params["deep_steps"], train_split, ctx, step
        )
    final = {name: score(run.model, heldout, heldout_features, name) for name, run in runs.items()}
    metrics = {
        "models": params["models"],
        "heldout_accuracy": {name: f["accuracy"] for name, f in final.items()},
        "heldout_loss": {name: f["loss"] for name, f in final.items()},
        "parameters": {name: f["parameters"] for name, f in figures.items()},
        "multiply_adds": {name: f["multiply_adds"] for name, f in figures.items()},
        "model_seconds": {name: round(run.seconds, 2) for name, run in runs.items()},
        "steps_per_model": {name: run.steps for name, run in runs.items()},
        "epochs": {name: round(run.epochs, 3) for name, run in runs.items()},
        "seconds_per_epoch": {
            name: round(run.seconds / run.epochs, 2) if run.epochs else None for name, run in runs.items()
        },
        "training_pictures": pictures,
        "checks": {name: [[round(s, 2), round(a, 4)] for s, a in run.checks] for name, run in runs.items()},
        "heldout_size": len(heldout),
        "steps": step,
        "seconds_budget": budget,
        "train_seconds": round(ctx.elapsed(), 2),
        "torch_threads": torch.get_num_threads(),
        "dataset": data.source.description,
        "deep": deep,
    }
    if "efficientnet" in runs:
        metrics["pretrained"] = {
            "trunk_seconds": round(runs["efficientnet"].trunk_seconds, 2),
            "frozen_parameters": figures["efficientnet"]["frozen_parameters"],
            "image_size": PRETRAINED_SIZE,
        }
    config["training"] = {"device": str(ctx.device), "seconds": round(ctx.elapsed(), 2)}
    yield Trained(networks.cpu().eval(), config, metrics)


@torch.no_grad()
def score(
    model: nn.Module, heldout: TensorSplit, cache: dict[str, torch.Tensor], name: str
) -> dict[str, float]:
    """Held-out loss and accuracy; the pretrained network's trunk runs once on the held-out
    pictures, its output kept for the later checks (held-out time is on no one's clock)."""
    if not isinstance(model, FineTunedEfficientNet):
        return evaluate_classifier(model, heldout)
    if name not in cache:
        cache[name] = torch.cat(
            [model.trunk_features(heldout.inputs[i : i + 256]) for i in range(0, len(heldout), 256)]
        )
    was_training = model.training
    model.eval()
    logits = torch.cat([model.tail(cache[name][i : i + 256]) for i in range(0, len(heldout), 256)])
    model.train(was_training)
    return {
        "loss": F.cross_entropy(logits, heldout.labels).item(),
        "accuracy": (logits.argmax(1) == heldout.labels).float().mean().item(),
    }


def heldout_check(
    runs: dict[str, NetworkRun], heldout: TensorSplit, cache: dict[str, torch.Tensor], check: int, step: int
) -> EpochEnd:
    """Every network's held-out figures and own seconds so far (one "epoch" of the charts is a
    quarter of the seconds)."""
    metrics: dict[str, float] = {}
    for name, run in runs.items():
        figures = score(run.model, heldout, cache, name)
        run.checks.append((run.seconds, figures["accuracy"]))
        metrics |= {
            f"heldout_{name}_accuracy": figures["accuracy"],
            f"heldout_{name}_loss": figures["loss"],
            f"{name}_seconds": run.seconds,
            f"{name}_epochs": run.epochs,
        }
        if run.loss_count:
            metrics[f"train_{name}_loss"] = run.loss_sum / run.loss_count
        run.loss_sum, run.loss_count = 0.0, 0
    return EpochEnd(check, step, metrics)


@torch.no_grad()
def prediction_samples(
    networks: nn.ModuleDict,
    cache: dict[str, torch.Tensor],
    shown: TensorSplit,
    classes: tuple[str, ...],
    step: int,
    check: int,
) -> Samples:
    """Fixed test pictures, each captioned with every network's answer (✗ when wrong)."""
    answers = {}
    for name, model in networks.items():
        was_training = model.training
        model.eval()
        if name in cache:  # the pretrained network: its trunk's output is already kept
            answers[name] = model.tail(cache[name][: len(shown)]).argmax(1).tolist()
        else:
            answers[name] = model(shown.inputs).argmax(1).tolist()
        model.train(was_training)
    captions = []
    for i, truth in enumerate(shown.labels.tolist()):
        said = "; ".join(
            f"{name} {classes[a[i]]}" + ("" if a[i] == truth else " ✗") for name, a in answers.items()
        )
        captions.append(f"{classes[truth]}: {said}")
    images = shown.inputs[:, 0].cpu().numpy()
    return Samples(
        step, images, tuple(captions), title=f"Test pictures and each network's answer, check {check}"
    )


# --- skip connections ----------------------------------------------------------------------------


def gradient_norms(model: DeepNet, inputs: torch.Tensor, labels: torch.Tensor) -> list[float]:
    """The norm of the loss's gradient for each deep layer's weights, first layer first, on one
    batch: where it shrinks towards the input, the early layers cannot learn."""
    model.zero_grad(set_to_none=True)
    F.cross_entropy(model(inputs), labels).backward()
    return [layer.weight.grad.norm().item() for layer in model.layers]


def deep_experiment(
    depth: int, seeds: int, steps: int, split: TensorSplit, ctx: TrainContext, step: int
) -> Iterator[Event]:
    """Train a deep plain net and the same net with skips, from `seeds` seeds each, on the same
    batches; the training loss of every run, and both nets' gradient norms per layer at the
    start. Yields a Progress per step (`deep_plain_loss`, `deep_residual_loss`); returns the
    figures, or None when asked to stop."""
    results: dict[str, Any] = {"depth": depth, "width": DEEP_WIDTH, "steps": steps, "batch": DEEP_BATCH}
    losses: dict[str, list[list[float]]] = {"plain": [], "residual": []}
    norms: dict[str, list[list[float]]] = {"plain": [], "residual": []}
    total = step + 2 * seeds * steps
    for seed in range(seeds):
        for kind in ("plain", "residual"):
            torch.manual_seed(ctx.seed + seed)  # the same starting weights' draw for both nets
            model = DeepNet(depth, DEEP_WIDTH, skip=kind == "residual").to(split.labels.device)
            optimizer = torch.optim.Adam(model.parameters(), lr=DEEP_RATE)
            order = torch.Generator().manual_seed(ctx.seed + seed)  # the same batches for both
            curve = []
            for i in range(steps):
                index = torch.randint(0, len(split), (DEEP_BATCH,), generator=order)
                inputs, labels = split.inputs[index], split.labels[index]
                if i == 0:
                    norms[kind].append(gradient_norms(model, inputs, labels))
                loss = F.cross_entropy(model(inputs), labels)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                curve.append(round(loss.item(), 4))
                step += 1
                # "loss" as well: what the runner watches and the status line shows.
                yield Progress(step, total, CHECKS, {f"deep_{kind}_loss": loss.item(), "loss": loss.item()})
                if ctx.should_stop():
                    return None
            losses[kind].append(curve)
    results["losses"] = losses
    results["gradient_norms"] = norms
    # The last tenth of each run's steps, averaged: where it ended up.
    tail = max(1, steps // 10)
    results["final_loss"] = {
        kind: [round(float(np.mean(c[-tail:])), 4) for c in runs] for kind, runs in losses.items()
    }
    return results


# --- evaluation and charts -----------------------------------------------------------------------


def heldout_data(data_dir: str | None = None) -> ImageData:
    """Fashion-MNIST, whose first test pictures every network is scored on."""
    return load_images("fashion-mnist", data_dir)


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """Each network's accuracy on the Fashion-MNIST test pictures it was scored on in training."""
    data = heldout_data(data_dir)
    tests = int(trained.config.get("params", {}).get("test_images", len(data.test_labels)))
    heldout = to_split(data.test_images[:tests], data.test_labels[:tests], torch.device("cpu"))
    per_model = {}
    for name, model in trained.model.items():
        figures = score(model, heldout, {}, name)
        per_model[name] = {"heldout_accuracy": figures["accuracy"], "heldout_loss": figures["loss"]}
    return {
        "lab": SPEC.id,
        "models": per_model,
        "heldout_size": len(heldout),
        "data": data.source.description,
    }


def comparison_figures(history: TrainingHistory) -> list[Any]:
    """Every network's held-out accuracy at each check and its training loss, one colour each."""
    models = [(name, MODEL_NAMES[name]) for name in ARCHITECTURES if f"{name}_loss" in history.steps]
    accuracy = charts.per_model_curves(
        history,
        models,
        "heldout_{name}_accuracy",
        "Held-out accuracy at each quarter of the seconds",
        "accuracy",
    )
    accuracy.update_traces(mode="lines+markers", selector=dict(mode="markers"))
    accuracy.update_yaxes(tickformat=".0%")
    accuracy.update_xaxes(title="check (a quarter of each network's seconds)")
    loss = charts.per_model_curves(
        history,
        models,
        "{name}_loss",
        "Training loss (each network's steps, smoothed)",
        "cross-entropy",
        smooth=10,
    )
    return [accuracy, loss]
