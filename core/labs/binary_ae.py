"""Binary autoencoder lab: squeeze a digit into 48 bits (a 3x4x4 grid of -1/+1) and back.

The encoder maps a 1x32x32 digit (MNIST's 28x28 resized, pixels in [-1, 1]) to a 3x4x4 map of
real numbers; their signs are the code. The sign has no gradient, so the straight-through
estimator passes the decoder's gradient to the encoder as if the sign were the identity. The
decoder turns a code back into a digit with transposed convolutions and a tanh.

Training follows the course's recipe: a warm-up with real-valued codes (the sign switched off),
then binary codes; an L1 (or MSE) reconstruction loss; and a small term that pushes the codes
away from 0, where a sign flips at the slightest change. Two additions make memorising work on a
CPU in minutes. The encoder is frozen for the last part of the training (`freeze_at`): while it
learns, Adam moves every code value by about the learning rate at each step, codes near 0 keep
changing sign and the decoder chases a moving target; frozen, the codes stay put and the decoder
memorises the digits for them. And the `fast` network standardises its code values over the
batch, so every bit splits the digits about half and half: without it, many bits took the same
sign for every digit and 128 digits shared 12 codes.

Two networks: the course's (32 to 256 channels, about 38 s per epoch of 12,000 digits on this
CPU) and `fast`, the default: a quarter of the channels, no full-resolution layer, standardised
codes and a wider first decoder layer, several times cheaper per step.

The criterion is the course's: a PSNR above 25 dB on the training digits it memorises, measured
with binary codes. The course met it at epoch 4 of a 10-epoch warm-up, i.e. with real-valued
codes; `train_psnr_real_codes` keeps that figure beside the true one so the difference shows.
PSNR is per image on [0, 1] pixels, averaged over images.

The interactions are pure functions of (trained model, input): encode a frame to bits, decode
bits (typed, or with some flipped) to a digit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import charts
from core.catalogue import BINARY_AE as SPEC
from core.data import ImageData, load_images, training_data
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.imaging import ImageInputError, canvas_to_gray, read_upload, to_mnist_frame
from core.labs.base import CHECKPOINT_ROOT, Lab, TrainedModel
from core.noise import psnr_per_image
from core.runner import TrainContext
from core.specs import SpecError
from core.training import HELDOUT_PROBE_SIZE, learning_rate_at, training_progress

SIZE = 32  # the course resized MNIST's 28x28 to 32x32, so three halvings give 4x4
CODE_SHAPE = (3, 4, 4)
CODE_BITS = 48
TARGET_PSNR_DB = 25.0  # the course's criterion, on the training digits
LIVE_CHECKS = 100  # held-out probes over a whole training
EPOCH_REPORTS = 30  # epoch ends (of many short epochs) that measure the PSNRs and show samples
SAMPLE_COUNT = 8  # training digits shown beside their reconstructions while training
PUSH_MARGIN = 1.0  # codes closer than this to 0 are pushed outwards (the course's margin)


# --- models --------------------------------------------------------------------------------


class BinarizeSTE(torch.autograd.Function):
    """sign(x) in {-1, +1} forward (0 counts as +1); the gradient passes through unchanged."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x >= 0, 1.0, -1.0).to(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        return grad


def binarize(x: torch.Tensor) -> torch.Tensor:
    return BinarizeSTE.apply(x)


def _conv(channels_in: int, channels_out: int, kernel: int, stride: int, padding: int) -> list[nn.Module]:
    return [
        nn.Conv2d(channels_in, channels_out, kernel, stride, padding),
        nn.BatchNorm2d(channels_out),
        nn.ReLU(inplace=True),
    ]


def _up(channels_in: int, channels_out: int) -> list[nn.Module]:
    """A transposed convolution that doubles the size, then batch norm and ReLU."""
    return [
        nn.ConvTranspose2d(channels_in, channels_out, 4, 2, 1),
        nn.BatchNorm2d(channels_out),
        nn.ReLU(inplace=True),
    ]


