"""The denoising lab's training and held-out scoring: the loop a student can read.

Each batch gets fresh noise; the loss is the mean squared error to the clean digit. Held-out
figures always use the same noise (seed `EVAL_SEED`), so two models, or a checkpoint and its
re-evaluation, are scored on exactly the same noisy digits. The noise and the PSNR live in
`core.noise`, shared with anything else that corrupts or scores images.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import charts
from core.data import ImageData, load_images, training_data
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.labs.base import TrainedModel
from core.labs.denoise.model import build_denoiser
from core.labs.denoise.spec import SPEC
from core.noise import DEFAULT_LEVELS, add_noise, psnr_per_image, seeded
from core.runner import TrainContext

EVAL_SEED = 1234  # the held-out noise: the same for every model and every evaluation
HELDOUT_CHECKS_PER_EPOCH = 5
HELDOUT_PROBE_SIZE = 512  # the live held-out points use a fixed sample; epoch ends use it all
SAMPLE_COUNT = 6  # clean / noisy / denoised triples shown while training
BLANK_MARGIN_DB = 0.5  # an output within this of a black image's PSNR counts as blank
FRAME = 28


# --- scoring -------------------------------------------------------------------------------


@torch.no_grad()
def run_model(model: nn.Module, noisy: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """The model's output for (N, 1, 28, 28) inputs, in eval mode, in batches."""
    was_training = model.training
    model.eval()
    outputs = torch.cat([model(noisy[i : i + batch_size]) for i in range(0, len(noisy), batch_size)])
    model.train(was_training)
    return outputs


def psnr_figures(clean: torch.Tensor, noisy: torch.Tensor, denoised: torch.Tensor) -> dict[str, float]:
    """Mean per-image PSNR of the noisy input and of the output against the clean images, the
    mean gain, and the mean squared error of the output (the loss)."""
    psnr_in = psnr_per_image(clean, noisy)
    psnr_out = psnr_per_image(clean, denoised)
    return {
        "loss": float(F.mse_loss(denoised, clean)),
        "psnr_in": float(psnr_in.mean()),
        "psnr": float(psnr_out.mean()),
        "psnr_gain": float((psnr_out - psnr_in).mean()),
    }


def heldout_noise(clean: torch.Tensor, kind: str, level: float) -> torch.Tensor:
    """The fixed noisy copy of the held-out images that every evaluation uses."""
    return add_noise(clean, kind, level, seeded(EVAL_SEED))


def score(model: nn.Module, clean: torch.Tensor, kind: str, level: float) -> dict[str, float]:
    """Held-out figures of a model on `clean` corrupted by (kind, level) with the fixed noise."""
    noisy = heldout_noise(clean, kind, level)
    return psnr_figures(clean, noisy, run_model(model, noisy))


def noise_name(kind: str, level: float) -> str:
    return f"{kind} {level:g}"


def score_by_noise(model: nn.Module, clean: torch.Tensor) -> dict[str, dict[str, float]]:
    """PSNR in, out and gain for each kind of noise at its standard level (Gaussian 0.5, salt
    and pepper 0.2, masking 0.5), rounded for reports."""
    return {
        noise_name(kind, level): _rounded(score(model, clean, kind, level))
        for kind, level in DEFAULT_LEVELS.items()
    }


def _rounded(figures: dict[str, float]) -> dict[str, float]:
    return {
        "psnr_in": round(figures["psnr_in"], 2),
        "psnr_out": round(figures["psnr"], 2),
        "psnr_gain": round(figures["psnr_gain"], 2),
    }


def is_blank(figures: dict[str, float], clean: torch.Tensor) -> bool:
    """Whether the output scores no better than an all-black image would: the plateau."""
    black = float(psnr_per_image(clean, torch.zeros_like(clean)).mean())
    return figures["psnr"] <= black + BLANK_MARGIN_DB


def heldout_summary(model: nn.Module, heldout: torch.Tensor, kind: str, level: float) -> dict[str, Any]:
    """The held-out figures a checkpoint records and `evaluate` reproduces: PSNR in, out and
    gain at the model's own noise, whether it outputs blank images, and each standard noise."""
    final = score(model, heldout, kind, level)
    return {
        "heldout_psnr_in": round(final["psnr_in"], 2),
        "heldout_psnr_out": round(final["psnr"], 2),
        "heldout_psnr_gain": round(final["psnr_gain"], 2),
        "heldout_loss": final["loss"],
        "heldout_size": len(heldout),
        "blank_output": is_blank(final, heldout),
        "psnr_by_noise": score_by_noise(model, heldout),
    }


def to_frames(images: torch.Tensor, device: torch.device) -> torch.Tensor:
    """uint8 (N, 28, 28) -> float (N, 1, 28, 28) in [0, 1] on the device."""
    return images.float().div(255).unsqueeze(1).to(device)


def sample_indices(labels: torch.Tensor, count: int = SAMPLE_COUNT) -> torch.Tensor:
    """The first held-out image of each class, up to `count`: varied digits, always the same."""
    firsts = [int(torch.nonzero(labels == c)[0]) for c in labels.unique().tolist()]
    return torch.tensor(sorted(firsts)[:count])


def triple_strip(clean: np.ndarray, noisy: np.ndarray, denoised: np.ndarray) -> np.ndarray:
    """One picture per digit: clean | noisy | denoised, side by side on a grey frame."""
    return charts.tile(np.stack([clean, noisy, denoised]), columns=3)


