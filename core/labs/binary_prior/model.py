"""The priors over 48-bit codes, in one file to read top to bottom.

- `lstm` (default): an embedding of the bits (and of a start symbol), a 2-layer LSTM with hidden
  size 128 and a small head that gives the logit of the next bit. It is trained on every next bit
  of a sequence at once (teacher forcing), where the course re-ran the LSTM on each of the 47
  prefixes of each sequence separately, and it learns the first bit too, which the course drew
  with probability 0.5 whatever its data said.
- `denoise-fc`: the course's comparison, a stack of 12 residual fully connected blocks trained to
  restore codes with a share of bits flipped; it generates by refining random bits 10 times.
"""

from __future__ import annotations

import torch
from torch import nn

# A code's length: core.bit_codes.CODE_BITS (this file needs only torch, so that an export runs it alone).
BITS = 48

HIDDEN, LAYERS = 128, 2  # the course's LSTM
START = 2  # the token before the first bit (0 and 1 are the bits)
REFINE_PASSES = 10  # denoise-fc's generation, as in the course


def draw_bits(logits: torch.Tensor, temperature: float, generator: torch.Generator | None) -> torch.Tensor:
    """Bits from logits: Bernoulli(sigmoid(logit / T)), or the likelier bit when T is 0."""
    if temperature == 0:
        return (logits >= 0).long()
    probabilities = torch.sigmoid(logits / temperature)
    return torch.bernoulli(probabilities, generator=generator).long()


class LSTMPrior(nn.Module):
    """p(b_i | b_1..b_{i-1}): embedding of the previous bit (or the start), LSTM, next-bit logit."""

    def __init__(self, hidden: int = HIDDEN, layers: int = LAYERS):
        super().__init__()
        self.embedding = nn.Embedding(3, hidden)
        self.lstm = nn.LSTM(hidden, hidden, layers, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, hidden // 2), nn.ReLU(), nn.Linear(hidden // 2, 1))

    def forward(self, bits: torch.Tensor) -> torch.Tensor:
        """(N, 48) bits -> (N, 48) logits, position i predicting bit i from the bits before it."""
        start = torch.full_like(bits[:, :1], START, dtype=torch.long)  # as wide as the batch, traced or not
        out, _ = self.lstm(self.embedding(torch.cat([start, bits[:, :-1].long()], 1)))
        return self.head(out).squeeze(-1)

    @torch.no_grad()
    def sample(self, n: int, temperature: float, generator: torch.Generator | None = None) -> torch.Tensor:
        token = torch.full((n, 1), START, dtype=torch.long)
        state = None
        bits = []
        for _ in range(BITS):
            out, state = self.lstm(self.embedding(token), state)
            bit = draw_bits(self.head(out[:, -1]).squeeze(-1), temperature, generator)
            bits.append(bit)
            token = bit[:, None]
        return torch.stack(bits, 1)


class ResidualFC(nn.Module):
    """x + Linear(LayerNorm(GELU(Linear(x)))), the course's block."""

    def __init__(self, dim: int, scale: int = 4):
        super().__init__()
        self.block = nn.Sequential(
            nn.Linear(dim, dim * scale), nn.LayerNorm(dim * scale), nn.GELU(), nn.Linear(dim * scale, dim)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


class DenoisingPrior(nn.Module):
    """The course's fully connected code denoiser (its Seq2Seq): 48 -> 256, 12 residual blocks,
    256 -> 128 -> 48 logits (the course ended in a sigmoid; logits train more stably)."""

    def __init__(self, width: int = 256, blocks: int = 12):
        super().__init__()
        self.input = nn.Sequential(nn.Linear(BITS, width), nn.LayerNorm(width), nn.GELU())
        self.blocks = nn.Sequential(*[ResidualFC(width) for _ in range(blocks)])
        self.output = nn.Sequential(nn.Linear(width, width // 2), nn.GELU(), nn.Linear(width // 2, BITS))

    def forward(self, bits: torch.Tensor) -> torch.Tensor:
        return self.output(self.blocks(self.input(bits.float())))

    @torch.no_grad()
    def sample(self, n: int, temperature: float, generator: torch.Generator | None = None) -> torch.Tensor:
        """Random bits, refined REFINE_PASSES times; the last pass keeps the likelier bits."""
        bits = torch.randint(0, 2, (n, BITS), generator=generator)
        for index in range(REFINE_PASSES):
            last = index == REFINE_PASSES - 1
            bits = draw_bits(self(bits), 0.0 if last else temperature, generator)
        return bits


def build_prior(model: str) -> nn.Module:
    if model == "lstm":
        return LSTMPrior()
    if model == "denoise-fc":
        return DenoisingPrior()
    raise ValueError(f"unknown model {model!r}")
