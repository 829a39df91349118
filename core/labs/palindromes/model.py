"""The palindromes lab's models, in one file to read top to bottom.

For each palindrome length T the lab trains a pair: a vanilla RNN and an LSTM, both written from
their equations (core.standalone.recurrent), each reading the first T-1 digits one-hot, one per step, and
naming the last digit from its last hidden state. All the pairs of a training are one module,
`PalindromeModels`, so they make one checkpoint; a training over several seeds keeps each further
seed's pairs in it too (`other_seeds`), so every seed can be re-measured from the weights.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from core.standalone.recurrent import build_recurrent

DIGITS = 10
CELLS = ("lstm", "rnn")
CELL_NAMES = {"lstm": "LSTM", "rnn": "Vanilla RNN"}


class DigitReader(nn.Module):
    """A recurrence over one-hot digits, then a linear layer from its last hidden state to ten
    logits."""

    def __init__(self, cell: str, hidden_size: int, rnn_init: str = "pytorch", forget_bias: float = 1.0):
        super().__init__()
        self.recurrent = build_recurrent(cell, DIGITS, hidden_size, rnn_init, forget_bias)
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
    """An LSTM and an RNN for each trained length, as one module (one checkpoint). With several
    seeds, `pairs` are the first seed's (the ones a student questions) and `other_seeds` holds
    the others' (empty for one seed, so a one-seed checkpoint has only `pairs.*` weights)."""

    def __init__(
        self,
        lengths: list[int],
        hidden_size: int,
        rnn_init: str = "pytorch",
        seeds: int = 1,
        forget_bias: float = 1.0,
    ):
        super().__init__()
        self.hidden_size = hidden_size
        self.pairs = nn.ModuleDict(
            {
                length_key(length): nn.ModuleDict(
                    {cell: DigitReader(cell, hidden_size, rnn_init, forget_bias) for cell in CELLS}
                )
                for length in sorted(lengths)
            }
        )
        self.other_seeds = nn.ModuleList(
            PalindromeModels(lengths, hidden_size, rnn_init, forget_bias=forget_bias)
            for _ in range(seeds - 1)
        )

    @property
    def lengths(self) -> list[int]:
        return [int(key[1:]) for key in self.pairs]

    def pair(self, length: int) -> nn.ModuleDict:
        return self.pairs[length_key(length)]

    def seed_runs(self) -> list[PalindromeModels]:
        """Each seed's models, the first seed's (this module's own pairs) first."""
        return [self, *self.other_seeds]

    def keep(self, lengths: list[int], seeds: int = 1) -> PalindromeModels:
        """A model holding only these lengths' pairs of the first `seeds` seeds (the same
        modules, not copies)."""
        kept = PalindromeModels([], self.hidden_size)
        for length in lengths:
            kept.pairs[length_key(length)] = self.pair(length)
        kept.other_seeds.extend(run.keep(lengths) for run in self.other_seeds[: seeds - 1])
        return kept


def join_seeds(runs: list[PalindromeModels]) -> PalindromeModels:
    """One module holding several seeds' models (built apart, each under its own seed)."""
    first, *others = runs
    first.other_seeds.extend(others)
    return first
