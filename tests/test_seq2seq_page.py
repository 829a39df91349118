"""The seq2seq page through Streamlit's AppTest: the bundled pair translates at once with an
alignment, unknown words and bad text get messages, held-out examples show their reference, and
a tiny training of both models becomes the page's pair."""

from __future__ import annotations

from helpers import open_page, texts

import ui_streamlit as ui

SEQ2SEQ = "app_pages/seq2seq.py"
MODEL_RADIO = "seq2seq-training-model"


def test_the_bundled_pair_translates_explains_bad_text_and_shows_references():
    at = open_page(SEQ2SEQ)
    assert at.radio(key=MODEL_RADIO).value == ui.BUNDLED
    assert "held-out BLEU" in texts(at.caption) and "with attention" in texts(at.caption)
    shown = texts(at.markdown)
    assert "**With attention:**" in shown and "**Without attention:**" in shown
    assert any(chart.proto.id.endswith("-seq2seq-alignment-chart") for chart in at.get("plotly_chart"))

    at.text_input(key="seq2seq-text").set_value("the zorblax sleeps.").run()
    assert "read as <unk>: zorblax" in texts(at.info)
    at.text_input(key="seq2seq-text").set_value("zorblax 😀").run()
    assert "None of these words" in texts(at.error)
    at.text_input(key="seq2seq-text").set_value("").run()
    assert "the text is empty" in texts(at.error)
    assert not at.exception

    examples = at.selectbox(key="seq2seq-example")
    assert len(examples.options) > 5
    examples.set_value(examples.options[1]).run()
    assert "never trained on" in texts(at.caption) and "Reference:" in texts(at.caption)
    assert not at.error and not at.exception


def test_a_tiny_training_becomes_the_pages_pair(monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "4")
    at = open_page(SEQ2SEQ)
    at.number_input(key="seq2seq-corpus_size").set_value(300)
    at.slider(key="seq2seq-hidden").set_value(24)
    at.slider(key="seq2seq-embedding").set_value(16)
    at.slider(key="seq2seq-epochs").set_value(1)
    at.button(key="seq2seq-train").click().run()
    view = at.session_state["seq2seq-training"]
    assert view.job.wait(timeout=180), "the training did not finish"
    at.run()
    assert not at.exception
    assert "Training finished" in texts(at.success)
    assert view.history.steps["loss_attention"] and view.history.steps["loss_plain"]
    assert "Held-out BLEU after each epoch" in texts(at.markdown)
    assert at.radio(key=MODEL_RADIO).value == ui.SESSION
    assert "trained in this session" in texts(at.caption)
