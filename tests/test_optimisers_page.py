"""The optimisers page through Streamlit's AppTest: the 2-D paths and the bundled copies' curves
at once, a start off the plot refused with a message, and a tiny side-by-side training (every
optimiser's curves on one chart) that becomes the page's model."""

from __future__ import annotations

from helpers import model_radio, open_lab, texts, train_on_page

PATHS = "optimisers-paths"


def titles(at) -> list[str]:
    """The charts' titles as one line each (long titles are broken into lines by charts.fit_title)."""
    return [
        chart.proto.spec.replace("\\u003cbr\\u003e", " ").replace("<br>", " ")
        for chart in at.get("plotly_chart")
    ]


def test_the_page_opens_on_the_paths_and_the_bundled_copies_curves():
    at = open_lab("optimisers")
    assert model_radio(at, "optimisers").value == "Bundled all"
    assert "held-out accuracy SGD" in texts(at.caption) and "AdamW" in texts(at.caption)
    assert "The course recipe: optimisers sgd, rmsprop, adam" in texts(at.caption)
    paths, curves = (frame.value for frame in at.dataframe[:2])
    assert list(paths["optimiser"]) == ["SGD", "SGD + momentum", "Nesterov", "RMSProp", "Adam", "AdamW"]
    assert list(curves["optimiser"])[-1] == "AdamW" and "held-out accuracy (%)" in curves.columns
    assert any("Ravine: 500 steps from (-5.5, 2)" in title for title in titles(at))
    assert any("Training loss, every copy from the same start" in title for title in titles(at))
    at.selectbox(key=f"{PATHS}-surface").set_value("saddle").run()
    assert any("Saddle: 500 steps" in title for title in titles(at))
    assert not at.exception and not at.error


def test_a_start_off_the_plot_gets_a_message():
    at = open_lab("optimisers")
    at.checkbox(key=f"{PATHS}-own_start").check()
    at.number_input(key=f"{PATHS}-start_x").set_value(40.0).run()
    assert "Start (40, 1.5) is off the plot of the ravine" in texts(at.warning)
    assert not at.exception


def test_a_tiny_side_by_side_training_becomes_the_pages_model():
    settings = {"optimisers": ["sgd", "adam"], "epochs": 1}
    at, view = train_on_page("optimisers", settings, max_steps=4)
    assert view.history.epochs["heldout_adam_accuracy"], "no held-out figure for Adam"
    assert any("Training loss (per step, smoothed)" in title for title in titles(at))
    curves = next(frame.value for frame in at.dataframe if "held-out loss" in frame.value.columns)
    assert list(curves["optimiser"]) == ["SGD", "Adam"]
