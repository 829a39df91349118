"""What a student does with a Transformer translator: translate a typed sentence (greedy or beam
search) and read the attention behind it, per layer and head; or pick a held-out sentence,
never trained on, and compare the translation with its reference."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from core import charts, sentence_pairs
from core.interactions import Heatmap, Interaction, Output
from core.labs.base import TrainedModel
from core.labs.transformer.model import Translator, translate_ids
from core.markup import code, code_list
from core.sentence_pairs import MAX_SOURCE_TOKENS, WORDS, check_text, corpus_limits, encode_source, word_table
from core.specs import Param
from core.tokens import EOS, SOS, SPECIALS, TextInputError, tokenize

MAX_BEAM = 10
LONG_WORDS = 10  # the held-out sentences offered first: more than 10 words, where reordering shows
DEFAULT_SENTENCE = "Tom doesn't like coffee."


@dataclass
class Translation:
    """One sentence translated, with the attention behind it.

    Attention arrays are (layers, heads, rows, columns): `cross_attention` rows are the target
    tokens produced (the last is <eos>), columns the source tokens; `encoder_attention` rows and
    columns are both source tokens. Every row sums to 1."""

    text: str
    translation: str
    source_tokens: list[str]  # as the model read them: <unk> for unknown words, then <eos>
    target_tokens: list[str]  # as it wrote them, then <eos>
    cross_attention: np.ndarray
    encoder_attention: np.ndarray
    beam: int
    log_prob: float
    unknown_words: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # markdown, typed words in code spans


def check_beam(beam: Any) -> tuple[int, list[str]]:
    """A beam width clamped to 1..MAX_BEAM, with a note when it was changed."""
    try:
        asked = int(beam)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
        raise TextInputError(f"The beam width must be a whole number, got {beam!r}.") from None
    clamped = min(MAX_BEAM, max(1, asked))
    if clamped == asked:
        return clamped, []
    why = (
        "1 means greedy search"
        if asked < 1
        else f"wider beams than {MAX_BEAM} cost much and gain nothing here"
    )
    return clamped, [f"Beam width {asked} was changed to {clamped} ({why})."]


@torch.no_grad()
def translate(trained: TrainedModel, text: str, beam: int = 1) -> Translation:
    """Translate one sentence and collect its attention maps: the interaction of this lab."""
    model: Translator = trained.model
    text = check_text(text)
    beam, notes = check_beam(beam)
    source_vocab = model.source_vocab
    tokens = tokenize(text)
    unknown = source_vocab.unknown_words(text)
    if tokens and all(token not in source_vocab for token in tokens):
        words = [w for w in source_vocab.words[len(SPECIALS) :] if w.isalpha()]
        examples = ", ".join(words[:8])
        raise TextInputError(
            f"None of these words is in the model's English vocabulary ({code_list(unknown[:6])}); "
            f"it knows {len(source_vocab) - len(SPECIALS)} words, such as {examples}."
        )
    if unknown:
        notes.append(f"Unknown to the model, read as {code('<unk>')}: {code_list(unknown)}.")
    if len(tokens) > MAX_SOURCE_TOKENS - 1:
        notes.append(f"Only the first {MAX_SOURCE_TOKENS - 1} of {len(tokens)} tokens were translated.")
    source_ids = encode_source(source_vocab, text)
    (output,) = translate_ids(model, [source_ids], beam)
    # One teacher-forced pass over the chosen output gives exactly the attention that produced
    # each token, since the causal mask hides later tokens just as decoding did.
    attention: dict[str, list] = {"encoder": [], "cross": []}
    logits = model(torch.tensor([source_ids]), torch.tensor([[SOS, *output]]), attention)
    cross = torch.stack([weights[0] for weights in attention["cross"]]).numpy()
    encoder = torch.stack([weights[0] for weights in attention["encoder"]]).numpy()
    log_probs = logits[0].log_softmax(-1)
    log_prob = float(log_probs[torch.arange(len(output) + 1), torch.tensor([*output, EOS])].sum())
    target_tokens = model.target_vocab.decode(output)
    return Translation(
        text=text,
        translation=model.target_vocab.sentence(target_tokens),
        source_tokens=[source_vocab.words[i] for i in source_ids],
        target_tokens=[*target_tokens, SPECIALS[EOS]],
        cross_attention=cross,
        encoder_attention=encoder,
        beam=beam,
        log_prob=log_prob,
        unknown_words=unknown,
        notes=notes,
    )


# --- as the fronts show it -----------------------------------------------------------------


def pick_view(result: Translation, layer: int, head: int) -> tuple[int, int | None, list[str]]:
    """The layer (0: the last) and head (0: their average) to draw, within the model's, and a
    note when the ones asked for were beyond it."""
    layers, heads = result.cross_attention.shape[:2]
    notes = []
    if layer > layers:
        notes.append(f"This model has {layers} layer{'s' if layers > 1 else ''}: layer {layers} is shown.")
    if head > heads:
        notes.append(f"This model has {heads} heads: their average is shown.")
    index = (layer if 0 < layer <= layers else layers) - 1
    return index, (head - 1 if 0 < head <= heads else None), notes


def shown(result: Translation, layer: int, head: int, reference: str | None = None) -> dict[str, Any]:
    """The translation, how it was found, its notes, and its attention maps."""
    index, number, view_notes = pick_view(result, layer, head)
    which = "average of the heads" if number is None else f"head {number + 1}"

    def attention_map(
        weights: np.ndarray, rows: list[str], name: str, what: str, axes: tuple[str, str]
    ) -> Heatmap:
        """The chosen layer's weights (one head's, or the heads' average): `rows` over the
        English words."""
        picked = weights[index].mean(0) if number is None else weights[index, number]
        return Heatmap(
            picked.astype(float),
            x=tuple(result.source_tokens),
            y=tuple(rows),
            title=f"{name}, layer {index + 1}, {which}: {what}",
            x_title=axes[0],
            y_title=axes[1],
            zmin=0.0,
            zmax=1.0,
        )

    search = "greedy search" if result.beam == 1 else f"beam search, width {result.beam}"
    lines = [
        f"{search} · log-probability {result.log_prob:.2f} (the log of how likely the model finds "
        "this translation: closer to 0 is surer)"
    ]
    if reference:
        lines.append(sentence_pairs.reference_note(reference))
    lines += [*result.notes, *view_notes]
    return {
        "translation": result.translation,
        "details": "\n\n".join(lines),
        "cross_attention": attention_map(
            result.cross_attention,
            result.target_tokens,
            "Cross-attention",
            "the English words (columns) each French word (rows) looked at",
            ("English (source)", "French (output)"),
        ),
        "encoder_attention": attention_map(
            result.encoder_attention,
            result.source_tokens,
            "Encoder self-attention",
            "the English words each English word gathers context from",
            ("English", "English"),
        ),
        "every_head": charts.attention_grid(
            result.cross_attention, result.target_tokens, result.source_tokens, "Cross-attention, every head"
        ),
    }


def translate_sentence(trained: TrainedModel, text: str, beam: int, layer: int, head: int) -> dict[str, Any]:
    result = translate(trained, text, beam)
    answer = shown(result, layer, head, sentence_pairs.heldout_reference(trained.config, result.text))
    answer["details"] += "\n\n" + corpus_limits(trained.config)
    return answer | {"words": word_table(trained.model.source_vocab, result.text)}


def heldout_sentence(trained: TrainedModel, index: int, beam: int, layer: int, head: int) -> dict[str, Any]:
    source, reference = sentence_pairs.heldout_pair(trained.config, index, LONG_WORDS)
    return {
        "source": sentence_pairs.heldout_heading(index, source),
        **shown(translate(trained, source, beam), layer, head, reference),
    }


VIEW = (
    Param(
        "beam",
        "int",
        1,
        "1: greedy search (the likeliest word at each step); more: beam search keeping that many "
        "partial translations.",
        label="Beam width (1: greedy)",
        low=1,
        high=MAX_BEAM,
    ),
    Param(
        "layer",
        "int",
        0,
        "Whose attention to draw; 0: the last layer (its cross-attention reads most like a word alignment).",
        label="Layer (0: the last)",
        low=0,
        high=6,
    ),
    Param(
        "head",
        "int",
        0,
        "Which head to draw; 0: the average of the heads.",
        label="Head (0: average)",
        low=0,
        high=16,
    ),
)
SHOWN = (
    Output("translation", "text", "French"),
    Output("details", "markdown", "How it was found"),
    Output("cross_attention", "heatmap", "Cross-attention"),
    Output("encoder_attention", "heatmap", "Encoder self-attention"),
    Output("every_head", "plot", "Cross-attention, every layer and head"),
)
LIMITS = (
    " The bundled model learnt short everyday sentences (Tatoeba, up to about 8 words): a long or "
    "technical sentence, or a word it never saw, comes out wrong; the table says how often the "
    "training sentences had each word you typed."
)

INTERACTIONS = (
    Interaction(
        "translate",
        "Translate",
        "Type an English sentence: its French translation, and the attention behind it. Cross-attention "
        "rows are the French words being written, columns the English words they looked at; crossing "
        "lines show reordering (adjective after the noun, pronoun before the verb). Words the model "
        "never saw are read as `<unk>` and listed." + LIMITS,
        translate_sentence,
        inputs=(
            Param(
                "text",
                "text",
                DEFAULT_SENTENCE,
                "A short everyday English sentence (what the model learnt).",
                label="English sentence",
                lines=1,
            ),
            *VIEW,
        ),
        outputs=(*SHOWN, WORDS),
        example={"text": DEFAULT_SENTENCE, "beam": 3},
    ),
    Interaction(
        "heldout",
        "Held-out sentences",
        "Pick a held-out sentence by number (never trained on; on the generated corpus the first ones "
        "have more than 10 words): its translation beside every reference, and the attention behind it.",
        heldout_sentence,
        inputs=(sentence_pairs.HELDOUT_INDEX, *VIEW),
        outputs=(sentence_pairs.HELDOUT_SOURCE, *SHOWN),
        example={"index": 2},
    ),
)
