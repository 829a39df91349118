"""The attention lab's toy model: one attention head and nothing else, which must learn, for each
output position, which input position of a digit string to read (copy: the diagonal; reverse:
the anti-diagonal). Its weights start uniform and sharpen into that alignment as it learns."""

from __future__ import annotations

import math

import torch
from torch import nn

SYMBOLS = "0123456789"
PAD_ID = len(SYMBOLS)  # the input padding symbol, after the ten digits


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
