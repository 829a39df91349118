"""Attention explorer lab: scaled dot-product attention between two typed sentences, and a tiny
attention model trained live on a toy task (copy or reverse a digit string).

The explorer needs no training: words get deterministic character n-gram vectors
(`core.word_vectors`), optionally plus sinusoidal positions, and the query sentence attends
over the key/value sentence exactly as a Transformer head does, with the knobs a student wants
to turn: the 1/sqrt(d) scaling, a temperature, causal and padding masks and the number of heads.
Beside it, a GRU reads the same key sentence into one final state: the fixed-size summary that
attention replaced (the course's Lab Work 24 comparison).

The toy model is attention and nothing else: each output position asks "which input position
do I copy?", so its weights start uniform and, as it learns, sharpen into the diagonal (copy) or
the anti-diagonal (reverse). It trains through the shared runner with live loss, accuracy,
alignment and heatmap snapshots.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.catalogue import ATTENTION as SPEC
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.labs.base import CHECKPOINT_ROOT, Lab, TrainedModel
from core.runner import TrainContext
from core.specs import SpecError
from core.tokens import tokenize
from core.word_vectors import sinusoidal_positions, word_vector

MAX_CHARS = 1000  # a sentence box, not a document: longer text is refused
MAX_WORDS = 40  # a heatmap wider than this is unreadable: longer sentences are cut, and it is said
DIMENSIONS = (16, 32, 64, 128, 256)
DEFAULT_DIM = 64
MAX_HEADS = 16
TEMPERATURE_RANGE = (0.01, 100.0)
MAX_PAD_TO = 60
PAD_TOKEN = "<pad>"
GRU_SEED = 0  # the contrast GRU's fixed random weights: the same for every student


class AttentionInputError(SpecError):  # a user error, shown as a message by every front
    """Text or a setting the explorer or the toy model cannot use; the message says why."""


# --- the explorer --------------------------------------------------------------------------


def sentence_tokens(text: Any, role: str) -> tuple[list[str], str]:
    """The words of `text` (at most MAX_WORDS) and a note when some were cut."""
    if not isinstance(text, str) or not text.strip():
        raise AttentionInputError(f"The {role} sentence is empty: type at least one word.")
    if len(text) > MAX_CHARS:
        raise AttentionInputError(
            f"The {role} sentence is {len(text):,} characters long; the explorer takes up to {MAX_CHARS:,}."
        )
    tokens = tokenize(text)
    if not tokens:
        raise AttentionInputError(
            f"The {role} sentence has no words, only spaces or marks the tokenizer drops."
        )
    if len(tokens) > MAX_WORDS:
        return tokens[
            :MAX_WORDS
        ], f"The {role} sentence has {len(tokens)} words; the first {MAX_WORDS} are used."
    return tokens, ""


def check_heads(heads: Any, dim: int) -> int:
    try:
        number = float(heads)
    except OverflowError:  # an int too large for a float: out of range, said below
        number = math.inf
    except (TypeError, ValueError):
        raise AttentionInputError(f"Heads must be a whole number, not {heads!r}.") from None
    if not math.isfinite(number) or number != int(number) or not 1 <= number <= MAX_HEADS:
        raise AttentionInputError(f"Heads must be a whole number from 1 to {MAX_HEADS}, not {heads!r}.")
    count = int(number)
    if dim % count:
        divisors = ", ".join(str(h) for h in range(1, MAX_HEADS + 1) if dim % h == 0)
        raise AttentionInputError(
            f"{count} heads do not divide the {dim} dimensions (each head takes dim / heads of them): "
            f"choose {divisors}."
        )
    return count


def check_temperature(temperature: Any) -> tuple[float, str]:
    """The temperature clamped to TEMPERATURE_RANGE, and a note when it was."""
    try:
        value = float(temperature)
    except OverflowError:  # an int too large for a float (10**400): clamped like any huge value
        value = math.inf if temperature > 0 else -math.inf
    except (TypeError, ValueError):
        raise AttentionInputError(f"The temperature must be a number, not {temperature!r}.") from None
    if math.isnan(value) or value < 0:
        raise AttentionInputError(f"The temperature must be a positive number, not {temperature!r}.")
    low, high = TEMPERATURE_RANGE
    if value < low:
        return low, (
            f"Temperature {value:g} would divide by zero (it means 'only the best key'); "
            f"{low:g} is used, which is practically that."
        )
    if value > high:
        return high, (
            f"Temperature {value:g} makes every weight equal to the eye; {high:g} is used, which already "
            "spreads attention almost uniformly."
        )
    return value, ""


def check_dim(dim: Any) -> int:
    # Text first: `dim in DIMENSIONS` on a numpy array (a Python caller's) raised ValueError.
    known = str(dim) in {str(d) for d in DIMENSIONS} or (
        isinstance(dim, int | float) and not isinstance(dim, bool) and dim in DIMENSIONS
    )
    if not known:
        raise AttentionInputError(
            f"The vector size must be one of {', '.join(map(str, DIMENSIONS))}, not {dim!r}."
        )
    return int(dim)


def check_pad_to(pad_to: Any) -> int:
    try:
        value = float(pad_to or 0)
    except OverflowError:  # an int too large for a float: out of range, said below
        value = math.inf
    except (TypeError, ValueError):
        raise AttentionInputError(f"Pad to must be a whole number of words, not {pad_to!r}.") from None
    if not math.isfinite(value) or value != int(value) or not 0 <= value <= MAX_PAD_TO:
        raise AttentionInputError(f"Pad to must be a whole number from 0 to {MAX_PAD_TO}, not {pad_to!r}.")
    return int(value)


def embed(tokens: list[str], dim: int, positions: bool) -> np.ndarray:
    """(T, dim) vectors: n-gram word vectors (zeros for <pad>) plus sinusoidal positions."""
    vectors = np.stack([np.zeros(dim) if t == PAD_TOKEN else word_vector(t, dim) for t in tokens])
    if positions:
        vectors = vectors + sinusoidal_positions(len(tokens), dim)
    return vectors


def softmax(scores: np.ndarray) -> np.ndarray:
    """Softmax over the last axis; -inf scores (masked) get weight 0."""
    top = np.max(scores, axis=-1, keepdims=True)
    exp = np.exp(scores - top)
    return exp / exp.sum(axis=-1, keepdims=True)


@functools.lru_cache(maxsize=len(DIMENSIONS))
def contrast_gru(dim: int) -> tuple[np.ndarray, ...]:
    """The weights of a GRU with fixed random weights (seed GRU_SEED): untrained, like the
    course's. Taken from torch's own GRU initialisation, run in numpy below: for one short
    sentence a few small matrix products beat torch's per-call overhead by far."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(GRU_SEED)
        gru = nn.GRU(dim, dim, batch_first=True)
    return tuple(
        getattr(gru, name).detach().double().numpy()
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def gru_final_states(inputs: np.ndarray) -> np.ndarray:
    """Final states (N, dim) of the contrast GRU over N sequences (N, T, dim), with torch's GRU
    equations: r, z = sigmoid(.), n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),
    h = (1 - z) * n + z * h."""
    w_ih, w_hh, b_ih, b_hh = contrast_gru(inputs.shape[2])
    state = np.zeros((inputs.shape[0], inputs.shape[2]))
    for step in range(inputs.shape[1]):
        x_r, x_z, x_n = np.split(inputs[:, step] @ w_ih.T + b_ih, 3, axis=1)
        h_r, h_z, h_n = np.split(state @ w_hh.T + b_hh, 3, axis=1)
        reset, update = _sigmoid(x_r + h_r), _sigmoid(x_z + h_z)
        state = (1 - update) * np.tanh(x_n + reset * h_n) + update * state
    return state


def gru_summary(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GRU's final state after reading `vectors`, and how much each word matters to it: how
    far the final state moves when that word is blanked (its vector zeroed), as shares summing
    to 1. The intact sentence and every blanked copy go through the GRU as one batch."""
    count = len(vectors)
    inputs = np.repeat(vectors[None], count + 1, axis=0)  # copy 0 stays intact
    inputs[np.arange(count) + 1, np.arange(count)] = 0.0
    finals = gru_final_states(inputs)
    shifts = np.linalg.norm(finals[1:] - finals[0], axis=1)
    return finals[0], shifts / max(shifts.sum(), 1e-12)


@dataclass
class Exploration:
    """Everything the explorer shows for one pair of sentences and one set of settings."""

    query_tokens: list[str]
    key_tokens: list[str]  # with <pad> entries when padded
    scores: np.ndarray  # (heads, Tq, Tk), before the softmax, after scaling and temperature; -inf masked
    weights: np.ndarray  # (heads, Tq, Tk), rows sum to 1
    outputs: np.ndarray  # (Tq, dim): the heads' weighted sums of values, concatenated
    gru_state: np.ndarray  # (dim,): the GRU's final state after reading the key sentence
    gru_influence: np.ndarray  # (Tk without padding,): each key word's share, by blanking it
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def mean_weights(self) -> np.ndarray:
        """The weights averaged over heads (Tq, Tk)."""
        return self.weights.mean(axis=0)

    def strongest(self, head: int | None = None) -> list[tuple[str, str, float]]:
        """(query word, the key word it attends to most, that weight), per query word."""
        weights = self.mean_weights if head is None else self.weights[head]
        best = weights.argmax(axis=1)
        return [
            (q, self.key_tokens[j], float(weights[i, j]))
            for i, (q, j) in enumerate(zip(self.query_tokens, best, strict=True))
        ]

    def to_dict(self) -> dict[str, Any]:
        finite_scores = np.where(np.isfinite(self.scores), self.scores, np.nan)
        return {
            "query_tokens": self.query_tokens,
            "key_tokens": self.key_tokens,
            "settings": self.settings,
            "weights": np.round(self.weights, 4).tolist(),
            "mean_weights": np.round(self.mean_weights, 4).tolist(),
            # masked scores are -inf, which JSON cannot hold: null
            "scores": [
                [[None if math.isnan(v) else round(v, 4) for v in row] for row in head]
                for head in finite_scores
            ],
            "outputs": np.round(self.outputs, 4).tolist(),
            "strongest": [{"query": q, "key": k, "weight": round(w, 4)} for q, k, w in self.strongest()],
            "gru_state": np.round(self.gru_state, 4).tolist(),
            "gru_influence": np.round(self.gru_influence, 4).tolist(),
            "notes": self.notes,
        }


def explore(
    query: str,
    keys: str,
    *,
    heads: Any = 1,
    temperature: Any = 1.0,
    scale: bool = True,
    causal: bool = False,
    pad_to: Any = 0,
    mask_padding: bool = True,
    positions: bool = False,
    dim: Any = DEFAULT_DIM,
) -> Exploration:
    """Scaled dot-product attention of the query sentence over the key/value sentence.

    Queries, keys and values are the words' vectors themselves (no learnt projections: nothing
    here is trained); head h reads coordinates [h*d_k, (h+1)*d_k) with d_k = dim / heads, as a
    multi-head layer splits its projected vectors. Raises AttentionInputError for empty or huge
    text and for impossible settings; clamps the temperature and says so in `notes`."""
    dim = check_dim(dim)
    heads = check_heads(heads, dim)
    temperature, temperature_note = check_temperature(temperature)
    pad_to = check_pad_to(pad_to)
    query_tokens, query_note = sentence_tokens(query, "query")
    key_tokens, key_note = sentence_tokens(keys, "key/value")
    notes = [note for note in (query_note, key_note, temperature_note) if note]
    real_keys = len(key_tokens)
    if pad_to > real_keys:
        key_tokens = key_tokens + [PAD_TOKEN] * (pad_to - real_keys)
    elif pad_to:
        notes.append(
            f"Pad to {pad_to} is not longer than the key sentence ({real_keys} words): no padding added."
        )

    q = embed(query_tokens, dim, positions)
    k = embed(key_tokens, dim, positions)
    d_k = dim // heads
    q_heads = q.reshape(len(query_tokens), heads, d_k).transpose(1, 0, 2)
    k_heads = k.reshape(len(key_tokens), heads, d_k).transpose(1, 0, 2)
    scores = q_heads @ k_heads.transpose(0, 2, 1)  # (heads, Tq, Tk)
    if scale:
        scores = scores / math.sqrt(d_k)
    scores = scores / temperature

    masked = np.zeros(scores.shape[1:], dtype=bool)
    if mask_padding:
        masked[:, real_keys:] = True
    elif len(key_tokens) > real_keys:
        notes.append(
            "Padding is not masked: the <pad> slots (zero vectors) score 0 and take weight from the real "
            "words, as in the course's code."
        )
    if causal:
        masked |= np.triu(np.ones_like(masked), k=1)
    scores = np.where(masked[None], -np.inf, scores)
    weights = softmax(scores)
    outputs = (weights @ k_heads).transpose(1, 0, 2).reshape(len(query_tokens), dim)
    gru_state, gru_influence = gru_summary(embed(key_tokens[:real_keys], dim, positions))
    settings = {
        "heads": heads,
        "head_dim": d_k,
        "temperature": temperature,
        "scale": scale,
        "causal": causal,
        "pad_to": pad_to,
        "mask_padding": mask_padding,
        "positions": positions,
        "dim": dim,
    }
    return Exploration(
        query_tokens, key_tokens, scores, weights, outputs, gru_state, gru_influence, settings, notes
    )


# --- the toy model -------------------------------------------------------------------------

SYMBOLS = "0123456789"
PAD_ID = len(SYMBOLS)  # the input padding symbol, after the ten digits
TASKS = ("reverse", "copy")
STEPS_PER_EPOCH = 100  # the data is drawn afresh every batch: an "epoch" is 100 batches
HELDOUT_SEED = 4321  # the fixed held-out sequences, the same for every model
HELDOUT_SIZE = 1000
SNAPSHOTS = 6  # attention heatmaps kept while training: the first (uniform) and the latest ones
CELL_PIXELS = 16  # a snapshot's heatmap cell, in pixels


class ToyAttention(nn.Module):
    """One attention head and nothing else: output position i asks which input position to read.

    Query of output i: a learnt code of i, through W_q; key of input j: learnt codes of its place
    counted from the start (j) and from the end (n - 1 - j), through W_k, as a bidirectional
    encoder's states know both (reverse needs the second); value: the digit's embedding, through
    W_v. Keys carry the place only, since the task is about where to read, not what: with the
    digit in the key too, a repeated digit could be read from either place and the alignment
    would blur. The query codes start at zero, so at step 0 every weight is 1/n: the model starts
    uniform and must learn the alignment."""

    def __init__(self, max_length: int, dim: int):
        super().__init__()
        self.max_length, self.dim = max_length, dim
        self.symbol = nn.Embedding(len(SYMBOLS) + 1, dim)
        self.from_start = nn.Embedding(max_length, dim)
        self.from_end = nn.Embedding(max_length, dim)
        self.query_position = nn.Embedding(max_length, dim)
        nn.init.zeros_(self.query_position.weight)
        self.w_q = nn.Linear(dim, dim, bias=False)
        self.w_k = nn.Linear(dim, dim, bias=False)
        self.w_v = nn.Linear(dim, dim, bias=False)
        self.out = nn.Linear(dim, len(SYMBOLS))

    def forward(self, digits: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """digits (B, T) padded with PAD_ID, lengths (B,) -> logits (B, T, 10), weights (B, T, T)."""
        positions = torch.arange(digits.shape[1], device=digits.device)
        from_end = (lengths[:, None] - 1 - positions[None]).clamp_min(0)  # padding: clamped, masked below
        keys = self.w_k(self.from_start(positions)[None] + self.from_end(from_end))
        values = self.w_v(self.symbol(digits))
        queries = self.w_q(self.query_position(positions))[None]
        scores = queries @ keys.transpose(1, 2) / math.sqrt(self.dim)
        padding = positions[None, None, :] >= lengths[:, None, None]
        weights = scores.masked_fill(padding, float("-inf")).softmax(dim=-1)
        return self.out(weights @ values), weights


def toy_targets(digits: torch.Tensor, lengths: torch.Tensor, task: str) -> torch.Tensor:
    """The wanted output: the digits themselves (copy) or reversed within each length; -100
    (ignored by the loss) beyond each sequence's end."""
    positions = torch.arange(digits.shape[1], device=digits.device)[None]
    valid = positions < lengths[:, None]
    if task == "copy":
        source = positions.expand_as(digits)
    else:
        source = (lengths[:, None] - 1 - positions).clamp_min(0)
    return torch.where(valid, digits.gather(1, source), torch.full_like(digits, -100))


def source_positions(lengths: torch.Tensor, width: int, task: str) -> torch.Tensor:
    positions = torch.arange(width, device=lengths.device)[None].expand(len(lengths), width)
    return positions if task == "copy" else (lengths[:, None] - 1 - positions).clamp_min(0)


def random_sequences(
    count: int, max_length: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """`count` digit strings of random lengths 2..max_length, padded with PAD_ID."""
    lengths = torch.randint(2, max_length + 1, (count,), generator=generator)
    digits = torch.randint(0, len(SYMBOLS), (count, max_length), generator=generator)
    padding = torch.arange(max_length)[None] >= lengths[:, None]
    return digits.masked_fill(padding, PAD_ID), lengths


def toy_figures(
    model: ToyAttention, digits: torch.Tensor, lengths: torch.Tensor, task: str
) -> dict[str, float]:
    """Loss, per-digit accuracy, whole-sequence accuracy and alignment (the mean weight an output
    position puts on the input position it should copy: 1/n when uniform, 1 when clean)."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits, weights = model(digits, lengths)
    model.train(was_training)
    return score_toy(logits, weights, digits, lengths, task)


def score_toy(
    logits: torch.Tensor, weights: torch.Tensor, digits: torch.Tensor, lengths: torch.Tensor, task: str
) -> dict[str, float]:
    targets = toy_targets(digits, lengths, task)
    valid = targets != -100
    loss = F.cross_entropy(logits.reshape(-1, len(SYMBOLS)), targets.reshape(-1), ignore_index=-100)
    right = (logits.argmax(-1) == targets) & valid
    source = source_positions(lengths, digits.shape[1], task)
    on_source = weights.gather(2, source[..., None])[..., 0]
    return {
        "loss": float(loss),
        "accuracy": float(right.sum() / valid.sum()),
        "sequence_accuracy": float((right | ~valid).all(dim=1).float().mean()),
        "alignment": float(on_source[valid].mean()),
    }


def heldout_sequences(max_length: int) -> tuple[torch.Tensor, torch.Tensor]:
    return random_sequences(HELDOUT_SIZE, max_length, torch.Generator().manual_seed(HELDOUT_SEED))


def heatmap_image(weights: np.ndarray) -> np.ndarray:
    """An (n, n) weight matrix as a picture, each cell CELL_PIXELS wide, white = 1."""
    return np.kron(np.asarray(weights, dtype=np.float32), np.ones((CELL_PIXELS, CELL_PIXELS), np.float32))


def example_sequence(max_length: int) -> str:
    """The fixed example whose attention the snapshots show: the digits of pi, max_length long."""
    return "31415926535897932384"[:max_length]


def parse_digits(text: Any, max_length: int) -> str:
    """The digits of `text` (spaces and commas allowed between them), checked for the toy model."""
    if not isinstance(text, str) or not text.strip():
        raise AttentionInputError("Type a string of digits, e.g. 31415.")
    if len(text) > MAX_CHARS:
        raise AttentionInputError(f"That is {len(text):,} characters; type at most {max_length} digits.")
    digits = "".join(ch for ch in text if ch not in " ,")
    wrong = sorted({ch for ch in digits if ch not in SYMBOLS})
    if wrong:
        shown = " ".join(repr(ch) for ch in wrong[:5])
        raise AttentionInputError(f"The toy model reads only the digits 0-9, not {shown}.")
    if not 2 <= len(digits) <= max_length:
        raise AttentionInputError(
            f"Type 2 to {max_length} digits (the model was trained on those lengths); got {len(digits)}."
        )
    return digits


@dataclass
class ToyResult:
    """The toy model's answer for one digit string, its attention and the right answer."""

    task: str
    digits: str
    output: str
    expected: str
    weights: np.ndarray  # (n, n): rows are output positions, columns input positions

    @property
    def correct(self) -> bool:
        return self.output == self.expected

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "input": self.digits,
            "output": self.output,
            "expected": self.expected,
            "correct": self.correct,
            "weights": np.round(self.weights, 4).tolist(),
        }


def run_toy(trained: TrainedModel, text: Any) -> ToyResult:
    """The trained toy model on a typed digit string."""
    model: ToyAttention = trained.model
    task = trained.config["task"]
    digits = parse_digits(text, model.max_length)
    ids = torch.tensor([[SYMBOLS.index(ch) for ch in digits]])
    with torch.no_grad():
        logits, weights = model.eval()(ids, torch.tensor([len(digits)]))
    output = "".join(SYMBOLS[i] for i in logits[0].argmax(-1).tolist())
    expected = digits if task == "copy" else digits[::-1]
    return ToyResult(task, digits, output, expected, weights[0].numpy())


class AttentionLab(Lab):
    spec = SPEC

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        if config["task"] not in TASKS:  # read when the model answers: refuse a bad config on load
            raise ValueError(f"task must be one of {', '.join(TASKS)}, got {config['task']!r}")
        return ToyAttention(int(config["max_length"]), int(config["dim"]))

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        task = (params or {}).get("task", SPEC.param("task").default)
        return CHECKPOINT_ROOT / f"attention-{task}"

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        task, max_length = params["task"], params["max_length"]
        model = ToyAttention(max_length, params["dim"]).to(ctx.device)
        optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"])
        total_steps = params["epochs"] * STEPS_PER_EPOCH
        heldout = tuple(t.to(ctx.device) for t in heldout_sequences(max_length))
        probe = tuple(t[:256] for t in heldout)
        example = example_sequence(max_length)
        example_ids = torch.tensor([[SYMBOLS.index(ch) for ch in example]], device=ctx.device)
        example_length = torch.tensor([max_length], device=ctx.device)
        snapshots: list[tuple[np.ndarray, str]] = []
        check_every = max(1, STEPS_PER_EPOCH // 5)
        config = {
            "lab": SPEC.id,
            "architecture": f"toy attention ({task})",
            "task": task,
            "max_length": max_length,
            "dim": params["dim"],
            "symbols": SYMBOLS,
            "data": {
                "description": f"random digit strings of length 2 to {max_length}, drawn afresh every batch",
                "kind": "generated",
            },
            "params": params,
        }

        def snapshot(step: int) -> Samples:
            with torch.no_grad():
                weights = model.eval()(example_ids, example_length)[1][0].cpu().numpy()
            model.train()
            aligned = float(np.mean([weights[i, j] for i, j in enumerate(expected_sources)]))
            snapshots.append((heatmap_image(weights), f"step {step}: alignment {aligned:.2f}"))
            if len(snapshots) > SNAPSHOTS:
                del snapshots[1]  # keep the uniform start and the latest ones
            images, captions = zip(*snapshots, strict=True)
            title = (
                f"Attention of each output position (rows) over the input {example} (columns), "
                f"task {task}: from uniform to the {'diagonal' if task == 'copy' else 'anti-diagonal'}"
            )
            return Samples(step, np.stack(images), tuple(captions), title=title)

        n = len(example)
        expected_sources = list(range(n)) if task == "copy" else list(range(n - 1, -1, -1))
        ctx.watch(model)
        yield snapshot(0)
        step = 0
        for epoch in range(params["epochs"]):
            sums = {"loss": 0.0, "accuracy": 0.0, "alignment": 0.0}
            for _ in range(STEPS_PER_EPOCH):
                digits, lengths = random_sequences(params["batch_size"], max_length, ctx.generator)
                digits, lengths = digits.to(ctx.device), lengths.to(ctx.device)
                logits, weights = model(digits, lengths)
                targets = toy_targets(digits, lengths, task)
                loss = F.cross_entropy(
                    logits.reshape(-1, len(SYMBOLS)), targets.reshape(-1), ignore_index=-100
                )
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                step += 1
                metrics = score_toy(logits.detach(), weights.detach(), digits, lengths, task)
                metrics.pop("sequence_accuracy")
                for name in sums:
                    sums[name] += metrics[name]
                if step % check_every == 0 or step == total_steps:
                    live = toy_figures(model, *probe, task)
                    metrics |= {f"heldout_{k}": v for k, v in live.items() if k in sums}
                yield Progress(step, total_steps, step / STEPS_PER_EPOCH, metrics)
                if step % check_every == 0:
                    yield snapshot(step)
                if ctx.should_stop():
                    break
            done = step - epoch * STEPS_PER_EPOCH
            epoch_metrics = {f"train_{k}": v / max(1, done) for k, v in sums.items()}
            epoch_metrics |= {f"heldout_{k}": v for k, v in toy_figures(model, *heldout, task).items()}
            yield EpochEnd(epoch + 1, step, epoch_metrics)
            if ctx.should_stop():
                break
        yield snapshot(step)
        seconds = round(ctx.elapsed(), 2)
        model.eval()
        metrics = {**self._heldout_summary(model, task), "train_seconds": seconds, "steps": step}
        config["training"] = {"device": str(ctx.device), "seconds": seconds}
        yield Trained(model.cpu().eval(), config, metrics)

    @staticmethod
    def _heldout_summary(model: ToyAttention, task: str) -> dict[str, Any]:
        figures = toy_figures(model, *heldout_sequences(model.max_length), task)
        return {
            "task": task,
            "heldout_loss": round(figures["loss"], 4),
            "heldout_accuracy": round(figures["accuracy"], 4),
            "heldout_sequence_accuracy": round(figures["sequence_accuracy"], 4),
            "heldout_alignment": round(figures["alignment"], 4),
            "heldout_size": HELDOUT_SIZE,
        }

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        return {
            "lab": SPEC.id,
            "architecture": trained.config["architecture"],
            **self._heldout_summary(trained.model, trained.config["task"]),
            "data": f"{HELDOUT_SIZE} fixed random digit strings (seed {HELDOUT_SEED})",
        }

    def headline(self, metrics: dict[str, Any]) -> str:
        if "heldout_accuracy" not in metrics:
            return ""
        return (
            f"{metrics.get('task', '?')}: held-out digits right {metrics['heldout_accuracy']:.1%}, "
            f"alignment {metrics.get('heldout_alignment', 0):.2f}"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        return (
            "---\nlibrary_name: pytorch\ntags:\n- attention\n- toy-task\n- deep-learning-labs\n---\n\n"
            f"# Toy attention model: {config.get('task')}\n\n"
            "One scaled dot-product attention head that learns, for each output position, which input "
            f"position to {config.get('task')}. Trained by Deep Learning Labs' attention lab on "
            f"{config.get('data', {}).get('description')}.\n\n"
            f"Held-out ({metrics.get('heldout_size')} fixed random strings, seed {HELDOUT_SEED}): "
            f"digits right {metrics.get('heldout_accuracy', 0):.2%}, whole strings right "
            f"{metrics.get('heldout_sequence_accuracy', 0):.2%}, alignment (mean weight on the right input "
            f"position) {metrics.get('heldout_alignment', 0):.3f}.\n\n"
            f"Reproduce: `python -m core train attention {settings}`\n"
        )

    def add_cli_commands(self, commands: argparse._SubParsersAction) -> None:
        command = commands.add_parser(
            "attention", help="scaled dot-product attention of one sentence over another (the explorer)"
        )
        command.add_argument("query", metavar="QUERY", help="the sentence whose words ask")
        command.add_argument("keys", metavar="KEYS", help="the sentence whose words answer (keys and values)")
        command.add_argument(
            "--heads", default="1", help=f"heads, 1 to {MAX_HEADS}, dividing --dim (default 1)"
        )
        command.add_argument("--temperature", default="1", help="softmax temperature (default 1)")
        command.add_argument("--causal", action="store_true", help="query word i sees key words 0..i only")
        command.add_argument("--no-scale", action="store_true", help="do not divide the scores by sqrt(d_k)")
        command.add_argument(
            "--positions", action="store_true", help="add sinusoidal positions to the vectors"
        )
        command.add_argument("--pad-to", default="0", help="pad the key sentence with <pad> to this length")
        command.add_argument("--no-padding-mask", action="store_true", help="let <pad> slots take weight")
        command.add_argument(
            "--dim", default=str(DEFAULT_DIM), help=f"vector size: {', '.join(map(str, DIMENSIONS))}"
        )
        command.add_argument("--json", action="store_true", help="print the result as one JSON object")
        command.set_defaults(handler=self.cli_attention)

        toy = commands.add_parser("attention-toy", help="run the toy copy/reverse attention model on digits")
        toy.add_argument("digits", metavar="DIGITS", help="e.g. 31415")
        toy.add_argument("--task", choices=TASKS, default=SPEC.param("task").default)
        toy.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model for --task)")
        toy.add_argument("--json", action="store_true")
        toy.set_defaults(handler=self.cli_toy)

    def cli_attention(self, args: argparse.Namespace) -> int:
        try:
            result = explore(
                args.query,
                args.keys,
                heads=args.heads,
                temperature=args.temperature,
                scale=not args.no_scale,
                causal=args.causal,
                pad_to=args.pad_to,
                mask_padding=not args.no_padding_mask,
                positions=args.positions,
                dim=args.dim,
            )
        except AttentionInputError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)
        if args.json:
            print(json.dumps(result.to_dict()))
            return 0
        width = max(len(t) for t in result.key_tokens)
        print(" " * 12 + " ".join(f"{t:>{width}}" for t in result.key_tokens))
        for token, row in zip(result.query_tokens, result.mean_weights, strict=True):
            print(f"{token[:11]:>11} " + " ".join(f"{w:>{width}.2f}" for w in row))
        return 0

    def cli_toy(self, args: argparse.Namespace) -> int:
        trained = self.load(args.checkpoint) if args.checkpoint else self.load_bundled({"task": args.task})
        try:
            result = run_toy(trained, args.digits)
        except AttentionInputError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(result.to_dict()))
        else:
            verdict = "right" if result.correct else f"wrong, expected {result.expected}"
            print(f"{result.task} {result.digits} -> {result.output} ({verdict})")
        return 0
