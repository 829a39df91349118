"""The binary addition lab's model: an LSTM written from its gate equations (core.standalone.recurrent)
reads two binary numbers one column per step, least significant bit first, and a linear layer
turns each step's hidden state into the logit of that column's sum bit."""

from __future__ import annotations

import torch
from torch import nn

from core.standalone.recurrent import GatedLSTM


class BitAdder(nn.Module):
    """A GatedLSTM over the columns, then one logit per step for that column's sum bit."""

    def __init__(self, hidden_size: int):
        super().__init__()
        self.lstm = GatedLSTM(2, hidden_size)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Logits (T, B) for columns (T, B, 2)."""
        states, _ = self.lstm(inputs)
        return self.head(states).squeeze(-1)
