"""The binary autoencoder's training and scoring: the loop a student can read.

Training follows the course's recipe: a warm-up with real-valued codes (the sign switched off),
then binary codes; an L1 (or MSE) reconstruction loss; and a small term that pushes the codes
away from 0, where a sign flips at the slightest change. Two additions make memorising work on a
CPU in minutes. The encoder is frozen for the last part of the training (`freeze_at`): while it
learns, Adam moves every code value by about the learning rate at each step, codes near 0 keep
changing sign and the decoder chases a moving target; frozen, the codes stay put and the decoder
memorises the digits for them. And the `fast` network standardises its code values over the
batch, so every bit splits the digits about half and half: without it, many bits took the same
sign for every digit and 128 digits shared 12 codes.

The criterion is the course's: a PSNR above 25 dB on the training digits it memorises, measured
with binary codes. The course met it at epoch 4 of a 10-epoch warm-up, i.e. with real-valued
codes; `train_psnr_real_codes` keeps that figure beside the true one so the difference shows.
PSNR is per image on [0, 1] pixels, averaged over images.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from core.bit_codes import CODE_SHAPE, SIZE, codes_of, memorised_inputs, to_inputs, to_pixels, weights_hash
from core.data import load_images, training_data
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.labs.base import TrainedModel
from core.labs.binary_ae.model import BinaryAutoencoder, binarize, build_autoencoder
from core.labs.binary_ae.spec import SPEC
from core.noise import psnr_per_image
from core.runner import TrainContext
from core.training import HELDOUT_PROBE_SIZE, learning_rate_at, training_progress

TARGET_PSNR_DB = 25.0  # the course's criterion, on the training digits
LIVE_CHECKS = 100  # held-out probes over a whole training
EPOCH_REPORTS = 30  # epoch ends (of many short epochs) that measure the PSNRs and show samples
SAMPLE_COUNT = 8  # training digits shown beside their reconstructions while training
PUSH_MARGIN = 1.0  # codes closer than this to 0 are pushed outwards (the course's margin)


def psnr(reference: torch.Tensor, output: torch.Tensor) -> torch.Tensor:
    """Per-image PSNR in dB of [-1, 1] images, measured on the [0, 1] scale (the course's)."""
    return psnr_per_image((reference + 1) / 2, (output.clamp(-1, 1) + 1) / 2)


def forward(model: BinaryAutoencoder, x: torch.Tensor, frozen: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """A training forward pass. With the encoder `frozen` the codes are computed as at
    evaluation (batch norm's running statistics) and receive no gradient: the codes stop
    changing and the decoder only has to memorise the digits for them. While the encoder still
    learns, Adam moves every code value by about the learning rate at each step, so codes near 0
    keep changing sign and the decoder chases a moving target."""
    if not frozen:
        model.encoder.train()
        return model(x)
    model.encoder.eval()
    with torch.no_grad():
        real = model.encode(x)
    return model.decode(binarize(real) if model.binary else real), real


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Memorise the first `train_size` training digits; PSNRs and reconstructions as it goes."""
    data = load_images("mnist", ctx.data_dir)
    count = min(params["train_size"], len(data.train_images))
    digits = memorised_inputs(data, count).to(ctx.device)
    heldout = to_inputs(data.test_images).to(ctx.device)
    config = {
        "lab": SPEC.id,
        "architecture": params["architecture"],
        "code_shape": list(CODE_SHAPE),
        "train_size": count,
        "input": {"size": [SIZE, SIZE], "range": [-1, 1], "polarity": "white ink on black"},
        "data": data.source.to_dict(),
        "params": params,
    }
    model = build_autoencoder(params["architecture"]).to(ctx.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"])
    reconstruction_loss = F.l1_loss if params["loss"] == "l1" else F.mse_loss
    batch_size = min(params["batch_size"], count)
    steps_per_epoch = math.ceil(count / batch_size)
    total_steps = params["epochs"] * steps_per_epoch
    # Memorising a small set takes many short epochs: measure a fixed number of times per
    # training rather than per epoch, or the measuring would cost more than the training.
    check_every = max(1, total_steps // LIVE_CHECKS)
    report_every = max(1, params["epochs"] // EPOCH_REPORTS)
    probe = heldout[:HELDOUT_PROBE_SIZE]
    shown = digits[:SAMPLE_COUNT]

    ctx.watch(model)
    step = 0
    for epoch in range(params["epochs"]):
        model.train()
        order = torch.randperm(count, generator=ctx.generator).to(ctx.device)
        loss_sum, psnr_sum, seen = 0.0, 0.0, 0
        for start in range(0, count, batch_size):
            step += 1
            progress = training_progress(step, total_steps, ctx)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate_at(progress, params["learning_rate"], params["schedule"])
            model.binary = progress >= params["warmup"]
            frozen = progress >= params["freeze_at"]
            x = digits[order[start : start + batch_size]]
            out, real = forward(model, x, frozen)
            rec = reconstruction_loss(out, x)
            loss = rec
            if not frozen:
                push = F.relu(PUSH_MARGIN - real.abs()).mean()  # away from 0, where signs flip
                loss = rec + params["push_weight"] * push
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

            batch_psnr = float(psnr(x, out.detach()).mean())
            loss_sum += rec.item() * len(x)
            psnr_sum += batch_psnr * len(x)
            seen += len(x)
            metrics = {"loss": rec.item(), "psnr": batch_psnr}
            if step % check_every == 0 or step == total_steps:
                metrics["heldout_psnr"] = mean_psnr(model, probe)
            yield Progress(step, total_steps, epoch + seen / count, metrics)
            if ctx.should_stop():
                break
        stopping = ctx.should_stop() or epoch + 1 == params["epochs"]
        epoch_metrics = {"train_loss": loss_sum / max(1, seen)}
        if (epoch + 1) % report_every == 0 or stopping:
            epoch_metrics["train_psnr"] = mean_psnr(model, digits)
            epoch_metrics["heldout_psnr"] = mean_psnr(model, probe)
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        if (epoch + 1) % report_every == 0 or stopping:
            yield reconstruction_samples(model, shown, step, epoch + 1)
        if stopping:
            break
    model.binary = True
    model.eval()
    seconds = round(ctx.elapsed(), 2)
    metrics = {
        **score(model, digits, heldout),
        "warmup_finished": bool(training_progress(step, total_steps, ctx) >= params["warmup"]),
        "train_seconds": seconds,
        "steps": step,
        "dataset": data.source.description,
    }
    config["training"] = {"device": str(ctx.device), "seconds": seconds}
    yield Trained(model.cpu().eval(), config, metrics)


@torch.no_grad()
def reconstruct(model: BinaryAutoencoder, x: torch.Tensor, binary: bool = True) -> torch.Tensor:
    """Reconstructions of (N, 1, 32, 32) inputs in eval mode, in batches; `binary=False` decodes
    the real-valued codes (what the course measured during its warm-up)."""
    was_training, was_binary = model.training, model.binary
    model.eval()
    model.binary = binary
    out = torch.cat([model(x[i : i + 1024])[0] for i in range(0, len(x), 1024)])
    model.train(was_training)
    model.binary = was_binary
    return out


def mean_psnr(model: BinaryAutoencoder, x: torch.Tensor, binary: bool = True) -> float:
    return float(psnr(x, reconstruct(model, x, binary)).mean()) if len(x) else float("nan")


def score(model: BinaryAutoencoder, digits: torch.Tensor, heldout: torch.Tensor) -> dict[str, Any]:
    """The figures a checkpoint records and `evaluate` reproduces."""
    codes = codes_of(model, digits)
    train_psnr = mean_psnr(model, digits)
    return {
        "train_psnr": round(train_psnr, 2),
        "heldout_psnr": round(mean_psnr(model, heldout), 2),
        "train_psnr_real_codes": round(mean_psnr(model, digits, binary=False), 2),
        "criterion_met": train_psnr > TARGET_PSNR_DB,
        "train_size": len(digits),
        "heldout_size": len(heldout),
        "distinct_codes": len(torch.unique(codes, dim=0)),
        "weights_hash": weights_hash(model),
    }


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """The PSNRs of the memorised digits (binary and real-valued codes) and of the held-out ones."""
    data = training_data(trained.config, data_dir)
    digits = memorised_inputs(data, int(trained.config["train_size"]))
    return {
        "lab": SPEC.id,
        "architecture": trained.config["architecture"],
        **score(trained.model, digits, to_inputs(data.test_images)),
        "target": f"train PSNR > {TARGET_PSNR_DB:g} dB with binary codes",
        "data": data.source.description,
    }


@torch.no_grad()
def reconstruction_samples(model: BinaryAutoencoder, shown: torch.Tensor, step: int, epoch: int) -> Samples:
    """Fixed training digits beside their reconstructions from the current codes."""
    out = reconstruct(model, shown, binary=model.binary)
    values = psnr(shown, out).tolist()
    pairs = np.concatenate([to_pixels(shown), np.full((len(shown), SIZE, 1), 0.5), to_pixels(out)], axis=2)
    kind = "binary" if model.binary else "real-valued (warm-up)"
    return Samples(
        step,
        pairs.astype(np.float32),
        tuple(f"{v:.1f} dB" for v in values),
        title=f"Training digits | reconstructions from {kind} codes, after epoch {epoch}",
    )
