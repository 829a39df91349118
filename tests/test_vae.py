"""The VAE lab end to end: the bundled model, the latent-space tools and their bad input,
the interactions, training through the runner, and the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from helpers import photo_file, photo_png
from PIL import Image, ImageDraw

from core import training
from core.cli import main
from core.data import training_data
from core.imaging import ImageInputError, canvas_to_gray, read_upload, to_mnist_frame
from core.labs.base import TrainedModel
from core.labs.vae import interactions, latent
from core.labs.vae.model import build_vae
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("vae")


def encode_pad(trained: TrainedModel, pad: np.ndarray) -> latent.Encoding:
    """A drawing pad's pixels encoded as every front passes them (grey, then an MNIST frame)."""
    return latent.encode(trained, to_mnist_frame(canvas_to_gray(pad)))


def encode_photo(trained: TrainedModel, data: bytes) -> latent.Encoding:
    return latent.encode(trained, to_mnist_frame(read_upload(data)))


def pad_with(points, width=16, size=200) -> np.ndarray:
    image = Image.new("RGBA", (size, size), "black")
    ImageDraw.Draw(image).line(points, fill="white", width=width, joint="curve")
    return np.asarray(image)


ONE = [(100, 20), (100, 180)]
ZERO = [(60, 30), (140, 30), (140, 170), (60, 170), (60, 30)]


def untrained(latent_dim: int, architecture: str = "mlp") -> TrainedModel:
    torch.manual_seed(0)
    model = build_vae(architecture, latent_dim).eval()
    config = {"lab": "vae", "architecture": architecture, "latent_dim": latent_dim}
    return TrainedModel("vae", model, config)


@pytest.fixture(scope="module")
def bundled() -> TrainedModel:
    return LAB.load_bundled()


def test_the_bundled_model_is_the_default_2d_recipe_and_says_where_its_data_came_from(bundled):
    defaults = LAB.spec.defaults()
    assert bundled.origin == "bundled" and latent.latent_size(bundled) == 2
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
    latent_map = latent.latent_map(bundled, training_data(bundled.config, data_dir))
    assert latent_map.means.shape == (3604, 2) and latent_map.labels.shape == (3604,)
    assert latent_map.classes == tuple(str(d) for d in range(10))
    centres = np.stack([latent_map.means[latent_map.labels == d].mean(0) for d in range(10)])
    assert np.linalg.norm(centres[0] - centres[1]) > 1.0  # 0s and 1s sit far apart
    for points, digit in ((ONE, 1), (ZERO, 0)):
        code = encode_pad(bundled, pad_with(points)).means[0]
        distances = np.linalg.norm(centres - code, axis=1)
        assert distances[digit] < distances[1 - digit], f"a drawn {digit} lands nearer the other digit"


def test_encode_and_reconstruct_a_held_out_digit(bundled, data_dir):
    data = training_data(bundled.config, data_dir)
    frames = data.test_images[:8].numpy() / 255.0
    encoding = latent.encode(bundled, frames)
    assert encoding.means.shape == (8, 2) and encoding.log_variances.shape == (8, 2)
    assert encoding.reconstructions.shape == (8, 28, 28)
    assert encoding.reconstructions.min() >= 0 and encoding.reconstructions.max() <= 1
    # The reconstruction looks like its own digit more than like the others.
    similarity = np.corrcoef(encoding.reconstructions.reshape(8, -1), frames.reshape(8, -1))[:8, 8:]
    assert (similarity.argmax(axis=1) == np.arange(8)).mean() >= 0.75
    assert json.dumps(encoding.to_dicts())


def test_decode_and_the_manifold_grid(bundled):
    image = latent.decode(bundled, [0.5, -1.0])
    assert image.shape == (1, 28, 28) and image.min() >= 0 and image.max() <= 1
    grid = latent.manifold(bundled, -3, 3, 20)
    assert grid.images.shape == (20, 20, 28, 28) and grid.n == 20
    # Columns go left to right along z1, rows top to bottom along z2 (up is positive).
    np.testing.assert_allclose(grid.images[0, 0], latent.decode(bundled, [-3.0, 3.0])[0], atol=1e-6)
    np.testing.assert_allclose(grid.images[-1, -1], latent.decode(bundled, [3.0, -3.0])[0], atol=1e-6)
    path = latent.interpolate(bundled, [-2.0, 0.0], [2.0, 1.0], 5)
    assert path.z.shape == (5, 2) and path.images.shape == (5, 28, 28)
    np.testing.assert_allclose(path.z[2], [0.0, 0.5])


