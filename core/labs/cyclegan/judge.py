"""The style judge: a small CNN that tells Noto emoji from OpenMoji ones, the CycleGAN's ruler.

There is no ground truth for "looks like OpenMoji", so the lab measures translations the way the
GAN lab measures digits: with a separate classifier. It is trained once, on the training emoji
only (both styles of every emoji in either training set, never a held-out one), with a fixed
seed, in one thread. A copy ships in checkpoints/cyclegan-judge/ (`python -m
core.labs.cyclegan.judge` writes it), so every figure, the bundled model's and a student's, is
measured with the same ruler. A translation of a held-out Noto emoji "passes" when the judge
calls it OpenMoji, and the other way round. On real held-out emoji it is right about 99% of the
time (`judge_accuracy` in each checkpoint's metrics says exactly).
"""

from __future__ import annotations

import argparse
import functools
import os
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import nn

from core.data import cache_dir
from core.emoji import STYLES, EmojiSet, load_emoji
from core.labs.base import CHECKPOINT_ROOT
from core.labs.cyclegan.model import to_tensor

JUDGE_VERSION = 1  # bump when the judge changes, so an old cached one is not reused
JUDGE_SEED = 0
JUDGE_EPOCHS = 4
JUDGE_BATCH = 64


def style_classifier() -> nn.Sequential:
    """64 -> 32 -> 16 -> 8 pixels (16, 32, 64 channels), averaged over the picture, two logits:
    [Noto, OpenMoji]. Averaging makes it judge the texture of the whole picture (outlines, flat
    fills, shading), not where things are."""
    return nn.Sequential(
        nn.Conv2d(3, 16, 4, stride=2, padding=1),
        nn.LeakyReLU(0.2),
        nn.Conv2d(16, 32, 4, stride=2, padding=1),
        nn.BatchNorm2d(32),
        nn.LeakyReLU(0.2),
        nn.Conv2d(32, 64, 4, stride=2, padding=1),
        nn.BatchNorm2d(64),
        nn.LeakyReLU(0.2),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(64, len(STYLES)),
    )


def _training_pictures(emoji: EmojiSet) -> tuple[torch.Tensor, torch.Tensor]:
    """Both styles of every training emoji (A's and B's halves), labels 0 = Noto, 1 = OpenMoji."""
    seen = torch.as_tensor(sorted({*emoji.train_a.tolist(), *emoji.train_b.tolist()}))
    pictures = torch.cat([to_tensor(emoji.noto[seen]), to_tensor(emoji.openmoji[seen])])
    labels = torch.cat([torch.zeros(len(seen)), torch.ones(len(seen))]).long()
    return pictures, labels


def train_judge(emoji: EmojiSet) -> nn.Sequential:
    """A few epochs of Adam on the training emoji, with random horizontal flips (a few seconds)."""
    generator = torch.Generator().manual_seed(JUDGE_SEED)
    with torch.random.fork_rng():
        torch.manual_seed(JUDGE_SEED)
        model = style_classifier()
    pictures, labels = _training_pictures(emoji)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for _ in range(JUDGE_EPOCHS):
        order = torch.randperm(len(pictures), generator=generator)
        for start in range(0, len(order), JUDGE_BATCH):
            batch = order[start : start + JUDGE_BATCH]
            x = pictures[batch]
            flip = torch.rand(len(x), generator=generator) < 0.5
            x = torch.where(flip[:, None, None, None], x.flip(3), x)
            loss = F.cross_entropy(model(x), labels[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return model.eval()


BUNDLED_JUDGE = CHECKPOINT_ROOT / "cyclegan-judge" / f"style-judge-v{JUDGE_VERSION}.safetensors"


def save_judge(model: nn.Module, path: Path) -> None:
    """Write the judge's weights atomically (a second process never reads half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    save_file(model.state_dict(), partial)
    partial.replace(path)


@functools.lru_cache(maxsize=1)
def style_judge() -> nn.Sequential:
    """The judge: the bundled one (the ruler every bundled figure was measured with), else one
    trained on first use (about 10 s) and kept in the data cache."""
    cached = cache_dir() / "emoji" / BUNDLED_JUDGE.name
    model = style_classifier()
    for path in (BUNDLED_JUDGE, cached):
        if path.is_file():
            model.load_state_dict(load_file(path))
            return model.eval()
    model = train_judge(load_emoji())
    save_judge(model, cached)
    return model


@torch.no_grad()
def openmoji_probability(pictures: torch.Tensor, judge: nn.Module | None = None) -> torch.Tensor:
    """The judge's probability that each picture ((N, 3, 64, 64) in [-1, 1]) is OpenMoji."""
    model = judge or style_judge()
    chunks = [F.softmax(model(pictures[i : i + 256]), dim=1)[:, 1] for i in range(0, len(pictures), 256)]
    return torch.cat(chunks) if chunks else torch.zeros(0)


def main() -> None:
    """`python -m core.labs.cyclegan.judge`: train the judge and write the bundled copy."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--out", type=Path, default=BUNDLED_JUDGE, help="the .safetensors file to write")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one thread: the same weights on every machine that runs it
    emoji = load_emoji()
    model = train_judge(emoji)
    save_judge(model, args.out)
    for style, pictures in (("noto", emoji.noto), ("openmoji", emoji.openmoji)):
        p = openmoji_probability(to_tensor(pictures[emoji.heldout]), model)
        right = (p > 0.5) if style == "openmoji" else (p <= 0.5)
        print(f"held-out {style}: {float(right.float().mean()):.1%} judged right")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
