"""BLEU with sacrebleu, and scoring any translator on a held-out split.

Interface (shared by the translation labs; keep it stable):

- `corpus_bleu(hypotheses, references) -> float`: sacreBLEU (0-100) of detokenised sentences,
  case-insensitive (our tokeniser lowercases, so capitals carry no signal). A reference is one
  string or a list of every correct translation (Tatoeba gives several for many sentences):
  n-grams then match any of them, as sacreBLEU does with several reference streams.
- `evaluate_translator(translate_batch, pairs, batch_size=...) -> BleuReport`: runs a function
  that maps a list of source sentences to a list of translations over (source, reference)
  pairs, and returns the BLEU with a few examples. Pass a corpus's `.heldout` (or
  `corpus.scored(corpus.heldout)`, with every reference), never `.train`.

sacreBLEU is the standard: one tokenisation (13a) and one formula for everyone, so figures from
two labs, or from a paper, can be compared. The course averaged NLTK sentence-level BLEU with
smoothing over its training pairs, which is neither comparable nor a test of generalisation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sacrebleu

Reference = str | Sequence[str]  # one translation, or every correct one


def _all(reference: Reference) -> list[str]:
    return [reference] if isinstance(reference, str) else list(reference)


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[Reference]) -> float:
    """Corpus-level sacreBLEU of `hypotheses` against their references (one string, or a list
    of every correct translation), 0 to 100."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses for {len(references)} references")
    if not hypotheses:
        raise ValueError("BLEU needs at least one sentence")
    every = [_all(reference) for reference in references]
    if not all(every):
        raise ValueError("every sentence needs at least one reference")
    # sacreBLEU takes reference streams; a sentence with fewer references pads with None.
    streams = [[refs[i] if i < len(refs) else None for refs in every] for i in range(max(map(len, every)))]
    return float(sacrebleu.corpus_bleu(list(hypotheses), streams, lowercase=True).score)


@dataclass
class BleuReport:
    """A translator's BLEU on some pairs, the share translated exactly, and a few examples."""

    bleu: float
    exact: float  # share of sentences translated word for word as the reference
    size: int
    examples: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "bleu": round(self.bleu, 2),
            "exact_match": round(self.exact, 4),
            "size": self.size,
            "examples": self.examples,
        }


def evaluate_translator(
    translate_batch: Callable[[list[str]], list[str]],
    pairs: Sequence[tuple[str, Reference]],
    batch_size: int = 256,
    examples: int = 5,
) -> BleuReport:
    """BLEU of `translate_batch` over (source, reference) pairs, translated `batch_size` at a
    time; a reference may be a list of every correct translation."""
    pairs = list(pairs)
    sources = [source for source, _ in pairs]
    references = [reference for _, reference in pairs]
    hypotheses: list[str] = []
    for start in range(0, len(sources), batch_size):
        hypotheses += translate_batch(sources[start : start + batch_size])
    exact = sum(
        any(_same(h, one) for one in _all(r)) for h, r in zip(hypotheses, references, strict=True)
    ) / max(1, len(pairs))
    shown = [
        {"source": s, "reference": " / ".join(_all(r)), "translation": h}
        for s, r, h in list(zip(sources, references, hypotheses, strict=True))[:examples]
    ]
    return BleuReport(corpus_bleu(hypotheses, references), exact, len(pairs), shown)


def _same(hypothesis: str, reference: str) -> bool:
    return hypothesis.strip().lower() == reference.strip().lower()