def test_larger_latents_traverse_one_dimension_and_grid_any_two():
    trained = untrained(8)
    grid = latent.manifold(trained, -2, 2, 4, dims=(2, 5))
    assert grid.images.shape == (4, 4, 28, 28) and grid.dims == (2, 5)
    base = np.linspace(-1, 1, 8)
    path = latent.traverse(trained, base, 3, -2, 2, 5)
    assert path.images.shape == (5, 28, 28)
    np.testing.assert_allclose(path.z[:, 3], np.linspace(-2, 2, 5))
    np.testing.assert_allclose(np.delete(path.z, 3, axis=1), np.tile(np.delete(base, 3), (5, 1)), atol=1e-6)


@pytest.mark.parametrize("architecture", ["mlp", "conv"])
def test_every_architecture_maps_pixels_to_codes_and_back(architecture):
    model = build_vae(architecture, 3)
    logits, mean, log_variance = model(torch.rand(4, 1, 28, 28))
    assert logits.shape == (4, 1, 28, 28) and mean.shape == log_variance.shape == (4, 3)


def test_the_course_model_has_the_course_layers():
    layers = [m for m in build_vae("mlp", 2).modules() if isinstance(m, torch.nn.Linear)]
    shapes = [(layer.in_features, layer.out_features) for layer in layers]
    # The course's MLP; the default recipe adds only dropout (no weights) to the same layers.
    assert shapes == [(784, 400), (400, 200), (200, 2), (200, 2), (2, 200), (200, 400), (400, 784)]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: latent.decode(t, [0.5]), "have 2 numbers, got 1"),
        (lambda t: latent.decode(t, [0.5, -1, 2]), "have 2 numbers, got 3"),
        (lambda t: latent.decode(t, ["a", "b"]), "list of numbers"),
        (lambda t: latent.decode(t, [float("nan"), 0]), "finite"),
        (lambda t: latent.decode(t, [1e9, 0]), "within ±10"),
        (lambda t: latent.manifold(t, 0, 0, 10), "range is empty"),
        (lambda t: latent.manifold(t, 2, -2, 10), "range is empty"),
        (lambda t: latent.manifold(t, -1e9, 1e9, 10), "within ±10"),
        (lambda t: latent.manifold(t, -3, 3, 1), "from 2 to 20"),
        (lambda t: latent.manifold(t, -3, 3, 21), "from 2 to 20"),
        (lambda t: latent.manifold(t, -3, 3, 2.5), "whole number"),
        (lambda t: latent.manifold(t, -3, 3, 10, dims=(0, 0)), "two different dimensions"),
        (lambda t: latent.interpolate(t, [0, 0], [1, 1], 1), "from 2 to 50"),
        (lambda t: latent.interpolate(t, [0, 0], [1, 1], 10_000), "from 2 to 50"),
        (lambda t: latent.traverse(t, [0, 0], 2, -3, 3, 5), "dimension must be"),
        (lambda t: latent.parse_latent("0.5,abc", 2), "'abc' is not a number"),
        (lambda t: latent.parse_latent("0.5", 2), "have 2 numbers, got 1"),
    ],
)
def test_bad_latent_input_is_refused_with_a_message(call, message):
    with pytest.raises(latent.LatentInputError, match=message):
        call(untrained(2))


def test_empty_drawings_are_refused():
    with pytest.raises(ImageInputError, match="blank"):
        encode_pad(untrained(2), np.zeros((200, 200, 4), dtype=np.uint8))
    with pytest.raises(ImageInputError, match="28x28"):
        latent.encode(untrained(2), np.zeros((0, 28, 28)))


def test_posterior_collapse_is_named():
    assert "Posterior collapse" in latent.collapse_warning({"heldout_kl": 0.02})
    assert latent.collapse_warning({"heldout_kl": 6.5}) == ""