# --- training ------------------------------------------------------------------------------


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Train a denoiser on freshly corrupted digits, scoring the held-out ones as it goes."""
    data = load_images(params["dataset"], ctx.data_dir)
    frames = to_frames(data.train_images, ctx.device)
    heldout = to_frames(data.test_images, ctx.device)
    kind, level = params["noise"], params["noise_level"]
    config = {
        "lab": SPEC.id,
        "architecture": params["architecture"],
        "noise": {"kind": kind, "level": level, "random_level": params["random_level"]},
        "input": {"size": [FRAME, FRAME], "range": [0, 1], "polarity": "white ink on black"},
        "data": data.source.to_dict(),
        "params": params,
    }
    model = build_denoiser(params["architecture"], params["dark_start"]).to(ctx.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"])
    batch_size = params["batch_size"]
    steps_per_epoch = (len(frames) + batch_size - 1) // batch_size
    total_steps = params["epochs"] * steps_per_epoch
    scheduler = None
    if params["schedule"] == "one-cycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=params["learning_rate"], total_steps=total_steps, pct_start=0.25
        )

    # Held-out noise is fixed (seeded), so the curves move only because the model does.
    heldout_noisy = heldout_noise(heldout, kind, level)
    probe = slice(0, HELDOUT_PROBE_SIZE)
    shown = sample_indices(data.test_labels).to(ctx.device)
    check_every = max(1, steps_per_epoch // HELDOUT_CHECKS_PER_EPOCH)

    def heldout_figures(part: slice | torch.Tensor = slice(None)) -> dict[str, float]:
        clean, noisy = heldout[part], heldout_noisy[part]
        return psnr_figures(clean, noisy, run_model(model, noisy))

    def samples(step: int, epoch: float) -> Samples:
        clean, noisy = heldout[shown], heldout_noisy[shown]
        denoised = run_model(model, noisy)
        psnr_in, psnr_out = psnr_per_image(clean, noisy), psnr_per_image(clean, denoised)
        triples = zip(clean.cpu().numpy(), noisy.cpu().numpy(), denoised.cpu().numpy(), strict=True)
        strips = np.stack([triple_strip(c[0], n[0], d[0]) for c, n, d in triples])
        pairs = zip(psnr_in.tolist(), psnr_out.tolist(), strict=True)
        captions = tuple(f"{a:.1f} → {b:.1f} dB" for a, b in pairs)
        title = f"Held-out digits, clean | noisy | denoised, at epoch {epoch:.1f}"
        if is_blank(psnr_figures(clean, noisy, denoised), clean):
            title += " (the model still outputs a blank image: the dark-start plateau)"
        return Samples(step, strips, captions, title=title)

    ctx.watch(model)
    step = 0
    for epoch in range(params["epochs"]):
        model.train()
        order = torch.randperm(len(frames), generator=ctx.generator).to(frames.device)
        sums = {"loss": 0.0, "psnr_in": 0.0, "psnr": 0.0, "psnr_gain": 0.0}
        seen = 0
        for start in range(0, len(frames), batch_size):
            clean = frames[order[start : start + batch_size]]
            batch_level: float | torch.Tensor = level
            if params["random_level"]:
                batch_level = level * torch.rand(len(clean), generator=ctx.generator)
            noisy = add_noise(clean, kind, batch_level, ctx.generator)  # fresh every batch
            denoised = model(noisy)
            loss = F.mse_loss(denoised, clean)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            step += 1

            metrics = psnr_figures(clean, noisy, denoised.detach())
            metrics["loss"] = loss.item()
            for name, value in metrics.items():
                sums[name] += value * len(clean)
            seen += len(clean)
            at = epoch + seen / len(frames)
            if step % check_every == 0 or step == total_steps:
                metrics |= {f"heldout_{k}": v for k, v in heldout_figures(probe).items()}
            yield Progress(step, total_steps, at, metrics)
            if step % check_every == 0:
                yield samples(step, at)
            if ctx.should_stop():
                break
        epoch_metrics = {f"train_{name}": value / max(1, seen) for name, value in sums.items()}
        epoch_metrics |= {f"heldout_{k}": v for k, v in heldout_figures().items()}
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        yield samples(step, epoch + 1)
        if ctx.should_stop():
            break
    model.eval()
    seconds = round(ctx.elapsed(), 2)  # training only: the final scoring below is not

    metrics = {
        "noise": noise_name(kind, level) + (" (random levels up to it)" if params["random_level"] else ""),
        **heldout_summary(model, heldout, kind, level),
        "train_seconds": seconds,
        "dataset": data.source.description,
    }
    config["training"] = {"device": str(ctx.device), "seconds": seconds}
    yield Trained(model.cpu().eval(), config, metrics)


def heldout_data(trained: TrainedModel, data_dir: str | None = None) -> ImageData:
    """The data this model was trained on (its held-out split is what it is scored on)."""
    return training_data(trained.config, data_dir)


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """Held-out PSNR in, out and gain at the model's own noise and at each standard noise."""
    data = heldout_data(trained, data_dir)
    heldout = to_frames(data.test_images, torch.device("cpu"))
    noise = trained.config.get("noise", {})
    kind, level = noise.get("kind", "gaussian"), float(noise.get("level", 0.5))
    return {
        "lab": SPEC.id,
        "architecture": trained.config["architecture"],
        "noise": noise_name(kind, level),
        **heldout_summary(trained.model, heldout, kind, level),
        "data": data.source.description,
    }
