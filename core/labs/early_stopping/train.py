"""The early-stopping lab's training: an MLP overfits a few hundred digits, a visible
EarlyStopping rule watches the validation figures, and every epoch leaves a checkpoint.

The loop is pytorch/examples' plain one, plus three things a real training needs:
- after every epoch, the validation digits are scored and `EarlyStopping` (below, like Keras's)
  decides whether to go on; it also keeps the best epoch's weights, put back at the end when
  `restore_best` is on (whatever ended the training: the rule, Stop, or the last epoch);
- after every epoch a checkpoint is written (core.labs.early_stopping.epochs): weights,
  optimiser state, the data order's random state and the curve so far;
- `resume_from` starts from such a checkpoint: the curve so far is replayed, then the training
  goes on with the next epoch, exactly as if it had never stopped.

The lab, not the runner, decides which weights are kept: `best_metric` is left unset, so the
runner's own keep-the-best-epoch rule for stopped trainings never overrides `restore_best`.

What the course did (Lab Work 7, a one-layer CNN telling cats from dogs at 128 px): Adam at
0.001, batches of 32, an 80/20 random split, at most 20 epochs, patience 5 on the validation
loss, any decrease counting, the best model saved to best_model.pth and loaded after the stop.
COURSE_RECIPE holds those settings as this lab's.
"""

from __future__ import annotations

import copy
import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from core.data import ImageData, load_images, training_data
from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import TrainedModel
from core.labs.early_stopping import epochs as epoch_store
from core.labs.early_stopping.model import DigitMLP
from core.labs.early_stopping.spec import MONITORS, SPEC
from core.runner import TrainContext
from core.specs import SpecError
from core.training import TensorSplit, evaluate_classifier

COURSE_RECIPE = {
    "epochs": 20,
    "batch_size": 32,
    "learning_rate": 0.001,
    "monitor": "validation_loss",
    "patience": 5,
    "min_delta": 0.0,
    "restore_best": True,
}
SPLIT_SEED = 2024  # which digits train and which validate: the same for every seed and run
CURVE = ("train_loss", "train_accuracy", "validation_loss", "validation_accuracy")
# Beside the figures, each epoch records the rule's state: the best epoch so far and how many
# epochs have passed since it (a live chart marks both; `stop` is 1 at the epoch the rule fired).
RULE = ("best_epoch", "epochs_without_improvement", "stop")


class EarlyStopping:
    """Stop when the monitored figure has not improved for `patience` epochs in a row.

    An improvement is a change in the right direction (down for a loss, up for an accuracy) by
    more than `min_delta`. The weights of the best epoch are kept, to put back at the end.
    """

    def __init__(self, mode: str, patience: int, min_delta: float):
        self.mode, self.patience, self.min_delta = mode, patience, min_delta
        self.best: float | None = None
        self.best_epoch = 0
        self.wait = 0  # epochs since the last improvement
        self.best_weights: dict[str, torch.Tensor] | None = None

    def improved(self, value: float) -> bool:
        if self.best is None:
            return True
        gain = self.best - value if self.mode == "min" else value - self.best
        return gain > self.min_delta

    def step(self, value: float, epoch: int, model: torch.nn.Module) -> bool:
        """Record this epoch's figure; True when the training should stop now."""
        if math.isfinite(value) and self.improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            self.best_weights = copy.deepcopy(model.state_dict())
        else:
            self.wait += 1
        return self.wait >= self.patience

    def state(self) -> dict[str, Any]:
        """What a checkpoint keeps of the rule (the best weights live in the best epoch's folder)."""
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait}

    def load_state(self, state: dict[str, Any]) -> None:
        self.best, self.best_epoch, self.wait = state["best"], state["best_epoch"], state["wait"]


