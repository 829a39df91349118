"""What the review labs' models share outside the app: the two classes, the special tokens, and
the app's word tokenizer written again in plain Python, so that an exported model reads a typed
review as the app does without Hugging Face `tokenizers` (core.export ships this file beside
predict.py; the app's core.reviews takes its constants from here).

The app's tokenizer (core.reviews.train_tokenizer) is a Hugging Face pipeline saved in
config.json: its special tokens are matched first, as typed; the rest is normalised (NFD, accents
stripped, lower case), split at white space and around every punctuation mark (BERT's
pre-tokenizer), and each piece looked up in the vocabulary, [UNK] when it is not there.
"""

from __future__ import annotations

import html
import re
import unicodedata

CLASSES = ("other", "great")  # index 1, "great", is the positive class of F1
PAD_TOKEN, UNK_TOKEN, CLS_TOKEN = "[PAD]", "[UNK]", "[CLS]"
SPECIAL_TOKENS = (PAD_TOKEN, UNK_TOKEN, CLS_TOKEN)  # ids 0, 1, 2
PAD, UNK, CLS = 0, 1, 2
BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# The pipeline this file reproduces, as config.json's tokenizer names its parts.
PIPELINE = {
    "normalizer": {
        "type": "Sequence",
        "normalizers": [{"type": "NFD"}, {"type": "StripAccents"}, {"type": "Lowercase"}],
    },
    "pre_tokenizer": {"type": "BertPreTokenizer"},
    "model": "WordLevel",
}


def clean(text: str) -> str:
    """A review as a reader sees it: HTML line breaks and entities (`<br />`, `&quot;`) undone,
    runs of spaces made one."""
    return " ".join(html.unescape(BREAK.sub(" ", str(text))).split())


def is_punctuation(ch: str) -> bool:
    """BERT's punctuation: ASCII symbols, and every character Unicode files under P*."""
    return (ch.isascii() and not ch.isalnum() and not ch.isspace() and ch.isprintable()) or (
        unicodedata.category(ch).startswith("P")
    )


class WordTokenizer:
    """The app's tokenizer from its JSON (config.json's "tokenizer"): `encode` gives the ids and
    the (start, end) of each token in the text, as Hugging Face's Tokenizer.encode does."""

    def __init__(self, saved: dict):
        parts = (saved.get("normalizer"), saved.get("pre_tokenizer"), saved.get("model", {}).get("type"))
        if parts != tuple(PIPELINE.values()):
            raise ValueError(f"this tokenizer is not the review labs' word tokenizer: {parts}")
        self.vocabulary: dict[str, int] = saved["model"]["vocab"]
        self.unknown = self.vocabulary[saved["model"]["unk_token"]]
        self.added = {token["content"]: token["id"] for token in saved.get("added_tokens", [])}

    @staticmethod
    def normalise(piece: str) -> str:
        stripped = "".join(
            ch for ch in unicodedata.normalize("NFD", piece) if unicodedata.category(ch) != "Mn"
        )
        return stripped.lower()

    def words(self, text: str) -> list[tuple[str, int, int]]:
        """The pieces of a text (normalised) with where each stands in it: special tokens as
        typed, then runs of letters and digits, each punctuation mark alone."""
        pieces: list[tuple[str, int, int]] = []
        special = "|".join(re.escape(token) for token in sorted(self.added, key=len, reverse=True))
        chunks = re.split(f"({special})", text) if special else [text]
        start = 0
        for chunk in chunks:
            if chunk in self.added:
                pieces.append((chunk, start, start + len(chunk)))
            else:
                word_start = None
                for i, ch in enumerate(chunk + " "):
                    if ch.isspace() or is_punctuation(ch):
                        if word_start is not None:
                            pieces.append((chunk[word_start:i], start + word_start, start + i))
                            word_start = None
                        if not ch.isspace() and i < len(chunk):
                            pieces.append((ch, start + i, start + i + 1))
                    elif word_start is None:
                        word_start = i
            start += len(chunk)
        return pieces

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        ids, offsets = [], []
        for piece, start, end in self.words(text):
            if piece in self.added:
                ids.append(self.added[piece])
            else:
                normalised = self.normalise(piece)
                if not normalised:  # a mark alone, such as a stray accent: nothing is left
                    continue
                ids.append(self.vocabulary.get(normalised, self.unknown))
            offsets.append((start, end))
        return ids, offsets


MAX_CHARACTERS = 5_000  # a typed review longer than this is refused before tokenising


def read_review(tokenizer: WordTokenizer, text: str, max_tokens: int) -> tuple[list[int], list[str]]:
    """A typed review's token ids and the words the tokenizer never learnt (read as [UNK]),
    checked as the app checks it: ValueError saying why when the models cannot read it."""
    text = " ".join(text.split())
    if not text:
        raise ValueError("the review is empty")
    if len(text) > MAX_CHARACTERS:
        raise ValueError(f"the review is {len(text):,} characters long; at most {MAX_CHARACTERS:,} are read")
    text = clean(text)
    ids, offsets = tokenizer.encode(text)
    if not ids:
        raise ValueError("the review has no words, only spaces or symbols the tokenizer drops")
    if len(ids) > max_tokens:
        raise ValueError(
            f"the review has {len(ids):,} words and punctuation marks; the models read {max_tokens:,}"
        )
    unknown = list(
        dict.fromkeys(text[start:end] for (start, end), i in zip(offsets, ids, strict=True) if i == UNK)
    )
    if all(i == UNK for i in ids):
        raise ValueError(
            f"none of these words was learnt ({', '.join(unknown[:8])}): type a review in English"
        )
    return ids, unknown
