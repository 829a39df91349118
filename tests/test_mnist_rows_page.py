"""The MNIST row-by-row page through Streamlit's AppTest: the bundled readers and their scores at
once, a digit uploaded and read by every reader, an empty selection of models refused, and a tiny
side-by-side training (every reader's curves on one chart) that becomes the page's models."""

from __future__ import annotations

from helpers import digit_one_png, model_radio, open_lab, texts, train_on_page


def test_the_page_opens_on_the_bundled_readers_and_their_scores():
    at = open_lab("mnist-rows")
    assert model_radio(at, "mnist-rows").value == "Bundled all"
    facts = texts(at.caption)
    assert "held-out accuracy RNN" in facts and "Bidirectional LSTM" in facts and "trained on MNIST" in facts
    table = at.dataframe[0].value
    bilstm = table[table["model"] == "Bidirectional LSTM"].iloc[0]
    assert bilstm["course (%)"] == 97.31  # the course's figure beside ours
    assert "Draw or upload a picture" in texts(at.info)
    assert at.multiselect(key="mnist-rows-models").value == ["rnn", "lstm", "bilstm"]
    assert "The course recipe: hidden size 128" in facts
    assert not at.error and not at.exception


def test_an_uploaded_digit_is_read_by_every_model():
    at = open_lab("mnist-rows")
    at.file_uploader(key="mnist-rows-read-image-upload").upload("one.png", digit_one_png(), "image/png").run()
    assert not at.exception
    answers = texts(at.markdown)
    assert "| Bidirectional LSTM | **1** |" in answers and "### RNN: 1" in answers
    # Long titles are broken into lines (charts.fit_title): read them as one line again.
    titles = [
        chart.proto.spec.replace("\\u003cbr\\u003e", " ").replace("<br>", " ")
        for chart in at.get("plotly_chart")
    ]
    assert sum("hidden state after each row" in spec for spec in titles) == 5
    assert any("forward units, then backward" in spec for spec in titles)


def test_an_empty_selection_of_models_is_refused_and_cannot_train():
    at = open_lab("mnist-rows")
    at.multiselect(key="mnist-rows-models").set_value([]).run()
    assert "pick at least one" in texts(at.error)
    assert at.button(key="mnist-rows-train").disabled
    assert not at.exception


def test_a_tiny_side_by_side_training_becomes_the_pages_models():
    settings = {"models": ["rnn", "gru"], "hidden_size": 16, "epochs": 1}
    at, view = train_on_page("mnist-rows", settings, max_steps=4)
    assert view.history.epochs["heldout_gru_accuracy"], "no held-out figure for the GRU"
    # Long titles are broken into lines (charts.fit_title): read them as one line again.
    titles = [
        chart.proto.spec.replace("\\u003cbr\\u003e", " ").replace("<br>", " ")
        for chart in at.get("plotly_chart")
    ]
    assert any("Held-out accuracy (live sample" in spec for spec in titles)
    assert "each model's answer" in texts(at.caption)  # the samples' title
    table = at.dataframe[0].value
    assert list(table["model"]) == ["RNN", "GRU"]
