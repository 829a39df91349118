"""The Transformer page through Streamlit's AppTest: the bundled model translates at once with its
attention maps, beam search and bad input, and a tiny training becomes the page's model."""

from __future__ import annotations

from helpers import open_page, texts

import ui_streamlit as ui

PAGE = "app_pages/transformer.py"
MODEL_RADIO = "transformer-training-model"


def translation(at) -> str:
    return texts(at.markdown)


def test_the_page_translates_with_the_bundled_model_and_draws_the_attention():
    at = open_page(PAGE)
    assert at.radio(key=MODEL_RADIO).value == ui.BUNDLED
    assert "held-out BLEU" in texts(at.caption)
    assert "le petit chat ne voit pas la voiture rouge" in translation(at)
    assert "greedy search" in texts(at.caption)
    charts = at.get("plotly_chart")
    assert len(charts) >= 3  # cross-attention, encoder self-attention, every head
    assert not at.error and not at.exception

    at.radio(key="transformer-search").set_value("beam").run()
    assert "beam search, width 4" in texts(at.caption)
    at.radio(key="transformer-head").set_value("head 2").run()
    assert not at.exception


def test_bad_text_and_bad_settings_are_said_not_traced():
    at = open_page(PAGE)
    at.slider(key="transformer-heads").set_value(3)
    at.button(key="transformer-train").click().run()
    assert "3 heads do not divide the model width 128" in texts(at.error)
    at.text_input(key="transformer-text").set_value("the zebra sleeps.").run()
    assert "<unk>" in texts(at.info) and "zebra" in texts(at.info)
    at.text_input(key="transformer-text").set_value("").run()
    assert "the text is empty" in texts(at.warning)
    assert not at.exception


def test_a_heldout_sentence_shows_its_reference():
    at = open_page(PAGE)
    options = at.selectbox(key="transformer-pick").options
    at.selectbox(key="transformer-pick").set_value(options[1]).run()
    assert at.text_input(key="transformer-text").value == options[1]
    assert "reference: " in texts(at.caption)


def test_a_tiny_training_becomes_the_pages_model(monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "3")
    at = open_page(PAGE)
    at.number_input(key="transformer-corpus_size").set_value(500)
    at.slider(key="transformer-d_model").set_value(32)
    at.slider(key="transformer-layers").set_value(1)
    at.button(key="transformer-train").click().run()
    view = at.session_state["transformer-training"]
    assert view.job.wait(timeout=240), "the training did not finish"

    at.run()
    assert not at.exception
    assert "Training finished" in texts(at.success)
    assert view.history.epochs["heldout_bleu"], "the page did not read the job's BLEU"
    assert at.radio(key=MODEL_RADIO).value == ui.SESSION
    assert "Held-out sentences at epoch" in translation(at)
