"""What a student does with the text model: let it write from a prompt (greedy, or sampled with
a temperature), and measure what it memorised."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import torch

from core.interactions import Interaction, Output
from core.labs.base import TrainedModel
from core.labs.charlstm.model import START, Vocabulary, sample_tokens
from core.labs.charlstm.train import (
    COURSE_MEMORISATION_RATE,
    EVAL_SEED,
    EXTRA_CHARS,
    MEMORISATION_SAMPLES,
    MEMORISATION_TEMPERATURE,
    generated_sentences,
    recalled_from_first_word,
    sentences_of,
    vocabulary_of,
)
from core.recurrent import one_thread
from core.specs import SEED, Param, SpecError, read_temperature

MAX_PROMPT_CHARS = 500
MAX_GENERATED_CHARS = 500
MAX_COUNT = 50
MAX_SEED = 2**31 - 1
GREEDY_BELOW = 0.01  # temperatures under this are greedy decoding: 1/T would overflow
MAX_TEMPERATURE = 10.0  # beyond this every character is about equally likely anyway


class GenerationError(SpecError):
    """A prompt, temperature or count that the model cannot use (every front shows SpecError)."""


def check_temperature(value: Any) -> tuple[float, str]:
    """The temperature to use and a note when it was changed: 0 (or below GREEDY_BELOW) is
    greedy decoding, above MAX_TEMPERATURE is clamped. Negative or not a number is refused."""
    temperature = read_temperature(
        value,
        GenerationError,
        "Temperature must be a number, got {!r}.",
        "Temperature must be 0 (greedy) or more, got {!r}.",
    )
    if temperature < GREEDY_BELOW:
        note = (
            ""
            if temperature == 0
            else f"Temperature {temperature:g} is greedy decoding (below {GREEDY_BELOW:g})."
        )
        return 0.0, note
    if temperature > MAX_TEMPERATURE:
        return MAX_TEMPERATURE, (
            f"Temperature {temperature:g} was clamped to {MAX_TEMPERATURE:g}: beyond that every "
            "character is about equally likely."
        )
    return temperature, ""


def clean_prompt(prompt: Any, vocabulary: Vocabulary) -> str:
    """The prompt in the form the model learnt (NFC, no control characters; spaces kept as
    typed, since a trailing space is part of what to continue); refused with the reason if it is
    too long or holds characters the model never saw."""
    if prompt is None:
        return ""
    if not isinstance(prompt, str):
        raise GenerationError(f"The prompt must be text, got {type(prompt).__name__}.")
    text = unicodedata.normalize("NFC", prompt)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf") or ch == " ")
    if len(text) > MAX_PROMPT_CHARS:
        raise GenerationError(f"The prompt has {len(text):,} characters; the limit is {MAX_PROMPT_CHARS}.")
    unknown = vocabulary.unknown(text)
    if unknown:
        shown = " ".join(repr(ch) for ch in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        raise GenerationError(
            f"The model never saw {shown} in its sentences, so it cannot continue this prompt. "
            f"It knows {len(vocabulary.characters)} characters: {''.join(vocabulary.characters)!r}."
        )
    return text


def check_count(value: Any, high: int = MAX_COUNT) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
        raise GenerationError(f"Count must be a whole number, got {value!r}.") from None
    if count != value and not isinstance(value, str) and float(value) != count:
        raise GenerationError(f"Count must be a whole number, got {value!r}.")
    if not 1 <= count <= high:
        raise GenerationError(f"Count must be between 1 and {high}, got {count}.")
    return count


def check_seed(value: Any) -> int:
    try:
        seed = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
        raise GenerationError(f"Seed must be a whole number, got {value!r}.") from None
    if not 0 <= seed <= MAX_SEED:
        raise GenerationError(f"Seed must be between 0 and {MAX_SEED}, got {seed}.")
    return seed


@dataclass
class Generation:
    """Sentences written from one prompt, and whether each is a training sentence word for word."""

    prompt: str
    temperature: float
    texts: list[str]
    finished: list[bool]  # ended with <end> rather than at the length limit
    memorised: list[bool]
    notes: list[str] = field(default_factory=list)


def generate(
    trained: TrainedModel,
    prompt: str = "",
    temperature: Any = MEMORISATION_TEMPERATURE,
    count: Any = 1,
    seed: Any = 0,
    max_chars: int | None = None,
) -> Generation:
    """Continue `prompt` `count` times (greedy when temperature is 0; seeded otherwise)."""
    vocabulary = vocabulary_of(trained)
    sentences = sentences_of(trained)
    text = clean_prompt(prompt, vocabulary)
    temperature, note = check_temperature(temperature)
    count = check_count(count)
    if temperature == 0 and count > 1:
        count, note = (
            1,
            (note + " " if note else "") + "Greedy decoding writes one text: the same every time.",
        )
    longest = max(len(s) for s in sentences)
    limit = min(MAX_GENERATED_CHARS, max_chars or longest + EXTRA_CHARS)
    generator = torch.Generator().manual_seed(check_seed(seed))
    drawn = sample_tokens(
        trained.model, [START, *vocabulary.encode(text)], count, temperature, limit, generator
    )
    texts = [text + vocabulary.decode(tokens) for tokens, _ in drawn]
    known = set(sentences)
    return Generation(
        prompt=text,
        temperature=temperature,
        texts=texts,
        finished=[ended for _, ended in drawn],
        memorised=[t in known for t in texts],
        notes=[note] if note else [],
    )


@one_thread()  # tiny steps: on a busy server one thread is many times faster (see one_thread)
def write(
    trained: TrainedModel, prompt: str, greedy: bool, temperature: float, count: int, seed: int
) -> dict[str, Any]:
    # Greedy writes one text, the likeliest: the same every time, so one is asked for.
    result = generate(trained, prompt, 0 if greedy else temperature, 1 if greedy else count, seed)
    decoding = (
        "Greedy decoding" if result.temperature == 0 else f"Sampled at temperature {result.temperature:g}"
    )
    lines = [f"*{note}*" for note in result.notes] + [f"{decoding}:"]
    rows = []
    for text, memorised, finished in zip(result.texts, result.memorised, result.finished, strict=True):
        mark = "✅ memorised" if memorised else ("new text" if finished else "stopped at the length limit")
        lines.append(f"- `{text}` ({mark})")
        rows.append({"text": text, "memorised": memorised, "finished": finished})
    return {"written": "\n".join(lines), "texts": rows}


@one_thread()
def memorised(trained: TrainedModel, samples: int, temperature: float, seed: int) -> dict[str, Any]:
    vocabulary, sentences = vocabulary_of(trained), sentences_of(trained)
    temperature, note = check_temperature(temperature)
    texts = generated_sentences(trained.model, vocabulary, sentences, samples, temperature, seed)
    recalled = recalled_from_first_word(trained.model, vocabulary, sentences)
    counts = Counter(texts)
    rate = sum(counts[s] for s in sentences) / samples
    coverage = sum(counts[s] > 0 for s in sentences) / len(sentences)
    summary = (
        f"Memorisation rate **{rate:.0%}**: of {samples} sentences written from the start token at "
        f"temperature {temperature:g}, {sum(counts[s] for s in sentences)} are one of its "
        f"{len(sentences)} sentences word for word; {coverage:.0%} of its sentences came out at least "
        f"once, and greedy decoding finishes {sum(recalled)} of {len(sentences)} from their first word. "
        f"The course, starting from arbitrary characters, measured {COURSE_MEMORISATION_RATE:.0%}."
    )
    return {
        "summary": "\n\n".join([f"*{note}*"] * bool(note) + [summary]),
        "sentences": [
            {"sentence": s, "written": counts[s], "from its first word": r}
            for s, r in zip(sentences, recalled, strict=True)
        ],
        "others": [
            {"text": text, "written": n} for text, n in counts.most_common() if text not in set(sentences)
        ],
    }


TEMPERATURE = Param(
    "temperature",
    "float",
    MEMORISATION_TEMPERATURE,
    f"Below 1 sharpens the model's choices, above 1 flattens them; 0 is greedy, above "
    f"{MAX_TEMPERATURE:g} is clamped.",
    low=0.0,
    high=1000.0,
)

INTERACTIONS = (
    Interaction(
        "generate",
        "Write from a prompt",
        "The model continues a prompt (or starts a sentence itself) one character at a time: greedy "
        "takes the likeliest character, sampling draws with a temperature. Texts that are exactly "
        "one of its sentences are marked memorised.",
        write,
        inputs=(
            Param(
                "prompt",
                "text",
                "",
                f"Text to continue, up to {MAX_PROMPT_CHARS} characters it has seen.",
                label="Prompt (empty: the model starts a sentence itself)",
            ),
            Param(
                "greedy",
                "bool",
                False,
                "Always the likeliest character: one text, the same every time.",
                label="Greedy (always the likeliest character)",
            ),
            TEMPERATURE,
            Param("count", "int", 3, "How many texts to write.", label="How many", low=1, high=MAX_COUNT),
            SEED,
        ),
        outputs=(
            Output("written", "markdown", "What it wrote"),
            Output("texts", "table", "Each text"),
        ),
        example={"prompt": "A recurrent", "greedy": True},
    ),
    Interaction(
        "memorisation",
        "What it memorised",
        "The sentences it learnt and how well it knows them: the share of sentences written from the "
        "start token that are exactly one of them (the memorisation rate), how often each came out, "
        "and whether greedy decoding finishes each from its first word.",
        memorised,
        inputs=(
            Param("samples", "int", MEMORISATION_SAMPLES, "Sentences to write.", low=1, high=500),
            TEMPERATURE,
            Param(
                "seed",
                "int",
                EVAL_SEED,
                "Seed of the sampling (0: the lab's own measure).",
                low=0,
                high=MAX_SEED,
            ),
        ),
        outputs=(
            Output("summary", "markdown", "Memorisation"),
            Output("sentences", "table", "Its sentences"),
            Output("others", "table", "Other texts it wrote"),
        ),
        example={"samples": 20},
        live=False,
    ),
)
