"""The character-level text lab's model, in one file to read top to bottom: the vocabulary
(every character of the sentences after three special tokens), the LSTM, and generation, which
feeds each drawn character back in until the model writes `<end>`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

SPECIAL_TOKENS = ("<pad>", "<start>", "<end>")
PAD, START, END = 0, 1, 2
EMBEDDING_SIZE = 32


@dataclass(frozen=True)
class Vocabulary:
    """Characters by index, after the special tokens: index i + 3 is `characters[i]`."""

    characters: tuple[str, ...]

    @classmethod
    def from_sentences(cls, sentences: Sequence[str]) -> Vocabulary:
        return cls(tuple(sorted({ch for sentence in sentences for ch in sentence})))

    def __len__(self) -> int:
        return len(SPECIAL_TOKENS) + len(self.characters)

    def unknown(self, text: str) -> list[str]:
        known = set(self.characters)
        return sorted({ch for ch in text if ch not in known})

    def encode(self, text: str) -> list[int]:
        index = {ch: i + len(SPECIAL_TOKENS) for i, ch in enumerate(self.characters)}
        return [index[ch] for ch in text]

    def decode(self, tokens: Sequence[int]) -> str:
        offset = len(SPECIAL_TOKENS)
        return "".join(self.characters[t - offset] for t in tokens if t >= offset)


class CharLSTM(nn.Module):
    """Embedding -> stacked LSTM -> a linear layer giving every next character's score."""

    def __init__(self, vocab_size: int, hidden_size: int, layers: int, embedding_size: int = EMBEDDING_SIZE):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_size, padding_idx=PAD)
        self.lstm = nn.LSTM(embedding_size, hidden_size, num_layers=layers, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(
        self, tokens: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """(N, T) token indices -> (N, T, vocabulary) logits and the LSTM state after them."""
        outputs, state = self.lstm(self.embedding(tokens), state)
        return self.out(outputs), state


@torch.no_grad()
def sample_tokens(
    model: CharLSTM,
    prefix: Sequence[int],
    count: int,
    temperature: float,
    max_new: int,
    generator: torch.Generator | None = None,
) -> list[tuple[list[int], bool]]:
    """`count` continuations of `prefix` (which starts with `<start>`), drawn in one batch:
    greedy when temperature is 0. Each is (new tokens, whether it ended with `<end>`)."""
    was_training = model.training
    model.eval()
    logits, state = model(torch.tensor([list(prefix)] * count))
    last = logits[:, -1]
    new: list[list[int]] = [[] for _ in range(count)]
    finished = [False] * count
    for _ in range(max_new):
        if temperature == 0:
            tokens = last.argmax(1)
        else:
            probabilities = F.softmax(last / temperature, dim=1)
            tokens = torch.multinomial(probabilities, 1, generator=generator).squeeze(1)
        for row, token in enumerate(tokens.tolist()):
            if finished[row]:
                continue
            if token == END:
                finished[row] = True
            elif token >= len(SPECIAL_TOKENS):
                new[row].append(token)
        if all(finished):
            break
        logits, state = model(tokens[:, None], state)
        last = logits[:, -1]
    model.train(was_training)
    return list(zip(new, finished, strict=True))
