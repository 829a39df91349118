"""GAN lab: train a GAN live (both players' curves, a fixed-noise grid, collapse warnings), then
play with it: samples from a seed, interpolation between two latents, sliders on single latent
dimensions, and the timeline of its training from the first step to the last."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

import ui_streamlit as ui
from core import charts
from core.history import TrainingHistory
from core.labs import gan
from core.labs.base import TrainedModel
from core.registry import get_lab

LAB = get_lab("gan")
SPEC = LAB.spec
TRAINING = "gan-training"  # session-state key of this page's training
PICKS = "gan-picks"  # the two grid samples chosen as interpolation ends


def enlarged(image: np.ndarray, factor: int = 2) -> np.ndarray:
    return charts.to_uint8(charts.upscale(image, factor))


def training_view(history: TrainingHistory) -> None:
    """Live: collapse warnings, the two players' curves, the quality probe and the latest grid."""
    samples = history.samples
    if samples is not None and "⚠" in samples.title:
        st.warning(samples.title.split("⚠", 1)[1].strip(), icon="⚠️")
    if not history.steps:
        return
    losses, opinions, quality = st.columns(3)
    losses.plotly_chart(
        charts.series_curves(
            history,
            [("d_loss", "D loss"), ("g_loss", "G loss")],
            "Losses",
            "BCE",
            smooth=25,
            reference=(2 * math.log(2), "D at balance: 2 log 2"),
        ),
        key="gan-losses-chart",
    )
    opinions.plotly_chart(
        charts.series_curves(
            history,
            [("d_real", "D(x): real"), ("d_fake", "D(G(z)): generated")],
            "The discriminator's verdicts",
            "mean probability 'real'",
            smooth=25,
            reference=(0.5, "undecided"),
            unit_range=True,
        ),
        key="gan-opinions-chart",
    )
    quality.plotly_chart(
        charts.series_curves(
            history,
            [("confident_share", "read with p > 0.9"), ("class_entropy", "class entropy")],
            "Quality (Digits classifier)",
            "share / entropy of log 10",
            unit_range=True,
        ),
        key="gan-quality-chart",
    )
    if samples is not None:
        st.image(enlarged(samples.images[0], 2), caption=samples.title.split(". ⚠")[0])


def training_section() -> None:
    st.subheader("Training")
    ui.show_training(
        TRAINING,
        hint="Pick the settings in the sidebar and press **Train**: both players' losses, the "
        "discriminator's verdicts on real and generated digits, a quality score and a grid drawn "
        "from the same fixed noise grow here. Meanwhile the pretrained model below is ready.",
        metrics=("d_loss",),
        view_history=training_view,
    )


def seed_box(label: str, key: str, default: str, help: str | None = None) -> int | None:
    """A text box for a seed: any text may be typed, and what is not a seed gets a message."""
    text = st.text_input(label, value=default, key=key, help=help)
    try:
        return gan.parse_seed(text)
    except gan.LatentInputError as error:
        st.error(str(error))
        return None


def model_quality(trained: TrainedModel) -> None:
    metrics = trained.metrics
    if metrics.get("collapse"):
        st.warning(str(metrics["collapse"]), icon="⚠️")
    counts = metrics.get("class_counts")
    if counts:
        with st.expander("Which digits it draws (the classifier's reading of 1,000 samples)"):
            shares = np.asarray(counts, dtype=float) / max(1, sum(counts))
            figure = charts.probability_bars(shares, [str(d) for d in range(len(counts))])
            figure.update_layout(title="Share of samples read as each digit (even: no mode collapse)")
            st.plotly_chart(figure, key="gan-class-bars")


def samples_tab(trained: TrainedModel) -> None:
    left, right = st.columns([1, 3])
    with left:
        seed = seed_box("Seed of the noise", "gan-grid-seed", "0", "The same seed gives the same samples.")
        count = st.select_slider("Samples", [16, 32, 64], value=32, key="gan-grid-n")
    if seed is None:
        return
    images = gan.sample(trained, count, seed)
    with right:
        st.image([enlarged(image, 2) for image in images], caption=gan.sample_names(trained, count, seed))
    with left:
        quality = gan.sample_quality(images, trained.config)
        if "confident_share" in quality:
            st.metric("Read confidently as a digit", f"{quality['confident_share']:.0%}")
        picks = st.pills(
            "Pick two samples to interpolate between",
            list(range(count)),
            selection_mode="multi",
            format_func=lambda i: f"#{i}",
            key=f"gan-picks-{seed}-{count}",
        )
        if len(picks) == 2:
            ends = (f"{seed}:{picks[0]}", f"{seed}:{picks[1]}")
            if st.session_state.get(PICKS) != ends:  # once per new pick: the boxes stay editable
                st.session_state[PICKS] = ends
                st.session_state["gan-from"], st.session_state["gan-to"] = ends
            st.success(f"Interpolate tab: from {ends[0]} to {ends[1]}.")
        elif len(picks) > 2:
            st.warning("Pick exactly two samples.")


