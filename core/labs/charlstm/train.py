"""The character-level text lab's training and its measure, memorisation: the loop a student
can read.

Training is teacher-forced on all the sentences at once (one step per epoch): the input is
`<start>` + sentence, the target sentence + `<end>`. The vocabulary is saved in config.json as a
list of characters, never pickled.

The course started each generated sentence from an arbitrary character (sample i began with
vocabulary entry i), so most samples began no training sentence at all, and it measured a
memorisation rate of 25%. Starting from the start token every sentence begins, the rate is what
the model actually learnt.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import TrainedModel
from core.labs.charlstm.model import (
    EMBEDDING_SIZE,
    END,
    PAD,
    SPECIAL_TOKENS,
    START,
    CharLSTM,
    Vocabulary,
    sample_tokens,
)
from core.labs.charlstm.spec import SPEC
from core.runner import TrainContext
from core.sentences import split_sentences

CLIP_NORM = 1.0
MEMORISATION_SAMPLES = 100  # sentences generated to measure the memorisation rate
MEMORISATION_TEMPERATURE = 0.5  # the course's sampling temperature
PROBE_SAMPLES = 20  # the live curve's smaller sample
PROBES_PER_TRAINING = 20  # how many times the live memorisation curve is measured
EVAL_SEED = 0
EXTRA_CHARS = 20  # generation stops this far past the longest sentence if no <end> comes
COURSE_MEMORISATION_RATE = 0.25
TARGET_MEMORISATION_RATE = 0.9


def vocabulary_of(trained: TrainedModel) -> Vocabulary:
    return Vocabulary(tuple(trained.config["vocabulary"]))


def sentences_of(trained: TrainedModel) -> list[str]:
    return list(trained.config["sentences"])


def teacher_forcing_batch(
    sentences: Sequence[str], vocabulary: Vocabulary
) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs `<start>` + sentence and targets sentence + `<end>`, padded to one length."""
    longest = max(len(s) for s in sentences) + 1
    inputs = torch.full((len(sentences), longest), PAD, dtype=torch.long)
    targets = torch.full((len(sentences), longest), PAD, dtype=torch.long)
    for row, sentence in enumerate(sentences):
        tokens = vocabulary.encode(sentence)
        inputs[row, : len(tokens) + 1] = torch.tensor([START, *tokens])
        targets[row, : len(tokens) + 1] = torch.tensor([*tokens, END])
    return inputs, targets


# --- memorisation --------------------------------------------------------------------------


def generated_sentences(
    model: CharLSTM,
    vocabulary: Vocabulary,
    sentences: Sequence[str],
    samples: int = MEMORISATION_SAMPLES,
    temperature: float = MEMORISATION_TEMPERATURE,
    seed: int = EVAL_SEED,
) -> list[str]:
    """`samples` sentences written from `<start>` alone, seeded."""
    generator = torch.Generator().manual_seed(seed)
    limit = max(len(s) for s in sentences) + EXTRA_CHARS
    drawn = sample_tokens(model, [START], samples, temperature, limit, generator)
    return [vocabulary.decode(tokens) for tokens, _ in drawn]


def recalled_from_first_word(model: CharLSTM, vocabulary: Vocabulary, sentences: Sequence[str]) -> list[bool]:
    """For each sentence: does greedy decoding from its first word write the rest of it?"""
    limit = max(len(s) for s in sentences) + EXTRA_CHARS
    recalled = []
    for sentence in sentences:
        first_word = sentence.split(" ")[0]
        ((tokens, _),) = sample_tokens(model, [START, *vocabulary.encode(first_word)], 1, 0.0, limit)
        recalled.append(first_word + vocabulary.decode(tokens) == sentence)
    return recalled


