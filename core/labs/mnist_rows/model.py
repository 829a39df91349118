"""The MNIST row-by-row lab's readers, in one file to read top to bottom.

Five readers share one shape: a recurrent layer (RNN, LSTM or GRU, one or two directions) reads
the rows top to bottom, its final hidden state (both directions' for a bidirectional reader) goes
through an optional normalisation layer and an optional extra fully connected layer, then to ten
logits. The readers trained together live in one `RowReaders` module dict, so the checkpoint
holds them all, each under its own tensor-name prefix (`lstm.`).

What the course got wrong, fixed here: its bidirectional LSTM read `lstm_out[-1]`, where the
backward direction has seen only the last row, instead of each direction's final state; its
"extra FC layer" was two Linear layers with nothing between them (one linear map), here a ReLU
separates them. Every reader takes [0, 1] pixels and normalises them itself.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
ROWS = 28
# Each reader's recurrent layer and whether it reads both ways (the spec's ROW_MODELS, in its
# order: this file needs nothing but torch, so that an export runs it alone).
READERS = {
    "rnn": (nn.RNN, False),
    "lstm": (nn.LSTM, False),
    "gru": (nn.GRU, False),
    "birnn": (nn.RNN, True),
    "bilstm": (nn.LSTM, True),
}


class RowReader(nn.Module):
    """A recurrent layer over the 28 rows, then (normalisation) -> (Linear, ReLU) -> Linear."""

    def __init__(self, kind: str, hidden_size: int, normalization: str, extra_fc: bool, classes: int = 10):
        super().__init__()
        if kind not in READERS:
            raise ValueError(f"unknown model {kind!r}")
        cell, self.bidirectional = READERS[kind]
        self.kind = kind
        self.recurrent = cell(ROWS, hidden_size, batch_first=True, bidirectional=self.bidirectional)
        features = hidden_size * (2 if self.bidirectional else 1)
        norms = {"none": nn.Identity, "layer": nn.LayerNorm, "batch": nn.BatchNorm1d}
        if normalization not in norms:
            raise ValueError(f"unknown normalization {normalization!r}")
        self.norm = norms[normalization](features) if normalization != "none" else nn.Identity()
        if extra_fc:
            self.head = nn.Sequential(
                nn.Linear(features, features // 2), nn.ReLU(), nn.Linear(features // 2, classes)
            )
        else:
            self.head = nn.Sequential(nn.Linear(features, classes))

    def read(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, [1,] 28, 28) pixels in [0, 1] -> the hidden state after each row (N, 28, F) and
        the summary the classifier reads (N, F): each direction's final state, side by side."""
        rows = (images.reshape(-1, ROWS, ROWS) - MNIST_MEAN) / MNIST_STD
        outputs, state = self.recurrent(rows)
        final = state[0] if isinstance(state, tuple) else state  # LSTM: (h_n, c_n)
        # final is (directions, N, H): forward after the last row, backward after the first.
        return outputs, torch.cat(list(final), dim=1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.norm(self.read(images)[1]))


class RowReaders(nn.ModuleDict):
    """The readers trained together, by name (their state-dict prefixes)."""


def build_readers(config: dict[str, Any]) -> RowReaders:
    classes = len(config.get("classes", range(10)))
    return RowReaders(
        {
            name: RowReader(
                name, int(config["hidden_size"]), config["normalization"], bool(config["extra_fc"]), classes
            )
            for name in config["models"]
        }
    )
