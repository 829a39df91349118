"""Sentences typed by a student, made safe to learn from: the text lab's input, checked in one place.

Torch-free on purpose: `core.catalogue` uses `clean_sentences` to validate the sentences setting,
so every front (Streamlit, Gradio, the CLI) refuses the same bad input with the same message.
"""

from __future__ import annotations

import unicodedata

from core.specs import SpecError

MAX_SENTENCES = 50
MAX_SENTENCE_CHARS = 200
DEFAULT_SENTENCES = "\n".join(
    (
        "The quick brown fox jumps over the lazy dog.",
        "Deep learning models learn patterns from data.",
        "A recurrent network reads one character at a time.",
        "Memory lets an LSTM finish every sentence it has seen.",
        "Practice makes perfect.",
    )
)


def normalise(text: str) -> str:
    """NFC (so an accented letter typed two ways is one character), no control or format
    characters (tabs, zero-width spaces), runs of spaces made one."""
    text = unicodedata.normalize("NFC", text)
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return " ".join(kept.split())


def split_sentences(text: str) -> list[str]:
    """One sentence per line, normalised, blank lines and repeats dropped (a repeat adds nothing
    to memorise), in the order typed."""
    sentences: list[str] = []
    for line in text.splitlines():
        sentence = normalise(line)
        if sentence and sentence not in sentences:
            sentences.append(sentence)
    return sentences


def clean_sentences(text: str) -> str:
    """The sentences setting, cleaned, one per line; SpecError says what is wrong with it."""
    sentences = split_sentences(text)
    if not sentences:
        raise SpecError("Sentences: enter at least one sentence, one per line.")
    if len(sentences) > MAX_SENTENCES:
        raise SpecError(f"Sentences: at most {MAX_SENTENCES} sentences, got {len(sentences)}.")
    for number, sentence in enumerate(sentences, 1):
        if len(sentence) > MAX_SENTENCE_CHARS:
            raise SpecError(
                f"Sentences: sentence {number} has {len(sentence)} characters; the limit is "
                f"{MAX_SENTENCE_CHARS}. Split it over several lines."
            )
    return "\n".join(sentences)
