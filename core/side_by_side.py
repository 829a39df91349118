"""What the labs that train copies side by side share: gradient descent, optimisers, batch norm.

Each of them trains one copy of a network per way (a torch ModuleDict keyed by the way's name,
which is also the copy's state-dict prefix), every copy from the same weights on the same batches.
Shared here is the bookkeeping around their training loops, never the loops themselves (each
lab's train.py keeps its own, in view): the lab's order of the copies, the guard that stops one
copy whose loss blows up, the checkpoint's config, the held-out figures, and the Lab methods
that name and build the copies.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

import torch
from torch import nn

from core.export import SideBySide
from core.labs.base import Lab, TrainedModel
from core.training import TensorSplit, evaluate_classifier, heldout_per_copy

DIVERGENCE_FACTOR = 100.0  # a loss this many times its first one has blown up (the runner's rule)


def pixel_split(images: torch.Tensor, labels: torch.Tensor, device: torch.device) -> TensorSplit:
    """uint8 (N, 28, 28) -> float (N, 28, 28) in [0, 1] on the device."""
    return TensorSplit(images.float().div(255).to(device), labels.to(device))


def in_order(order: Sequence[str], per_copy: Mapping[str, Any] | Iterable[str]) -> list[str]:
    """The copies named in `per_copy` in the lab's `order` (JSON files sort them by name)."""
    present = set(per_copy)
    return [name for name in order if name in present]


# The divergence guard of one copy: the runner stops a whole training whose loss blows up; a
# side-by-side lab stops only the copy that did, puts back its last good weights, and goes on.


def blew_up(loss: float, first_loss: float) -> bool:
    """Whether a copy's loss is no longer finite, or DIVERGENCE_FACTOR times its first loss."""
    return not math.isfinite(loss) or loss > DIVERGENCE_FACTOR * first_loss


def weights_of(model: nn.Module) -> list[torch.Tensor]:
    """A copy of the model's weights, to put back should a step break them."""
    return [parameter.detach().clone() for parameter in model.parameters()]


@torch.no_grad()
def keep_weights(kept: list[torch.Tensor], model: nn.Module) -> None:
    """These weights gave a finite loss: keep them in case the next step breaks them."""
    for good, parameter in zip(kept, model.parameters(), strict=True):
        good.copy_(parameter)


@torch.no_grad()
def restore_weights(model: nn.Module, kept: list[torch.Tensor]) -> None:
    """The weights from before the step that broke the copy, put back."""
    for parameter, good in zip(model.parameters(), kept, strict=True):
        parameter.copy_(good)


class GuardedRun(Protocol):
    """What `still_sound` reads and writes of a lab's record of one copy (its CopyRun)."""

    model: nn.Module
    last_good: list[torch.Tensor]  # weights_of(model) to begin with
    first_loss: float | None
    diverged_at: int | None


def still_sound(run: GuardedRun, loss: float, step: int) -> bool:
    """Whether a copy may take its step on this loss (computed before the step). If the loss
    blew up, the weights from before the step that broke them are put back and `diverged_at`
    marks the copy, which trains no further; else these weights are kept, in case the step
    breaks them."""
    if run.first_loss is None:
        run.first_loss = loss
    if blew_up(loss, run.first_loss):
        # These weights came out of the previous step: put back the ones from before it.
        restore_weights(run.model, run.last_good)
        run.diverged_at = step
        return False
    keep_weights(run.last_good, run.model)
    return True


def copies_config(
    lab_id: str, architecture: str, key: str, names: list[str], data: Any, polarity: str, params: dict
) -> dict[str, Any]:
    """What a side-by-side checkpoint's config.json holds: the copies under `key`, in training
    order, and the 28x28 pictures in [0, 1] they read (`data`: core.data's ImageData)."""
    return {
        "lab": lab_id,
        "architecture": architecture,
        key: names,
        "classes": list(data.classes),
        "input": {"size": [28, 28], "range": [0, 1], "polarity": polarity},
        "data": data.source.to_dict(),
        "params": params,
    }


