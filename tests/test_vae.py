"""The VAE lab end to end: the bundled model, the interactions and their bad input, training
through the runner, and the command line."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from core.cli import main
from core.imaging import ImageInputError
from core.labs import vae
from core.labs.base import TrainedModel
from core.registry import get_lab
from core.runner import TrainingRunner

LAB = get_lab("vae")


def pad_with(points, width=16, size=200) -> np.ndarray:
    image = Image.new("RGBA", (size, size), "black")
    ImageDraw.Draw(image).line(points, fill="white", width=width, joint="curve")
    return np.asarray(image)


ONE = [(100, 20), (100, 180)]
ZERO = [(60, 30), (140, 30), (140, 170), (60, 170), (60, 30)]


def untrained(latent_dim: int, architecture: str = "mlp") -> TrainedModel:
    torch.manual_seed(0)
    model = vae.build_vae(architecture, latent_dim).eval()
    config = {"lab": "vae", "architecture": architecture, "latent_dim": latent_dim}
    return TrainedModel("vae", model, config)


@pytest.fixture(scope="module")
def bundled() -> TrainedModel:
    return LAB.load_bundled()


def test_the_bundled_model_is_the_default_2d_recipe_and_says_where_its_data_came_from(bundled):
    defaults = LAB.spec.defaults()
    assert bundled.origin == "bundled" and vae.latent_size(bundled) == 2
    assert bundled.config["architecture"] == defaults["architecture"]
    assert bundled.config["params"] == defaults
    assert "MNIST, 12,000 train / 3,604 held-out" in bundled.data_source
    metrics = bundled.metrics
    assert metrics["heldout_neg_elbo"] == pytest.approx(
        metrics["heldout_reconstruction"] + metrics["heldout_kl"]
    )
    assert metrics["heldout_neg_elbo"] < 150  # the course recipe: about 153-155 after 45 s here
    assert "held-out −ELBO" in LAB.headline(metrics)


def test_evaluation_reproduces_the_recorded_held_out_elbo(bundled, data_dir):
    metrics = LAB.evaluate(bundled, data_dir)
    assert metrics["heldout_size"] == 3604 and metrics["units"] == "nats per image"
    assert metrics["heldout_neg_elbo"] == pytest.approx(bundled.metrics["heldout_neg_elbo"], abs=1e-3)
    assert metrics["heldout_elbo"] == -metrics["heldout_neg_elbo"]
    assert metrics["heldout_kl"] > 0 and metrics["heldout_reconstruction"] > 0


def test_the_latent_map_separates_the_digits_and_a_drawing_lands_among_its_kind(bundled, data_dir):
    latent_map = vae.latent_map(bundled, vae.training_data(bundled.config, data_dir))
    assert latent_map.means.shape == (3604, 2) and latent_map.labels.shape == (3604,)
    assert latent_map.classes == tuple(str(d) for d in range(10))
    centres = np.stack([latent_map.means[latent_map.labels == d].mean(0) for d in range(10)])
    assert np.linalg.norm(centres[0] - centres[1]) > 1.0  # 0s and 1s sit far apart
    for points, digit in ((ONE, 1), (ZERO, 0)):
        code = vae.encode_drawing(bundled, pad_with(points)).means[0]
        distances = np.linalg.norm(centres - code, axis=1)
        assert distances[digit] < distances[1 - digit], f"a drawn {digit} lands nearer the other digit"


def test_encode_and_reconstruct_a_held_out_digit(bundled, data_dir):
    data = vae.training_data(bundled.config, data_dir)
    frames = data.test_images[:8].numpy() / 255.0
    encoding = vae.encode(bundled, frames)
    assert encoding.means.shape == (8, 2) and encoding.log_variances.shape == (8, 2)
    assert encoding.reconstructions.shape == (8, 28, 28)
    assert encoding.reconstructions.min() >= 0 and encoding.reconstructions.max() <= 1
    # The reconstruction looks like its own digit more than like the others.
    similarity = np.corrcoef(encoding.reconstructions.reshape(8, -1), frames.reshape(8, -1))[:8, 8:]
    assert (similarity.argmax(axis=1) == np.arange(8)).mean() >= 0.75
    assert json.dumps(encoding.to_dicts())


def test_decode_and_the_manifold_grid(bundled):
    image = vae.decode(bundled, [0.5, -1.0])
    assert image.shape == (1, 28, 28) and image.min() >= 0 and image.max() <= 1
    grid = vae.manifold(bundled, -3, 3, 20)
    assert grid.images.shape == (20, 20, 28, 28) and grid.n == 20
    # Columns go left to right along z1, rows top to bottom along z2 (up is positive).
    np.testing.assert_allclose(grid.images[0, 0], vae.decode(bundled, [-3.0, 3.0])[0], atol=1e-6)
    np.testing.assert_allclose(grid.images[-1, -1], vae.decode(bundled, [3.0, -3.0])[0], atol=1e-6)
    path = vae.interpolate(bundled, [-2.0, 0.0], [2.0, 1.0], 5)
    assert path.z.shape == (5, 2) and path.images.shape == (5, 28, 28)
    np.testing.assert_allclose(path.z[2], [0.0, 0.5])


def test_larger_latents_traverse_one_dimension_and_grid_any_two():
    trained = untrained(8)
    grid = vae.manifold(trained, -2, 2, 4, dims=(2, 5))
    assert grid.images.shape == (4, 4, 28, 28) and grid.dims == (2, 5)
    base = np.linspace(-1, 1, 8)
    path = vae.traverse(trained, base, 3, -2, 2, 5)
    assert path.images.shape == (5, 28, 28)
    np.testing.assert_allclose(path.z[:, 3], np.linspace(-2, 2, 5))
    np.testing.assert_allclose(np.delete(path.z, 3, axis=1), np.tile(np.delete(base, 3), (5, 1)), atol=1e-6)


@pytest.mark.parametrize("architecture", ["mlp", "conv"])
def test_every_architecture_maps_pixels_to_codes_and_back(architecture):
    model = vae.build_vae(architecture, 3)
    logits, mean, log_variance = model(torch.rand(4, 1, 28, 28))
    assert logits.shape == (4, 1, 28, 28) and mean.shape == log_variance.shape == (4, 3)


def test_the_course_model_has_the_course_layers():
    layers = [m for m in vae.build_vae("mlp", 2).modules() if isinstance(m, torch.nn.Linear)]
    shapes = [(layer.in_features, layer.out_features) for layer in layers]
    # The course's MLP; the default recipe adds only dropout (no weights) to the same layers.
    assert shapes == [(784, 400), (400, 200), (200, 2), (200, 2), (2, 200), (200, 400), (400, 784)]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: vae.decode(t, [0.5]), "have 2 numbers, got 1"),
        (lambda t: vae.decode(t, [0.5, -1, 2]), "have 2 numbers, got 3"),
        (lambda t: vae.decode(t, ["a", "b"]), "list of numbers"),
        (lambda t: vae.decode(t, [float("nan"), 0]), "finite"),
        (lambda t: vae.decode(t, [1e9, 0]), "within ±10"),
        (lambda t: vae.manifold(t, 0, 0, 10), "range is empty"),
        (lambda t: vae.manifold(t, 2, -2, 10), "range is empty"),
        (lambda t: vae.manifold(t, -1e9, 1e9, 10), "within ±10"),
        (lambda t: vae.manifold(t, -3, 3, 1), "from 2 to 20"),
        (lambda t: vae.manifold(t, -3, 3, 21), "from 2 to 20"),
        (lambda t: vae.manifold(t, -3, 3, 2.5), "whole number"),
        (lambda t: vae.manifold(t, -3, 3, 10, dims=(0, 0)), "two different dimensions"),
        (lambda t: vae.interpolate(t, [0, 0], [1, 1], 1), "from 2 to 50"),
        (lambda t: vae.interpolate(t, [0, 0], [1, 1], 10_000), "from 2 to 50"),
        (lambda t: vae.traverse(t, [0, 0], 2, -3, 3, 5), "dimension must be"),
        (lambda t: vae.parse_latent("0.5,abc", 2), "'abc' is not a number"),
        (lambda t: vae.parse_latent("0.5", 2), "have 2 numbers, got 1"),
    ],
)
def test_bad_latent_input_is_refused_with_a_message(call, message):
    with pytest.raises(vae.LatentInputError, match=message):
        call(untrained(2))


def test_empty_drawings_are_refused():
    with pytest.raises(ImageInputError, match="blank"):
        vae.encode_drawing(untrained(2), np.zeros((200, 200, 4), dtype=np.uint8))
    with pytest.raises(ImageInputError, match="28x28"):
        vae.encode(untrained(2), np.zeros((0, 28, 28)))


def test_posterior_collapse_is_named():
    assert "Posterior collapse" in vae.collapse_warning({"heldout_kl": 0.02})
    assert vae.collapse_warning({"heldout_kl": 6.5}) == ""


def test_the_cosine_schedule_warms_up_and_ends_at_zero():
    peak = 2e-3
    assert vae.learning_rate_at(0.0, peak, "cosine") == 0.0
    assert vae.learning_rate_at(vae.WARM_UP, peak, "cosine") == pytest.approx(peak)
    assert vae.learning_rate_at(1.0, peak, "cosine") == pytest.approx(0.0, abs=1e-12)
    assert vae.learning_rate_at(0.5, peak, "constant") == peak


@pytest.mark.slow
def test_a_short_training_streams_both_loss_terms_and_reconstructions(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"epochs": 1, "latent_dim": 4}, data_dir=data_dir, max_steps=30)
    assert job.wait(300)
    assert job.state == "finished", job.message
    events = job.events_since(0)
    steps = [e for e in events if type(e).__name__ == "Progress"]
    assert {"loss", "reconstruction", "kl"} <= set(steps[0].metrics)
    assert steps[-1].metrics["loss"] < steps[0].metrics["loss"]  # it learns
    assert any("heldout_loss" in e.metrics for e in steps)  # live held-out checks
    (epoch,) = [e for e in events if type(e).__name__ == "EpochEnd"]
    assert {"train_loss", "train_kl", "heldout_loss", "heldout_reconstruction", "heldout_kl"} <= set(
        epoch.metrics
    )
    (samples,) = [e for e in events if type(e).__name__ == "Samples"]
    assert samples.images.shape == (10, 28, 57) and samples.captions[0] == "0: original | decoded"
    reloaded = LAB.load(job.checkpoint_dir)
    assert vae.latent_size(reloaded) == 4 and reloaded.metrics["stopped_by"] == "step limit"
    assert reloaded.metrics["heldout_neg_elbo"] == pytest.approx(
        reloaded.metrics["heldout_reconstruction"] + reloaded.metrics["heldout_kl"]
    )


# --- command line ----------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def digit_png(path, points):
    image = Image.new("L", (200, 200), 235)  # dark ink on light paper
    ImageDraw.Draw(image).line(points, fill=20, width=16)
    image.save(path)
    return str(path)


def test_cli_encode_gives_one_code_per_image(capsys, tmp_path):
    one = digit_png(tmp_path / "one.png", ONE)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    code, out, _ = run(capsys, "encode", "vae", one, str(broken), "--json")
    first, second = (json.loads(line) for line in out.strip().splitlines())
    assert len(first["mean"]) == 2 and len(first["log_variance"]) == 2
    assert "not a readable" in second["error"]
    assert code == 1  # one file failed


def test_cli_decode_writes_a_png(capsys, tmp_path):
    out_file = tmp_path / "digit.png"
    code, out, err = run(capsys, "decode", "vae", "--z", "0.5,-1", "--z", "-1,0.5", "--out", str(out_file))
    assert code == 0, err
    assert json.loads(out)["z"] == [[0.5, -1.0], [-1.0, 0.5]]
    with Image.open(out_file) as image:
        assert image.size == (2 * 28 + 3, 28 + 2)  # a row of two, with a 1-pixel border


def test_cli_manifold_and_interpolate(capsys, tmp_path):
    code, out, err = run(
        capsys, "manifold", "vae", "--low", "-2", "--high", "2", "--n", "4", "--out", str(tmp_path / "g.npy")
    )
    assert code == 0, err
    assert np.load(tmp_path / "g.npy").shape == (4, 4, 28, 28)
    ends = [digit_png(tmp_path / "a.png", ONE), digit_png(tmp_path / "b.png", ZERO)]
    code, out, err = run(
        capsys, "interpolate", "vae", *ends, "--steps", "5", "--out", str(tmp_path / "s.png")
    )
    assert code == 0, err
    assert len(json.loads(out)["z"]) == 5


def test_cli_evaluate_reports_the_elbo_terms(capsys, data_dir):
    code, out, _ = run(capsys, "evaluate", "vae", "--data-dir", data_dir, "--json")
    result = json.loads(out)
    assert code == 0 and result["lab"] == "vae"
    assert {"heldout_neg_elbo", "heldout_reconstruction", "heldout_kl", "heldout_size"} <= set(result)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["decode", "vae", "--z", "0.5", "--out", "x.png"], "have 2 numbers, got 1"),
        (["decode", "vae", "--z", "0.5,north", "--out", "x.png"], "'north' is not a number"),
        (["decode", "vae", "--z", "1e9,0", "--out", "x.png"], "within ±10"),
        (["decode", "vae", "--z", "0,0", "--out", "x.gif"], "must end in .png or .npy"),
        (["manifold", "vae", "--low", "0", "--high", "0", "--out", "x.png"], "range is empty"),
        (["manifold", "vae", "--low", "-1e9", "--high", "1e9", "--out", "x.png"], "within ±10"),
        (["manifold", "vae", "--n", "21", "--out", "x.png"], "from 2 to 20"),
        (["interpolate", "vae", "missing-a.png", "missing-b.png", "--out", "x.png"], "missing-a.png"),
        (["train", "vae", "--set", "latent_dim=1"], "out of range"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_code_two(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_cli_interpolate_names_an_empty_image(capsys, tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    ink = digit_png(tmp_path / "a.png", ONE)
    code, _, err = run(capsys, "interpolate", "vae", ink, str(blank), "--out", str(tmp_path / "s.png"))
    assert code == 2 and "blank.png" in err


def png_bytes(points) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("L", (200, 200), 235)
    ImageDraw.Draw(image).line(points, fill=20, width=16)
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_uploaded_photo_is_encoded_like_a_drawing(bundled):
    photo = vae.encode_upload(bundled, png_bytes(ONE)).means[0]
    drawing = vae.encode_drawing(bundled, pad_with(ONE)).means[0]
    assert np.linalg.norm(photo - drawing) < 0.5
