"""The forecast page through Streamlit's AppTest: the bundled forecasters and their scores at
once, a warmer last week moves the forecasts, bad input gets a message, and a tiny side-by-side
training becomes the page's models."""

from __future__ import annotations

from helpers import model_radio, open_lab, texts, train_on_page


def chart_titles(at) -> list[str]:
    # Long titles are broken into lines (charts.fit_title): read them as one line again.
    return [
        chart.proto.spec.replace("\\u003cbr\\u003e", " ").replace("<br>", " ")
        for chart in at.get("plotly_chart")
    ]


def table_with(at, column: str):
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def test_the_page_opens_on_the_bundled_forecasters_and_their_scores():
    at = open_lab("forecast")
    assert model_radio(at, "forecast").value == "Bundled melbourne"
    facts = texts(at.caption)
    assert "held-out one-step MAE RNN" in facts and "seasonal naive" in facts
    assert "The course recipe:" in facts and "window 10" in facts
    scores = table_with(at, "MASE")
    lstm = scores[scores["model"] == "LSTM"].iloc[0]
    assert lstm["MASE"] < 1 and lstm["beats seasonal naive"] == "yes"
    titles = chart_titles(at)
    assert any("Held-out MAE against the horizon" in t for t in titles)
    assert any("a window and its target" in t for t in titles)
    assert not at.exception and not at.error


def test_a_warmer_last_week_moves_the_forecasts_and_bad_values_get_a_message():
    at = open_lab("forecast")
    before = table_with(at, "mean change over 7")
    assert (before["mean change over 7"] > 0).all()  # the default edit: 5 degrees warmer
    at.slider(key="forecast-what_if-shift").set_value(-5.0).run()
    after = table_with(at, "mean change over 7")
    assert (after["mean change over 7"] < 0).all()
    at.text_input(key="forecast-what_if-values").set_value("20, warm").run()
    assert "'warm' is not a number" in texts(at.warning) + texts(at.error)
    assert not at.exception


def test_a_tiny_side_by_side_training_becomes_the_pages_models():
    at, view = train_on_page(
        "forecast", {"models": ["lstm", "gru"], "hidden_size": 8, "epochs": 1, "window": 10}, max_steps=3
    )
    assert view.history.epochs["heldout_gru_mae"], "no held-out figure for the GRU"
    assert any("Held-out one-step MAE (each epoch's end)" in t for t in chart_titles(at))
    assert list(table_with(at, "MASE")["model"])[:2] == ["LSTM", "GRU"]
