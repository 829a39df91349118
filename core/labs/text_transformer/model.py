"""A small Transformer encoder that classifies a review, in one file to read top to bottom.

A [CLS] token is put in front of the review's tokens; token and position embeddings are added;
a stack of blocks (pre-norm, as in nanoGPT: x + attention(norm(x)), then x + MLP(norm(x)))
lets every token gather from every other; the classifier reads the final [CLS] vector (or the
mean of the review's tokens, with pooling "mean") and gives two logits, other and great.

Attention is written out (no nn.MultiheadAttention) so that its weights can be shown: each
head's softmax(QK^T / sqrt(d)) over the real tokens, [PAD] masked out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from core.standalone.review_words import CLASSES, PAD


@dataclass
class EncoderConfig:
    vocab_size: int
    positions: int  # the longest review read, plus one for [CLS]
    d_model: int = 64
    heads: int = 4
    layers: int = 2
    dropout: float = 0.1
    pooling: str = "cls"  # "cls": the [CLS] vector; "mean": the mean over the review's tokens


class SelfAttention(nn.Module):
    """Multi-head self-attention over one review, padding masked."""

    def __init__(self, config: EncoderConfig):
        super().__init__()
        self.heads = config.heads
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model)  # queries, keys, values at once
        self.out = nn.Linear(config.d_model, config.d_model)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, padding: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (N, T, D) and padding (N, T), True at [PAD] -> (N, T, D) and the weights (N, H, T, T)."""
        n, t, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=2)
        # (N, T, D) -> (N, H, T, D/H): each head attends in its own subspace.
        q, k, v = (part.view(n, t, self.heads, d // self.heads).transpose(1, 2) for part in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        scores = scores.masked_fill(padding[:, None, None, :], float("-inf"))  # no one reads [PAD]
        weights = F.softmax(scores, dim=-1)
        mixed = (self.dropout(weights) @ v).transpose(1, 2).reshape(n, t, d)  # heads side by side
        return self.out(mixed), weights


class Block(nn.Module):
    def __init__(self, config: EncoderConfig):
        super().__init__()
        self.norm1 = nn.LayerNorm(config.d_model)
        self.attention = SelfAttention(config)
        self.norm2 = nn.LayerNorm(config.d_model)
        self.mlp = nn.Sequential(
            nn.Linear(config.d_model, 4 * config.d_model),
            nn.GELU(),
            nn.Linear(4 * config.d_model, config.d_model),
            nn.Dropout(config.dropout),
        )
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, padding: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        attended, weights = self.attention(self.norm1(x), padding)
        x = x + self.dropout(attended)
        return x + self.mlp(self.norm2(x)), weights


class ReviewEncoder(nn.Module):
    def __init__(self, config: EncoderConfig):
        super().__init__()
        if config.d_model % config.heads:
            raise ValueError(f"the width {config.d_model} is not divisible by {config.heads} heads")
        if config.pooling not in ("cls", "mean"):
            raise ValueError(f"unknown pooling {config.pooling!r}")
        self.config = config
        self.tokens = nn.Embedding(config.vocab_size, config.d_model, padding_idx=PAD)
        self.positions = nn.Embedding(config.positions, config.d_model)
        self.dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.layers))
        self.norm = nn.LayerNorm(config.d_model)
        self.head = nn.Linear(config.d_model, len(CLASSES))

    def forward(self, ids: torch.Tensor, attentions: bool = False) -> Any:
        """Token ids (N, T), [CLS] first, [PAD] after the end -> logits (N, 2); with
        `attentions`, also every layer's weights (layers, N, heads, T, T)."""
        padding = ids == PAD
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.dropout(self.tokens(ids) + self.positions(positions))
        kept = []
        for block in self.blocks:
            x, weights = block(x, padding)
            kept.append(weights)
        x = self.norm(x)
        if self.config.pooling == "cls":
            pooled = x[:, 0]
        else:  # the mean over the review's own tokens, [CLS] and [PAD] left out
            real = (~padding).float()
            real[:, 0] = 0
            pooled = (x * real[..., None]).sum(1) / real.sum(1, keepdim=True).clamp(min=1)
        logits = self.head(pooled)
        return (logits, torch.stack(kept)) if attentions else logits


def build_encoder(config: dict[str, Any]) -> ReviewEncoder:
    return ReviewEncoder(
        EncoderConfig(
            vocab_size=int(config["vocab_size"]),
            positions=int(config["max_tokens"]) + 1,
            d_model=int(config["d_model"]),
            heads=int(config["heads"]),
            layers=int(config["layers"]),
            dropout=float(config.get("dropout", 0.0)),
            pooling=str(config.get("pooling", "cls")),
        )
    )
