"""The seq2seq lab's models: a GRU or LSTM encoder-decoder, with attention or without.

Both share the shape the course used (Lab Work 16): an embedding and a recurrent encoder, and a
decoder that starts from the encoder's final state and emits one word per step. The plain
decoder sees nothing else of the source: the whole sentence must squeeze through that one
state. The attention decoder, at every step, scores each encoder state against its own new
state (additive, Bahdanau et al. 2015, or scaled dot product), reads their weighted mean (the
context), and predicts from its state and the context; the weights are the alignment the lab
draws. Padded source positions are masked out of attention and packed out of the encoder, so
the final state is the last real word's.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from core.standalone.decoding import pad_rows
from core.standalone.tokens import EOS, PAD, SOS, Vocab, encode_source

MODELS = ("attention", "plain")  # the two models of a checkpoint, in this order
MODEL_LABELS = {"attention": "with attention", "plain": "without attention"}


def recurrent(cell: str, input_size: int, hidden: int) -> nn.Module:
    if cell == "gru":
        return nn.GRU(input_size, hidden, batch_first=True)
    if cell == "lstm":
        return nn.LSTM(input_size, hidden, batch_first=True)
    raise ValueError(f"unknown cell {cell!r}")


class Attention(nn.Module):
    """Scores of decoder states against every encoder state, softmaxed over the real words.

    additive: v^T tanh(W_s s_t + W_h h_i) (Bahdanau); dot: s_t . h_i / sqrt(H) (Luong, scaled)."""

    def __init__(self, kind: str, hidden: int):
        super().__init__()
        self.kind = kind
        if kind == "additive":
            self.w_state = nn.Linear(hidden, hidden, bias=False)
            self.w_encoder = nn.Linear(hidden, hidden)
            self.v = nn.Linear(hidden, 1, bias=False)
        elif kind != "dot":
            raise ValueError(f"unknown attention {kind!r}")

    def precompute(self, encoded: torch.Tensor) -> torch.Tensor | None:
        """W_h h_i, the same at every decoder step: computed once per sentence."""
        return self.w_encoder(encoded) if self.kind == "additive" else None

    def forward(
        self, states: torch.Tensor, encoded: torch.Tensor, keys: torch.Tensor | None, mask: torch.Tensor
    ) -> torch.Tensor:
        """states (B, T, H), encoded (B, S, H), keys from `precompute`, mask (B, S) True on real
        words -> weights (B, T, S), each row summing to 1 over the real words."""
        if self.kind == "additive":
            scores = self.v(torch.tanh(self.w_state(states)[:, :, None] + keys[:, None]))[..., 0]
        else:
            scores = states @ encoded.transpose(1, 2) / math.sqrt(states.shape[-1])
        return scores.masked_fill(~mask[:, None], float("-inf")).softmax(dim=-1)


class Seq2seq(nn.Module):
    """Encoder-decoder; `attention` is "none" (the plain model), "additive" or "dot".

    The decoder RNN reads the previous word; with attention, its new state s_t then looks at the
    encoder states and the output layer reads [s_t; context] (Luong et al., 2015). Since the
    attention comes after the RNN, a fully teacher-forced batch runs the RNN over the whole
    target at once, which on a CPU is several times faster than a Python loop of single steps."""

    def __init__(
        self, source_size: int, target_size: int, cell: str, embedding: int, hidden: int, attention: str
    ):
        super().__init__()
        self.cell, self.attention_kind = cell, attention
        self.source_embedding = nn.Embedding(source_size, embedding, padding_idx=PAD)
        self.encoder = recurrent(cell, embedding, hidden)
        self.target_embedding = nn.Embedding(target_size, embedding, padding_idx=PAD)
        self.decoder = recurrent(cell, embedding, hidden)
        self.attention = Attention(attention, hidden) if attention != "none" else None
        self.out = nn.Linear(hidden * (1 if self.attention is None else 2), target_size)

    def encode(self, source: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, Any]:
        """source (B, S) padded with PAD, lengths (B,) -> encoder states (B, S, H) (zeros on
        padding) and the final state after each sentence's last real word."""
        packed = pack_padded_sequence(
            self.source_embedding(source), lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        encoded, state = self.encoder(packed)
        encoded, _ = pad_packed_sequence(encoded, batch_first=True, total_length=source.shape[1])
        return encoded, state

    def readout(
        self, states: torch.Tensor, encoded: torch.Tensor, keys: Any, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Decoder states (B, T, H) -> logits (B, T, V) and, with attention, weights (B, T, S)."""
        if self.attention is None:
            return self.out(states), None
        weights = self.attention(states, encoded, keys, mask)
        return self.out(torch.cat([states, weights @ encoded], dim=-1)), weights

    def forward(
        self, source: torch.Tensor, lengths: torch.Tensor, target: torch.Tensor, forced: list[bool]
    ) -> torch.Tensor:
        """Logits (B, T-1, V) for target[:, 1:]; `forced[t]` says whether step t+1 is fed the true
        previous word (teacher forcing) or the model's own last guess."""
        encoded, state = self.encode(source, lengths)
        keys = self.attention.precompute(encoded) if self.attention is not None else None
        mask = source != PAD
        if all(forced):  # every input is known in advance: one call over the whole target
            states, _ = self.decoder(self.target_embedding(target[:, :-1]), state)
            return self.readout(states, encoded, keys, mask)[0]
        word = target[:, 0]
        logits = []
        for t in range(1, target.shape[1]):
            output, state = self.decoder(self.target_embedding(word)[:, None], state)
            step_logits = self.readout(output, encoded, keys, mask)[0][:, 0]
            logits.append(step_logits)
            word = target[:, t] if forced[t - 1] else step_logits.argmax(-1)
        return torch.stack(logits, dim=1)

    @torch.no_grad()
    def greedy(
        self, source: torch.Tensor, lengths: torch.Tensor, max_len: int
    ) -> tuple[list[list[int]], torch.Tensor | None]:
        """Greedy translations (ids up to EOS) and, with attention, the weights (B, T, S)."""
        encoded, state = self.encode(source, lengths)
        keys = self.attention.precompute(encoded) if self.attention is not None else None
        mask = source != PAD
        word = torch.full((len(source),), SOS, dtype=torch.long)
        words, weights = [], []
        done = torch.zeros(len(source), dtype=torch.bool)
        for _ in range(max_len):
            output, state = self.decoder(self.target_embedding(word)[:, None], state)
            logits, step_weights = self.readout(output, encoded, keys, mask)
            word = logits[:, 0].argmax(-1)
            words.append(word)
            if step_weights is not None:
                weights.append(step_weights[:, 0])
            done |= word == EOS
            if done.all():
                break
        ids = torch.stack(words, dim=1).tolist()
        rows = [row[: row.index(EOS)] if EOS in row else row for row in ids]
        return rows, (torch.stack(weights, dim=1) if weights else None)


class Seq2seqPair(nn.Module):
    """The two models of one training, saved together: tensors "attention.*" and "plain.*"."""

    def __init__(self, config: dict[str, Any]):
        super().__init__()
        sizes = (len(config["source_vocab"]["words"]), len(config["target_vocab"]["words"]))
        shape = (config["cell"], config["embedding"], config["hidden"])
        self.attention = Seq2seq(*sizes, *shape, attention=config["attention"])
        self.plain = Seq2seq(*sizes, *shape, attention="none")

    def model(self, name: str) -> Seq2seq:
        return self.attention if name == "attention" else self.plain


# --- translating ---------------------------------------------------------------------------


def max_output_length(source_length: int) -> int:
    return min(2 * source_length + 5, 60)


def vocabularies(config: dict[str, Any]) -> tuple[Vocab, Vocab]:
    return Vocab.from_dict(config["source_vocab"]), Vocab.from_dict(config["target_vocab"])


def translate_texts(model: Seq2seq, source_vocab: Vocab, target_vocab: Vocab, texts: list[str]) -> list[str]:
    """Greedy translations of several sentences at once, detokenised."""
    was_training = model.training
    model.eval()
    source, lengths = pad_rows([encode_source(source_vocab, text) for text in texts])
    ids, _ = model.greedy(source, lengths, max_output_length(source.shape[1]))
    model.train(was_training)
    return [target_vocab.sentence(target_vocab.decode(row)) for row in ids]
