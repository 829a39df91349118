"""The GAN lab's training and evaluation: the loop a student can read.

Each step takes one gradient step for D (binary cross-entropy from D's logits: real images
labelled 1, generated ones 0, plus an optional R1 penalty), then one for G (the non-saturating
loss, -log D(G(z))). `binary_cross_entropy_with_logits` is the same maths as a sigmoid followed
by BCE, without its overflow for confident logits. Adam with betas (0.5, 0.999) for both.

While training: D and G losses, D(x) and D(G(z)) every step; a grid from fixed noise every
SAMPLE_EVERY steps, kept as a timeline in the checkpoint so a student can scrub from the first
step to the last; a quality score from the bundled Digits classifier every PROBE_EVERY steps;
and a watch for the two classic failures, mode collapse and a discriminator that has won.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from core.charts import tile, to_uint8
from core.checkpoints import CheckpointError
from core.data import load_images
from core.events import Event, Progress, Samples, Trained
from core.labs.base import TrainedModel
from core.labs.gan.latent import sample
from core.labs.gan.model import GAN, GRID_COLUMNS, GRID_SIZE, gan_from_config, to_tanh_range
from core.labs.gan.sampling import generate_tensor, seeded_latents
from core.labs.gan.spec import SPEC
from core.runner import TrainContext
from core.specs import SpecError

GRID_SEED = 2024  # the fixed noise: the same 64 latents at every step, so change is the model's
PROBE_SIZE = 256  # live quality probe: fixed latents read by the Digits classifier
PROBE_SEED = 7
EVAL_SIZE = 1000  # final metrics and `evaluate`
EVAL_SEED = 0
SAMPLE_EVERY = 50  # steps between grids shown live
PROBE_EVERY = 100  # steps between quality probes
MAX_SNAPSHOTS = 12  # grids kept for the timeline; older ones are thinned evenly
R1_EVERY = 4  # steps between R1 penalties (each R1_EVERY times as strong)
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


def train(params: dict[str, Any], ctx: TrainContext) -> Iterator[Event]:
    """Train both players on the chosen data. Every SAMPLE_EVERY steps a grid drawn from the same
    fixed noise (its title and caption name any collapse warning); at the end a `Trained` whose
    model holds the timeline of those grids."""
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
    model = gan_from_config(config).to(ctx.device)
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
    grid_z = seeded_latents(model, GRID_SEED, GRID_SIZE).to(ctx.device)
    probe_z = seeded_latents(model, PROBE_SEED, PROBE_SIZE)
    labels = data.train_labels.to(ctx.device)
    noise = torch.Generator(device=ctx.device).manual_seed(ctx.seed + 1)  # G's inputs, per job
    watch, timeline = CollapseWatch(), Timeline()

    def show(step: int, epoch: float) -> Samples:
        images = generate_tensor(model, grid_z)
        if timeline.due(step):
            timeline.add(step, ctx.elapsed(), images)
        title = f"Samples from the same fixed noise after step {step:,} (epoch {epoch:.1f})"
        caption = f"step {step:,}"
        if watch.warning:  # in the caption too: the Gradio tab shows captions, not titles
            title += f". ⚠ {watch.warning}"
            caption += f" ⚠ {watch.warning}"
        return Samples(step, tile(images, GRID_COLUMNS)[None], (caption,), title)

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


def evaluate(trained: TrainedModel, data_dir: str | None = None) -> dict[str, Any]:
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


def final_metrics(model: GAN, config: dict[str, Any], watch: CollapseWatch) -> dict[str, Any]:
    """The trained model's quality on EVAL_SIZE samples, and its collapse verdict."""
    images = generate_tensor(model, seeded_latents(model, EVAL_SEED, EVAL_SIZE))
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