class BinaryAutoencoder(nn.Module):
    """An encoder to a 3x4x4 map, binarised when `binary` is on, and a decoder back to 32x32."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.binary = True  # off during the warm-up

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Real-valued code maps (N, 3, 4, 4); their signs are the bits."""
        return self.encoder(x)

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        return self.decoder(code)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The reconstruction in [-1, 1] and the real-valued code it came from."""
        real = self.encode(x)
        return self.decode(binarize(real) if self.binary else real), real


def course_autoencoder() -> BinaryAutoencoder:
    """The course's network, layer for layer (its autoencoder_model.py)."""
    encoder = nn.Sequential(
        *_conv(1, 32, 3, 1, 1),  # 32x32
        *_conv(32, 64, 4, 2, 1),  # 16x16
        *_conv(64, 128, 4, 2, 1),  # 8x8
        *_conv(128, 256, 4, 2, 1),  # 4x4
        nn.Conv2d(256, 3, 3, 1, 1),
    )
    decoder = nn.Sequential(
        *_up(3, 128),  # 8x8
        *_up(128, 64),  # 16x16
        *_up(64, 32),  # 32x32
        nn.Conv2d(32, 1, 3, 1, 1),
        nn.Tanh(),
    )
    return BinaryAutoencoder(encoder, decoder)


def fast_autoencoder(width: int = 16) -> BinaryAutoencoder:
    """Three stride-2 convolutions straight from the pixels (no full-resolution layer, which
    costs the course's network a quarter of its time), codes standardised over the batch, and a
    decoder that first widens the 48 bits to 8 x width channels at 4x4, where a layer is cheap,
    before upsampling."""
    encoder = nn.Sequential(
        *_conv(1, width, 4, 2, 1),  # 16x16
        *_conv(width, 2 * width, 4, 2, 1),  # 8x8
        *_conv(2 * width, 4 * width, 4, 2, 1),  # 4x4
        nn.Conv2d(4 * width, 3, 3, 1, 1),
        # Each code value is standardised over the batch (no learnt shift), so each bit is +1
        # for about half the digits: no bit can die by taking the same sign for every digit.
        nn.BatchNorm2d(3, affine=False),
    )
    decoder = nn.Sequential(
        *_conv(3, 8 * width, 3, 1, 1),  # 4x4
        *_up(8 * width, 4 * width),  # 8x8
        *_up(4 * width, 2 * width),  # 16x16
        nn.ConvTranspose2d(2 * width, 1, 4, 2, 1),  # 32x32
        nn.Tanh(),
    )
    return BinaryAutoencoder(encoder, decoder)


def build_autoencoder(architecture: str) -> BinaryAutoencoder:
    if architecture == "fast":
        return fast_autoencoder()
    if architecture == "course":
        return course_autoencoder()
    raise ValueError(f"unknown architecture {architecture!r}")


