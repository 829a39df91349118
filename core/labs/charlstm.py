"""Character-level text lab: an LSTM memorises a few sentences, then writes from a prompt.

The vocabulary is every character of the sentences plus three special tokens: padding, start
and end. Training is teacher-forced on all the sentences at once (one step per epoch): the
input is `<start>` + sentence, the target sentence + `<end>`. Generation starts at `<start>`
(then the prompt, if any) and feeds each drawn character back until `<end>`.

The course started each generated sentence from an arbitrary character (sample i began with
vocabulary entry i), so most samples began no training sentence at all, and it measured a
memorisation rate of 25%. Starting from the start token every sentence begins, the rate is what
the model actually learnt. The vocabulary is saved in config.json as a list of characters, never
pickled.
"""

from __future__ import annotations

import argparse
import json
import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from core.catalogue import CHARLSTM as SPEC
from core.events import EpochEnd, Event, Progress, Trained
from core.labs.base import CHECKPOINT_ROOT, Lab, TrainedModel
from core.runner import TrainContext
from core.sentences import split_sentences
from core.specs import SpecError

SPECIAL_TOKENS = ("<pad>", "<start>", "<end>")
PAD, START, END = 0, 1, 2
EMBEDDING_SIZE = 32
CLIP_NORM = 1.0
MEMORISATION_SAMPLES = 100  # sentences generated to measure the memorisation rate
MEMORISATION_TEMPERATURE = 0.5  # the course's sampling temperature
PROBE_SAMPLES = 20  # the live curve's smaller sample
PROBES_PER_TRAINING = 20  # how many times the live memorisation curve is measured
EVAL_SEED = 0
MAX_PROMPT_CHARS = 500
MAX_GENERATED_CHARS = 500
MAX_COUNT = 50
MAX_SEED = 2**31 - 1
GREEDY_BELOW = 0.01  # temperatures under this are greedy decoding: 1/T would overflow
MAX_TEMPERATURE = 10.0  # beyond this every character is about equally likely anyway
EXTRA_CHARS = 20  # generation stops this far past the longest sentence if no <end> comes


class GenerationError(SpecError):
    """A prompt, temperature or count that the model cannot use (every front shows SpecError)."""


# --- vocabulary ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """Characters by index, after the special tokens: index i + 3 is `characters[i]`."""

    characters: tuple[str, ...]

    @classmethod
    def from_sentences(cls, sentences: Sequence[str]) -> Vocabulary:
        return cls(tuple(sorted({ch for sentence in sentences for ch in sentence})))

    def __len__(self) -> int:
        return len(SPECIAL_TOKENS) + len(self.characters)

    def unknown(self, text: str) -> list[str]:
        known = set(self.characters)
        return sorted({ch for ch in text if ch not in known})

    def encode(self, text: str) -> list[int]:
        index = {ch: i + len(SPECIAL_TOKENS) for i, ch in enumerate(self.characters)}
        return [index[ch] for ch in text]

    def decode(self, tokens: Sequence[int]) -> str:
        offset = len(SPECIAL_TOKENS)
        return "".join(self.characters[t - offset] for t in tokens if t >= offset)


def vocabulary_of(trained: TrainedModel) -> Vocabulary:
    return Vocabulary(tuple(trained.config["vocabulary"]))


def sentences_of(trained: TrainedModel) -> list[str]:
    return list(trained.config["sentences"])


# --- the model -----------------------------------------------------------------------------


