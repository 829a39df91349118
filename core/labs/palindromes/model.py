"""The palindromes lab's models, in one file to read top to bottom.

For each palindrome length T the lab trains a pair: a vanilla RNN and an LSTM, both written from
their equations (core.recurrent), each reading the first T-1 digits one-hot, one per step, and
naming the last digit from its last hidden state. All the pairs of a training are one module,
`PalindromeModels`, so they make one checkpoint.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from core.recurrent import build_recurrent

DIGITS = 10
CELLS = ("lstm", "rnn")
CELL_NAMES = {"lstm": "LSTM", "rnn": "Vanilla RNN"}


class DigitReader(nn.Module):
    """A recurrence over one-hot digits, then a linear layer from its last hidden state to ten
    logits."""

    def __init__(self, cell: str, hidden_size: int, rnn_init: str = "pytorch"):
        super().__init__()
        self.recurrent = build_recurrent(cell, DIGITS, hidden_size, rnn_init)
        self.head = nn.Linear(hidden_size, DIGITS)

    def forward(self, prefixes: torch.Tensor, record: bool = False):
        """Logits (B, 10) for digit prefixes (B, L); with `record`, also the recording."""
        inputs = F.one_hot(prefixes, DIGITS).float().transpose(0, 1)  # time first
        states, recording = self.recurrent(inputs, record=record)
        logits = self.head(states[-1])
        return (logits, recording) if record else logits


def length_key(length: int) -> str:
    return f"T{length:02d}"


class PalindromeModels(nn.Module):
    """An LSTM and an RNN for each trained length, as one module (one checkpoint)."""

    def __init__(self, lengths: list[int], hidden_size: int, rnn_init: str = "pytorch"):
        super().__init__()
        self.hidden_size = hidden_size
        self.pairs = nn.ModuleDict(
            {
                length_key(length): nn.ModuleDict(
                    {cell: DigitReader(cell, hidden_size, rnn_init) for cell in CELLS}
                )
                for length in sorted(lengths)
            }
        )

    @property
    def lengths(self) -> list[int]:
        return [int(key[1:]) for key in self.pairs]

    def pair(self, length: int) -> nn.ModuleDict:
        return self.pairs[length_key(length)]

    def keep(self, lengths: list[int]) -> PalindromeModels:
        """A model holding only these lengths' pairs (the same modules, not copies)."""
        kept = PalindromeModels([], self.hidden_size)
        for length in lengths:
            kept.pairs[length_key(length)] = self.pair(length)
        return kept
