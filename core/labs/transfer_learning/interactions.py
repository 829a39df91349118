"""What a student does in the transfer-learning lab: teach the network their own classes and
classify a new photo with it; classify a photo with the lab's trained model; read the measured
accuracy against pictures per class."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from core.image_classes import DEFAULT, ImageClasses, to_classes
from core.imaging import bundled_photo
from core.interactions import Interaction, Output, Probabilities, classes_input, photo_input
from core.labs.base import TrainedModel
from core.labs.transfer_learning.model import TransferNet, to_inputs
from core.labs.transfer_learning.spec import SPEC
from core.pretrained import centre_crop
from core.recurrent import one_thread
from core.specs import Param

# Measured by benchmarks/transfer_learning_bench.py: accuracy against pictures per class.
MEASURED = Path(__file__).with_name("measured.json")
# The settings a student's own classes train with: the lab's defaults, no baseline (the lab's
# training and the measured curves show it), so that six classes of 30 photos take seconds.
OWN_SETTINGS = {**SPEC.defaults(), "scratch_seconds": 0}
KEPT_MODELS = 8  # models of students' classes kept in memory, by their pictures' fingerprint

# --- teaching your own classes -----------------------------------------------------------------


class _Quiet:
    """The training context of a lab's loop when no runner is involved: no stop, no guards."""

    data_dir = None

    def __init__(self, seed: int):
        self.generator = torch.Generator().manual_seed(seed)

    def watch(self, model: torch.nn.Module) -> None:
        pass

    def should_stop(self) -> bool:
        return False


_models: OrderedDict[tuple[str, bool], tuple[TransferNet, dict[str, Any]]] = OrderedDict()
_lock = threading.Lock()  # one teaching at a time: two students' models must not interleave


@one_thread()  # on a busy 2-core server, two threads per depthwise convolution wait on each other
def teach(classes: ImageClasses, fine_tune: bool) -> tuple[TransferNet, dict[str, Any]]:
    """The model for these pictures, trained once and kept (in this process's memory only, under
    a fingerprint of the pictures themselves: nobody without the same pictures can reach it)."""
    from core.labs.transfer_learning.train import own_pictures, train_on

    key = (classes.fingerprint(), fine_tune)
    with _lock:
        if key in _models:
            _models.move_to_end(key)
            return _models[key]
        params = {**OWN_SETTINGS, "fine_tune_epochs": OWN_SETTINGS["fine_tune_epochs"] if fine_tune else 0}
        train_set, heldout = own_pictures(classes, params["image_size"])
        started = time.perf_counter()
        trained = None
        for event in train_on(train_set, heldout, params, _Quiet(params["seed"])):
            trained = event
        metrics = {**trained.metrics, "seconds": round(time.perf_counter() - started, 2)}
        _models[key] = (trained.model, metrics)
        while len(_models) > KEPT_MODELS:
            _models.popitem(last=False)
        return _models[key]


@one_thread()
def predict(model: TransferNet, classes: tuple[str, ...], photo: np.ndarray, size: int) -> Probabilities:
    square = centre_crop(photo, size)
    with torch.no_grad():
        logits = model(to_inputs(square[None]))
    return Probabilities(tuple(classes), torch.softmax(logits, 1)[0].numpy())


def percent(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.0%}"


def your_classes(trained: Any, images: Any, photo: np.ndarray, fine_tune: bool) -> dict[str, Any]:
    classes = to_classes(images)
    model, metrics = teach(classes, fine_tune)
    held = metrics["heldout_size"]
    rows = [
        {
            "model": "frozen features + new head",
            "held-out accuracy": percent(metrics["frozen_accuracy"]),
            "seconds": round(metrics["feature_seconds"] + metrics["head_seconds"], 1),
        }
    ]
    if fine_tune:
        rows.append(
            {
                "model": f"last {OWN_SETTINGS['unfrozen']} stages fine-tuned",
                "held-out accuracy": percent(metrics["fine_tuned_accuracy"]),
                "seconds": metrics["fine_tune_seconds"],
            }
        )
    scored = (
        f"scored on {held} held-out pictures (the last quarter of each class)"
        if held
        else "not scored: give each class 4 or more pictures to keep a quarter aside for a score"
    )
    note = (
        f"Trained on {classes.describe()}; {scored}. The photo is answered by the "
        f"{'fine-tuned' if fine_tune else 'frozen'} model. Taught in {metrics['seconds']:.1f} s "
        "(the same pictures again answer at once)."
    )
    return {
        "prediction": predict(model, classes.names, photo, OWN_SETTINGS["image_size"]),
        "comparison": rows,
        "note": note,
    }


