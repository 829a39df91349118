"""Greedy and beam search for any autoregressive decoder, given a next-token function (torch
only: an export ships this file beside the Transformer's model.py; the app imports it as
core.decoding).

A decoder is described by one callable, `next_log_probs(prefixes, rows) -> (N, vocab)`
log-probabilities of the next token: `prefixes` is an (N, t) LongTensor of target ids so far,
each starting with SOS, and `rows` an (N,) LongTensor saying which source sentence each prefix
belongs to (so the caller can pick that sentence's encoder output). The Transformer lab
recomputes the whole prefix each step; a recurrent model could keep its own state instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from core.standalone.tokens import EOS, PAD, SOS

NextLogProbs = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
LENGTH_PENALTY = 0.6  # beam scores are divided by length**0.6 (GNMT), else short outputs win


@torch.no_grad()
def greedy_search(next_log_probs: NextLogProbs, batch: int, max_len: int) -> list[list[int]]:
    """The most likely next token at every step, for `batch` sentences at once; each output
    stops at its EOS (not included) or after `max_len` tokens."""
    prefixes = torch.full((batch, 1), SOS, dtype=torch.long)
    rows = torch.arange(batch)
    done = torch.zeros(batch, dtype=torch.bool)
    for _ in range(max_len):
        next_tokens = next_log_probs(prefixes, rows).argmax(-1)
        next_tokens = torch.where(done, EOS, next_tokens)
        prefixes = torch.cat([prefixes, next_tokens[:, None]], dim=1)
        done |= next_tokens == EOS
        if done.all():
            break
    return [_until_eos(row.tolist()[1:]) for row in prefixes]


@dataclass
class Hypothesis:
    tokens: list[int]  # without SOS and EOS
    log_prob: float

    @property
    def score(self) -> float:
        return self.log_prob / max(1, len(self.tokens) + 1) ** LENGTH_PENALTY


@torch.no_grad()
def beam_search(
    next_log_probs: NextLogProbs, beam: int, max_len: int, batch: int = 1
) -> list[list[Hypothesis]]:
    """The `beam` best translations of each of `batch` source sentences, best first, by
    length-normalised log-probability. All sentences advance together, one `next_log_probs`
    call per step. Each step keeps a sentence's `beam` best open prefixes; a prefix that ends
    in EOS is set aside as finished, and a sentence is done when its worst kept finished
    hypothesis cannot be beaten by any open one."""
    prefixes = [[[SOS]] for _ in range(batch)]  # open prefixes of each sentence
    scores = [[0.0] for _ in range(batch)]
    finished: list[list[Hypothesis]] = [[] for _ in range(batch)]
    done = [False] * batch
    for _ in range(max_len):
        live = [i for i in range(batch) if not done[i]]
        if not live:
            break
        rows = torch.tensor([i for i in live for _ in prefixes[i]])
        log_probs = next_log_probs(torch.tensor([p for i in live for p in prefixes[i]]), rows)
        start = 0
        for i in live:
            count = len(prefixes[i])
            step = log_probs[start : start + count]
            start += count
            prefixes[i], scores[i], done[i] = _advance(
                prefixes[i], scores[i], step, finished[i], beam, max_len
            )
    for i in range(batch):
        if not done[i]:  # out of length: the open prefixes compete as they are
            finished[i] += [Hypothesis(p[1:], s) for p, s in zip(prefixes[i], scores[i], strict=True)]
    return [sorted(f, key=lambda h: h.score, reverse=True)[:beam] for f in finished]


def _advance(
    prefixes: list[list[int]],
    scores: list[float],
    log_probs: torch.Tensor,
    finished: list[Hypothesis],
    beam: int,
    max_len: int,
) -> tuple[list[list[int]], list[float], bool]:
    """One beam step of one sentence: its new open prefixes and scores, and whether it is done
    (`finished` is updated in place)."""
    vocab = log_probs.shape[-1]
    total = (torch.tensor(scores)[:, None] + log_probs).flatten()
    best = total.topk(min(2 * beam, len(total)))
    kept_prefixes, kept_scores = [], []
    for score, index in zip(best.values.tolist(), best.indices.tolist(), strict=True):
        parent, token = divmod(index, vocab)
        if token == EOS:
            finished.append(Hypothesis(prefixes[parent][1:], score))
        elif len(kept_prefixes) < beam:
            kept_prefixes.append([*prefixes[parent], token])
            kept_scores.append(score)
    finished.sort(key=lambda h: h.score, reverse=True)
    del finished[beam:]
    if not kept_prefixes:
        return kept_prefixes, kept_scores, True
    # An open prefix's log-probability only falls as it grows, so once the beam-th finished
    # hypothesis beats every open one even at the most lenient length, the search is over.
    bound = max(kept_scores) / max_len**LENGTH_PENALTY
    return kept_prefixes, kept_scores, len(finished) >= beam and finished[-1].score >= bound


def _until_eos(ids: list[int]) -> list[int]:
    return ids[: ids.index(EOS)] if EOS in ids else ids


def pad_rows(rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Id lists padded with PAD to the longest, as one (N, width) tensor, and their lengths."""
    width = max(len(row) for row in rows)
    padded = torch.tensor([row + [PAD] * (width - len(row)) for row in rows], dtype=torch.long)
    return padded, torch.tensor([len(row) for row in rows])
