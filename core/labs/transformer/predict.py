"""Translate English sentences into French with the Transformer exported from Deep Learning Labs'
Transformer lab.

    python predict.py "I am hungry." "Where is the station?"
    python predict.py "Tom is my friend." --beam 4

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the encoder-decoder, tokens.py splits and joins words exactly as the app does (lower
case, punctuation, French elisions, English clitics) with the two vocabularies of config.json,
decoding.py searches (greedy, or a beam of --beam 2 to 10 as in the app), and
model.safetensors holds what was trained. A word the model never saw is read as <unk>; at most
39 words of a sentence are translated. Prints one translation a line, then the unknown words,
if any.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from model import Translator, translate_ids
from safetensors.torch import load_file
from tokens import MAX_SOURCE_TOKENS, SPECIALS, Vocab, encode_source, tokenize

HERE = Path(__file__).resolve().parent
MAX_BEAM, MAX_CHARACTERS = 10, 1_000


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter  # --help shows this file's docstring as written
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("sentences", nargs="+", help="English sentences")
    parser.add_argument("--beam", type=int, default=1, help=f"1 (greedy) to {MAX_BEAM}")
    args = parser.parse_args()
    config = json.loads((HERE / "config.json").read_text())
    source, target = Vocab.from_dict(config["source_vocab"]), Vocab.from_dict(config["target_vocab"])
    model = Translator(source, target, **config["model"])
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    model.eval()
    beam = min(MAX_BEAM, max(1, args.beam))
    for text in args.sentences:
        tokens = tokenize(text)
        if not tokens or len(text) > MAX_CHARACTERS:
            sys.exit(f"{text[:60]!r}: type one sentence of at most {MAX_CHARACTERS:,} characters, with words")
        unknown = source.unknown_words(text)
        if all(token not in source for token in tokens):
            known = ", ".join(w for w in source.words[len(SPECIALS) :][:40] if w.isalpha())
            sys.exit(f"{text[:60]!r}: none of these words is in the model's vocabulary (it knows {known}...)")
        (ids,) = translate_ids(model, [encode_source(source, text.strip())], beam)
        notes = [f"unknown, read as <unk>: {', '.join(unknown)}"] if unknown else []
        if len(tokens) >= MAX_SOURCE_TOKENS:
            notes.append(f"only the first {MAX_SOURCE_TOKENS - 1} of {len(tokens)} words were read")
        never = f"    ({'; '.join(notes)})" if notes else ""
        print(target.sentence(target.decode(ids)) + never)


if __name__ == "__main__":
    main()
