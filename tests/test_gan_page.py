"""The GAN page through Streamlit's AppTest: the bundled generator at once (samples, interpolation,
sliders, timeline), bad seeds explained, and a tiny training whose curves, grid and model the page
then shows."""

from __future__ import annotations

from helpers import open_page, texts

import ui_streamlit as ui

GAN = "app_pages/gan.py"
MODEL_RADIO = "gan-training-model"


def captions(at) -> str:
    """Text captions and image captions together."""
    return "\n".join(
        [texts(at.caption), *(caption for image in at.get("image") for caption in image.captions)]
    )


def test_the_page_opens_on_the_bundled_generator():
    at = open_page(GAN)
    assert at.radio(key=MODEL_RADIO).value == ui.BUNDLED
    assert "read confidently as digits" in texts(at.caption) and "trained on MNIST" in texts(at.caption)
    assert "#31" in captions(at)  # 32 numbered samples
    assert "Linear path, 10 frames" in captions(at)
    assert "Seed 3 as drawn" in captions(at) and "With your sliders" in captions(at)
    assert "Start: step 0" in captions(at) and "End: step" in captions(at)
    assert not at.error and not at.exception


def test_seeds_that_are_not_numbers_are_explained():
    at = open_page(GAN)
    at.text_input(key="gan-grid-seed").set_value("lucky").run()
    assert "'lucky' is not a number" in texts(at.error)
    at.text_input(key="gan-grid-seed").set_value("").run()
    assert "enter a whole number" in texts(at.error)
    at.text_input(key="gan-from").set_value("7:x").run()
    assert "'x' is not a number" in texts(at.error)
    assert not at.exception


def test_sliders_and_steps_change_what_is_drawn():
    at = open_page(GAN)
    at.slider(key="gan-steps").set_value(64)
    at.radio(key="gan-mode").set_value("spherical").run()
    assert "Spherical path, 64 frames" in captions(at)
    at.slider(key="gan-nudge-3-0").set_value(2.5).run()
    assert not at.exception and not at.error


def test_a_tiny_training_streams_both_players_and_becomes_the_model(monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "100")
    at = open_page(GAN)
    at.slider(key="gan-epochs").set_value(1)
    at.button(key="gan-train").click().run()
    view = at.session_state["gan-training"]
    assert view.job.wait(timeout=300), "the training did not finish"

    at.run()
    assert not at.exception
    assert "Training finished" in texts(at.success)
    for metric in ("d_loss", "g_loss", "d_real", "d_fake", "confident_share", "class_entropy"):
        assert view.history.steps[metric], f"no {metric} curve"
    assert "fixed noise after step 100" in captions(at)
    assert at.radio(key=MODEL_RADIO).value == ui.SESSION
    assert "Start: step 0" in captions(at) and "End: step 100" in captions(at)
