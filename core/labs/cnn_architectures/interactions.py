"""What a student does with the trained networks: pure functions of (networks, input)."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import torch
import torch.nn.functional as F

from core import charts
from core.data import load_images
from core.interactions import Interaction, Output, Probabilities, heldout_image_index
from core.labs.base import TrainedModel
from core.labs.cnn_architectures.model import DeepNet
from core.labs.cnn_architectures.spec import ARCHITECTURES, MODEL_NAMES
from core.labs.cnn_architectures.train import DEEP_WIDTH, gradient_norms, ordered, to_split
from core.specs import Param, SpecError

KIND_COLOURS = {"plain": charts.ACCENT, "residual": charts.TRAIN_COLOUR}
KIND_NAMES = {"plain": "plain (no skips)", "residual": "with skips (residual)"}


@torch.no_grad()
def classify(trained: TrainedModel, index: int) -> dict[str, Any]:
    """A Fashion-MNIST test picture, and every network's answer for it."""
    data = load_images("fashion-mnist")
    if not 0 <= index < len(data.test_labels):
        raise SpecError(
            f"Test picture {index} does not exist: pick a number from 0 to {len(data.test_labels) - 1}."
        )
    split = to_split(
        data.test_images[index : index + 1], data.test_labels[index : index + 1], torch.device("cpu")
    )
    classes = tuple(trained.config.get("classes", data.classes))
    truth = classes[int(split.labels[0])]
    result: dict[str, Any] = {"picture": split.inputs[0, 0].numpy()}
    rows = []
    for name, model in trained.model.items():
        model.eval()
        probabilities = Probabilities(classes, F.softmax(model(split.inputs), dim=1)[0].numpy())
        result[name] = probabilities
        mark = "" if probabilities.label == truth else " ✗"
        rows.append(
            f"| {MODEL_NAMES[name]} | **{probabilities.label}**{mark} | {probabilities.confidence:.0%} |"
        )
    result["answers"] = (
        f"Test picture {index}: a **{truth}**.\n\n| network | answer | sure |\n| --- | --- | --- |\n"
        + "\n".join(rows)
    )
    return result


def seconds_text(value: Any) -> str:
    """40.0 -> "40"; anything not a number (a hand-edited metrics.json) -> "?"."""
    return f"{value:g}" if isinstance(value, int | float) else "?"


def compare(trained: TrainedModel) -> dict[str, Any]:
    """The comparison table, as measured in training, and held-out accuracy against seconds."""
    m = trained.metrics
    accuracy = m.get("heldout_accuracy")
    needed = (
        "parameters",
        "multiply_adds",
        "model_seconds",
        "steps_per_model",
        "epochs",
        "seconds_per_epoch",
    )
    if not isinstance(accuracy, dict) or not all(isinstance(m.get(key), dict) for key in needed):
        raise SpecError(
            "This model came without its training figures (metrics.json): the comparison is "
            "measured in training. Train the networks here, or load a folder that has its metrics.json."
        )
    rows = []
    for name in ordered(accuracy):
        rows.append(
            {
                "network": MODEL_NAMES[name],
                "trained parameters": m["parameters"][name],
                "multiply-adds per picture (millions)": round(m["multiply_adds"][name] / 1e6, 2),
                "own seconds": m["model_seconds"][name],
                "steps": m["steps_per_model"][name],
                "epochs": m["epochs"][name],
                "seconds per epoch": m["seconds_per_epoch"][name],
                "test accuracy (%)": round(100 * accuracy[name], 2),
            }
        )
    figure = go.Figure()
    for name, colour in zip(ordered(accuracy), charts.CLASS_COLOURS, strict=False):
        points = m.get("checks", {}).get(name) or []
        figure.add_scatter(
            x=[s for s, _ in points],
            y=[a for _, a in points],
            mode="lines+markers",
            name=MODEL_NAMES[name],
            line=dict(color=colour),
        )
    charts.layout(
        figure, "Test accuracy against each network's own training seconds", "own seconds", "accuracy"
    )
    figure.update_yaxes(tickformat=".0%")
    note = (
        f"Each network trained for {seconds_text(m.get('seconds_budget'))} of its own seconds on "
        f"{trained.config.get('params', {}).get('train_images', '?'):,} of Fashion-MNIST's 60,000 "
        "training pictures and was scored on the first "
        f"{m.get('heldout_size', '?'):,} test pictures. Multiply-adds: one forward pass of one "
        "picture, counted by PyTorch's FlopCounterMode (convolutions and matrix products)."
    )
    pretrained = m.get("pretrained")
    if pretrained and "efficientnet" in accuracy:
        note += (
            f" EfficientNet-Lite0 reads the pictures at {pretrained['image_size']}x"
            f"{pretrained['image_size']} and trained only its last block and head "
            f"({m['parameters']['efficientnet']:,} parameters; {pretrained['frozen_parameters']:,} "
            f"frozen) on {m['training_pictures']['efficientnet']:,} pictures; {pretrained['trunk_seconds']} "
            "of its seconds went on running its frozen trunk once per picture."
        )
    return {"note": note, "table": rows, "chart": figure}


