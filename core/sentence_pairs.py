"""Sentence pairs as id lists, shared by the translation labs (seq2seq and Transformer): what a
source sentence becomes, how pairs are batched with little padding, and which typed text can be
translated at all."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import torch

from core.interactions import Output
from core.markup import code
from core.specs import Param, SpecError
from core.standalone.decoding import pad_rows
from core.standalone.tokens import MAX_SOURCE_TOKENS, encode_source  # noqa: F401  (re-exported)
from core.tokens import EOS, SOS, TextInputError, Vocab, tokenize

MAX_TEXT_CHARS = 1_000  # longer input is refused: the models translate sentences, not pages
BUCKET_BATCHES = 50  # batches drawn from one length-sorted chunk, so little padding is needed


@dataclass
class EncodedPairs:
    """A corpus as id lists: sources end in EOS; targets are SOS ... EOS."""

    sources: list[list[int]]
    targets: list[list[int]]

    @classmethod
    def of(cls, pairs: list[tuple[str, str]], source_vocab: Vocab, target_vocab: Vocab) -> EncodedPairs:
        sources = [encode_source(source_vocab, s) for s, _ in pairs]
        targets = [[SOS, *target_vocab.encode(t), EOS] for _, t in pairs]
        return cls(sources, targets)

    def batches(self, batch_size: int, rng: random.Random) -> list[list[int]]:
        """Shuffled batches of indexes; each batch is cut from a length-sorted chunk of
        BUCKET_BATCHES batches, so sentences in a batch have similar lengths (less padding,
        and on a CPU padding is paid for in full)."""
        order = list(range(len(self.sources)))
        rng.shuffle(order)
        chunk = batch_size * BUCKET_BATCHES
        batches = []
        for start in range(0, len(order), chunk):
            part = sorted(order[start : start + chunk], key=lambda i: len(self.targets[i]))
            batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
        rng.shuffle(batches)
        return batches

    def tensors(self, indexes: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        """The (source, target) batch of these pairs, each padded."""
        sources, _ = pad_rows([self.sources[i] for i in indexes])
        targets, _ = pad_rows([self.targets[i] for i in indexes])
        return sources, targets


def check_text(text: Any) -> str:
    """The text, stripped, or TextInputError saying why it cannot be translated."""
    if not isinstance(text, str) or not text.strip():
        raise TextInputError("Type a sentence to translate: the text is empty.")
    if len(text) > MAX_TEXT_CHARS:
        raise TextInputError(
            f"The text is {len(text):,} characters long; the translator takes one sentence of at most "
            f"{MAX_TEXT_CHARS:,} characters."
        )
    if not tokenize(text):
        raise TextInputError("The text has no words to translate.")
    return text.strip()


def _corpus_of(config: dict[str, Any]):
    """The corpus a checkpoint learnt from (size 1: only its held-out side matters here)."""
    from core.corpus import CORPORA, load_corpus

    data = config.get("data")
    name = data.get("name") if isinstance(data, dict) else None
    return load_corpus(name if isinstance(name, str) and name in CORPORA else "generated", 1)


def heldout_pairs(config: dict[str, Any], long_words: int = 0) -> list[tuple[str, str]]:
    """The held-out (English, French) pairs of the corpus a checkpoint learnt from: sentences it
    never trained on, the same whatever the corpus size and seed. Those longer than `long_words`
    words come first, where the models differ most."""
    corpus = _corpus_of(config)
    long = corpus.longer_than(long_words) if long_words else []
    chosen = set(long)
    return long + [pair for pair in corpus.heldout if pair not in chosen]


# --- the held-out sentences as both translation labs offer them ----------------------------

HELDOUT_INDEX = Param(
    "index",
    "int",
    0,
    "Which held-out sentence (0: the first; on the generated corpus the long ones come first).",
    label="Held-out sentence",
    low=0,
    high=999,
)
HELDOUT_SOURCE = Output("source", "markdown", "English")


def heldout_pair(config: dict[str, Any], index: int, long_words: int) -> tuple[str, list[str]]:
    """Held-out sentence number `index` (those longer than `long_words` words first) and every
    reference translation it has; SpecError naming the numbers there are for one beyond them."""
    pairs = heldout_pairs(config, long_words)
    if index >= len(pairs):
        raise SpecError(f"Held-out sentence: pick a number from 0 to {len(pairs) - 1}")
    source, reference = pairs[index]
    return source, _corpus_of(config).references_of(source, reference)


def heldout_heading(index: int, source: str) -> str:
    return f"Held-out sentence {index}: {code(source)}"


def heldout_reference(config: dict[str, Any], source: str) -> list[str] | None:
    """Every reference translation of `source` when it is a held-out sentence, else None."""
    reference = dict(heldout_pairs(config)).get(source)
    return _corpus_of(config).references_of(source, reference) if reference is not None else None


def reference_note(reference: str | list[str]) -> str:
    references = [reference] if isinstance(reference, str) else reference
    if len(references) == 1:
        return f"Reference (a held-out sentence, never trained on): {code(references[0])}"
    return (
        f"Reference (a held-out sentence, never trained on; {len(references)} correct translations, "
        f"BLEU counts a match with any): {', '.join(code(r) for r in references)}"
    )


# --- what a typed sentence is to the model -------------------------------------------------

WORDS = Output(
    "words",
    "table",
    "Each typed word: seen in training?",
    help="How many times each word you typed appeared in the English training sentences; a word "
    "never seen is read as <unk>, and one seen once or twice is barely learnt.",
)


def word_table(vocab: Vocab, text: str) -> list[dict[str, Any]]:
    """One row per distinct typed token: how often the training sentences had it, and what the
    model reads (itself, or <unk>)."""
    rows = []
    for token in dict.fromkeys(tokenize(text)):
        count = vocab.seen(token)
        known = token in vocab
        if not known:
            seen = "never: unknown" if count == 0 else f"{count}×, too rare to be learnt"
        elif not vocab.counts:
            seen = "yes"
        else:
            seen = f"{count:,}×" + (" (rare: barely learnt)" if count < 3 else "")
        rows.append({"word": token, "seen in training": seen, "read as": token if known else "<unk>"})
    return rows


def corpus_limits(config: dict[str, Any]) -> str:
    """What the model learnt from, and so what it can translate: shown beside every answer."""
    data = config.get("data") if isinstance(config.get("data"), dict) else {}
    size = data.get("train_size")
    pairs = f"{size:,} " if isinstance(size, int) else ""
    if data.get("name") == "tatoeba":
        return (
            f"This model learnt {pairs}short everyday English sentences and their French (Tatoeba, "
            "up to about 8 words; names such as Tom and Mary are frequent): a long, technical or "
            "literary sentence, or a word it never saw, comes out wrong."
        )
    return (
        f"This model learnt {pairs}sentences of the project's generated grammar (a few hundred "
        "words: animals, family, objects, colours): a sentence from outside it comes out wrong."
    )
