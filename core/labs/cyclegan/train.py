"""The CycleGAN lab's training and held-out scoring: the loop a student can read.

Each step draws a batch of Noto emoji (A) and, independently, a batch of OpenMoji emoji (B):
never the same emoji, since the two training sets are disjoint halves (core.emoji). Then, as in
the course (and Zhu et al., 2017):

1. the generators' step: G_AB(a) must fool D_B and G_BA(b) must fool D_A (least-squares GAN
   loss, (D(fake) - 1)^2), the round trips G_BA(G_AB(a)) and G_AB(G_BA(b)) must come back to
   a and b (cycle L1, weighted by lambda_cycle), and each generator should leave a picture
   already in its target style alone (identity L1, weighted by lambda_identity);
2. each discriminator's step: real pictures towards 1, the (detached) fakes towards 0, halved.

Held-out scoring uses the emoji in neither training set, which exist in both styles: the style
judge (judge.py) says how many translations pass as the other style, the cycle L1 says how well
the round trip keeps the picture, and both are set against the identity baseline, the L1 between
an emoji's two real renderings: what "doing nothing" would cost as a translation.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from core.emoji import STYLE_NAMES, EmojiSet, load_emoji
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.labs.base import TrainedModel
from core.labs.cyclegan.judge import openmoji_probability, style_judge
from core.labs.cyclegan.model import ARCHITECTURES, CycleGAN, build_cyclegan, to_pictures, to_tensor
from core.labs.cyclegan.spec import SPEC
from core.runner import TrainContext

CHECKS_PER_EPOCH = 2  # held-out probes (and samples) per epoch, besides each epoch's end
SHOWN = 4  # held-out emoji shown each way while training
PAD = 2  # white pixels between the pictures of a strip

# The course's recipe as the lab's settings: its ResNet generator and PatchGAN at full size, one
# picture per step, Adam 0.0002, cycle 10, identity 5.
COURSE_RECIPE = {
    "architecture": "course",
    "batch_size": 1,
    "learning_rate": 2e-4,
    "lambda_cycle": 10.0,
    "lambda_identity": 5.0,
    "start_as_identity": False,
    "d_lr_factor": 1.0,
}


# --- one step -------------------------------------------------------------------------------


def generator_step(
    model: CycleGAN,
    a: torch.Tensor,
    b: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    params: dict[str, Any],
) -> tuple[torch.Tensor, torch.Tensor, dict[str, float]]:
    """Both generators' update; returns the fakes (for the discriminators) and the losses."""
    fake_b, fake_a = model.g_ab(a), model.g_ba(b)
    model.d_a.requires_grad_(False)  # the generators' step needs D's input gradients only
    model.d_b.requires_grad_(False)
    verdict_b, verdict_a = model.d_b(fake_b), model.d_a(fake_a)
    gan = F.mse_loss(verdict_b, torch.ones_like(verdict_b)) + F.mse_loss(
        verdict_a, torch.ones_like(verdict_a)
    )
    cycle = F.l1_loss(model.g_ba(fake_b), a) + F.l1_loss(model.g_ab(fake_a), b)
    loss = gan + params["lambda_cycle"] * cycle
    identity = torch.zeros(())
    if params["lambda_identity"] > 0:  # two more passes, so skipped when unweighted
        identity = F.l1_loss(model.g_ab(b), b) + F.l1_loss(model.g_ba(a), a)
        loss = loss + params["lambda_identity"] * identity
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    model.d_a.requires_grad_(True)
    model.d_b.requires_grad_(True)
    # The L1s as the held-out figures read: per way, in [0, 1] pixel units (a sum of two ways of
    # [-1, 1] pixels is 4 times that).
    losses = {"loss": loss.item(), "g_gan": gan.item(), "cycle_l1": cycle.item() / 4}
    if params["lambda_identity"] > 0:
        losses["identity_l1"] = identity.item() / 4
    return fake_a.detach(), fake_b.detach(), losses