def final_heldout(runs: Mapping[str, Any], heldout: TensorSplit) -> dict[str, dict[str, float]]:
    """Each copy's held-out accuracy and loss once trained, as metrics.json holds them (`runs`:
    the lab's CopyRun of each copy, by name)."""
    final = {name: evaluate_classifier(run.model, heldout) for name, run in runs.items()}
    return {
        "heldout_accuracy": {name: figures["accuracy"] for name, figures in final.items()},
        "heldout_loss": {name: figures["loss"] for name, figures in final.items()},
    }


def heldout_report(
    lab_id: str, key: str, copies: nn.ModuleDict, order: Sequence[str], heldout: TensorSplit, data: str
) -> dict[str, Any]:
    """A lab's `evaluate` answer: each copy's held-out accuracy and loss under `key`, in order."""
    return {
        "lab": lab_id,
        key: heldout_per_copy(copies, in_order(order, dict(copies.items())), heldout),
        "heldout_size": len(heldout),
        "data": data,
    }


class SideBySideLab(Lab):
    """A lab whose model is one copy per way; its config lists them under `copies_key`.

    A subclass sets, besides what every Lab sets: `copies_key`, `copy_names` (each way's name
    as the student reads it, in the lab's order), `copies_word` (what the ways are, plural),
    `model_name_prefix` and `headline_prefix`, and `build_copies` (the model.py function that
    builds the copies a config names, as a staticmethod).
    """

    samples_label = None  # no pictures: the charts compare the copies
    copies_key: str
    copy_names: Mapping[str, str]
    copies_word: str
    model_name_prefix: str
    headline_prefix: str = "held-out accuracy "
    build_copies: Callable[[dict[str, Any]], nn.Module]  # a staticmethod of model.py's function

    def ordered(self, per_copy: Mapping[str, Any] | Iterable[str]) -> list[str]:
        return in_order(tuple(self.copy_names), per_copy)

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        unknown = set(config[self.copies_key]) - set(self.copy_names)
        if unknown:
            raise ValueError(f"unknown {self.copies_word} {sorted(unknown)}")
        return self.build_copies(config)

    def model_name(self, trained: TrainedModel) -> str:
        names = self.ordered(dict(trained.model.items()))
        return self.model_name_prefix + ", ".join(self.copy_names[name] for name in names)

    def headline(self, metrics: dict[str, Any]) -> str:
        accuracy = metrics.get("heldout_accuracy")
        if not isinstance(accuracy, dict) or not accuracy:
            return ""
        return self.headline_prefix + ", ".join(
            f"{self.copy_names[name]} {accuracy[name]:.1%}" for name in self.ordered(accuracy)
        )

    def card_rows(self, metrics: dict[str, Any], cells: Callable[[str], str]) -> str:
        """The model card's table rows, one per trained copy in order: its name, its tensor
        prefix, then `cells(name)` (the lab's own columns, already joined by ' | ')."""
        return "\n".join(
            f"| {self.copy_names[name]} | `{name}.` | {cells(name)} |"
            for name in self.ordered(metrics.get("heldout_accuracy", {}))
        )


class MnistCopiesLab(SideBySideLab):
    """A side-by-side lab of MNIST classifiers (gradient descent, optimisers): its ONNX file
    holds every copy side by side (core.export.SideBySide)."""

    onnx_traced = True  # written in under a second, where torch.export takes 6 to 8 s

    def onnx_module(self, trained: TrainedModel) -> nn.Module:
        return SideBySide(trained.model)

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...]:
        return (torch.zeros(2, 28, 28),)

    @property
    def onnx_about(self) -> str:
        return (
            "every copy side by side: (N, 28, 28) pixels in [0, 1], white on black, in; (N, copies, "
            f"10) logits out, the copies in config.json's `{self.copies_key}` order."
        )