# --- the lab's trained model ---------------------------------------------------------------------


def classify(trained: TrainedModel, photo: np.ndarray) -> dict[str, Any]:
    size = int(trained.config["image_size"])
    square = centre_crop(photo, size)
    return {
        "prediction": predict(trained.model, tuple(trained.config["classes"]), photo, size),
        "seen": square,
    }


# --- what the benchmark measured -------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def measured() -> dict[str, Any] | None:
    try:
        return json.loads(MEASURED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


NAMES = {"frozen": "frozen + new head", "fine_tuned": "fine-tuned", "scratch": "from scratch"}


def images_per_class(trained: Any) -> dict[str, Any]:
    import plotly.graph_objects as go

    figures = measured()
    if figures is None:  # a checkout without the benchmark's figures: say how to make them
        return {"reading": "No measurement yet: `python -m benchmarks.transfer_learning_bench` makes one."}
    sizes = figures["images_per_class"]
    figure = go.Figure()
    for name, label in NAMES.items():
        means = [figures["accuracy"][name][str(n)]["mean"] for n in sizes]
        spreads = [figures["accuracy"][name][str(n)]["std"] for n in sizes]
        figure.add_scatter(
            x=sizes, y=means, name=label, mode="lines+markers", error_y={"type": "data", "array": spreads}
        )
    figure.update_layout(
        title=f"Held-out accuracy against pictures per class ({len(figures['seeds'])} seeds)",
        xaxis={"title": "training pictures per class", "type": "log"},
        yaxis={"title": "held-out accuracy", "range": [0, 1]},
    )
    return {"curves": figure, "reading": figures["reading"], "table": figures["table"]}


INTERACTIONS = (
    Interaction(
        name="your-classes",
        title="Teach your classes",
        help="Make 2 to 6 classes of a few pictures each; the network learns them in seconds, "
        "then answers for a new photo.",
        run=your_classes,
        inputs=(
            classes_input(),
            photo_input(
                help="The photo to classify with your classes: bundled, uploaded or from the webcam."
            ),
            Param(
                "fine_tune",
                "bool",
                True,
                "Also fine-tune the last stages (a few seconds more) and answer with that model.",
                label="Fine-tune",
            ),
        ),
        outputs=(
            Output("prediction", "label", "Your classes say", help="The chance of each of your classes."),
            Output("comparison", "table", "Frozen against fine-tuned"),
            Output("note", "markdown"),
        ),
        example={"images": DEFAULT, "photo": functools.partial(bundled_photo, "coffee"), "fine_tune": False},
        live=False,
        needs_model=False,
    ),
    Interaction(
        name="classify",
        title="Classify a photo",
        help="The lab's trained model (Fashion-MNIST garments, or yours) answers for a photo.",
        run=classify,
        inputs=(photo_input(default="coffee"),),
        outputs=(
            Output("prediction", "label", "The model says"),
            Output("seen", "image", "What the network sees", size=192),
        ),
        example={"photo": functools.partial(bundled_photo, "coffee")},
    ),
    Interaction(
        name="images-per-class",
        title="How many pictures?",
        help="Held-out accuracy against training pictures per class (5 to 100) for the frozen "
        "head, the fine-tuned network and the same network from scratch, measured over seeds.",
        run=images_per_class,
        outputs=(
            Output("curves", "plot", "Accuracy against pictures per class"),
            Output("reading", "markdown", "What it shows"),
            Output("table", "table", "The figures"),
        ),
        needs_model=False,
    ),
)
