"""Attention lab: scaled dot-product attention between two typed sentences (no model needed),
and a tiny attention model trained live on copying or reversing digit strings."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from core.export import FirstOutput
from core.labs.attention import train as training
from core.labs.attention.interactions import INTERACTIONS
from core.labs.attention.model import PAD_ID, ToyAttention
from core.labs.attention.spec import SPEC, TASKS
from core.labs.base import Lab, TrainedModel


class AttentionLab(Lab):
    spec = SPEC
    variants = {task: f"attention-{task}" for task in TASKS}  # noqa: RUF012  (reverse first: the default)
    variant_setting = "task"
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("loss", "accuracy", "alignment")
    samples_label = "Attention on a fixed string: from uniform to the alignment"
    best_metric = ("heldout_accuracy", "max")

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        if config["task"] not in TASKS:  # read when the model answers: refuse a bad config on load
            raise ValueError(f"task must be one of {', '.join(TASKS)}, got {config['task']!r}")
        return ToyAttention(int(config["max_length"]), int(config["dim"]))

    onnx_traced = True  # written in under a second, where torch.export takes 9 s

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        return FirstOutput(trained.model)

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        # Strings padded to the longest the model reads: padding is masked, so a short string
        # gets the same answer padded as alone.
        longest = trained.model.max_length
        digits = torch.tensor(
            [([3, 1, 4, 1, 5, 9, 2, 6, 5, 3] * 2)[:longest], [2, 7, 1] + [PAD_ID] * (longest - 3)]
        )
        return digits, torch.tensor([longest, 3])

    onnx_about = (
        "(N, max_length) digit indices 0-9, padded with 10, and (N,) their lengths in; (N, max_length, "
        "10) logits out, one row per output place (the rows past a string's length mean nothing)."
    )

    def headline(self, metrics: dict[str, Any]) -> str:
        if "heldout_accuracy" not in metrics:
            return ""
        return (
            f"{metrics.get('task', '?')}: held-out digits right {metrics['heldout_accuracy']:.1%}, "
            f"alignment {metrics.get('heldout_alignment', 0):.2f}"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        body = (
            f"# Toy attention model: {config.get('task')}\n\n"
            "One scaled dot-product attention head that learns, for each output position, which input "
            f"position to {config.get('task')}. Trained by Deep Learning Labs' attention lab on "
            f"{config.get('data', {}).get('description')}.\n\n"
            f"Held-out ({metrics.get('heldout_size')} fixed random strings, seed {training.HELDOUT_SEED}): "
            f"digits right {metrics.get('heldout_accuracy', 0):.2%}, whole strings right "
            f"{metrics.get('heldout_sequence_accuracy', 0):.2%}, alignment (mean weight on the right input "
            f"position) {metrics.get('heldout_alignment', 0):.3f}.\n\n"
        )
        return self.card(("attention", "toy-task"), body, config)


LAB = AttentionLab()
