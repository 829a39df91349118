"""What a student does with a Digits model: pure functions of (model, input)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from core import charts
from core.imaging import example_digit, to_mnist_frame
from core.interactions import Interaction, Output, Probabilities, digit_input, heldout_image_index
from core.judge import predict_tensor
from core.labs.base import TrainedModel
from core.labs.digits.model import ConvClassifier
from core.labs.digits.train import heldout_data, heldout_report
from core.specs import SpecError


def classify_frame(trained: TrainedModel, frame: np.ndarray) -> Probabilities:
    """A prepared 28x28 frame in [0, 1] -> the model's probability for each class."""
    inputs = torch.from_numpy(np.ascontiguousarray(frame, dtype=np.float32))[None, None]
    probs = predict_tensor(trained.model, inputs)[0].numpy()
    return Probabilities(tuple(trained.config.get("classes", [str(c) for c in range(10)])), probs)


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


def layer_gallery(trained: TrainedModel, frame: np.ndarray) -> list[tuple[np.ndarray, str]]:
    """Each block's activations tiled into one picture (an MLP layer is one map of its units)."""
    items = []
    for name, maps in feature_maps(trained, frame):
        caption = name if len(maps) == 1 else f"{name}: {len(maps)} channels"
        items.append((charts.tile(maps, columns=8), caption))
    return items


def classify(trained: TrainedModel, image: np.ndarray) -> dict[str, Any]:
    frame = to_mnist_frame(image)
    return {
        "prediction": classify_frame(trained, frame),
        "seen": frame,
        "layers": layer_gallery(trained, frame),
    }


def mistakes(trained: TrainedModel) -> dict[str, Any]:
    data = heldout_data(trained)
    report = heldout_report(trained, data, max_mistakes=24)
    note = (
        f"Held-out accuracy **{report.accuracy:.2%}** on {len(data.test_labels):,} images of "
        f"{data.source.description}. Rows are the true class, columns the answer; mistakes are "
        "sorted by how sure the model was."
    )
    return {
        "note": note,
        "confusion": charts.confusion_heatmap(report.confusion, report.classes),
        "mistakes": [
            (m["image"], f"said {m['predicted']}, is {m['true']} ({m['confidence']:.0%})")
            for m in report.mistakes
        ],
    }


def filters(trained: TrainedModel) -> dict[str, Any]:
    if trained.config["architecture"] == "mlp":
        note = (
            "Each square holds the 784 input weights of one first-layer unit, laid out as the image "
            "it responds to most (bright = positive)."
        )
    else:
        note = "Each square is one 3x3 filter of the first convolution (bright = positive weight)."
    return {"filters": charts.tile(first_layer_weights(trained), columns=8), "note": note}


def heldout_layers(trained: TrainedModel, index: int) -> dict[str, Any]:
    data = heldout_data(trained)
    if index >= len(data.test_images):
        raise SpecError(f"Held-out image: pick a number from 0 to {len(data.test_images) - 1}")
    frame = data.test_images[index].numpy().astype(np.float32) / 255
    label = data.classes[int(data.test_labels[index])]
    return {
        "input": frame,
        "truth": f"Held-out image {index}: a **{label}**",
        "layers": layer_gallery(trained, frame),
    }


SEEN = Output("seen", "image", "What the model sees (28x28)", size=224)
LAYERS = Output("layers", "gallery", "What each layer computes", size=480, columns=3)

INTERACTIONS = (
    Interaction(
        "classify",
        "Draw or upload a digit",
        "The model reads a drawing or a photo: its ten probabilities, the 28x28 frame it saw, and "
        "what each layer computed.",
        classify,
        inputs=(digit_input(),),
        outputs=(Output("prediction", "label", "Prediction"), SEEN, LAYERS),
        example={"image": example_digit},
    ),
    Interaction(
        "mistakes",
        "Mistakes",
        "The confusion matrix on the held-out images, and the mistakes the model was surest of.",
        mistakes,
        outputs=(
            Output("note", "markdown", "About the report"),
            Output("confusion", "plot", "Confusion matrix"),
            Output("mistakes", "gallery", "The most confident mistakes", size=84),
        ),
        live=False,
    ),
    Interaction(
        "filters",
        "First-layer weights",
        "What the first layer looks for: its filters (CNN) or each unit's weights (MLP).",
        filters,
        outputs=(Output("filters", "image", "First-layer weights", size=400), Output("note", "markdown", "")),
    ),
    Interaction(
        "feature-maps",
        "Feature maps of a held-out digit",
        "Pick a held-out image by number and see what each layer computes for it.",
        heldout_layers,
        inputs=(heldout_image_index("image"),),
        outputs=(Output("input", "image", "Input", size=112), Output("truth", "markdown", ""), LAYERS),
        example={"index": 7},
    ),
)
