"""The scenes (real objects on real photos: reproducible, exact boxes and masks, honest held-out
split) and the detection lab: targets, loss parts, thresholds and NMS, a short training through
the runner, the cached candidates behind the sliders, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core import scenes
from core.labs.detection import interactions as views
from core.labs.detection.model import GRID, STRIDE, Candidates, select
from core.labs.detection.targets import detection_loss, make_targets
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("detection")
DIGITS = scenes.object_classes("digits")


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


def run(trained, name: str, **inputs):
    interaction = LAB.interaction(name)
    return interaction(trained if interaction.needs_model else None, inputs)


# --- the scenes ---------------------------------------------------------------------------------


def test_a_scene_is_rebuilt_exactly_from_its_seed_and_a_new_seed_makes_another():
    first, again = scenes.make_scene(5, "train", 17), scenes.make_scene(5, "train", 17)
    assert np.array_equal(first.image, again.image) and np.array_equal(first.boxes, again.boxes)
    assert np.array_equal(first.mask, again.mask)
    assert not np.array_equal(first.image, scenes.make_scene(6, "train", 17).image)


def test_a_training_epoch_s_new_scenes_are_the_numbered_scenes_after_the_first_set():
    fresh = scenes.generate_scenes(2, "train", 3, first=40)
    assert torch.equal(
        fresh.images[1], torch.from_numpy(scenes.make_scene(2, "train", 41).image).permute(2, 0, 1)
    )
    assert "numbers 40 to 42" in fresh.description


def test_boxes_hold_their_objects_pixels_and_the_masks_lie_inside_the_boxes():
    for index in range(30):
        scene = scenes.make_scene(0, "heldout", index)
        assert scene.image.shape == (64, 64, 3) and scene.image.min() >= 0 and scene.image.max() <= 1
        assert 1 <= len(scene.labels) <= 3 and len(scene.boxes) == len(scene.labels)
        assert (scene.boxes >= 0).all() and (scene.boxes <= scenes.SCENE_SIZE).all()
        for number, (x0, y0, x1, y1) in enumerate(scene.boxes.astype(int), start=1):
            ys, xs = np.nonzero(scene.mask == number)
            if len(xs):  # an object may be partly hidden by a later one, never spill outside its box
                assert x0 <= xs.min() and xs.max() < x1 and y0 <= ys.min() and ys.max() < y1


def test_held_out_scenes_use_test_objects_and_a_part_of_each_photo_training_never_sees():
    train, heldout = scenes.object_pool("digits", "train"), scenes.object_pool("digits", "heldout")
    assert len(train.images) != len(heldout.images) or not np.array_equal(train.images, heldout.images)
    photo = scenes.photo("astronaut")
    left, right = scenes.photo_region("astronaut", "train"), scenes.photo_region("astronaut", "heldout")
    assert left.shape[1] + right.shape[1] == photo.shape[1] and right.shape[1] == photo.shape[1] // 4
    assert scenes.object_classes("both") == DIGITS + scenes.object_classes("fashion")


def test_placements_are_read_and_bad_ones_are_refused_with_the_reason():
    assert scenes.parse_placements("7 at 6,8; 3 at 36, 30 size 26", DIGITS) == [
        (7, 6, 8, 22),
        (3, 36, 30, 26),
    ]
    for text, reason in (
        ("", "none given"),
        ("7 here", "could not read"),
        ("x at 1,2", "no class 'x'"),
        ("7 at 90,2", "outside the scene"),
        ("7 at 1,2 size 60", "size 60"),
        ("7 at 1,2 colour red", "could not read"),
        ("; ".join(["1 at 1,1"] * 7), "at most 6"),
    ):
        with pytest.raises(SpecError, match=reason):
            scenes.parse_placements(text, DIGITS)
    scene = scenes.compose([(7, 6, 8, 24)], "coffee")
    assert scene.labels.tolist() == [7] and scene.boxes[0, 0] >= 6 and (scene.mask > 0).any()


# --- the model's targets, loss and selection ---------------------------------------------------------


def test_targets_mark_the_centre_cell_and_its_neighbours_inside_the_box():
    box = torch.tensor([[20.0, 20.0, 44.0, 44.0]])
    targets = make_targets([box], [torch.tensor([4])])
    row = column = int(32 // STRIDE)
    assert targets.heat[0, row, column] == 1.0 and int(targets.heat.eq(1).sum()) == 1
    assert targets.classes[0, row, column] == 4 and int((targets.classes >= 0).sum()) == 9
    assert torch.equal(targets.boxes[0, row, column], box[0])
    assert targets.heat.shape == (1, GRID, GRID)


def test_the_loss_has_its_three_parts_and_a_perfect_box_costs_nothing():
    box = torch.tensor([[18.0, 22.0, 42.0, 46.0]])
    targets = make_targets([box], [torch.tensor([1])])
    centres = (torch.arange(GRID) + 0.5) * STRIDE
    y, x = torch.meshgrid(centres, centres, indexing="ij")
    distances = torch.stack([x - 18, y - 22, 42 - x, 46 - y])[None].clamp(min=0.1)
    parts = detection_loss(
        (torch.zeros(1, 1, GRID, GRID), torch.zeros(1, 10, GRID, GRID), distances), targets
    )
    assert set(parts) == {"loss", "objectness", "class", "box"}
    assert parts["box"] < 1e-5 and abs(parts["class"] - np.log(10)) < 1e-5
    assert torch.isclose(parts["loss"], parts["objectness"] + parts["class"] + parts["box"])


def test_the_threshold_and_nms_filter_the_candidates():
    boxes = torch.tensor([[0.0, 0, 10, 10], [1, 1, 11, 11], [30, 30, 40, 40], [0, 0, 10, 10]])
    found = Candidates(boxes, torch.tensor([0.9, 0.8, 0.4, 0.7]), torch.tensor([1, 1, 2, 3]))
    assert select(found, 0.5, 1.0).scores.tolist() == pytest.approx([0.9, 0.8, 0.7])
    kept = select(found, 0.3, 0.5)  # the second box overlaps the first (same class): dropped
    assert kept.scores.tolist() == pytest.approx([0.9, 0.7, 0.4]) and kept.labels.tolist() == [1, 3, 2]


# --- training and the views -----------------------------------------------------------------------


@pytest.mark.slow  # makes 600 scenes and scores 500 of them: several seconds
def test_a_short_training_through_the_runner_gives_a_model_and_its_map(tmp_path, monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "6")
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    settings = {"train_scenes": 100, "epochs": 1, "width": 8, "batch_size": 16, "scene_seed": 3}
    job = runner.submit(LAB, settings)
    assert job.wait(120) and job.state == "finished", job.message
    metrics = job.result.metrics
    assert 0.0 <= metrics["heldout_map50"] <= 1.0 and metrics["heldout_size"] == 500
    again = LAB.load(job.checkpoint_dir)
    assert again.config["classes"] == list(DIGITS) and again.config["scene_seed"] == 3
    samples = [e for e in job.events_since(0) if type(e).__name__ == "Samples"][-1]
    assert samples.images.shape[1:] == (192, 192, 3)


def test_moving_a_slider_reuses_the_scenes_candidates(bundled, monkeypatch):
    calls = []
    real = views.candidates
    monkeypatch.setattr(views, "candidates", lambda model, images: calls.append(1) or real(model, images))
    loose = run(bundled, "heldout", index=11, score_threshold=0.05, nms_iou=1.0)
    strict = run(bundled, "heldout", index=11, score_threshold=0.5, nms_iou=0.5)
    assert len(calls) <= 1  # none when an earlier test already ran this scene
    assert len(loose["detections"]) > len(strict["detections"]) >= 1
    assert strict["found"].shape == (256, 256, 3) and "found" in strict["summary"]


def test_the_bundled_detector_finds_the_objects_of_a_composed_scene(bundled):
    result = run(bundled, "compose", objects="2 at 4,4; 8 at 34,32 size 28", background="astronaut")
    assert {row["class"] for row in result["detections"]} >= {"2", "8"}
    assert result["summary"].count("found (IoU") == 2
    assert LAB.headline(bundled.metrics).startswith("held-out mAP@0.5 ")


def test_bad_input_gets_a_clear_message(bundled):
    with pytest.raises(SpecError, match="Held-out scene 500 does not exist"):
        views.heldout(bundled, 500, 0.3, 0.5)
    with pytest.raises(SpecError, match="no class 'bag'"):
        run(bundled, "compose", objects="Bag at 3,3")
    with pytest.raises(SpecError, match="No background photo"):
        scenes.photo("moon")


def test_the_photo_view_reads_any_photo_at_the_scene_size(bundled):
    result = run(bundled, "photo", photo=np.random.default_rng(0).random((90, 200, 3)), score_threshold=0.9)
    assert result["found"].shape == (256, 256, 3) and "fair test" in result["summary"]
