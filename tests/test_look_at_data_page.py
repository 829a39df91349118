"""The look-at-data page through Streamlit's AppTest: the counts and pixels of MNIST at once, with
no training; the map drawn when asked; an image number beyond the split refused with a message;
Fashion-MNIST's classes; the bundled model's mistakes on the map."""

from __future__ import annotations

from helpers import model_radio, open_lab, texts

KEY = "look-at-data"


def chart_titles(at) -> str:
    return " ".join(chart.proto.spec.replace("\\u003cbr\\u003e", " ") for chart in at.get("plotly_chart"))


def test_the_explorer_answers_without_training(data_dir):
    at = open_lab(KEY)
    assert model_radio(at, KEY).value == "Bundled mnist"
    assert "This split holds 12,000 images" in texts(at.markdown)
    assert "Images per class (train)" in chart_titles(at)
    assert "The course recipe: learning rate 0.0001, batch size 64, epochs 10" in texts(at.caption)
    at.button(key=f"{KEY}-map-run").click().run()
    assert "PCA map of 2,000 of the MNIST training images" in chart_titles(at)
    at.selectbox(key=f"{KEY}-image-split").set_value("held-out")
    at.number_input(key=f"{KEY}-image-index").set_value(5000).run()
    assert "numbered 0 to 3,603, not 5,000" in texts(at.warning)
    at.selectbox(key=f"{KEY}-overview-dataset").set_value("fashion-mnist").run()
    assert "Fashion-MNIST, 60,000 train / 10,000 held-out" in texts(at.markdown)
    assert not at.exception


def test_the_bundled_models_mistakes_are_placed_on_the_map(data_dir):
    at = open_lab(KEY)
    at.button(key=f"{KEY}-mistakes-run").click().run()
    assert "Held-out accuracy **95.53%**" in texts(at.markdown)
    assert "The model's held-out mistakes on the PCA map" in chart_titles(at)
    assert not at.exception
