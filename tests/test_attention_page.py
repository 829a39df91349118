"""The attention page through Streamlit's AppTest: the explorer's heatmaps and controls, bad input
as a message, the bundled toy model, and a tiny training that becomes the page's model."""

from __future__ import annotations

import json

from helpers import open_page, texts

import ui_streamlit as ui

ATTENTION = "app_pages/attention.py"
MODEL_RADIO = "attention-training-model"


def chart(at, key: str) -> dict:
    """The plotly figure of the chart with this key, as its JSON."""
    (element,) = [e for e in at.get("plotly_chart") if e.proto.id.endswith(f"-{key}")]
    return json.loads(element.proto.spec)


def test_the_explorer_shows_weights_that_follow_the_controls():
    at = open_page(ATTENTION)
    assert not at.error
    assert "**cats** → cat" in texts(at.markdown)
    weights = chart(at, "attention-weights-chart")["data"][0]["z"]
    assert len(weights) == 6 and all(abs(sum(row) - 1) < 1e-6 for row in weights)

    at.selectbox(key="attention-x-heads").set_value(4).run()
    assert at.radio(key="attention-x-head-view").options[1:] == ["head 1", "head 2", "head 3", "head 4"]
    at.checkbox(key="attention-x-causal").check().run()
    causal = chart(at, "attention-weights-chart")["data"][0]["z"]
    assert causal[0][1:] == [0, 0, 0, 0, 0]
    at.number_input(key="attention-x-pad-to").set_value(8).run()
    assert "<pad>" in chart(at, "attention-weights-chart")["layout"]["xaxis"]["ticktext"]
    at.select_slider(key="attention-x-temperature").set_value(0.01).run()
    assert not at.exception
    at.text_input(key="attention-x-query").set_value("   ").run()
    assert "query sentence is empty" in texts(at.error)  # a message, not a traceback
    assert not at.exception


def test_the_bundled_toy_model_reverses_typed_digits():
    at = open_page(ATTENTION)
    assert at.radio(key=MODEL_RADIO).value == ui.BUNDLED
    assert "31415926 → **62951413** (right)" in texts(at.markdown)
    at.text_input(key="attention-toy-input").set_value("12x").run()
    assert "only the digits 0-9" in texts(at.error)


def test_a_tiny_training_becomes_the_pages_model(monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "10")
    at = open_page(ATTENTION)
    at.selectbox(key="attention-task").set_value("copy")
    at.button(key="attention-train").click().run()
    view = at.session_state["attention-training"]
    assert view.job.wait(timeout=120), "the training did not finish"
    at.run()
    assert not at.exception
    assert "Training finished" in texts(at.success)
    assert view.history.steps["alignment"], "the page did not read the alignment"
    assert at.radio(key=MODEL_RADIO).value == ui.SESSION
    assert "from uniform to the diagonal" in texts(at.caption)
    assert "**copy** 31415926" in texts(at.markdown)
