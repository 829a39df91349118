"""VAE lab: train a variational autoencoder live, then walk its latent space.

The encoder gives each image a Gaussian q(z|x) = N(mu, sigma^2) over the latent space; the
decoder gives each of the 784 pixels a Bernoulli probability (as logits, so that the
cross-entropy is computed stably). Two architectures: the course's MLP (784-400-200, mirrored)
and a small convolutional VAE. The course recipe trains the MLP with Adam at a constant 1e-3;
the default recipe trains the same MLP with a cosine schedule from a higher peak, dropout in the
encoder and a decoder that starts at the mean digit, and reaches a lower held-out negative ELBO
in the same training time (benchmarks/vae_bench.py). Models take [0, 1] pixels, (N, 1, 28, 28).

The interactions are pure functions of (trained model, input): encode, decode, the held-out
latent map, the decoded manifold, traversals of one latent dimension and interpolations.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.catalogue import VAE as SPEC
from core.data import ImageData, load_images, training_data
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.imaging import ImageInputError, canvas_to_gray, read_upload, to_mnist_frame
from core.labs.base import CHECKPOINT_ROOT, Lab, TrainedModel
from core.runner import TrainContext
from core.specs import SpecError
from core.training import HELDOUT_CHECKS_PER_EPOCH, HELDOUT_PROBE_SIZE, learning_rate_at, training_progress

Z_LIMIT = 10.0  # latent coordinates are refused beyond this: the N(0, 1) prior lives within about ±4
GRID_SIZES = (2, 20)  # a manifold grid is n x n decodings, n in this range
STEP_COUNTS = (2, 50)  # frames of an interpolation or a traversal
EVAL_SEED = 0  # held-out ELBOs use the same noise every time, so a checkpoint re-evaluates exactly
# The course's settings (its notebook: MLP VAE, BCE + KL, Adam 1e-3, batch 128), as lab settings.
COURSE_RECIPE = {
    "architecture": "mlp",
    "learning_rate": 1e-3,
    "schedule": "constant",
    "batch_size": 128,
    "dropout": 0.0,
    "mean_init": False,
}


# --- models --------------------------------------------------------------------------------


class VAE(nn.Module):
    """An encoder trunk with two heads (mean and log-variance of q(z|x)) and a decoder that maps
    z to pixel logits."""

    def __init__(self, encoder: nn.Module, features: int, decoder: nn.Module, latent_dim: int):
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = encoder
        self.mean = nn.Linear(features, latent_dim)
        self.log_variance = nn.Linear(features, latent_dim)
        self.decoder = decoder

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.encoder(x)
        return self.mean(h), self.log_variance(h)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.decode_logits(z))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Pixel logits of a reconstruction through one sampled z, and q(z|x)'s parameters."""
        mean, log_variance = self.encode(x)
        z = mean + torch.randn_like(mean) * (0.5 * log_variance).exp()  # reparameterisation
        return self.decode_logits(z), mean, log_variance


def mlp_vae(sizes: Sequence[int], latent_dim: int, dropout: float = 0.0) -> VAE:
    """784 -> sizes -> z and back, ReLU between layers (the course's model with (400, 200)).
    Dropout after each hidden layer of the encoder: on 12,000 digits the encoder overfits first
    (held-out codes get worse while training ones still improve)."""
    encoder: list[nn.Module] = [nn.Flatten()]
    width = 28 * 28
    for size in sizes:
        encoder += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
        width = size
    decoder: list[nn.Module] = []
    width = latent_dim
    for size in reversed(sizes):
        decoder += [nn.Linear(width, size), nn.ReLU()]
        width = size
    decoder += [nn.Linear(width, 28 * 28), nn.Unflatten(1, (1, 28, 28))]
    return VAE(nn.Sequential(*encoder), sizes[-1], nn.Sequential(*decoder), latent_dim)


