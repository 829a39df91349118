"""GAN lab: train a generator against a discriminator live, then walk its latent space.

Three recipes. The course's fully connected GAN (G 100-128-256-512-1024-784 with batch norm and
LeakyReLU(0.2), tanh; D 784-512-256-1 with LeakyReLU(0.2); Adam 2e-4, betas (0.5, 0.999), batch
64; `COURSE_RECIPE`); a small DCGAN (two transposed convs up, three strided convs down) trained
at Adam 2e-3 with a light R1 penalty on D and samples drawn from a running average of G's
weights; and the default, the same DCGAN told which digit to draw: G gets a class vector beside
z and D judges (image, class) pairs through a projection (Miyato & Koyama, 2018). Knowing the
digit, G stops drawing shapes halfway between two, and its samples read as digits several times
sooner on a laptop CPU (see benchmarks/gan_bench.py). All use the binary cross-entropy of the
course, computed from D's logits (`binary_cross_entropy_with_logits` is the same maths as a
sigmoid followed by BCE, without its overflow for confident logits), and the non-saturating
generator loss.

A conditional model's latent vector is z followed by the class vector (one-hot; a mix of two
while interpolating), so seeds, interpolation and sliders work the same for every recipe.

While training: D and G losses, D(x) and D(G(z)) every step; a grid from fixed noise every few
dozen steps, kept as a timeline in the checkpoint so a student can scrub from the first step to
the last; a quality score from the bundled Digits classifier; and a watch for the two classic
failures, mode collapse and a discriminator that has won.

Interactions are pure functions of (model, input): samples from a seed, linear or spherical
interpolation between two latents, nudging single latent dimensions, and PNG/GIF export.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import math
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.catalogue import GAN as SPEC
from core.charts import tile, to_uint8, upscale
from core.checkpoints import CheckpointError
from core.data import load_images
from core.events import Event, Progress, Samples, Trained
from core.labs.base import CHECKPOINT_ROOT, Lab, TrainedModel
from core.runner import TrainContext
from core.specs import SpecError

IMAGE_SHAPE = (1, 28, 28)
GRID_SIZE = 64  # fixed-noise samples shown while training, as an 8x8 grid
GRID_COLUMNS = 8
GRID_SEED = 2024  # the fixed noise: the same 64 latents at every step, so change is the model's
PROBE_SIZE = 256  # live quality probe: fixed latents read by the Digits classifier
PROBE_SEED = 7
EVAL_SIZE = 1000  # final metrics and `evaluate`
EVAL_SEED = 0
SAMPLE_EVERY = 50  # steps between grids shown live
PROBE_EVERY = 100  # steps between quality probes
MAX_SNAPSHOTS = 12  # grids kept for the timeline; older ones are thinned evenly
R1_EVERY = 4  # steps between R1 penalties (each R1_EVERY times as strong)
STEP_RANGE = (2, 64)  # interpolation frames
DEFAULT_STEPS = 10
MAX_SAMPLES = 1024  # images per `sample` call
SEED_RANGE = (0, 2**31 - 1)
NUDGE_DIMS = 6  # latent dimensions the fronts offer as sliders
NUDGE_RANGE = (-3.0, 3.0)
# Collapse watch (see `CollapseWatch`).
WARM_UP_STEPS = 400  # an untrained generator's samples are all alike; that is not collapse
D_WON_LOSS = 0.05  # mean D loss below this...
D_WON_STEPS = 200  # ...over this many steps: D has won
ALIKE_DIVERSITY = 0.35  # samples' mean pairwise distance below this share of real digits'
FEW_CLASSES_ENTROPY = 0.6  # class entropy (of log 10) below this: a few digits only


# The course's recipe as the lab's settings: its fully connected GAN and optimiser.
COURSE_RECIPE = {
    "recipe": "mlp",
    "learning_rate": 2e-4,
    "batch_size": 64,
    "latent_dim": 100,
    "r1_penalty": 0.0,
    "average": 0.0,
}


class LatentInputError(SpecError):
    """A seed, latent vector, step count or sample count that cannot be used."""


# --- models -----------------------------------------------------------------------------------


def course_generator(latent_dim: int) -> nn.Sequential:
    """The course's generator: z -> 128 -> 256 -> 512 -> 1024 -> 784, batch norm on the three
    middle layers (the course's first layer has none), LeakyReLU(0.2), tanh."""
    layers: list[nn.Module] = [nn.Linear(latent_dim, 128), nn.LeakyReLU(0.2)]
    for width_in, width_out in ((128, 256), (256, 512), (512, 1024)):
        layers += [nn.Linear(width_in, width_out), nn.BatchNorm1d(width_out), nn.LeakyReLU(0.2)]
    layers += [nn.Linear(1024, 784), nn.Tanh(), nn.Unflatten(1, IMAGE_SHAPE)]
    return nn.Sequential(*layers)


def course_discriminator() -> nn.Sequential:
    """The course's discriminator: 784 -> 512 -> 256 -> 1, LeakyReLU(0.2). It ends in a logit:
    the sigmoid is inside the loss, and applied where a probability is shown."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 512),
        nn.LeakyReLU(0.2),
        nn.Linear(512, 256),
        nn.LeakyReLU(0.2),
        nn.Linear(256, 1),
    )


def conv_generator(latent_dim: int, width: int = 64) -> nn.Sequential:
    """DCGAN-style, sized for a CPU: z -> width x 7 x 7, then transposed convs to 14 x 14 and to
    28 x 28, batch norm and ReLU between them, tanh out. (A further 3 x 3 conv at 28 x 28 drew
    slightly better digits per step but cost 1.6 times as much per step: no better per second.)"""
    return nn.Sequential(
        nn.Linear(latent_dim, width * 49, bias=False),
        nn.BatchNorm1d(width * 49),
        nn.ReLU(),
        nn.Unflatten(1, (width, 7, 7)),
        nn.ConvTranspose2d(width, width // 2, 4, stride=2, padding=1, bias=False),  # 7 -> 14
        nn.BatchNorm2d(width // 2),
        nn.ReLU(),
        nn.ConvTranspose2d(width // 2, 1, 4, stride=2, padding=1),  # 14 -> 28
        nn.Tanh(),
    )


def conv_discriminator(width: int = 16) -> nn.Sequential:
    """Strided convs 28 -> 14 -> 7 -> 4 with LeakyReLU(0.2) and batch norm (not on the input
    layer, as in DCGAN), then one logit."""
    return nn.Sequential(
        nn.Conv2d(1, width, 4, stride=2, padding=1),  # 28 -> 14
        nn.LeakyReLU(0.2),
        nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, bias=False),  # 14 -> 7
        nn.BatchNorm2d(2 * width),
        nn.LeakyReLU(0.2),
        nn.Conv2d(2 * width, 4 * width, 3, stride=2, padding=1, bias=False),  # 7 -> 4
        nn.BatchNorm2d(4 * width),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Linear(4 * width * 16, 1),
    )


class ConditionalGenerator(nn.Module):
    """G(z, c): the conv generator fed z and a learnt embedding of the class vector c, so that
    a one-hot c asks for one digit and a mix of two asks for something between them."""

    def __init__(self, latent_dim: int, classes: int, embedding: int = 16):
        super().__init__()
        self.latent_dim = latent_dim
        self.embed = nn.Linear(classes, embedding, bias=False)  # one-hot @ weight: a lookup
        nn.init.normal_(self.embed.weight)  # as nn.Embedding starts
        self.net = conv_generator(latent_dim + embedding)

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        z, classes = latent[:, : self.latent_dim], latent[:, self.latent_dim :]
        return self.net(torch.cat([z, self.embed(classes)], dim=1))


class ProjectionDiscriminator(nn.Module):
    """D(x, c) = w·h(x) + b + <embed(c), h(x)>: the conv discriminator's features h(x) scored as
    usual, plus how well they match the class c. A real 3 passed off as a 5 scores as fake, so
    G must draw the digit it was asked for."""

    def __init__(self, classes: int, width: int = 16):
        super().__init__()
        self.body = conv_discriminator(width)
        self.head = self.body[-1]
        self.body[-1] = nn.Identity()
        self.embed = nn.Linear(classes, self.head.in_features, bias=False)
        nn.init.normal_(self.embed.weight)

    def forward(self, images: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
        features = self.body(images)
        return self.head(features) + (self.embed(classes) * features).sum(dim=1, keepdim=True)


class GAN(nn.Module):
    """Generator and discriminator in one module, so one checkpoint holds the pair; optionally
    `average`, a running average of the generator's weights that draws the samples; and the
    training timeline: fixed-noise grids (uint8) taken while it trained, one per row."""

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        latent_dim: int,
        snapshots: int = 0,
        average: bool = False,
        classes: int = 0,
    ):
        super().__init__()
        self.generator = generator
        self.discriminator = discriminator
        self.average = copy.deepcopy(generator).requires_grad_(False) if average else None
        self.latent_dim = latent_dim
        self.classes = classes  # > 0: conditional, the latent ends in a class vector this long
        self.register_buffer("timeline", torch.zeros(snapshots, GRID_SIZE, 28, 28, dtype=torch.uint8))

    @property
    def sampler(self) -> nn.Module:
        """The generator that draws samples: the weight average when there is one."""
        return self.average if self.average is not None else self.generator

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Latents (N, latent_dim + classes) -> images (N, 1, 28, 28) in [-1, 1]."""
        return self.sampler(z)

    def judge(self, images: torch.Tensor, classes: torch.Tensor | None) -> torch.Tensor:
        """D's logits for images (and, for a conditional GAN, the classes they claim to be)."""
        return self.discriminator(images) if not self.classes else self.discriminator(images, classes)

    def latents(self, seed: int, n: int) -> torch.Tensor:
        """The n latents a seed names for this model (see `latents`)."""
        return latents(seed, n, self.latent_dim, self.classes)

    @torch.no_grad()
    def update_average(self, decay: float) -> None:
        """average <- decay * average + (1 - decay) * generator; batch-norm statistics copied."""
        if self.average is None:
            return
        for mean, weight in zip(self.average.parameters(), self.generator.parameters(), strict=True):
            mean.lerp_(weight, 1.0 - decay)
        for mean, buffer in zip(self.average.buffers(), self.generator.buffers(), strict=True):
            mean.copy_(buffer)


def build_gan(
    recipe: str, latent_dim: int, snapshots: int = 0, average: bool = False, classes: int = 10
) -> GAN:
    """An untrained GAN; `classes` is used by the conditional recipe only."""
    if recipe == "cdcgan":
        return GAN(
            ConditionalGenerator(latent_dim, classes),
            ProjectionDiscriminator(classes),
            latent_dim,
            snapshots,
            average,
            classes,
        )
    if recipe == "dcgan":
        return GAN(conv_generator(latent_dim), conv_discriminator(), latent_dim, snapshots, average)
    if recipe == "mlp":
        return GAN(course_generator(latent_dim), course_discriminator(), latent_dim, snapshots, average)
    raise ValueError(f"unknown recipe {recipe!r}")


# --- training -------------------------------------------------------------------------------


def to_tanh_range(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, 28, 28) -> float (N, 1, 28, 28) in [-1, 1], the range of the generator's tanh."""
    return images.float().div(127.5).sub(1.0).unsqueeze(1)


def to_unit_range(images: torch.Tensor) -> np.ndarray:
    """Generator output in [-1, 1], (N, 1, 28, 28) -> numpy (N, 28, 28) in [0, 1]."""
    return ((images.detach().float().cpu()[:, 0] + 1.0) / 2.0).clamp(0.0, 1.0).numpy()


def latents(seed: int, n: int, latent_dim: int, classes: int = 0) -> torch.Tensor:
    """n latent vectors drawn from N(0, I) by a generator seeded with `seed`: the same seed always
    gives the same vectors, so a seed names a sample (and row 0 is `latent_from_seed(seed)`).
    With `classes`, each row also gets a one-hot class vector, the classes equally likely."""
    # numpy fills row after row, so the first k rows of n are the k rows of k (torch's
    # vectorised randn draws differently for different sizes). The class comes from one more
    # normal number per row, for the same reason: its CDF is uniform on (0, 1).
    extra = 1 if classes else 0
    rows = np.random.default_rng(int(seed)).standard_normal((n, latent_dim + extra), dtype=np.float32)
    z = torch.from_numpy(rows[:, :latent_dim].copy())
    if not classes:
        return z
    uniform = torch.special.ndtr(torch.from_numpy(rows[:, latent_dim]))
    labels = (uniform * classes).long().clamp(0, classes - 1)
    return torch.cat([z, F.one_hot(labels, classes).float()], dim=1)


def gan_step(
    model: GAN,
    real: torch.Tensor,
    z: torch.Tensor,
    d_optimizer: torch.optim.Optimizer,
    g_optimizer: torch.optim.Optimizer,
    r1_weight: float = 0.0,
    real_classes: torch.Tensor | None = None,
) -> dict[str, float]:
    """One step of each player; returns the losses and D's mean opinions (before its update).

    D: BCE with real images labelled 1 and generated ones 0, plus, when `r1_weight` > 0, the R1
    penalty r1_weight/2 * E|grad_x D(x)|^2 on the real images. G: the non-saturating loss, BCE
    of D's opinion of fresh fakes against the label 1, i.e. -log D(G(z)). A conditional GAN's
    D reads real images with their one-hot `real_classes` and fakes with the class each was
    asked for (the end of its latent).
    """
    fake = model.generator(z)
    fake_classes = z[:, model.latent_dim :] if model.classes else None
    if r1_weight:
        real = real.detach().requires_grad_(True)
    real_logits = model.judge(real, real_classes)
    fake_logits = model.judge(fake.detach(), fake_classes)  # D's step must not train G
    d_loss = F.binary_cross_entropy_with_logits(
        real_logits, torch.ones_like(real_logits)
    ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    penalty = torch.zeros(())
    if r1_weight:
        (gradients,) = torch.autograd.grad(real_logits.sum(), real, create_graph=True)
        penalty = gradients.pow(2).flatten(1).sum(1).mean()
    d_optimizer.zero_grad(set_to_none=True)
    (d_loss + r1_weight / 2 * penalty).backward()
    d_optimizer.step()

    model.discriminator.requires_grad_(False)  # G's step needs D's input gradients only
    judged = model.judge(fake, fake_classes)
    g_loss = F.binary_cross_entropy_with_logits(judged, torch.ones_like(judged))
    g_optimizer.zero_grad(set_to_none=True)
    g_loss.backward()
    g_optimizer.step()
    model.discriminator.requires_grad_(True)
    metrics = {
        "d_loss": d_loss.item(),
        "g_loss": g_loss.item(),
        "d_real": torch.sigmoid(real_logits).mean().item(),
        "d_fake": torch.sigmoid(fake_logits).mean().item(),
    }
    if r1_weight:
        metrics["r1"] = penalty.item()
    return metrics


@torch.no_grad()
def generate_tensor(model: GAN, z: torch.Tensor, batch_size: int = 512) -> np.ndarray:
    """Latents -> (N, 28, 28) images in [0, 1], in eval mode (batch norm uses its running
    statistics, so a sample does not depend on what else is in the batch)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    outputs = [to_unit_range(model(z[i : i + batch_size].to(device))) for i in range(0, len(z), batch_size)]
    model.train(was_training)
    return np.concatenate(outputs) if outputs else np.zeros((0, 28, 28), dtype=np.float32)


def mean_pairwise_distance(images: np.ndarray | torch.Tensor) -> float:
    """Mean Euclidean distance between all pairs of images (pixels in [0, 1])."""
    flat = torch.as_tensor(np.asarray(images, dtype=np.float32)).reshape(len(images), -1)
    if len(flat) < 2:
        return 0.0
    distances = torch.cdist(flat, flat)
    return float(distances.sum() / (len(flat) * (len(flat) - 1)))


def sample_quality(images: np.ndarray, config: dict[str, Any]) -> dict[str, Any]:
    """What the fronts and the CLI report about a batch of samples: the Digits classifier's
    confident share and class entropy (MNIST-trained models only: the judge reads digits) and
    the diversity, the samples' mean pairwise distance over real digits' (about 1 when the
    samples vary as much as real ones; near 0 when all are alike)."""
    result: dict[str, Any] = {"samples": len(images)}
    reference = config.get("real_pairwise_distance")
    if reference:
        result["diversity"] = mean_pairwise_distance(images[:PROBE_SIZE]) / reference
    if judged_as_digits(config):
        from core.judge import digit_quality

        with contextlib.suppress(CheckpointError):  # no bundled classifier: no score, no failure
            result |= digit_quality(images)
    return result


def judged_as_digits(config: dict[str, Any]) -> bool:
    return config.get("data", {}).get("dataset") in ("mnist", "sklearn-digits")


@dataclass
class CollapseWatch:
    """Names the two classic GAN failures while they happen.

    - Mode collapse: G draws a few look-alike images (the mean pairwise distance of the probe
      samples falls below ALIKE_DIVERSITY of real digits'), or a few digits only (class entropy
      below FEW_CLASSES_ENTROPY), at two probes in a row after the warm-up.
    - D has won: D's loss stays near 0 (mean below D_WON_LOSS over D_WON_STEPS steps); its
      verdicts are then so sure that G's gradients vanish and the samples stop improving.
    """

    recent_d_losses: list[float] = field(default_factory=list)
    suspicious_probes: int = 0
    mode_collapse: str = ""
    d_won: str = ""

    def step(self, step: int, d_loss: float) -> None:
        self.recent_d_losses.append(d_loss)
        del self.recent_d_losses[:-D_WON_STEPS]
        if len(self.recent_d_losses) == D_WON_STEPS:
            mean = sum(self.recent_d_losses) / D_WON_STEPS
            self.d_won = (
                f"The discriminator has won: its loss has averaged {mean:.3f} over the last "
                f"{D_WON_STEPS} steps, so the generator gets almost no gradient and stops improving."
                if mean < D_WON_LOSS
                else ""
            )

    def probe(self, step: int, quality: Mapping[str, Any]) -> None:
        reasons = []
        diversity = quality.get("diversity")
        if diversity is not None and diversity < ALIKE_DIVERSITY:
            reasons.append(f"the samples are nearly all alike (diversity {diversity:.2f} of real digits')")
        entropy = quality.get("class_entropy")
        if entropy is not None and entropy < FEW_CLASSES_ENTROPY:
            counts = quality.get("class_counts", [])
            common, share = [], 0.0
            for digit in sorted(range(len(counts)), key=lambda d: -counts[d])[:3]:  # the bulk of them
                if share >= 0.8 or not counts[digit]:
                    break
                common.append(digit)
                share += counts[digit] / sum(counts)
            names = " or ".join(str(d) for d in common)
            reasons.append(f"{share:.0%} of them read as {names} (class entropy {entropy:.2f})")
        self.suspicious_probes = self.suspicious_probes + 1 if reasons and step >= WARM_UP_STEPS else 0
        collapsed = self.suspicious_probes >= 2
        self.mode_collapse = "Mode collapse: " + "; ".join(reasons) + "." if collapsed else ""

    @property
    def warning(self) -> str:
        return " ".join(message for message in (self.mode_collapse, self.d_won) if message)


@dataclass
class Timeline:
    """Fixed-noise grids through training, at most MAX_SNAPSHOTS: every `interval` steps, and
    when full, every other one is dropped and the interval doubles, so the grids stay evenly
    spread from the first step to the last whatever the length of the training."""

    interval: int = SAMPLE_EVERY
    steps: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    grids: list[np.ndarray] = field(default_factory=list)

    def due(self, step: int) -> bool:
        return step % self.interval == 0

    def add(self, step: int, seconds: float, images: np.ndarray) -> None:
        if self.steps and self.steps[-1] == step:
            return
        self.steps.append(step)
        self.seconds.append(round(seconds, 2))
        self.grids.append(to_uint8(images))
        if len(self.steps) > MAX_SNAPSHOTS:
            keep = [i for i, s in enumerate(self.steps) if s % (2 * self.interval) == 0]
            self.interval *= 2
            self.steps = [self.steps[i] for i in keep]
            self.seconds = [self.seconds[i] for i in keep]
            self.grids = [self.grids[i] for i in keep]

    def tensor(self) -> torch.Tensor:
        return torch.from_numpy(np.stack(self.grids)) if self.grids else torch.zeros(0, GRID_SIZE, 28, 28)


class GanLab(Lab):
    spec = SPEC
    # GAN losses swing widely by design (G's loss can reach 5-10 while D leads): only a blow-up
    # far beyond that counts as divergence. NaN and infinity are still caught at once.
    divergence_factor = 50.0

    def build_model(self, config: dict[str, Any]) -> nn.Module:
        snapshots = len(config.get("timeline", {}).get("steps", []))
        average = float(config.get("params", {}).get("average", 0.0)) > 0
        classes = len(config.get("classes", [])) or 10
        return build_gan(config["recipe"], int(config["latent_dim"]), snapshots, average, classes)

    def bundled_checkpoint(self, params: dict[str, Any] | None = None) -> Path:
        recipe = (params or {}).get("recipe", SPEC.param("recipe").default)
        return CHECKPOINT_ROOT / f"gan-{recipe}"

    def train(self, params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
        data = load_images(params["dataset"], ctx.data_dir)
        real = to_tanh_range(data.train_images).to(ctx.device)
        reference = torch.Generator().manual_seed(0)
        real_sample = data.train_images[torch.randperm(len(real), generator=reference)[:PROBE_SIZE]]
        config: dict[str, Any] = {
            "lab": SPEC.id,
            "architecture": params["recipe"],  # what the fronts' model summaries name
            "recipe": params["recipe"],
            "latent_dim": params["latent_dim"],
            "output": {"size": [28, 28], "range": [0, 1], "polarity": "white ink on black"},
            "latent": "z ~ N(0, I), then for the conditional recipe a one-hot class vector; "
            "`latents(seed, n, latent_dim, classes)` names each sample by a seed",
            "data": data.source.to_dict(),
            "classes": list(data.classes),
            "real_pairwise_distance": mean_pairwise_distance(real_sample.float().div(255).numpy()),
            "params": params,
        }
        model = self.build_model(config).to(ctx.device)
        if params["recipe"] != "mlp":
            # NHWC: convolutions run faster on a CPU (a training step about 10% here).
            model = model.to(memory_format=torch.channels_last)
        betas = (0.5, 0.999)
        d_optimizer = torch.optim.Adam(model.discriminator.parameters(), params["learning_rate"], betas=betas)
        g_optimizer = torch.optim.Adam(model.generator.parameters(), params["learning_rate"], betas=betas)
        batch_size = params["batch_size"]
        if len(real) < batch_size:
            raise SpecError(f"Batch size: {batch_size} is more than the {len(real)} training images")
        steps_per_epoch = len(real) // batch_size  # whole batches only: batch norm needs company
        total_steps = params["epochs"] * steps_per_epoch
        grid_z = model.latents(GRID_SEED, GRID_SIZE).to(ctx.device)
        probe_z = model.latents(PROBE_SEED, PROBE_SIZE)
        labels = data.train_labels.to(ctx.device)
        noise = torch.Generator(device=ctx.device).manual_seed(ctx.seed + 1)  # G's inputs, per job
        watch, timeline = CollapseWatch(), Timeline()

        def show(step: int, epoch: float) -> Samples:
            images = generate_tensor(model, grid_z)
            if timeline.due(step):
                timeline.add(step, ctx.elapsed(), images)
            title = f"Samples from the same fixed noise after step {step:,} (epoch {epoch:.1f})"
            if watch.warning:
                title += f". ⚠ {watch.warning}"
            return Samples(step, tile(images, GRID_COLUMNS)[None], (f"step {step:,}",), title)

        ctx.watch(model)
        yield show(0, 0.0)
        step = 0
        for epoch in range(params["epochs"]):
            model.train()
            order = torch.randperm(len(real), generator=ctx.generator).to(ctx.device)
            for batch in range(steps_per_epoch):
                step += 1
                index = order[batch * batch_size : (batch + 1) * batch_size]
                z = torch.randn(batch_size, params["latent_dim"], device=ctx.device, generator=noise)
                real_classes = None
                if model.classes:  # fakes ask for digits at random; real ones carry their labels
                    asked = torch.randint(model.classes, (batch_size,), device=ctx.device, generator=noise)
                    z = torch.cat([z, F.one_hot(asked, model.classes).float()], dim=1)
                    real_classes = F.one_hot(labels[index], model.classes).float()
                # Lazy R1 (as in StyleGAN2): every R1_EVERY steps, R1_EVERY times the weight.
                r1 = params["r1_penalty"] * R1_EVERY if step % R1_EVERY == 0 else 0.0
                metrics = gan_step(model, real[index], z, d_optimizer, g_optimizer, r1, real_classes)
                # The average starts short (decay 0.1, 0.17, ...) so early samples are not stale.
                model.update_average(min(params["average"], step / (9 + step)))
                # The runner's NaN and divergence guard watches "loss": both players' losses.
                metrics["loss"] = metrics["d_loss"] + metrics["g_loss"]
                watch.step(step, metrics["d_loss"])
                if step % PROBE_EVERY == 0 or step == total_steps:
                    quality = sample_quality(generate_tensor(model, probe_z), config)
                    watch.probe(step, quality)
                    metrics |= {k: v for k, v in quality.items() if isinstance(v, float)}
                fraction = epoch + (batch + 1) / steps_per_epoch
                yield Progress(step, total_steps, fraction, metrics)
                stopping = ctx.should_stop()
                if step % SAMPLE_EVERY == 0 or stopping or step == total_steps:
                    yield show(step, fraction)
                if stopping:
                    break
            if ctx.should_stop():
                break
        timeline.add(step, ctx.elapsed(), generate_tensor(model, grid_z))  # the end, always
        config["timeline"] = {"steps": timeline.steps, "seconds": timeline.seconds, "seed": GRID_SEED}
        config["training"] = {"device": str(ctx.device), "seconds": round(ctx.elapsed(), 2), "steps": step}
        model = model.cpu().eval()
        model.timeline = timeline.tensor()
        metrics = final_metrics(model, config, watch)
        metrics |= {"train_seconds": round(ctx.elapsed(), 2), "steps": step}
        metrics["dataset"] = data.source.description
        yield Trained(model, config, metrics)

    def evaluate(self, trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
        """Quality of EVAL_SIZE samples from fixed seeds; needs no data (a GAN has no held-out
        labels to check: the bundled Digits classifier is the judge)."""
        images = sample(trained, EVAL_SIZE, EVAL_SEED)
        quality = sample_quality(images, trained.config)
        result = {
            "lab": SPEC.id,
            "recipe": trained.config.get("recipe"),
            "seed": EVAL_SEED,
            **quality,
            "collapse": collapse_verdict(quality, trained.config),
            "trained_on": trained.data_source,
        }
        if not judged_as_digits(trained.config):
            result["note"] = "no confident share or class entropy: the judge is a digit classifier"
        return result

    def headline(self, metrics: dict[str, Any]) -> str:
        share, entropy = metrics.get("confident_share"), metrics.get("class_entropy")
        if not isinstance(share, float) or not isinstance(entropy, float):
            return ""
        text = f"{share:.0%} of samples read confidently as digits, class entropy {entropy:.2f}"
        if metrics.get("collapse"):
            text += " · ⚠ " + str(metrics["collapse"]).split(":")[0]
        return text

    def model_card(self, config: dict[str, Any], metrics: dict[str, Any]) -> str:
        params = config.get("params", {})
        settings = " ".join(f"--set {k}={v}" for k, v in sorted(params.items()))
        share, entropy = metrics.get("confident_share"), metrics.get("class_entropy")
        quality = (
            f"- {share:.1%} of {metrics.get('samples')} samples read with probability > 0.9 by the "
            f"bundled Digits classifier; class entropy {entropy:.3f} of log 10\n"
            if isinstance(share, float) and isinstance(entropy, float)
            else ""
        )
        return (
            "---\nlibrary_name: pytorch\ntags:\n- gan\n- image-generation\n- mnist\n"
            "- deep-learning-labs\n---\n\n"
            f"# GAN: {config.get('recipe')} recipe\n\n"
            f"Trained by Deep Learning Labs' GAN lab on {config.get('data', {}).get('description')}, "
            f"{metrics.get('steps')} steps in {metrics.get('train_seconds')} s.\n\n"
            f"{quality}"
            f"- Collapse: {metrics.get('collapse') or 'none detected'}\n"
            f"- Input: z ~ N(0, I) of size {config.get('latent_dim')}; output 1x28x28 in [-1, 1] "
            "(tanh), white ink on black\n"
            "- The weights hold both the generator and the discriminator, and `timeline`, the "
            "fixed-noise grids taken while it trained\n\n"
            f"Reproduce: `python -m core train gan {settings} --data-dir <folder with MNIST/raw>`\n"
        )

    # --- command line ----------------------------------------------------------------------

    def add_cli_commands(self, commands: argparse._SubParsersAction) -> None:
        sample_cmd = self.add_lab_command(commands, "sample", "generate images from seeded noise")
        sample_cmd.add_argument("--n", default="16", help=f"how many images, 1 to {MAX_SAMPLES} (default 16)")
        sample_cmd.add_argument("--seed", default="0", help="seed of the noise (default 0)")
        sample_cmd.add_argument("--out", required=True, help="FILE.npy (N x 28 x 28, [0, 1]) or FILE.png")
        sample_cmd.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
        sample_cmd.set_defaults(handler=self.cli_sample)

        path_cmd = self.add_lab_command(commands, "interpolate", "walk between two latents, seeds or samples")
        for end in ("from", "to"):
            path_cmd.add_argument(
                f"--{end}",
                dest=f"{end}_latent",
                required=True,
                metavar="SEED[:INDEX]",
                help="a seed (its first sample), or SEED:INDEX for sample INDEX of `sample gan --seed SEED`",
            )
        path_cmd.add_argument(
            "--steps",
            default=str(DEFAULT_STEPS),
            help=f"frames, {STEP_RANGE[0]} to {STEP_RANGE[1]} (default {DEFAULT_STEPS})",
        )
        path_cmd.add_argument("--mode", default="linear", choices=("linear", "spherical"))
        path_cmd.add_argument(
            "--out", required=True, help="FILE.png (a strip), FILE.gif (an animation) or FILE.npy (frames)"
        )
        path_cmd.add_argument("--checkpoint", help="checkpoint folder (default: the bundled model)")
        path_cmd.set_defaults(handler=self.cli_interpolate)

    def cli_sample(self, args: argparse.Namespace) -> int:
        n = check_count(args.n, (1, MAX_SAMPLES), "--n")
        seed = parse_seed(args.seed)
        suffix = output_suffix(args.out, (".npy", ".png"))
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        images = sample(trained, n, seed)
        if suffix == ".npy":
            np.save(args.out, images)
        else:
            Path(args.out).write_bytes(grid_png(images, columns=min(n, GRID_COLUMNS)))
        summary = {"out": args.out, "n": n, "seed": seed, "shape": list(images.shape)}
        quality = sample_quality(images, trained.config)
        shown = ("confident_share", "class_entropy", "diversity")
        summary |= {key: value for key, value in quality.items() if key in shown}
        print(json.dumps(summary))
        return 0

    def cli_interpolate(self, args: argparse.Namespace) -> int:
        steps, note = clamp_steps(args.steps)
        suffix = output_suffix(args.out, (".png", ".gif", ".npy"))
        trained = self.load_checkpoint_or_bundled(args.checkpoint)
        ends = [latent_from_reference(trained, text) for text in (args.from_latent, args.to_latent)]
        frames = interpolate(trained, ends[0], ends[1], steps, args.mode)
        if note:
            print(f"note: {note}", file=sys.stderr)
        if suffix == ".npy":
            np.save(args.out, frames)
        elif suffix == ".gif":
            Path(args.out).write_bytes(animation_gif(frames))
        else:
            Path(args.out).write_bytes(strip_png(frames))
        summary = {"out": args.out, "steps": steps, "mode": args.mode, "shape": list(frames.shape)}
        print(json.dumps(summary | ({"note": note} if note else {})))
        return 0


def final_metrics(model: GAN, config: dict[str, Any], watch: CollapseWatch) -> dict[str, Any]:
    """The trained model's quality on EVAL_SIZE samples, and its collapse verdict."""
    images = generate_tensor(model, model.latents(EVAL_SEED, EVAL_SIZE))
    quality = sample_quality(images, config)
    return quality | {"collapse": collapse_verdict(quality, config) or watch.d_won or None}


def collapse_verdict(quality: Mapping[str, Any], config: Mapping[str, Any]) -> str | None:
    """Mode collapse of a finished model, named, or None: the live watch's tests on its samples.
    A model stopped within the warm-up is not judged: an untrained generator's samples are all
    alike too, and that is not collapse."""
    steps = config.get("training", {}).get("steps", WARM_UP_STEPS)
    if steps < WARM_UP_STEPS:
        return None
    watch = CollapseWatch()
    for _ in range(2):  # a finished model has no "two probes in a row" to wait for
        watch.probe(steps, quality)
    return watch.mode_collapse or None


# --- interactions: pure functions of (model, input) ------------------------------------------


def check_count(value: Any, bounds: tuple[int, int], what: str) -> int:
    """A whole number within `bounds`, or LatentInputError saying what was wrong."""
    text = str(value).strip() if value is not None else ""
    if not text:
        raise LatentInputError(f"{what}: enter a whole number from {bounds[0]} to {bounds[1]}")
    try:
        number = float(text)
    except ValueError:
        raise LatentInputError(f"{what}: {text!r} is not a number") from None
    if not math.isfinite(number) or number != int(number):
        raise LatentInputError(f"{what}: expected a whole number, got {text!r}")
    if not bounds[0] <= number <= bounds[1]:
        raise LatentInputError(f"{what}: {int(number)} is out of range [{bounds[0]}, {bounds[1]}]")
    return int(number)


def parse_seed(value: Any) -> int:
    """A seed from a widget or the command line: a whole number from 0 to 2**31 - 1."""
    if isinstance(value, bool):
        raise LatentInputError(f"Seed: expected a whole number, got {value!r}")
    return check_count(value, SEED_RANGE, "Seed")


def clamp_steps(value: Any) -> tuple[int, str]:
    """The number of interpolation frames, brought into STEP_RANGE, and a note when it had to
    be (an empty value gives the default). Raises LatentInputError when it is not a number."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return DEFAULT_STEPS, f"No number of steps given: using {DEFAULT_STEPS}."
    try:
        number = float(text)
    except ValueError:
        raise LatentInputError(f"Steps: {text!r} is not a number") from None
    if not math.isfinite(number):
        raise LatentInputError(f"Steps: expected a whole number, got {text!r}")
    low, high = STEP_RANGE
    steps = min(max(round(number), low), high)
    if steps != number:
        return steps, f"Steps must be a whole number from {low} to {high}: {text} was changed to {steps}."
    return steps, ""


def output_suffix(out: str, allowed: Sequence[str]) -> str:
    suffix = Path(out).suffix.lower()
    if suffix not in allowed:
        raise SpecError(f"--out must end in {', '.join(allowed[:-1])} or {allowed[-1]}, got {out!r}")
    return suffix


def latent_size(trained: TrainedModel) -> int:
    """How many numbers make one of this model's latents: z, and the class vector if any."""
    return trained.model.latent_dim + trained.model.classes


def latent_from_seed(seed: Any, latent_dim: int = 100, classes: int = 0) -> np.ndarray:
    """The latent vector a seed names: (latent_dim [+ classes],) float32 (see `latents`)."""
    return latents(parse_seed(seed), 1, latent_dim, classes)[0].numpy()


def sample_latents(trained: TrainedModel, n: Any, seed: Any) -> np.ndarray:
    """The (n, latent_dim) latents behind `sample(trained, n, seed)`; row i is sample i."""
    n = check_count(n, (1, MAX_SAMPLES), "Number of samples")
    return trained.model.latents(parse_seed(seed), n).numpy()


def sample_names(trained: TrainedModel, n: Any, seed: Any) -> list[str]:
    """Captions for `sample(trained, n, seed)`: '#i', and for a conditional model the class each
    sample was asked to be ('#3: 7')."""
    z = sample_latents(trained, n, seed)
    if not trained.model.classes:
        return [f"#{i}" for i in range(len(z))]
    names = trained.config.get("classes") or [str(c) for c in range(trained.model.classes)]
    return [f"#{i}: {names[asked_class(trained, row)]}" for i, row in enumerate(z)]


def latent_from_reference(trained: TrainedModel, text: str) -> np.ndarray:
    """'SEED' (the seed's first sample) or 'SEED:INDEX' (sample INDEX of the grid drawn with that
    seed) -> its latent vector."""
    seed_text, has_index, index_text = str(text).partition(":")
    seed = parse_seed(seed_text)
    if not has_index:
        return trained.model.latents(seed, 1)[0].numpy()
    index = check_count(index_text, (0, MAX_SAMPLES - 1), "Sample index")
    return trained.model.latents(seed, index + 1)[index].numpy()


def check_latents(z: Any, size: int) -> torch.Tensor:
    """`z` as an (N, size) float tensor of finite numbers, or LatentInputError."""
    try:
        array = np.asarray(z, dtype=np.float32)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond float range
        raise LatentInputError("a latent vector must be a list of numbers") from None
    array = array.reshape(1, -1) if array.ndim == 1 else array
    if array.ndim != 2 or array.shape[1] != size or len(array) == 0:
        raise LatentInputError(f"this model's latent vectors have {size} numbers, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise LatentInputError("latent vectors must hold finite numbers")
    return torch.from_numpy(array)


def generate(trained: TrainedModel, z: Any) -> np.ndarray:
    """Latent vectors (N, d) or one (d,) -> (N, 28, 28) images in [0, 1]."""
    return generate_tensor(trained.model, check_latents(z, latent_size(trained)))


def sample(trained: TrainedModel, n: Any, seed: Any) -> np.ndarray:
    """n images from the noise that `seed` names: (n, 28, 28) in [0, 1]."""
    return generate_tensor(trained.model, torch.from_numpy(sample_latents(trained, n, seed)))


def interpolation_path(z_a: np.ndarray, z_b: np.ndarray, steps: int, mode: str = "linear") -> np.ndarray:
    """`steps` latents from z_a to z_b, both ends included: on the straight line, or ("spherical")
    on the great circle between them, with the norm going linearly from |z_a| to |z_b|.

    Slerp keeps every point at a radius the generator saw in training (about sqrt(d) for
    N(0, I)), where the straight line's midpoint is nearer the origin. When the two vectors are
    (almost) parallel the circle is not defined and the straight line is used.
    """
    if mode not in ("linear", "spherical"):
        raise LatentInputError(f"Mode: {mode!r} is not one of linear, spherical")
    a, b = np.asarray(z_a, dtype=np.float64), np.asarray(z_b, dtype=np.float64)
    t = np.linspace(0.0, 1.0, steps)[:, None]
    norm_a, norm_b = np.linalg.norm(a), np.linalg.norm(b)
    if mode == "linear" or min(norm_a, norm_b) < 1e-8:
        return ((1 - t) * a + t * b).astype(np.float32)
    unit_a, unit_b = a / norm_a, b / norm_b
    omega = math.acos(float(np.clip(unit_a @ unit_b, -1.0, 1.0)))
    if math.sin(omega) < 1e-6:
        return ((1 - t) * a + t * b).astype(np.float32)
    directions = (np.sin((1 - t) * omega) * unit_a + np.sin(t * omega) * unit_b) / math.sin(omega)
    return (directions * ((1 - t) * norm_a + t * norm_b)).astype(np.float32)


def interpolate(
    trained: TrainedModel, z_a: Any, z_b: Any, steps: Any = DEFAULT_STEPS, mode: str = "linear"
) -> np.ndarray:
    """Frames (steps, 28, 28) in [0, 1] decoded along the path from z_a to z_b. `steps` is
    brought into STEP_RANGE (see `clamp_steps` for the note to show)."""
    size = latent_size(trained)
    a, b = check_latents(z_a, size), check_latents(z_b, size)
    if len(a) != 1 or len(b) != 1:
        raise LatentInputError("interpolate between two single latent vectors")
    count, _ = clamp_steps(steps)
    return generate_tensor(trained.model, torch.from_numpy(latent_path(trained, a[0], b[0], count, mode)))


def latent_path(trained: TrainedModel, z_a: Any, z_b: Any, steps: int, mode: str = "linear") -> np.ndarray:
    """The latents along the path: z on the line or circle (`interpolation_path`); a conditional
    model's class vector always on the line, so the frames morph from one digit to the other."""
    a, b = np.asarray(z_a, dtype=np.float32), np.asarray(z_b, dtype=np.float32)
    size = trained.model.latent_dim
    z = interpolation_path(a[:size], b[:size], steps, mode)
    if not trained.model.classes:
        return z
    return np.concatenate([z, interpolation_path(a[size:], b[size:], steps, "linear")], axis=1)


def nudge(z: Any, values: Mapping[int, float]) -> np.ndarray:
    """A copy of one latent vector with some dimensions set: {dimension: value}. The fronts' sliders
    set the first NUDGE_DIMS dimensions, within NUDGE_RANGE (N(0, 1) rarely leaves it)."""
    vector = np.array(np.asarray(z, dtype=np.float32).reshape(-1), copy=True)
    for dim, value in values.items():
        # Both come from widgets or the API: a dimension such as "x" or 2.5, a value such as "abc",
        # used to raise ValueError or OverflowError from int() and float().
        index = check_count(dim, (0, len(vector) - 1), "Dimension")
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise LatentInputError(f"Dimension {dim}: expected a number, got {value!r}") from None
        if not math.isfinite(number):
            raise LatentInputError(f"Dimension {dim}: expected a finite number, got {value!r}")
        vector[index] = min(max(number, NUDGE_RANGE[0]), NUDGE_RANGE[1])
    return vector


def asked_class(trained: TrainedModel, z: Any) -> int | None:
    """The class a conditional model's latent asks for (the largest entry of its class vector),
    or None for an unconditional model."""
    if not trained.model.classes:
        return None
    return int(np.argmax(np.asarray(z, dtype=np.float32).reshape(-1)[trained.model.latent_dim :]))


def with_class(trained: TrainedModel, z: Any, digit: Any) -> np.ndarray:
    """A copy of one latent asking a conditional model for another class (0 to classes - 1)."""
    if not trained.model.classes:
        raise LatentInputError("this model draws no chosen class: it was trained without classes")
    digit = check_count(digit, (0, trained.model.classes - 1), "Class")
    vector = check_latents(z, latent_size(trained))[0].numpy().copy()
    vector[trained.model.latent_dim :] = np.eye(trained.model.classes, dtype=np.float32)[digit]
    return vector


def dimension_sweep(trained: TrainedModel, z: Any, dim: int, steps: int = 9) -> np.ndarray:
    """One dimension swept across NUDGE_RANGE with the others fixed: (steps, 28, 28)."""
    base = check_latents(z, latent_size(trained))[0].numpy()
    values = np.linspace(*NUDGE_RANGE, steps)
    return generate(trained, np.stack([nudge(base, {dim: v}) for v in values]))


def training_timeline(trained: TrainedModel) -> list[tuple[int, np.ndarray]]:
    """The fixed-noise grids taken while the model trained: (step, (64, 28, 28) in [0, 1])."""
    steps = trained.config.get("timeline", {}).get("steps", [])
    grids = getattr(trained.model, "timeline", torch.zeros(0))
    return [(int(step), grids[i].float().div(255).numpy()) for i, step in enumerate(steps)]


# --- export -----------------------------------------------------------------------------------


def _png(image: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(to_uint8(image)).save(buffer, format="PNG")
    return buffer.getvalue()


def grid_png(images: np.ndarray, columns: int = GRID_COLUMNS, scale: int = 2) -> bytes:
    """Images as one grid PNG, each pixel enlarged to scale x scale."""
    return _png(upscale(tile(images, columns), scale))


def strip_png(frames: np.ndarray, scale: int = 3) -> bytes:
    """Interpolation frames side by side as one PNG strip (the course saved it as a PDF)."""
    return _png(upscale(tile(frames, columns=len(frames)), scale))


def animation_gif(frames: np.ndarray, frame_ms: int = 120, scale: int = 6, bounce: bool = True) -> bytes:
    """The frames as a looping GIF; `bounce` plays them forth and back, so the loop has no jump."""
    from PIL import Image

    order = list(range(len(frames))) + (list(range(len(frames) - 2, 0, -1)) if bounce else [])
    pictures = [Image.fromarray(to_uint8(upscale(frames[i], scale))) for i in order]
    buffer = io.BytesIO()
    pictures[0].save(
        buffer, format="GIF", save_all=True, append_images=pictures[1:], duration=frame_ms, loop=0
    )
    return buffer.getvalue()
