"""Transformer translator lab: an encoder-decoder Transformer trained on English -> French, with
greedy and beam search, held-out sacreBLEU and the attention maps behind every translation.

The model is written out (attention, layers, positions) rather than taken from nn.Transformer,
whose layers do not return their attention weights: here every attention module can keep its
last weights, so a translation comes with the encoder's self-attention and the decoder's
cross-attention for each layer and head. The corpus, tokens and BLEU live in `core.corpus`,
`core.tokens` and `core.bleu`, shared with the other translation labs; greedy and beam search
in `core.decoding`.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.bleu import evaluate_translator
from core.catalogue import TRANSFORMER as SPEC
from core.corpus import Corpus, load_corpus
from core.decoding import beam_search, greedy_search
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.labs.base import CHECKPOINT_ROOT, Lab, TrainedModel
from core.runner import TrainContext
from core.sentence_pairs import (
    MAX_SOURCE_TOKENS,
    EncodedPairs,
    check_text,
    encode_source,
    pad_rows,
)
from core.specs import SpecError
from core.tokens import EOS, PAD, SOS, SPECIALS, TextInputError, Vocab, detokenize, tokenize

MAX_POSITIONS = 256  # longest sequence the sinusoidal table covers
MAX_BEAM = 10
HELDOUT_CHECKS_PER_EPOCH = 4
PROBE_SIZE = 100  # held-out pairs translated at each live check; the epoch ends use all 500
SAMPLE_SENTENCES = 4  # held-out sentences whose translations are shown while training
BLEU_TARGETS = (80.0, 90.0)  # the training time to reach these is recorded for the benchmark
EVAL_BEAM, BEAM_EVAL_SIZE = 4, 100  # `evaluate` compares beam and greedy search on 100 sentences
BUNDLED_NAME = "transformer-en-fr"


# --- the model -----------------------------------------------------------------------------


class MultiHeadAttention(nn.Module):
    """Scaled dot-product attention with `heads` heads. Given a `record` list, a call appends
    its softmax weights (batch, heads, queries, keys) to it: per call, not stored on the module,
    so sessions sharing one model never read each other's weights."""

    def __init__(self, d_model: int, heads: int, dropout: float):
        super().__init__()
        if d_model % heads:
            raise ValueError(f"{heads} heads do not divide d_model {d_model}")
        self.heads, self.d_head = heads, d_model // heads
        self.query, self.key, self.value = (nn.Linear(d_model, d_model) for _ in range(3))
        self.out = nn.Linear(d_model, d_model)
        self.dropout = dropout

    def _split(self, x: torch.Tensor) -> torch.Tensor:  # (B, T, D) -> (B, H, T, D/H)
        return x.view(x.shape[0], x.shape[1], self.heads, self.d_head).transpose(1, 2)

    def forward(
        self, x: torch.Tensor, context: torch.Tensor, allowed: torch.Tensor, record: list | None = None
    ) -> torch.Tensor:
        """`x` attends to `context`; `allowed` (B, 1 or Tq, Tk) is True where it may look."""
        q, k, v = self._split(self.query(x)), self._split(self.key(context)), self._split(self.value(context))
        allowed = allowed[:, None]  # the same mask for every head
        if record is not None:
            scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)
            weights = scores.masked_fill(~allowed, float("-inf")).softmax(-1)
            record.append(weights.detach())
            mixed = weights @ v
        else:  # the fused kernel: faster, but it does not return the weights
            dropout = self.dropout if self.training else 0.0
            mixed = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, dropout_p=dropout)
        return self.out(mixed.transpose(1, 2).reshape(x.shape))


def feed_forward(d_model: int, ff_size: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(d_model, ff_size), nn.ReLU(), nn.Dropout(dropout), nn.Linear(ff_size, d_model)
    )


class EncoderLayer(nn.Module):
    """Pre-norm: x + SelfAttention(LN(x)), then x + FeedForward(LN(x))."""

    def __init__(self, d_model: int, heads: int, ff_size: int, dropout: float):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attention = MultiHeadAttention(d_model, heads, dropout)
        self.feed_forward = feed_forward(d_model, ff_size, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor, record: list | None = None) -> torch.Tensor:
        h = self.norm1(x)
        x = x + self.drop(self.attention(h, h, allowed, record))
        return x + self.drop(self.feed_forward(self.norm2(x)))


