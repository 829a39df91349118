"""Per-epoch checkpoints: write one after every epoch, list them, read one back, resume.

A run folder holds the final model (written by the runner) and, beside it, `epochs/`:

    <run>/epochs/epoch-007/
        config.json, model.safetensors, metrics.json   a checkpoint like any other (Lab.load reads it)
        optimizer.pt          torch.save(optimizer.state_dict()): Adam's moments and step count
        data_order.safetensors  the data-order generator's state after this epoch's shuffle
        state.json            the epoch, the step, the stopping rule's state and the curve so far

Everything the next epoch depends on is saved, so a training resumed from epoch 7 gives the very
same weights as one that never stopped. Each folder is written under a hidden name and renamed
into place: a training killed mid-save leaves the previous epochs whole.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from core import checkpoints
from core.specs import SpecError

EPOCHS_FOLDER = "epochs"
STATE_FILE = "state.json"
OPTIMIZER_FILE = "optimizer.pt"
DATA_ORDER_FILE = "data_order.safetensors"
EPOCH_NAME = re.compile(r"^epoch-(\d{3,})$")
# Settings a resumed training must share with its checkpoint: the model's shape, its data, the
# optimiser's step size (Adam's state carries it) and the batches; the rest may change.
RESUME_FIXED = (
    "train_digits",
    "validation_digits",
    "hidden",
    "batch_size",
    "learning_rate",
    "monitor",
    "seed",
)


def epoch_folder(run: Path, epoch: int) -> Path:
    return Path(run) / EPOCHS_FOLDER / f"epoch-{epoch:03d}"


@dataclass
class EpochCheckpoint:
    """One saved epoch: where it is and what state.json says about it."""

    epoch: int
    folder: Path
    state: dict[str, Any]

    @property
    def metrics(self) -> dict[str, float]:
        return self.state["metrics"]


def save_epoch(
    run: Path,
    epoch: int,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    generator: torch.Generator,
    config: dict[str, Any],
    state: dict[str, Any],
) -> Path:
    """Write epoch `epoch`'s checkpoint into `run`/epochs, atomically (staging folder, rename)."""
    target = epoch_folder(run, epoch)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.saving")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    weights = {name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()}
    save_file(weights, staging / checkpoints.WEIGHTS_FILE, metadata={"format": "pt", "lab": config["lab"]})
    torch.save(optimizer.state_dict(), staging / OPTIMIZER_FILE)
    save_file({"state": generator.get_state()}, staging / DATA_ORDER_FILE)
    (staging / checkpoints.CONFIG_FILE).write_text(json.dumps(config, indent=2, sort_keys=True))
    (staging / checkpoints.METRICS_FILE).write_text(json.dumps(state["metrics"], indent=2, sort_keys=True))
    (staging / STATE_FILE).write_text(json.dumps(state, indent=2, sort_keys=True))
    shutil.rmtree(target, ignore_errors=True)  # a resumed run writing over an old epoch
    os.replace(staging, target)
    return target


def list_epochs(run: Path | None) -> list[EpochCheckpoint]:
    """The epoch checkpoints of a run folder, in order (none: an empty list)."""
    folder = Path(run) / EPOCHS_FOLDER if run else None
    if folder is None or not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        match = EPOCH_NAME.match(entry.name)
        if match and (entry / STATE_FILE).is_file():
            try:
                state = json.loads((entry / STATE_FILE).read_text())
            except (json.JSONDecodeError, UnicodeDecodeError, OSError):
                continue  # a damaged epoch is not offered
            found.append(EpochCheckpoint(int(match.group(1)), entry, state))
    return sorted(found, key=lambda checkpoint: checkpoint.epoch)


def prune(run: Path, keep: set[int]) -> None:
    """Delete every epoch checkpoint of `run` but those in `keep` (best-and-last)."""
    for checkpoint in list_epochs(run):
        if checkpoint.epoch not in keep:
            shutil.rmtree(checkpoint.folder, ignore_errors=True)


