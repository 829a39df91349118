"""The VAE page through Streamlit's AppTest: the bundled model's latent space at once, decoding by
sliders, the manifold and its bad ranges, and a tiny training that the page then explores."""

from __future__ import annotations

import numpy as np
from helpers import open_page, texts

import ui_streamlit as ui

VAE = "app_pages/vae.py"
MODEL_RADIO = "vae-training-model"


def captions(at) -> str:
    """Text captions and image captions together."""
    return "\n".join(
        [texts(at.caption), *(caption for image in at.get("image") for caption in image.captions)]
    )


def test_the_page_opens_on_the_bundled_models_latent_space():
    at = open_page(VAE)
    assert at.radio(key=MODEL_RADIO).value == ui.BUNDLED
    assert "held-out −ELBO" in texts(at.caption) and "trained on MNIST" in texts(at.caption)
    charts = at.get("plotly_chart")
    assert charts, "no latent map"
    assert at.slider(key="vae-z0").value == 0.0 and at.slider(key="vae-grid-n").value == 15
    assert "Decoded from z = (0.00, 0.00)" in captions(at)
    assert "z1 from -3 (left) to 3 (right)" in captions(at)
    assert "Draw a digit" in texts(at.info)
    assert not at.error and not at.exception


def test_sliders_decode_a_point_and_a_zero_range_is_explained():
    at = open_page(VAE)
    at.slider(key="vae-z0").set_value(1.5).run()
    assert "Decoded from z = (1.50, 0.00)" in captions(at)
    at.slider(key="vae-grid-range").set_value((1.0, 1.0)).run()
    assert not at.exception
    assert "range is empty" in texts(at.error)
    at.slider(key="vae-grid-range").set_value((-1.0, 2.0))
    at.slider(key="vae-grid-n").set_value(20).run()
    assert not at.error and "z1 from -1 (left) to 2 (right)" in captions(at)


def test_a_tiny_training_becomes_the_model_explored(monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "20")
    at = open_page(VAE)
    at.slider(key="vae-epochs").set_value(1)
    at.slider(key="vae-latent_dim").set_value(3)
    at.button(key="vae-train").click().run()
    view = at.session_state["vae-training"]
    assert view.job.wait(timeout=300), "the training did not finish"

    at.run()
    assert not at.exception
    assert "Training finished" in texts(at.success)
    for metric in ("loss", "reconstruction", "kl"):
        assert view.history.steps[metric], f"no {metric} curve"
    assert view.history.samples is not None and view.history.samples.images.shape == (10, 28, 57)
    assert "reconstructions after epoch 1" in texts(at.caption)
    assert at.radio(key=MODEL_RADIO).value == ui.SESSION
    # A 3-D latent: the map and the grid pick two dimensions, and one can be traversed.
    assert at.selectbox(key="vae-map-dims-x").value == 0 and at.selectbox(key="vae-map-dims-y").value == 1
    assert "The dimensions not shown stay at 0" in texts(at.caption)
    assert at.selectbox(key="vae-traverse-dim") is not None
    assert np.isfinite(view.job.result.metrics["heldout_neg_elbo"])
