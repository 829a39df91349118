"""The sentiment lab's readers, in one file to read top to bottom.

Two readers share one shape: an embedding turns each token id into a vector, a recurrent layer
(LSTM or GRU) reads the review left to right, and the hidden state after the review's last real
token goes through a linear layer to two logits (other, great). The readers trained together
live in one `ReviewReaders` module dict, so the checkpoint holds both, each under its own
tensor-name prefix (`lstm.`, `gru.`).

What the course got wrong, fixed here: it padded every review to 200 tokens with zeros at the
end and classified from the hidden state after the last padding token, so a short review was
followed by up to 190 steps of reading nothing before the verdict. Here the state is taken at
each review's own last token.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from core.standalone.review_words import CLASSES, PAD

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}


class ReviewReader(nn.Module):
    """Embedding -> dropout -> LSTM or GRU -> the state after the last token -> dropout -> Linear."""

    def __init__(self, kind: str, vocab_size: int, embedding_dim: int, hidden_size: int, dropout: float):
        super().__init__()
        if kind not in CELLS:
            raise ValueError(f"unknown model {kind!r}")
        self.kind = kind
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=PAD)  # [PAD] stays zero
        self.recurrent = CELLS[kind](embedding_dim, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, len(CLASSES))

    def read(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Embedded tokens (N, T, E), padded at the end, and their lengths (N,) -> the hidden
        state after each review's last real token (N, H)."""
        outputs, _ = self.recurrent(self.dropout(embedded))
        last = (lengths - 1).clamp(min=0).to(outputs.device)
        # outputs[n, last[n]] for each review n, as a gather: an ONNX trace keeps it batch-free.
        return outputs.gather(1, last.view(-1, 1, 1).expand(-1, 1, outputs.shape[-1])).squeeze(1)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Token ids (N, T) and lengths (N,) -> logits (N, 2): other, great."""
        return self.head(self.dropout(self.read(self.embedding(ids), lengths)))


class ReviewReaders(nn.ModuleDict):
    """The readers trained together, by name (their state-dict prefixes)."""


def build_readers(config: dict[str, Any]) -> ReviewReaders:
    return ReviewReaders(
        {
            name: ReviewReader(
                name,
                int(config["vocab_size"]),
                int(config["embedding_dim"]),
                int(config["hidden_size"]),
                float(config.get("dropout", 0.0)),
            )
            for name in config["models"]
        }
    )


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
