"""CycleGAN lab: Noto emoji to OpenMoji and back, trained live on unpaired emoji."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import torch
from torch import nn

from core.charts import series_curves
from core.emoji import fonts_available
from core.history import TrainingHistory
from core.labs.base import Lab, TrainedModel
from core.labs.cyclegan import train as training
from core.labs.cyclegan.interactions import INTERACTIONS
from core.labs.cyclegan.model import cyclegan_from_config
from core.labs.cyclegan.spec import SPEC

PASS_TARGET = 0.8  # the lab's target: this share of held-out translations judged the other style

# The live charts: (title, y axis, (metric, label) pairs, reference line, smoothing).
TRAINING_CHARTS = (
    (
        "Adversarial losses (least squares)",
        "loss",
        (("g_gan", "G: both generators"), ("d_a", "D_A (Noto)"), ("d_b", "D_B (OpenMoji)")),
        (0.25, "D cannot tell: 0.25"),
        10,
    ),
    (
        "Round trip and identity (L1, pixels in [0, 1])",
        "mean |difference|",
        (
            ("cycle_l1", "cycle, training"),
            ("heldout_cycle_l1", "cycle, held-out"),
            ("identity_l1", "identity, training"),
            ("heldout_translation_l1", "translation vs the real picture, held-out"),
        ),
        None,
        10,
    ),
    (
        "Held-out emoji judged the other style",
        "share",
        (("heldout_pass_ab", "Noto → OpenMoji"), ("heldout_pass_ba", "OpenMoji → Noto")),
        (PASS_TARGET, "target 80%"),
        1,
    ),
)


class CycleGanLab(Lab):
    spec = SPEC
    variants = {"small": "cyclegan-small"}  # noqa: RUF012
    interactions = INTERACTIONS
    trainer = training
    # Gradio draws a chart per name; both fronts draw `training_figures`, one per name.
    train_metrics = ("g_gan", "cycle_l1", "pass")
    samples_label = "Held-out emoji: real | translated | back"
    best_metric = ("heldout_pass", "max")
    course_recipe = training.COURSE_RECIPE
    # The generators' loss swings while the players trade blows; only a real blow-up counts.
    divergence_factor = 50.0

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        """The players' losses, the round trip's error beside the identity baseline, and the
        judge's pass rate each way against the target."""
        figures = []
        for title, axis, series, reference, smooth in TRAINING_CHARTS:
            if title.startswith("Round trip"):
                baseline = (history.steps.get("heldout_identity_l1") or [(0, None)])[-1][1]
                reference = None if baseline is None else (baseline, "identity baseline")
            figures.append(
                series_curves(
                    history,
                    series,
                    title,
                    axis,
                    smooth=smooth,
                    reference=reference,
                    unit_range=title.startswith("Held-out"),
                )
            )
        return figures

    def missing(self) -> str | None:
        return fonts_available()  # Noto Color Emoji is a Debian package, OpenMoji a PyPI one

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return cyclegan_from_config(config)

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(1, 3, 64, 64),)

    # TorchScript's exporter writes this convolutional network in about a second, where
    # torch.export took 6 to 9 s (the target: an export in under 3 s).
    onnx_traced = True

    onnx_about = (
        "G_AB, Noto to OpenMoji: (N, 3, 64, 64) RGB in [-1, 1] ((x + 1) / 2: [0, 1]) in, the same out; "
        "G_BA and both discriminators are in model.safetensors."
    )

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        return training.evaluate(trained)  # the emoji are rendered: no data folder

    def model_name(self, trained: TrainedModel) -> str:
        return f"{trained.config.get('architecture', '?')} CycleGAN"

    def next_step(self) -> str:
        return (
            "train again with λ cycle 0 and compare the round trip: the generators are free to "
            "forget which emoji came in."
        )

    def headline(self, metrics: dict[str, Any]) -> str:
        passed, cycle, baseline = (
            metrics.get("heldout_pass_ab"),
            metrics.get("heldout_cycle_l1"),
            metrics.get("heldout_identity_l1"),
        )
        if not all(isinstance(x, float) for x in (passed, cycle, baseline)):
            return ""
        return (
            f"{passed:.0%} of held-out Noto emoji judged OpenMoji after translation "
            f"({metrics.get('heldout_pass_ba', 0.0):.0%} the other way); round-trip L1 {cycle:.3f} "
            f"against the identity baseline {baseline:.3f}"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        data = config.get("data", {})
        rows = "\n".join(
            f"| {label} | {metrics[key]:.4g} |"
            for key, label in (
                ("heldout_pass_ab", "held-out Noto → OpenMoji judged OpenMoji"),
                ("heldout_pass_ba", "held-out OpenMoji → Noto judged Noto"),
                ("heldout_cycle_l1", "round-trip L1 (both ways)"),
                ("heldout_translation_l1", "translation L1 to the real other-style picture"),
                ("heldout_identity_l1", "identity baseline: L1 between the two real renderings"),
                ("judge_accuracy", "the judge's accuracy on real held-out emoji"),
            )
            if isinstance(metrics.get(key), (int, float))
        )
        body = (
            f"# CycleGAN: {config.get('architecture')} (Noto Color Emoji ↔ OpenMoji)\n\n"
            f"Trained by Deep Learning Labs' CycleGAN lab on {data.get('description')}, "
            f"{metrics.get('steps')} steps in {metrics.get('train_seconds')} s.\n\n"
            "| held-out figure | value |\n| --- | --- |\n"
            f"{rows}\n\n"
            "- Input and output: 3x64x64 RGB in [-1, 1], emoji on white\n"
            "- The weights hold G_AB (`g_ab`), G_BA (`g_ba`) and the discriminators (`d_a`, `d_b`)\n"
            f"- Data: {data.get('credits', '')}. Translations of OpenMoji pictures are derived from "
            "CC BY-SA 4.0 artwork.\n\n"
        )
        return self.card(("cyclegan", "image-to-image", "emoji"), body, config)


LAB = CycleGanLab()
