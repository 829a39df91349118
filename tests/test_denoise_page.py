"""The denoising page through Streamlit's AppTest: the bundled model at once on a held-out digit,
the noise controls, an empty pad, and a tiny training that becomes the page's model."""

from __future__ import annotations

from helpers import open_page, texts

import ui_streamlit as ui

DENOISE = "app_pages/denoise.py"
MODEL_RADIO = "denoise-training-model"


def captions(at) -> str:
    """Text captions and image captions together."""
    return "\n".join(
        [texts(at.caption), *(caption for image in at.get("image") for caption in image.captions)]
    )


def metric_values(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_the_page_opens_on_the_bundled_model_and_asks_for_a_drawing():
    at = open_page(DENOISE)
    assert at.radio(key=MODEL_RADIO).value == ui.BUNDLED
    assert "held-out PSNR" in texts(at.caption) and "trained on MNIST" in texts(at.caption)
    assert "Draw a digit on the black pad first" in texts(at.info)
    assert not at.error and not at.exception


def test_a_heldout_digit_is_shown_clean_noisy_and_denoised():
    at = open_page(DENOISE)
    at.radio(key="denoise-try-source").set_value("A held-out digit").run()
    assert not at.exception
    shown = captions(at)
    assert "Clean" in shown and "Noisy: " in shown and "Denoised: " in shown
    before = metric_values(at)
    noisy_db = float(before["PSNR of the noisy input"].split()[0])
    clean_db = float(before["PSNR of the denoised output"].split()[0])
    assert clean_db > noisy_db

    at.selectbox(key="denoise-try-kind").set_value("salt-pepper").run()
    assert at.slider(key="denoise-try-level-salt-pepper").value == 0.2  # each kind starts at its default
    at.slider(key="denoise-try-level-salt-pepper").set_value(0.5).run()
    harder = metric_values(at)
    assert harder["PSNR of the noisy input"] != before["PSNR of the noisy input"]

    at.button(key="denoise-try-reseed").click().run()
    assert at.number_input(key="denoise-try-seed").value == 1
    at.number_input(key="denoise-try-index").set_value(3603).run()
    assert not at.error and not at.exception


def test_a_tiny_training_becomes_the_pages_model(monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "20")
    at = open_page(DENOISE)
    at.slider(key="denoise-epochs").set_value(1)
    at.button(key="denoise-train").click().run()
    view = at.session_state["denoise-training"]
    assert view.job.wait(timeout=240), "the training did not finish"

    at.run()
    assert not at.exception
    assert "Training finished" in texts(at.success)
    assert view.history.steps["psnr_gain"], "the page did not read the job's PSNR"
    assert at.radio(key=MODEL_RADIO).value == ui.SESSION
    assert "trained in this session" in texts(at.caption)
    assert "clean | noisy | denoised" in texts(at.caption)  # the samples' title