class DecoderLayer(nn.Module):
    """Causal self-attention, cross-attention to the encoder, feed-forward; each pre-norm."""

    def __init__(self, d_model: int, heads: int, ff_size: int, dropout: float):
        super().__init__()
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(d_model) for _ in range(3))
        self.self_attention = MultiHeadAttention(d_model, heads, dropout)
        self.cross_attention = MultiHeadAttention(d_model, heads, dropout)
        self.feed_forward = feed_forward(d_model, ff_size, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(
        self,
        y: torch.Tensor,
        memory: torch.Tensor,
        causal: torch.Tensor,
        source_allowed: torch.Tensor,
        record: list | None = None,  # receives the cross-attention weights
    ) -> torch.Tensor:
        h = self.norm1(y)
        y = y + self.drop(self.self_attention(h, h, causal))
        y = y + self.drop(self.cross_attention(self.norm2(y), memory, source_allowed, record))
        return y + self.drop(self.feed_forward(self.norm3(y)))


def sinusoidal_positions(length: int, d_model: int) -> torch.Tensor:
    """PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(same): (length, d_model)."""
    position = torch.arange(length, dtype=torch.float32)[:, None]
    frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10_000.0) / d_model))
    table = torch.zeros(length, d_model)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency)[:, : d_model // 2]
    return table


class Translator(nn.Module):
    """Encoder-decoder Transformer over word ids; `source_vocab` and `target_vocab` ride along."""

    def __init__(
        self,
        source_vocab: Vocab,
        target_vocab: Vocab,
        d_model: int = 128,
        heads: int = 4,
        layers: int = 2,
        ff_size: int = 256,
        dropout: float = 0.1,
    ):
        super().__init__()
        self.source_vocab, self.target_vocab = source_vocab, target_vocab
        self.d_model = d_model
        self.source_embedding = nn.Embedding(len(source_vocab), d_model, padding_idx=PAD)
        self.target_embedding = nn.Embedding(len(target_vocab), d_model, padding_idx=PAD)
        # Not saved with the weights: the table is a formula, rebuilt on load.
        self.register_buffer("positions", sinusoidal_positions(MAX_POSITIONS, d_model), persistent=False)
        self.encoder = nn.ModuleList(EncoderLayer(d_model, heads, ff_size, dropout) for _ in range(layers))
        self.decoder = nn.ModuleList(DecoderLayer(d_model, heads, ff_size, dropout) for _ in range(layers))
        self.encoder_norm, self.decoder_norm = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.output = nn.Linear(d_model, len(target_vocab))
        self.drop = nn.Dropout(dropout)
        for embedding in (self.source_embedding, self.target_embedding):
            # Standard deviation 1/sqrt(d), so that after the sqrt(d) scaling the word vectors
            # are as large as the positions. PyTorch's default N(0, 1) scaled by sqrt(128)
            # drowned the positions, and word order was learnt many times more slowly.
            nn.init.normal_(embedding.weight, std=d_model**-0.5)
            nn.init.zeros_(embedding.weight[PAD])

    def _embed(self, embedding: nn.Embedding, ids: torch.Tensor) -> torch.Tensor:
        # Scaled by sqrt(d) so the word vectors are not drowned by the positions (Vaswani et al.).
        return self.drop(embedding(ids) * math.sqrt(self.d_model) + self.positions[: ids.shape[1]])

    def encode(self, source: torch.Tensor, record: list | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, S) ids -> the encoder's output (B, S, D) and the (B, 1, S) mask of real tokens;
        `record` receives each layer's self-attention weights."""
        allowed = (source != PAD)[:, None, :]
        x = self._embed(self.source_embedding, source)
        for layer in self.encoder:
            x = layer(x, allowed, record)
        return self.encoder_norm(x), allowed

    def decode(
        self,
        target_in: torch.Tensor,
        memory: torch.Tensor,
        source_allowed: torch.Tensor,
        record: list | None = None,
    ) -> torch.Tensor:
        """Next-token logits (B, T, V) for target prefixes `target_in` (B, T) starting with SOS;
        `record` receives each layer's cross-attention weights."""
        length = target_in.shape[1]
        causal = torch.ones(length, length, dtype=torch.bool, device=target_in.device).tril()
        # A padded target position still attends to the earlier real ones, so no row is empty;
        # its loss is ignored.
        diagonal = torch.eye(length, dtype=torch.bool, device=target_in.device)
        causal = (causal[None] & (target_in != PAD)[:, None, :]) | diagonal[None]
        y = self._embed(self.target_embedding, target_in)
        for layer in self.decoder:
            y = layer(y, memory, causal, source_allowed, record)
        return self.output(self.decoder_norm(y))

    def forward(
        self, source: torch.Tensor, target_in: torch.Tensor, attention: dict[str, list] | None = None
    ) -> torch.Tensor:
        """Teacher-forced logits; given `attention`, its "encoder" and "cross" lists receive the
        weights of every layer (the explicit softmax path: slower, so only when asked)."""
        record = attention or {}
        memory, allowed = self.encode(source, record.get("encoder"))
        return self.decode(target_in, memory, allowed, record.get("cross"))


def network_shape(params: dict[str, Any]) -> dict[str, Any]:
    """The settings that shape the network, as saved in a checkpoint's config ("model")."""
    return {name: params[name] for name in ("d_model", "heads", "layers", "ff_size", "dropout")}


def architecture_name(params: dict[str, Any]) -> str:
    """The network in a few words, for the fronts' model summaries."""
    return (
        f"Transformer {params['layers']}+{params['layers']} layers, d_model {params['d_model']}, "
        f"{params['heads']} heads"
    )


def check_architecture(params: dict[str, Any]) -> None:
    if params["d_model"] % params["heads"]:
        divisors = [h for h in range(1, 17) if params["d_model"] % h == 0]
        raise SpecError(
            f"Heads: {params['heads']} heads do not divide the model width {params['d_model']} "
            f"(each head gets d_model / heads numbers); pick one of {', '.join(map(str, divisors))}"
        )
    if params["d_model"] % 2:
        raise SpecError(f"Model width: {params['d_model']} must be even (sine and cosine positions)")


# --- data ----------------------------------------------------------------------------------


def sequence_loss(
    model: Translator, source: torch.Tensor, target: torch.Tensor, smoothing: float = 0.0
) -> torch.Tensor:
    """Teacher-forced cross-entropy per target token (padding ignored)."""
    logits = model(source, target[:, :-1])
    return F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]),
        target[:, 1:].reshape(-1),
        ignore_index=PAD,
        label_smoothing=smoothing,
    )