def weights_hash(model: nn.Module) -> str:
    """A short fingerprint of the weights: a prior records it to name the autoencoder whose codes
    it learnt, and refuses to pair with any other."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


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


# --- data and scoring ----------------------------------------------------------------------


def to_inputs(frames: Any) -> torch.Tensor:
    """uint8 (N, 28, 28) in 0-255, or float frames in [0, 1] -> (N, 1, 32, 32) in [-1, 1]
    (bilinear resize with antialiasing, as torchvision's Resize(32) did for the course)."""
    x = torch.as_tensor(frames)
    x = x.float().div(255) if x.dtype == torch.uint8 else x.float()
    if x.ndim == 2:
        x = x[None]
    x = F.interpolate(x[:, None], size=SIZE, mode="bilinear", antialias=True, align_corners=False)
    return x.clamp(0, 1) * 2 - 1


def to_pixels(x: torch.Tensor) -> np.ndarray:
    """(N, 1, 32, 32) in [-1, 1] -> (N, 32, 32) numpy in [0, 1]."""
    return ((x[:, 0].detach().cpu().clamp(-1, 1) + 1) / 2).numpy()


def psnr(reference: torch.Tensor, output: torch.Tensor) -> torch.Tensor:
    """Per-image PSNR in dB of [-1, 1] images, measured on the [0, 1] scale (the course's)."""
    return psnr_per_image((reference + 1) / 2, (output.clamp(-1, 1) + 1) / 2)


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


@torch.no_grad()
def codes_of(model: BinaryAutoencoder, x: torch.Tensor) -> torch.Tensor:
    """The 48 bits of each input, (N, 48) uint8 in {0, 1} (1 for +1), in eval mode."""
    was_training = model.training
    model.eval()
    real = torch.cat([model.encode(x[i : i + 1024]) for i in range(0, len(x), 1024)])
    model.train(was_training)
    return (real.flatten(1) >= 0).to(torch.uint8)


def memorised_inputs(data: ImageData, count: int) -> torch.Tensor:
    """The training digits the autoencoder memorises: the first `count` of the training split."""
    return to_inputs(data.train_images[:count])


def score(model: BinaryAutoencoder, train: torch.Tensor, heldout: torch.Tensor) -> dict[str, Any]:
    """The figures a checkpoint records and `evaluate` reproduces."""
    codes = codes_of(model, train)
    train_psnr = mean_psnr(model, train)
    return {
        "train_psnr": round(train_psnr, 2),
        "heldout_psnr": round(mean_psnr(model, heldout), 2),
        "train_psnr_real_codes": round(mean_psnr(model, train, binary=False), 2),
        "criterion_met": train_psnr > TARGET_PSNR_DB,
        "train_size": len(train),
        "heldout_size": len(heldout),
        "distinct_codes": len(torch.unique(codes, dim=0)),
        "weights_hash": weights_hash(model),
    }


# --- the lab -------------------------------------------------------------------------------


class BinaryAELab(Lab):
    spec = SPEC

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        return build_autoencoder(config["architecture"])

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        return CHECKPOINT_ROOT / "binary-ae-fast"

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        data = load_images("mnist", ctx.data_dir)
        count = min(params["train_size"], len(data.train_images))
        train = memorised_inputs(data, count).to(ctx.device)
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
        shown = train[:SAMPLE_COUNT]

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
                x = train[order[start : start + batch_size]]
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
                epoch_metrics["train_psnr"] = mean_psnr(model, train)
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
            **score(model, train, heldout),
            "warmup_finished": bool(training_progress(step, total_steps, ctx) >= params["warmup"]),
            "train_seconds": seconds,
            "steps": step,
            "dataset": data.source.description,
        }
        config["training"] = {"device": str(ctx.device), "seconds": seconds}
        yield Trained(model.cpu().eval(), config, metrics)

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        data = training_data(trained.config, data_dir)
        train = memorised_inputs(data, int(trained.config["train_size"]))
        return {
            "lab": SPEC.id,
            "architecture": trained.config["architecture"],
            **score(trained.model, train, to_inputs(data.test_images)),
            "target": f"train PSNR > {TARGET_PSNR_DB:g} dB with binary codes",
            "data": data.source.description,
        }

    def headline(self, metrics: dict[str, Any]) -> str:
        train, heldout = metrics.get("train_psnr"), metrics.get("heldout_psnr")
        if not isinstance(train, float) or not isinstance(heldout, float):
            return ""
        return (
            f"PSNR {train:.1f} dB on the {metrics.get('train_size', '?'):,} training digits it memorises, "
            f"{heldout:.1f} dB held-out (48-bit codes)"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        return (
            "---\nlibrary_name: pytorch\ntags:\n- autoencoder\n- binary-codes\n- mnist\n"
            "- deep-learning-labs\n---\n\n"
            f"# Binary autoencoder: {config.get('architecture')}\n\n"
            f"Trained by Deep Learning Labs' binary autoencoder lab on the first "
            f"{config.get('train_size')} training digits of {config.get('data', {}).get('description')}.\n\n"
            f"- {self.headline(metrics) or 'PSNR: n/a'}\n"
            f"- PSNR with real-valued (unbinarised) codes: {metrics.get('train_psnr_real_codes')} dB\n"
            f"- Distinct codes among the training digits: {metrics.get('distinct_codes')}\n"
            f"- Weights fingerprint (priors record it): `{metrics.get('weights_hash')}`\n"
            "- Input: 1x32x32 floats in [-1, 1] (MNIST resized), white ink on black; code: 3x4x4 "
            "bits in {-1, +1}; output: 1x32x32 in [-1, 1]\n\n"
            f"Reproduce: `python -m core train binary-ae {settings} --data-dir <folder with MNIST/raw>`\n"
        )

    # --- command line ------------------------------------------------------------------

    def add_cli_commands(self, commands: argparse._SubParsersAction) -> None:
        encode_cmd = self.add_lab_command(commands, "encode", "images -> 48-bit codes")
        encode_cmd.add_argument("images", nargs="+", metavar="IMAGE", help="png/jpg/webp, either polarity")
        encode_cmd.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
        encode_cmd.add_argument("--json", action="store_true", help="one JSON object per image")
        encode_cmd.set_defaults(handler=self.cli_encode)

        decode_cmd = self.add_lab_command(commands, "decode", "48-bit codes -> digits")
        decode_cmd.add_argument(
            "--bits",
            action="append",
            required=True,
            metavar="BITS",
            help="48 zeros and ones (spaces, commas and underscores are ignored); repeat for several",
        )
        decode_cmd.add_argument(
            "--flip",
            type=int,
            action="append",
            default=[],
            metavar="N",
            help="flip bit N (0-47) of every code first (repeatable)",
        )
        decode_cmd.add_argument("--out", required=True, help="FILE.png (a row of digits) or FILE.npy")
        decode_cmd.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
        decode_cmd.set_defaults(handler=self.cli_decode)

    def cli_encode(self, args: argparse.Namespace) -> int:
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        failures = 0
        for name in args.images:
            try:
                result = encode_upload(trained, Path(name).read_bytes())
                row = {"file": name, "bits": result.bits_text, "psnr": round(result.psnr, 2)}
            except (OSError, ImageInputError) as error:
                failures += 1
                reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
                row = {"file": name, "error": reason}
            if args.json:
                print(json.dumps(row))
            elif "error" in row:
                print(f"{name}: error: {row['error']}")
            else:
                print(f"{name}: {row['bits']} (reconstruction {row['psnr']:.1f} dB)")
        return 1 if failures else 0

    def cli_decode(self, args: argparse.Namespace) -> int:
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        codes = []
        for text in args.bits:
            bits = parse_bits(text)
            for index in args.flip:
                bits = flip(bits, index)
            codes.append(bits)
        images = decode(trained, np.stack(codes))
        write_images(images, args.out)
        print(json.dumps({"out": args.out, "bits": [bits_to_text(b) for b in codes]}))
        return 0


# --- interactions: pure functions of (model, input) ----------------------------------------


class BitsInputError(SpecError):
    """A code that is not 48 bits, or a bit index out of range."""


def parse_bits(text: Any) -> np.ndarray:
    """'0101...' (48 digits 0 or 1; spaces, commas and underscores ignored) -> (48,) uint8."""
    cleaned = re.sub(r"[\s,_]", "", str(text))
    if bad := re.search(r"[^01]", cleaned):
        raise BitsInputError(
            f"a code is made of 0s and 1s only; {bad.group()!r} at position {bad.start()} is not a bit"
        )
    if len(cleaned) != CODE_BITS:
        raise BitsInputError(f"a code has {CODE_BITS} bits, got {len(cleaned)}")
    return np.frombuffer(cleaned.encode(), dtype=np.uint8) - ord("0")


def check_bits(bits: Any) -> np.ndarray:
    """Codes as (N, 48) uint8 in {0, 1}: from strings, or arrays of 0/1 (or -1/+1)."""
    if isinstance(bits, str):
        return parse_bits(bits)[None]
    if isinstance(bits, list | tuple) and bits and all(isinstance(b, str) for b in bits):
        return np.stack([parse_bits(b) for b in bits])
    try:
        array = np.asarray(bits, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond float range
        raise BitsInputError("a code must be a string of 0s and 1s or a list of bits") from None
    if array.ndim == 1:
        array = array[None]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] != CODE_BITS:
        raise BitsInputError(f"a code has {CODE_BITS} bits, got shape {array.shape}")
    if not np.isin(array, (-1, 0, 1)).all():
        raise BitsInputError("bits must be 0 or 1 (or -1 and +1)")
    return (array > 0).astype(np.uint8)


def bits_to_text(bits: np.ndarray) -> str:
    return "".join(str(int(b)) for b in np.asarray(bits).reshape(-1))


def bits_grid(bits: Any) -> np.ndarray:
    """One code as its 3x4x4 grid of bits (channel, row, column)."""
    return check_bits(bits)[0].reshape(CODE_SHAPE)


def flip(bits: Any, index: Any) -> np.ndarray:
    """A copy of one code with bit `index` (0-47, channel-major like the grid) flipped."""
    code = check_bits(bits)[0].copy()
    try:
        position = int(index)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
        raise BitsInputError(f"a bit number must be a whole number, got {index!r}") from None
    if position != index or not 0 <= position < CODE_BITS:
        raise BitsInputError(f"bits are numbered 0 to {CODE_BITS - 1}, got {index!r}")
    code[position] ^= 1
    return code


def bits_to_codes(bits: np.ndarray) -> torch.Tensor:
    """(N, 48) bits -> (N, 3, 4, 4) codes in {-1, +1}, what the decoder reads."""
    return torch.from_numpy(bits.astype(np.float32) * 2 - 1).view(-1, *CODE_SHAPE)


@torch.inference_mode()
def decode(trained: TrainedModel, bits: Any) -> np.ndarray:
    """Codes (strings, or (N, 48) arrays of bits) -> digits (N, 32, 32) in [0, 1]."""
    return to_pixels(trained.model.eval().decode(bits_to_codes(check_bits(bits))))


@dataclass
class Encoding:
    """A digit, its 48 bits and its reconstruction from them."""

    frame: np.ndarray  # (32, 32) in [0, 1], the input as the model saw it
    bits: np.ndarray  # (48,) in {0, 1}
    reconstruction: np.ndarray  # (32, 32) in [0, 1]
    psnr: float

    @property
    def bits_text(self) -> str:
        return bits_to_text(self.bits)

    @property
    def grid(self) -> np.ndarray:
        return self.bits.reshape(CODE_SHAPE)

    def to_dict(self, images: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = {
            "bits": self.bits_text,
            "grid": self.grid.tolist(),
            "psnr": round(self.psnr, 2),
        }
        if images:
            result["input"] = np.round(self.frame, 4).tolist()
            result["reconstruction"] = np.round(self.reconstruction, 4).tolist()
        return result


@torch.inference_mode()
def encode(trained: TrainedModel, frame: Any) -> Encoding:
    """One MNIST-style 28x28 frame in [0, 1] -> its code and reconstruction."""
    array = np.asarray(frame, dtype=np.float32)
    if array.shape != (28, 28) or not np.isfinite(array).all():
        raise ImageInputError(f"expected one 28x28 frame of finite values, got shape {array.shape}")
    x = to_inputs(torch.from_numpy(np.ascontiguousarray(array)))
    model = trained.model.eval()
    bits = (model.encode(x).flatten() >= 0).to(torch.uint8).numpy()
    out = model.decode(bits_to_codes(bits[None]))
    return Encoding(to_pixels(x)[0], bits, to_pixels(out)[0], float(psnr(x, out)[0]))


def drawing_frame(pad: Any) -> np.ndarray:
    """A drawing pad's pixels (white on black, any size) as an MNIST-style 28x28 frame. Raises
    ImageInputError when the pad is empty."""
    return to_mnist_frame(canvas_to_gray(pad))


def encode_drawing(trained: TrainedModel, pad: Any) -> Encoding:
    """A drawing pad's pixels (white on black, any size) -> code. ImageInputError when empty."""
    return encode(trained, drawing_frame(pad))


def encode_upload(trained: TrainedModel, data: bytes) -> Encoding:
    """A photo or scan of a digit (either polarity) -> code. Raises ImageInputError."""
    return encode(trained, to_mnist_frame(read_upload(data)))


def training_digit(data: ImageData, index: int) -> np.ndarray:
    """Training image number `index` as a 28x28 frame in [0, 1]; a clear error when out of range."""
    count = len(data.train_images)
    if not isinstance(index, int | np.integer) or not 0 <= index < count:
        raise ImageInputError(f"there are {count:,} training images: pick a number from 0 to {count - 1}")
    return data.train_images[int(index)].numpy().astype(np.float32) / 255


def bit_grid_picture(bits: Any, cell: int = 12) -> np.ndarray:
    """A code drawn as its three 4x4 channels side by side, white for 1 and black for 0."""
    channels = bits_grid(bits).astype(np.float32)
    return charts.tile(np.stack([charts.upscale(c, cell) for c in channels]), columns=3, pad=2)


def write_images(images: np.ndarray, out: str) -> None:
    """Save (N, 32, 32) digits as one row PNG, or as an .npy array."""
    from PIL import Image

    path = Path(out)
    if path.suffix.lower() == ".npy":
        np.save(path, images)
    elif path.suffix.lower() == ".png":
        grid = charts.tile(images, columns=len(images))
        Image.fromarray(charts.to_uint8(charts.upscale(grid, 4))).save(path)
    else:
        raise BitsInputError(f"--out must end in .png or .npy, got {out!r}")


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
