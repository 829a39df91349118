"""The attention page through Streamlit's AppTest: the explorer's heatmaps and controls, bad input
as a message, the bundled toy models, and a tiny training that becomes the page's model."""

from __future__ import annotations

import json

from helpers import model_radio, open_lab, texts, train_on_page


def chart(at, key: str) -> dict:
    """The plotly figure of the chart with this key, as its JSON."""
    (element,) = [e for e in at.get("plotly_chart") if e.proto.id.endswith(f"-{key}")]
    return json.loads(element.proto.spec)


def charts_with(at, key: str) -> list:
    return [e for e in at.get("plotly_chart") if e.proto.id.endswith(f"-{key}")]


def test_the_explorer_shows_weights_that_follow_the_controls():
    at = open_lab("attention")
    assert not at.error
    assert "`cats` → `cat`" in texts(at.markdown)
    weights = chart(at, "attention-explore-output-weights")["data"][0]["z"]
    assert len(weights) == 6 and all(abs(sum(row) - 1) < 1e-6 for row in weights)
    assert charts_with(at, "attention-explore-output-gru_state") and charts_with(
        at, "attention-explore-output-outputs"
    )
    assert not charts_with(at, "attention-explore-output-per_head")  # one head: nothing to split

    at.slider(key="attention-explore-heads").set_value(4).run()
    assert len(chart(at, "attention-explore-output-per_head")["data"]) == 4  # each head on its own
    at.checkbox(key="attention-explore-causal").check().run()
    causal = chart(at, "attention-explore-output-weights")["data"][0]["z"]
    assert causal[0][1:] == [0, 0, 0, 0, 0]
    at.slider(key="attention-explore-pad_to").set_value(8).run()
    assert "<pad>" in chart(at, "attention-explore-output-weights")["layout"]["xaxis"]["ticktext"]
    at.select_slider(key="attention-explore-temperature").set_value(0.01).run()
    assert not at.exception
    at.slider(key="attention-explore-heads").set_value(3).run()
    assert "3 heads do not divide the 64 dimensions" in texts(at.warning)  # a message, not a traceback
    at.slider(key="attention-explore-heads").set_value(1).run()
    at.text_input(key="attention-explore-query").set_value("   ").run()
    assert "query sentence is empty" in texts(at.warning)
    assert not at.exception


def test_the_bundled_toy_models_reverse_and_copy_typed_digits():
    at = open_lab("attention")
    assert model_radio(at, "attention").value == "Bundled reverse"
    assert "**reverse** 31415926 → **62951413** (right)" in texts(at.markdown)
    at.text_input(key="attention-toy-digits").set_value("12x").run()
    assert "only the digits 0-9" in texts(at.warning)
    model_radio(at, "attention").set_value("Bundled copy").run()
    at.text_input(key="attention-toy-digits").set_value("2718").run()
    assert "**copy** 2718 → **2718** (right)" in texts(at.markdown)


def test_a_tiny_training_becomes_the_pages_model():
    at, view = train_on_page("attention", {"task": "copy"}, max_steps=10, timeout=120)
    assert view.history.steps["alignment"], "the page did not read the alignment"
    assert "from uniform to the diagonal" in texts(at.caption)
    assert "**copy** 31415926" in texts(at.markdown)
