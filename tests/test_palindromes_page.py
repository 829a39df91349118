"""The palindromes page through Streamlit's AppTest: the bundled sweep and both answers at once,
bad input, and a tiny training that becomes the page's models."""

from __future__ import annotations

from helpers import model_radio, open_lab, texts, train_on_page

KEY = "palindromes-last-digit"


def test_the_page_opens_on_the_bundled_models_with_both_answers():
    at = open_lab("palindromes")
    assert model_radio(at, "palindromes").value == "Bundled sweep"
    assert "LSTM 100% up to T = " in texts(at.caption)
    assert "learning rate 0.001" in texts(at.caption)  # the course's recipe beside Train
    shown = texts(at.markdown)
    assert "### LSTM: 1" in shown  # the default prefix 1234567876543 starts with 1
    assert "### Vanilla RNN: " in shown and "a palindrome ends in its first digit, **1**" in shown
    # Both models' bars, the gates, and accuracy against T (with its table of steps).
    assert len(at.get("plotly_chart")) >= 4
    assert "LSTM steps to 100%" in at.dataframe[-1].value.columns
    at.selectbox(key=f"{KEY}-view").set_value("cell state").run()
    at.slider(key=f"{KEY}-units").set_value(8).run()
    assert "the 8 units whose memory is fullest" in texts(at.markdown)
    assert not at.warning and not at.exception


def test_bad_input_gets_a_message_and_temperatures_are_clamped():
    at = open_lab("palindromes")
    at.text_area(key=f"{KEY}-prefix").set_value("12a45").run()
    assert "only the digits 0-9" in texts(at.warning)
    at.text_area(key=f"{KEY}-prefix").set_value("98").run()
    assert "T = 3" in texts(at.warning)
    at.text_area(key=f"{KEY}-prefix").set_value("9876789").run()
    at.number_input(key=f"{KEY}-temperature").set_value(0.0).run()
    assert "clamped to 0.05" in texts(at.markdown)
    assert "### LSTM: 9" in texts(at.markdown) and not at.exception


def test_a_tiny_training_becomes_the_pages_models():
    settings = {"mode": "single", "longest": 6, "hidden_size": 16}
    at, view = train_on_page("palindromes", settings, max_steps=20)
    assert view.history.steps["lstm_loss"], "the page did not read the job's losses"
    assert "trained in this session" in texts(at.caption) and "trained at T = 6" in texts(at.caption)
    # The session's models were trained at T = 6 only: other lengths are refused with the range.
    assert "trained at T = 6: type 5 digits" in texts(at.warning)
