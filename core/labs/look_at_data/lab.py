"""Look at the data: an explorer for MNIST and Fashion-MNIST that needs no model (counts, grids,
mean and spread images, pixel statistics, a 2-D map, nearest neighbours), and the course's MLP
trained live whose mistakes it places on the map."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from core.labs.base import MNIST_DATA_DIR, Lab, TrainedModel
from core.labs.look_at_data import train as training
from core.labs.look_at_data.interactions import INTERACTIONS
from core.labs.look_at_data.model import CourseMLP
from core.labs.look_at_data.spec import COURSE_RECIPE, SPEC


class LookAtDataLab(Lab):
    spec = SPEC
    variants = {"mnist": "look-at-data-mnist"}  # noqa: RUF012
    interactions = INTERACTIONS
    trainer = training
    best_metric = ("heldout_accuracy", "max")
    samples_label = "Held-out answers"
    course_recipe = COURSE_RECIPE

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return CourseMLP(float(config.get("dropout", 0.0)), len(config.get("classes", range(10))))

    onnx_traced = True  # written in a fraction of a second, where torch.export takes seconds

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(2, 28, 28),)

    onnx_about = "(N, 28, 28) pixels in [0, 1], white on black, in; (N, 10) logits out."

    def model_name(self, trained: TrainedModel) -> str:
        return "the course's MLP 784-256-128-64-10"

    def next_step(self) -> str:
        return (
            "look at the mistakes on the map, then train again on Fashion-MNIST: which classes "
            "overlap on its map, and are they the ones the model confuses?"
        )

    def headline(self, metrics: dict[str, Any]) -> str:
        accuracy, size = metrics.get("heldout_accuracy"), metrics.get("heldout_size")
        if not isinstance(accuracy, float):
            return ""
        return f"held-out accuracy {accuracy:.1%}" + (f" on {size:,} images" if size else "")

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        accuracy = metrics.get("heldout_accuracy")
        figure = f"{accuracy:.2%}" if isinstance(accuracy, float) else "n/a"
        params = config.get("params", {})
        data = config.get("data", {}).get("description")
        body = (
            "# The course's MNIST MLP (Lab Work 1)\n\n"
            f"Trained by Deep Learning Labs' look-at-data lab on {data}.\n\n"
            "- 784-256-128-64-10, each hidden layer Linear, BatchNorm, ReLU, dropout "
            f"{params.get('dropout')}; Xavier-uniform weights\n"
            f"- Adam, learning rate {params.get('learning_rate')}, batches of {params.get('batch_size')}, "
            f"{params.get('epochs')} epochs\n"
            f"- Held-out accuracy: {figure} on {metrics.get('heldout_size')} images\n"
            "- Input: 28x28 floats in [0, 1], white on black\n\n"
        )
        return self.card(("image-classification", "mnist"), body, config, MNIST_DATA_DIR)


LAB = LookAtDataLab()
