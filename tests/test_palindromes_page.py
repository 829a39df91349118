"""The palindromes page through Streamlit's AppTest: the bundled sweep and both answers at once,
bad input, and a tiny training that becomes the page's models."""

from __future__ import annotations

from helpers import open_page, texts

import ui_streamlit as ui

PAGE = "app_pages/palindromes.py"
MODEL_RADIO = "palindromes-training-model"


def metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_the_page_opens_on_the_bundled_models_with_both_answers():
    at = open_page(PAGE)
    assert at.radio(key=MODEL_RADIO).value == ui.BUNDLED
    assert "LSTM 100% up to T = " in texts(at.caption)
    shown = metrics(at)
    assert shown["LSTM answers"] == "1"  # the default prefix 1234567876543 starts with 1
    assert "Vanilla RNN answers" in shown
    assert len(at.get("plotly_chart")) >= 4  # the sweep, two probability charts, the gates
    at.radio(key="palindromes-try-gate").set_value("cell state").run()
    assert not at.error and not at.exception


def test_bad_input_gets_a_message_and_temperatures_are_clamped():
    at = open_page(PAGE)
    at.text_input(key="palindromes-try-prefix").set_value("12a45").run()
    assert "only the digits 0-9" in texts(at.error)
    at.text_input(key="palindromes-try-prefix").set_value("98").run()
    assert "T = 3" in texts(at.error)
    at.text_input(key="palindromes-try-prefix").set_value("9876789").run()
    at.number_input(key="palindromes-try-temperature").set_value(0.0).run()
    assert "clamped to 0.05" in texts(at.info)
    assert metrics(at)["LSTM answers"] == "9" and not at.exception


def test_a_tiny_training_becomes_the_pages_models(monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "20")
    at = open_page(PAGE)
    at.selectbox(key="palindromes-mode").set_value("single")
    at.slider(key="palindromes-longest").set_value(6)
    at.slider(key="palindromes-hidden_size").set_value(16)
    at.button(key="palindromes-train").click().run()
    view = at.session_state["palindromes-training"]
    assert view.job.wait(timeout=240), "the training did not finish"

    at.run()
    assert not at.exception
    assert "Training finished" in texts(at.success)
    assert view.history.steps["lstm_loss"], "the page did not read the job's losses"
    assert at.radio(key=MODEL_RADIO).value == ui.SESSION
    assert "trained in this session" in texts(at.caption)
    # The session's models were trained at T = 6 only: other lengths are refused with the range.
    assert "trained at T = 6: type 5 digits" in texts(at.error)
