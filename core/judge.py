"""The judge of generated digits: the bundled Digits classifier reads a GAN's (or any
generator's) samples and says how recognisable and how varied they are."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from core.labs.base import TrainedModel

CONFIDENT = 0.9  # a sample the judge reads with more than this probability counts as recognisable


@torch.no_grad()
def predict_tensor(model: torch.nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """Softmax probabilities in eval mode, leaving the model's mode as it was."""
    was_training = model.training
    model.eval()
    probs = F.softmax(model(inputs), dim=1)
    model.train(was_training)
    return probs


@functools.lru_cache(maxsize=1)
def quality_judge() -> TrainedModel:
    """The bundled default classifier, loaded once per process. Channels-last, which reads a
    batch of hundreds about 30% faster on a CPU."""
    from core import models
    from core.registry import get_lab

    digits = get_lab("digits")
    judge = models.bundled(digits, models.default_choice(digits))
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
