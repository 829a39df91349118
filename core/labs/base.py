"""What every lab provides, so that the runner, the CLI and both fronts can drive it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import torch

from core import checkpoints
from core.events import Event
from core.history import TrainingHistory
from core.interactions import Interaction
from core.specs import LabSpec, SpecError

if TYPE_CHECKING:
    from core.runner import TrainContext

CHECKPOINT_ROOT = Path(__file__).resolve().parents[2] / "checkpoints"
# Where a model card's reproduce command finds MNIST (the labs that train on it).
MNIST_DATA_DIR = " --data-dir <folder with MNIST/raw>"


@dataclass
class TrainedModel:
    """A model ready for interaction: weights in eval mode plus where they came from."""

    lab_id: str
    model: torch.nn.Module
    config: dict[str, Any]
    metrics: dict[str, Any] = field(default_factory=dict)
    origin: str = "session"  # "bundled", "session" or a checkpoint path
    path: Path | None = None

    @property
    def data_source(self) -> str:
        """What the model learnt from, in words (rebuilt from the recorded fields, so that older
        checkpoints' descriptions, which named a folder on the server, read the same)."""
        from core.data import DataSource

        data = self.config.get("data") or {}
        try:
            return DataSource(**{k: data[k] for k in DataSource.__dataclass_fields__}).description
        except (KeyError, TypeError, ValueError):
            return str(data.get("description", "unknown data"))


def card_front_matter(*tags: str, languages: tuple[str, ...] = ()) -> str:
    """The YAML block that opens a model card, as the Hugging Face Hub reads it: a PyTorch
    model, the lab's tags and the project's, and the languages it reads or writes."""
    lines = ["---", "library_name: pytorch", "tags:", *(f"- {tag}" for tag in (*tags, "deep-learning-labs"))]
    if languages:
        lines += ["language:", *(f"- {language}" for language in languages)]
    return "\n".join([*lines, "---", "", ""])


class Lab:
    """Base class of a lab. Subclasses set `spec` and implement the model-specific parts.

    What the fronts, the API and the CLI build from (declared once, here):
    - `variants`: the bundled models, name -> folder in checkpoints/ (the first is the default);
    - `interactions`: what a student can do with a model (core.interactions);
    - `train_metrics`: the curves drawn while it trains, `samples_label` the title of its samples;
    - `course_recipe`: the course's settings, shown beside the Train button to compare with;
    - `trainer`: the lab's train.py, whose `train(params, ctx)` and `evaluate(trained,
      data_dir)` the methods of the same names call.
    """

    spec: LabSpec
    variants: dict[str, str] = {}  # noqa: RUF012  (read-only class data)
    interactions: tuple[Interaction, ...] = ()
    train_metrics: tuple[str, ...] = ("loss", "accuracy")
    samples_label: str | None = "Samples"  # None: the lab's training shows no pictures
    course_recipe: dict[str, Any] | None = None
    # A step whose loss exceeds this multiple of the first step's loss counts as divergence.
    divergence_factor: float = 100.0
    # The held-out figure in each EpochEnd that says which weights are best, and whether
    # higher ("max") or lower ("min") is better. When set, a training stopped early (by the
    # user, its time budget or step limit) keeps its best epoch's weights, not the last ones.
    best_metric: tuple[str, str] | None = None
    # The lab's train.py (see `train` and `evaluate`); a lab without one overrides both.
    trainer: ModuleType | None = None
    # The setting whose value names the bundled variant to start from (an architecture);
    # None: the first variant is the bundled model whatever the settings.
    variant_setting: str | None = None
    # Datasets the lab cannot train or answer without (MNIST never counts: it has an offline fallback).
    needs_datasets: tuple[str, ...] = ()

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        """Yield training events; the last one is `Trained`. Check `ctx.should_stop()` after
        every optimisation step and call `ctx.watch(model)` before the first."""
        if self.trainer is None:
            raise NotImplementedError
        return self.trainer.train(params, ctx)

    def build_model(self, config: dict[str, Any]) -> torch.nn.Module:
        """An untrained model with the architecture a checkpoint's config describes."""
        raise NotImplementedError

    def onnx_inputs(self, trained: TrainedModel) -> tuple[torch.Tensor, ...] | None:
        """Example inputs of the model's forward, whose first dimension is a batch, for the ONNX
        file of an export (core.export); None: this lab's model is not exported to ONNX (say why
        in `onnx_note`)."""
        return None

    onnx_note = "this lab's model is not exported to ONNX yet: use model.safetensors with PyTorch."

    # What the ONNX file's input and output are, in a sentence of EXPORT.md (its shapes are added).
    onnx_about = "the same network as model.safetensors."
    # Write ONNX with PyTorch's TorchScript exporter, not torch.export: for PyTorch's recurrent
    # layers (nn.RNN, nn.LSTM, nn.GRU), which it writes as ONNX's own RNN ops in a second where
    # torch.export unrolls every step and takes tens of seconds, and for other models where it
    # is as much faster (the tests check the file at two batch sizes either way).
    onnx_traced = False
    # With onnx_traced: the second dimension of every input of two or more dimensions is a length
    # the ONNX file leaves free, as it does the batch (token ids of a text of any length).
    onnx_lengths = False

    def onnx_module(self, trained: TrainedModel) -> torch.nn.Module:
        """The module whose forward the ONNX file holds: the model, or the part of it that
        answers (a VAE's decoder, side-by-side models stacked: see core.export.SideBySide)."""
        return trained.model

    def standalone_weights(self, trained: TrainedModel) -> dict[str, dict[str, torch.Tensor]]:
        """Weights an export's predict.py needs that the checkpoint leaves out, by file name
        (a frozen pretrained trunk loaded from a package in the app): shipped beside it as
        safetensors files when the lab has a predict.py (core.export)."""
        return {}

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        """Held-out metrics of a trained model (a lab whose data is made, not read, overrides
        this to call its trainer without `data_dir`)."""
        if self.trainer is None:
            raise NotImplementedError
        return self.trainer.evaluate(trained, data_dir)

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        """Where the bundled pretrained checkpoint for these settings lives: the variant that
        `variant_setting` names (its value in `params`, else its default), else the first
        variant; for a lab without variants, checkpoints/<lab id>."""
        if self.variant_setting:
            setting = self.spec.param(self.variant_setting)
            return self.variant_path((params or {}).get(setting.name, setting.default))
        if self.variants:
            return self.variant_path(next(iter(self.variants)))
        return CHECKPOINT_ROOT / self.spec.id

    def variant_path(self, name: str) -> Path:
        """The folder of a bundled variant; SpecError naming the variants for an unknown one."""
        if name not in self.variants:
            raise SpecError(
                f"{self.spec.title} has no bundled model {name!r}: pick one of {', '.join(self.variants)}"
            )
        return CHECKPOINT_ROOT / self.variants[name]

    def missing(self) -> str | None:
        """Why this lab cannot run on this machine (a system package it needs is not installed),
        in a sentence that says what to install; None when it can. The generated tests skip
        such a lab with this reason."""
        from core.data import dataset_missing  # reads the dataset once, only when asked

        return next(filter(None, map(dataset_missing, self.needs_datasets)), None)

    def interaction(self, name: str) -> Interaction:
        for interaction in self.interactions:
            if interaction.name == name:
                return interaction
        names = ", ".join(i.name for i in self.interactions) or "none"
        raise SpecError(f"{self.spec.title} has no interaction {name!r}; it has: {names}")

    def training_figures(self, history: TrainingHistory) -> list:
        """The live training charts, one per name in `train_metrics`, in that order: by default
        each metric's train and held-out curves. A lab whose training needs other views (a
        GAN's two players on one chart) draws its own here, keeping the count; both fronts show
        these."""
        from core import charts

        return [charts.training_curves(history, metric) for metric in self.train_metrics]

    def next_step(self) -> str:
        """One change to try after a first training: the course's habit of a controlled
        experiment (change one thing, compare). Labs may say something sharper."""
        if any(param.name == "learning_rate" for param in self.spec.params):
            rate = self.spec.param("learning_rate")
            options = [
                value for value in (rate.default * 10, rate.default / 10) if rate.low <= value <= rate.high
            ]
            shown = " or ".join(f"{value:g}" for value in options)
            return f"train again with one change, say a learning rate of {shown}, and compare the curves."
        return "train again with one setting changed, and compare the curves and the figures."

    def model_name(self, trained: TrainedModel) -> str:
        """What the model is, in a word or two, for the model summaries."""
        return str(trained.config.get("architecture", self.spec.id))

    def check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Checks that span several settings, run on the validated settings before a training
        is queued (a Transformer's heads must divide its width); raise SpecError saying what to
        change. Returns the settings."""
        return params

    def headline(self, metrics: dict[str, Any]) -> str:
        """The model's key held-out figure in a few words, for the fronts' model summaries."""
        return ""

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        """Markdown body of the model card written beside a checkpoint."""
        return f"{self.spec.summary}\n"

    def card(
        self,
        tags: tuple[str, ...],
        body: str,
        config: dict[str, Any],
        extra: str = "",
        *,
        after: str = "",
        skip: tuple[str, ...] = (),
        languages: tuple[str, ...] = (),
    ) -> str:
        """A model card as the labs write it: the front matter (`tags`, `languages`), the lab's
        markdown `body`, then the command that trains the model again (see `reproduce`)."""
        return (
            card_front_matter(*tags, languages=languages) + body + self.reproduce(config, extra, after, skip)
        )

    def reproduce(
        self, config: dict[str, Any], extra: str = "", after: str = "", skip: tuple[str, ...] = ()
    ) -> str:
        """A model card's last line: the command that trains this model again, its settings as
        `--set` pairs (a list of choices comma-separated, as the CLI reads it) but those in
        `skip`, `extra` ending the command and `after` following it."""
        params = config.get("params", {})
        settings = " ".join(
            f"--set {k}={','.join(v) if isinstance(v, list) else v}"
            for k, v in sorted(params.items())
            if k not in skip
        )
        return f"Reproduce: `python -m core train {self.spec.id} {settings}{extra}`{after}\n"

    def load(self, directory: str | Path, origin: str | None = None) -> TrainedModel:
        """Rebuild a model from a checkpoint folder; clear errors for anything that is not ours."""
        checkpoint = checkpoints.read_checkpoint(directory)
        lab_id = checkpoint.config.get("lab")
        if lab_id != self.spec.id:
            raise checkpoints.CheckpointError(
                f"{directory} holds a model for lab {lab_id!r}, not {self.spec.id!r}"
            )
        try:
            model = self.build_model(checkpoint.config)
        # A hand-edited config.json: a section that is null (AttributeError), a size that is
        # negative (torch's RuntimeError), zero (ZeroDivisionError in an initialiser) or huge
        # (OverflowError), a list too short (IndexError).
        except (
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
            IndexError,
            ArithmeticError,
            RuntimeError,
        ) as error:
            raise checkpoints.CheckpointError(f"{directory}: config.json is not usable: {error}") from None
        for module in model.modules():  # nn.Dropout takes a NaN rate, then fails on every input
            if isinstance(module, torch.nn.modules.dropout._DropoutNd) and not 0 <= module.p <= 1:
                raise checkpoints.CheckpointError(
                    f"{directory}: config.json is not usable: dropout {module.p} is not within [0, 1]"
                )
        checkpoints.load_weights(model, checkpoint.state_dict, directory)
        model.eval()
        return TrainedModel(
            lab_id=self.spec.id,
            model=model,
            config=checkpoint.config,
            metrics=checkpoint.metrics,
            origin=origin or str(directory),
            path=Path(directory),
        )

    def load_bundled(self, params: dict[str, Any] | None = None) -> TrainedModel:
        return self.load(self.bundled_checkpoint(params), origin="bundled")
