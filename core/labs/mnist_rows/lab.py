"""MNIST row by row: read each digit as 28 time steps of 28 pixels with the RNN family."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from torch import nn

from core.events import Event
from core.labs.base import Lab, TrainedModel
from core.labs.mnist_rows import train as training
from core.labs.mnist_rows.interactions import INTERACTIONS
from core.labs.mnist_rows.model import build_readers
from core.labs.mnist_rows.spec import MODEL_NAMES, SPEC
from core.runner import TrainContext


class MnistRowsLab(Lab):
    spec = SPEC
    variants = {"all": "mnist-rows-all"}  # noqa: RUF012  (one checkpoint holds every reader)
    interactions = INTERACTIONS
    train_metrics = ("loss",)  # the mean over the readers; each one's curves: the training view
    samples_label = "Held-out digits, each model's answer"
    course_recipe = training.COURSE_RECIPE

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return build_readers(config)

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        """One bundled checkpoint holds every reader, so any selection can be tried at once."""
        return self.variant_path("all")

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        return training.train(params, ctx)

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        return training.evaluate(trained, data_dir)

    def headline(self, metrics: dict[str, Any]) -> str:
        accuracy = metrics.get("heldout_accuracy")
        if not isinstance(accuracy, dict) or not accuracy:
            return ""
        return "held-out accuracy " + ", ".join(
            f"{MODEL_NAMES[name]} {accuracy[name]:.1%}" for name in training.ordered(accuracy)
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(
            f"--set {k}={','.join(v) if isinstance(v, list) else v}" for k, v in sorted(params.items())
        )
        course = training.COURSE_ACCURACY
        rows = "\n".join(
            f"| {MODEL_NAMES.get(name, name)} | `{name}.` | {accuracy:.2%} | "
            + (f"{course[name]:.2%}" if name in course else "-")
            + f" | {metrics.get('model_seconds', {}).get(name, '-')} |"
            for name, accuracy in (
                (n, metrics["heldout_accuracy"][n])
                for n in training.ordered(metrics.get("heldout_accuracy", {}))
            )
        )
        return (
            "---\nlibrary_name: pytorch\ntags:\n- image-classification\n- rnn\n- lstm\n- mnist\n"
            "- deep-learning-labs\n---\n\n"
            "# MNIST row by row: the RNN family\n\n"
            f"Trained by Deep Learning Labs' mnist-rows lab on {config.get('data', {}).get('description')}. "
            "Each image is read as 28 time steps of 28 pixels; the readers were trained side by side "
            "on the same batches.\n\n"
            "| model | tensor prefix | held-out accuracy | course (full MNIST, GPU) | own training s |\n"
            f"| --- | --- | --- | --- | --- |\n{rows}\n\n"
            f"- Hidden size {config.get('hidden_size')}, normalisation {config.get('normalization')}, "
            f"extra FC layer {'yes' if config.get('extra_fc') else 'no'}\n"
            "- Input: 28x28 floats in [0, 1], white ink on black, rows read top to bottom\n\n"
            f"Reproduce: `python -m core train mnist-rows {settings} --data-dir <folder with MNIST/raw>`\n"
        )


LAB = MnistRowsLab()
