"""MNIST row by row: read each digit as 28 time steps of 28 pixels with the RNN family.

Five readers share one shape: a recurrent layer (RNN, LSTM or GRU, one or two directions) reads
the rows top to bottom, its final hidden state (both directions' for a bidirectional reader) goes
through an optional normalisation layer and an optional extra fully connected layer, then to ten
logits. One training trains the selected readers side by side, step-interleaved: every reader
takes its optimisation step on the same batch before the next batch comes, so each gets the same
data and the same number of steps whenever the training stops. They live in one `RowReaders`
module dict, so the checkpoint holds them all, each under its own tensor-name prefix (`lstm.`).

What the course got wrong, fixed here: its bidirectional LSTM read `lstm_out[-1]`, where the
backward direction has seen only the last row, instead of each direction's final state; its
"extra FC layer" was two Linear layers with nothing between them (one linear map), here a ReLU
separates them; its validation loss was never accumulated. Every reader takes [0, 1] pixels and
normalises them itself.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.catalogue import MNIST_ROWS as SPEC
from core.catalogue import ROW_MODELS
from core.data import ImageData, load_images, training_data
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.imaging import ImageInputError, canvas_to_gray, read_upload, to_mnist_frame
from core.labs.base import CHECKPOINT_ROOT, Lab, TrainedModel
from core.runner import TrainContext
from core.training import HELDOUT_CHECKS_PER_EPOCH, HELDOUT_PROBE_SIZE, TensorSplit, evaluate_classifier

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
ROWS = 28
MODEL_NAMES = {
    "rnn": "RNN",
    "lstm": "LSTM",
    "gru": "GRU",
    "birnn": "Bidirectional RNN",
    "bilstm": "Bidirectional LSTM",
}
# The course's test accuracies (full MNIST, 50,000 training images, 10 epochs on a GPU), for the
# plain readers: no normalisation, no extra layer. It reported no GRU.
COURSE_ACCURACY = {"rnn": 0.924, "lstm": 0.9728, "birnn": 0.964, "bilstm": 0.9731}
SAMPLE_COUNT = 12
# The course's settings (Programming Assignment 4) as lab settings: Adam 1e-3, batch 512, 10
# epochs, hidden 128, plain readers, no clipping.
COURSE_RECIPE = {
    "hidden_size": 128,
    "normalization": "none",
    "extra_fc": False,
    "epochs": 10,
    "batch_size": 512,
    "learning_rate": 1e-3,
    "schedule": "constant",
    "clip": 0.0,
}


# --- models --------------------------------------------------------------------------------


class RowReader(nn.Module):
    """A recurrent layer over the 28 rows, then (normalisation) -> (Linear, ReLU) -> Linear."""

    def __init__(self, kind: str, hidden_size: int, normalization: str, extra_fc: bool, classes: int = 10):
        super().__init__()
        if kind not in ROW_MODELS:
            raise ValueError(f"unknown model {kind!r}")
        cell = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind.removeprefix("bi")]
        self.kind = kind
        self.bidirectional = kind.startswith("bi")
        self.recurrent = cell(ROWS, hidden_size, batch_first=True, bidirectional=self.bidirectional)
        features = hidden_size * (2 if self.bidirectional else 1)
        norms = {"none": nn.Identity, "layer": nn.LayerNorm, "batch": nn.BatchNorm1d}
        if normalization not in norms:
            raise ValueError(f"unknown normalization {normalization!r}")
        self.norm = norms[normalization](features) if normalization != "none" else nn.Identity()
        if extra_fc:
            self.head = nn.Sequential(
                nn.Linear(features, features // 2), nn.ReLU(), nn.Linear(features // 2, classes)
            )
        else:
            self.head = nn.Sequential(nn.Linear(features, classes))

    def read(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, [1,] 28, 28) pixels in [0, 1] -> the hidden state after each row (N, 28, F) and
        the summary the classifier reads (N, F): each direction's final state, side by side."""
        rows = (images.reshape(-1, ROWS, ROWS) - MNIST_MEAN) / MNIST_STD
        outputs, state = self.recurrent(rows)
        final = state[0] if isinstance(state, tuple) else state  # LSTM: (h_n, c_n)
        # final is (directions, N, H): forward after the last row, backward after the first.
        return outputs, torch.cat(list(final), dim=1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.norm(self.read(images)[1]))


class RowReaders(nn.ModuleDict):
    """The readers trained together, by name (their state-dict prefixes)."""


