"""Denoising autoencoder lab: corrupt digits, train a conv autoencoder to restore them, and
measure both in dB.

Two models: the course's conv autoencoder (1 -> 16 -> 8 channels with stride 2, transposed
convolutions back, sigmoid), kept as the course wrote it, and `skip-ae`, the default: the same
shape made wider, with one more convolution at 7x7 and a skip connection at 14x14. The noise
and the PSNR live in `core.noise`, shared with anything else that corrupts or scores images.

Held-out figures always use the same noise (seed `EVAL_SEED`), so two models, or a checkpoint
and its re-evaluation, are scored on exactly the same noisy digits.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import charts
from core.catalogue import DENOISE as SPEC
from core.data import ImageData, load_images, training_data
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.imaging import ImageInputError, canvas_to_gray, read_upload, to_mnist_frame
from core.labs.base import CHECKPOINT_ROOT, Lab, TrainedModel
from core.noise import (
    DEFAULT_LEVELS,
    NOISE_KINDS,
    add_noise,
    check_noise,
    check_seed,
    psnr_per_image,
    seeded,
)
from core.runner import TrainContext

EVAL_SEED = 1234  # the held-out noise: the same for every model and every evaluation
HELDOUT_CHECKS_PER_EPOCH = 5
HELDOUT_PROBE_SIZE = 512  # the live held-out points use a fixed sample; epoch ends use it all
SAMPLE_COUNT = 6  # clean / noisy / denoised triples shown while training
DARK_BIAS = -2.0  # sigmoid(-2) = 0.12, about MNIST's average pixel
BLANK_MARGIN_DB = 0.5  # an output within this of a black image's PSNR counts as blank
FRAME = 28


# --- models --------------------------------------------------------------------------------


class CourseAutoencoder(nn.Module):
    """The course's denoising autoencoder, layer for layer (Lab Work 23)."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1),  # -> (16, 14, 14)
            nn.ReLU(True),
            nn.Conv2d(16, 8, 3, stride=2, padding=1),  # -> (8, 7, 7)
            nn.ReLU(True),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(8, 16, 3, stride=2, padding=1, output_padding=1),  # -> (16, 14, 14)
            nn.ReLU(True),
            nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1),  # -> (1, 28, 28)
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))

    @property
    def output_layer(self) -> nn.ConvTranspose2d:
        return self.decoder[2]


class SkipAutoencoder(nn.Module):
    """The course's shape, wider, with one more 7x7 convolution and a skip connection: the
    14x14 encoder features are added to the decoder's before the last upsampling, so the
    bottleneck carries which digit it is and the skip carries where its strokes are."""

    def __init__(self, width: int = 32, bottleneck: int = 64) -> None:
        super().__init__()
        self.down1 = nn.Sequential(nn.Conv2d(1, width, 3, stride=2, padding=1), nn.ReLU(True))  # 14x14
        self.down2 = nn.Sequential(
            nn.Conv2d(width, bottleneck, 3, stride=2, padding=1),  # 7x7
            nn.ReLU(True),
            nn.Conv2d(bottleneck, bottleneck, 3, padding=1),
            nn.ReLU(True),
        )
        self.up2 = nn.ConvTranspose2d(bottleneck, width, 3, stride=2, padding=1, output_padding=1)  # 14
        self.up1 = nn.ConvTranspose2d(width, 1, 3, stride=2, padding=1, output_padding=1)  # 28x28

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skip = self.down1(x)
        y = F.relu(self.up2(self.down2(skip)) + skip)
        return torch.sigmoid(self.up1(y))

    @property
    def output_layer(self) -> nn.ConvTranspose2d:
        return self.up1


def build_denoiser(architecture: str, dark_start: bool = False) -> nn.Module:
    """An untrained denoiser; `dark_start` sets its output bias so it starts near black."""
    if architecture == "skip-ae":
        model: nn.Module = SkipAutoencoder()
    elif architecture == "course":
        model = CourseAutoencoder()
    else:
        raise ValueError(f"unknown architecture {architecture!r}")
    if dark_start:
        nn.init.constant_(model.output_layer.bias, DARK_BIAS)
    return model


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


# --- the lab -------------------------------------------------------------------------------