def split_digits(
    data: ImageData, train_digits: int, validation_digits: int
) -> tuple[TensorSplit, TensorSplit]:
    """A fixed random slice of the training digits to learn from, and a separate one to watch."""
    needed = train_digits + validation_digits
    if needed > len(data.train_labels):
        raise SpecError(
            f"Train digits + validation digits = {needed:,}, but {data.source.description} has only "
            f"{len(data.train_labels):,} training digits: ask for fewer."
        )
    order = torch.randperm(len(data.train_labels), generator=torch.Generator().manual_seed(SPLIT_SEED))
    train, validation = order[:train_digits], order[train_digits:needed]

    def split(index: torch.Tensor) -> TensorSplit:
        return TensorSplit(data.train_images[index].float().div(255), data.train_labels[index])

    return split(train), split(validation)


def heldout_split(data: ImageData) -> TensorSplit:
    return TensorSplit(data.test_images.float().div(255), data.test_labels)


def make_config(params: dict[str, Any], data: ImageData) -> dict[str, Any]:
    return {
        "lab": SPEC.id,
        "architecture": f"MLP 784-{params['hidden']}-10",
        "hidden": params["hidden"],
        "classes": list(data.classes),
        "input": {"size": [28, 28], "range": [0, 1], "polarity": "white ink on black"},
        "data": data.source.to_dict(),
        "params": params,
    }


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    data = load_images("mnist", ctx.data_dir)
    train_split, validation = split_digits(data, params["train_digits"], params["validation_digits"])
    config = make_config(params, data)
    model = DigitMLP(params["hidden"], len(data.classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"])
    rule = EarlyStopping(MONITORS[params["monitor"]], params["patience"], params["min_delta"])
    run = Path(ctx.out_dir)
    curve: dict[str, list[float]] = {name: [] for name in ("epoch", *CURVE, *RULE)}
    first_epoch, step, resumed_from = 1, 0, None

    if params["resume_from"]:
        point = epoch_store.find_resume_point(params["resume_from"])
        weights, optimizer_state, data_order = epoch_store.read_training_state(point.folder)
        model.load_state_dict(weights)
        optimizer.load_state_dict(optimizer_state)
        ctx.generator.set_state(data_order)
        rule.load_state(point.state["rule"])
        best = epoch_store.epoch_folder(point.folder.parent.parent, rule.best_epoch)
        if (best / "model.safetensors").is_file():
            rule.best_weights = epoch_store.read_training_state(best)[0]
        curve = {name: values[: point.epoch] for name, values in point.state["curve"].items()}
        first_epoch, step, resumed_from = point.epoch + 1, point.state["step"], point.epoch
        copy_earlier_epochs(point, run)
        # The curve so far, replayed: the resumed training draws one line, not two.
        for index, epoch in enumerate(curve["epoch"]):
            yield EpochEnd(int(epoch), 0, {name: curve[name][index] for name in (*CURVE, *RULE)})

    batch_size = params["batch_size"]
    steps_per_epoch = math.ceil(len(train_split) / batch_size)
    total_steps = params["epochs"] * steps_per_epoch
    keep_all = params["keep_checkpoints"] == "every-epoch"
    stopped_by_rule, stopped_mid_epoch = 0, False
    ctx.watch(model)
    for epoch in range(first_epoch, params["epochs"] + 1):
        model.train()
        order = torch.randperm(len(train_split), generator=ctx.generator)
        loss_sum, correct, seen = 0.0, 0, 0
        for start in range(0, len(train_split), batch_size):
            index = order[start : start + batch_size]
            inputs, labels = train_split.inputs[index], train_split.labels[index]
            logits = model(inputs)
            loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            loss_sum += loss.item() * len(labels)
            correct += (logits.argmax(1) == labels).sum().item()
            seen += len(labels)
            yield Progress(step, total_steps, epoch - 1 + seen / len(train_split), {"loss": loss.item()})
            if ctx.should_stop():
                stopped_mid_epoch = seen < len(train_split)
                break
        if stopped_mid_epoch:  # half an epoch is no epoch: no figures, no checkpoint
            break

        checked = evaluate_classifier(model, validation)
        figures = {
            "train_loss": loss_sum / seen,
            "train_accuracy": correct / seen,
            "validation_loss": checked["loss"],
            "validation_accuracy": checked["accuracy"],
        }
        stop = rule.step(figures[params["monitor"]], epoch, model)
        figures |= {
            "best_epoch": rule.best_epoch,
            "epochs_without_improvement": rule.wait,
            "stop": int(stop and params["early_stopping"]),
        }
        for name in (*CURVE, *RULE):
            curve[name].append(round(figures[name], 6))
        curve["epoch"].append(epoch)
        yield EpochEnd(epoch, step, figures)

        state = {
            "lab": SPEC.id,
            "epoch": epoch,
            "step": step,
            "metrics": figures,
            "monitor": params["monitor"],
            "rule": rule.state(),
            "curve": curve,
            "params": params,
        }
        epoch_store.save_epoch(run, epoch, model, optimizer, ctx.generator, config, state)
        if not keep_all:
            epoch_store.prune(run, {rule.best_epoch, epoch})
        if params["early_stopping"] and stop:
            stopped_by_rule = epoch
            break
        if ctx.should_stop():
            break

    model.eval()
    heldout = heldout_split(data)
    last = evaluate_classifier(model, heldout)
    last_epoch = curve["epoch"][-1] if curve["epoch"] else 0
    kept_epoch = last_epoch
    if params["restore_best"] and rule.best_weights is not None and rule.best_epoch != last_epoch:
        model.load_state_dict(rule.best_weights)
        kept_epoch = rule.best_epoch
    final = evaluate_classifier(model, heldout) if kept_epoch != last_epoch else last
    watched = params["monitor"].replace("_", " ")
    kept_note = (
        f"The weights of epoch {kept_epoch}, the best by {watched} ({rule.best:.4g}), were put back "
        f"(restore best); the training ended after epoch {last_epoch}."
        if kept_epoch != last_epoch
        else ""
    )
    saved = epoch_store.list_epochs(run)
    metrics = {
        "heldout_accuracy": final["accuracy"],
        "heldout_loss": final["loss"],
        "last_epoch_heldout_accuracy": last["accuracy"],
        "monitor": params["monitor"],
        "best_epoch": rule.best_epoch,
        "best_value": rule.best,
        "kept_epoch": kept_epoch,
        "last_epoch": last_epoch,
        "stopped_epoch": stopped_by_rule or None,  # where the rule stopped it, if it did
        "stopped_mid_epoch": stopped_mid_epoch,
        "kept_note": kept_note,  # the runner's final message says it
        "resumed_from_epoch": resumed_from,
        "curve": curve,
        "epoch_checkpoints": [checkpoint.epoch for checkpoint in saved],
        "epoch_checkpoint_bytes": sum(
            file.stat().st_size for checkpoint in saved for file in checkpoint.folder.iterdir()
        ),
        "steps": step,
        "train_digits": len(train_split),
        "validation_digits": len(validation),
        "heldout_size": len(heldout),
        "train_seconds": round(ctx.elapsed(), 2),
        "dataset": data.source.description,
    }
    # On the CPU whatever the server has: a 100,000-weight MLP on 500 digits gains nothing from a GPU.
    config["training"] = {"device": "cpu", "seconds": round(ctx.elapsed(), 2)}
    yield Trained(model.eval(), config, metrics)


def copy_earlier_epochs(point: epoch_store.EpochCheckpoint, run: Path) -> None:
    """Bring the checkpoints up to the resumed epoch into this run's own epochs/ (so that its
    list, its best epoch and a later resume see the whole curve); in place, drop later ones."""
    source = point.folder.parent.parent
    same_run = run.exists() and source.resolve() == run.resolve()
    for checkpoint in epoch_store.list_epochs(source):
        if checkpoint.epoch > point.epoch:
            if same_run:
                shutil.rmtree(checkpoint.folder, ignore_errors=True)
        elif not same_run:
            target = epoch_store.epoch_folder(run, checkpoint.epoch)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(checkpoint.folder, target, dirs_exist_ok=True)


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """The kept model's held-out accuracy and loss."""
    data = training_data(trained.config, data_dir)
    figures = evaluate_classifier(trained.model, heldout_split(data))
    return {
        "lab": SPEC.id,
        "heldout_accuracy": figures["accuracy"],
        "heldout_loss": figures["loss"],
        "heldout_size": len(data.test_labels),
        "data": data.source.description,
    }
