"""Write text with a character-level LSTM exported from Deep Learning Labs' text lab.

    python predict.py "The quick" --temperature 0.5 --count 3 --seed 0
    python predict.py "Deep" --greedy

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the network and writes (generation feeds each drawn character back in until the model
writes <end>), model.safetensors and config.json hold what was trained, its vocabulary (every
character of its sentences) and the sentences themselves. The prompt may hold only characters
the model saw. --greedy takes the likeliest character each time (one text, the same every
time); otherwise characters are drawn at --temperature (below 1: bolder, above: wilder; at most
10) with PyTorch's generator seeded with --seed, as the app draws them. Prints one text a line,
marked when it is one of the training sentences word for word.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

import torch
from model import SPECIAL_TOKENS, START, CharLSTM, Vocabulary, sample_tokens
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
EXTRA_CHARS = 20  # writing stops this far past the longest sentence if no <end> comes
MAX_CHARS = 500
GREEDY_BELOW = 0.01  # temperatures under this are greedy: 1/T would overflow
MAX_TEMPERATURE = 10.0


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter  # --help shows this file's docstring as written
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("prompt", nargs="?", default="", help="the text to continue (empty: from the start)")
    parser.add_argument("--greedy", action="store_true", help="the likeliest character each time")
    parser.add_argument("--temperature", type=float, default=0.5, help="0.01 to 10 (0: greedy)")
    parser.add_argument("--count", type=int, default=1, help="how many texts (1 to 50)")
    parser.add_argument("--seed", type=int, default=0, help="the same seed writes the same texts")
    args = parser.parse_args()
    config = json.loads((HERE / "config.json").read_text())
    vocabulary = Vocabulary(tuple(config["vocabulary"]))
    model = CharLSTM(
        len(SPECIAL_TOKENS) + len(vocabulary.characters),
        int(config["hidden_size"]),
        int(config["layers"]),
        int(config["embedding_size"]),
    )
    model.load_state_dict(load_file(HERE / "model.safetensors"))
    prompt = unicodedata.normalize("NFC", args.prompt)  # as the app reads what was typed
    unknown = vocabulary.unknown(prompt)
    if unknown:
        sys.exit(
            f"The model never saw {' '.join(map(repr, unknown))}; it knows {''.join(vocabulary.characters)!r}"
        )
    if not args.temperature >= 0 or not 1 <= args.count <= 50:
        parser.error("--temperature must be 0 or more and --count from 1 to 50")
    temperature = (
        0.0 if args.greedy or args.temperature < GREEDY_BELOW else min(args.temperature, MAX_TEMPERATURE)
    )
    count = 1 if temperature == 0 else args.count  # greedy writes the same text every time
    limit = min(MAX_CHARS, max(len(s) for s in config["sentences"]) + EXTRA_CHARS)
    generator = torch.Generator().manual_seed(args.seed)
    drawn = sample_tokens(model, [START, *vocabulary.encode(prompt)], count, temperature, limit, generator)
    for tokens, _ in drawn:
        text = prompt + vocabulary.decode(tokens)
        print(text + ("    (a training sentence)" if text in config["sentences"] else ""))


if __name__ == "__main__":
    main()
