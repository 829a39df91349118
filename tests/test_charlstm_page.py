"""The character-level text page through Streamlit's AppTest: the bundled model writes at once,
greedy decoding finishes a memorised sentence, bad prompts and empty sentences get a message, and
a tiny training on the student's own sentences becomes the page's model."""

from __future__ import annotations

from helpers import open_lab, texts

import ui_streamlit as ui

MODEL_RADIO = "charlstm-training-model"
KEY = "charlstm-generate"


def learnt_sentences(at) -> list[str]:
    """The sentences the memorisation panel lists (after its button is pressed)."""
    at.button(key="charlstm-memorisation-run").click().run()
    tables = [frame.value for frame in at.dataframe if "sentence" in frame.value.columns]
    return list(tables[0]["sentence"])


def test_the_page_opens_on_the_bundled_model_and_writes():
    at = open_lab("charlstm")
    assert at.radio(key=MODEL_RADIO).value == "Bundled default"
    assert "memorisation rate 100%" in texts(at.caption)
    assert at.text_area(key="charlstm-sentences").value.startswith("The quick brown fox")
    assert texts(at.markdown).count("memorised") >= 1
    assert learnt_sentences(at)[0] == "The quick brown fox jumps over the lazy dog."
    assert "Memorisation rate **100%**" in texts(at.markdown)
    assert not at.error and not at.warning and not at.exception


def test_greedy_decoding_and_bad_input():
    at = open_lab("charlstm")
    at.checkbox(key=f"{KEY}-greedy").check()
    at.text_area(key=f"{KEY}-prompt").input("Practice").run()
    assert "`Practice makes perfect.` (✅ memorised)" in texts(at.markdown)
    at.text_area(key=f"{KEY}-prompt").input("Ça va 😀").run()
    assert "never saw 'Ç' '😀'" in texts(at.warning)
    at.text_area(key="charlstm-sentences").input(" \n \n").run()  # empty: refused before training
    assert "at least one sentence" in texts(at.error)
    assert at.button(key="charlstm-train").disabled
    assert not at.exception


def test_a_tiny_training_on_my_sentences_becomes_the_pages_model():
    at = open_lab("charlstm")
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
    assert learnt_sentences(at) == ["Hi there.", "Go on."]