def build_readers(config: dict[str, Any]) -> RowReaders:
    classes = len(config.get("classes", range(10)))
    return RowReaders(
        {
            name: RowReader(
                name, int(config["hidden_size"]), config["normalization"], bool(config["extra_fc"]), classes
            )
            for name in config["models"]
        }
    )


def to_split(images: torch.Tensor, labels: torch.Tensor, device: torch.device) -> TensorSplit:
    """uint8 (N, 28, 28) -> float (N, 28, 28) in [0, 1] on the device: rows are time steps."""
    return TensorSplit(images.float().div(255).to(device), labels.to(device))


def ordered(per_model: dict[str, Any]) -> list[str]:
    """The readers named in `per_model` in the lab's order (JSON files sort them by name)."""
    return [name for name in ROW_MODELS if name in per_model]


def course_criterion(name: str, accuracy: float) -> dict[str, Any]:
    """The course's figure for this reader, if it gave one, and whether `accuracy` reaches it."""
    course = COURSE_ACCURACY.get(name)
    return {"course_accuracy": course, "meets_course": None if course is None else accuracy >= course}


# --- training ------------------------------------------------------------------------------


@dataclass
class ReaderRun:
    """One reader's optimiser, schedule and clock while the readers train side by side."""

    model: RowReader
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler | None
    seconds: float = 0.0  # its own steps only: what it would take trained alone
    reached_course_at: float | None = None  # its seconds when an epoch end first met the course figure
    loss_sum: float = 0.0
    correct: int = 0


def make_run(model: RowReader, params: dict[str, Any], total_steps: int) -> ReaderRun:
    optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"])
    scheduler = None
    if params["schedule"] == "one-cycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=params["learning_rate"], total_steps=total_steps, pct_start=0.25
        )
    return ReaderRun(model, optimizer, scheduler)


def train_step(run: ReaderRun, inputs: torch.Tensor, labels: torch.Tensor, clip: float) -> tuple[float, int]:
    """One optimisation step of one reader; returns its loss and how many it got right."""
    started = time.perf_counter()
    logits = run.model(inputs)
    loss = F.cross_entropy(logits, labels)
    run.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if clip > 0:
        # Exploding gradients are the RNN's classic failure: cap the step's length.
        nn.utils.clip_grad_norm_(run.model.parameters(), clip)
    run.optimizer.step()
    if run.scheduler is not None:
        run.scheduler.step()
    run.seconds += time.perf_counter() - started
    return loss.item(), int((logits.argmax(1) == labels).sum())