def test_the_cosine_schedule_warms_up_and_ends_at_zero():
    peak = 2e-3
    assert training.learning_rate_at(0.0, peak, "cosine") == 0.0
    assert training.learning_rate_at(training.WARM_UP, peak, "cosine") == pytest.approx(peak)
    assert training.learning_rate_at(1.0, peak, "cosine") == pytest.approx(0.0, abs=1e-12)
    assert training.learning_rate_at(0.5, peak, "constant") == peak


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
    assert latent.latent_size(reloaded) == 4 and reloaded.metrics["stopped_by"] == "step limit"
    assert reloaded.metrics["heldout_neg_elbo"] == pytest.approx(
        reloaded.metrics["heldout_reconstruction"] + reloaded.metrics["heldout_kl"]
    )


# --- the interactions (what every front shows) ---------------------------------------------


def test_the_model_is_named_by_its_latent_and_a_collapse_is_flagged_in_its_headline(bundled):
    assert LAB.model_name(bundled) == "mlp, 2-D latent"
    assert "Posterior collapse" not in LAB.headline(bundled.metrics)
    collapsed = bundled.metrics | {"heldout_kl": 0.02}
    assert "Posterior collapse" in LAB.headline(collapsed)
    assert "Posterior collapse" not in LAB.model_card(bundled.config, collapsed)


def test_the_latent_map_decodes_a_point_and_marks_it(bundled, data_dir):
    answer = LAB.interaction("latent-map")(bundled, {"x": 1.5, "y": -0.5})
    np.testing.assert_allclose(answer["decoded"], latent.decode(bundled, [1.5, -0.5])[0], atol=1e-6)
    assert answer["note"].startswith("Decoded from z = (1.50, -0.50).")
    assert "3,604 held-out digits" in answer["note"]
    dots, point = answer["map"].data[:10], answer["map"].data[-1]
    assert sum(len(trace.x) for trace in dots) == 3604 and point.name == "decoded point"
    assert latent.heldout_map(bundled) is latent.heldout_map(bundled)  # encoded once per model
    assert latent.heldout_map(bundled).images.shape == (3604, 28, 28)  # a clicked dot's digit


def test_a_larger_latent_puts_any_two_dimensions_on_the_map_and_the_grid(data_dir):
    trained = untrained(4)
    trained.config["params"] = {"dataset": "mnist"}
    answer = LAB.interaction("latent-map")(trained, {"x": 1.0, "y": 2.0, "x_dim": 3, "y_dim": 1})
    assert answer["note"].startswith("Decoded from z = (2.00, 0.00, 1.00, 0.00).")
    assert "stay at 0" in answer["note"]
    assert answer["map"].layout.xaxis.title.text == "z3" and answer["map"].layout.yaxis.title.text == "z1"
    grid = LAB.interaction("manifold")(trained, {"n": 3, "x_dim": 2, "y_dim": 4})
    assert (
        grid["caption"].startswith("z2 from -3 (left)") and "the other 2 dimensions at 0" in grid["caption"]
    )


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("latent-map", {"x_dim": 3}, "pick axes from z1 to z2"),
        ("latent-map", {"x_dim": 2, "y_dim": 2}, "two different dimensions"),
        ("latent-map", {"x": 11}, "out of range"),
        ("manifold", {"low": 1, "high": 1}, "range is empty"),
        ("manifold", {"n": 21}, "out of range"),
        ("decode", {"z": "0.5"}, "have 2 numbers, got 1"),
        ("decode", {"z": "0.5, north"}, "'north' is not a number"),
        ("decode", {"z": "1e9, 0"}, "within ±10"),
        ("decode", {"z": " ; "}, "type a code of 2 numbers"),
        ("decode", {"z": "0, 0\n" * 101}, "at most 100 codes"),
        ("traverse", {"dim": 3}, "pick a dimension from z1 to z2"),
        ("traverse", {"base": "0, 0; 1, 1"}, "one code, not several"),
        ("traverse", {"base": "1, 2, 3"}, "have 2 numbers, got 3"),
    ],
)
def test_bad_interaction_input_is_a_user_error(bundled, name, values, message):
    with pytest.raises(SpecError, match=message):
        LAB.interaction(name)(bundled, values)


