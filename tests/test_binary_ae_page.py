"""The binary autoencoder page through Streamlit's AppTest: the bundled model at once on a digit
it memorised, its 48 bits as ticks, a flipped bit that changes the decoded digit, and a tiny
training that becomes the page's model."""

from __future__ import annotations

from helpers import open_page, texts

import ui_streamlit as ui

PAGE = "app_pages/binary_ae.py"
MODEL_RADIO = "binary-ae-training-model"


def image_captions(at) -> str:
    return "\n".join(caption for image in at.get("image") for caption in image.captions)


def test_a_memorised_digit_shows_its_bits_and_a_flip_changes_the_digit():
    at = open_page(PAGE)
    assert at.radio(key=MODEL_RADIO).value == ui.BUNDLED
    assert "training digits it memorises" in texts(at.caption)
    bits = [box for box in at.checkbox if box.key and box.key.startswith("binary-ae-bit-")]
    assert len(bits) == 48
    code = at.get("code")[0].value
    assert len(code) == 48 and [box.value for box in bits] == [c == "1" for c in code]
    assert "With 0 bits flipped" in image_captions(at)

    bits[5].set_value(not bits[5].value).run()
    assert not at.exception
    assert "With 1 bit flipped" in image_captions(at)

    at.number_input(key="binary-ae-index").set_value(7).run()
    assert "With 0 bits flipped" in image_captions(at)  # a new digit starts from its own bits
    assert not at.error and not at.exception


def test_a_tiny_training_becomes_the_pages_model(monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "4")
    at = open_page(PAGE)
    at.number_input(key="binary-ae-epochs").set_value(1)
    at.number_input(key="binary-ae-train_size").set_value(64)
    at.button(key="binary-ae-train").click().run()
    view = at.session_state["binary-ae-training"]
    assert view.job.wait(timeout=240), "the training did not finish"

    at.run()
    assert not at.exception
    assert "Training finished" in texts(at.success)
    assert at.radio(key=MODEL_RADIO).value == ui.SESSION
    assert "trained in this session" in texts(at.caption)
