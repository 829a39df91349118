"""The character-level text page through Streamlit's AppTest: the bundled model writes at once,
greedy decoding finishes a memorised sentence, bad prompts and empty sentences get a message, and
a tiny training on the student's own sentences becomes the page's model."""

from __future__ import annotations

from helpers import open_page, texts

import ui_streamlit as ui

PAGE = "app_pages/charlstm.py"
MODEL_RADIO = "charlstm-training-model"


def test_the_page_opens_on_the_bundled_model_and_writes():
    at = open_page(PAGE)
    assert at.radio(key=MODEL_RADIO).value == ui.BUNDLED
    assert "memorisation rate 100%" in texts(at.caption)
    assert at.text_area(key="charlstm-sentences").value.startswith("The quick brown fox")
    assert texts(at.markdown).count("memorised") >= 1
    assert not at.error and not at.exception


def test_greedy_decoding_and_bad_input():
    at = open_page(PAGE)
    at.toggle(key="charlstm-try-greedy").set_value(True)
    at.text_input(key="charlstm-try-prompt").input("Practice").run()
    assert "`Practice makes perfect.`" in texts(at.markdown) and "✅ memorised" in texts(at.markdown)
    at.text_input(key="charlstm-try-prompt").input("Ça va 😀").run()
    assert "never saw 'Ç' '😀'" in texts(at.error)
    at.text_area(key="charlstm-sentences").input(" \n \n").run()  # empty: refused before training
    assert "at least one sentence" in texts(at.error)
    assert at.button(key="charlstm-train").disabled
    assert not at.exception


def test_a_tiny_training_on_my_sentences_becomes_the_pages_model():
    at = open_page(PAGE)
    at.text_area(key="charlstm-sentences").input("Hi there.\nGo on.")
    at.slider(key="charlstm-hidden_size").set_value(16)
    at.slider(key="charlstm-layers").set_value(1)
    at.number_input(key="charlstm-epochs").set_value(20)
    at.button(key="charlstm-train").click().run()
    view = at.session_state["charlstm-training"]
    assert view.job.wait(timeout=240), "the training did not finish"

    at.run()
    assert not at.exception
    assert "Training finished" in texts(at.success)
    assert view.history.steps["memorisation"], "no memorisation curve"
    assert at.radio(key=MODEL_RADIO).value == ui.SESSION
    assert "1. Hi there.\n1. Go on." in texts(at.markdown)
