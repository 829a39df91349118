"""The GAN lab end to end: the quality judge, the interactions and their bad input, the collapse
watch, training through the runner (live metrics, grids, timeline, checkpoint), and the command
line."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import torch
from PIL import Image

from core import checkpoints
from core.cli import main
from core.events import Progress, Samples
from core.judge import digit_quality
from core.labs import gan
from core.labs.base import TrainedModel
from core.registry import get_lab
from core.runner import TrainingRunner

LAB = get_lab("gan")


def untrained(recipe: str = "dcgan", latent_dim: int = 100) -> TrainedModel:
    torch.manual_seed(0)
    model = gan.build_gan(recipe, latent_dim).eval()
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
    model = gan.build_gan("mlp", 100)
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
    model = gan.build_gan(recipe, 16).eval()
    images = model(torch.randn(3, 16))
    assert images.shape == (3, 1, 28, 28) and images.abs().max() <= 1
    assert model.discriminator(images).shape == (3, 1)


def test_the_conditional_recipe_draws_the_class_it_is_given_and_judges_image_class_pairs():
    model = gan.build_gan("cdcgan", 16).eval()
    assert model.classes == 10
    z = model.latents(5, 4)
    assert z.shape == (4, 26) and torch.equal(z[:, 16:].sum(1), torch.ones(4))
    images = model(z)
    assert images.shape == (4, 1, 28, 28) and images.abs().max() <= 1
    with torch.no_grad():
        other = z.clone()
        other[:, 16:] = torch.roll(z[:, 16:], 1, dims=1)  # same z, another digit asked for
        assert not torch.allclose(model(other), images)
        assert model.judge(images, z[:, 16:]).shape == (4, 1)


def test_conditional_latents_name_a_digit_per_seed_evenly_and_keep_the_prefix_rule():
    many = gan.latents(3, 2000, 8, classes=10)
    counts = many[:, 8:].argmax(1).bincount(minlength=10)
    assert counts.min() > 150 and counts.max() < 250  # about 200 each
    assert torch.equal(gan.latents(3, 5, 8, classes=10), many[:5])  # a seed's first k of n


def test_a_conditional_interpolation_mixes_the_two_digits_linearly_even_on_the_sphere():
    trained = untrained("cdcgan")
    z_a, z_b = gan.latent_from_reference(trained, "1"), gan.latent_from_reference(trained, "2")
    z_b[100:] = np.roll(z_a[100:], 3)  # make sure the two ask for different digits
    path = gan.latent_path(trained, z_a, z_b, 3, "spherical")
    np.testing.assert_allclose(path[1, 100:], (z_a[100:] + z_b[100:]) / 2, atol=1e-6)
    np.testing.assert_allclose(path[[0, -1]], np.stack([z_a, z_b]), atol=1e-5)
    frames = gan.interpolate(trained, z_a, z_b, 3, "spherical")
    np.testing.assert_allclose(frames[-1], gan.generate(trained, z_b)[0], atol=1e-5)


def test_a_conditional_model_can_be_asked_for_another_class_and_names_each_samples_class():
    trained = untrained("cdcgan")
    names = gan.sample_names(trained, 4, 7)
    z = gan.sample_latents(trained, 4, 7)
    assert names == [f"#{i}: {gan.asked_class(trained, row)}" for i, row in enumerate(z)]
    seven = gan.with_class(trained, z[0], 7)
    assert gan.asked_class(trained, seven) == 7 and np.array_equal(seven[:100], z[0, :100])
    with pytest.raises(gan.LatentInputError, match="out of range"):
        gan.with_class(trained, z[0], 10)
    with pytest.raises(gan.LatentInputError, match="without classes"):
        gan.with_class(untrained("dcgan"), z[0, :100], 3)
    assert gan.sample_names(untrained("dcgan"), 2, 7) == ["#0", "#1"]


# --- interactions --------------------------------------------------------------------------------


def test_a_seed_names_a_latent_and_sample_zero_of_its_grid(model):
    z = gan.latent_from_seed(7)
    assert z.shape == (100,) and np.array_equal(z, gan.latent_from_seed("7"))
    assert not np.array_equal(z, gan.latent_from_seed(8))
    images = gan.sample(model, 5, 7)
    assert images.shape == (5, 28, 28) and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1
    np.testing.assert_allclose(images[0], gan.generate(model, z)[0], atol=1e-6)
    third = gan.latent_from_reference(model, "7:3")
    np.testing.assert_allclose(gan.generate(model, third)[0], images[3], atol=1e-6)


@pytest.mark.parametrize("mode", ["linear", "spherical"])
def test_interpolation_starts_and_ends_at_the_two_latents(model, mode):
    z_a, z_b = gan.latent_from_seed(1), gan.latent_from_seed(2)
    frames = gan.interpolate(model, z_a, z_b, 10, mode)
    assert frames.shape == (10, 28, 28)
    np.testing.assert_allclose(frames[0], gan.generate(model, z_a)[0], atol=1e-5)
    np.testing.assert_allclose(frames[-1], gan.generate(model, z_b)[0], atol=1e-5)


def test_spherical_interpolation_keeps_a_typical_radius_where_the_line_dips():
    z_a, z_b = gan.latent_from_seed(1), gan.latent_from_seed(2)
    line = np.linalg.norm(gan.interpolation_path(z_a, z_b, 9, "linear"), axis=1)
    arc = np.linalg.norm(gan.interpolation_path(z_a, z_b, 9, "spherical"), axis=1)
    assert line[4] < 0.85 * (line[0] + line[-1]) / 2  # about 1/sqrt(2) of the ends' radius
    np.testing.assert_allclose(arc, np.linspace(arc[0], arc[-1], 9), rtol=1e-5)
    same = gan.interpolation_path(z_a, z_a, 4, "spherical")  # parallel: no circle, no NaN
    assert np.isfinite(same).all() and np.allclose(same, z_a)


@pytest.mark.parametrize(
    ("steps", "expected", "note"),
    [(1, 2, "changed to 2"), (10_000, 64, "changed to 64"), ("", 10, "using 10"), (12, 12, ""), ("5", 5, "")],
)
def test_step_counts_are_brought_into_range_with_a_note(steps, expected, note):
    count, message = gan.clamp_steps(steps)
    assert count == expected and note in message and bool(message) == bool(note)


def test_interpolation_with_out_of_range_steps_is_clamped(model):
    z_a, z_b = gan.latent_from_seed(1), gan.latent_from_seed(2)
    assert len(gan.interpolate(model, z_a, z_b, 1)) == 2
    assert len(gan.interpolate(model, z_a, z_b, 10_000)) == 64


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: gan.latent_from_seed("seven"), "'seven' is not a number"),
        (lambda m: gan.latent_from_seed(""), "enter a whole number"),
        (lambda m: gan.latent_from_seed(None), "enter a whole number"),
        (lambda m: gan.latent_from_seed(-1), "out of range"),
        (lambda m: gan.latent_from_seed(1.5), "whole number"),
        (lambda m: gan.sample(m, 0, 1), "out of range"),
        (lambda m: gan.sample(m, "many", 1), "not a number"),
        (lambda m: gan.clamp_steps("ten"), "'ten' is not a number"),
        (lambda m: gan.clamp_steps("nan"), "whole number"),
        (lambda m: gan.interpolate(m, [1.0, 2.0], gan.latent_from_seed(1)), "have 100 numbers"),
        (lambda m: gan.interpolate(m, gan.latent_from_seed(1), gan.latent_from_seed(2), 5, "curly"), "curly"),
        (lambda m: gan.generate(m, [float("nan")] * 100), "finite"),
        (lambda m: gan.latent_from_reference(m, "3:x"), "'x' is not a number"),
        (lambda m: gan.nudge(gan.latent_from_seed(1), {100: 1.0}), "out of range"),
    ],
)
def test_bad_interaction_input_is_refused_with_a_message(model, call, message):
    with pytest.raises(gan.LatentInputError, match=message):
        call(model)


def test_nudging_sets_one_dimension_within_the_slider_range():
    z = gan.latent_from_seed(3)
    moved = gan.nudge(z, {0: 2.5, 1: 99.0})
    assert moved[0] == 2.5 and moved[1] == gan.NUDGE_RANGE[1]
    assert np.array_equal(moved[2:], z[2:]) and z[0] != 2.5  # a copy; the input is untouched


def test_a_dimension_sweep_changes_the_image(model):
    frames = gan.dimension_sweep(model, gan.latent_from_seed(3), 0, steps=5)
    assert frames.shape == (5, 28, 28) and not np.allclose(frames[0], frames[-1])


def test_the_strip_exports_as_png_and_the_animation_as_a_looping_gif(model):
    frames = gan.interpolate(model, gan.latent_from_seed(1), gan.latent_from_seed(2), 6)
    with Image.open(io.BytesIO(gan.strip_png(frames, scale=2))) as strip:
        assert strip.format == "PNG" and strip.size == (2 * (6 * 29 + 1), 2 * 30)
    with Image.open(io.BytesIO(gan.animation_gif(frames))) as animation:
        assert animation.format == "GIF" and animation.n_frames == 10  # forth and back


# --- the collapse watch and the timeline --------------------------------------------------------


def test_a_discriminator_at_zero_loss_for_long_is_named():
    watch = gan.CollapseWatch()
    for step in range(gan.D_WON_STEPS - 1):
        watch.step(step, 0.001)
    assert watch.warning == ""  # not for long enough yet
    watch.step(gan.D_WON_STEPS, 0.001)
    assert "discriminator has won" in watch.warning
    for step in range(gan.D_WON_STEPS):
        watch.step(step, 1.3)
    assert watch.warning == ""  # it recovered


def test_mode_collapse_is_named_after_two_probes_in_a_row_past_the_warm_up():
    alike = {"diversity": 0.1, "class_entropy": 0.2, "class_counts": [0, 95, 0, 0, 0, 0, 0, 5, 0, 0]}
    healthy = {"diversity": 0.9, "class_entropy": 0.98, "class_counts": [10] * 10}
    watch = gan.CollapseWatch()
    watch.probe(100, alike)
    watch.probe(200, alike)
    assert watch.warning == ""  # an untrained generator draws look-alikes: not collapse
    watch.probe(gan.WARM_UP_STEPS, alike)
    assert watch.warning == ""
    watch.probe(gan.WARM_UP_STEPS + 100, alike)
    assert watch.warning.startswith("Mode collapse") and "95% of them read as 1 " in watch.warning
    watch.probe(gan.WARM_UP_STEPS + 200, healthy)
    assert watch.warning == ""
    assert gan.collapse_verdict(alike, {"training": {"steps": 1000}}).startswith("Mode collapse")
    assert gan.collapse_verdict(alike, {"training": {"steps": 10}}) is None  # stopped too soon
    assert gan.collapse_verdict(healthy, {"training": {"steps": 1000}}) is None


def test_the_timeline_stays_short_and_spread_from_first_step_to_last():
    timeline = gan.Timeline()
    frame = np.zeros((gan.GRID_SIZE, 28, 28), dtype=np.float32)
    for step in range(0, 5001):
        if timeline.due(step):
            timeline.add(step, step / 100, frame)
    timeline.add(5001, 50.0, frame)
    assert timeline.steps[0] == 0 and timeline.steps[-1] == 5001
    assert len(timeline.steps) <= gan.MAX_SNAPSHOTS + 1
    gaps = np.diff(timeline.steps[:-1])
    assert len(set(gaps)) == 1  # evenly spread
    assert timeline.tensor().shape == (len(timeline.steps), gan.GRID_SIZE, 28, 28)


# --- training ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_short_training_streams_both_players_grids_and_quality(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"epochs": 1}, data_dir=data_dir, max_steps=gan.PROBE_EVERY)
    assert job.wait(300)
    assert job.state == "finished", job.message
    events = job.events_since(0)
    steps = [e for e in events if isinstance(e, Progress)]
    assert len(steps) == gan.PROBE_EVERY
    assert {"loss", "d_loss", "g_loss", "d_real", "d_fake"} <= set(steps[0].metrics)
    assert all(0 <= e.metrics["d_real"] <= 1 and 0 <= e.metrics["d_fake"] <= 1 for e in steps)
    assert "r1" in steps[gan.R1_EVERY - 1].metrics and "r1" not in steps[0].metrics  # lazy R1
    assert {"confident_share", "class_entropy", "diversity"} <= set(steps[-1].metrics)  # the probe
    grids = [e for e in events if isinstance(e, Samples)]
    assert grids[0].step == 0 and grids[-1].step == gan.PROBE_EVERY  # the start, then the end
    assert grids[0].images.shape == (1, 8 * 29 + 1, 8 * 29 + 1)

    reloaded = LAB.load(job.checkpoint_dir)
    timeline = gan.training_timeline(reloaded)
    assert [step for step, _ in timeline] == [0, 50, 100]
    assert timeline[-1][1].shape == (gan.GRID_SIZE, 28, 28)
    metrics = reloaded.metrics
    assert metrics["stopped_by"] == "step limit" and metrics["steps"] == gan.PROBE_EVERY
    assert {"confident_share", "class_entropy", "class_counts", "diversity", "collapse"} <= set(metrics)
    assert metrics["collapse"] is None  # too early to judge
    np.testing.assert_allclose(
        gan.sample(reloaded, 4, 1), gan.sample(TrainedModel("gan", job.result.model, job.result.config), 4, 1)
    )
    evaluation = LAB.evaluate(reloaded)
    assert evaluation["confident_share"] == pytest.approx(metrics["confident_share"])


def test_fashion_mnist_out_of_reach_fails_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("DLL_OFFLINE", "1")
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"dataset": "fashion-mnist"}, data_dir=str(tmp_path))
    assert job.wait(60)
    assert job.state == "failed"
    assert "FashionMNIST is not in" in job.message and "DLL_DATA_DIR" in job.message


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


def test_cli_sample_writes_an_array_in_the_unit_range(capsys, tmp_path, checkpoint):
    out_file = tmp_path / "s.npy"
    code, out, err = run(
        capsys,
        "sample",
        "gan",
        "--n",
        "12",
        "--seed",
        "3",
        "--out",
        str(out_file),
        "--checkpoint",
        checkpoint,
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["shape"] == [12, 28, 28] and summary["seed"] == 3
    images = np.load(out_file)
    assert images.shape == (12, 28, 28) and images.min() >= 0 and images.max() <= 1
    code, _, _ = run(
        capsys, "sample", "gan", "--n", "12", "--out", str(tmp_path / "g.png"), "--checkpoint", checkpoint
    )
    with Image.open(tmp_path / "g.png") as grid:
        assert code == 0 and grid.size == (2 * (8 * 29 + 1), 2 * (2 * 29 + 1))


@pytest.mark.parametrize("suffix", ["png", "gif", "npy"])
def test_cli_interpolate_between_seeds_or_grid_samples(capsys, tmp_path, checkpoint, suffix):
    out_file = tmp_path / f"path.{suffix}"
    code, out, err = run(
        capsys,
        "interpolate",
        "gan",
        "--from",
        "3",
        "--to",
        "5:2",
        "--steps",
        "7",
        "--mode",
        "spherical",
        "--out",
        str(out_file),
        "--checkpoint",
        checkpoint,
    )
    assert code == 0, err
    assert json.loads(out)["steps"] == 7 and out_file.stat().st_size > 0


def test_cli_interpolate_clamps_the_steps_and_says_so(capsys, tmp_path, checkpoint):
    out_file = tmp_path / "frames.npy"
    code, out, err = run(
        capsys,
        "interpolate",
        "gan",
        "--from",
        "1",
        "--to",
        "2",
        "--steps",
        "10000",
        "--out",
        str(out_file),
        "--checkpoint",
        checkpoint,
    )
    assert code == 0 and "changed to 64" in err and json.loads(out)["steps"] == 64
    assert np.load(out_file).shape == (64, 28, 28)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sample", "gan", "--n", "0", "--out", "x.npy"], "out of range"),
        (["sample", "gan", "--n", "100000", "--out", "x.npy"], "out of range"),
        (["sample", "gan", "--seed", "lucky", "--out", "x.npy"], "'lucky' is not a number"),
        (["sample", "gan", "--seed", "", "--out", "x.npy"], "enter a whole number"),
        (["sample", "gan", "--out", "x.jpg"], "must end in .npy or .png"),
        (["interpolate", "gan", "--from", "one", "--to", "2", "--out", "x.png"], "'one' is not a number"),
        (
            ["interpolate", "gan", "--from", "1", "--to", "2", "--steps", "many", "--out", "x.png"],
            "not a number",
        ),
        (["interpolate", "gan", "--from", "1", "--to", "2", "--out", "x.pdf"], "must end in"),
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
