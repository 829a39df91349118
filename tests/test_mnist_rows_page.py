"""The MNIST row-by-row page through Streamlit's AppTest: the bundled readers and their scores at
once, an empty selection of models refused, and a tiny side-by-side training that becomes the
page's models."""

from __future__ import annotations

from helpers import open_page, texts

import ui_streamlit as ui

PAGE = "app_pages/mnist_rows.py"
MODEL_RADIO = "mnist-rows-training-model"


def test_the_page_opens_on_the_bundled_readers_and_their_scores():
    at = open_page(PAGE)
    assert at.radio(key=MODEL_RADIO).value == ui.BUNDLED
    facts = texts(at.caption)
    assert "held-out accuracy RNN" in facts and "Bidirectional LSTM" in facts and "trained on MNIST" in facts
    table = texts(at.markdown)
    assert "| Bidirectional LSTM |" in table and "97.31%" in table  # the course's figure beside ours
    assert "Draw a digit on the black pad first" in texts(at.info)
    assert at.multiselect(key="mnist-rows-models").value == ["rnn", "lstm", "bilstm"]
    assert not at.error and not at.exception


def test_an_empty_selection_of_models_is_refused_and_cannot_train():
    at = open_page(PAGE)
    at.multiselect(key="mnist-rows-models").set_value([]).run()
    assert "pick at least one" in texts(at.error)
    assert at.button(key="mnist-rows-train").disabled
    assert not at.exception


def test_a_tiny_side_by_side_training_becomes_the_pages_models(monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "4")
    at = open_page(PAGE)
    at.multiselect(key="mnist-rows-models").set_value(["rnn", "gru"])
    at.slider(key="mnist-rows-hidden_size").set_value(16)
    at.slider(key="mnist-rows-epochs").set_value(1)
    at.button(key="mnist-rows-train").click().run()
    view = at.session_state["mnist-rows-training"]
    assert view.job.wait(timeout=240), "the training did not finish"

    at.run()
    assert not at.exception
    assert "Training finished" in texts(at.success)
    assert view.history.epochs["heldout_gru_accuracy"], "no held-out figure for the GRU"
    titles = [chart.proto.spec for chart in at.get("plotly_chart")]
    assert any("Held-out accuracy (live sample" in spec for spec in titles)
    assert at.radio(key=MODEL_RADIO).value == ui.SESSION
    table = texts(at.markdown)
    assert "| RNN |" in table and "| GRU |" in table and "| LSTM |" not in table
