"""The binary addition page through Streamlit's AppTest: the bundled model's sum at once, bad
input, and a tiny training that becomes the page's model."""

from __future__ import annotations

from helpers import model_radio, open_lab, texts, train_on_page

KEY = "binary-addition-add"


def sums(at) -> dict[str, str]:
    """The numbers table of the Add panel: each row's binary and decimal."""
    table = at.dataframe[0].value
    return {row["number"]: f"{row['binary']} ({row['decimal']})" for _, row in table.iterrows()}


def test_the_page_opens_on_the_bundled_model_and_adds():
    at = open_lab("binary-addition")
    assert model_radio(at, "binary-addition").value == "Bundled 5-bit"
    assert "trained at 5 bits" in texts(at.caption)
    assert "loss mse" in texts(at.caption)  # the course's recipe beside Train
    assert "1011 + 111 = **10010** (18): ✓ right" in texts(at.markdown)
    assert sums(at)["the true sum"] == "10010 (18)"
    at.text_area(key=f"{KEY}-a").set_value("110110").run()
    assert sums(at)["the true sum"] == "0111101 (61)"  # as many bits as the model gives
    assert sums(at)["the LSTM's sum"] == "0111101 (61)"
    assert not at.warning and not at.exception


def test_bad_numbers_get_a_message_and_temperatures_are_clamped():
    at = open_lab("binary-addition")
    at.text_area(key=f"{KEY}-b").set_value("12").run()
    assert "only the digits 0 and 1" in texts(at.warning)
    at.text_area(key=f"{KEY}-b").set_value("1" * 30).run()
    assert "30 bits is longer than this model takes" in texts(at.warning)
    at.text_area(key=f"{KEY}-b").set_value("1").run()
    at.number_input(key=f"{KEY}-temperature").set_value(100.0).run()
    assert "clamped to 20" in texts(at.markdown) and not at.exception


def test_a_tiny_training_becomes_the_pages_model():
    at, view = train_on_page("binary-addition", {"train_length": 3}, max_steps=20)
    assert "Training finished (ended by the step limit)" in texts(at.success)
    assert view.history.steps["bit_accuracy"], "the page did not read the job's accuracy"
    assert "trained at 3 bits" in texts(at.caption)
