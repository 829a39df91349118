"""Autoregressive prior lab: learn the 48-bit codes of a binary autoencoder, then generate codes.

The codes of the first few training digits (from a chosen binary-autoencoder checkpoint, the
bundled one by default) become sequences of 48 bits. Two models learn them:
- `lstm` (default): an embedding of the bits (and of a start symbol), a 2-layer LSTM with hidden
  size 128 and a small head that gives the logit of the next bit. It is trained on every next bit
  of a sequence at once (teacher forcing), where the course re-ran the LSTM on each of the 47
  prefixes of each sequence separately, and it learns the first bit too, which the course drew
  with probability 0.5 whatever its data said.
- `denoise-fc`: the course's comparison, a stack of 12 residual fully connected blocks trained to
  restore codes with a share of bits flipped; it generates by refining random bits 10 times.

A prior's config records the autoencoder's weights fingerprint (`binary_ae.weights_hash`) and the
codes it learnt, so a prior paired with another autoencoder is refused with a message: its codes
would mean other digits. Memorisation rate = the share of generated codes that exactly equal a
training code (course criterion: above 80%).
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import charts
from core.catalogue import BINARY_PRIOR as SPEC
from core.data import ImageData, training_data
from core.events import EpochEnd, Event, Progress, Samples, Trained
from core.labs import binary_ae
from core.labs.base import CHECKPOINT_ROOT, Lab, TrainedModel
from core.runner import TrainContext
from core.specs import SpecError
from core.training import learning_rate_at, training_progress

BITS = binary_ae.CODE_BITS
HIDDEN, LAYERS = 128, 2  # the course's LSTM
START = 2  # the token before the first bit (0 and 1 are the bits)
REFINE_PASSES = 10  # denoise-fc's generation, as in the course
TEMPERATURE_MAX = 10.0  # above this every bit is practically a coin toss
SAMPLE_LIMITS = (1, 512)
TARGET_RATE = 0.8  # the course's criterion
EVAL_SAMPLES = 256  # the memorisation rate a checkpoint records; the course used 64
EVAL_SEED = 0
CHECKS = 20  # memorisation checks (and sample pictures) over a training
CHECK_SAMPLES = 64
SHOWN = 8  # generated digits shown while training


class PriorInputError(SpecError):
    """A temperature, sample count or pairing that cannot be used."""


# --- models --------------------------------------------------------------------------------


def draw_bits(logits: torch.Tensor, temperature: float, generator: torch.Generator | None) -> torch.Tensor:
    """Bits from logits: Bernoulli(sigmoid(logit / T)), or the likelier bit when T is 0."""
    if temperature == 0:
        return (logits >= 0).long()
    probabilities = torch.sigmoid(logits / temperature)
    return torch.bernoulli(probabilities, generator=generator).long()


class LSTMPrior(nn.Module):
    """p(b_i | b_1..b_{i-1}): embedding of the previous bit (or the start), LSTM, next-bit logit."""

    def __init__(self, hidden: int = HIDDEN, layers: int = LAYERS):
        super().__init__()
        self.embedding = nn.Embedding(3, hidden)
        self.lstm = nn.LSTM(hidden, hidden, layers, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, hidden // 2), nn.ReLU(), nn.Linear(hidden // 2, 1))

    def forward(self, bits: torch.Tensor) -> torch.Tensor:
        """(N, 48) bits -> (N, 48) logits, position i predicting bit i from the bits before it."""
        start = torch.full((len(bits), 1), START, dtype=torch.long, device=bits.device)
        out, _ = self.lstm(self.embedding(torch.cat([start, bits[:, :-1].long()], 1)))
        return self.head(out).squeeze(-1)

    @torch.no_grad()
    def sample(self, n: int, temperature: float, generator: torch.Generator | None = None) -> torch.Tensor:
        token = torch.full((n, 1), START, dtype=torch.long)
        state = None
        bits = []
        for _ in range(BITS):
            out, state = self.lstm(self.embedding(token), state)
            bit = draw_bits(self.head(out[:, -1]).squeeze(-1), temperature, generator)
            bits.append(bit)
            token = bit[:, None]
        return torch.stack(bits, 1)


class ResidualFC(nn.Module):
    """x + Linear(LayerNorm(GELU(Linear(x)))), the course's block."""

    def __init__(self, dim: int, scale: int = 4):
        super().__init__()
        self.block = nn.Sequential(
            nn.Linear(dim, dim * scale), nn.LayerNorm(dim * scale), nn.GELU(), nn.Linear(dim * scale, dim)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


class DenoisingPrior(nn.Module):
    """The course's fully connected code denoiser (its Seq2Seq): 48 -> 256, 12 residual blocks,
    256 -> 128 -> 48 logits (the course ended in a sigmoid; logits train more stably)."""

    def __init__(self, width: int = 256, blocks: int = 12):
        super().__init__()
        self.input = nn.Sequential(nn.Linear(BITS, width), nn.LayerNorm(width), nn.GELU())
        self.blocks = nn.Sequential(*[ResidualFC(width) for _ in range(blocks)])
        self.output = nn.Sequential(nn.Linear(width, width // 2), nn.GELU(), nn.Linear(width // 2, BITS))

    def forward(self, bits: torch.Tensor) -> torch.Tensor:
        return self.output(self.blocks(self.input(bits.float())))

    @torch.no_grad()
    def sample(self, n: int, temperature: float, generator: torch.Generator | None = None) -> torch.Tensor:
        """Random bits, refined REFINE_PASSES times; the last pass keeps the likelier bits."""
        bits = torch.randint(0, 2, (n, BITS), generator=generator)
        for index in range(REFINE_PASSES):
            last = index == REFINE_PASSES - 1
            bits = draw_bits(self(bits), 0.0 if last else temperature, generator)
        return bits


def build_prior(model: str) -> nn.Module:
    if model == "lstm":
        return LSTMPrior()
    if model == "denoise-fc":
        return DenoisingPrior()
    raise ValueError(f"unknown model {model!r}")


def flip_bits(bits: torch.Tensor, share: float, generator: torch.Generator) -> torch.Tensor:
    """A copy of (N, 48) bits with each flipped with probability `share`."""
    flips = (torch.rand(bits.shape, generator=generator) < share).to(bits.device)
    return bits ^ flips.long()


# --- the autoencoder a prior belongs to ----------------------------------------------------


def bundled_autoencoder() -> TrainedModel:
    from core.registry import get_lab

    return get_lab("binary-ae").load_bundled()


def check_pairing(prior: TrainedModel, autoencoder: TrainedModel) -> None:
    """Refuse an autoencoder other than the one whose codes the prior learnt."""
    wanted = prior.config.get("autoencoder", {}).get("weights_hash")
    got = binary_ae.weights_hash(autoencoder.model)
    if wanted != got:
        name = prior.config.get("autoencoder", {}).get("checkpoint", "?")
        raise PriorInputError(
            f"this prior learnt the codes of autoencoder {wanted} ({name}), not of the one given "
            f"({got}, {autoencoder.origin}): its codes would decode to other digits. Use the "
            "autoencoder it was trained on, or train a prior on this one."
        )


def autoencoder_for(prior: TrainedModel, autoencoder: TrainedModel | None = None) -> TrainedModel:
    """The autoencoder to decode a prior's codes with: the one given, else the checkpoint the
    prior names, else the bundled one; checked against the prior's record either way."""
    if autoencoder is None:
        from core.registry import get_lab

        lab = get_lab("binary-ae")
        path = prior.config.get("autoencoder", {}).get("path", "")
        recorded = Path(path) if path else None
        if recorded is not None and not recorded.is_dir():
            recorded = CHECKPOINT_ROOT / recorded.name  # a bundled pair, moved with the repo
        if recorded is None or not recorded.is_dir():
            recorded = lab.bundled_checkpoint()
        autoencoder = lab.load(recorded, origin="bundled" if recorded == lab.bundled_checkpoint() else None)
    check_pairing(prior, autoencoder)
    return autoencoder


def training_codes(config: dict[str, Any]) -> torch.Tensor:
    """The codes a prior learnt, (M, 48) long, from its config."""
    return torch.from_numpy(binary_ae.check_bits(config["codes"]).astype(np.int64))


# --- scoring -------------------------------------------------------------------------------


def check_temperature(value: Any) -> tuple[float, str]:
    """A usable temperature and a note when it was clamped; PriorInputError when unusable."""
    try:
        temperature = float(value)
    except OverflowError:  # an int too large for a float (10**400): clamped like any huge value
        temperature = math.inf if value > 0 else -math.inf
    except (TypeError, ValueError):
        raise PriorInputError(f"the temperature must be a number, got {value!r}") from None
    if math.isnan(temperature) or temperature < 0:
        raise PriorInputError(f"the temperature must be 0 (always the likelier bit) or more, got {value!r}")
    if temperature > TEMPERATURE_MAX:
        return TEMPERATURE_MAX, (
            f"temperature {temperature:g} clamped to {TEMPERATURE_MAX:g}: beyond it every bit is a coin toss"
        )
    return temperature, ""


def check_samples(n: Any) -> int:
    try:
        number = float(n)
    except OverflowError:  # an int too large for a float: out of range, said below
        number = math.inf
    except (TypeError, ValueError):
        raise PriorInputError(f"the number of samples must be a whole number, got {n!r}") from None
    low, high = SAMPLE_LIMITS
    if not number.is_integer() or not low <= number <= high:
        raise PriorInputError(f"the number of samples must be a whole number from {low} to {high}, got {n!r}")
    return int(number)


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


# --- the lab -------------------------------------------------------------------------------


class BinaryPriorLab(Lab):
    spec = SPEC

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        # Generating reads these later: a hand-edited config is refused on load instead.
        training_codes(config)  # BitsInputError (a ValueError) for codes that are not bits
        if not (type(config["digits"]) is int and config["digits"] > 0):
            raise ValueError(f"digits must be a positive whole number, got {config['digits']!r}")
        autoencoder = config.get("autoencoder", {})
        if not isinstance(autoencoder, dict) or not isinstance(autoencoder.get("path", ""), str):
            raise ValueError("autoencoder must be an object naming the autoencoder's checkpoint")
        return build_prior(config["model"])

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        return CHECKPOINT_ROOT / "binary-prior-lstm"

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        autoencoder = bundled_autoencoder()
        data = training_data(autoencoder.config, ctx.data_dir)
        count = min(params["digits"], int(autoencoder.config["train_size"]))
        images = binary_ae.memorised_inputs(data, count)
        codes = binary_ae.codes_of(autoencoder.model, images).long()
        config = {
            "lab": SPEC.id,
            "model": params["model"],
            "digits": count,
            "codes": [binary_ae.bits_to_text(code) for code in codes.numpy()],
            "autoencoder": {
                "weights_hash": binary_ae.weights_hash(autoencoder.model),
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
            shown = generated_pictures(autoencoder, generated[:SHOWN], codes, images)
            title = (
                f"Generated digits | the training digit each reproduced, after epoch {epoch} "
                f"({figures['memorisation']:.0%} of {CHECK_SAMPLES} memorised)"
            )
            return figures, Samples(step, shown.pictures, shown.captions, title=title)

        ctx.watch(model)
        step = 0
        figures: dict[str, float] = {}
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

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        autoencoder_for(trained)  # refuses a prior whose autoencoder is not here
        temperature = float(trained.config.get("params", {}).get("temperature", 1.0))
        return {
            "lab": SPEC.id,
            "model": trained.config["model"],
            **score(trained.model, training_codes(trained.config), temperature),
            "autoencoder": trained.config["autoencoder"]["weights_hash"],
        }

    def headline(self, metrics: dict[str, Any]) -> str:
        rate = metrics.get("memorisation_rate")
        if not isinstance(rate, float):
            return ""
        return (
            f"memorisation {rate:.1%} of {metrics.get('samples')} samples at "
            f"T = {metrics.get('temperature'):g} "
            f"(coverage {metrics.get('coverage', 0):.0%} of {metrics.get('digits')} codes)"
        )

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        autoencoder = config.get("autoencoder", {})
        return (
            "---\nlibrary_name: pytorch\ntags:\n- autoregressive\n- lstm\n- binary-codes\n"
            "- deep-learning-labs\n---\n\n"
            f"# Prior over binary codes: {config.get('model')}\n\n"
            f"Trained by Deep Learning Labs' prior lab on the 48-bit codes of the first "
            f"{config.get('digits')} training digits, from the binary autoencoder "
            f"`{autoencoder.get('checkpoint')}` (weights fingerprint `{autoencoder.get('weights_hash')}`; "
            "it refuses any other).\n\n"
            f"- {self.headline(metrics) or 'memorisation: n/a'}\n"
            f"- Course criterion: memorisation above {TARGET_RATE:.0%}: "
            f"{'met' if metrics.get('criterion_met') else 'not met'}\n\n"
            f"Reproduce: `python -m core train binary-prior {settings} --data-dir <folder with MNIST/raw>`\n"
        )

    # --- command line ------------------------------------------------------------------

    def add_cli_commands(self, commands: argparse._SubParsersAction) -> None:
        command = self.add_lab_command(commands, "generate", "generate codes and decode them into digits")
        command.add_argument("--n", type=int, default=16, help="how many, 1 to 512 (default 16)")
        command.add_argument("--temperature", type=float, default=1.0, help="0 (greedy) to 10 (default 1)")
        command.add_argument("--seed", type=int, default=0, help="seed of the sampling (default 0)")
        command.add_argument("--out", help="FILE.png: each sample above the training digit it reproduced")
        command.add_argument("--checkpoint", help="prior checkpoint folder (default: the bundled prior)")
        command.add_argument("--autoencoder", help="its autoencoder's checkpoint (default: the one it names)")
        command.add_argument("--data-dir", help="folder with MNIST/raw, to show the training digits matched")
        command.add_argument("--json", action="store_true", help="print the result as one JSON object")
        command.set_defaults(handler=self.cli_generate)

    def cli_generate(self, args: argparse.Namespace) -> int:
        prior = self.load_checkpoint_or_bundled(args.checkpoint)
        from core.registry import get_lab

        autoencoder = get_lab("binary-ae").load(args.autoencoder) if args.autoencoder else None
        data = training_data(prior.config, args.data_dir)
        result = generate(prior, args.n, args.temperature, args.seed, autoencoder, data)
        if args.out:
            write_generation(result, args.out)
        summary = {"out": args.out, **result.to_dict()}
        if args.json:
            print(json.dumps(summary))
        else:
            for note in result.notes:
                print(f"note: {note}")
            for row in summary["samples"]:
                match = f"training digit {row['match']}" if row["match"] is not None else "new"
                print(f"{row['bits']}  {match} (nearest {row['nearest']}, {row['distance']} bits away)")
            print(
                f"memorisation {result.rate:.1%} of {len(result.bits)}"
                + (f"; wrote {args.out}" if args.out else "")
            )
        return 0


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


# --- interactions --------------------------------------------------------------------------


@dataclass
class Pictures:
    pictures: np.ndarray  # (N, 32, 65): generated | training digit (black when new)
    captions: tuple[str, ...]


def generated_pictures(
    autoencoder: TrainedModel, generated: torch.Tensor, codes: torch.Tensor, images: torch.Tensor
) -> Pictures:
    """Each generated code decoded, beside the training digit (as the autoencoder saw it) whose
    code it equals, or a black square when it is new."""
    decoded = binary_ae.decode(autoencoder, generated.numpy())
    index, distance = nearest_codes(generated, codes)
    originals = binary_ae.to_pixels(images[index])
    originals[distance.numpy() > 0] = 0.0
    line = np.full((len(decoded), binary_ae.SIZE, 1), 0.5, dtype=np.float32)
    pictures = np.concatenate([decoded, line, originals], axis=2).astype(np.float32)
    captions = tuple(
        f"= training digit {int(i)}" if d == 0 else f"new ({int(d)} bits from {int(i)})"
        for i, d in zip(index, distance, strict=True)
    )
    return Pictures(pictures, captions)


@dataclass
class Generation:
    """Generated codes, their digits, and which training digit each reproduced."""

    bits: np.ndarray  # (N, 48)
    images: np.ndarray  # (N, 32, 32) decoded
    nearest: np.ndarray  # (N,) index of the nearest training digit
    distance: np.ndarray  # (N,) Hamming distance to it (0: memorised)
    originals: np.ndarray  # (N, 32, 32) the nearest training digits
    temperature: float
    seed: int
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return float((self.distance == 0).mean())

    def to_dict(self) -> dict[str, Any]:
        return {
            "temperature": self.temperature,
            "seed": self.seed,
            "memorisation_rate": round(self.rate, 4),
            "notes": self.notes,
            "samples": [
                {
                    "bits": binary_ae.bits_to_text(bits),
                    "match": int(i) if d == 0 else None,
                    "nearest": int(i),
                    "distance": int(d),
                }
                for bits, i, d in zip(self.bits, self.nearest, self.distance, strict=True)
            ],
        }


def training_images(prior: TrainedModel, data: ImageData | None = None) -> torch.Tensor:
    """The training digits whose codes the prior learnt, as (M, 1, 32, 32) inputs; `generate`
    checks that they still encode to the codes the prior recorded."""
    data = data or training_data(prior.config)
    return binary_ae.memorised_inputs(data, int(prior.config["digits"]))


def generate(
    prior: TrainedModel,
    n: Any = 16,
    temperature: Any = 1.0,
    seed: Any = 0,
    autoencoder: TrainedModel | None = None,
    data: ImageData | None = None,
) -> Generation:
    """Draw `n` codes at `temperature` (seeded), decode them, and find the training digit each
    reproduced. PriorInputError for a bad count, temperature or autoencoder."""
    n = check_samples(n)
    temperature, note = check_temperature(temperature)
    try:
        seed = int(seed)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
        raise PriorInputError(f"the seed must be a whole number, got {seed!r}") from None
    if not 0 <= seed < 2**63:
        raise PriorInputError(f"the seed must be 0 or more, got {seed}")
    autoencoder = autoencoder_for(prior, autoencoder)
    generated = prior.model.eval().sample(n, temperature, torch.Generator().manual_seed(seed)).cpu()
    codes = training_codes(prior.config)
    index, distance = nearest_codes(generated, codes)
    notes = [note] if note else []
    images = training_images(prior, data)
    if torch.equal(binary_ae.codes_of(autoencoder.model, images).long(), codes):
        originals = binary_ae.to_pixels(images[index])
    else:  # another dataset here (the offline fallback, say): these are not the digits it learnt
        originals = binary_ae.decode(autoencoder, codes[index].numpy())
        notes.append(
            "the training digits are not available here, so each match shows its decoded code "
            "instead (point DLL_DATA_DIR or --data-dir at the data the prior learnt from)"
        )
    return Generation(
        generated.numpy().astype(np.uint8),
        binary_ae.decode(autoencoder, generated.numpy()),
        index.numpy(),
        distance.numpy(),
        originals,
        temperature,
        seed,
        notes,
    )


def write_generation(result: Generation, out: str) -> None:
    """A PNG: the generated digits in the top row, the training digit each is nearest below."""
    from PIL import Image

    path = Path(out)
    if path.suffix.lower() != ".png":
        raise PriorInputError(f"--out must end in .png, got {out!r}")
    grid = charts.tile(np.concatenate([result.images, result.originals]), columns=len(result.images))
    try:
        Image.fromarray(charts.to_uint8(charts.upscale(grid, 4))).save(path)
    except OSError as error:
        raise PriorInputError(f"could not write {out}: {error.strerror or error}") from None