class MnistRowsLab(Lab):
    spec = SPEC

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return build_readers(config)

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        """One bundled checkpoint holds every reader, so any selection can be tried at once."""
        return CHECKPOINT_ROOT / "mnist-rows-all"

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        data = load_images("mnist", ctx.data_dir)
        train = to_split(data.train_images, data.train_labels, ctx.device)
        heldout = to_split(data.test_images, data.test_labels, ctx.device)
        config = {
            "lab": SPEC.id,
            "architecture": ", ".join(params["models"]),
            "models": params["models"],
            "hidden_size": params["hidden_size"],
            "normalization": params["normalization"],
            "extra_fc": params["extra_fc"],
            "classes": list(data.classes),
            "input": {"size": [ROWS, ROWS], "range": [0, 1], "polarity": "white ink on black"},
            "data": data.source.to_dict(),
            "params": params,
        }
        readers = build_readers(config).to(ctx.device)
        batch_size = params["batch_size"]
        steps_per_epoch = math.ceil(len(train) / batch_size)
        total_steps = params["epochs"] * steps_per_epoch
        runs = {name: make_run(model, params, total_steps) for name, model in readers.items()}
        check_every = max(1, steps_per_epoch // HELDOUT_CHECKS_PER_EPOCH)
        probe = TensorSplit(heldout.inputs[:HELDOUT_PROBE_SIZE], heldout.labels[:HELDOUT_PROBE_SIZE])
        shown = TensorSplit(heldout.inputs[:SAMPLE_COUNT], heldout.labels[:SAMPLE_COUNT])

        ctx.watch(readers)
        step = 0
        for epoch in range(params["epochs"]):
            readers.train()
            order = torch.randperm(len(train), generator=ctx.generator).to(ctx.device)
            for run in runs.values():
                run.loss_sum, run.correct = 0.0, 0
            seen = 0
            for start in range(0, len(train), batch_size):
                index = order[start : start + batch_size]
                if len(index) < 2:  # a last batch of one image: batch norm cannot learn from it
                    continue
                inputs, labels = train.inputs[index], train.labels[index]
                metrics: dict[str, float] = {}
                for name, run in runs.items():  # the same batch for every reader, in turn
                    loss, correct = train_step(run, inputs, labels, params["clip"])
                    run.loss_sum += loss * len(labels)
                    run.correct += correct
                    metrics[f"{name}_loss"] = loss
                    metrics[f"{name}_accuracy"] = correct / len(labels)
                # The mean is what the runner watches for divergence and the status line shows.
                metrics["loss"] = float(np.mean([metrics[f"{name}_loss"] for name in runs]))
                step += 1
                seen += len(labels)
                if step % check_every == 0 or step == total_steps:
                    for name, run in runs.items():
                        metrics[f"heldout_{name}_accuracy"] = evaluate_classifier(run.model, probe)[
                            "accuracy"
                        ]
                yield Progress(step, total_steps, epoch + seen / len(train), metrics)
                if ctx.should_stop():
                    break
            epoch_metrics = {}
            for name, run in runs.items():
                held = evaluate_classifier(run.model, heldout)
                epoch_metrics |= {
                    f"train_{name}_loss": run.loss_sum / max(1, seen),
                    f"train_{name}_accuracy": run.correct / max(1, seen),
                    f"heldout_{name}_loss": held["loss"],
                    f"heldout_{name}_accuracy": held["accuracy"],
                }
                if run.reached_course_at is None and course_criterion(name, held["accuracy"])["meets_course"]:
                    run.reached_course_at = run.seconds
            yield EpochEnd(epoch + 1, step, epoch_metrics)
            yield prediction_samples(readers, shown, data.classes, step, epoch + 1)
            if ctx.should_stop():
                break
        readers.eval()

        final = {name: evaluate_classifier(run.model, heldout) for name, run in runs.items()}
        metrics = {
            "models": params["models"],
            "heldout_accuracy": {name: f["accuracy"] for name, f in final.items()},
            "heldout_loss": {name: f["loss"] for name, f in final.items()},
            "course_accuracy": {name: COURSE_ACCURACY.get(name) for name in runs},
            "meets_course": {
                name: course_criterion(name, f["accuracy"])["meets_course"] for name, f in final.items()
            },
            # Each reader's own training seconds (its steps only), and when it first met the
            # course's figure at an epoch end: the time it would take trained alone.
            "model_seconds": {name: round(run.seconds, 2) for name, run in runs.items()},
            "seconds_to_course": {
                name: None if run.reached_course_at is None else round(run.reached_course_at, 2)
                for name, run in runs.items()
            },
            "heldout_size": len(heldout),
            "steps": step,
            "train_seconds": round(ctx.elapsed(), 2),
            "dataset": data.source.description,
        }
        config["training"] = {"device": str(ctx.device), "seconds": round(ctx.elapsed(), 2)}
        yield Trained(readers.cpu().eval(), config, metrics)

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        data = heldout_data(trained, data_dir)
        heldout = to_split(data.test_images, data.test_labels, torch.device("cpu"))
        per_model = {}
        for name, model in trained.model.items():
            figures = evaluate_classifier(model, heldout)
            per_model[name] = {
                "heldout_accuracy": figures["accuracy"],
                "heldout_loss": figures["loss"],
                **course_criterion(name, figures["accuracy"]),
            }
        return {
            "lab": SPEC.id,
            "models": per_model,
            "hidden_size": trained.config["hidden_size"],
            "normalization": trained.config["normalization"],
            "extra_fc": trained.config["extra_fc"],
            "heldout_size": len(heldout),
            "data": data.source.description,
        }

    def headline(self, metrics: dict[str, Any]) -> str:
        accuracy = metrics.get("heldout_accuracy")
        if not isinstance(accuracy, dict) or not accuracy:
            return ""
        return "held-out accuracy " + ", ".join(
            f"{MODEL_NAMES[name]} {accuracy[name]:.1%}" for name in ordered(accuracy)
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(
            f"--set {k}={','.join(v) if isinstance(v, list) else v}" for k, v in sorted(params.items())
        )
        rows = "\n".join(
            f"| {MODEL_NAMES.get(name, name)} | `{name}.` | {accuracy:.2%} | "
            + (f"{COURSE_ACCURACY[name]:.2%}" if name in COURSE_ACCURACY else "-")
            + f" | {metrics.get('model_seconds', {}).get(name, '-')} |"
            for name, accuracy in (
                (n, metrics["heldout_accuracy"][n]) for n in ordered(metrics.get("heldout_accuracy", {}))
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

    def add_cli_commands(self, commands: argparse._SubParsersAction) -> None:
        command = commands.add_parser(
            "classify-rows", help="read digit images row by row with every mnist-rows model"
        )
        command.add_argument("images", nargs="+", metavar="IMAGE", help="png, jpg or webp of one digit")
        command.add_argument("--checkpoint", help="checkpoint folder (default: the bundled models)")
        command.add_argument("--json", action="store_true", help="one JSON object per image")
        command.set_defaults(handler=self.cli_classify_rows)

    def cli_classify_rows(self, args: argparse.Namespace) -> int:
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        failures = 0
        for name in args.images:
            try:
                readings = read_upload_rows(trained, Path(name).read_bytes())
                result = {"file": name, "models": {r.model: r.to_dict() for r in readings}}
            except (OSError, ImageInputError) as error:
                failures += 1
                reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
                result = {"file": name, "error": reason}
            if args.json:
                print(json.dumps(result))
            elif "error" in result:
                print(f"{name}: error: {result['error']}")
            else:
                said = ", ".join(f"{MODEL_NAMES[r.model]} {r.label} ({r.confidence:.0%})" for r in readings)
                print(f"{name}: {said}")
        return 1 if failures else 0


# --- interactions: pure functions of (model, input) ----------------------------------------


@dataclass
class RowReading:
    """One reader's answer for one frame, and its hidden state after each row."""

    model: str
    probabilities: np.ndarray  # (10,)
    hidden: np.ndarray  # (28, F): rows down, hidden units across (both directions if bidirectional)
    classes: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.classes[int(self.probabilities.argmax())]

    @property
    def confidence(self) -> float:
        return float(self.probabilities.max())

    def to_dict(self, hidden: bool = False) -> dict[str, Any]:
        result = {
            "prediction": self.label,
            "confidence": round(self.confidence, 4),
            "probabilities": {
                c: round(float(p), 4) for c, p in zip(self.classes, self.probabilities, strict=True)
            },
        }
        if hidden:
            result["hidden"] = np.round(self.hidden, 4).tolist()
        return result


@torch.no_grad()
def read_frame(trained: TrainedModel, frame: np.ndarray) -> list[RowReading]:
    """A prepared 28x28 frame in [0, 1] -> every reader's probabilities and hidden states."""
    frame = np.asarray(frame, dtype=np.float32)
    if frame.shape != (ROWS, ROWS):
        raise ImageInputError(f"expected a 28x28 frame, got {frame.shape}")
    inputs = torch.from_numpy(np.ascontiguousarray(frame))[None]
    classes = tuple(trained.config.get("classes", [str(d) for d in range(10)]))
    readings = []
    for name, model in trained.model.items():
        model.eval()
        outputs, summary = model.read(inputs)
        probabilities = F.softmax(model.head(model.norm(summary)), dim=1)[0]
        readings.append(RowReading(name, probabilities.numpy(), outputs[0].numpy(), classes))
    return readings


def read_drawing_rows(trained: TrainedModel, pad: np.ndarray) -> list[RowReading]:
    """A drawing pad's pixels (white on black, any size) -> every reader's reading. Raises
    ImageInputError when the pad is empty."""
    return read_frame(trained, to_mnist_frame(canvas_to_gray(pad)))


def read_upload_rows(trained: TrainedModel, data: bytes) -> list[RowReading]:
    """An uploaded photo or scan (either polarity) -> every reader's reading."""
    return read_frame(trained, to_mnist_frame(read_upload(data)))


def drawing_frame(pad: np.ndarray) -> np.ndarray:
    """The 28x28 frame the readers see for a drawing pad's pixels."""
    return to_mnist_frame(canvas_to_gray(pad))


def heldout_data(trained: TrainedModel, data_dir: str | None = None) -> ImageData:
    """The data these readers were trained on (its held-out split is what they are scored on)."""
    return training_data(trained.config, data_dir)


@torch.no_grad()
def prediction_samples(
    readers: RowReaders, shown: TensorSplit, classes: tuple[str, ...], step: int, epoch: int
) -> Samples:
    """Fixed held-out digits, each captioned with every reader's answer (✗ when wrong)."""
    answers = {}
    for name, model in readers.items():
        was_training = model.training
        model.eval()
        answers[name] = model(shown.inputs).argmax(1).tolist()
        model.train(was_training)
    captions = []
    for i, truth in enumerate(shown.labels.tolist()):
        said = " ".join(
            f"{name} {classes[a[i]]}" + ("" if a[i] == truth else "✗") for name, a in answers.items()
        )
        captions.append(f"{classes[truth]}: {said}")
    images = shown.inputs.cpu().numpy()
    return Samples(
        step, images, tuple(captions), title=f"Held-out digits and each model's answer, epoch {epoch}"
    )