# --- translating ---------------------------------------------------------------------------


def max_output_length(source_length: int) -> int:
    """French runs a little longer than English; an output past 1.5x + 5 has gone astray."""
    return min(MAX_POSITIONS - 1, source_length + source_length // 2 + 5)


@torch.no_grad()
def translate_ids(model: Translator, sources: list[list[int]], beam: int = 1) -> list[list[int]]:
    """Target ids (without SOS/EOS) for source id lists, by greedy search or beam search."""
    was_training = model.training
    model.eval()
    source = pad_rows(sources)[0]
    memory, allowed = model.encode(source)

    def next_log_probs(prefixes: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        logits = model.decode(prefixes, memory[rows], allowed[rows])[:, -1]
        return logits.log_softmax(-1)

    limit = max_output_length(source.shape[1])
    if beam <= 1:
        outputs = greedy_search(next_log_probs, len(sources), limit)
    else:
        outputs = [best[0].tokens for best in beam_search(next_log_probs, beam, limit, batch=len(sources))]
    model.train(was_training)
    return outputs


def translate_texts(model: Translator, texts: list[str], beam: int = 1) -> list[str]:
    """Detokenised translations of `texts` (for BLEU: one batch, no attention kept)."""
    sources = [encode_source(model.source_vocab, text) for text in texts]
    return [detokenize(model.target_vocab.decode(ids)) for ids in translate_ids(model, sources, beam)]


def heldout_bleu(model: Translator, pairs: list[tuple[str, str]], beam: int = 1) -> dict[str, Any]:
    """sacreBLEU of the model's translations of held-out pairs, with a few examples."""
    report = evaluate_translator(
        lambda texts: translate_texts(model, texts, beam), pairs, examples=SAMPLE_SENTENCES
    )
    return report.to_dict()


@dataclass
class Translation:
    """One sentence translated, with the attention behind it.

    Attention arrays are (layers, heads, rows, columns): `cross_attention` rows are the target
    tokens produced (the last is <eos>), columns the source tokens; `encoder_attention` rows and
    columns are both source tokens. Every row sums to 1."""

    text: str
    translation: str
    source_tokens: list[str]  # as the model read them: <unk> for unknown words, then <eos>
    target_tokens: list[str]  # as it wrote them, then <eos>
    cross_attention: np.ndarray
    encoder_attention: np.ndarray
    beam: int
    log_prob: float
    unknown_words: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self, attention: bool = True) -> dict[str, Any]:
        result: dict[str, Any] = {
            "text": self.text,
            "translation": self.translation,
            "source_tokens": self.source_tokens,
            "target_tokens": self.target_tokens,
            "beam": self.beam,
            "log_prob": round(self.log_prob, 4),
            "unknown_words": self.unknown_words,
            "notes": self.notes,
        }
        if attention:
            result["cross_attention"] = np.round(self.cross_attention, 4).tolist()
            result["encoder_attention"] = np.round(self.encoder_attention, 4).tolist()
        return result


def check_beam(beam: Any) -> tuple[int, list[str]]:
    """A beam width clamped to 1..MAX_BEAM, with a note when it was changed."""
    try:
        asked = int(beam)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
        raise TextInputError(f"The beam width must be a whole number, got {beam!r}.") from None
    clamped = min(MAX_BEAM, max(1, asked))
    if clamped == asked:
        return clamped, []
    why = (
        "1 means greedy search"
        if asked < 1
        else f"wider beams than {MAX_BEAM} cost much and gain nothing here"
    )
    return clamped, [f"Beam width {asked} was changed to {clamped} ({why})."]


@torch.no_grad()
def translate(trained: TrainedModel, text: str, beam: int = 1) -> Translation:
    """Translate one sentence and collect its attention maps: the interaction of this lab."""
    model: Translator = trained.model
    text = check_text(text)
    beam, notes = check_beam(beam)
    source_vocab = model.source_vocab
    tokens = tokenize(text)
    unknown = source_vocab.unknown_words(text)
    if tokens and all(token not in source_vocab for token in tokens):
        words = [w for w in source_vocab.words[len(SPECIALS) :] if w.isalpha()]
        examples = ", ".join(words[:8])
        raise TextInputError(
            f"None of these words is in the model's English vocabulary ({', '.join(unknown[:6])}); "
            f"it knows {len(source_vocab) - len(SPECIALS)} words, such as {examples}."
        )
    if unknown:
        notes.append(f"Unknown to the model, read as <unk>: {', '.join(unknown)}.")
    if len(tokens) > MAX_SOURCE_TOKENS - 1:
        notes.append(f"Only the first {MAX_SOURCE_TOKENS - 1} of {len(tokens)} tokens were translated.")
    source_ids = encode_source(source_vocab, text)
    output = _search(model, source_ids, beam)
    # One teacher-forced pass over the chosen output gives exactly the attention that produced
    # each token, since the causal mask hides later tokens just as decoding did.
    attention: dict[str, list] = {"encoder": [], "cross": []}
    logits = model(torch.tensor([source_ids]), torch.tensor([[SOS, *output]]), attention)
    cross = torch.stack([weights[0] for weights in attention["cross"]]).numpy()
    encoder = torch.stack([weights[0] for weights in attention["encoder"]]).numpy()
    log_probs = logits[0].log_softmax(-1)
    log_prob = float(log_probs[torch.arange(len(output) + 1), torch.tensor([*output, EOS])].sum())
    target_tokens = model.target_vocab.decode(output)
    return Translation(
        text=text,
        translation=detokenize(target_tokens),
        source_tokens=[source_vocab.words[i] for i in source_ids],
        target_tokens=[*target_tokens, SPECIALS[EOS]],
        cross_attention=cross,
        encoder_attention=encoder,
        beam=beam,
        log_prob=log_prob,
        unknown_words=unknown,
        notes=notes,
    )


def _search(model: Translator, source_ids: list[int], beam: int) -> list[int]:
    (output,) = translate_ids(model, [source_ids], beam)
    return output


# --- the lab -------------------------------------------------------------------------------


class TransformerLab(Lab):
    spec = SPEC

    def check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        check_architecture(params)
        return params

    def build_model(self, config: dict[str, Any]) -> Translator:
        # A hand-edited shape (heads 0.5) would build, then fail mid-translation: refuse it on load.
        shape = config["model"]
        sizes = {name: shape[name] for name in ("d_model", "heads", "layers", "ff_size")}
        if not all(type(size) is int and size > 0 for size in sizes.values()):
            raise ValueError(f"the model's sizes must be positive whole numbers, got {sizes}")
        check_architecture(sizes)  # SpecError is a ValueError
        return Translator(
            Vocab.from_dict(config["source_vocab"]),
            Vocab.from_dict(config["target_vocab"]),
            **config["model"],
        )

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        check_architecture(params)
        data = load_corpus(params["corpus"], params["corpus_size"], ctx.data_dir, params["seed"])
        # Vocabularies come from the training side only: a held-out word the training never
        # showed is <unk>, as it would be for a student's sentence.
        source_vocab = Vocab.build(s for s, _ in data.train)
        target_vocab = Vocab.build(t for _, t in data.train)
        train = EncodedPairs.of(data.train, source_vocab, target_vocab)
        probe = data.heldout[:PROBE_SIZE]
        heldout = EncodedPairs.of(data.heldout, source_vocab, target_vocab)
        shown = sample_pairs(data)
        config = {
            "lab": SPEC.id,
            "architecture": architecture_name(params),
            "model": network_shape(params),
            "source_vocab": source_vocab.to_dict(),
            "target_vocab": target_vocab.to_dict(),
            "data": data.to_dict(),
            "params": params,
        }
        model = Translator(source_vocab, target_vocab, **network_shape(params)).to(ctx.device)
        optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"], betas=(0.9, 0.98))
        batch_size = params["batch_size"]
        steps_per_epoch = math.ceil(len(train.sources) / batch_size)
        total_steps = params["epochs"] * steps_per_epoch
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, learning_rate_factor(params, total_steps))
        check_every = max(1, steps_per_epoch // HELDOUT_CHECKS_PER_EPOCH)
        rng = random.Random(params["seed"])
        timer = ScoringTimer(ctx)

        latest_full: dict[str, Any] = {}  # the last report on all held-out pairs, and its step

        def heldout_figures(pairs: list[tuple[str, str]], full: bool = False) -> dict[str, float]:
            with timer:
                report, loss = heldout_bleu(model, pairs), heldout_loss(model, heldout)
            if full:
                latest_full.update(step=step, report=report, loss=loss)
            timer.reached(report["bleu"])
            return {"bleu": report["bleu"], "loss": loss}

        def samples(step: int, epoch: float) -> Samples:
            with timer:
                outputs = translate_texts(model, [s for s, _ in shown])
            lines = [f"{s} → **{o}** (reference: {t})" for (s, t), o in zip(shown, outputs, strict=True)]
            title = f"Held-out sentences at epoch {epoch:.2f}:\n\n" + "\n".join(f"- {line}" for line in lines)
            return Samples(step, np.zeros((0, 1, 1), dtype=np.float32), (), title=title)

        ctx.watch(model)
        step = 0
        stopped = False
        for epoch in range(params["epochs"]):
            model.train()
            loss_sum, tokens_seen = 0.0, 0
            batches = train.batches(batch_size, rng)
            for number, indexes in enumerate(batches, start=1):
                source, target = train.tensors(indexes)
                loss = sequence_loss(model, source, target, params["label_smoothing"])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                step += 1
                real = int((target[:, 1:] != PAD).sum())
                loss_sum, tokens_seen = loss_sum + loss.item() * real, tokens_seen + real
                at = epoch + number / len(batches)
                metrics = {"loss": loss.item(), "learning_rate": scheduler.get_last_lr()[0]}
                if step % check_every == 0:
                    metrics |= {f"heldout_{k}": v for k, v in heldout_figures(probe).items()}
                yield Progress(step, total_steps, at, metrics)
                if step % check_every == 0:
                    yield samples(step, at)
                if ctx.should_stop():
                    stopped = True
                    break
            epoch_metrics = {"train_loss": loss_sum / max(1, tokens_seen)}
            epoch_metrics |= {f"heldout_{k}": v for k, v in heldout_figures(data.heldout, full=True).items()}
            yield EpochEnd(epoch + 1, step, epoch_metrics)
            yield samples(step, epoch + 1)
            if stopped:
                break
        model.eval()
        seconds = round(timer.training_seconds(), 2)
        if latest_full.get("step") != step:  # the last epoch-end report is of this very model
            heldout_figures(data.heldout, full=True)
        report = latest_full["report"]
        metrics = {
            "heldout_bleu": report["bleu"],
            "heldout_exact_match": report["exact_match"],
            "heldout_size": report["size"],
            "heldout_loss": round(latest_full["loss"], 4),
            "heldout_bleu_long": heldout_bleu(model, data.longer_than(10))["bleu"],
            "examples": report["examples"],
            "train_seconds": seconds,
            "steps": step,
            **{f"seconds_to_bleu_{target:g}": timer.reached_at.get(target) for target in BLEU_TARGETS},
            "parameters": sum(p.numel() for p in model.parameters()),
            "corpus": data.description,
        }
        config["training"] = {"device": str(ctx.device), "seconds": seconds, "steps": step}
        if ctx.time_budget:
            config["time_budget"] = ctx.time_budget
        yield Trained(model.cpu().eval(), config, metrics)

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        data_config = trained.config.get("data", {})
        params = trained.config.get("params", {})
        data = load_corpus(data_config.get("name", "generated"), 1, data_dir, params.get("seed", 0))
        model: Translator = trained.model
        greedy = heldout_bleu(model, data.heldout)
        # Beam search is slower (beam-times the work), so it is compared with greedy on a subset.
        subset = data.heldout[:BEAM_EVAL_SIZE]
        result = {
            "lab": SPEC.id,
            "heldout_bleu": greedy["bleu"],
            "heldout_exact_match": greedy["exact_match"],
            "heldout_size": greedy["size"],
            "heldout_bleu_long": heldout_bleu(model, data.longer_than(10))["bleu"],
            "beam": {
                "width": EVAL_BEAM,
                "size": len(subset),
                "bleu": heldout_bleu(model, subset, beam=EVAL_BEAM)["bleu"],
                "greedy_bleu_same_sentences": heldout_bleu(model, subset)["bleu"],
            },
            "examples": greedy["examples"],
            "data": trained.data_source,  # what it was trained on; the held-out pairs are fixed
        }
        if data.name != data_config.get("name", "generated"):  # Tatoeba unavailable here
            result["note"] = f"scored on other held-out pairs than it was trained for: {data.description}"
        return result

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        return CHECKPOINT_ROOT / BUNDLED_NAME

    def headline(self, metrics: dict[str, Any]) -> str:
        if "heldout_bleu" not in metrics:
            return ""
        return (
            f"held-out BLEU {metrics['heldout_bleu']:.1f} (sacreBLEU, greedy), "
            f"{metrics.get('heldout_exact_match', 0):.0%} of sentences exact"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        stopped_by = metrics.get("stopped_by", "completed")
        budget = f" --time-budget {config['time_budget']:g}" if config.get("time_budget") else ""
        ended = (
            ""
            if stopped_by == "completed"
            else f" (ended by the {stopped_by} at step {metrics.get('steps')})"
        )
        layout = config.get("model", {})
        examples = "\n".join(
            f"| {e['source']} | {e['translation']} | {e['reference']} |" for e in metrics.get("examples", [])
        )
        return (
            "---\nlibrary_name: pytorch\ntags:\n- translation\n- transformer\n- deep-learning-labs\n"
            "language:\n- en\n- fr\n---\n\n"
            f"# Transformer translator (English → French)\n\n"
            "Trained by Deep Learning Labs' Transformer lab on the "
            f"{config.get('data', {}).get('description')}.\n\n"
            f"- Encoder-decoder Transformer, {layout.get('layers')}+{layout.get('layers')} layers, "
            f"d_model {layout.get('d_model')}, {layout.get('heads')} heads, "
            f"feed-forward {layout.get('ff_size')}, "
            f"pre-norm, sinusoidal positions; {metrics.get('parameters', 0):,} parameters\n"
            f"- Held-out sacreBLEU (greedy, {metrics.get('heldout_size')} sentences never trained on): "
            f"**{metrics.get('heldout_bleu')}**; "
            f"sentences over 10 words: {metrics.get('heldout_bleu_long')}; "
            f"exact: {metrics.get('heldout_exact_match', 0):.1%}\n"
            f"- Training: {metrics.get('steps')} steps, {metrics.get('train_seconds')} s on "
            f"{config.get('training', {}).get('device', 'cpu')}\n"
            "- The word vocabularies are in config.json (`source_vocab`, `target_vocab`)\n\n"
            f"| source | translation | reference |\n| --- | --- | --- |\n{examples}\n\n"
            f"Reproduce: `python -m core train transformer {settings}{budget}`{ended}\n"
        )

    def add_cli_commands(self, commands: argparse._SubParsersAction) -> None:
        command = commands.add_parser(
            "translate", help="translate an English sentence with the Transformer, with its attention"
        )
        command.add_argument("text", metavar="TEXT", help="an English sentence, in quotes")
        command.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
        command.add_argument("--beam", type=int, default=1, help=f"beam width, 1 (greedy) to {MAX_BEAM}")
        command.add_argument(
            "--json", action="store_true", help="print one JSON object with the tokens and attention weights"
        )
        command.set_defaults(handler=self.cli_translate)

    def cli_translate(self, args: argparse.Namespace) -> int:
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        result = translate(trained, args.text, args.beam)
        if args.json:
            print(json.dumps(result.to_dict()))
        else:
            print(result.translation)
            for note in result.notes:
                print(f"note: {note}", file=sys.stderr)
        return 0


# --- training helpers ----------------------------------------------------------------------


def learning_rate_factor(params: dict[str, Any], total_steps: int):
    """The multiplier of the peak rate at each step: linear warm-up then cosine decay to 10%,
    or constant (the course)."""
    if params["schedule"] == "constant":
        return lambda step: 1.0
    warmup = max(1, min(params["warmup_steps"], total_steps // 2))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


@torch.no_grad()
def heldout_loss(model: Translator, pairs: EncodedPairs, batch_size: int = 256) -> float:
    """Mean cross-entropy per held-out target token (no label smoothing)."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(pairs.sources), batch_size):
        source, target = pairs.tensors(list(range(start, min(start + batch_size, len(pairs.sources)))))
        tokens = int((target[:, 1:] != PAD).sum())
        total += float(sequence_loss(model, source, target)) * tokens
        count += tokens
    model.train(was_training)
    return total / max(1, count)


def sample_pairs(data: Corpus) -> list[tuple[str, str]]:
    """Held-out pairs to show while training: long ones first, where reordering shows."""
    long = data.longer_than(8)
    return (long + data.heldout)[:SAMPLE_SENTENCES]


class ScoringTimer:
    """Keeps the time spent scoring out of the training time, and notes when BLEU targets were
    first reached, in training seconds (for the benchmark's time to BLEU 80)."""

    def __init__(self, ctx: TrainContext):
        self.ctx = ctx
        self.scoring = 0.0
        self.reached_at: dict[float, float] = {}
        self._start = 0.0

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.scoring += time.perf_counter() - self._start

    def training_seconds(self) -> float:
        return max(0.0, self.ctx.elapsed() - self.scoring)

    def reached(self, bleu: float) -> None:
        for target in BLEU_TARGETS:
            if bleu >= target and target not in self.reached_at:
                self.reached_at[target] = round(self.training_seconds(), 1)
