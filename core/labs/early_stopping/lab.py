"""Early stopping and checkpoints: an MLP overfits a few hundred MNIST digits; a visible rule
stops it, puts back its best epoch, and every epoch leaves a checkpoint to list, load and resume."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import torch
from torch import nn

from core.history import TrainingHistory
from core.labs.base import MNIST_DATA_DIR, Lab, TrainedModel
from core.labs.early_stopping import epochs as epoch_store
from core.labs.early_stopping import train as training
from core.labs.early_stopping.interactions import INTERACTIONS, MONITOR_NAMES, curve_figure
from core.labs.early_stopping.model import DigitMLP
from core.labs.early_stopping.spec import SPEC


class EarlyStoppingLab(Lab):
    spec = SPEC
    variants = {"default": "early-stopping-default"}  # noqa: RUF012
    interactions = INTERACTIONS
    trainer = training
    train_metrics = ("loss", "accuracy")  # per epoch, train and validation (`training_figures`)
    samples_label = None
    # No best_metric: the lab's own EarlyStopping rule decides which epoch's weights are kept
    # (restore_best), for a Stop too; the runner's keep-the-best rule would second-guess it.
    best_metric = None
    course_recipe = training.COURSE_RECIPE

    onnx_traced = True  # written in a tenth of a second, where torch.export takes 6 s

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(2, 28, 28),)

    onnx_about = "(N, 28, 28) pixels in [0, 1], white on black, in; (N, 10) logits out."

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return DigitMLP(int(config["hidden"]), len(config.get("classes", range(10))))

    def check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        epoch_store.check_resume(params)  # a resume that cannot continue the curve is refused now
        return params

    def training_figures(self, history: TrainingHistory) -> list[go.Figure]:
        curve = {"epoch": [epoch for epoch, _ in history.epochs.get("train_loss", [])]}
        for name in ("train_loss", "train_accuracy", "validation_loss", "validation_accuracy"):
            curve[name] = [value for _, value in history.epochs.get(name, [])]
        best = history.latest("best_epoch")
        fired = [epoch for epoch, value in history.epochs.get("stop", []) if value]
        done = history.status.details.get("metrics", {}) if history.status else {}
        marks = (int(best) if best else None, fired[-1] if fired else None, done.get("kept_epoch"))
        return [curve_figure(curve, figure, *marks) for figure in ("loss", "accuracy")]

    def next_step(self) -> str:
        return (
            "train again with early stopping off and compare the held-out accuracy of the last "
            "epoch with the restored one; or stop a training half-way and resume it from its "
            "last checkpoint (Checkpoints tab, then Resume from)."
        )

    def model_name(self, trained: TrainedModel) -> str:
        return str(trained.config.get("architecture", "MLP"))

    def headline(self, metrics: dict[str, Any]) -> str:
        if "heldout_accuracy" not in metrics:
            return ""
        return (
            f"held-out accuracy {metrics['heldout_accuracy']:.1%} (epoch {metrics.get('kept_epoch')} "
            f"kept of {metrics.get('last_epoch')})"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        stopped = metrics.get("stopped_epoch")
        monitor = MONITOR_NAMES.get(metrics.get("monitor", ""), "validation loss")
        kept = metrics.get("epoch_checkpoints", [])
        body = (
            "# An MLP that overfits, stopped early\n\n"
            f"Trained by Deep Learning Labs' early-stopping lab on {params.get('train_digits')} digits of "
            f"{config.get('data', {}).get('description')}, watching {params.get('validation_digits')} "
            "other training digits (validation); the held-out digits were used only for the final "
            "figures.\n\n"
            f"- Model: {config.get('architecture')}, Adam at {params.get('learning_rate')}, batches of "
            f"{params.get('batch_size')}, at most {params.get('epochs')} epochs\n"
            f"- Rule: {monitor}, patience {params.get('patience')}, min delta {params.get('min_delta')}, "
            f"restore best {params.get('restore_best')}\n"
            f"- Best epoch {metrics.get('best_epoch')}; "
            + (f"stopped after epoch {stopped}" if stopped else f"ran to epoch {metrics.get('last_epoch')}")
            + f"; weights of epoch {metrics.get('kept_epoch')} kept\n"
            f"- Held-out accuracy: kept model {metrics.get('heldout_accuracy', 0):.2%}, last epoch "
            f"{metrics.get('last_epoch_heldout_accuracy', 0):.2%} ({metrics.get('heldout_size')} digits)\n"
            f"- Epoch checkpoints in `epochs/`: {', '.join(map(str, kept)) or 'none'} "
            f"(keep checkpoints: {params.get('keep_checkpoints')})\n\n"
        )
        return self.card(
            ("image-classification", "early-stopping", "mnist"),
            body,
            config,
            MNIST_DATA_DIR,
            skip=("resume_from",),
        )


LAB = EarlyStoppingLab()
