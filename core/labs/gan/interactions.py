"""What a student does with a GAN: pure functions of (model, input), declared once for every
front, the API and the CLI. The latent tools they use are in latent.py."""

from __future__ import annotations

from typing import Any

import numpy as np

from core import charts
from core.interactions import Download, Interaction, Output
from core.labs.base import TrainedModel
from core.labs.gan import latent
from core.labs.gan.latent import DEFAULT_STEPS, MAX_SAMPLES, NUDGE_DIMS, NUDGE_RANGE, SEED_RANGE, STEP_RANGE
from core.labs.gan.model import GRID_COLUMNS
from core.labs.gan.train import sample_quality
from core.specs import Param

SEEDS_CLASS = "the seed's"  # the class choice that keeps the class a seed names
SHOWN_QUALITY = ("confident_share", "class_entropy", "diversity")


def noise_seed(default: int, label: str = "Seed of the noise") -> Param:
    return Param(
        "seed",
        "int",
        default,
        "A seed names the noise: the same seed always gives the same samples.",
        label=label,
        low=SEED_RANGE[0],
        high=SEED_RANGE[1],
    )


def reference(name: str, default: str, label: str) -> Param:
    return Param(
        name,
        "text",
        default,
        "A seed (its first sample), or SEED:INDEX for sample INDEX of that seed's grid (as the "
        "Samples tab numbers them).",
        label=label,
    )


def sample(trained: TrainedModel, seed: int, n: int) -> dict[str, Any]:
    images = latent.sample(trained, n, seed)
    names = latent.sample_names(trained, n, seed)
    quality = sample_quality(images, trained.config)
    summary = {"seed": seed, "n": len(images)} | {k: quality[k] for k in SHOWN_QUALITY if k in quality}
    note = f"Pick two by number to interpolate between them: `{seed}:3` is sample #3 of seed {seed}."
    if "confident_share" in quality:
        note = (
            f"Of these {len(images)} samples, **{quality['confident_share']:.0%}** read confidently as a "
            f"digit, class entropy {quality['class_entropy']:.2f} (1: all ten equally often; the "
            "model's own figures, in its summary, come from 1,000 samples). " + note
        )
    return {"samples": list(zip(images, names, strict=True)), "note": note, "quality": summary}


def interpolate(trained: TrainedModel, start: str, end: str, steps: int, mode: str) -> dict[str, Any]:
    ends = [latent.latent_from_reference(trained, text) for text in (start, end)]
    frames = latent.interpolate(trained, ends[0], ends[1], steps, mode)
    t = np.linspace(0.0, 1.0, len(frames))
    return {
        "frames": [(frame, f"t = {at:.2f}") for frame, at in zip(frames, t, strict=True)],
        "strip": charts.tile(frames, columns=len(frames)),
        "note": f"{mode.capitalize()} path, {len(frames)} frames, from {start.strip()} to {end.strip()}.",
        "animation": Download("interpolation.gif", latent.animation_gif(frames), "image/gif"),
        "strip_png": Download("interpolation.png", latent.strip_png(frames), "image/png"),
    }


def nudge(trained: TrainedModel, seed: int, digit: str, sweep: str, **shifts: float) -> dict[str, Any]:
    drawn = latent.latent_from_reference(trained, str(seed))
    base = drawn if digit == SEEDS_CLASS else latent.with_class(trained, drawn, digit)
    moved = {d: base[d] + shifts[f"z{d + 1}"] for d in range(NUDGE_DIMS) if shifts[f"z{d + 1}"]}
    z = latent.nudge(base, moved)
    dim = int(sweep[1:]) - 1
    values = ", ".join(f"{v:.2f}" for v in z[:NUDGE_DIMS])
    rest = trained.model.latent_dim - NUDGE_DIMS
    note = f"z1 to z{NUDGE_DIMS} now {values}; the other {rest} keep the seed's."
    if (own := latent.asked_class(trained, drawn)) is not None:
        names = trained.config.get("classes") or [str(c) for c in range(trained.model.classes)]
        asked = latent.asked_class(trained, z)
        note += f" Seed {seed} asks for class {names[own]}; drawn here: class {names[asked]}."
    low, high = NUDGE_RANGE
    return {
        "nudged": latent.generate(trained, z)[0],
        "drawn": latent.generate(trained, drawn)[0],
        "sweep": charts.tile(latent.dimension_sweep(trained, z, dim), columns=9),
        "note": note + f" The sweep takes z{dim + 1} from {low:g} to {high:g}, the rest as set.",
    }