class CharLSTM(nn.Module):
    """Embedding -> stacked LSTM -> a linear layer giving every next character's score."""

    def __init__(self, vocab_size: int, hidden_size: int, layers: int, embedding_size: int = EMBEDDING_SIZE):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_size, padding_idx=PAD)
        self.lstm = nn.LSTM(embedding_size, hidden_size, num_layers=layers, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(
        self, tokens: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """(N, T) token indices -> (N, T, vocabulary) logits and the LSTM state after them."""
        outputs, state = self.lstm(self.embedding(tokens), state)
        return self.out(outputs), state


def teacher_forcing_batch(
    sentences: Sequence[str], vocabulary: Vocabulary
) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs `<start>` + sentence and targets sentence + `<end>`, padded to one length."""
    longest = max(len(s) for s in sentences) + 1
    inputs = torch.full((len(sentences), longest), PAD, dtype=torch.long)
    targets = torch.full((len(sentences), longest), PAD, dtype=torch.long)
    for row, sentence in enumerate(sentences):
        tokens = vocabulary.encode(sentence)
        inputs[row, : len(tokens) + 1] = torch.tensor([START, *tokens])
        targets[row, : len(tokens) + 1] = torch.tensor([*tokens, END])
    return inputs, targets


# --- generation ----------------------------------------------------------------------------


@torch.no_grad()
def sample_tokens(
    model: CharLSTM,
    prefix: Sequence[int],
    count: int,
    temperature: float,
    max_new: int,
    generator: torch.Generator | None = None,
) -> list[tuple[list[int], bool]]:
    """`count` continuations of `prefix` (which starts with `<start>`), drawn in one batch:
    greedy when temperature is 0. Each is (new tokens, whether it ended with `<end>`)."""
    was_training = model.training
    model.eval()
    logits, state = model(torch.tensor([list(prefix)] * count))
    last = logits[:, -1]
    new: list[list[int]] = [[] for _ in range(count)]
    finished = [False] * count
    for _ in range(max_new):
        if temperature == 0:
            tokens = last.argmax(1)
        else:
            probabilities = F.softmax(last / temperature, dim=1)
            tokens = torch.multinomial(probabilities, 1, generator=generator).squeeze(1)
        for row, token in enumerate(tokens.tolist()):
            if finished[row]:
                continue
            if token == END:
                finished[row] = True
            elif token >= len(SPECIAL_TOKENS):
                new[row].append(token)
        if all(finished):
            break
        logits, state = model(tokens[:, None], state)
        last = logits[:, -1]
    model.train(was_training)
    return list(zip(new, finished, strict=True))


def check_temperature(value: Any) -> tuple[float, str]:
    """The temperature to use and a note when it was changed: 0 (or below GREEDY_BELOW) is
    greedy decoding, above MAX_TEMPERATURE is clamped. Negative or not a number is refused."""
    try:
        temperature = float(value)
    except OverflowError:  # an int too large for a float (10**400): clamped like any huge value
        temperature = math.inf if value > 0 else -math.inf
    except (TypeError, ValueError):
        raise GenerationError(f"Temperature must be a number, got {value!r}.") from None
    if math.isnan(temperature) or temperature < 0:
        raise GenerationError(f"Temperature must be 0 (greedy) or more, got {value!r}.")
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt,
            "temperature": self.temperature,
            "decoding": "greedy" if self.temperature == 0 else "sampling",
            "texts": self.texts,
            "finished": self.finished,
            "memorised": self.memorised,
            "notes": self.notes,
        }


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


def memorisation(
    model: CharLSTM,
    vocabulary: Vocabulary,
    sentences: Sequence[str],
    samples: int = MEMORISATION_SAMPLES,
    temperature: float = MEMORISATION_TEMPERATURE,
    seed: int = EVAL_SEED,
) -> dict[str, Any]:
    """The course's criterion done right: generate `samples` sentences from `<start>` and count
    those that are a training sentence exactly. Also: how many training sentences came out at
    least once (coverage), and how many greedy decoding recovers from each one's first word."""
    generator = torch.Generator().manual_seed(seed)
    limit = max(len(s) for s in sentences) + EXTRA_CHARS
    drawn = sample_tokens(model, [START], samples, temperature, limit, generator)
    texts = [vocabulary.decode(tokens) for tokens, _ in drawn]
    known = set(sentences)
    recalled = 0
    for sentence in sentences:
        first_word = sentence.split(" ")[0]
        ((tokens, _),) = sample_tokens(model, [START, *vocabulary.encode(first_word)], 1, 0.0, limit)
        recalled += first_word + vocabulary.decode(tokens) == sentence
    return {
        "memorisation_rate": sum(t in known for t in texts) / samples,
        "coverage": len(known & set(texts)) / len(known),
        "recall_from_first_word": recalled / len(sentences),
        "samples": samples,
        "temperature": temperature,
    }


# --- the lab -------------------------------------------------------------------------------


class CharLSTMLab(Lab):
    spec = SPEC

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        # Generation reads the sentences later: a hand-edited config is refused on load instead.
        sentences = config["sentences"]
        if not isinstance(sentences, list) or not sentences or not all(isinstance(s, str) for s in sentences):
            raise ValueError("sentences must be a non-empty list of texts")
        vocab_size = len(SPECIAL_TOKENS) + len(config["vocabulary"])
        return CharLSTM(
            vocab_size, int(config["hidden_size"]), int(config["layers"]), int(config["embedding_size"])
        )

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        """The bundled model knows the default sentences; edited sentences need a training."""
        return CHECKPOINT_ROOT / "charlstm-default"

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        sentences = split_sentences(params["sentences"])
        vocabulary = Vocabulary.from_sentences(sentences)
        config = {
            "lab": SPEC.id,
            "architecture": f"LSTM {params['layers']}x{params['hidden_size']}",
            "sentences": sentences,
            "vocabulary": list(vocabulary.characters),
            "special_tokens": list(SPECIAL_TOKENS),
            "embedding_size": EMBEDDING_SIZE,
            "hidden_size": params["hidden_size"],
            "layers": params["layers"],
            "data": {"description": f"{len(sentences)} sentences typed in the lab", "dataset": "sentences"},
            "params": params,
        }
        model = self.build_model(config).to(ctx.device)
        optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"])
        epochs = params["epochs"]
        scheduler = None
        if params["schedule"] == "one-cycle":
            scheduler = torch.optim.lr_scheduler.OneCycleLR(
                optimizer, max_lr=params["learning_rate"], total_steps=epochs, pct_start=0.25
            )
        inputs, targets = (t.to(ctx.device) for t in teacher_forcing_batch(sentences, vocabulary))
        real = targets != PAD
        probe_every = max(1, epochs // PROBES_PER_TRAINING)

        ctx.watch(model)
        for epoch in range(1, epochs + 1):
            model.train()
            logits, _ = model(inputs)
            loss = F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=PAD)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            accuracy = float(((logits.argmax(2) == targets) & real).sum() / real.sum())
            metrics = {"loss": loss.item(), "accuracy": accuracy}
            probe = epoch % probe_every == 0 or epoch == epochs
            if probe:
                found = memorisation(model, vocabulary, sentences, samples=PROBE_SAMPLES, seed=epoch)
                metrics["memorisation"] = found["memorisation_rate"]
            yield Progress(epoch, epochs, float(epoch), metrics)
            stop = ctx.should_stop()
            if probe or stop:  # an "epoch" is a single step here: report at the probes only
                yield EpochEnd(epoch, epoch, {"train_loss": metrics["loss"], "train_accuracy": accuracy})
            if stop:
                break
        model.eval()
        seconds = round(ctx.elapsed(), 2)
        final = memorisation(model, vocabulary, sentences)
        metrics = {
            **final,
            "sentences": len(sentences),
            "vocabulary_size": len(vocabulary.characters),
            "final_loss": loss.item(),
            "train_seconds": seconds,
            "steps": epoch,
        }
        config["training"] = {"device": str(ctx.device), "seconds": seconds}
        yield Trained(model.cpu().eval(), config, metrics)

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        figures = memorisation(trained.model, vocabulary_of(trained), sentences_of(trained))
        return {
            "lab": SPEC.id,
            **figures,
            "target_memorisation_rate": 0.9,
            "meets_target": figures["memorisation_rate"] >= 0.9,
            "course_memorisation_rate": 0.25,
            "sentences": len(sentences_of(trained)),
            "architecture": trained.config.get("architecture"),
        }

    def headline(self, metrics: dict[str, Any]) -> str:
        rate = metrics.get("memorisation_rate")
        if not isinstance(rate, float):
            return ""
        return f"memorisation rate {rate:.0%} of {metrics.get('samples')} generated sentences"

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()) if k != "sentences")
        sentences = "\n".join(f"- {s}" for s in config.get("sentences", []))
        rate = metrics.get("memorisation_rate")
        figure = f"{rate:.0%}" if isinstance(rate, float) else "n/a"
        return (
            "---\nlibrary_name: pytorch\ntags:\n- text-generation\n- lstm\n- character-level\n"
            "- deep-learning-labs\n---\n\n"
            f"# Character-level LSTM ({config.get('architecture')})\n\n"
            f"Trained by Deep Learning Labs' charlstm lab to memorise these sentences:\n\n{sentences}\n\n"
            f"- Memorisation rate: {figure} of {metrics.get('samples')} sentences generated from the "
            f"start token at temperature {metrics.get('temperature')} (exact matches)\n"
            f"- Vocabulary: {len(config.get('vocabulary', []))} characters in config.json, after the "
            f"special tokens {', '.join(SPECIAL_TOKENS)}\n\n"
            f"Reproduce: `python -m core train charlstm {settings}` (sentences: the lab's defaults)\n"
        )

    def add_cli_commands(self, commands: argparse._SubParsersAction) -> None:
        command = self.add_lab_command(commands, "generate", "generate from a trained model")
        command.add_argument("--prompt", default="", help="text to continue (default: start a sentence)")
        command.add_argument(
            "--temperature",
            default=MEMORISATION_TEMPERATURE,
            help=f"sampling temperature, 0 for greedy (default {MEMORISATION_TEMPERATURE})",
        )
        command.add_argument("--greedy", action="store_true", help="greedy decoding (temperature 0)")
        command.add_argument("--count", default=1, help=f"how many texts, 1 to {MAX_COUNT} (default 1)")
        command.add_argument("--seed", type=int, default=0, help="seed of the sampling (default 0)")
        command.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
        command.add_argument("--json", action="store_true", help="print the result as one JSON object")
        command.set_defaults(handler=self.cli_generate)

    def cli_generate(self, args: argparse.Namespace) -> int:
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        temperature = 0 if args.greedy else args.temperature
        result = generate(trained, args.prompt, temperature, args.count, args.seed)
        if args.json:
            print(json.dumps(result.to_dict(), ensure_ascii=False))
            return 0
        for note in result.notes:
            print(f"note: {note}")
        for text, memorised in zip(result.texts, result.memorised, strict=True):
            print(text + ("   [memorised]" if memorised else ""))
        return 0
