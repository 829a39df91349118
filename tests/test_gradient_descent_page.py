"""The gradient descent page through Streamlit's AppTest: the bundled copies' loss against the
three x-axes at once, the gradient noise for a batch size, an empty choice of ways refused, and a tiny
training (every way's curves) that becomes the page's model."""

from __future__ import annotations

from helpers import model_radio, open_lab, texts, train_on_page


def titles(at) -> list[str]:
    """The charts' titles as one line each (long titles are broken into lines by charts.fit_title)."""
    return [
        chart.proto.spec.replace("\\u003cbr\\u003e", " ").replace("<br>", " ")
        for chart in at.get("plotly_chart")
    ]


def test_the_page_opens_on_the_three_x_axes_and_measures_the_noise():
    at = open_lab("gradient-descent")
    assert model_radio(at, "gradient-descent").value == "Bundled all"
    assert "held-out accuracy Batch GD" in texts(at.caption)
    assert "The course recipe: batch size 64, learning rate 0.01, momentum 0.9, epochs 15" in texts(
        at.caption
    )
    shown = titles(at)
    for heading in ("Loss against epochs", "Loss against updates", "Loss against seconds"):
        assert any(heading in title for title in shown), heading
    table = next(frame.value for frame in at.dataframe if "updates" in frame.value.columns)
    assert list(table["way"]) == ["Batch GD", "Mini-batch GD", "Stochastic GD"]
    at.button(key="gradient-descent-noise-run").click().run()
    assert "digits per batch" in texts(at.markdown)
    assert any("Mini-batch gradients of 16 digits" in title for title in titles(at))
    assert not at.exception and not at.error


def test_no_way_picked_cannot_train():
    at = open_lab("gradient-descent")
    at.multiselect(key="gradient-descent-methods").set_value([]).run()
    assert "pick at least one" in texts(at.error)
    assert at.button(key="gradient-descent-train").disabled
    assert not at.exception


def test_a_tiny_training_becomes_the_pages_model():
    settings = {"methods": ["batch", "mini-batch"], "epochs": 1}
    at, view = train_on_page("gradient-descent", settings, max_steps=6)
    assert view.history.steps["mini-batch_updates"][-1][1] == 6
    assert any("Loss against seconds" in title for title in titles(at))
