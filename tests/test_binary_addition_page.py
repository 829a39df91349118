"""The binary addition page through Streamlit's AppTest: the bundled model's sum at once, bad
input, and a tiny training that becomes the page's model."""

from __future__ import annotations

from helpers import open_page, texts

import ui_streamlit as ui

PAGE = "app_pages/binary_addition.py"
MODEL_RADIO = "binary-addition-training-model"


def metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_the_page_opens_on_the_bundled_model_and_adds():
    at = open_page(PAGE)
    assert at.radio(key=MODEL_RADIO).value == ui.BUNDLED
    assert "trained at 5 bits" in texts(at.caption)
    assert metrics(at)["The LSTM's sum"] == "10010 (18)"
    assert metrics(at)["The true sum"] == "10010 (18)"
    at.text_input(key="binary-addition-try-a").set_value("110110").run()
    assert metrics(at)["The true sum"] == "0111101 (61)"  # as many bits as the model gives
    assert not at.error and not at.exception


def test_bad_numbers_get_a_message_and_temperatures_are_clamped():
    at = open_page(PAGE)
    at.text_input(key="binary-addition-try-b").set_value("12").run()
    assert "only the digits 0 and 1" in texts(at.error)
    at.text_input(key="binary-addition-try-b").set_value("1" * 30).run()
    assert "30 bits is longer than this model takes" in texts(at.error)
    at.text_input(key="binary-addition-try-b").set_value("1").run()
    at.number_input(key="binary-addition-try-temperature").set_value(1e6).run()
    assert "clamped to 20" in texts(at.info) and not at.exception


def test_a_tiny_training_becomes_the_pages_model(monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "20")
    at = open_page(PAGE)
    at.slider(key="binary-addition-train_length").set_value(3)
    at.button(key="binary-addition-train").click().run()
    view = at.session_state["binary-addition-training"]
    assert view.job.wait(timeout=240), "the training did not finish"

    at.run()
    assert not at.exception
    assert "Training finished (ended by the step limit)" in texts(at.success)
    assert view.history.steps["bit_accuracy"], "the page did not read the job's accuracy"
    assert at.radio(key=MODEL_RADIO).value == ui.SESSION
    assert "trained at 3 bits" in texts(at.caption)