class DenoiseLab(Lab):
    spec = SPEC
    best_metric = ("heldout_psnr", "max")

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return build_denoiser(config["architecture"])

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        architecture = (params or {}).get("architecture", SPEC.param("architecture").default)
        return CHECKPOINT_ROOT / f"denoise-{architecture}"

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        data = load_images(params["dataset"], ctx.data_dir)
        train = to_frames(data.train_images, ctx.device)
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
        steps_per_epoch = (len(train) + batch_size - 1) // batch_size
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
            order = torch.randperm(len(train), generator=ctx.generator).to(train.device)
            sums = {"loss": 0.0, "psnr_in": 0.0, "psnr": 0.0, "psnr_gain": 0.0}
            seen = 0
            for start in range(0, len(train), batch_size):
                clean = train[order[start : start + batch_size]]
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
                at = epoch + seen / len(train)
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
            "noise": noise_name(kind, level)
            + (" (random levels up to it)" if params["random_level"] else ""),
            **heldout_summary(model, heldout, kind, level),
            "train_seconds": seconds,
            "dataset": data.source.description,
        }
        config["training"] = {"device": str(ctx.device), "seconds": seconds}
        yield Trained(model.cpu().eval(), config, metrics)

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        data = training_data(trained.config, data_dir)
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

    def headline(self, metrics: dict[str, Any]) -> str:
        gaussian = metrics.get("psnr_by_noise", {}).get(noise_name("gaussian", DEFAULT_LEVELS["gaussian"]))
        if not isinstance(gaussian, dict):
            return ""
        text = (
            f"held-out PSNR {gaussian['psnr_in']:.1f} → {gaussian['psnr_out']:.1f} dB "
            f"({gaussian['psnr_gain']:+.1f} dB) at Gaussian σ = {DEFAULT_LEVELS['gaussian']:g}"
        )
        return text + (" · outputs blank images (plateau)" if metrics.get("blank_output") else "")

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        rows = "\n".join(
            f"| {name} | {f['psnr_in']:.2f} | {f['psnr_out']:.2f} | {f['psnr_gain']:+.2f} |"
            for name, f in metrics.get("psnr_by_noise", {}).items()
        )
        return (
            "---\nlibrary_name: pytorch\ntags:\n- image-denoising\n- autoencoder\n- mnist\n"
            "- deep-learning-labs\n---\n\n"
            f"# Denoising autoencoder: {config.get('architecture')}\n\n"
            f"Trained by Deep Learning Labs' denoising lab on {config.get('data', {}).get('description')}, "
            f"with {metrics.get('noise')} noise.\n\n"
            "Held-out PSNR (mean over images of the per-image PSNR, dB; fixed noise, seed "
            f"{EVAL_SEED}):\n\n| noise | noisy input | denoised | gain |\n| --- | --- | --- | --- |\n"
            f"{rows}\n\n"
            "- Input: 1x28x28 floats in [0, 1], white ink on black; output: the same, the clean estimate\n\n"
            f"Reproduce: `python -m core train denoise {settings} --data-dir <folder with MNIST/raw>`\n"
        )

    def add_cli_commands(self, commands: argparse._SubParsersAction) -> None:
        command = commands.add_parser(
            "denoise", help="add noise to a digit image, denoise it, and write clean | noisy | denoised"
        )
        command.add_argument("image", metavar="IMAGE", help="png, jpg or webp of one digit (either polarity)")
        command.add_argument("--noise", required=True, choices=NOISE_KINDS)
        command.add_argument(
            "--level",
            type=float,
            help="Gaussian std or share of pixels, 0 to 1 (default: "
            + ", ".join(f"{kind} {level:g}" for kind, level in DEFAULT_LEVELS.items())
            + ")",
        )
        command.add_argument("--seed", type=int, default=0, help="seed of the noise (default 0)")
        command.add_argument(
            "--out",
            required=True,
            metavar="FILE",
            help=".png: the three images side by side, enlarged 4x; .npy: a (3, 28, 28) array in [0, 1]",
        )
        command.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
        command.add_argument("--json", action="store_true", help="print the result as one JSON object")
        command.set_defaults(handler=self.cli_denoise)

    def cli_denoise(self, args: argparse.Namespace) -> int:
        out = Path(args.out)
        if out.suffix.lower() not in (".png", ".npy"):
            raise ImageInputError(f"--out must end in .png or .npy, not {out.name!r}")
        level = DEFAULT_LEVELS[args.noise] if args.level is None else args.level
        check_noise(args.noise, level)
        check_seed(args.seed)
        try:
            data = Path(args.image).read_bytes()
        except OSError as error:
            raise ImageInputError(f"{args.image}: {error.strerror or error}") from None
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        try:
            result = denoise_upload(trained, data, args.noise, level, args.seed)
        except ImageInputError as error:
            raise ImageInputError(f"{args.image}: {error}") from None
        try:
            write_result(result, out)
        except OSError as error:
            raise ImageInputError(f"could not write {out}: {error.strerror or error}") from None
        summary = {"file": args.image, "out": str(out), **result.to_dict()}
        if args.json:
            print(json.dumps(summary))
        else:
            print(
                f"{args.image}: {noise_name(args.noise, level)} noise, PSNR {result.psnr_in:.2f} dB -> "
                f"{result.psnr_out:.2f} dB denoised ({result.gain:+.2f} dB); wrote {out}"
            )
        return 0


# --- interactions: pure functions of (model, input) ----------------------------------------


