"""The VAE lab's training and held-out evaluation: the loop a student can read.

The course recipe (spec.COURSE_RECIPE) trains the MLP with Adam at a constant 1e-3; the default
recipe trains the same MLP with a cosine schedule from a higher peak, dropout in the encoder and
a decoder that starts at the mean digit, and reaches a lower held-out negative ELBO in the same
training time (benchmarks/vae_bench.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch

from core.data import load_images, training_data
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.labs.base import TrainedModel
from core.labs.vae.model import VAE, build_vae, elbo_terms, start_at_mean_image
from core.labs.vae.spec import SPEC
from core.runner import TrainContext
from core.training import HELDOUT_CHECKS_PER_EPOCH, HELDOUT_PROBE_SIZE, learning_rate_at, training_progress

EVAL_SEED = 0  # held-out ELBOs use the same noise every time, so a checkpoint re-evaluates exactly


def to_inputs(images: torch.Tensor, device: torch.device) -> torch.Tensor:
    """uint8 (N, 28, 28) -> float (N, 1, 28, 28) in [0, 1] on the device."""
    return images.float().div(255).unsqueeze(1).to(device)


@torch.no_grad()
def evaluate_elbo(model: VAE, images: torch.Tensor, batch_size: int = 1024) -> dict[str, float]:
    """Mean negative ELBO, reconstruction and KL per image over `images`, in eval mode, with
    one z per image drawn from fixed noise (so the same model always gets the same figures)."""
    was_training = model.training
    model.eval()
    generator = torch.Generator().manual_seed(EVAL_SEED)
    reconstruction_sum, kl_sum = 0.0, 0.0
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size]
        mean, log_variance = model.encode(x)
        noise = torch.randn(mean.shape, generator=generator).to(mean.device)
        logits = model.decode_logits(mean + noise * (0.5 * log_variance).exp())
        reconstruction, kl = elbo_terms(logits, x, mean, log_variance)
        reconstruction_sum += reconstruction.sum().item()
        kl_sum += kl.sum().item()
    model.train(was_training)
    count = max(1, len(images))
    return {
        "loss": (reconstruction_sum + kl_sum) / count,
        "reconstruction": reconstruction_sum / count,
        "kl": kl_sum / count,
    }


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Train a VAE on the chosen data: both ELBO terms at every step (held-out ones a few times
    per epoch), fixed held-out digits beside their reconstructions after each epoch."""
    data = load_images(params["dataset"], ctx.data_dir)
    train_x = to_inputs(data.train_images, ctx.device)
    heldout_x = to_inputs(data.test_images, ctx.device)
    config = {
        "lab": SPEC.id,
        "architecture": params["architecture"],
        "latent_dim": params["latent_dim"],
        "dropout": params["dropout"],
        "classes": list(data.classes),
        "input": {"size": [28, 28], "range": [0, 1], "polarity": "white ink on black"},
        "output": "pixel logits (sigmoid gives the probabilities)",
        "data": data.source.to_dict(),
        "params": params,
    }
    model = build_vae(params["architecture"], params["latent_dim"], params["dropout"]).to(ctx.device)
    if params["mean_init"]:
        start_at_mean_image(model, train_x)
    optimizer = torch.optim.Adam(model.parameters(), lr=params["learning_rate"])
    batch_size, beta = params["batch_size"], params["beta"]
    steps_per_epoch = math.ceil(len(train_x) / batch_size)
    total_steps = params["epochs"] * steps_per_epoch
    check_every = max(1, steps_per_epoch // HELDOUT_CHECKS_PER_EPOCH)
    probe = heldout_x[:HELDOUT_PROBE_SIZE]
    shown_index = one_per_class(data.test_labels, len(data.classes))
    shown = heldout_x[shown_index.to(ctx.device)]
    shown_labels = [data.classes[int(label)] for label in data.test_labels[shown_index]]

    ctx.watch(model)
    step = 0
    for epoch in range(params["epochs"]):
        model.train()
        order = torch.randperm(len(train_x), generator=ctx.generator).to(ctx.device)
        sums = torch.zeros(2)  # reconstruction, KL over the epoch
        seen = 0
        for start in range(0, len(train_x), batch_size):
            step += 1
            lr = learning_rate_at(
                training_progress(step, total_steps, ctx), params["learning_rate"], params["schedule"]
            )
            for group in optimizer.param_groups:
                group["lr"] = lr
            x = train_x[order[start : start + batch_size]]
            logits, mean, log_variance = model(x)
            reconstruction, kl = elbo_terms(logits, x, mean, log_variance)
            loss = (reconstruction + beta * kl).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

            batch = torch.stack([reconstruction.detach().mean(), kl.detach().mean()]).cpu()
            sums += batch * len(x)
            seen += len(x)
            recon_value, kl_value = batch.tolist()
            metrics = {"loss": recon_value + kl_value, "reconstruction": recon_value, "kl": kl_value}
            if step % check_every == 0 or step == total_steps:
                metrics |= {f"heldout_{k}": v for k, v in evaluate_elbo(model, probe).items()}
            yield Progress(step, total_steps, epoch + seen / len(train_x), metrics)
            if ctx.should_stop():
                break
        recon_mean, kl_mean = (sums / max(1, seen)).tolist()
        epoch_metrics = {
            "train_loss": recon_mean + kl_mean,
            "train_reconstruction": recon_mean,
            "train_kl": kl_mean,
        }
        final = evaluate_elbo(model, heldout_x)  # the last one is the model's final figure
        epoch_metrics |= {f"heldout_{k}": v for k, v in final.items()}
        yield EpochEnd(epoch + 1, step, epoch_metrics)
        yield reconstruction_samples(model, shown, shown_labels, step, epoch + 1)
        if ctx.should_stop():
            break

    metrics = {
        "heldout_neg_elbo": final["loss"],
        "heldout_reconstruction": final["reconstruction"],
        "heldout_kl": final["kl"],
        "heldout_size": len(heldout_x),
        "train_seconds": round(ctx.elapsed(), 2),
        "steps": step,
        "dataset": data.source.description,
    }
    config["training"] = {"device": str(ctx.device), "seconds": round(ctx.elapsed(), 2)}
    yield Trained(model.cpu().eval(), config, metrics)


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
    """The held-out negative ELBO and its two terms, in nats per image."""
    data = training_data(trained.config, data_dir)
    result = evaluate_elbo(trained.model, to_inputs(data.test_images, torch.device("cpu")))
    return {
        "lab": SPEC.id,
        "architecture": trained.config["architecture"],
        "latent_dim": trained.config["latent_dim"],
        "heldout_neg_elbo": result["loss"],
        "heldout_elbo": -result["loss"],
        "heldout_reconstruction": result["reconstruction"],
        "heldout_kl": result["kl"],
        "heldout_size": len(data.test_images),
        "units": "nats per image",
        "data": data.source.description,
    }


# --- what a student sees while it trains ---------------------------------------------------


def one_per_class(labels: torch.Tensor, classes: int) -> torch.Tensor:
    """Indices of the first example of each class (the fixed digits shown while training)."""
    found = [int((labels == c).nonzero()[0]) for c in range(classes) if (labels == c).any()]
    return torch.tensor(found, dtype=torch.long)


def side_by_side(left: np.ndarray, right: np.ndarray, gap: float = 0.5) -> np.ndarray:
    """(N, H, W) and (N, H, W) -> (N, H, 2W + 1): each pair in one picture, a grey line between."""
    line = np.full((*left.shape[:2], 1), gap, dtype=np.float32)
    return np.concatenate([left, line, right], axis=2).astype(np.float32)


@torch.inference_mode()
def reconstruction_samples(
    model: VAE, shown: torch.Tensor, labels: Sequence[str], step: int, epoch: int
) -> Samples:
    """The fixed held-out digits beside their reconstructions (decoded from the means)."""
    was_training = model.training
    model.eval()
    mean, _ = model.encode(shown)
    decoded = model.decode(mean)
    model.train(was_training)
    pairs = side_by_side(shown[:, 0].cpu().numpy(), decoded[:, 0].cpu().numpy())
    captions = tuple(f"{label}: original | decoded" for label in labels)
    return Samples(
        step, pairs, captions, title=f"Held-out digits and their reconstructions after epoch {epoch}"
    )
