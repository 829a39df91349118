"""Translate English sentences into French with the two encoder-decoders exported from Deep
Learning Labs' seq2seq lab: one with attention, one without.

    python predict.py "I am hungry." "Where is the station?"

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds both models (GRU or LSTM, as config.json says), tokens.py splits and joins words exactly
as the app does with the two vocabularies of config.json, decoding.py pads the sentences, and
model.safetensors holds what was trained. Both translate greedily, as in the app. A word the
model never saw is read as <unk>; at most 39 words of a sentence are read. Prints two lines per
sentence, the model with attention's translation and the plain model's, then the unknown words.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from model import MODEL_LABELS, MODELS, Seq2seqPair, translate_texts, vocabularies
from safetensors.torch import load_file
from tokens import tokenize

HERE = Path(__file__).resolve().parent
MAX_CHARACTERS = 1_000


def main(sentences: list[str]) -> None:
    config = json.loads((HERE / "config.json").read_text())
    source, target = vocabularies(config)
    pair = Seq2seqPair(config)
    pair.load_state_dict(load_file(HERE / "model.safetensors"))
    for text in sentences:
        words = [token for token in tokenize(text) if any(ch.isalnum() for ch in token)]
        if not words or len(text) > MAX_CHARACTERS:
            sys.exit(f"{text[:60]!r}: type one sentence of at most {MAX_CHARACTERS:,} characters, with words")
        unknown = source.unknown_words(text)
        if all(word in unknown for word in words):
            sys.exit(f"{text[:60]!r}: none of these words is in the model's English vocabulary")
        for name in MODELS:
            (said,) = translate_texts(pair.model(name), source, target, [text.strip()])
            print(f"{MODEL_LABELS[name]}: {said}")
        if unknown:
            print(f"unknown, read as <unk>: {', '.join(unknown)}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
