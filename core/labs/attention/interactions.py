"""What a student does in the attention lab: explore the attention between two typed sentences
(no model needed), and feed digit strings to the toy model to read the alignment it learnt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from core import charts
from core.interactions import Heatmap, Interaction, Output
from core.labs.attention.explorer import (
    DEFAULT_DIM,
    DIMENSIONS,
    MAX_CHARS,
    MAX_HEADS,
    MAX_PAD_TO,
    TEMPERATURE_RANGE,
    AttentionInputError,
    Exploration,
    explore,
)
from core.labs.attention.model import SYMBOLS, ToyAttention
from core.labs.base import TrainedModel
from core.markup import code
from core.specs import Param

# --- the toy model -------------------------------------------------------------------------


def parse_digits(text: Any, max_length: int) -> str:
    """The digits of `text` (spaces and commas allowed between them), checked for the toy model."""
    if not isinstance(text, str) or not text.strip():
        raise AttentionInputError("Type a string of digits, e.g. 31415.")
    if len(text) > MAX_CHARS:
        raise AttentionInputError(f"That is {len(text):,} characters; type at most {max_length} digits.")
    digits = "".join(ch for ch in text if ch not in " ,")
    wrong = sorted({ch for ch in digits if ch not in SYMBOLS})
    if wrong:
        shown = " ".join(repr(ch) for ch in wrong[:5])
        raise AttentionInputError(f"The toy model reads only the digits 0-9, not {shown}.")
    if not 2 <= len(digits) <= max_length:
        raise AttentionInputError(
            f"Type 2 to {max_length} digits (the model was trained on those lengths); got {len(digits)}."
        )
    return digits


@dataclass
class ToyResult:
    """The toy model's answer for one digit string, its attention and the right answer."""

    task: str
    digits: str
    output: str
    expected: str
    weights: np.ndarray  # (n, n): rows are output positions, columns input positions

    @property
    def correct(self) -> bool:
        return self.output == self.expected


def run_toy(trained: TrainedModel, text: Any) -> ToyResult:
    """The trained toy model on a typed digit string."""
    model: ToyAttention = trained.model
    task = trained.config["task"]
    digits = parse_digits(text, model.max_length)
    ids = torch.tensor([[SYMBOLS.index(ch) for ch in digits]])
    with torch.no_grad():
        logits, weights = model.eval()(ids, torch.tensor([len(digits)]))
    output = "".join(SYMBOLS[i] for i in logits[0].argmax(-1).tolist())
    expected = digits if task == "copy" else digits[::-1]
    return ToyResult(task, digits, output, expected, weights[0].numpy())


def toy(trained: TrainedModel, digits: str) -> dict[str, Any]:
    result = run_toy(trained, digits)
    verdict = "right" if result.correct else f"wrong: the answer is {result.expected}"
    return {
        "answer": f"**{result.task}** {result.digits} → **{result.output}** ({verdict})",
        "weights": Heatmap(
            result.weights.astype(float),
            x=tuple(result.digits),
            y=tuple(f"out {i + 1}: {ch}" for i, ch in enumerate(result.output)),
            title="Which input digit each output position reads",
            x_title="input",
            y_title="output",
            zmin=0.0,
            zmax=1.0,
        ),
    }


# --- the explorer --------------------------------------------------------------------------


def explore_sentences(
    trained: None,
    query: str,
    keys: str,
    dim: str,
    heads: int,
    temperature: float,
    scale: bool,
    causal: bool,
    pad_to: int,
    mask_padding: bool,
    positions: bool,
) -> dict[str, Any]:
    result = explore(
        query,
        keys,
        heads=heads,
        temperature=temperature,
        scale=scale,
        causal=causal,
        pad_to=pad_to,
        mask_padding=mask_padding,
        positions=positions,
        dim=dim,
    )
    several = result.settings["heads"] > 1
    label = " (averaged over the heads)" if several else ""
    scores = result.scores.mean(axis=0)
    scores = np.where(np.isfinite(scores), scores, np.nan)  # masked (-inf): a blank cell
    real = result.key_tokens[: len(result.gru_influence)]
    coordinates = tuple(str(i + 1) for i in range(result.outputs.shape[1]))
    return {
        "summary": summary(result),
        "weights": Heatmap(
            result.mean_weights,
            x=tuple(result.key_tokens),
            y=tuple(result.query_tokens),
            title=f"Softmax weights{label}; rows sum to 1",
            x_title="keys",
            y_title="queries",
            zmin=0.0,
            zmax=1.0,
        ),
        "scores": Heatmap(
            scores,
            x=tuple(result.key_tokens),
            y=tuple(result.query_tokens),
            title=f"Scores before the softmax{label}, after scaling and temperature (blank: masked)",
            x_title="keys",
            y_title="queries",
            signed=True,
        ),
        **(
            {
                "per_head": charts.attention_grid(
                    result.weights[None], result.query_tokens, result.key_tokens, "Each head's weights"
                )
            }
            if several
            else {}
        ),
        "outputs": Heatmap(
            result.outputs,
            x=coordinates,
            y=tuple(result.query_tokens),
            title="Attention outputs: one vector per query word (rows)",
            x_title="coordinate",
            signed=True,
        ),
        "gru_state": Heatmap(
            result.gru_state[None],
            x=coordinates,
            y=("GRU",),
            title="GRU's final state: one vector for the whole key sentence",
            x_title="coordinate",
            signed=True,
        ),
        "gru_influence": Heatmap(
            result.gru_influence[None],
            x=tuple(real),
            y=("GRU",),
            title="How far the GRU's final state moves when each key word is blanked (shares)",
            zmin=0.0,
            zmax=1.0,
        ),
    }


