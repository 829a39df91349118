"""Score food reviews with the Transformer encoder exported from Deep Learning Labs' text
Transformer lab: is the review "great" (the reviewer's top score) or "other"?

    python predict.py "Best coffee I have ever had." "Stale, and the box arrived crushed."
    python predict.py --file reviews.txt

Needs only PyTorch and safetensors (pip install torch safetensors): model.py beside this file
builds the encoder, review_words.py reads a review into tokens exactly as the app does (its
vocabulary is config.json's "tokenizer": lower case, accents stripped, punctuation split off, a
word never learnt read as [UNK]), and [CLS] goes in front, model.safetensors holds what was
trained. With --file, each line of the file is a review. Prints one line per review: the
verdict and P(great), then the words it never learnt, if any.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch
from model import build_encoder
from review_words import CLASSES, CLS, WordTokenizer, read_review
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter  # --help shows this file's docstring as written
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("reviews", nargs="*", help="reviews to score")
    parser.add_argument("--file", help="a text file, one review a line")
    args = parser.parse_args()
    texts = list(args.reviews)
    if args.file:
        texts += [line for line in Path(args.file).read_text(encoding="utf-8").splitlines() if line.strip()]
    if not texts:
        parser.error("give reviews to score, or --file")
    config = json.loads((HERE / "config.json").read_text())
    tokenizer = WordTokenizer(config["tokenizer"])
    encoder = build_encoder(config)
    encoder.load_state_dict(load_file(HERE / "model.safetensors"))
    encoder.eval()
    for text in texts:
        try:
            ids, unknown = read_review(tokenizer, text, int(config["max_tokens"]))
        except ValueError as error:
            sys.exit(f"{text[:60]!r}: {error}")
        with torch.no_grad():
            great = float(encoder(torch.tensor([[CLS, *ids]])).softmax(-1)[0, 1])
        never = f"; never learnt: {', '.join(unknown)}" if unknown else ""
        print(f"transformer: {CLASSES[int(great >= 0.5)]} (P(great) {great:.4f}){never}")


if __name__ == "__main__":
    main()