def read_training_state(folder: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any], torch.Tensor]:
    """An epoch's weights, optimiser state and data-order state. The optimiser file is a pickle
    that we wrote ourselves; it is still read with weights_only=True, which refuses anything but
    tensors and plain containers (no code runs from a file someone swapped in)."""
    try:
        weights = checkpoints.read_checkpoint(folder).state_dict
        optimizer = torch.load(folder / OPTIMIZER_FILE, weights_only=True, map_location="cpu")
        data_order = load_file(folder / DATA_ORDER_FILE)["state"]
    except (
        checkpoints.CheckpointError,
        pickle.UnpicklingError,
        EOFError,
        OSError,
        RuntimeError,
        KeyError,
        ValueError,
    ) as error:
        raise SpecError(f"Resume from: {folder} cannot be read back ({error}).") from None
    return weights, optimizer, data_order


def resume_roots() -> list[Path]:
    """The folders a training may resume from: the runs folder, the bundled checkpoints, and any
    listed in $DLL_RESUME_ROOTS (separated by the system's path separator)."""
    from core.labs.base import CHECKPOINT_ROOT
    from core.runner import default_runs_root

    extra = [Path(p) for p in os.environ.get("DLL_RESUME_ROOTS", "").split(os.pathsep) if p.strip()]
    return [root.expanduser().resolve() for root in (default_runs_root(), CHECKPOINT_ROOT, *extra)]


def find_resume_point(text: str) -> EpochCheckpoint:
    """The epoch to resume from: a run folder's last epoch, or one epoch folder itself."""
    try:
        path = Path(text).expanduser()
        found = path.is_dir()
    except (OSError, ValueError, RuntimeError):  # a name too long, a NUL byte, ~nobody
        found = False
    if not found:
        raise SpecError(f"Resume from: there is no folder {text!r}. Copy a path from the Checkpoints tab.")
    if not any(path.resolve().is_relative_to(root) for root in resume_roots()):
        # A classroom server's fronts take this path from any student: only this app's own runs
        # and bundled checkpoints are read, never whatever folder a path names.
        raise SpecError(
            f"Resume from: {text!r} is not one of this app's runs. Copy a path from the Checkpoints "
            "tab (a run of this app, or a bundled checkpoint)."
        )
    if (path / STATE_FILE).is_file() and EPOCH_NAME.match(path.name):
        chosen = [c for c in list_epochs(path.parent.parent) if c.folder.resolve() == path.resolve()]
    else:
        chosen = list_epochs(path)[-1:]
    if not chosen:
        raise SpecError(
            f"Resume from: {text!r} is not an early-stopping checkpoint: it has no epochs/ folder "
            "of epoch checkpoints (the bundled model and a model loaded from a file keep none, "
            "or only some: see the Checkpoints tab)."
        )
    point = chosen[0]
    if point.state.get("lab") != "early-stopping":
        raise SpecError(f"Resume from: {text!r} was not written by the early-stopping lab.")
    return point


def check_resume(params: dict[str, Any]) -> None:
    """Refuse, before a training is queued, a resume that cannot continue the same curve."""
    if not params.get("resume_from"):
        return
    point = find_resume_point(params["resume_from"])
    saved = point.state.get("params", {})
    different = [
        f"{name} {saved.get(name)!r} (yours: {params.get(name)!r})"
        for name in RESUME_FIXED
        if saved.get(name) != params.get(name)
    ]
    if different:
        raise SpecError(
            "Resume from: these settings differ from the checkpoint's, so the training could not "
            f"continue the same curve: {'; '.join(different)}. Set them as the checkpoint has them."
        )
    if params["epochs"] <= point.epoch:
        raise SpecError(
            f"Resume from: the checkpoint has already trained {point.epoch} epochs; set Epochs "
            f"above {point.epoch} to train on."
        )
