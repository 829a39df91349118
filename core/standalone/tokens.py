"""Word-level tokenisation and vocabularies for the translation labs (standard library only:
an export ships this file beside the Transformer's model.py and predict.py; the app imports it
as core.tokens).

Interface (shared by the seq2seq, attention and Transformer labs; keep it stable):

- `tokenize(text) -> list[str]`: lowercase, split off punctuation; a French elided article or
  pronoun keeps its apostrophe ("l'arbre" -> ["l'", "arbre"]), the second part of a hyphenated
  word its hyphen ("est-ce" -> ["est", "-ce"]), English clitics are split off ("don't" ->
  ["do", "n't"], "Tom's" -> ["tom", "'s"]), so real text (Tatoeba) can be detokenised.
- `detokenize(tokens) -> str`: the inverse for display and BLEU ("l' arbre ." -> "l'arbre.").
- `Vocab`: ids 0..3 are `PAD`, `SOS`, `EOS`, `UNK` (`<pad>`, `<sos>`, `<eos>`, `<unk>`), the
  words follow in order of frequency. `Vocab.build(sentences)`, `encode(text) -> list[int]`
  (no SOS/EOS; unknown words become `UNK`), `unknown_words(text)` lists them,
  `decode(ids) -> list[str]` (stops at EOS, skips PAD/SOS, keeps "<unk>" visible),
  `seen(word)` (how many times the training sentences had it), `sentence(tokens)` (detokenised
  with the usual case of names, "tom" -> "Tom", and a capital first letter), and
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
from dataclasses import dataclass, field

PAD, SOS, EOS, UNK = 0, 1, 2, 3
SPECIALS = ("<pad>", "<sos>", "<eos>", "<unk>")

# A word of letters and digits, with the apostrophes and hyphens inside it ("aujourd'hui",
# "qu'est-ce", "don't"), or any other single non-space character (punctuation, an emoji, a
# symbol). `_split_word` then cuts a word into the tokens below.
CHUNK_PATTERN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*|[^\w\s]|_")
# A French elided word (l', j', qu', jusqu'...) at the start of a word keeps its apostrophe.
ELISION = re.compile(r"^((?:jusqu|lorsqu|puisqu|quoiqu|presqu|qu|[cdjlmnst])')(.+)$", re.IGNORECASE)
# English clitics: "do n't", "it 's", "i 'm", "you 're", "we 've", "she 'll", "he 'd".
CLITIC = re.compile(r"^(.+?)(n't|'s|'m|'re|'ve|'ll|'d)$", re.IGNORECASE)
NO_SPACE_BEFORE = {".", ",", "!", "?", ";", ":", ")", "…", "'s", "'"}
# French typography puts a (narrow) space before ! ? ; : and inside « »; they are plain spaces here.
SPACES = str.maketrans({"\u202f": " ", "\xa0": " ", "\u2009": " ", "’": "'", "`": "'", "‘": "'"})


def _split_word(word: str) -> list[str]:
    """One word cut into tokens: the parts of a hyphenated word keep their hyphen in front
    ("peut-être" -> "peut", "-être"; "a-t-il" -> "a", "-t", "-il"), a French elision keeps
    its apostrophe ("l'homme" -> "l'", "homme"), English clitics are split off ("don't" ->
    "do", "n't"); any other apostrophe stays inside the word ("aujourd'hui", "o'clock")."""
    tokens = []
    for number, part in enumerate(word.split("-")):
        hyphen = "-" if number else ""
        while (elided := ELISION.match(part)) and len(elided.group(2)) > 0:
            tokens.append(hyphen + elided.group(1))
            part, hyphen = elided.group(2), ""
        clitic = CLITIC.match(part)
        if clitic and "'" not in clitic.group(1):
            tokens += [hyphen + clitic.group(1), clitic.group(2)]
        else:
            tokens.append(hyphen + part)
    return tokens


def cased_tokens(text: str) -> list[str]:
    """The tokens of `text` with their case as written (see `tokenize`)."""
    text = unicodedata.normalize("NFC", text).translate(SPACES)
    tokens: list[str] = []
    for chunk in CHUNK_PATTERN.findall(text):
        tokens += _split_word(chunk) if len(chunk) > 1 and ("'" in chunk or "-" in chunk) else [chunk]
    return tokens


def tokenize(text: str) -> list[str]:
    """Lowercased words and punctuation marks of `text`, in order."""
    return [token.lower() for token in cased_tokens(text)]


def _joins_previous(token: str) -> bool:
    """A token written without a space before it: punctuation, a clitic, a hyphenated part."""
    return (
        token in NO_SPACE_BEFORE
        or token == "n't"
        or (len(token) > 1 and token[0] in "'-" and token[1].isalnum())
    )


def detokenize(tokens: Iterable[str]) -> str:
    """Tokens back to a sentence: no space before punctuation, a clitic or the second part of a
    hyphenated word, nor after an elided word."""
    text, previous = "", ""
    for token in tokens:
        elided = len(previous) > 1 and previous.endswith("'")  # l', qu'; not a lone '
        if text and not elided and not _joins_previous(token):
            text += " "
        text += token
        previous = token
    return text


class TextInputError(ValueError):
    """Text that a model cannot take: empty, too long, or without a word it knows."""


@dataclass
class Vocab:
    """Words <-> ids, with the four special tokens first. `counts` (optional) says how many
    times each word was seen in the training sentences, `cased` how a word is usually written
    when not lowercase (names: "tom" -> "Tom"); older checkpoints have neither."""

    words: list[str]
    counts: dict[str, int] = field(default_factory=dict, compare=False)
    cased: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if tuple(self.words[: len(SPECIALS)]) != SPECIALS:
            raise ValueError(f"a vocabulary must start with {', '.join(SPECIALS)}")
        self.index = {word: i for i, word in enumerate(self.words)}

    @classmethod
    def build(cls, sentences: Iterable[str], min_count: int = 1) -> Vocab:
        """The vocabulary of `sentences` (tokenised here): every word seen `min_count` times,
        most frequent first, ties in alphabetical order so a build is reproducible. Also keeps
        every word's count and the usual written form of words mostly capitalised inside a
        sentence (names, "I"), learnt from the sentences themselves."""
        counts: Counter[str] = Counter()
        forms: dict[str, Counter[str]] = {}
        for sentence in sentences:
            tokens = cased_tokens(sentence)
            for position, token in enumerate(tokens):
                lower = token.lower()
                counts[lower] += 1
                if position > 0 and tokens[position - 1] not in (".", "!", "?", "«", '"', "—"):
                    forms.setdefault(lower, Counter())[token] += 1
        kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        words = list(SPECIALS) + [w for w in kept if w not in SPECIALS]
        cased = {}
        for word in words[len(SPECIALS) :]:
            usual = (
                max(forms[word].items(), key=lambda item: (item[1], item[0]))[0] if word in forms else word
            )
            if usual != word:
                cased[word] = usual
        return cls(words, dict(counts), cased)

    def seen(self, word: str) -> int:
        """How many times the training sentences had `word` (lowercase): 0 for a word never
        seen; for a vocabulary without counts, 1 if it is in the vocabulary."""
        if self.counts:
            return self.counts.get(word, 0)
        return int(word in self.index)

    def sentence(self, tokens: Iterable[str]) -> str:
        """Tokens as a sentence: detokenised, names in their usual case, a capital first letter."""
        text = detokenize(self.cased.get(token, token) for token in tokens)
        return text[:1].upper() + text[1:] if self.cased else text

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
        data: dict = {"words": list(self.words)}
        if self.counts:
            data["counts"] = dict(self.counts)
        if self.cased:
            data["cased"] = dict(self.cased)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Vocab:
        return cls(list(data["words"]), dict(data.get("counts", {})), dict(data.get("cased", {})))


MAX_SOURCE_TOKENS = 40  # longer sentences are cut here (training sentences have at most ~30)


def encode_source(vocab: Vocab, text: str) -> list[int]:
    """Source ids ending in EOS, so the encoder reads where the sentence ends."""
    return [*vocab.encode(text)[: MAX_SOURCE_TOKENS - 1], EOS]
