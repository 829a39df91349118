"""The seq2seq lab's training: both models, with and without attention, trained in alternation
on the same batches for the same number of steps, and scored by held-out sacreBLEU (overall and
on sentences longer than 8 words, where the single-state bottleneck shows).

Unknown words become <unk>, never padding (`core.tokens`); BLEU is measured on held-out
sentences the models never saw (`core.corpus`, `core.bleu`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from core.bleu import evaluate_translator
from core.corpus import Corpus, load_corpus
from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import TrainedModel
from core.labs.seq2seq.model import MODELS, Seq2seq, Seq2seqPair, translate_texts, vocabularies
from core.labs.seq2seq.spec import SPEC
from core.runner import TrainContext
from core.sentence_pairs import EncodedPairs, pad_rows
from core.tokens import PAD, Vocab

LONG_WORDS = 8  # the "long sentence": more than 8 words
MIN_LONG = 20  # BLEU on long sentences only where there are that many (Tatoeba's are short)
TARGET_MIN_COUNT = 2  # French words seen once are <unk> targets: the output layer stays small
# English words seen once are read as <unk>: on all the Tatoeba pairs that drops 2,225 of 7,417
# words (a third of both models' source embeddings, 1.1 MB), which keeps the bundled checkpoint
# under the project's 20 MiB a file, and it trains the <unk> embedding that a typed word the model
# never saw is read as (with every word kept, <unk> never occurred in training). Names seen twice
# or more (Tom, Mary, John, Paris, Boston...) stay; a name seen once was a French <unk> anyway.
SOURCE_MIN_COUNT = 2
HELDOUT_CHECKS_PER_EPOCH = 4
PROBE_SIZE = 150  # held-out pairs translated at each live check; epoch ends use them all
CLIP_NORM = 1.0  # the course's gradient clipping


def heldout_corpus(config: dict[str, Any], data_dir: str | None = None) -> Corpus:
    """The corpus a model learnt from (its held-out split is what it is scored on)."""
    params = config["params"]
    return load_corpus(params["corpus"], size=params["corpus_size"], data_dir=data_dir, seed=params["seed"])


def bleu_figures(pair: Seq2seqPair, config: dict[str, Any], corpus: Corpus, probe: int | None = None) -> dict:
    """Held-out sacreBLEU of both models, overall and on sentences longer than LONG_WORDS words;
    with `probe`, only overall, on the first `probe` pairs (the live points)."""
    source_vocab, target_vocab = vocabularies(config)
    long = corpus.longer_than(LONG_WORDS)
    sets = (
        {"": corpus.heldout[:probe]}
        if probe
        else {"": corpus.heldout, **({"_long": long} if len(long) >= MIN_LONG else {})}
    )
    figures: dict[str, Any] = {}
    for name in MODELS:
        model = pair.model(name)

        def batch(texts: list[str], model: Seq2seq = model) -> list[str]:
            return translate_texts(model, source_vocab, target_vocab, texts)

        for suffix, pairs in sets.items():
            if pairs:
                report = evaluate_translator(batch, corpus.scored(pairs))  # every reference
                figures[f"bleu{suffix}_{name}"] = report.bleu
                figures[f"exact{suffix}_{name}"] = report.exact
    return figures


def summary(
    pair: Seq2seqPair, config: dict[str, Any], corpus: Corpus, figures: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The held-out figures a checkpoint keeps (`figures`: the last epoch's, if just measured)."""
    figures = figures or bleu_figures(pair, config, corpus)
    return {
        **{f"heldout_{k}": round(v, 4 if k.startswith("exact") else 2) for k, v in figures.items()},
        "heldout_size": len(corpus.heldout),
        "heldout_long_size": len(corpus.longer_than(LONG_WORDS)),
        "long_means": f"more than {LONG_WORDS} words",
        "dataset": corpus.description,
        "corpus_name": corpus.name,
    }


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    corpus = heldout_corpus(trained.config, data_dir)
    return {
        "lab": SPEC.id,
        "architecture": trained.config["architecture"],
        **summary(trained.model, trained.config, corpus),
    }


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Both models, one Adam step each on every batch, in alternation; the same teacher-forcing
    coin flips for both. Held-out BLEU on 150 sentences four times an epoch, on all of them (and
    on the long ones) at each epoch's end."""
    corpus = load_corpus(
        params["corpus"], size=params["corpus_size"], data_dir=ctx.data_dir, seed=params["seed"]
    )
    source_vocab = Vocab.build((s for s, _ in corpus.train), min_count=SOURCE_MIN_COUNT)
    target_vocab = Vocab.build((t for _, t in corpus.train), min_count=TARGET_MIN_COUNT)
    config = {
        "lab": SPEC.id,
        "architecture": f"{params['cell'].upper()} seq2seq, {params['attention']} attention vs none",
        "cell": params["cell"],
        "attention": params["attention"],
        "embedding": params["embedding"],
        "hidden": params["hidden"],
        "source_vocab": source_vocab.to_dict(),
        "target_vocab": target_vocab.to_dict(),
        "data": corpus.to_dict(),
        "params": params,
    }
    pair = Seq2seqPair(config).to(ctx.device)
    optimizers = {
        name: torch.optim.Adam(pair.model(name).parameters(), lr=params["learning_rate"]) for name in MODELS
    }
    data = EncodedPairs.of(corpus.train, source_vocab, target_vocab)
    rng = random.Random(params["seed"])
    batches_per_epoch = -(-len(data.sources) // params["batch_size"])
    total_steps = params["epochs"] * batches_per_epoch
    check_every = max(1, batches_per_epoch // HELDOUT_CHECKS_PER_EPOCH)
    seconds = dict.fromkeys(MODELS, 0.0)

    ctx.watch(pair)
    step = 0
    for epoch in range(params["epochs"]):
        sums = dict.fromkeys(MODELS, 0.0)
        done = 0
        for indexes in data.batches(params["batch_size"], rng):
            source, lengths = pad_rows([data.sources[i] for i in indexes])
            target, _ = pad_rows([data.targets[i] for i in indexes])
            source, lengths, target = source.to(ctx.device), lengths.to(ctx.device), target.to(ctx.device)
            # The same coin flips for both models: equal data, equal teacher forcing.
            forced = [rng.random() < params["teacher_forcing"] for _ in range(target.shape[1] - 1)]
            metrics: dict[str, float] = {}
            for name in MODELS:  # one step each, in alternation: equal budgets in steps
                started = ctx.elapsed()
                model = pair.model(name)
                logits = model(source, lengths, target, forced)
                loss = F.cross_entropy(
                    logits.reshape(-1, logits.shape[-1]), target[:, 1:].reshape(-1), ignore_index=PAD
                )
                optimizers[name].zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
                optimizers[name].step()
                seconds[name] += ctx.elapsed() - started
                metrics[f"loss_{name}"] = loss.item()
                sums[name] += loss.item()
            metrics["loss"] = (metrics["loss_attention"] + metrics["loss_plain"]) / 2  # for the NaN guard
            step += 1
            done += 1
            if step % check_every == 0 or step == total_steps:
                live = bleu_figures(pair, config, corpus, probe=PROBE_SIZE)
                metrics |= {f"heldout_bleu_{name}": live[f"bleu_{name}"] for name in MODELS}
            yield Progress(step, total_steps, epoch + done / batches_per_epoch, metrics)
            if ctx.should_stop():
                break
        epoch_metrics = {f"train_loss_{name}": sums[name] / max(1, done) for name in MODELS}
        final_figures = bleu_figures(pair, config, corpus)  # the summary below reuses the last
        epoch_metrics |= {f"heldout_{k}": v for k, v in final_figures.items()}
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        if ctx.should_stop():
            break
    train_seconds = round(ctx.elapsed(), 2)
    pair = pair.cpu().eval()
    metrics = {
        **summary(pair, config, corpus, final_figures),
        "steps_each": step,
        "train_seconds": train_seconds,
        "train_seconds_attention": round(seconds["attention"], 2),
        "train_seconds_plain": round(seconds["plain"], 2),
    }
    config["training"] = {"device": str(ctx.device), "seconds": train_seconds}
    if ctx.time_budget:
        config["time_budget"] = ctx.time_budget
    yield Trained(pair, config, metrics)
