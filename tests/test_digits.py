"""The Digits lab end to end: training through the runner, the bundled models, interactions."""

import numpy as np
import pytest
from PIL import Image, ImageDraw

from core.imaging import ImageInputError, canvas_to_gray
from core.labs.digits import interactions as digits
from core.labs.digits.spec import DIGIT_ARCHITECTURES
from core.labs.digits.train import heldout_data, heldout_report
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("digits")


def pad_with(points, width=18, size=280) -> np.ndarray:
    image = Image.new("RGBA", (size, size), "black")
    ImageDraw.Draw(image).line(points, fill="white", width=width, joint="curve")
    return np.asarray(image)


def read_pad(trained, pad: np.ndarray) -> dict:
    """What the classify interaction answers for a drawing pad's pixels, as the fronts pass them."""
    return digits.classify(trained, canvas_to_gray(pad))


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


@pytest.mark.parametrize("architecture", DIGIT_ARCHITECTURES)
def test_every_bundled_model_loads_and_says_where_its_data_came_from(architecture):
    trained = LAB.load_bundled({"architecture": architecture})
    assert trained.origin == "bundled" and trained.config["architecture"] == architecture
    assert "MNIST, 12,000 train / 3,604 held-out" in trained.data_source
    assert trained.metrics["heldout_accuracy"] > 0.97


def test_the_default_bundled_model_reaches_its_recorded_accuracy(bundled, data_dir):
    metrics = LAB.evaluate(bundled, data_dir)
    assert metrics["heldout_size"] == 3604
    assert metrics["heldout_accuracy"] == pytest.approx(bundled.metrics["heldout_accuracy"], abs=1e-4)
    assert metrics["heldout_accuracy"] >= 0.985


@pytest.mark.parametrize(
    ("expected", "points"),
    [
        ("1", [(40, 20), (40, 110)]),  # small, top left
        ("1", [(150, 20), (150, 260)]),  # large, centred
        ("7", [(150, 160), (260, 160), (190, 275)]),  # bottom right
        ("0", [(80, 40), (200, 40), (200, 240), (80, 240), (80, 40)]),
        ("4", [(100, 40), (70, 160), (200, 160), (170, 60), (170, 260)]),
    ],
)
def test_drawings_anywhere_on_the_pad_are_read(bundled, expected, points):
    prediction = read_pad(bundled, pad_with(points))["prediction"]
    assert prediction.label == expected
    assert prediction.values.shape == (10,)
    assert prediction.values.sum() == pytest.approx(1.0, abs=1e-5)


def test_an_mnist_digit_roundtrips_through_the_pad_preprocessing(bundled, data_dir):
    data = heldout_data(bundled, data_dir)
    correct = 0
    for image, label in zip(data.test_images[:50], data.test_labels[:50], strict=True):
        enlarged = np.kron(image.numpy(), np.ones((10, 10), dtype=np.uint8))  # as if drawn on the pad
        correct += read_pad(bundled, enlarged)["prediction"].label == str(int(label))
    assert correct >= 48


def test_inspection_views(bundled, data_dir):
    report = heldout_report(bundled, heldout_data(bundled, data_dir), max_mistakes=8)
    assert report.confusion.shape == (10, 10) and report.confusion.sum() == 3604
    assert report.accuracy == pytest.approx(np.trace(report.confusion) / 3604)
    assert len(report.mistakes) == 8
    assert all(m["predicted"] != m["true"] for m in report.mistakes)
    filters = digits.first_layer_weights(bundled)
    assert filters.shape == (16, 3, 3) and filters.min() >= 0 and filters.max() <= 1
    frame = read_pad(bundled, pad_with([(150, 20), (150, 260)]))["seen"]
    maps = digits.feature_maps(bundled, frame)
    assert [m.shape for _, m in maps] == [(16, 14, 14), (16, 7, 7), (16, 3, 3)]
    mlp = LAB.load_bundled({"architecture": "mlp"})
    assert digits.first_layer_weights(mlp).shape == (64, 28, 28)
    assert [m.shape for _, m in digits.feature_maps(mlp, frame)] == [(1, 32, 8), (1, 16, 8), (1, 8, 8)]


@pytest.mark.slow
def test_a_short_training_runs_through_the_runner(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"epochs": 1}, data_dir=data_dir, max_steps=40)
    assert job.wait(120)
    assert job.state == "finished", job.message
    history_kinds = {type(e).__name__ for e in job.events_since(0)}
    assert {"Progress", "EpochEnd", "Samples", "Status"} <= history_kinds
    assert job.result.metrics["heldout_accuracy"] > 0.8  # 40 steps already learn a lot
    reloaded = LAB.load(job.checkpoint_dir)
    assert reloaded.metrics["stopped_by"] == "step limit"
    assert "MNIST" in reloaded.data_source


@pytest.mark.slow
def test_learning_rate_ten_blowing_up_the_loss_is_caught(tmp_path, data_dir):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(
        LAB,
        {"learning_rate": 10, "optimizer": "sgd", "schedule": "constant"},
        data_dir=data_dir,
        max_steps=60,
    )
    assert job.wait(120)
    assert job.state == "stopped" and "learning rate is too high" in job.message, job.message
    assert job.result is not None and job.checkpoint_dir is not None
    for value in job.result.model.state_dict().values():
        assert np.isfinite(value.float().numpy()).all()


def test_the_views_of_a_model_say_what_they_show(bundled, data_dir):
    answer = digits.classify(bundled, canvas_to_gray(pad_with([(150, 20), (150, 260)])))
    assert answer["seen"].shape == (28, 28)
    assert [caption for _, caption in answer["layers"]] == [f"conv block {i}: 16 channels" for i in (1, 2, 3)]
    report = digits.mistakes(bundled)
    assert "3,604 images of MNIST" in report["note"] and len(report["mistakes"]) == 24
    assert all(caption.startswith("said ") for _, caption in report["mistakes"])
    held_out = digits.heldout_layers(bundled, 0)
    assert held_out["truth"] == "Held-out image 0: a **7**" and held_out["input"].shape == (28, 28)


def test_a_held_out_number_past_the_end_is_refused_with_the_range(bundled, data_dir):
    with pytest.raises(SpecError, match="from 0 to 3603"):
        digits.heldout_layers(bundled, 3604)


def test_an_empty_or_missing_picture_is_refused_with_a_message(bundled):
    classify = LAB.interaction("classify")
    with pytest.raises(SpecError, match="draw or upload a picture first"):
        classify(bundled, {})
    with pytest.raises(ImageInputError):
        classify(bundled, {"image": np.zeros((280, 280), dtype=np.float32)})
