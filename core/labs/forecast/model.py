"""The forecasters: an RNN, an LSTM and a GRU, each reading a window of past values.

Each reads the window one value per time step and turns its last hidden state into the next
`horizon` values at once, the course's model with a wider last layer:

    h_t = cell(x_t, h_{t-1})          x_t: one (scaled) value of the window
    ŷ_{T+1..T+H} = W h_T + b          H outputs: the direct multi-step forecast

The first output is the one-step forecast; feeding it back as the next input gives the
recursive forecast (see forecasting.py). PyTorch's own cells do the recurrence.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

# The spec's CELLS, in its order (this file needs nothing but torch, so that an export runs it alone).
RECURRENT = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class Forecaster(nn.Module):
    """One recurrent cell and a linear head: (B, T) scaled windows -> (B, horizon) scaled forecasts."""

    def __init__(self, cell: str, hidden_size: int, horizon: int):
        super().__init__()
        self.cell = cell
        self.recurrent = RECURRENT[cell](input_size=1, hidden_size=hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, horizon)

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        states, _ = self.recurrent(windows.unsqueeze(-1))  # (B, T, hidden): the state after each value
        return self.head(states[:, -1])  # from the state after the window's last value


class Forecasters(nn.ModuleDict):
    """The cells trained together, by name (their state-dict prefixes: `lstm.recurrent...`)."""


def build_forecasters(config: dict[str, Any]) -> Forecasters:
    hidden, horizon = int(config["hidden_size"]), int(config["horizon"])
    return Forecasters(
        {cell: Forecaster(cell, hidden, horizon) for cell in config["models"] if cell in RECURRENT}
    )
