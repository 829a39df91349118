"""GAN lab: train a generator against a discriminator live, then walk its latent space."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import torch
from torch import nn

from core.charts import series_curves
from core.history import TrainingHistory
from core.labs.base import CHECKPOINT_ROOT, MNIST_DATA_DIR, Lab, TrainedModel
from core.labs.gan import train as training
from core.labs.gan.interactions import INTERACTIONS
from core.labs.gan.model import gan_from_config
from core.labs.gan.spec import SPEC

# The live charts: curves that belong together share one (metric and label pairs), with a title,
# a y axis and the line that marks balance.
TRAINING_CHARTS = (
    (
        "Losses",
        "BCE",
        (("d_loss", "D loss"), ("g_loss", "G loss")),
        (2 * math.log(2), "D at balance: 2 log 2"),
    ),
    (
        "The discriminator's verdicts",
        "mean probability 'real'",
        (("d_real", "D(x): real"), ("d_fake", "D(G(z)): generated")),
        (0.5, "undecided"),
    ),
    (
        "Quality (Digits classifier)",
        "share / entropy of log 10",
        (("confident_share", "read with p > 0.9"), ("class_entropy", "class entropy")),
        None,
    ),
)


def training_figures(history: TrainingHistory) -> list[go.Figure]:
    """Both players' losses on one chart, D's verdicts on real and generated digits on another,
    the quality probe on a third (noisy per-step curves smoothed over 25 steps)."""
    return [
        series_curves(
            history,
            series,
            title,
            axis,
            smooth=1 if reference is None else 25,
            reference=reference,
            unit_range=title != "Losses",
        )
        for title, axis, series, reference in TRAINING_CHARTS
    ]


class GanLab(Lab):
    spec = SPEC
    variants = {"cdcgan": "gan-cdcgan", "dcgan": "gan-dcgan"}  # noqa: RUF012
    interactions = INTERACTIONS
    trainer = training
    # Gradio draws a chart per metric; Streamlit's training view draws `training_figures`.
    train_metrics = ("d_loss", "g_loss", "d_real", "d_fake", "confident_share")
    samples_label = "Fixed-noise samples"
    course_recipe = training.COURSE_RECIPE
    # GAN losses swing widely by design (G's loss can reach 5-10 while D leads): only a blow-up
    # far beyond that counts as divergence. NaN and infinity are still caught at once.
    divergence_factor = 50.0

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return gan_from_config(config)

    onnx_about = (
        "the generator that draws the samples: (N, latent_dim + classes) latents in (z, then for the "
        "cdcgan recipe a one-hot digit), (N, 1, 28, 28) pictures in [-1, 1] out ((x + 1) / 2: [0, 1])."
    )

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        return trained.model.sampler  # the weight average when there is one; no discriminator

    onnx_traced = True  # written in a tenth of a second, where torch.export takes about one

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(1, trained.model.latent_dim + trained.model.classes),)

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        recipe = (params or {}).get("recipe", SPEC.param("recipe").default)
        return CHECKPOINT_ROOT / f"gan-{recipe}"

    def model_name(self, trained: TrainedModel) -> str:
        return f"{trained.config.get('recipe', 'unknown')} GAN"

    def headline(self, metrics: dict[str, Any]) -> str:
        share, entropy = metrics.get("confident_share"), metrics.get("class_entropy")
        if not isinstance(share, float) or not isinstance(entropy, float):
            return ""
        read = sum(metrics.get("class_counts") or [])
        samples = f"{read:,} samples" if read else "samples"
        text = (
            f"{share:.0%} of {samples} read confidently as digits, class entropy {entropy:.2f} "
            "(1: all ten digits equally often; near 0: the same few over and over)"
        )
        if metrics.get("collapse"):
            text += " · ⚠ " + str(metrics["collapse"]).split(":")[0]
        return text

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        share, entropy = metrics.get("confident_share"), metrics.get("class_entropy")
        quality = (
            f"- {share:.0%} of {metrics.get('samples')} samples read with probability > 0.9 by the "
            f"bundled Digits classifier; class entropy {entropy:.3f} of log 10\n"
            if isinstance(share, float) and isinstance(entropy, float)
            else ""
        )
        body = (
            f"# GAN: {config.get('recipe')} recipe\n\n"
            f"Trained by Deep Learning Labs' GAN lab on {config.get('data', {}).get('description')}, "
            f"{metrics.get('steps')} steps in {metrics.get('train_seconds')} s.\n\n"
            f"{quality}"
            f"- Collapse: {metrics.get('collapse') or 'none detected'}\n"
            f"- Input: z ~ N(0, I) of size {config.get('latent_dim')}; output 1x28x28 in [-1, 1] "
            "(tanh), white ink on black\n"
            "- The weights hold both the generator and the discriminator, and `timeline`, the "
            "fixed-noise grids taken while it trained\n\n"
        )
        return self.card(("gan", "image-generation", "mnist"), body, config, MNIST_DATA_DIR)

    # --- command line ----------------------------------------------------------------------


LAB = GanLab()
