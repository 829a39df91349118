"""The segmentation lab: the UNet with and without skips, the loss, the error pictures and
torchmetrics' figures, a short training through the runner, the views and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.labs.segmentation.model import UNet, segmentation_loss
from core.labs.segmentation.train import error_picture, mask_scores
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("segmentation")


@pytest.fixture(scope="module")
def bundled():
    return LAB.load_bundled()


def run(trained, name: str, **inputs):
    interaction = LAB.interaction(name)
    return interaction(trained if interaction.needs_model else None, inputs)


def test_the_unet_keeps_the_size_and_its_skips_are_what_the_decoder_reads():
    x = torch.rand(2, 3, 64, 64)
    with_skips, without = UNet(8, skips=True), UNet(8, skips=False)
    assert with_skips(x).shape == without(x).shape == (2, 1, 64, 64)
    # With skips each decoder stage reads twice the channels: the encoder's beside its own.
    assert with_skips.dec1[0].in_channels == 16 and without.dec1[0].in_channels == 8


def test_the_loss_is_cross_entropy_plus_dice_and_a_sure_right_mask_costs_almost_nothing():
    masks = torch.zeros(1, 64, 64, dtype=torch.long)
    masks[0, 10:30, 10:30] = 1
    logits = (masks.float() * 2 - 1).unsqueeze(1) * 20
    parts = segmentation_loss(logits, masks)
    assert parts["loss"] < 1e-3 and torch.isclose(parts["loss"], parts["bce"] + parts["dice_loss"])
    assert segmentation_loss(-logits, masks)["dice_loss"] > 0.99


def test_error_pictures_and_scores_mark_false_and_missed_pixels():
    truth = np.zeros((4, 4), dtype=np.int64)
    truth[:2, :2] = 1
    predicted = truth.copy()
    predicted[0, 0], predicted[3, 3] = 0, 1
    picture = error_picture(predicted, truth)
    assert picture[0, 1].tolist() == [1, 1, 1] and picture[3, 3, 0] > 0.8 and picture[0, 0, 2] > 0.8
    scores = mask_scores(torch.from_numpy(predicted), torch.from_numpy(truth))
    assert scores["object_iou"] == pytest.approx(3 / 5) and scores["dice"] == pytest.approx(6 / 8)
    assert scores["iou"] == pytest.approx((3 / 5 + 11 / 13) / 2)


@pytest.mark.slow  # makes 600 scenes and scores 500 of them: several seconds
def test_a_short_training_through_the_runner_trains_both_networks(tmp_path, monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "4")
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    job = runner.submit(LAB, {"train_scenes": 100, "epochs": 1, "width": 4, "batch_size": 16})
    assert job.wait(120) and job.state == "finished", job.message
    metrics = job.result.metrics
    assert set(metrics["heldout"]) == {"unet", "no_skips"} and 0 <= metrics["heldout_iou"] <= 1
    again = LAB.load(job.checkpoint_dir)
    assert set(again.model) == {"unet", "no_skips"} and "IoU" in LAB.headline(again.metrics)
    samples = [e for e in job.events_since(0) if type(e).__name__ == "Samples"][-1]
    assert samples.images.shape[1:] == (64, 64 * 4 + 6, 3)  # scene | truth | two masks


def test_the_bundled_unet_marks_a_held_out_scene_better_than_without_skips(bundled):
    result = run(bundled, "heldout", index=2)
    assert result["unet"].shape == result["no_skips"].shape == (64, 64, 3)
    assert "| UNet |" in result["scores"] and "| UNet without skips |" in result["scores"]
    assert bundled.metrics["heldout"]["unet"]["iou"] > bundled.metrics["heldout"]["no_skips"]["iou"]


def test_bad_input_gets_a_clear_message(bundled):
    with pytest.raises(SpecError, match="Held-out scene 900 does not exist"):
        LAB.interaction("heldout").run(bundled, index=900, threshold=0.5)
    with pytest.raises(SpecError, match="could not read"):
        run(bundled, "compose", objects="seven somewhere")
    result = run(bundled, "photo", photo=np.random.default_rng(1).random((120, 80, 3)))
    assert result["unet"].shape == (64, 64, 3) and "% of the pixels" in result["scores"]