def summary(result: Exploration) -> str:
    """Each query word's strongest key, the settings in effect, and any note (a clamp, a cut)."""
    strongest = ", ".join(f"{code(q)} → {code(k)} ({w:.0%})" for q, k, w in result.strongest())
    settings = result.settings
    heads = settings["heads"]
    lines = [
        f"Each query word's strongest key: {strongest}",
        f"{heads} head{'s' if heads > 1 else ''} of {settings['head_dim']} coordinates, "
        f"{'scaled by √' + str(settings['head_dim']) if settings['scale'] else 'not scaled'}, "
        f"temperature {settings['temperature']:g}.",
        *(f"*{note}*" for note in result.notes),
    ]
    return "\n\n".join(lines)


# --- the declaration -----------------------------------------------------------------------

QUERY = Param(
    "query",
    "text",
    "the cats sat on the mats",
    "The sentence whose words ask (the queries).",
    label="Query sentence (its words ask)",
    lines=1,
)
KEYS = Param(
    "keys",
    "text",
    "a cat sat on a mat",
    "The sentence whose words answer (keys and values).",
    label="Key/value sentence (its words answer)",
    lines=1,
)

INTERACTIONS = (
    Interaction(
        "explore",
        "Explore attention",
        "Type a query and a key/value sentence and read the scaled dot-product attention between them: "
        "the scores, the softmax weights and the outputs, beside a GRU's single final state for the "
        "whole key sentence. The GRU (fixed random weights, untrained, like the course's) leans on the "
        "last words it read; attention gives every query word its own mix of all the key words. Word "
        "vectors are character 3-gram hashes (see Theory), so similar spellings match.",
        explore_sentences,
        inputs=(
            QUERY,
            KEYS,
            Param(
                "dim",
                "choice",
                str(DEFAULT_DIM),
                "Size of every word vector.",
                label="Vector size d",
                choices=tuple(str(d) for d in DIMENSIONS),
            ),
            Param(
                "heads",
                "int",
                1,
                "Heads split the d coordinates into groups of d / heads; they must divide d.",
                label="Heads (each reads d / heads coordinates)",
                low=1,
                high=MAX_HEADS,
            ),
            Param(
                "temperature",
                "float",
                1.0,
                "The scores are divided by it: small sharpens, large flattens towards uniform.",
                label="Temperature T",
                low=TEMPERATURE_RANGE[0],
                high=TEMPERATURE_RANGE[1],
                log=True,
            ),
            Param("scale", "bool", True, "Divide the scores by √d_k.", label="Divide the scores by √d_k"),
            Param("causal", "bool", False, "Query word i sees key words 0..i only.", label="Causal mask"),
            Param(
                "pad_to",
                "int",
                0,
                "Pad the key sentence with `<pad>` slots to this length (0: no padding).",
                label="Pad the keys to this length",
                low=0,
                high=MAX_PAD_TO,
            ),
            Param(
                "mask_padding",
                "bool",
                True,
                "Hide the `<pad>` slots from the softmax.",
                label="Mask the padding",
            ),
            Param(
                "positions", "bool", False, "Add sinusoidal positions to the vectors.", label="Add positions"
            ),
        ),
        outputs=(
            Output("summary", "markdown", "Strongest keys"),
            Output("weights", "heatmap", "Softmax weights"),
            Output("scores", "heatmap", "Scores"),
            Output("per_head", "plot", "Each head"),
            Output("outputs", "heatmap", "Attention outputs"),
            Output("gru_state", "heatmap", "GRU's final state"),
            Output("gru_influence", "heatmap", "Each key word's share in the GRU's state"),
        ),
        example={"query": "the cats sat on the mats", "keys": "a cat sat on a mat", "heads": 2},
        needs_model=False,
    ),
    Interaction(
        "toy",
        "Try the toy model",
        "Feed digits to the toy attention model (2 to 8 digits for the bundled ones): its answer, and "
        "which input digit each output position reads. The reverse model's weights form the "
        "anti-diagonal, the copy model's the diagonal.",
        toy,
        inputs=(
            Param(
                "digits",
                "text",
                "31415926",
                "2 to 8 digits, e.g. 31415.",
                label="Digits to feed the toy model",
                lines=1,
            ),
        ),
        outputs=(Output("answer", "markdown", "Answer"), Output("weights", "heatmap", "Attention")),
        example={"digits": "31415926"},
    ),
)
