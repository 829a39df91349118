"""What a student does with a seq2seq pair: translate any sentence with both models (with and
without attention) and read the attention model's alignment; or pick a held-out sentence, never
trained on, and compare both translations with its reference."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core import sentence_pairs
from core.interactions import Heatmap, Interaction, Output
from core.labs.base import TrainedModel
from core.labs.seq2seq.model import MODEL_LABELS, Seq2seqPair, max_output_length, vocabularies
from core.labs.seq2seq.train import LONG_WORDS
from core.markup import code, code_list
from core.sentence_pairs import (
    MAX_SOURCE_TOKENS,
    WORDS,
    check_text,
    corpus_limits,
    encode_source,
    pad_rows,
    word_table,
)
from core.specs import Param
from core.tokens import TextInputError, tokenize

DEFAULT_TEXT = "Tom doesn't like coffee."
LIMITS = (
    " The bundled models learnt short everyday sentences (Tatoeba, up to about 8 words): a long or "
    "technical sentence, or a word they never saw, comes out wrong; the table says how often the "
    "training sentences had each word you typed."
)


@dataclass
class Seq2seqTranslation:
    """Both models' translations of one sentence, and the attention model's alignment."""

    source: str
    source_tokens: list[str]  # as the model read them: unknown words shown as <unk>, then <eos>
    unknown: list[str]
    attention: str
    plain: str
    target_tokens: list[str]  # the attention model's output words, then <eos> when it ended
    alignment: np.ndarray  # (len(target_tokens), len(source_tokens)): rows sum to 1
    notes: list[str] = field(default_factory=list)  # markdown, typed words in code spans


def translate(trained: TrainedModel, text: Any) -> Seq2seqTranslation:
    """Both models' greedy translations of `text` and the attention model's alignment. Raises
    TextInputError for empty or huge text and for text without one known word."""
    text = check_text(text)
    source_vocab, target_vocab = vocabularies(trained.config)
    tokens = tokenize(text)
    unknown = source_vocab.unknown_words(text)
    words = [token for token in tokens if any(ch.isalnum() for ch in token)]
    if not words:
        raise TextInputError("The text has no words to translate, only punctuation or symbols.")
    if all(word in unknown for word in words):
        examples = ", ".join([w for w in source_vocab.words[4:] if w.isalpha()][:8])
        raise TextInputError(
            f"None of these words is in the model's English vocabulary ({code_list(unknown[:5])}); "
            f"it knows {len(source_vocab) - 4} words, e.g. {examples}."
        )
    notes = []
    if len(tokens) > MAX_SOURCE_TOKENS - 1:
        notes.append(
            f"The sentence has {len(tokens)} words and marks; the first {MAX_SOURCE_TOKENS - 1} are read."
        )
    if unknown:
        notes.append(f"Not in the model's vocabulary, read as {code('<unk>')}: {code_list(unknown)}.")
    source_ids = encode_source(source_vocab, text)
    source, lengths = pad_rows([source_ids])
    pair: Seq2seqPair = trained.model
    pair.eval()
    max_len = max_output_length(len(source_ids))
    attention_ids, weights = pair.attention.greedy(source, lengths, max_len)
    plain_ids, _ = pair.plain.greedy(source, lengths, max_len)
    words = target_vocab.decode(attention_ids[0])
    ended = len(attention_ids[0]) < weights.shape[1]  # it emitted EOS within max_len
    shown = source_vocab.decode(source_ids[:-1])  # keeps <unk> visible
    return Seq2seqTranslation(
        source=text,
        source_tokens=[*shown, "<eos>"],
        unknown=unknown,
        attention=target_vocab.sentence(words),
        plain=target_vocab.sentence(target_vocab.decode(plain_ids[0])),
        target_tokens=[*words, *(["<eos>"] if ended else [])],
        alignment=weights[0, : len(words) + (1 if ended else 0)].numpy(),
        notes=notes,
    )


def shown(result: Seq2seqTranslation, reference: str | None = None) -> dict[str, Any]:
    """A translation as the fronts show it: both models' outputs, the notes, the alignment."""
    notes = [*result.notes]
    if reference:
        notes.insert(0, sentence_pairs.reference_note(reference))
    return {
        "attention": f"**With attention:** {code(result.attention)}",
        "plain": f"**Without attention:** {code(result.plain)}",
        **({"notes": "\n\n".join(notes)} if notes else {}),
        "alignment": Heatmap(
            result.alignment.astype(float),
            x=tuple(result.source_tokens),
            y=tuple(result.target_tokens),
            title="Alignment: the attention model's weights over the English words as it writes each "
            "French word",
            x_title="English (source)",
            y_title="French (output)",
            zmin=0.0,
            zmax=1.0,
        ),
    }


def translate_sentence(trained: TrainedModel, text: str) -> dict[str, Any]:
    result = translate(trained, text)
    answer = shown(result, sentence_pairs.heldout_reference(trained.config, result.source))
    limits = corpus_limits(trained.config)
    answer["notes"] = f"{answer['notes']}\n\n{limits}" if "notes" in answer else limits
    source_vocab, _ = vocabularies(trained.config)
    return answer | {"words": word_table(source_vocab, result.source)}


def heldout_sentence(trained: TrainedModel, index: int) -> dict[str, Any]:
    source, reference = sentence_pairs.heldout_pair(trained.config, index, LONG_WORDS)
    return {
        "source": sentence_pairs.heldout_heading(index, source),
        **shown(translate(trained, source), reference),
    }


TRANSLATIONS = (
    Output("attention", "markdown", MODEL_LABELS["attention"].capitalize()),
    Output("plain", "markdown", MODEL_LABELS["plain"].capitalize()),
    Output("notes", "markdown", "Notes"),
    Output("alignment", "heatmap", "Alignment"),
)

INTERACTIONS = (
    Interaction(
        "translate",
        "Translate",
        "Type an English sentence: both models translate it (greedy), and the heatmap shows where the "
        "attention model looked in the English as it wrote each French word. Words the model never "
        "saw are read as `<unk>` and listed." + LIMITS,
        translate_sentence,
        inputs=(
            Param(
                "text",
                "text",
                DEFAULT_TEXT,
                "A short everyday English sentence (what the models learnt).",
                label="English sentence",
                lines=1,
            ),
        ),
        outputs=(*TRANSLATIONS, WORDS),
        example={"text": DEFAULT_TEXT},
    ),
    Interaction(
        "heldout",
        "Held-out sentences",
        "Pick a held-out sentence by number (never trained on; on the generated corpus the first ones "
        "have more than 8 words, where one final state struggles): both translations beside every "
        "reference.",
        heldout_sentence,
        inputs=(sentence_pairs.HELDOUT_INDEX,),
        outputs=(sentence_pairs.HELDOUT_SOURCE, *TRANSLATIONS),
        example={"index": 3},
    ),
)