def discriminator_loss(d: torch.nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Least squares: real patches towards 1, fake ones towards 0, halved (as the course)."""
    real_verdict, fake_verdict = d(real), d(fake)
    return 0.5 * (
        F.mse_loss(real_verdict, torch.ones_like(real_verdict))
        + F.mse_loss(fake_verdict, torch.zeros_like(fake_verdict))
    )


def discriminator_step(
    model: CycleGAN,
    a: torch.Tensor,
    b: torch.Tensor,
    fake_a: torch.Tensor,
    fake_b: torch.Tensor,
    optimizer: torch.optim.Optimizer,
) -> dict[str, float]:
    d_a = discriminator_loss(model.d_a, a, fake_a)
    d_b = discriminator_loss(model.d_b, b, fake_b)
    optimizer.zero_grad(set_to_none=True)
    (d_a + d_b).backward()
    optimizer.step()
    return {"d_a": d_a.item(), "d_b": d_b.item()}


def random_flip(pictures: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Mirror about half the pictures left to right: more emoji to learn from, same style."""
    flip = torch.rand(len(pictures), generator=generator) < 0.5
    return torch.where(flip[:, None, None, None], pictures.flip(3), pictures)


# --- held-out scoring ------------------------------------------------------------------------


@torch.no_grad()
def round_trips(model: CycleGAN, pictures: torch.Tensor, direction: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(translated, back) for every picture, in batches of 64."""
    pairs = [model.translate(pictures[i : i + 64], direction) for i in range(0, len(pictures), 64)]
    return torch.cat([p[0] for p in pairs]), torch.cat([p[1] for p in pairs])


def l1(x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean absolute pixel difference in [0, 1] pixel units (pictures are in [-1, 1])."""
    return float((x - y).abs().mean() / 2)


def heldout_figures(model: CycleGAN, emoji: EmojiSet, indices: np.ndarray | None = None) -> dict[str, float]:
    """The held-out figures, both ways: the share the judge calls the other style (`pass_ab`:
    Noto emoji turned OpenMoji, `pass_ba` the other way, `pass` their mean), the cycle L1, the
    translation's L1 to the true other-style picture, and the identity baseline they are set
    against: the L1 between each held-out emoji's two real renderings."""
    chosen = emoji.heldout if indices is None else indices
    a, b = to_tensor(emoji.noto[chosen]), to_tensor(emoji.openmoji[chosen])
    fake_b, back_a = round_trips(model, a, "ab")
    fake_a, back_b = round_trips(model, b, "ba")
    pass_ab = float((openmoji_probability(fake_b) > 0.5).float().mean())
    pass_ba = float((openmoji_probability(fake_a) <= 0.5).float().mean())
    return {
        "pass_ab": pass_ab,
        "pass_ba": pass_ba,
        "pass": (pass_ab + pass_ba) / 2,
        "cycle_l1": (l1(back_a, a) + l1(back_b, b)) / 2,
        "translation_l1": (l1(fake_b, b) + l1(fake_a, a)) / 2,
        "identity_l1": l1(a, b),
    }


def strip(*pictures: np.ndarray) -> np.ndarray:
    """Pictures (H, W, 3) side by side on white: what one emoji went through."""
    height = pictures[0].shape[0]
    gap = np.ones((height, PAD, 3), dtype=np.float32)
    parts = [part for picture in pictures for part in (picture, gap)][:-1]
    return np.concatenate(parts, axis=1)


def shown_emoji(emoji: EmojiSet, count: int = SHOWN) -> np.ndarray:
    """The held-out emoji shown while training: pictures (animals, food, objects, from U+1F300),
    spread over the held-out set, the same ones every time."""
    pictures = [i for i in emoji.heldout if ord(emoji.chars[i]) >= 0x1F300]
    return np.asarray(pictures[:: max(1, len(pictures) // count)][:count])


def sample_strips(model: CycleGAN, emoji: EmojiSet, shown: np.ndarray, step: int, epoch: float) -> Samples:
    """For a few held-out emoji each way: real | translated | back, with the judge's verdict."""
    strips, captions = [], []
    for direction, source, target in (("ab", "noto", "openmoji"), ("ba", "openmoji", "noto")):
        real = to_tensor(emoji.pictures(source)[shown])
        there, back = model.translate(real, direction)
        p_openmoji = openmoji_probability(there).tolist()
        for index, r, t, k, p in zip(
            shown, to_pictures(real), to_pictures(there), to_pictures(back), p_openmoji, strict=True
        ):
            strips.append(strip(r, t, k))
            judged = p if target == "openmoji" else 1 - p
            captions.append(
                f"{emoji.chars[index]} {STYLE_NAMES[source]} → {STYLE_NAMES[target]}: judged {judged:.0%}"
            )
    title = f"Held-out emoji, real | translated | round trip back, at epoch {epoch:.1f} (step {step})"
    return Samples(step, np.stack(strips), tuple(captions), title=title)


# --- training ------------------------------------------------------------------------------


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Train the four networks on unpaired batches, scoring the held-out emoji as it goes."""
    emoji = load_emoji()
    style_judge()  # trained (or read from the cache) before the clock starts
    pictures_a = to_tensor(emoji.noto[emoji.train_a])  # style A: its half of the emoji only
    pictures_b = to_tensor(emoji.openmoji[emoji.train_b])  # style B: the other half
    model = build_cyclegan(params["architecture"], params["start_as_identity"]).to(ctx.device)
    config = {
        "lab": SPEC.id,
        "architecture": params["architecture"],
        "sizes": ARCHITECTURES[params["architecture"]],
        "residual": params["start_as_identity"],
        "styles": {"a": STYLE_NAMES["noto"], "b": STYLE_NAMES["openmoji"]},
        "input": {"size": [64, 64], "channels": 3, "range": [-1, 1]},
        "data": emoji.describe(),
        "params": params,
    }
    lr, betas = params["learning_rate"], (0.5, 0.999)
    g_optimizer = torch.optim.Adam(
        itertools.chain(model.g_ab.parameters(), model.g_ba.parameters()), lr, betas=betas
    )
    # The discriminators may learn more slowly than the generators: next to a generator that
    # starts as the identity, a full-speed PatchGAN wins within a hundred steps and stays ahead.
    d_lr = lr * params["d_lr_factor"]
    d_optimizer = torch.optim.Adam(
        itertools.chain(model.d_a.parameters(), model.d_b.parameters()), d_lr, betas=betas
    )
    batch_size = params["batch_size"]
    steps_per_epoch = max(len(pictures_a), len(pictures_b)) // batch_size
    total_steps = params["epochs"] * steps_per_epoch
    check_every = max(1, steps_per_epoch // CHECKS_PER_EPOCH)
    shown = shown_emoji(emoji)

    ctx.watch(model)
    step = 0
    for epoch in range(params["epochs"]):
        model.train()
        sums: dict[str, float] = {}
        for _ in range(steps_per_epoch):
            # Unpaired: each style's batch drawn on its own, from its own half of the emoji.
            a = pictures_a[torch.randint(len(pictures_a), (batch_size,), generator=ctx.generator)]
            b = pictures_b[torch.randint(len(pictures_b), (batch_size,), generator=ctx.generator)]
            a = random_flip(a, ctx.generator).to(ctx.device)
            b = random_flip(b, ctx.generator).to(ctx.device)
            fake_a, fake_b, metrics = generator_step(model, a, b, g_optimizer, params)
            metrics |= discriminator_step(model, a, b, fake_a, fake_b, d_optimizer)
            step += 1
            for name, value in metrics.items():
                sums[name] = sums.get(name, 0.0) + value
            at = epoch + (step - epoch * steps_per_epoch) / steps_per_epoch
            probe = step % check_every == 0
            if probe:
                metrics |= {f"heldout_{k}": v for k, v in heldout_figures(model, emoji).items()}
            yield Progress(step, total_steps, at, metrics)
            if probe:
                yield sample_strips(model, emoji, shown, step, at)
            if ctx.should_stop():
                break
        done = step - epoch * steps_per_epoch
        epoch_metrics = {f"train_{name}": value / max(1, done) for name, value in sums.items()}
        epoch_metrics |= {f"heldout_{k}": v for k, v in heldout_figures(model, emoji).items()}
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        if ctx.should_stop():
            break
    model.eval()
    seconds = round(ctx.elapsed(), 2)  # training only: the final scoring below is not
    metrics = {**heldout_summary(model, emoji), "steps": step, "train_seconds": seconds}
    config["training"] = {"device": str(ctx.device), "seconds": seconds, "steps": step}
    yield Trained(model.cpu().eval(), config, metrics)


def heldout_summary(model: CycleGAN, emoji: EmojiSet) -> dict[str, Any]:
    """What a checkpoint records and `evaluate` reproduces: the held-out figures, rounded, the
    judge's own accuracy on the real held-out emoji, and the data."""
    figures = {f"heldout_{k}": round(v, 4) for k, v in heldout_figures(model, emoji).items()}
    real_a, real_b = to_tensor(emoji.noto[emoji.heldout]), to_tensor(emoji.openmoji[emoji.heldout])
    judged_right = torch.cat([openmoji_probability(real_a) <= 0.5, openmoji_probability(real_b) > 0.5])
    return {
        **figures,
        "judge_accuracy": round(float(judged_right.float().mean()), 4),
        "heldout_size": len(emoji.heldout),
        "dataset": emoji.describe()["description"],
    }


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """The held-out figures of a trained CycleGAN (the emoji are rendered, so no data folder)."""
    return {
        "lab": SPEC.id,
        "architecture": trained.config.get("architecture"),
        **heldout_summary(trained.model, load_emoji()),
    }