def timeline(trained: TrainedModel, position: int) -> dict[str, Any]:
    grids = latent.training_timeline(trained)
    if not grids:
        return {"note": "This checkpoint holds no training timeline."}
    step, grid = grids[round(min(max(position, 0), 100) / 100 * (len(grids) - 1))]
    marks = zip(("Start", "Middle", "End"), (grids[0], grids[len(grids) // 2], grids[-1]), strict=True)
    return {
        "grid": charts.tile(grid, GRID_COLUMNS),
        "note": f"Step {step:,} of {grids[-1][0]:,}: the same fixed noise at this point of the training.",
        "overview": [(charts.tile(g, GRID_COLUMNS), f"{label}: step {s:,}") for label, (s, g) in marks],
    }


def quality(trained: TrainedModel) -> dict[str, Any]:
    metrics = trained.metrics
    note = f"⚠️ **{metrics['collapse']}**" if metrics.get("collapse") else "No mode collapse detected."
    counts = metrics.get("class_counts")
    if not counts:
        return {"note": note + " This model's metrics hold no reading of its samples by the judge."}
    shares = np.asarray(counts, dtype=float) / max(1, sum(counts))
    figure = charts.probability_bars(shares, [str(d) for d in range(len(counts))])
    figure.update_layout(title="Share of samples read as each digit (even: no mode collapse)")
    share, entropy = metrics.get("confident_share", 0.0), metrics.get("class_entropy", 0.0)
    note += (
        f" The bundled Digits classifier read {sum(counts):,} samples: {share:.0%} confidently, "
        f"class entropy {entropy:.2f} (1: all ten digits equally often; near 0: mode collapse)."
    )
    return {"note": note, "classes": figure}


NUDGE_SLIDERS = tuple(
    Param(
        f"z{d + 1}",
        "float",
        0.0,
        f"Move latent dimension {d + 1} away from the seed's value by this much.",
        low=NUDGE_RANGE[0],
        high=NUDGE_RANGE[1],
        step=0.1,
    )
    for d in range(NUDGE_DIMS)
)

INTERACTIONS = (
    Interaction(
        "sample",
        "Samples",
        "Samples from the noise a seed names, numbered (and, for a conditional model, the digit "
        "each was asked to be), with how well the bundled Digits classifier reads them.",
        sample,
        inputs=(
            noise_seed(0),
            Param("n", "int", 32, "How many samples.", label="Samples", low=1, high=MAX_SAMPLES),
        ),
        outputs=(
            Output("samples", "gallery", "Samples", size=56, columns=8),
            Output("note", "markdown", ""),
            Output("quality", "json", "Quality of these samples"),
        ),
        example={"seed": 7, "n": 16},
    ),
    Interaction(
        "interpolate",
        "Interpolate",
        "Walk from one latent to another (a seed, or SEED:INDEX for a sample of a seed's grid): "
        "the frames as a strip and a looping animation, to download.",
        interpolate,
        inputs=(
            reference("start", "1", "From"),
            reference("end", "2", "To"),
            Param(
                "steps",
                "int",
                DEFAULT_STEPS,
                "Frames, both ends included.",
                low=STEP_RANGE[0],
                high=STEP_RANGE[1],
            ),
            Param(
                "mode",
                "choice",
                "linear",
                "Spherical keeps the latent at a typical radius all the way (see the theory).",
                label="Path",
                choices=("linear", "spherical"),
            ),
        ),
        outputs=(
            # First, so that `--out` writes the frames: .npy (steps, 28, 28), .png one row of them.
            Output("frames", "gallery", "The frames", size=84, columns=STEP_RANGE[1]),
            Output("strip", "image", "The strip", size=900),
            Output("note", "markdown", ""),
            Output("animation", "file", "Download the animation (GIF)"),
            Output("strip_png", "file", "Download the strip (PNG)"),
        ),
        example={"start": "1", "end": "5:3", "steps": 7, "mode": "spherical"},
    ),
    Interaction(
        "nudge",
        "Nudge",
        "Start from a seed's sample, move single latent dimensions with the sliders (and, for a "
        "conditional model, change the class it draws), and sweep one dimension across its range.",
        nudge,
        inputs=(
            noise_seed(3, "Start from the sample of seed"),
            Param(
                "digit",
                "choice",
                SEEDS_CLASS,
                "A conditional model is told which class to draw: change it and keep the same z.",
                label="Class to draw (conditional models)",
                choices=(SEEDS_CLASS, *map(str, range(10))),
            ),
            Param(
                "sweep",
                "choice",
                "z1",
                "The dimension to sweep across its range, the others as set.",
                label="Sweep one dimension",
                choices=tuple(f"z{d + 1}" for d in range(NUDGE_DIMS)),
            ),
            *NUDGE_SLIDERS,
        ),
        outputs=(
            Output("nudged", "image", "With your sliders", size=224),
            Output("drawn", "image", "The seed's sample as drawn", size=224),
            Output("sweep", "image", "One dimension swept", size=700),
            Output("note", "markdown", ""),
        ),
        example={"seed": 3, "digit": "7", "z1": 2.5, "sweep": "z2"},
    ),
    Interaction(
        "timeline",
        "Timeline",
        "The same fixed noise drawn as training went on: noise at the start, blobs in the middle, "
        "digits at the end. Slide to scrub through it.",
        timeline,
        inputs=(
            Param(
                "position",
                "int",
                100,
                "Where in the training: 0 is the first step, 100 the last.",
                label="Training: start (0) to end (100)",
                low=0,
                high=100,
            ),
        ),
        outputs=(
            Output("grid", "image", "The fixed noise at this point", size=480),
            Output("note", "markdown", ""),
            Output("overview", "gallery", "Start, middle and end", size=300, columns=3),
        ),
        example={"position": 50},
    ),
    Interaction(
        "quality",
        "Which digits it draws",
        "How the bundled Digits classifier read 1,000 of this model's samples: the share of each "
        "digit (even: no mode collapse), and any collapse found when it was trained.",
        quality,
        outputs=(Output("note", "markdown", ""), Output("classes", "plot", "Digits drawn")),
    ),
)