def latent_box(trained: TrainedModel, label: str, key: str, default: str) -> np.ndarray | None:
    """A text box naming a latent; the Samples tab's picks fill it (set before it is drawn)."""
    st.session_state.setdefault(key, default)
    text = st.text_input(
        label,
        key=key,
        help="A seed (its first sample), or SEED:INDEX for sample INDEX of that seed's grid "
        "(as the Samples tab numbers them).",
    )
    try:
        return gan.latent_from_reference(trained, text)
    except gan.LatentInputError as error:
        st.error(str(error))
        return None


def interpolate_tab(trained: TrainedModel) -> None:
    controls, result = st.columns([1, 3])
    with controls:
        z_a = latent_box(trained, "From", "gan-from", "1")
        z_b = latent_box(trained, "To", "gan-to", "2")
        steps = st.slider("Steps", *gan.STEP_RANGE, value=gan.DEFAULT_STEPS, key="gan-steps")
        mode = st.radio(
            "Path",
            ["linear", "spherical"],
            horizontal=True,
            key="gan-mode",
            help="Spherical keeps the latent at a typical radius all the way (see the theory).",
        )
    if z_a is None or z_b is None:
        return
    frames = gan.interpolate(trained, z_a, z_b, steps, mode)
    with result:
        ui.show_grid(frames, columns=steps, size=900, caption=f"{mode.capitalize()} path, {steps} frames")
        gif = gan.animation_gif(frames)
        animation, downloads = st.columns([1, 2])
        animation.image(gif, caption="As an animation (forth and back)")
        downloads.download_button(
            "Download the strip (PNG)", gan.strip_png(frames), "interpolation.png", "image/png", key="gan-png"
        )
        downloads.download_button(
            "Download the animation (GIF)", gif, "interpolation.gif", "image/gif", key="gan-gif"
        )


def nudge_tab(trained: TrainedModel) -> None:
    controls, result = st.columns([1, 2])
    with controls:
        seed = seed_box("Start from the sample of seed", "gan-nudge-seed", "3")
        if seed is None:
            return
        base = gan.latent_from_reference(trained, str(seed))
        own = gan.asked_class(trained, base)
        if own is not None:
            classes = trained.config.get("classes") or [str(d) for d in range(trained.model.classes)]
            digit = st.selectbox(
                "Class to draw",
                range(len(classes)),
                index=own,
                format_func=lambda d: classes[d] + (" (the seed's)" if d == own else ""),
                key=f"gan-nudge-class-{seed}",
                help="This model was told which class to draw: change it and keep the same z.",
            )
            base_drawn, base = base, gan.with_class(trained, base, digit)
        else:
            base_drawn = base
        values = {}
        for dim in range(min(gan.NUDGE_DIMS, len(base))):
            values[dim] = st.slider(
                f"z{dim + 1}",
                *gan.NUDGE_RANGE,
                value=float(np.clip(base[dim], *gan.NUDGE_RANGE)),
                step=0.1,
                key=f"gan-nudge-{seed}-{dim}",
            )
        st.caption(
            f"The other {trained.model.latent_dim - len(values)} dimensions of z keep the seed's values."
        )
    z = gan.nudge(base, values)
    with result:
        before, after = st.columns(2)
        before.image(enlarged(gan.generate(trained, base_drawn)[0], 8), caption=f"Seed {seed} as drawn")
        after.image(enlarged(gan.generate(trained, z)[0], 8), caption="With your sliders")
        dim = st.selectbox(
            "Sweep one dimension", range(len(values)), format_func=lambda d: f"z{d + 1}", key="gan-sweep"
        )
        low, high = gan.NUDGE_RANGE
        ui.show_grid(
            gan.dimension_sweep(trained, z, dim),
            columns=9,
            size=700,
            caption=f"z{dim + 1} from {low:g} to {high:g}, the rest as set",
        )


def timeline_tab(trained: TrainedModel) -> None:
    timeline = gan.training_timeline(trained)
    if not timeline:
        st.info("This checkpoint holds no training timeline.")
        return
    steps = [step for step, _ in timeline]
    st.caption(
        "The same fixed noise drawn as training went on: noise at the start, blobs in the middle, "
        "digits at the end. Slide to scrub through it."
    )
    chosen = st.select_slider("Step", steps, value=steps[-1], key="gan-timeline-step")
    start, middle, end = timeline[0], timeline[len(timeline) // 2], timeline[-1]
    columns = st.columns(3)
    for column, (step, grid), label in zip(
        columns, (start, middle, end), ("Start", "Middle", "End"), strict=True
    ):
        with column:
            ui.show_grid(grid, columns=gan.GRID_COLUMNS, size=300, caption=f"{label}: step {step:,}")
    grid = dict(timeline)[chosen]
    ui.show_grid(grid, columns=gan.GRID_COLUMNS, size=480, caption=f"Step {chosen:,}")


def main() -> None:
    ui.lab_header(SPEC)
    ui.training_sidebar(LAB, TRAINING, gan.COURSE_RECIPE)
    training_section()
    trained = ui.model_section(LAB, TRAINING)
    if trained is None:
        return
    model_quality(trained)

    st.subheader("Play with the generator")
    samples, between, sliders, timeline = st.tabs(["Samples", "Interpolate", "Nudge", "Timeline"])
    with samples:
        samples_tab(trained)
    with between:
        interpolate_tab(trained)
    with sliders:
        nudge_tab(trained)
    with timeline:
        timeline_tab(trained)


main()
