"""The GAN lab end to end: the quality judge, the interactions and their bad input, the collapse
watch, training through the runner (live metrics, grids, timeline, checkpoint), and the command
line."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
import torch
from PIL import Image

from core import checkpoints
from core.charts import tile
from core.cli import main
from core.events import Progress, Samples
from core.judge import digit_quality
from core.labs.base import TrainedModel
from core.labs.gan import latent, sampling
from core.labs.gan import model as model_
from core.labs.gan import train as training
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("gan")


def untrained(recipe: str = "dcgan", latent_dim: int = 100) -> TrainedModel:
    torch.manual_seed(0)
    model = model_.build_gan(recipe, latent_dim).eval()
    config = {"lab": "gan", "recipe": recipe, "latent_dim": latent_dim, "data": {"dataset": "mnist"}}
    return TrainedModel("gan", model, config)


@pytest.fixture(scope="module")
def model() -> TrainedModel:
    return untrained()


# --- the judge ---------------------------------------------------------------------------------


def test_the_judge_reads_real_digits_as_confident_and_varied(data_dir):
    from core.data import load_images

    real = load_images("mnist", data_dir).test_images[:500].float().div(255)
    quality = digit_quality(real)
    assert quality["confident_share"] > 0.9 and quality["class_entropy"] > 0.95
    assert sum(quality["class_counts"]) == 500 and len(quality["class_counts"]) == 10


def test_the_judge_gives_zero_entropy_when_every_sample_is_the_same_digit(data_dir):
    from core.data import load_images

    data = load_images("mnist", data_dir)
    one = data.test_images[data.test_labels == 1][:1].float().div(255)
    quality = digit_quality(one.repeat(50, 1, 1).numpy()[:, None])  # (N, 1, 28, 28) works too
    assert quality["class_entropy"] == 0.0 and quality["class_counts"][1] == 50


# --- models ------------------------------------------------------------------------------------


def test_the_course_recipe_has_the_course_layers():
    model = model_.build_gan("mlp", 100)
    linears = [m for m in model.generator if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (100, 128),
        (128, 256),
        (256, 512),
        (512, 1024),
        (1024, 784),
    ]
    assert sum(isinstance(m, torch.nn.BatchNorm1d) for m in model.generator) == 3
    assert isinstance(model.generator[-2], torch.nn.Tanh)
    linears = [m for m in model.discriminator if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(784, 512), (512, 256), (256, 1)]
    slopes = {m.negative_slope for m in model.modules() if isinstance(m, torch.nn.LeakyReLU)}
    assert slopes == {0.2}


@pytest.mark.parametrize("recipe", ["dcgan", "mlp"])
def test_every_recipe_maps_latents_to_28x28_images_and_images_to_one_logit(recipe):
    model = model_.build_gan(recipe, 16).eval()
    images = model(torch.randn(3, 16))
    assert images.shape == (3, 1, 28, 28) and images.abs().max() <= 1
    assert model.discriminator(images).shape == (3, 1)


def test_the_conditional_recipe_draws_the_class_it_is_given_and_judges_image_class_pairs():
    model = model_.build_gan("cdcgan", 16).eval()
    assert model.classes == 10
    z = sampling.seeded_latents(model, 5, 4)
    assert z.shape == (4, 26) and torch.equal(z[:, 16:].sum(1), torch.ones(4))
    images = model(z)
    assert images.shape == (4, 1, 28, 28) and images.abs().max() <= 1
    with torch.no_grad():
        other = z.clone()
        other[:, 16:] = torch.roll(z[:, 16:], 1, dims=1)  # same z, another digit asked for
        assert not torch.allclose(model(other), images)
        assert model.judge(images, z[:, 16:]).shape == (4, 1)


def test_conditional_latents_name_a_digit_per_seed_evenly_and_keep_the_prefix_rule():
    many = sampling.latents(3, 2000, 8, classes=10)
    counts = many[:, 8:].argmax(1).bincount(minlength=10)
    assert counts.min() > 150 and counts.max() < 250  # about 200 each
    assert torch.equal(sampling.latents(3, 5, 8, classes=10), many[:5])  # a seed's first k of n


def test_a_conditional_interpolation_mixes_the_two_digits_linearly_even_on_the_sphere():
    trained = untrained("cdcgan")
    z_a, z_b = latent.latent_from_reference(trained, "1"), latent.latent_from_reference(trained, "2")
    z_b[100:] = np.roll(z_a[100:], 3)  # make sure the two ask for different digits
    path = latent.latent_path(trained, z_a, z_b, 3, "spherical")
    np.testing.assert_allclose(path[1, 100:], (z_a[100:] + z_b[100:]) / 2, atol=1e-6)
    np.testing.assert_allclose(path[[0, -1]], np.stack([z_a, z_b]), atol=1e-5)
    frames = latent.interpolate(trained, z_a, z_b, 3, "spherical")
    np.testing.assert_allclose(frames[-1], latent.generate(trained, z_b)[0], atol=1e-5)


def test_a_conditional_model_can_be_asked_for_another_class_and_names_each_samples_class():
    trained = untrained("cdcgan")
    names = latent.sample_names(trained, 4, 7)
    z = latent.sample_latents(trained, 4, 7)
    assert names == [f"#{i}: {latent.asked_class(trained, row)}" for i, row in enumerate(z)]
    seven = latent.with_class(trained, z[0], 7)
    assert latent.asked_class(trained, seven) == 7 and np.array_equal(seven[:100], z[0, :100])
    with pytest.raises(latent.LatentInputError, match="out of range"):
        latent.with_class(trained, z[0], 10)
    with pytest.raises(latent.LatentInputError, match="without classes"):
        latent.with_class(untrained("dcgan"), z[0, :100], 3)
    assert latent.sample_names(untrained("dcgan"), 2, 7) == ["#0", "#1"]


# --- interactions --------------------------------------------------------------------------------


def test_a_seed_names_a_latent_and_sample_zero_of_its_grid(model):
    z = latent.latent_from_seed(7)
    assert z.shape == (100,) and np.array_equal(z, latent.latent_from_seed("7"))
    assert not np.array_equal(z, latent.latent_from_seed(8))
    images = latent.sample(model, 5, 7)
    assert images.shape == (5, 28, 28) and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1
    np.testing.assert_allclose(images[0], latent.generate(model, z)[0], atol=1e-6)
    third = latent.latent_from_reference(model, "7:3")
    np.testing.assert_allclose(latent.generate(model, third)[0], images[3], atol=1e-6)


@pytest.mark.parametrize("mode", ["linear", "spherical"])
def test_interpolation_starts_and_ends_at_the_two_latents(model, mode):
    z_a, z_b = latent.latent_from_seed(1), latent.latent_from_seed(2)
    frames = latent.interpolate(model, z_a, z_b, 10, mode)
    assert frames.shape == (10, 28, 28)
    np.testing.assert_allclose(frames[0], latent.generate(model, z_a)[0], atol=1e-5)
    np.testing.assert_allclose(frames[-1], latent.generate(model, z_b)[0], atol=1e-5)


def test_spherical_interpolation_keeps_a_typical_radius_where_the_line_dips():
    z_a, z_b = latent.latent_from_seed(1), latent.latent_from_seed(2)
    line = np.linalg.norm(latent.interpolation_path(z_a, z_b, 9, "linear"), axis=1)
    arc = np.linalg.norm(latent.interpolation_path(z_a, z_b, 9, "spherical"), axis=1)
    assert line[4] < 0.85 * (line[0] + line[-1]) / 2  # about 1/sqrt(2) of the ends' radius
    np.testing.assert_allclose(arc, np.linspace(arc[0], arc[-1], 9), rtol=1e-5)
    same = latent.interpolation_path(z_a, z_a, 4, "spherical")  # parallel: no circle, no NaN
    assert np.isfinite(same).all() and np.allclose(same, z_a)


@pytest.mark.parametrize(
    ("steps", "expected", "note"),
    [(1, 2, "changed to 2"), (10_000, 64, "changed to 64"), ("", 10, "using 10"), (12, 12, ""), ("5", 5, "")],
)
def test_step_counts_are_brought_into_range_with_a_note(steps, expected, note):
    count, message = latent.clamp_steps(steps)
    assert count == expected and note in message and bool(message) == bool(note)


def test_interpolation_with_out_of_range_steps_is_clamped(model):
    z_a, z_b = latent.latent_from_seed(1), latent.latent_from_seed(2)
    assert len(latent.interpolate(model, z_a, z_b, 1)) == 2
    assert len(latent.interpolate(model, z_a, z_b, 10_000)) == 64


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: latent.latent_from_seed("seven"), "'seven' is not a number"),
        (lambda m: latent.latent_from_seed(""), "enter a whole number"),
        (lambda m: latent.latent_from_seed(None), "enter a whole number"),
        (lambda m: latent.latent_from_seed(-1), "out of range"),
        (lambda m: latent.latent_from_seed(1.5), "whole number"),
        (lambda m: latent.sample(m, 0, 1), "out of range"),
        (lambda m: latent.sample(m, "many", 1), "not a number"),
        (lambda m: latent.clamp_steps("ten"), "'ten' is not a number"),
        (lambda m: latent.clamp_steps("nan"), "whole number"),
        (lambda m: latent.interpolate(m, [1.0, 2.0], latent.latent_from_seed(1)), "have 100 numbers"),
        (
            lambda m: latent.interpolate(
                m, latent.latent_from_seed(1), latent.latent_from_seed(2), 5, "curly"
            ),
            "curly",
        ),
        (lambda m: latent.generate(m, [float("nan")] * 100), "finite"),
        (lambda m: latent.latent_from_reference(m, "3:x"), "'x' is not a number"),
        (lambda m: latent.nudge(latent.latent_from_seed(1), {100: 1.0}), "out of range"),
    ],
)
def test_bad_interaction_input_is_refused_with_a_message(model, call, message):
    with pytest.raises(latent.LatentInputError, match=message):
        call(model)


def test_nudging_sets_one_dimension_within_the_slider_range():
    z = latent.latent_from_seed(3)
    moved = latent.nudge(z, {0: 2.5, 1: 99.0})
    assert moved[0] == 2.5 and moved[1] == latent.NUDGE_RANGE[1]
    assert np.array_equal(moved[2:], z[2:]) and z[0] != 2.5  # a copy; the input is untouched


def test_a_dimension_sweep_changes_the_image(model):
    frames = latent.dimension_sweep(model, latent.latent_from_seed(3), 0, steps=5)
    assert frames.shape == (5, 28, 28) and not np.allclose(frames[0], frames[-1])


def test_the_strip_exports_as_png_and_the_animation_as_a_looping_gif(model):
    frames = latent.interpolate(model, latent.latent_from_seed(1), latent.latent_from_seed(2), 6)
    with Image.open(io.BytesIO(latent.strip_png(frames, scale=2))) as strip:
        assert strip.format == "PNG" and strip.size == (2 * (6 * 29 + 1), 2 * 30)
    with Image.open(io.BytesIO(latent.animation_gif(frames))) as animation:
        assert animation.format == "GIF" and animation.n_frames == 10  # forth and back


# --- the collapse watch and the timeline --------------------------------------------------------


def test_a_discriminator_at_zero_loss_for_long_is_named():
    watch = training.CollapseWatch()
    for step in range(training.D_WON_STEPS - 1):
        watch.step(step, 0.001)
    assert watch.warning == ""  # not for long enough yet
    watch.step(training.D_WON_STEPS, 0.001)
    assert "discriminator has won" in watch.warning
    for step in range(training.D_WON_STEPS):
        watch.step(step, 1.3)
    assert watch.warning == ""  # it recovered


def test_mode_collapse_is_named_after_two_probes_in_a_row_past_the_warm_up():
    alike = {"diversity": 0.1, "class_entropy": 0.2, "class_counts": [0, 95, 0, 0, 0, 0, 0, 5, 0, 0]}
    healthy = {"diversity": 0.9, "class_entropy": 0.98, "class_counts": [10] * 10}
    watch = training.CollapseWatch()
    watch.probe(100, alike)
    watch.probe(200, alike)
    assert watch.warning == ""  # an untrained generator draws look-alikes: not collapse
    watch.probe(training.WARM_UP_STEPS, alike)
    assert watch.warning == ""
    watch.probe(training.WARM_UP_STEPS + 100, alike)
    assert watch.warning.startswith("Mode collapse") and "95% of them read as 1 " in watch.warning
    watch.probe(training.WARM_UP_STEPS + 200, healthy)
    assert watch.warning == ""
    assert training.collapse_verdict(alike, {"training": {"steps": 1000}}).startswith("Mode collapse")
    assert training.collapse_verdict(alike, {"training": {"steps": 10}}) is None  # stopped too soon
    assert training.collapse_verdict(healthy, {"training": {"steps": 1000}}) is None


def test_the_timeline_stays_short_and_spread_from_first_step_to_last():
    timeline = training.Timeline()
    frame = np.zeros((model_.GRID_SIZE, 28, 28), dtype=np.float32)
    for step in range(0, 5001):
        if timeline.due(step):
            timeline.add(step, step / 100, frame)
    timeline.add(5001, 50.0, frame)
    assert timeline.steps[0] == 0 and timeline.steps[-1] == 5001
    assert len(timeline.steps) <= training.MAX_SNAPSHOTS + 1
    gaps = np.diff(timeline.steps[:-1])
    assert len(set(gaps)) == 1  # evenly spread
    assert timeline.tensor().shape == (len(timeline.steps), model_.GRID_SIZE, 28, 28)


# --- training ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_short_training_streams_both_players_grids_and_quality(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"epochs": 1}, data_dir=data_dir, max_steps=training.PROBE_EVERY)
    assert job.wait(300)
    assert job.state == "finished", job.message
    events = job.events_since(0)
    steps = [e for e in events if isinstance(e, Progress)]
    assert len(steps) == training.PROBE_EVERY
    assert {"loss", "d_loss", "g_loss", "d_real", "d_fake"} <= set(steps[0].metrics)
    assert all(0 <= e.metrics["d_real"] <= 1 and 0 <= e.metrics["d_fake"] <= 1 for e in steps)
    assert "r1" in steps[training.R1_EVERY - 1].metrics and "r1" not in steps[0].metrics  # lazy R1
    assert {"confident_share", "class_entropy", "diversity"} <= set(steps[-1].metrics)  # the probe
    grids = [e for e in events if isinstance(e, Samples)]
    assert grids[0].step == 0 and grids[-1].step == training.PROBE_EVERY  # the start, then the end
    assert grids[0].images.shape == (1, 8 * 29 + 1, 8 * 29 + 1)

    reloaded = LAB.load(job.checkpoint_dir)
    timeline = latent.training_timeline(reloaded)
    assert [step for step, _ in timeline] == [0, 50, 100]
    assert timeline[-1][1].shape == (model_.GRID_SIZE, 28, 28)
    metrics = reloaded.metrics
    assert metrics["stopped_by"] == "step limit" and metrics["steps"] == training.PROBE_EVERY
    assert {"confident_share", "class_entropy", "class_counts", "diversity", "collapse"} <= set(metrics)
    assert metrics["collapse"] is None  # too early to judge
    np.testing.assert_allclose(
        latent.sample(reloaded, 4, 1),
        latent.sample(TrainedModel("gan", job.result.model, job.result.config), 4, 1),
    )
    evaluation = LAB.evaluate(reloaded)
    assert evaluation["confident_share"] == pytest.approx(metrics["confident_share"])


def test_fashion_mnist_out_of_reach_fails_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("DLL_OFFLINE", "1")
    monkeypatch.setenv("DLL_SYSTEM_DATASETS", str(tmp_path / "none"))  # not Debian's copy either
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"dataset": "fashion-mnist"}, data_dir=str(tmp_path))
    assert job.wait(60)
    assert job.state == "failed"
    assert "FashionMNIST is not in" in job.message and "DLL_DATA_DIR" in job.message


# --- the declared interactions -------------------------------------------------------------------


def run_interaction(trained: TrainedModel, name: str, **values):
    return LAB.interaction(name)(trained, values)


@pytest.fixture(scope="module")
def bundled() -> TrainedModel:
    from core import models

    return models.bundled(LAB, "cdcgan")


def test_samples_are_numbered_with_the_class_asked_for_and_scored(bundled):
    answer = run_interaction(bundled, "sample", seed=7, n=16)
    images = [image for image, _ in answer["samples"]]
    np.testing.assert_allclose(np.stack(images), latent.sample(bundled, 16, 7))
    assert [caption for _, caption in answer["samples"]] == latent.sample_names(bundled, 16, 7)
    quality = answer["quality"]
    assert quality["seed"] == 7 and quality["n"] == 16
    assert 0 <= quality["confident_share"] <= 1 and 0 <= quality["class_entropy"] <= 1
    assert quality["diversity"] > 0.5  # the bundled model's samples vary like real digits
    assert "read confidently as a digit" in answer["note"] and "`7:3`" in answer["note"]


def test_the_interpolation_comes_as_a_strip_a_looping_gif_and_a_png(model):
    answer = run_interaction(model, "interpolate", start="3", end="5:2", steps=7, mode="spherical")
    assert answer["strip"].shape == (30, 7 * 29 + 1)
    assert answer["note"].startswith("Spherical path, 7 frames, from 3 to 5:2")
    with Image.open(io.BytesIO(answer["animation"].data)) as animation:
        assert animation.format == "GIF" and animation.n_frames == 12  # forth and back
    assert answer["animation"].name.endswith(".gif") and answer["strip_png"].name.endswith(".png")
    with Image.open(io.BytesIO(answer["strip_png"].data)) as strip:
        assert strip.format == "PNG" and strip.size == (3 * (7 * 29 + 1), 3 * 30)
    frames = latent.interpolate(
        model,
        latent.latent_from_reference(model, "3"),
        latent.latent_from_reference(model, "5:2"),
        7,
        "spherical",
    )
    np.testing.assert_allclose(answer["strip"], tile(frames, columns=7), atol=1e-6)
    np.testing.assert_allclose(np.stack([frame for frame, _ in answer["frames"]]), frames, atol=1e-6)
    assert [caption for _, caption in answer["frames"]][::6] == ["t = 0.00", "t = 1.00"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"steps": 1}, "out of range [2, 64]"),
        ({"steps": 10_000}, "out of range [2, 64]"),
        ({"start": "one"}, "'one' is not a number"),
        ({"end": "7:x"}, "'x' is not a number"),
        ({"mode": "zigzag"}, "not one of linear, spherical"),
    ],
)
def test_bad_interpolation_input_is_refused_with_a_message(model, values, message):
    with pytest.raises(SpecError, match=re.escape(message)):
        run_interaction(model, "interpolate", **values)


def test_nudging_shifts_single_dimensions_from_the_seeds_sample(bundled):
    same = run_interaction(bundled, "nudge", seed=3)
    np.testing.assert_allclose(same["nudged"], same["drawn"])  # no shift: the seed's sample
    np.testing.assert_allclose(same["drawn"], latent.sample(bundled, 1, 3)[0], atol=1e-6)
    base = latent.latent_from_reference(bundled, "3")
    moved = run_interaction(bundled, "nudge", seed=3, z2=1.5, sweep="z2")
    expected = latent.nudge(base, {1: base[1] + 1.5})
    np.testing.assert_allclose(moved["nudged"], latent.generate(bundled, expected)[0], atol=1e-6)
    assert f"{expected[1]:.2f}" in moved["note"] and "sweep takes z2 from -3 to 3" in moved["note"]
    np.testing.assert_allclose(
        moved["sweep"], tile(latent.dimension_sweep(bundled, expected, 1), columns=9), atol=1e-6
    )


def test_a_conditional_model_draws_the_class_picked_and_an_unconditional_one_says_it_cannot(bundled, model):
    own = latent.asked_class(bundled, latent.latent_from_reference(bundled, "3"))
    other = str((own + 1) % 10)
    answer = run_interaction(bundled, "nudge", seed=3, digit=other)
    assert f"asks for class {own}; drawn here: class {other}" in answer["note"]
    assert not np.allclose(answer["nudged"], answer["drawn"])
    with pytest.raises(SpecError, match="without classes"):
        run_interaction(model, "nudge", seed=3, digit="4")


def test_the_timeline_scrubs_from_the_first_step_to_the_last(bundled, model):
    grids = latent.training_timeline(bundled)
    first = run_interaction(bundled, "timeline", position=0)
    last = run_interaction(bundled, "timeline", position=100)
    assert first["note"].startswith(f"Step 0 of {grids[-1][0]:,}")
    assert last["note"].startswith(f"Step {grids[-1][0]:,} of")
    np.testing.assert_allclose(last["grid"], tile(grids[-1][1], 8))
    assert [caption.split(":")[0] for _, caption in first["overview"]] == ["Start", "Middle", "End"]
    assert run_interaction(model, "timeline", position=50) == {
        "note": "This checkpoint holds no training timeline."
    }


def test_which_digits_it_draws_reads_the_recorded_quality_and_names_collapse(bundled, model):
    answer = run_interaction(bundled, "quality")
    assert "No mode collapse detected" in answer["note"] and len(answer["classes"].data[0].y) == 10
    collapsed = TrainedModel("gan", model.model, model.config, {"collapse": "Mode collapse: all 1s."})
    answer = run_interaction(collapsed, "quality")
    assert "Mode collapse: all 1s." in answer["note"] and "classes" not in answer


# --- command line ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory, model) -> str:
    folder = tmp_path_factory.mktemp("gan") / "untrained"
    config = dict(model.config, params={"dataset": "mnist"}, training={"steps": 0})
    checkpoints.save_checkpoint(folder, model.model, config, {}, "# untrained GAN")
    return str(folder)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_sample_writes_an_array_in_the_unit_range_or_a_grid(capsys, tmp_path, checkpoint):
    out_file = tmp_path / "s.npy"
    argv = ["gan", "sample", "--n", "12", "--seed", "3", "--checkpoint", checkpoint, "--json"]
    code, out, err = run(capsys, *argv, "--out", str(out_file))
    assert code == 0, err
    quality = json.loads(out)["quality"]
    assert quality["n"] == 12 and quality["seed"] == 3 and 0 <= quality["confident_share"] <= 1
    images = np.load(out_file)
    assert images.shape == (12, 28, 28) and images.min() >= 0 and images.max() <= 1
    code, _, _ = run(capsys, *argv, "--out", str(tmp_path / "g.png"))
    with Image.open(tmp_path / "g.png") as grid:
        assert code == 0 and grid.size == (8 * 29 + 1, 2 * 29 + 1)


@pytest.mark.parametrize("suffix", ["png", "npy"])
def test_cli_interpolate_between_seeds_or_grid_samples(capsys, tmp_path, checkpoint, suffix):
    out_file = tmp_path / f"path.{suffix}"
    code, out, err = run(
        capsys,
        *["gan", "interpolate", "3", "5:2", "--steps", "7", "--mode", "spherical", "--json"],
        *["--out", str(out_file), "--checkpoint", checkpoint],
    )
    assert code == 0, err
    answer = json.loads(out)
    assert (
        answer["note"].startswith("Spherical path, 7 frames") and answer["animation"] == "interpolation.gif"
    )
    if suffix == "npy":  # the frames themselves
        frames = np.load(out_file)
        assert frames.shape == (7, 28, 28) and frames.min() >= 0 and frames.max() <= 1
    else:
        with Image.open(out_file) as strip:
            assert strip.size == (7 * 29 + 1, 30)


def test_cli_nudge_and_timeline(capsys, tmp_path, checkpoint):
    out_file = tmp_path / "nudged.png"
    argv = ["gan", "nudge", "--seed", "3", "--z1", "2", "--out", str(out_file), "--checkpoint", checkpoint]
    code, out, err = run(capsys, *argv)
    assert code == 0 and "z1 to z6 now" in out, err
    with Image.open(out_file) as nudged:
        assert nudged.size == (28, 28)
    code, out, err = run(capsys, "gan", "timeline", "--checkpoint", checkpoint, "--json")
    assert code == 0 and json.loads(out)["note"] == "This checkpoint holds no training timeline.", err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["gan", "sample", "--n", "0"], "out of range [1, 1024]"),
        (["gan", "sample", "--n", "100000"], "out of range [1, 1024]"),
        (["gan", "sample", "--seed", "lucky"], "expected a number, got 'lucky'"),
        (["gan", "sample", "--seed", ""], "expected a number, got ''"),
        (["gan", "sample", "--seed", "-1"], "'-1' is out of range"),
        (["gan", "interpolate", "one", "2"], "'one' is not a number"),
        (["gan", "interpolate", "1", "2", "--steps", "many"], "expected a number, got 'many'"),
        (["gan", "interpolate", "1", "2", "--steps", "10000"], "out of range [2, 64]"),
        (["gan", "nudge", "--z1", "nan"], "expected a finite number"),
        (["gan", "nudge", "--sweep", "z9"], "not one of z1"),
        (["gan", "nudge", "--digit", "4"], "without classes"),
        (["train", "gan", "--set", "recipe=wgan"], "not one of cdcgan, dcgan, mlp"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_code_two(
    capsys, tmp_path, monkeypatch, checkpoint, argv, message
):
    monkeypatch.chdir(tmp_path)
    extra = ["--checkpoint", checkpoint] if argv[0] != "train" else []
    code, _, err = run(capsys, *argv, *extra)
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
