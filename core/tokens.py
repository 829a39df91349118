"""Word-level tokenisation and vocabularies for the translation labs.

Interface (shared by the seq2seq, attention and Transformer labs; keep it stable):

- `tokenize(text) -> list[str]`: lowercase, split off punctuation; a French elided article or
  pronoun keeps its apostrophe ("l'arbre" -> ["l'", "arbre"]), so it can be detokenised.
- `detokenize(tokens) -> str`: the inverse for display and BLEU ("l' arbre ." -> "l'arbre.").
- `Vocab`: ids 0..3 are `PAD`, `SOS`, `EOS`, `UNK` (`<pad>`, `<sos>`, `<eos>`, `<unk>`), the
  words follow in order of frequency. `Vocab.build(sentences)`, `encode(text) -> list[int]`
  (no SOS/EOS; unknown words become `UNK`), `unknown_words(text)` lists them,
  `decode(ids) -> list[str]` (stops at EOS, skips PAD/SOS, keeps "<unk>" visible), and
  `to_dict` / `from_dict` to save the vocabulary inside a checkpoint's config.json.
- `TextInputError(ValueError)`: text a model cannot take (empty, too long, no known word); the
  CLI and both fronts show its message as one line.

Unknown words become `<unk>`, never padding: the course's code mapped them to id 0, so a word
the model never saw silently vanished from the input.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

PAD, SOS, EOS, UNK = 0, 1, 2, 3
SPECIALS = ("<pad>", "<sos>", "<eos>", "<unk>")

# A French elided word (l', j', qu'...), the English possessive 's, a plain word of letters and
# digits, or any other single non-space character (punctuation, an emoji, a symbol).
TOKEN_PATTERN = re.compile(r"(?<![^\W_])(?:qu|[cdjlmnst])'|'s\b|[^\W_]+|[^\w\s]|_")
NO_SPACE_BEFORE = {".", ",", "!", "?", ";", ":", ")", "…", "'s", "'"}


def tokenize(text: str) -> list[str]:
    """Lowercased words and punctuation marks of `text`, in order."""
    text = unicodedata.normalize("NFC", text).lower().replace("’", "'").replace("`", "'")
    return TOKEN_PATTERN.findall(text)


def detokenize(tokens: Iterable[str]) -> str:
    """Tokens back to a sentence: no space before punctuation or after an elided word."""
    text, previous = "", ""
    for token in tokens:
        elided = len(previous) > 1 and previous.endswith("'")  # l', qu'; not a lone '
        if text and not elided and token not in NO_SPACE_BEFORE:
            text += " "
        text += token
        previous = token
    return text


class TextInputError(ValueError):
    """Text that a model cannot take: empty, too long, or without a word it knows."""


@dataclass
class Vocab:
    """Words <-> ids, with the four special tokens first."""

    words: list[str]

    def __post_init__(self) -> None:
        if tuple(self.words[: len(SPECIALS)]) != SPECIALS:
            raise ValueError(f"a vocabulary must start with {', '.join(SPECIALS)}")
        self.index = {word: i for i, word in enumerate(self.words)}

    @classmethod
    def build(cls, sentences: Iterable[str], min_count: int = 1) -> Vocab:
        """The vocabulary of `sentences` (tokenised here): every word seen `min_count` times,
        most frequent first, ties in alphabetical order so a build is reproducible."""
        counts = Counter(token for sentence in sentences for token in tokenize(sentence))
        kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        return cls(list(SPECIALS) + [w for w in kept if w not in SPECIALS])

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def encode(self, text: str) -> list[int]:
        """Ids of `text`'s tokens, `UNK` for each word not in the vocabulary."""
        return [self.index.get(token, UNK) for token in tokenize(text)]

    def unknown_words(self, text: str) -> list[str]:
        """The tokens of `text` that the vocabulary lacks, in order, each once."""
        return list(dict.fromkeys(t for t in tokenize(text) if t not in self.index))

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens of `ids` up to the first EOS; PAD and SOS are skipped, UNK shows as <unk>."""
        tokens = []
        for i in ids:
            i = int(i)
            if i == EOS:
                break
            if i in (PAD, SOS):
                continue
            tokens.append(self.words[i] if 0 <= i < len(self.words) else SPECIALS[UNK])
        return tokens

    def to_dict(self) -> dict:
        return {"words": list(self.words)}

    @classmethod
    def from_dict(cls, data: dict) -> Vocab:
        return cls(list(data["words"]))
