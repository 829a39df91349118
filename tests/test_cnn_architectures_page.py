"""The cnn-architectures page through Streamlit's AppTest: it opens on the bundled networks and
their side-by-side table, a test picture is classified by every network, an empty selection of
networks is refused, and a tiny time-shared training becomes the page's networks."""

from __future__ import annotations

from helpers import model_radio, open_lab, texts, train_on_page


def test_the_page_opens_on_the_bundled_networks_side_by_side():
    at = open_lab("cnn-architectures")
    assert model_radio(at, "cnn-architectures").value == "Bundled all"
    facts = texts(at.caption)
    assert "test accuracy after 40 s each: Simple CNN" in facts and "Small ResNet" in facts
    table = at.dataframe[0].value
    assert list(table["network"])[:3] == ["Simple CNN", "Small VGG", "Small ResNet"]
    assert "The course recipe:" in facts
    answers = texts(at.markdown)
    assert "Test picture 0: a **Ankle boot**." in answers  # the classify tab's example
    assert not at.error and not at.exception


def test_an_empty_selection_of_networks_is_refused_and_cannot_train():
    at = open_lab("cnn-architectures")
    at.multiselect(key="cnn-architectures-models").set_value([]).run()
    assert "pick at least one" in texts(at.error)
    assert at.button(key="cnn-architectures-train").disabled
    assert not at.exception


def test_a_tiny_training_becomes_the_pages_networks():
    settings = {
        "models": ["simple", "vgg"],
        "width": 8,
        "train_images": 500,
        "test_images": 200,
        "deep_layers": 0,
    }
    at, view = train_on_page("cnn-architectures", settings, max_steps=4)
    assert view.history.epochs["heldout_vgg_accuracy"], "no held-out figure for the VGG"
    titles = [
        chart.proto.spec.replace("\\u003cbr\\u003e", " ").replace("<br>", " ")
        for chart in at.get("plotly_chart")
    ]
    assert any("Held-out accuracy at each quarter" in spec for spec in titles)
    table = at.dataframe[0].value
    assert list(table["network"]) == ["Simple CNN", "Small VGG"]