def memorisation(
    model: CharLSTM,
    vocabulary: Vocabulary,
    sentences: Sequence[str],
    samples: int = MEMORISATION_SAMPLES,
    temperature: float = MEMORISATION_TEMPERATURE,
    seed: int = EVAL_SEED,
) -> dict[str, Any]:
    """The course's criterion done right: generate `samples` sentences from `<start>` and count
    those that are a training sentence exactly. Also: how many training sentences came out at
    least once (coverage), and how many greedy decoding recovers from each one's first word."""
    texts = generated_sentences(model, vocabulary, sentences, samples, temperature, seed)
    recalled = recalled_from_first_word(model, vocabulary, sentences)
    known = set(sentences)
    return {
        "memorisation_rate": sum(t in known for t in texts) / samples,
        "coverage": len(known & set(texts)) / len(known),
        "recall_from_first_word": sum(recalled) / len(sentences),
        "samples": samples,
        "temperature": temperature,
    }


# --- training ------------------------------------------------------------------------------


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """One teacher-forced step on all the sentences per epoch; the memorisation rate is probed
    on a small sample about 20 times along the way, and measured in full at the end."""
    sentences = split_sentences(params["sentences"])
    vocabulary = Vocabulary.from_sentences(sentences)
    config = {
        "lab": SPEC.id,
        "architecture": f"LSTM {params['layers']}x{params['hidden_size']}",
        "sentences": sentences,
        "vocabulary": list(vocabulary.characters),
        "special_tokens": list(SPECIAL_TOKENS),
        "embedding_size": EMBEDDING_SIZE,
        "hidden_size": params["hidden_size"],
        "layers": params["layers"],
        "data": {"description": f"{len(sentences)} sentences typed in the lab", "dataset": "sentences"},
        "params": params,
    }
    model = CharLSTM(len(vocabulary), params["hidden_size"], params["layers"], EMBEDDING_SIZE).to(ctx.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"])
    epochs = params["epochs"]
    scheduler = None
    if params["schedule"] == "one-cycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=params["learning_rate"], total_steps=epochs, pct_start=0.25
        )
    inputs, targets = (t.to(ctx.device) for t in teacher_forcing_batch(sentences, vocabulary))
    real = targets != PAD
    probe_every = max(1, epochs // PROBES_PER_TRAINING)

    ctx.watch(model)
    for epoch in range(1, epochs + 1):
        model.train()
        logits, _ = model(inputs)
        loss = F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=PAD)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        accuracy = float(((logits.argmax(2) == targets) & real).sum() / real.sum())
        metrics = {"loss": loss.item(), "accuracy": accuracy}
        probe = epoch % probe_every == 0 or epoch == epochs
        if probe:
            found = memorisation(model, vocabulary, sentences, samples=PROBE_SAMPLES, seed=epoch)
            metrics["memorisation"] = found["memorisation_rate"]
        yield Progress(epoch, epochs, float(epoch), metrics)
        stop = ctx.should_stop()
        if probe or stop:  # an "epoch" is a single step here: report at the probes only
            yield EpochEnd(epoch, epoch, {"train_loss": metrics["loss"], "train_accuracy": accuracy})
        if stop:
            break
    model.eval()
    seconds = round(ctx.elapsed(), 2)
    final = memorisation(model, vocabulary, sentences)
    metrics = {
        **final,
        "sentences": len(sentences),
        "vocabulary_size": len(vocabulary.characters),
        "final_loss": loss.item(),
        "train_seconds": seconds,
        "steps": epoch,
    }
    config["training"] = {"device": str(ctx.device), "seconds": seconds}
    yield Trained(model.cpu().eval(), config, metrics)


def evaluate(trained: TrainedModel) -> dict[str, Any]:
    """The memorisation rate, re-measured from the weights (the same seed: the same figure)."""
    figures = memorisation(trained.model, vocabulary_of(trained), sentences_of(trained))
    return {
        "lab": SPEC.id,
        **figures,
        "target_memorisation_rate": TARGET_MEMORISATION_RATE,
        "meets_target": figures["memorisation_rate"] >= TARGET_MEMORISATION_RATE,
        "course_memorisation_rate": COURSE_MEMORISATION_RATE,
        "sentences": len(sentences_of(trained)),
        "architecture": trained.config.get("architecture"),
    }
