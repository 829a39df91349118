"""The attention explorer: scaled dot-product attention between two typed sentences, with no
model to train.

Words get deterministic character n-gram vectors (`core.word_vectors`), optionally plus
sinusoidal positions, and the query sentence attends over the key/value sentence exactly as a
Transformer head does, with the knobs a student wants to turn: the 1/sqrt(d) scaling, a
temperature, causal and padding masks and the number of heads. Beside it, a GRU reads the same
key sentence into one final state: the fixed-size summary that attention replaced (the course's
Lab Work 24 comparison).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from core.specs import SpecError, read_number, read_temperature
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
    number = read_number(heads, AttentionInputError, "Heads must be a whole number, not {!r}.")
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
    value = read_temperature(
        temperature,
        AttentionInputError,
        "The temperature must be a number, not {!r}.",
        "The temperature must be a positive number, not {!r}.",
    )
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
    value = read_number(pad_to or 0, AttentionInputError, "Pad to must be a whole number of words, not {!r}.")
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
            "Padding is not masked: the `<pad>` slots (zero vectors) score 0 and take weight from the "
            "real words, as in the course's code."
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
