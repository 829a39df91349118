"""Seq2seq lab: a GRU or LSTM encoder-decoder translating English to French, trained twice side
by side, with and without attention, on the same batches for the same number of steps.

Both models share the shape the course used (Lab Work 16): an embedding and a recurrent encoder,
and a decoder that starts from the encoder's final state and emits one word per step. The plain
decoder sees nothing else of the source: the whole sentence must squeeze through that one
state. The attention decoder, at every step, scores each encoder state against its own previous
state (additive, Bahdanau et al. 2015, or scaled dot product), reads their weighted mean (the
context) with the previous word, and predicts from its new state and the context; the weights
are the alignment the lab draws.

What the course got wrong and this lab does right: unknown words become <unk>, never padding
(`core.tokens`); padded source positions are masked out of attention and packed out of the
encoder, so the final state is the last real word's; BLEU is sacreBLEU on held-out sentences
the models never saw (`core.corpus`, `core.bleu`), overall and on sentences longer than 8 words,
where the single-state bottleneck shows.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from core.bleu import evaluate_translator
from core.catalogue import SEQ2SEQ as SPEC
from core.corpus import Corpus, load_corpus
from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import CHECKPOINT_ROOT, Lab, TrainedModel
from core.runner import TrainContext
from core.sentence_pairs import (
    MAX_SOURCE_TOKENS,
    EncodedPairs,
    check_text,
    encode_source,
    pad_rows,
)
from core.tokens import EOS, PAD, SOS, TextInputError, Vocab, detokenize, tokenize

MODELS = ("attention", "plain")  # the two models of a checkpoint, in this order
MODEL_LABELS = {"attention": "with attention", "plain": "without attention"}
LONG_WORDS = 8  # the "long sentence": more than 8 words
HELDOUT_CHECKS_PER_EPOCH = 4
PROBE_SIZE = 150  # held-out pairs translated at each live check; epoch ends use them all
CLIP_NORM = 1.0  # the course's gradient clipping
BUNDLED_FOLDER = "seq2seq-gru-additive"  # both models of the default recipe


# --- the models ----------------------------------------------------------------------------


def recurrent(cell: str, input_size: int, hidden: int) -> nn.Module:
    if cell == "gru":
        return nn.GRU(input_size, hidden, batch_first=True)
    if cell == "lstm":
        return nn.LSTM(input_size, hidden, batch_first=True)
    raise ValueError(f"unknown cell {cell!r}")


class Attention(nn.Module):
    """Scores of decoder states against every encoder state, softmaxed over the real words.

    additive: v^T tanh(W_s s_t + W_h h_i) (Bahdanau); dot: s_t . h_i / sqrt(H) (Luong, scaled)."""

    def __init__(self, kind: str, hidden: int):
        super().__init__()
        self.kind = kind
        if kind == "additive":
            self.w_state = nn.Linear(hidden, hidden, bias=False)
            self.w_encoder = nn.Linear(hidden, hidden)
            self.v = nn.Linear(hidden, 1, bias=False)
        elif kind != "dot":
            raise ValueError(f"unknown attention {kind!r}")

    def precompute(self, encoded: torch.Tensor) -> torch.Tensor | None:
        """W_h h_i, the same at every decoder step: computed once per sentence."""
        return self.w_encoder(encoded) if self.kind == "additive" else None

    def forward(
        self, states: torch.Tensor, encoded: torch.Tensor, keys: torch.Tensor | None, mask: torch.Tensor
    ) -> torch.Tensor:
        """states (B, T, H), encoded (B, S, H), keys from `precompute`, mask (B, S) True on real
        words -> weights (B, T, S), each row summing to 1 over the real words."""
        if self.kind == "additive":
            scores = self.v(torch.tanh(self.w_state(states)[:, :, None] + keys[:, None]))[..., 0]
        else:
            scores = states @ encoded.transpose(1, 2) / math.sqrt(states.shape[-1])
        return scores.masked_fill(~mask[:, None], float("-inf")).softmax(dim=-1)


class Seq2seq(nn.Module):
    """Encoder-decoder; `attention` is "none" (the plain model), "additive" or "dot".

    The decoder RNN reads the previous word; with attention, its new state s_t then looks at the
    encoder states and the output layer reads [s_t; context] (Luong et al., 2015). Since the
    attention comes after the RNN, a fully teacher-forced batch runs the RNN over the whole
    target at once, which on a CPU is several times faster than a Python loop of single steps."""

    def __init__(
        self, source_size: int, target_size: int, cell: str, embedding: int, hidden: int, attention: str
    ):
        super().__init__()
        self.cell, self.attention_kind = cell, attention
        self.source_embedding = nn.Embedding(source_size, embedding, padding_idx=PAD)
        self.encoder = recurrent(cell, embedding, hidden)
        self.target_embedding = nn.Embedding(target_size, embedding, padding_idx=PAD)
        self.decoder = recurrent(cell, embedding, hidden)
        self.attention = Attention(attention, hidden) if attention != "none" else None
        self.out = nn.Linear(hidden * (1 if self.attention is None else 2), target_size)

    def encode(self, source: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, Any]:
        """source (B, S) padded with PAD, lengths (B,) -> encoder states (B, S, H) (zeros on
        padding) and the final state after each sentence's last real word."""
        packed = pack_padded_sequence(
            self.source_embedding(source), lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        encoded, state = self.encoder(packed)
        encoded, _ = pad_packed_sequence(encoded, batch_first=True, total_length=source.shape[1])
        return encoded, state

    def readout(
        self, states: torch.Tensor, encoded: torch.Tensor, keys: Any, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Decoder states (B, T, H) -> logits (B, T, V) and, with attention, weights (B, T, S)."""
        if self.attention is None:
            return self.out(states), None
        weights = self.attention(states, encoded, keys, mask)
        return self.out(torch.cat([states, weights @ encoded], dim=-1)), weights

    def forward(
        self, source: torch.Tensor, lengths: torch.Tensor, target: torch.Tensor, forced: list[bool]
    ) -> torch.Tensor:
        """Logits (B, T-1, V) for target[:, 1:]; `forced[t]` says whether step t+1 is fed the true
        previous word (teacher forcing) or the model's own last guess."""
        encoded, state = self.encode(source, lengths)
        keys = self.attention.precompute(encoded) if self.attention is not None else None
        mask = source != PAD
        if all(forced):  # every input is known in advance: one call over the whole target
            states, _ = self.decoder(self.target_embedding(target[:, :-1]), state)
            return self.readout(states, encoded, keys, mask)[0]
        word = target[:, 0]
        logits = []
        for t in range(1, target.shape[1]):
            output, state = self.decoder(self.target_embedding(word)[:, None], state)
            step_logits = self.readout(output, encoded, keys, mask)[0][:, 0]
            logits.append(step_logits)
            word = target[:, t] if forced[t - 1] else step_logits.argmax(-1)
        return torch.stack(logits, dim=1)

    @torch.no_grad()
    def greedy(
        self, source: torch.Tensor, lengths: torch.Tensor, max_len: int
    ) -> tuple[list[list[int]], np.ndarray | None]:
        """Greedy translations (ids up to EOS) and, with attention, the weights (B, T, S)."""
        encoded, state = self.encode(source, lengths)
        keys = self.attention.precompute(encoded) if self.attention is not None else None
        mask = source != PAD
        word = torch.full((len(source),), SOS, dtype=torch.long)
        words, weights = [], []
        done = torch.zeros(len(source), dtype=torch.bool)
        for _ in range(max_len):
            output, state = self.decoder(self.target_embedding(word)[:, None], state)
            logits, step_weights = self.readout(output, encoded, keys, mask)
            word = logits[:, 0].argmax(-1)
            words.append(word)
            if step_weights is not None:
                weights.append(step_weights[:, 0])
            done |= word == EOS
            if done.all():
                break
        ids = torch.stack(words, dim=1).tolist()
        rows = [row[: row.index(EOS)] if EOS in row else row for row in ids]
        return rows, (torch.stack(weights, dim=1).numpy() if weights else None)


class Seq2seqPair(nn.Module):
    """The two models of one training, saved together: tensors "attention.*" and "plain.*"."""

    def __init__(self, config: dict[str, Any]):
        super().__init__()
        sizes = (len(config["source_vocab"]["words"]), len(config["target_vocab"]["words"]))
        shape = (config["cell"], config["embedding"], config["hidden"])
        self.attention = Seq2seq(*sizes, *shape, attention=config["attention"])
        self.plain = Seq2seq(*sizes, *shape, attention="none")

    def model(self, name: str) -> Seq2seq:
        return self.attention if name == "attention" else self.plain


# --- data ----------------------------------------------------------------------------------


def max_output_length(source_length: int) -> int:
    return min(2 * source_length + 5, 60)


def vocabularies(config: dict[str, Any]) -> tuple[Vocab, Vocab]:
    return Vocab.from_dict(config["source_vocab"]), Vocab.from_dict(config["target_vocab"])


def translate_texts(model: Seq2seq, source_vocab: Vocab, target_vocab: Vocab, texts: list[str]) -> list[str]:
    """Greedy translations of several sentences at once, detokenised."""
    was_training = model.training
    model.eval()
    source, lengths = pad_rows([encode_source(source_vocab, text) for text in texts])
    ids, _ = model.greedy(source, lengths, max_output_length(source.shape[1]))
    model.train(was_training)
    return [detokenize(target_vocab.decode(row)) for row in ids]


def bleu_figures(pair: Seq2seqPair, config: dict[str, Any], corpus: Corpus, probe: int | None = None) -> dict:
    """Held-out sacreBLEU of both models, overall and on sentences longer than LONG_WORDS words;
    with `probe`, only overall, on the first `probe` pairs (the live points)."""
    source_vocab, target_vocab = vocabularies(config)
    sets = (
        {"": corpus.heldout[:probe]}
        if probe
        else {"": corpus.heldout, "_long": corpus.longer_than(LONG_WORDS)}
    )
    figures: dict[str, Any] = {}
    for name in MODELS:
        model = pair.model(name)

        def batch(texts: list[str], model: Seq2seq = model) -> list[str]:
            return translate_texts(model, source_vocab, target_vocab, texts)

        for suffix, pairs in sets.items():
            if pairs:
                report = evaluate_translator(batch, pairs)
                figures[f"bleu{suffix}_{name}"] = report.bleu
                figures[f"exact{suffix}_{name}"] = report.exact
    return figures


# --- interactions --------------------------------------------------------------------------


@dataclass
class Seq2seqTranslation:
    """Both models' translations of one sentence, and the attention model's alignment."""

    source: str
    source_tokens: list[str]  # as the model read them: unknown words shown as <unk>, then <eos>
    unknown: list[str]
    attention: str
    plain: str
    target_tokens: list[str]  # the attention model's output words, then <eos> when it ended
    alignment: np.ndarray  # (len(target_tokens), len(source_tokens)): rows sum to 1
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "source_tokens": self.source_tokens,
            "unknown_words": self.unknown,
            "attention": self.attention,
            "plain": self.plain,
            "target_tokens": self.target_tokens,
            "alignment": np.round(self.alignment, 4).tolist(),
            "notes": self.notes,
        }


def translate(trained: TrainedModel, text: Any) -> Seq2seqTranslation:
    """Both models' greedy translations of `text` and the attention model's alignment. Raises
    TextInputError for empty or huge text and for text without one known word."""
    text = check_text(text)
    source_vocab, target_vocab = vocabularies(trained.config)
    tokens = tokenize(text)
    unknown = source_vocab.unknown_words(text)
    words = [token for token in tokens if any(ch.isalnum() for ch in token)]
    if not words:
        raise TextInputError("The text has no words to translate, only punctuation or symbols.")
    if all(word in unknown for word in words):
        examples = ", ".join([w for w in source_vocab.words[4:] if w.isalpha()][:8])
        raise TextInputError(
            f"None of these words is in the model's English vocabulary ({', '.join(unknown[:5])}); "
            f"it knows {len(source_vocab) - 4} words, e.g. {examples}."
        )
    notes = []
    if len(tokens) > MAX_SOURCE_TOKENS - 1:
        notes.append(
            f"The sentence has {len(tokens)} words and marks; the first {MAX_SOURCE_TOKENS - 1} are read."
        )
    if unknown:
        notes.append(f"Not in the model's vocabulary, read as <unk>: {', '.join(unknown)}.")
    source_ids = encode_source(source_vocab, text)
    source, lengths = pad_rows([source_ids])
    pair: Seq2seqPair = trained.model
    pair.eval()
    max_len = max_output_length(len(source_ids))
    attention_ids, weights = pair.attention.greedy(source, lengths, max_len)
    plain_ids, _ = pair.plain.greedy(source, lengths, max_len)
    words = target_vocab.decode(attention_ids[0])
    ended = len(attention_ids[0]) < weights.shape[1]  # it emitted EOS within max_len
    shown = source_vocab.decode(source_ids[:-1])  # keeps <unk> visible
    return Seq2seqTranslation(
        source=text,
        source_tokens=[*shown, "<eos>"],
        unknown=unknown,
        attention=detokenize(words),
        plain=detokenize(target_vocab.decode(plain_ids[0])),
        target_tokens=[*words, *(["<eos>"] if ended else [])],
        alignment=weights[0, : len(words) + (1 if ended else 0)],
        notes=notes,
    )


# --- the lab -------------------------------------------------------------------------------


def heldout_corpus(config: dict[str, Any], data_dir: str | None = None) -> Corpus:
    params = config["params"]
    return load_corpus(params["corpus"], size=params["corpus_size"], data_dir=data_dir, seed=params["seed"])


class Seq2seqLab(Lab):
    spec = SPEC
    divergence_factor = 20.0  # a translation loss starts near log(vocab); 20x that is a blow-up

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return Seq2seqPair(config)

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        return CHECKPOINT_ROOT / BUNDLED_FOLDER

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        corpus = load_corpus(
            params["corpus"], size=params["corpus_size"], data_dir=ctx.data_dir, seed=params["seed"]
        )
        source_vocab = Vocab.build(s for s, _ in corpus.train)
        target_vocab = Vocab.build(t for _, t in corpus.train)
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
            name: torch.optim.Adam(pair.model(name).parameters(), lr=params["learning_rate"])
            for name in MODELS
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
        pair.eval()
        metrics = {
            **self._summary(pair, config, corpus, final_figures),
            "steps_each": step,
            "train_seconds": train_seconds,
            "train_seconds_attention": round(seconds["attention"], 2),
            "train_seconds_plain": round(seconds["plain"], 2),
        }
        config["training"] = {"device": str(ctx.device), "seconds": train_seconds}
        yield Trained(pair.cpu().eval(), config, metrics)

    @staticmethod
    def _summary(
        pair: Seq2seqPair, config: dict[str, Any], corpus: Corpus, figures: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        figures = figures or bleu_figures(pair, config, corpus)
        return {
            **{f"heldout_{k}": round(v, 4 if k.startswith("exact") else 2) for k, v in figures.items()},
            "heldout_size": len(corpus.heldout),
            "heldout_long_size": len(corpus.longer_than(LONG_WORDS)),
            "long_means": f"more than {LONG_WORDS} words",
            "dataset": corpus.description,
        }

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        corpus = heldout_corpus(trained.config, data_dir)
        return {
            "lab": SPEC.id,
            "architecture": trained.config["architecture"],
            **self._summary(trained.model, trained.config, corpus),
        }

    def headline(self, metrics: dict[str, Any]) -> str:
        if "heldout_bleu_attention" not in metrics:
            return ""
        text = (
            f"held-out BLEU {metrics['heldout_bleu_attention']:.1f} with attention, "
            f"{metrics['heldout_bleu_plain']:.1f} without"
        )
        if "heldout_bleu_long_attention" in metrics:
            text += (
                f" (>{LONG_WORDS} words: {metrics['heldout_bleu_long_attention']:.1f} vs "
                f"{metrics['heldout_bleu_long_plain']:.1f})"
            )
        return text

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        figures = [
            [metrics.get(f"heldout_{kind}_{name}", 0) for kind in ("bleu", "bleu_long", "exact")]
            for name in MODELS
        ]
        rows = "\n".join(
            f"| {MODEL_LABELS[name]} | {bleu:.2f} | {bleu_long:.2f} | {exact:.1%} |"
            for name, (bleu, bleu_long, exact) in zip(MODELS, figures, strict=True)
        )
        return (
            "---\nlibrary_name: pytorch\ntags:\n- translation\n- seq2seq\n- attention\n- deep-learning-labs\n"
            "---\n\n"
            f"# Seq2seq English→French: {config.get('architecture')}\n\n"
            "Two encoder-decoders trained in alternation on the same batches for the same number of steps "
            f"({metrics.get('steps_each')} each) by Deep Learning Labs' seq2seq lab, on "
            f"{config.get('data', {}).get('description')}. Tensors `attention.*` are the model with "
            f"{config.get('attention')} attention, `plain.*` the one without.\n\n"
            f"Held-out sacreBLEU (greedy; {metrics.get('heldout_size')} sentences never trained on, "
            f"{metrics.get('heldout_long_size')} of them longer than {LONG_WORDS} words):\n\n"
            "| model | BLEU | BLEU, > 8 words | exact |\n| --- | --- | --- | --- |\n"
            f"{rows}\n\n"
            f"Reproduce: `python -m core train seq2seq {settings}`\n"
        )

    def add_cli_commands(self, commands: argparse._SubParsersAction) -> None:
        command = commands.add_parser(
            "seq2seq-translate",
            help="translate English to French with both seq2seq models (with/without attention)",
        )
        command.add_argument("text", metavar="TEXT", help="an English sentence")
        command.add_argument("--checkpoint", help="checkpoint folder (default: the bundled models)")
        command.add_argument("--json", action="store_true", help="print the result as one JSON object")
        command.set_defaults(handler=self.cli_translate)

    def cli_translate(self, args: argparse.Namespace) -> int:
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        try:
            result = translate(trained, args.text)
        except TextInputError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)
        if args.json:
            print(json.dumps(result.to_dict(), ensure_ascii=False))
        else:
            print(f"with attention:    {result.attention}\nwithout attention: {result.plain}")
        return 0