def gradient_figure(norms: dict[str, list[float]], title: str) -> go.Figure:
    figure = go.Figure()
    for kind, values in norms.items():
        figure.add_scatter(
            x=list(range(1, len(values) + 1)),
            y=values,
            mode="lines+markers",
            name=KIND_NAMES[kind],
            line=dict(color=KIND_COLOURS[kind]),
        )
    charts.layout(figure, title, "layer (1: nearest the input)", "gradient norm (log scale)")
    figure.update_yaxes(type="log", exponentformat="power")
    return figure


def gradients(trained: Any, depth: int, seed: int) -> dict[str, Any]:
    """Both deep nets of `depth` layers, fresh from the same seed: the norm of each layer's
    weight gradient on one batch of 64 training pictures."""
    data = load_images("fashion-mnist")
    split = to_split(data.train_images[:64], data.train_labels[:64], torch.device("cpu"))
    norms = {}
    for kind in ("plain", "residual"):
        torch.manual_seed(seed)
        norms[kind] = gradient_norms(
            DeepNet(depth, DEEP_WIDTH, skip=kind == "residual"), split.inputs, split.labels
        )
    ratio = {kind: values[0] / values[-1] for kind, values in norms.items()}
    summary = (
        f"At layer 1 (nearest the input) the gradient is {ratio['plain']:.1e} times the last layer's "
        f"without skips, {ratio['residual']:.2g} times with them. A step changes each weight in "
        "proportion to its gradient (for plain SGD): where it is a millionth of the last layer's, "
        "the early layers do not learn."
    )
    return {
        "chart": gradient_figure(norms, f"Gradient norm per layer, {depth} layers, at the start"),
        "summary": summary,
    }


def deep(trained: TrainedModel) -> dict[str, Any]:
    """The skip-connection experiment run in training: every seed's loss curve, both nets."""
    results = trained.metrics.get("deep")
    if not results:
        raise SpecError(
            "This model was trained without the skip-connection experiment (deep layers 0, or the "
            "training was stopped early): train again with deep layers above 0."
        )
    curves = go.Figure()
    for kind, runs in results["losses"].items():
        for seed, curve in enumerate(runs):
            curves.add_scatter(
                y=curve,
                mode="lines",
                name=f"{KIND_NAMES[kind]}, seed {seed}",
                line=dict(color=KIND_COLOURS[kind], width=1.5),
                opacity=0.8,
            )
    curves.add_hline(
        y=float(np.log(10)), line=dict(color="grey", dash="dash"), annotation_text="guessing (ln 10)"
    )
    charts.layout(
        curves,
        f"Training loss of {results['depth']}-layer nets, every seed",
        "step",
        "cross-entropy",
        height=360,
    )
    norms = {kind: np.mean(values, axis=0).tolist() for kind, values in results["gradient_norms"].items()}
    final = results["final_loss"]
    summary = (
        f"Same {results['depth']} layers of {results['width']} channels, same starting weights' draw, "
        f"same batches, Adam for {results['steps']} steps; the only difference is the skip around "
        f"each layer. Final loss (mean of the last tenth of the steps), per seed: without skips "
        f"{', '.join(f'{v:.2f}' for v in final['plain'])}; with skips "
        f"{', '.join(f'{v:.2f}' for v in final['residual'])}. Guessing scores ln 10 = 2.30."
    )
    return {
        "summary": summary,
        "curves": curves,
        "norms": gradient_figure(norms, "Gradient norm per layer at the start (mean over the seeds)"),
    }


INTERACTIONS = (
    Interaction(
        "compare",
        "Side by side",
        "Parameters, multiply-adds, seconds per epoch and test accuracy of every network, each "
        "trained for the same seconds.",
        compare,
        outputs=(
            Output("note", "markdown", ""),
            Output("table", "table", "Every network at equal time"),
            Output(
                "chart",
                "plot",
                "Accuracy against seconds",
                help="Each point is a held-out check: higher at a given time means more learnt in that time.",
            ),
        ),
    ),
    Interaction(
        "classify",
        "Classify a test picture",
        "Pick a Fashion-MNIST test picture by number and see every network's answer.",
        classify,
        inputs=(heldout_image_index("picture"),),
        outputs=(
            Output("picture", "image", "The test picture", size=112),
            Output("answers", "markdown", "Every network's answer"),
            *(Output(name, "label", MODEL_NAMES[name]) for name in ARCHITECTURES),
        ),
        example={"index": 0},
    ),
    Interaction(
        "gradients",
        "Gradients with and without skips",
        "A deep net of identical convolution layers, fresh, with and without a skip around each "
        "layer: how strong the gradient is at every layer.",
        gradients,
        inputs=(
            Param("depth", "int", 30, "Convolution layers in each deep net.", label="Layers", low=2, high=60),
            Param("seed", "int", 0, "Seed of the starting weights.", low=0, high=10_000),
        ),
        outputs=(
            Output(
                "chart",
                "plot",
                "Gradient norm per layer",
                help="Log scale: each grid line is ten times the one below.",
            ),
            Output("summary", "markdown", ""),
        ),
        example={"depth": 30, "seed": 0},
        needs_model=False,
    ),
    Interaction(
        "deep",
        "A deep plain net against a ResNet",
        "The experiment run in training: deep nets with and without skips, from several seeds, "
        "their training loss step by step.",
        deep,
        outputs=(
            Output("summary", "markdown", ""),
            Output(
                "curves", "plot", "Training loss, every seed", help="Dashed: the loss of a uniform guess."
            ),
            Output("norms", "plot", "Gradient norm per layer at the start"),
        ),
    ),
)
