"""The look-at-data lab: what the explorer computes from the images alone (counts, the grid per
class, mean and spread, the maps and their cache, nearest neighbours), every bad input refused
with a message, the course's MLP trained through the runner with its mistakes on the map, the
bundled checkpoint, and the CLI (`python -m core look-at-data ...`)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core.cli import main
from core.imaging import ImageInputError, example_digit
from core.labs.look_at_data import explore
from core.labs.look_at_data.model import CourseMLP
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("look-at-data")


def ask(name: str, **inputs):
    """An interaction that needs no model, with these inputs."""
    return LAB.interaction(name)(None, inputs)


@pytest.fixture
def mnist(data_dir):
    return explore.images("mnist", "train")  # read once: explore keeps it


def test_the_course_mlp_has_its_layers_and_reads_both_shapes():
    model = CourseMLP().eval()
    sizes = [tuple(layer.weight.shape) for layer in (model.fc1, model.fc2, model.fc3, model.fc4)]
    assert sizes == [(256, 784), (128, 256), (64, 128), (10, 64)]
    images = torch.rand(3, 28, 28)
    torch.testing.assert_close(model(images), model(images[:, None]))


def test_counts_pixels_and_the_table_agree_with_the_data(mnist):
    result = ask("overview", dataset="mnist", split="train")
    counts = np.bincount(mnist.labels, minlength=10)
    assert list(result["counts"].data[0].y) == counts.tolist() and counts.sum() == 12_000
    assert [row["images"] for row in result["table"]] == counts.tolist()
    assert sum(result["pixels"].data[0].y) == 12_000 * 784  # every pixel counted once
    assert f"{mnist.pixels.mean():.3f}" in result["summary"] and "close to balanced" in result["summary"]
    ones = next(row for row in result["table"] if row["class"] == "1")
    eights = next(row for row in result["table"] if row["class"] == "8")
    assert ones["ink pixels (> 0.5)"] < eights["ink pixels (> 0.5)"]  # a 1 is a thin stroke


def test_the_grid_pages_through_one_class_and_refuses_a_page_too_far(mnist):
    first = ask("browse", dataset="mnist", split="train", label=3, page=1)
    second = ask("browse", dataset="mnist", split="train", label=3, page=2)
    numbers = [int(text[1:]) for _, text in first["grid"] + second["grid"]]
    assert len(numbers) == 80 and numbers == sorted(set(numbers))
    assert all(mnist.labels[n] == 3 for n in numbers)
    np.testing.assert_array_equal(first["grid"][0][0], mnist.image(numbers[0]))
    pages = -(-int((mnist.labels == 3).sum()) // 40)
    with pytest.raises(SpecError, match=f"has {pages} pages"):
        ask("browse", dataset="mnist", label=3, page=pages + 1)


def test_the_mean_image_is_the_average_and_a_one_is_less_spread_than_an_eight(mnist):
    result = ask("mean-images", dataset="mnist", split="train")
    sevens = mnist.pixels[mnist.labels == 7]
    np.testing.assert_allclose(result["means"][7][0], sevens.mean(0).reshape(28, 28), atol=1e-6)
    assert [name for _, name in result["means"]] == list(mnist.classes)
    spread = [float(image.mean()) for image, _ in result["spreads"]]
    assert spread[1] < spread[8]
    assert max(float(image.max()) for image, _ in result["spreads"]) == pytest.approx(1.0)


def test_the_pca_map_names_each_image_in_its_hover(mnist):
    result = ask("map", dataset="mnist", split="train", method="pca", points=500)
    traces = result["map"].data
    shown = sorted(n for trace in traces for n in trace.customdata)
    assert len(shown) == 500 and len(set(shown)) == 500
    for trace in traces:  # each trace is one class, and its points are images of that class
        assert {mnist.classes[mnist.labels[n]] for n in trace.customdata} == {trace.name}
        assert "image #%{customdata}" in trace.hovertemplate and trace.name in trace.hovertemplate
    # The two PCA coordinates of an image are its projection on the first two components.
    components = explore.pca("mnist", None)
    first = traces[0]
    expected = components.transform(mnist.pixels[[first.customdata[0]]])[0, :2]
    np.testing.assert_allclose([first.x[0], first.y[0]], expected, rtol=1e-4, atol=1e-4)
    assert "of their variance" in result["note"]


def test_t_sne_is_computed_once_then_read_from_the_cache(mnist, tmp_path, monkeypatch):
    monkeypatch.setenv("DLL_CACHE_DIR", str(tmp_path))
    first = ask("map", dataset="mnist", split="held-out", method="t-sne", points=200)
    assert "computed now in" in first["note"]
    cached = list((tmp_path / "look-at-data").glob("tsne-mnist-*-held-out-200-*.npy"))
    assert len(cached) == 1
    again = ask("map", dataset="mnist", split="held-out", method="t-sne", points=200)
    assert "read from the cache" in again["note"]
    assert [list(t.x) for t in again["map"].data] == [list(t.x) for t in first["map"].data]
    # t-SNE keeps neighbours together: an image's nearest point on its map is of its class far
    # more often than on PCA's.
    data = explore.images("mnist", "held-out")

    def same_class_as_nearest(method: str) -> float:
        found = explore.data_map(data, method, 200)
        gaps = ((found.xy[:, None] - found.xy[None]) ** 2).sum(-1) + np.eye(200) * 1e9
        labels = data.labels[found.rows]
        return float((labels[gaps.argmin(1)] == labels).mean())

    assert same_class_as_nearest("t-sne") > same_class_as_nearest("pca") + 0.2


def test_one_image_by_number_and_its_nearest_training_images(mnist):
    result = ask("image", dataset="mnist", split="train", index=5)
    np.testing.assert_array_equal(result["image"], mnist.image(5))
    captions = [text for _, text in result["neighbours"]]
    assert len(captions) == 8 and not any(text.startswith("#5:") for text in captions)  # not itself
    distances = [float(text.rsplit(" ", 1)[1]) for text in captions]
    assert distances == sorted(distances) and distances[0] > 0
    assert f"labelled **{mnist.classes[mnist.labels[5]]}**" in result["about"]


def test_the_nearest_neighbours_of_a_drawn_seven_are_mostly_sevens(mnist):
    result = ask("neighbours", image=example_digit(), dataset="mnist")
    labels = [text.split(": ")[1].split(",")[0] for _, text in result["neighbours"]]
    assert labels.count("7") >= 5
    assert result["seen"].shape == (28, 28)
    # The distances it reports are the true pixel distances to those images.
    index = int(result["neighbours"][0][1][1:].split(":")[0])
    distance = float(result["neighbours"][0][1].rsplit(" ", 1)[1])
    assert np.linalg.norm(mnist.pixels[index] - result["seen"].reshape(-1)) == pytest.approx(
        distance, abs=0.05
    )


def test_bad_inputs_get_a_message_a_student_understands(mnist):
    with pytest.raises(SpecError, match="numbered 0 to 3,603"):
        ask("image", dataset="mnist", split="held-out", index=5000)
    with pytest.raises(ImageInputError, match="blank"):
        ask("neighbours", image=np.zeros((100, 100)), dataset="mnist")
    with pytest.raises(SpecError, match="Class"):
        ask("browse", dataset="mnist", label=12)
    with pytest.raises(SpecError, match="Map"):
        ask("map", dataset="mnist", method="umap")
    with pytest.raises(SpecError, match="Split"):
        ask("overview", dataset="mnist", split="validation")


# --- the course's MLP, trained -----------------------------------------------------------------


@pytest.mark.slow
def test_a_short_training_learns_and_its_mistakes_are_on_the_map(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"epochs": 1, "batch_size": 128}, data_dir=data_dir, max_steps=60)
    job.wait()
    assert job.state == "finished", job.message
    trained = LAB.load(job.checkpoint_dir)
    assert trained.metrics["heldout_accuracy"] > 0.8
    result = LAB.interaction("mistakes")(trained, {"method": "pca", "points": 10_000})
    data = explore.images("mnist", "held-out")
    wrong = round((1 - LAB.evaluate(trained, data_dir)["heldout_accuracy"]) * len(data))
    marks = result["map"].data[-1]
    assert marks.name == "mistake" and len(marks.customdata) == wrong  # all 3,604 on the map
    index = marks.customdata[0]
    assert marks.text[0].startswith(f"is {data.classes[data.labels[index]]}, said ")
    assert f"{wrong:,} mistakes" in result["note"]
    sure = [float(text.rsplit("(", 1)[1].rstrip("%)")) for _, text in result["mistakes"]]
    assert sure == sorted(sure, reverse=True)


def test_the_bundled_model_and_its_evaluation():
    trained = LAB.load_bundled()
    assert trained.config["params"]["dataset"] == "mnist"
    assert trained.metrics["heldout_accuracy"] > 0.94
    assert "held-out accuracy" in LAB.headline(trained.metrics)


# --- command line --------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_explores_without_a_model_and_refuses_bad_input(capsys, data_dir):
    code, out, _ = run(capsys, "look-at-data", "overview", "--split", "held-out", "--json")
    assert code == 0 and sum(row["images"] for row in json.loads(out)["table"]) == 3604
    code, out, _ = run(capsys, "look-at-data", "map", "--points", "300", "--json")
    assert code == 0 and sum(len(trace["customdata"]) for trace in json.loads(out)["map"]) == 300
    code, _, err = run(capsys, "look-at-data", "image", "--split", "held-out", "--index", "4000")
    assert code == 2 and "numbered 0 to 3,603" in err
    code, out, _ = run(capsys, "evaluate", "look-at-data", "--data-dir", data_dir, "--json")
    assert code == 0 and set(json.loads(out)["per_class_accuracy"]) == set("0123456789")
