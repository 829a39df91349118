"""The prior's training and scoring: the loop a student can read.

The codes of the first few training digits, from the bundled binary autoencoder (reached through
the registry: this lab imports no other lab), become sequences of 48 bits for a prior to learn.
A prior's config records the autoencoder's weights fingerprint and the codes it learnt, so a
prior paired with another autoencoder is refused with a message: its codes would mean other
digits. Memorisation rate = the share of generated codes that exactly equal a training code
(course criterion: above 80%).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import models
from core.bit_codes import SIZE, bits_to_text, check_bits, codes_of, decode, memorised_inputs, to_pixels
from core.bit_codes import weights_hash as autoencoder_fingerprint
from core.data import ImageData, training_data
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.labs.base import TrainedModel
from core.labs.binary_prior.model import build_prior
from core.labs.binary_prior.spec import SPEC
from core.runner import TrainContext
from core.specs import SpecError
from core.training import learning_rate_at, training_progress

AUTOENCODER_LAB = "binary-ae"  # whose bundled model makes the codes
TARGET_RATE = 0.8  # the course's criterion
EVAL_SAMPLES = 256  # the memorisation rate a checkpoint records; the course used 64
EVAL_SEED = 0
CHECKS = 20  # memorisation checks (and sample pictures) over a training
CHECK_SAMPLES = 64
SHOWN = 8  # generated digits shown while training


class PriorInputError(SpecError):
    """A temperature, sample count or pairing that cannot be used."""


# --- the autoencoder a prior belongs to ----------------------------------------------------


def autoencoder_lab():
    from core.registry import get_lab

    return get_lab(AUTOENCODER_LAB)


def bundled_autoencoder() -> TrainedModel:
    """The binary autoencoder lab's default bundled model, loaded once per process."""
    lab = autoencoder_lab()
    return models.bundled(lab, models.default_choice(lab))


def check_pairing(prior: TrainedModel, autoencoder: TrainedModel) -> None:
    """Refuse an autoencoder other than the one whose codes the prior learnt."""
    wanted = prior.config.get("autoencoder", {}).get("weights_hash")
    got = autoencoder_fingerprint(autoencoder.model)
    if wanted != got:
        name = prior.config.get("autoencoder", {}).get("checkpoint", "?")
        raise PriorInputError(
            f"this prior learnt the codes of autoencoder {wanted} ({name}), not of the one given "
            f"({got}, {autoencoder.origin}): its codes would decode to other digits. Use the "
            "autoencoder it was trained on, or train a prior on this one."
        )


def autoencoder_for(prior: TrainedModel, autoencoder: TrainedModel | None = None) -> TrainedModel:
    """The autoencoder to decode a prior's codes with: the one given, else the bundled one the
    prior names (or the folder it names, when that is no bundled one), else the default bundled
    one; checked against the prior's record either way."""
    if autoencoder is None:
        lab = autoencoder_lab()
        recorded = prior.config.get("autoencoder", {})
        path = Path(recorded.get("path") or recorded.get("checkpoint") or "")
        variant = next((name for name, folder in lab.variants.items() if folder == path.name), None)
        if variant is not None:
            autoencoder = models.bundled(lab, variant)
        elif path.name and path.is_dir():
            autoencoder = lab.load(path)
        else:
            autoencoder = bundled_autoencoder()
    check_pairing(prior, autoencoder)
    return autoencoder


def training_codes(config: dict[str, Any]) -> torch.Tensor:
    """The codes a prior learnt, (M, 48) long, from its config."""
    return torch.from_numpy(check_bits(config["codes"]).astype(np.int64))


def training_images(prior: TrainedModel, data: ImageData | None = None) -> torch.Tensor:
    """The training digits whose codes the prior learnt, as (M, 1, 32, 32) inputs."""
    data = data or training_data(prior.config)
    return memorised_inputs(data, int(prior.config["digits"]))


# --- scoring -------------------------------------------------------------------------------