def conv_vae(
    latent_dim: int, dropout: float = 0.0, channels: tuple[int, int] = (32, 64), hidden: int = 256
) -> VAE:
    """Two stride-2 convolutions (28 -> 14 -> 7) and a dense layer; the decoder mirrors them
    with transposed convolutions."""
    c1, c2 = channels
    encoder = nn.Sequential(
        nn.Conv2d(1, c1, 4, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(c1, c2, 4, stride=2, padding=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(c2 * 7 * 7, hidden),
        nn.ReLU(),
        nn.Dropout(dropout),
    )
    decoder = nn.Sequential(
        nn.Linear(latent_dim, hidden),
        nn.ReLU(),
        nn.Linear(hidden, c2 * 7 * 7),
        nn.ReLU(),
        nn.Unflatten(1, (c2, 7, 7)),
        nn.ConvTranspose2d(c2, c1, 4, stride=2, padding=1),
        nn.ReLU(),
        nn.ConvTranspose2d(c1, 1, 4, stride=2, padding=1),
    )
    return VAE(encoder, hidden, decoder, latent_dim)


def build_vae(architecture: str, latent_dim: int, dropout: float = 0.0) -> VAE:
    if architecture == "mlp":
        return mlp_vae((400, 200), latent_dim, dropout)
    if architecture == "conv":
        return conv_vae(latent_dim, dropout)
    raise ValueError(f"unknown architecture {architecture!r}")


@torch.no_grad()
def start_at_mean_image(model: VAE, images: torch.Tensor) -> None:
    """Set the decoder's output bias to the logit of the mean training image, so that before
    any step every code already decodes to the average digit (one bias per pixel for the MLP,
    one for all pixels for the convolutional decoder)."""
    mean = images.mean(0).clamp(1e-3, 1 - 1e-3)
    last = [
        module for module in model.decoder.modules() if isinstance(module, nn.Linear | nn.ConvTranspose2d)
    ][-1]
    last.bias.copy_(torch.logit(mean.flatten() if isinstance(last, nn.Linear) else mean.mean().view(1)))


# --- the objective -------------------------------------------------------------------------


def elbo_terms(
    logits: torch.Tensor, x: torch.Tensor, mean: torch.Tensor, log_variance: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per image, in nats: the reconstruction term (binary cross-entropy summed over the
    pixels) and KL(q(z|x) || N(0, I)). Their sum is the negative ELBO."""
    reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
    kl = 0.5 * (mean.pow(2) + log_variance.exp() - log_variance - 1).sum(1)
    return reconstruction, kl


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


def to_inputs(images: torch.Tensor, device: torch.device) -> torch.Tensor:
    """uint8 (N, 28, 28) -> float (N, 1, 28, 28) in [0, 1] on the device."""
    return images.float().div(255).unsqueeze(1).to(device)


def side_by_side(left: np.ndarray, right: np.ndarray, gap: float = 0.5) -> np.ndarray:
    """(N, H, W) and (N, H, W) -> (N, H, 2W + 1): each pair in one picture, a grey line between."""
    line = np.full((*left.shape[:2], 1), gap, dtype=np.float32)
    return np.concatenate([left, line, right], axis=2).astype(np.float32)


def one_per_class(labels: torch.Tensor, classes: int) -> torch.Tensor:
    """Indices of the first example of each class (the fixed digits shown while training)."""
    found = [int((labels == c).nonzero()[0]) for c in range(classes) if (labels == c).any()]
    return torch.tensor(found, dtype=torch.long)


class VAELab(Lab):
    spec = SPEC
    best_metric = ("heldout_loss", "min")  # the held-out negative ELBO
    # The negative ELBO starts at 200 to 550 nats per image (with or without mean_init) and only
    # falls from there: twenty times the first step's value is a blow-up.
    divergence_factor = 20.0

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return build_vae(config["architecture"], int(config["latent_dim"]), float(config.get("dropout", 0.0)))

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        """One bundled model: the default recipe, whose 2-D latent the map can show whole."""
        return CHECKPOINT_ROOT / "vae-mlp-2d"

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
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

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
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

    def headline(self, metrics: dict[str, Any]) -> str:
        value = metrics.get("heldout_neg_elbo")
        if not isinstance(value, float):
            return ""
        return (
            f"held-out −ELBO {value:.1f} nats per image (reconstruction "
            f"{metrics['heldout_reconstruction']:.1f} + KL {metrics['heldout_kl']:.1f})"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        return (
            "---\nlibrary_name: pytorch\ntags:\n- variational-autoencoder\n- mnist\n"
            "- deep-learning-labs\n---\n\n"
            f"# Variational autoencoder: {config.get('architecture')}, "
            f"{config.get('latent_dim')}-D latent\n\n"
            f"Trained by Deep Learning Labs' VAE lab on {config.get('data', {}).get('description')}.\n\n"
            f"- {self.headline(metrics) or 'held-out ELBO: n/a'}, on {metrics.get('heldout_size')} "
            "held-out images (one z sample per image, fixed noise)\n"
            "- Input: 1x28x28 floats in [0, 1], white ink on black, MNIST-style centring\n"
            f"- Encoder output: mean and log-variance of q(z|x), {config.get('latent_dim')} numbers each\n"
            "- Decoder output: 1x28x28 pixel logits (sigmoid gives the probabilities)\n\n"
            f"Reproduce: `python -m core train vae {settings} --data-dir <folder with MNIST/raw>`\n"
        )

    # --- command line ------------------------------------------------------------------

    def add_cli_commands(self, commands: argparse._SubParsersAction) -> None:
        encode_cmd = self.add_lab_command(commands, "encode", "images -> latent means and log-variances")
        encode_cmd.add_argument("images", nargs="+", metavar="IMAGE", help="png/jpg/webp, either polarity")
        encode_cmd.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
        encode_cmd.add_argument("--json", action="store_true", help="one JSON object per image")
        encode_cmd.set_defaults(handler=self.cli_encode)

        decode_cmd = self.add_lab_command(commands, "decode", "latent vectors -> images")
        decode_cmd.add_argument(
            "--z",
            action="append",
            required=True,
            metavar="NUMBERS",
            help='one latent vector, comma-separated, e.g. --z "0.5,-1" (repeat for several)',
        )
        decode_cmd.add_argument("--out", required=True, help="FILE.png (a row of images) or FILE.npy")
        decode_cmd.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
        decode_cmd.set_defaults(handler=self.cli_decode)

        grid_cmd = self.add_lab_command(commands, "manifold", "an n x n grid of decodings over a range")
        grid_cmd.add_argument("--low", type=float, default=-3.0, help="lowest latent value (default -3)")
        grid_cmd.add_argument("--high", type=float, default=3.0, help="highest latent value (default 3)")
        grid_cmd.add_argument("--n", type=int, default=15, help="grid size, 2 to 20 (default 15)")
        grid_cmd.add_argument("--dims", default="0,1", help="the two latent dimensions to span (default 0,1)")
        grid_cmd.add_argument(
            "--out", required=True, help="FILE.png (the grid) or FILE.npy (n x n x 28 x 28)"
        )
        grid_cmd.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
        grid_cmd.set_defaults(handler=self.cli_manifold)

        path_cmd = self.add_lab_command(commands, "interpolate", "decode the latent path between two images")
        path_cmd.add_argument("images", nargs=2, metavar="IMAGE", help="start and end digit images")
        path_cmd.add_argument("--steps", type=int, default=10, help="frames, 2 to 50 (default 10)")
        path_cmd.add_argument("--out", required=True, help="FILE.png (a strip) or FILE.npy")
        path_cmd.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
        path_cmd.set_defaults(handler=self.cli_interpolate)
        for parser in (decode_cmd, grid_cmd):
            # Let values such as "-1,0.5" or "-3" through as values, not as unknown options.
            parser._negative_number_matcher = re.compile(r"^-\.?\d")

    def cli_encode(self, args: argparse.Namespace) -> int:
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        failures = 0
        for name in args.images:
            try:
                encoding = encode_upload(trained, Path(name).read_bytes())
                result = {"file": name, **encoding.to_dicts()[0]}
            except (OSError, ImageInputError) as error:
                failures += 1
                reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
                result = {"file": name, "error": reason}
            if args.json:
                print(json.dumps(result))
            elif "error" in result:
                print(f"{name}: error: {result['error']}")
            else:
                print(f"{name}: z = {', '.join(f'{v:.3f}' for v in result['mean'])}")
        return 1 if failures else 0

    def cli_decode(self, args: argparse.Namespace) -> int:
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        z = np.stack([parse_latent(text, latent_size(trained)) for text in args.z])
        images = decode(trained, z)
        write_images(images, args.out, columns=len(images))
        print(json.dumps({"out": args.out, "z": z.tolist(), "shape": list(images.shape)}))
        return 0

    def cli_manifold(self, args: argparse.Namespace) -> int:
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        dims = parse_numbers(args.dims, "--dims")
        if len(dims) != 2 or not all(d.is_integer() for d in dims):
            raise LatentInputError(f"--dims: expected two dimension numbers such as 0,1, got {args.dims!r}")
        grid = manifold(trained, args.low, args.high, args.n, dims=(int(dims[0]), int(dims[1])))
        write_images(grid.images.reshape(-1, 28, 28), args.out, columns=grid.n, array=grid.images)
        print(json.dumps({"out": args.out, "values": grid.values.tolist(), "dims": list(dims)}))
        return 0

    def cli_interpolate(self, args: argparse.Namespace) -> int:
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        ends = []
        for name in args.images:
            try:
                ends.append(encode_upload(trained, Path(name).read_bytes()).means[0])
            except (OSError, ImageInputError) as error:
                reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
                raise ImageInputError(f"{name}: {reason}") from None
        path = interpolate(trained, ends[0], ends[1], args.steps)
        write_images(path.images, args.out, columns=len(path.images))
        print(json.dumps({"out": args.out, "z": path.z.round(4).tolist()}))
        return 0


# --- interactions: pure functions of (model, input) ----------------------------------------


COLLAPSE_KL = 0.5  # nats per image: codes carrying less than this say almost nothing about the digit


def collapse_warning(metrics: dict[str, Any]) -> str:
    """A message naming posterior collapse when the model's held-out KL is near zero, else ""."""
    kl = metrics.get("heldout_kl")
    if not isinstance(kl, float) or kl >= COLLAPSE_KL:
        return ""
    return (
        f"Posterior collapse: the held-out KL is {kl:.2f} nats per image, so the codes carry almost "
        "no information about the digits and every point of the latent space decodes to nearly the "
        "same image. Lower β (the KL weight) or train for longer."
    )


class LatentInputError(SpecError):
    """A latent vector, range, grid size or step count that cannot be decoded."""


def latent_size(trained: TrainedModel) -> int:
    return int(trained.config["latent_dim"])


def check_latents(z: Any, size: int) -> np.ndarray:
    """`z` as an (N, size) float32 array, or LatentInputError saying what is wrong with it."""
    try:
        array = np.asarray(z, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond float range
        raise LatentInputError("a latent vector must be a list of numbers") from None
    if array.ndim == 1:
        array = array[None]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] != size:
        got = array.shape[-1] if array.ndim >= 1 else 0
        raise LatentInputError(f"this model's latent vectors have {size} numbers, got {got}")
    if not np.isfinite(array).all():
        raise LatentInputError("latent coordinates must be finite numbers")
    if np.abs(array).max() > Z_LIMIT:
        raise LatentInputError(
            f"latent coordinates must lie within ±{Z_LIMIT:g} (the prior puts almost every code "
            f"within ±4); got {np.abs(array).max():g}"
        )
    return array.astype(np.float32)


def parse_numbers(text: str, name: str) -> list[float]:
    """'0.5, -1' -> [0.5, -1.0]; LatentInputError naming the first thing that is not a number."""
    values = []
    for part in (part for part in re.split(r"[,\s]+", str(text).strip()) if part):
        try:
            values.append(float(part))
        except ValueError:
            raise LatentInputError(f"{name}: {part!r} is not a number") from None
    return values


def parse_latent(text: str, size: int) -> np.ndarray:
    """A latent vector typed as text ('0.5,-1') -> (size,) array, checked like any other."""
    values = parse_numbers(text, "--z")
    if len(values) != size:
        raise LatentInputError(
            f"--z: this model's latent vectors have {size} numbers, got {len(values)} ({text!r})"
        )
    return check_latents(values, size)[0]


def check_range(low: float, high: float) -> tuple[float, float]:
    """A latent interval to decode over: finite, non-empty, within ±Z_LIMIT."""
    try:
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        raise LatentInputError("the range must be two numbers") from None
    except OverflowError:  # an int too large for a float
        raise LatentInputError(f"the range must lie within ±{Z_LIMIT:g}") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise LatentInputError("the range must be finite numbers")
    if max(abs(low), abs(high)) > Z_LIMIT:
        raise LatentInputError(
            f"the range must lie within ±{Z_LIMIT:g} (the prior puts almost every code within ±4); "
            f"got {low:g} to {high:g}"
        )
    if not low < high:
        raise LatentInputError(
            f"the range is empty: the low end ({low:g}) must be below the high end ({high:g})"
        )
    return low, high


def check_count(n: Any, bounds: tuple[int, int], what: str) -> int:
    try:
        number = float(n)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int too large for a float
        raise LatentInputError(f"{what} must be a whole number, got {n!r}") from None
    if not number.is_integer() or not bounds[0] <= number <= bounds[1]:
        raise LatentInputError(f"{what} must be a whole number from {bounds[0]} to {bounds[1]}, got {n!r}")
    return int(number)


@torch.inference_mode()
def decode(trained: TrainedModel, z: Any) -> np.ndarray:
    """Latent vectors, (size,) or (N, size) -> images (N, 28, 28) in [0, 1]."""
    array = check_latents(z, latent_size(trained))
    return trained.model.decode(torch.from_numpy(array))[:, 0].numpy()


@dataclass
class Encoding:
    """What the encoder makes of some 28x28 frames, and their reconstructions from the means."""

    frames: np.ndarray  # (N, 28, 28), the inputs as the model saw them
    means: np.ndarray  # (N, d)
    log_variances: np.ndarray  # (N, d)
    reconstructions: np.ndarray  # (N, 28, 28), decoded from the means

    def to_dicts(self) -> list[dict[str, Any]]:
        return [
            {
                "mean": [round(float(v), 5) for v in mean],
                "log_variance": [round(float(v), 5) for v in log_variance],
            }
            for mean, log_variance in zip(self.means, self.log_variances, strict=True)
        ]


@torch.inference_mode()
def encode(trained: TrainedModel, frames: np.ndarray) -> Encoding:
    """Prepared 28x28 frames in [0, 1], shape (28, 28) or (N, 28, 28) -> their encodings."""
    frames = np.asarray(frames, dtype=np.float32)
    if frames.ndim == 2:
        frames = frames[None]
    if frames.ndim != 3 or frames.shape[1:] != (28, 28) or len(frames) == 0:
        raise ImageInputError(f"expected 28x28 frames, got shape {frames.shape}")
    x = torch.from_numpy(np.ascontiguousarray(frames))[:, None]
    mean, log_variance = trained.model.encode(x)
    reconstructions = trained.model.decode(mean)[:, 0]
    return Encoding(frames, mean.numpy(), log_variance.numpy(), reconstructions.numpy())


def encode_drawing(trained: TrainedModel, pad: np.ndarray) -> Encoding:
    """A drawing pad's pixels (white on black, any size) -> encoding. ImageInputError when the
    pad is empty."""
    return encode(trained, to_mnist_frame(canvas_to_gray(pad)))


def encode_upload(trained: TrainedModel, data: bytes) -> Encoding:
    """A photo or scan of a digit (either polarity) -> encoding. Raises ImageInputError."""
    return encode(trained, to_mnist_frame(read_upload(data)))


@dataclass
class LatentMap:
    """Held-out digits placed by their latent means, with their labels, for a scatter plot."""

    means: np.ndarray  # (N, d)
    labels: np.ndarray  # (N,) class indices
    classes: tuple[str, ...]
    data: str  # which held-out digits these are (the offline fallback is not MNIST)


@torch.inference_mode()
def latent_map(trained: TrainedModel, data: ImageData, limit: int | None = None) -> LatentMap:
    """Encode the held-out split (its first `limit` images, or all)."""
    images = data.test_images[:limit] if limit else data.test_images
    x = to_inputs(images, torch.device("cpu"))
    means = torch.cat([trained.model.encode(x[i : i + 1024])[0] for i in range(0, len(x), 1024)])
    labels = data.test_labels[: len(images)].numpy()
    return LatentMap(means.numpy(), labels, data.classes, data.source.description)


@dataclass
class Manifold:
    """n x n decodings: column c has value values[c] on dims[0]; row r has values[n - 1 - r] on
    dims[1], so that up is positive, as on the latent map."""

    images: np.ndarray  # (n, n, 28, 28)
    values: np.ndarray  # (n,)
    dims: tuple[int, int]

    @property
    def n(self) -> int:
        return len(self.values)


@torch.inference_mode()
def manifold(
    trained: TrainedModel,
    low: float,
    high: float,
    n: int,
    dims: tuple[int, int] = (0, 1),
    base: Any = None,
) -> Manifold:
    """Decode an n x n grid over [low, high] on two latent dimensions; the others stay at `base`
    (default 0, the prior's mean)."""
    size = latent_size(trained)
    low, high = check_range(low, high)
    n = check_count(n, GRID_SIZES, "the grid size")
    dims = tuple(int(d) for d in dims)
    if len(dims) != 2 or dims[0] == dims[1] or not all(0 <= d < size for d in dims):
        raise LatentInputError(f"pick two different dimensions from 0 to {size - 1}, got {dims}")
    z = np.tile(np.zeros(size, np.float32) if base is None else check_latents(base, size)[0], (n * n, 1))
    values = np.linspace(low, high, n, dtype=np.float32)
    z[:, dims[0]] = np.tile(values, n)  # columns: left to right
    z[:, dims[1]] = np.repeat(values[::-1], n)  # rows: top to bottom
    images = trained.model.decode(torch.from_numpy(z))[:, 0].numpy()
    return Manifold(images.reshape(n, n, 28, 28), values, dims)


@dataclass
class LatentPath:
    """Decodings along a line in latent space."""

    z: np.ndarray  # (steps, d)
    images: np.ndarray  # (steps, 28, 28)


def traverse(trained: TrainedModel, base: Any, dim: int, low: float, high: float, steps: int) -> LatentPath:
    """Vary one latent dimension from low to high with every other one fixed at `base`."""
    size = latent_size(trained)
    base = check_latents(base, size)[0]
    low, high = check_range(low, high)
    steps = check_count(steps, STEP_COUNTS, "the number of steps")
    dim = check_count(dim, (0, size - 1), "the dimension")
    z = np.tile(base, (steps, 1))
    z[:, dim] = np.linspace(low, high, steps, dtype=np.float32)
    return LatentPath(z, decode(trained, z))


def interpolate(trained: TrainedModel, start: Any, end: Any, steps: int) -> LatentPath:
    """Decode `steps` evenly spaced points on the straight line from latent `start` to `end`
    (e.g. the means of two drawn digits)."""
    size = latent_size(trained)
    start, end = check_latents(start, size)[0], check_latents(end, size)[0]
    steps = check_count(steps, STEP_COUNTS, "the number of steps")
    weights = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    z = (1 - weights) * start + weights * end
    return LatentPath(z, decode(trained, z))


def write_images(images: np.ndarray, out: str, columns: int, array: np.ndarray | None = None) -> None:
    """Save (N, 28, 28) images as one grid PNG, or as an .npy array (`array` if given)."""
    from PIL import Image

    from core.charts import tile, to_uint8

    path = Path(out)
    if path.suffix.lower() == ".npy":
        np.save(path, images if array is None else array)
    elif path.suffix.lower() == ".png":
        Image.fromarray(to_uint8(tile(images, columns=columns))).save(path)
    else:
        raise SpecError(f"--out must end in .png or .npy, got {out!r}")


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