@dataclass
class DenoiseResult:
    """A clean frame, its noisy copy and the model's estimate, with their PSNRs in dB."""

    clean: np.ndarray  # (28, 28) in [0, 1]
    noisy: np.ndarray
    denoised: np.ndarray
    noise: str
    level: float
    seed: int
    psnr_in: float
    psnr_out: float

    @property
    def gain(self) -> float:
        return self.psnr_out - self.psnr_in

    @property
    def strip(self) -> np.ndarray:
        """clean | noisy | denoised as one picture."""
        return triple_strip(self.clean, self.noisy, self.denoised)

    def to_dict(self, images: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = {
            "noise": self.noise,
            "level": self.level,
            "seed": self.seed,
            "psnr_in": round(self.psnr_in, 2),
            "psnr_out": round(self.psnr_out, 2),
            "psnr_gain": round(self.gain, 2),
        }
        if images:
            for name in ("clean", "noisy", "denoised"):
                result[name] = np.round(getattr(self, name), 4).tolist()
        return result


def _frames(array: Any) -> np.ndarray:
    try:  # text, ragged lists or huge ints used to escape as ValueError/TypeError/OverflowError
        frames = np.asarray(array, dtype=np.float32)
    except (TypeError, ValueError, OverflowError):
        raise ImageInputError("expected 28x28 frames of numbers") from None
    if frames.shape[-2:] != (FRAME, FRAME) or frames.ndim not in (2, 3):
        raise ImageInputError(f"expected 28x28 frames, got an array of shape {frames.shape}")
    if not np.isfinite(frames).all():
        raise ImageInputError("the frame holds NaN or infinite values")
    return np.clip(frames, 0.0, 1.0)


def denoise(trained: TrainedModel, noisy: Any) -> np.ndarray:
    """The model's clean estimate of one noisy 28x28 frame, or of a stack (N, 28, 28), in [0, 1]."""
    frames = _frames(noisy)
    inputs = torch.from_numpy(np.ascontiguousarray(frames.reshape(-1, 1, FRAME, FRAME)))
    with torch.no_grad():
        outputs = trained.model.eval()(inputs)
    return outputs.numpy().reshape(frames.shape)


def corrupt_and_denoise(
    trained: TrainedModel, clean: Any, noise: str, level: float, seed: int = 0
) -> DenoiseResult:
    """Add `noise` at `level` (seeded) to a clean 28x28 frame, denoise it, and score both."""
    level = check_noise(noise, level)
    seed = check_seed(seed)
    frame = _frames(clean)
    if frame.ndim != 2:
        raise ImageInputError("expected one 28x28 frame")
    clean_t = torch.from_numpy(np.ascontiguousarray(frame))[None, None]
    noisy = add_noise(clean_t, noise, level, seeded(seed))[0, 0].numpy()
    denoised = denoise(trained, noisy)
    psnr = psnr_per_image(np.stack([frame, frame]), np.stack([noisy, denoised])).tolist()
    return DenoiseResult(frame, noisy, denoised, noise, level, seed, psnr[0], psnr[1])


def drawing_frame(pad: Any) -> np.ndarray:
    """A drawing pad's pixels (white on black, any size) as an MNIST-style 28x28 frame. Raises
    ImageInputError when the pad is empty."""
    return to_mnist_frame(canvas_to_gray(pad))


def denoise_drawing(
    trained: TrainedModel, pad: Any, noise: str, level: float, seed: int = 0
) -> DenoiseResult:
    """A drawing as the clean digit. Raises ImageInputError when the pad is empty, NoiseError
    for a level or seed out of range (checked first: a bad level is the clearer message)."""
    check_noise(noise, level)
    return corrupt_and_denoise(trained, drawing_frame(pad), noise, level, seed)


def denoise_upload(
    trained: TrainedModel, data: bytes, noise: str, level: float, seed: int = 0
) -> DenoiseResult:
    """An image file of one digit (png, jpg or webp, either polarity) as the clean digit."""
    check_noise(noise, level)
    return corrupt_and_denoise(trained, to_mnist_frame(read_upload(data)), noise, level, seed)


def heldout_digit(data: ImageData, index: int) -> np.ndarray:
    """Held-out image number `index` as a 28x28 frame in [0, 1]; a clear error when out of range."""
    count = len(data.test_images)
    if not isinstance(index, int | np.integer) or not 0 <= index < count:
        raise ImageInputError(f"there are {count:,} held-out images: pick a number from 0 to {count - 1}")
    return data.test_images[int(index)].numpy().astype(np.float32) / 255


def write_result(result: DenoiseResult, path: Path, scale: int = 4) -> None:
    """.png: clean | noisy | denoised enlarged `scale` times; .npy: the (3, 28, 28) array."""
    if path.suffix.lower() == ".npy":
        np.save(path, np.stack([result.clean, result.noisy, result.denoised]).astype(np.float32))
        return
    from PIL import Image

    Image.fromarray(charts.to_uint8(charts.upscale(result.strip, scale))).save(path, format="PNG")