def test_decode_draws_several_codes_side_by_side(bundled):
    answer = LAB.interaction("decode")(bundled, {"z": "0.5, -1\n-1 0.5; 0,0"})
    assert answer["z"] == [[0.5, -1.0], [-1.0, 0.5], [0.0, 0.0]]
    assert [caption for _, caption in answer["decoded"]][1] == "z = (-1.00, 0.50)"
    np.testing.assert_allclose(answer["decoded"][0][0], latent.decode(bundled, [0.5, -1.0])[0], atol=1e-6)


def test_traverse_holds_the_other_dimensions_at_a_given_code():
    answer = LAB.interaction("traverse")(
        untrained(3), {"dim": 2, "low": -1, "high": 1, "steps": 3, "base": "0.5 0 -2"}
    )
    assert answer["z"] == [[0.5, -1.0, -2.0], [0.5, 0.0, -2.0], [0.5, 1.0, -2.0]]
    assert [caption for _, caption in answer["frames"]] == ["z2 = -1.00", "z2 = 0.00", "z2 = 1.00"]
    assert "fixed at (0.50, 0.00, -2.00)" in answer["caption"]


def test_encode_and_interpolate_draw_on_the_map_and_name_a_blank_end(bundled):
    one, zero = (canvas_to_gray(pad_with(points)) for points in (ONE, ZERO))
    encoded = LAB.interaction("encode")(bundled, {"image": one})
    np.testing.assert_allclose(encoded["mean"], encode_pad(bundled, pad_with(ONE)).means[0], atol=1e-4)
    assert encoded["code"].startswith("Code (mean ± σ): ") and encoded["map"].data[-1].name == "your digit"
    path = LAB.interaction("interpolate")(bundled, {"start": one, "end": zero, "steps": 4})
    assert len(path["z"]) == 4 and path["map"].data[-1].name == "path"
    np.testing.assert_allclose(path["z"][0], encoded["mean"], atol=1e-3)
    with pytest.raises(ImageInputError, match=r"The end digit: .*blank"):
        LAB.interaction("interpolate")(bundled, {"start": one, "end": np.zeros((50, 50))})


def test_without_the_held_out_digits_encode_still_answers_and_says_why_there_is_no_map(bundled, monkeypatch):
    from core.data import DataUnavailableError

    def unavailable(trained):
        raise DataUnavailableError("MNIST is not here")

    monkeypatch.setattr(interactions, "heldout_map", unavailable)
    one = canvas_to_gray(pad_with(ONE))
    answer = LAB.interaction("encode")(bundled, {"image": one})
    assert "map" not in answer and "MNIST is not here" in answer["note"] and len(answer["mean"]) == 2
    with pytest.raises(DataUnavailableError):
        LAB.interaction("latent-map")(bundled, {})


def test_the_streamlit_map_reads_a_click_and_a_box():
    from app_pages.panels.vae import selected_point

    click = {"selection": {"points": [{"x": 1.25, "y": -0.5, "customdata": 17}], "box": []}}
    box = {"selection": {"points": [], "box": [{"x": [0.0, 2.0], "y": [-1.0, 0.0]}]}}
    assert selected_point(type("Event", (), click)) == (1.25, -0.5, 17)
    assert selected_point(
        type("Event", (), {"selection": {"points": [{"x": 1, "y": 2, "customdata": [5]}]}})
    ) == (1.0, 2.0, 5)
    assert selected_point(type("Event", (), box)) == (1.0, -0.5, None)
    assert selected_point(type("Event", (), {"selection": {"points": [], "box": []}})) is None


# --- command line: python -m core vae INTERACTION ---------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def digit_png(path, points):
    return str(photo_file(path, points, paper=235, ink=20))  # dark ink on light paper


def test_cli_encode_gives_one_code_per_image(capsys, tmp_path):
    one = digit_png(tmp_path / "one.png", ONE)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    code, out, _ = run(capsys, "vae", "encode", one, str(broken), "--json")
    first, second = (json.loads(line) for line in out.strip().splitlines())
    assert first["file"] == one and len(first["mean"]) == 2 and len(first["log_variance"]) == 2
    assert first["model"] == "mlp, 2-D latent" and first["origin"] == "bundled"
    assert "not a readable" in second["error"]
    assert code == 1  # one file failed


