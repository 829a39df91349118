"""The VAE page through Streamlit's AppTest: the bundled model's latent space at once, decoding by
sliders, the manifold and its bad ranges, a drawing's code, and a tiny training that the page
then explores."""

from __future__ import annotations

import numpy as np
from helpers import captions, digit_one_png, model_radio, open_lab, texts, train_on_page

DEFAULT_MODEL = "Bundled mlp-2d"


def test_the_page_opens_on_the_bundled_models_latent_space():
    at = open_lab("vae")
    assert model_radio(at, "vae").value == DEFAULT_MODEL
    assert "held-out −ELBO" in texts(at.caption) and "trained on MNIST" in texts(at.caption)
    assert "**mlp, 2-D latent**, bundled" in texts(at.caption)
    assert at.get("plotly_chart"), "no latent map"
    assert "3,604 held-out digits" in texts(at.caption)
    assert at.slider(key="vae-latent-map-z0").value == 0.0 and at.slider(key="vae-manifold-n").value == 15
    assert "Decoded from z = (0.00, 0.00)" in captions(at)
    assert "z1 from -3 (left) to 3 (right)" in texts(at.markdown)
    assert "Draw or upload a picture" in texts(at.info)
    assert not at.error and not at.warning and not at.exception


def test_sliders_decode_a_point_and_a_zero_range_is_explained():
    at = open_lab("vae")
    at.slider(key="vae-latent-map-z0").set_value(1.5).run()
    assert "Decoded from z = (1.50, 0.00)" in captions(at)
    at.slider(key="vae-manifold-low").set_value(1.0)
    at.slider(key="vae-manifold-high").set_value(1.0).run()
    assert not at.exception
    assert "range is empty" in texts(at.warning)
    at.slider(key="vae-manifold-low").set_value(-1.0)
    at.slider(key="vae-manifold-high").set_value(2.0)
    at.slider(key="vae-manifold-n").set_value(20).run()
    assert not at.warning and "z1 from -1 (left) to 2 (right)" in texts(at.markdown)


def test_an_uploaded_digit_is_placed_on_the_map_and_a_typed_code_decoded():
    at = open_lab("vae")
    at.file_uploader(key="vae-encode-image-upload").upload("one.png", digit_one_png(), "image/png").run()
    assert not at.exception
    assert "Code (mean ± σ): " in texts(at.markdown)
    assert "What the encoder sees (28x28)" in captions(at) and "Decoded from its code" in captions(at)
    at.text_area(key="vae-decode-z").set_value("0.5, -1\n-1, 0.5").run()
    assert "z = (-1.00, 0.50)" in captions(at)
    at.text_area(key="vae-decode-z").set_value("0.5").run()
    assert "have 2 numbers, got 1" in texts(at.warning)


def test_a_tiny_training_becomes_the_model_explored():
    at, view = train_on_page("vae", {"epochs": 1, "latent_dim": 3}, max_steps=20, timeout=300)
    for metric in ("loss", "reconstruction", "kl"):
        assert view.history.steps[metric], f"no {metric} curve"
    assert view.history.samples is not None and view.history.samples.images.shape == (10, 28, 57)
    assert "reconstructions after epoch 1" in texts(at.caption)
    assert "**mlp, 3-D latent**, trained in this session" in texts(at.caption)
    # A 3-D latent: the map picks two dimensions; the others stay at 0.
    assert at.selectbox(key="vae-latent-map-x_dim").value == 1
    assert at.selectbox(key="vae-latent-map-y_dim").value == 2
    assert "The dimensions not on the map stay at 0" in captions(at)
    at.selectbox(key="vae-latent-map-x_dim").set_value(3).run()
    assert at.slider(key="vae-latent-map-z2") is not None and not at.exception
    at.slider(key="vae-traverse-dim").set_value(3).run()
    assert "z3 from -3 to 3; every other dimension fixed at 0" in texts(at.markdown)
    assert np.isfinite(view.job.result.metrics["heldout_neg_elbo"])
