"""Recurrent networks written from their equations, for the sequence labs: `GatedLSTM`, an LSTM
spelt out gate by gate, so a lab can show what each gate did at each step, and `VanillaRNN`, the
plain tanh recurrence it is compared with. Both read (T, B, D) inputs time first and return every
hidden state, so a lab can read the last one (a palindrome's digit) or all of them (a sum's bits).

Both precompute the input half of every gate for all steps in one matrix product, so the
per-step loop only multiplies by the recurrent weights: on a CPU the loop's overhead, not the
arithmetic, is what small recurrent models pay for.

Torch and the standard library only: an export ships this file beside the model.py of a lab
that uses it (core.export), so that the model runs outside this app; core.recurrent re-exports
it with the input checks the sequence labs share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

GATES = ("input", "forget", "cell", "output")


@dataclass
class Recording:
    """What a recurrent model did at each step of one batch, (T, B, H) each: its hidden states,
    and for an LSTM its cell states and its four gates."""

    hidden: torch.Tensor
    cell: torch.Tensor | None = None
    gates: dict[str, torch.Tensor] | None = None


class GatedLSTM(nn.Module):
    """An LSTM from its gate equations (Hochreiter and Schmidhuber, 1997, with a forget gate):

        i = σ(W_i x + U_i h + b_i)    input gate: how much of the candidate to write
        f = σ(W_f x + U_f h + b_f)    forget gate: how much of the old cell to keep
        g = tanh(W_g x + U_g h + b_g) cell candidate
        o = σ(W_o x + U_o h + b_o)    output gate: how much of the cell to show
        c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')

    Weights get Xavier initialisation and the forget bias starts at 1.0, so that at first the
    cell keeps most of what it holds and gradients reach early steps (Jozefowicz et al., 2015).
    """

    def __init__(self, input_size: int, hidden_size: int, forget_bias: float = 1.0):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        # The four gates side by side in one matrix, in the order of GATES.
        self.weight_input = nn.Parameter(torch.empty(input_size, 4 * hidden_size))
        self.weight_hidden = nn.Parameter(torch.empty(hidden_size, 4 * hidden_size))
        self.bias = nn.Parameter(torch.zeros(4 * hidden_size))
        for gate in range(4):
            columns = slice(gate * hidden_size, (gate + 1) * hidden_size)
            nn.init.xavier_uniform_(self.weight_input.data[:, columns])
            nn.init.xavier_uniform_(self.weight_hidden.data[:, columns])
        self.bias.data[hidden_size : 2 * hidden_size] = forget_bias

    def forward(self, inputs: torch.Tensor, record: bool = False) -> tuple[torch.Tensor, Recording | None]:
        """Hidden states (T, B, H) for inputs (T, B, D), starting from zeros; with `record`, also
        the cell states and gates of every step."""
        steps, batch, _ = inputs.shape
        h = inputs.new_zeros(batch, self.hidden_size)
        c = inputs.new_zeros(batch, self.hidden_size)
        from_inputs = inputs @ self.weight_input + self.bias  # every step's input half at once
        hidden, cells, gates = [], [], {name: [] for name in GATES}
        for t in range(steps):
            i, f, g, o = (from_inputs[t] + h @ self.weight_hidden).chunk(4, dim=1)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c = f * c + i * g
            h = o * torch.tanh(c)
            hidden.append(h)
            if record:
                cells.append(c)
                for name, value in zip(GATES, (i, f, g, o), strict=True):
                    gates[name].append(value)
        states = torch.stack(hidden)
        if not record:
            return states, None
        recorded = {name: torch.stack(values).detach() for name, values in gates.items()}
        return states, Recording(states.detach(), torch.stack(cells).detach(), recorded)


RNN_INITS = ("pytorch", "xavier")


class VanillaRNN(nn.Module):
    """The plain (Elman) recurrence h' = tanh(W x + U h + b): one squashing per step, so a
    gradient crossing k steps is multiplied by k Jacobians and usually shrinks geometrically.

    `init` "pytorch" draws every weight and bias from U(-1/sqrt(H), 1/sqrt(H)), as `nn.RNN` does
    (and the course's RNN did): the recurrent matrix then shrinks a state by about 0.6 per step.
    "xavier" draws the weights from Xavier's wider range, which puts the recurrent matrix's
    spectral radius near 1, so memories fade much more slowly and the RNN reaches further."""

    def __init__(self, input_size: int, hidden_size: int, init: str = "pytorch"):
        super().__init__()
        if init not in RNN_INITS:
            raise ValueError(f"unknown initialisation {init!r}")
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weight_input = nn.Parameter(torch.empty(input_size, hidden_size))
        self.weight_hidden = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.bias = nn.Parameter(torch.zeros(hidden_size))
        if init == "xavier":
            nn.init.xavier_uniform_(self.weight_input)
            nn.init.xavier_uniform_(self.weight_hidden)
        else:
            bound = 1 / math.sqrt(hidden_size)
            for parameter in (self.weight_input, self.weight_hidden, self.bias):
                nn.init.uniform_(parameter, -bound, bound)

    def forward(self, inputs: torch.Tensor, record: bool = False) -> tuple[torch.Tensor, Recording | None]:
        steps, batch, _ = inputs.shape
        h = inputs.new_zeros(batch, self.hidden_size)
        from_inputs = inputs @ self.weight_input + self.bias
        hidden = []
        for t in range(steps):
            h = torch.tanh(from_inputs[t] + h @ self.weight_hidden)
            hidden.append(h)
        states = torch.stack(hidden)
        return states, Recording(states.detach()) if record else None


def build_recurrent(
    cell: str, input_size: int, hidden_size: int, rnn_init: str = "pytorch", forget_bias: float = 1.0
) -> nn.Module:
    """A "lstm" or "rnn" recurrence with these sizes (`rnn_init`: see VanillaRNN; `forget_bias`,
    the LSTM's starting forget bias: see GatedLSTM)."""
    if cell == "lstm":
        return GatedLSTM(input_size, hidden_size, forget_bias)
    if cell == "rnn":
        return VanillaRNN(input_size, hidden_size, rnn_init)
    raise ValueError(f"unknown recurrent cell {cell!r}")