def test_cli_decode_writes_a_png_and_an_npy(capsys, tmp_path):
    out_file = tmp_path / "digit.png"
    code, out, err = run(capsys, "vae", "decode", "0.5,-1; -1, 0.5", "--out", str(out_file), "--json")
    assert code == 0, err
    assert json.loads(out)["z"] == [[0.5, -1.0], [-1.0, 0.5]]
    with Image.open(out_file) as image:
        assert image.size == (2 * 28 + 3, 28 + 2)  # a row of two, with a 1-pixel border
    code, _, err = run(capsys, "vae", "decode", "-1, 0.5", "--out", str(tmp_path / "d.npy"))
    assert code == 0, err  # a code starting with a minus, written with a space
    assert np.load(tmp_path / "d.npy").shape == (1, 28, 28)


def test_cli_manifold_traverse_and_interpolate(capsys, tmp_path):
    code, out, err = run(
        capsys,
        "vae",
        "manifold",
        "--low",
        "-2",
        "--high",
        "2",
        "--n",
        "4",
        "--out",
        str(tmp_path / "g.png"),
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["values"] == pytest.approx([-2.0, -0.6667, 0.6667, 2.0])
    with Image.open(tmp_path / "g.png") as image:
        assert image.size == (4 * 29 + 1, 4 * 29 + 1)
    code, out, err = run(capsys, "vae", "traverse", "0.5, 0", "--dim", "2", "--steps", "5", "--json")
    assert code == 0, err
    assert [z[0] for z in json.loads(out)["z"]] == [0.5] * 5
    ends = [digit_png(tmp_path / "a.png", ONE), digit_png(tmp_path / "b.png", ZERO)]
    code, out, err = run(
        capsys, "vae", "interpolate", *ends, "--steps", "5", "--out", str(tmp_path / "s.npy"), "--json"
    )
    assert code == 0, err
    assert len(json.loads(out)["z"]) == 5
    assert np.load(tmp_path / "s.npy").shape == (5, 28, 28)
    code, _, err = run(capsys, "vae", "interpolate", *ends, "--steps", "5", "--out", str(tmp_path / "s.png"))
    with Image.open(tmp_path / "s.png") as image:
        assert image.size == (5 * 29 + 1, 30)  # one strip


def test_cli_evaluate_reports_the_elbo_terms(capsys, data_dir):
    code, out, _ = run(capsys, "evaluate", "vae", "--data-dir", data_dir, "--json")
    result = json.loads(out)
    assert code == 0 and result["lab"] == "vae"
    assert {"heldout_neg_elbo", "heldout_reconstruction", "heldout_kl", "heldout_size"} <= set(result)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["vae", "decode", "0.5", "--out", "x.png"], "have 2 numbers, got 1"),
        (["vae", "decode", "0.5,north", "--out", "x.png"], "'north' is not a number"),
        (["vae", "decode", "1e9,0", "--out", "x.png"], "within ±10"),
        (["vae", "manifold", "--low", "0", "--high", "0", "--out", "x.png"], "range is empty"),
        (["vae", "manifold", "--low=-1e9", "--high", "1e9", "--out", "x.png"], "out of range"),
        (["vae", "manifold", "--n", "21", "--out", "x.png"], "out of range"),
        (["vae", "latent-map", "--x-dim", "3"], "pick axes from z1 to z2"),
        (["train", "vae", "--set", "latent_dim=1"], "out of range"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_code_two(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_cli_interpolate_names_a_missing_image_and_refuses_an_empty_one(capsys, tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    ink = digit_png(tmp_path / "a.png", ONE)
    code, out, _ = run(capsys, "vae", "interpolate", ink, str(blank), "--out", str(tmp_path / "s.png"))
    assert code == 1 and "No digit found" in out
    for ends in (("missing-a.png", ink), (ink, "missing-b.png")):
        code, out, _ = run(capsys, "vae", "interpolate", *ends, "--out", str(tmp_path / "s.png"))
        assert code == 1 and "missing-" in out and "No such file" in out and "Traceback" not in out


def png_bytes(points) -> bytes:
    return photo_png(points, paper=235, ink=20)


def test_an_uploaded_photo_is_encoded_like_a_drawing(bundled):
    photo = encode_photo(bundled, png_bytes(ONE)).means[0]
    drawing = encode_pad(bundled, pad_with(ONE)).means[0]
    assert np.linalg.norm(photo - drawing) < 0.5
