"""The Transformer lab's model: an encoder-decoder Transformer over word ids, written out
(attention, layers, positions) rather than taken from nn.Transformer, whose layers do not return
their attention weights: here every attention module can hand back its weights, so a translation
comes with the encoder's self-attention and the decoder's cross-attention for each layer and
head. Greedy and beam search come from `core.decoding` (core.standalone.decoding: an export ships
it, with the tokenizer, beside this file).
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from core.standalone.decoding import beam_search, greedy_search, pad_rows
from core.standalone.tokens import PAD, Vocab, encode_source

MAX_POSITIONS = 256  # longest sequence the sinusoidal table covers


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
        last: bool = False,
    ) -> torch.Tensor:
        """Next-token logits (B, T, V) for target prefixes `target_in` (B, T) starting with SOS
        (with `last`, only the last position's, (B, 1, V): what decoding needs, and the output
        layer over a real vocabulary is the costliest part); `record` receives each layer's
        cross-attention weights."""
        length = target_in.shape[1]
        causal = torch.ones(length, length, dtype=torch.bool, device=target_in.device).tril()
        # A padded target position still attends to the earlier real ones, so no row is empty;
        # its loss is ignored.
        diagonal = torch.eye(length, dtype=torch.bool, device=target_in.device)
        causal = (causal[None] & (target_in != PAD)[:, None, :]) | diagonal[None]
        y = self._embed(self.target_embedding, target_in)
        for layer in self.decoder:
            y = layer(y, memory, causal, source_allowed, record)
        return self.output(self.decoder_norm(y[:, -1:] if last else y))

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
        logits = model.decode(prefixes, memory[rows], allowed[rows], last=True)[:, -1]
        return logits.log_softmax(-1)

    limit = max_output_length(source.shape[1])
    if beam <= 1:
        outputs = greedy_search(next_log_probs, len(sources), limit)
    else:
        outputs = [best[0].tokens for best in beam_search(next_log_probs, beam, limit, batch=len(sources))]
    model.train(was_training)
    return outputs


def translate_texts(model: Translator, texts: list[str], beam: int = 1) -> list[str]:
    """Detokenised translations of `texts`, names in their usual case (for BLEU: one batch, no
    attention kept)."""
    sources = [encode_source(model.source_vocab, text) for text in texts]
    return [
        model.target_vocab.sentence(model.target_vocab.decode(ids))
        for ids in translate_ids(model, sources, beam)
    ]