def nearest_codes(generated: torch.Tensor, codes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For each generated code, the index of the nearest training code and their Hamming distance."""
    distances = (generated[:, None, :] != codes[None, :, :]).sum(-1)
    distance, index = distances.min(1)
    return index, distance


def memorisation(generated: torch.Tensor, codes: torch.Tensor) -> dict[str, float]:
    """Share of generated codes equal to a training code, and how many distinct training codes
    came out (coverage: a prior that repeats one code is 100% "memorised")."""
    index, distance = nearest_codes(generated, codes)
    exact = distance == 0
    distinct = len(torch.unique(codes, dim=0))
    reproduced = len(torch.unique(codes[index[exact]], dim=0)) if exact.any() else 0
    return {
        "memorisation": float(exact.float().mean()),
        "coverage": reproduced / max(1, distinct),
        "mean_distance": float(distance.float().mean()),
    }


def score(model: nn.Module, codes: torch.Tensor, temperature: float) -> dict[str, Any]:
    """Memorisation rate and coverage of EVAL_SAMPLES codes drawn with a fixed seed."""
    generated = model.eval().sample(EVAL_SAMPLES, temperature, torch.Generator().manual_seed(EVAL_SEED))
    figures = memorisation(generated.cpu(), codes.cpu())
    return {
        "memorisation_rate": round(figures["memorisation"], 4),
        "coverage": round(figures["coverage"], 4),
        "mean_distance_bits": round(figures["mean_distance"], 3),
        "criterion_met": figures["memorisation"] > TARGET_RATE,
        "samples": EVAL_SAMPLES,
        "temperature": temperature,
        "digits": len(codes),
    }


@dataclass
class Pictures:
    pictures: np.ndarray  # (N, 32, 65): generated | training digit (black when new)
    captions: tuple[str, ...]


def generated_pictures(
    autoencoder: TrainedModel, generated: torch.Tensor, codes: torch.Tensor, originals: np.ndarray
) -> Pictures:
    """Each generated code decoded, beside the training digit (`originals`: (M, 32, 32) in
    [0, 1], one per training code) whose code it equals, or a black square when it is new."""
    decoded = decode(autoencoder, generated.numpy())
    index, distance = nearest_codes(generated, codes)
    matched = np.array(originals[index.numpy()], dtype=np.float32)
    matched[distance.numpy() > 0] = 0.0
    line = np.full((len(decoded), SIZE, 1), 0.5, dtype=np.float32)
    pictures = np.concatenate([decoded, line, matched], axis=2).astype(np.float32)
    captions = tuple(
        f"= training digit {int(i)}" if d == 0 else f"new ({int(d)} bits from {int(i)})"
        for i, d in zip(index, distance, strict=True)
    )
    return Pictures(pictures, captions)


# --- training ------------------------------------------------------------------------------


def flip_bits(bits: torch.Tensor, share: float, generator: torch.Generator) -> torch.Tensor:
    """A copy of (N, 48) bits with each flipped with probability `share`."""
    flips = (torch.rand(bits.shape, generator=generator) < share).to(bits.device)
    return bits ^ flips.long()


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Learn the bundled autoencoder's codes of the first `digits` training digits; every few
    epochs, generate codes and count how many reproduce a training digit."""
    autoencoder = bundled_autoencoder()
    data = training_data(autoencoder.config, ctx.data_dir)
    count = min(params["digits"], int(autoencoder.config["train_size"]))
    images = memorised_inputs(data, count)
    codes = codes_of(autoencoder.model, images).long()
    originals = to_pixels(images)
    config = {
        "lab": SPEC.id,
        "model": params["model"],
        "digits": count,
        "codes": [bits_to_text(code) for code in codes.numpy()],
        "autoencoder": {
            "weights_hash": autoencoder_fingerprint(autoencoder.model),
            "checkpoint": autoencoder.path.name if autoencoder.path else "session",
            "path": str(autoencoder.path or ""),
            "architecture": autoencoder.config.get("architecture"),
        },
        "data": autoencoder.config.get("data", data.source.to_dict()),
        "params": params,
    }
    temperature = params["temperature"]
    model = build_prior(params["model"]).to(ctx.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"])
    batch_size = min(params["batch_size"], count)
    steps_per_epoch = math.ceil(count / batch_size)
    total_steps = params["epochs"] * steps_per_epoch
    check_every = max(1, params["epochs"] // CHECKS)
    sampler = torch.Generator().manual_seed(EVAL_SEED)
    train_codes = codes.to(ctx.device)

    def check(step: int, epoch: int) -> tuple[dict[str, float], Samples]:
        model.eval()
        generated = model.sample(CHECK_SAMPLES, temperature, sampler).cpu()
        model.train()
        figures = memorisation(generated, codes)
        shown = generated_pictures(autoencoder, generated[:SHOWN], codes, originals)
        title = (
            f"Generated digits | the training digit each reproduced, after epoch {epoch} "
            f"({figures['memorisation']:.0%} of {CHECK_SAMPLES} memorised)"
        )
        return figures, Samples(step, shown.pictures, shown.captions, title=title)

    ctx.watch(model)
    step = 0
    for epoch in range(params["epochs"]):
        model.train()
        order = torch.randperm(count, generator=ctx.generator).to(ctx.device)
        loss_sum, correct, seen = 0.0, 0.0, 0
        for start in range(0, count, batch_size):
            step += 1
            progress = training_progress(step, total_steps, ctx)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate_at(progress, params["learning_rate"], "cosine")
            target = train_codes[order[start : start + batch_size]]
            inputs = (
                target if params["model"] == "lstm" else flip_bits(target, params["noise"], ctx.generator)
            )
            logits = model(inputs)
            loss = F.binary_cross_entropy_with_logits(logits, target.float())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # the course's clip
            optimizer.step()

            accuracy = float(((logits.detach() >= 0).long() == target).float().mean())
            loss_sum += loss.item() * len(target)
            correct += accuracy * len(target)
            seen += len(target)
            yield Progress(
                step, total_steps, epoch + seen / count, {"loss": loss.item(), "bit_accuracy": accuracy}
            )
            if ctx.should_stop():
                break
        epoch_metrics = {
            "train_loss": loss_sum / max(1, seen),
            "train_bit_accuracy": correct / max(1, seen),
        }
        stopping = ctx.should_stop() or epoch + 1 == params["epochs"]
        if (epoch + 1) % check_every == 0 or stopping:
            figures, samples = check(step, epoch + 1)
            epoch_metrics |= {f"train_{name}": value for name, value in figures.items()}
            yield EpochEnd(epoch + 1, step, epoch_metrics)
            yield samples
        else:
            yield EpochEnd(epoch + 1, step, epoch_metrics)
        if stopping:
            break
    model.eval()
    seconds = round(ctx.elapsed(), 2)
    metrics = {
        **score(model, codes, temperature),
        "train_seconds": seconds,
        "steps": step,
        "dataset": data.source.description,
    }
    config["training"] = {"device": str(ctx.device), "seconds": seconds}
    yield Trained(model.cpu().eval(), config, metrics)


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """The memorisation rate and coverage of EVAL_SAMPLES codes at the training temperature."""
    autoencoder_for(trained)  # refuses a prior whose autoencoder is not here
    temperature = float(trained.config.get("params", {}).get("temperature", 1.0))
    return {
        "lab": SPEC.id,
        "model": trained.config["model"],
        **score(trained.model, training_codes(trained.config), temperature),
        "autoencoder": trained.config["autoencoder"]["weights_hash"],
    }
