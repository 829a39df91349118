"""The sentiment page through Streamlit's AppTest: the bundled readers, their scores beside the
baseline, a typed review scored word by word, bad text refused with a message, and a tiny
side-by-side training that becomes the page's readers."""

from __future__ import annotations

from helpers import model_radio, open_lab, texts, train_on_page

CLASSIFY = "sentiment-classify"


def test_the_page_opens_on_the_bundled_readers_and_their_scores():
    at = open_lab("sentiment")
    assert model_radio(at, "sentiment").value == "Bundled both"
    facts = texts(at.caption)
    assert "held-out accuracy LSTM" in facts and "TF-IDF baseline" in facts
    assert "Amazon fine-food reviews" in facts and "MIT licence" in facts
    assert "The course recipe: embedding dim 100" in facts
    tables = [frame.value for frame in at.dataframe]
    scores = next(t for t in tables if "F1 of great" in t.columns)
    assert list(scores["model"]) == ["LSTM", "GRU", "TF-IDF + logistic regression", "always say great"]
    assert not at.error and not at.exception


def test_a_typed_review_is_scored_and_bad_text_gets_a_message():
    at = open_lab("sentiment")
    assert "| LSTM | **" in texts(at.markdown)  # the example review, scored at once
    at.text_area(key=f"{CLASSIFY}-review").set_value("Stale and bland, a waste of money. Zxqvl.").run()
    assert not at.exception
    answers = texts(at.markdown)
    assert "| LSTM | **" in answers and "`Zxqvl`" in answers
    at.text_area(key=f"{CLASSIFY}-review").set_value("qwzx vbnq").run()
    assert "None of these words" in texts(at.warning)
    assert not at.exception


def test_a_tiny_side_by_side_training_becomes_the_pages_readers():
    settings = {"models": ["lstm", "gru"], "embedding_dim": 8, "hidden_size": 8, "epochs": 1}
    at, view = train_on_page("sentiment", settings, max_steps=4)
    assert view.history.epochs["heldout_gru_accuracy"], "no held-out figure for the GRU"
    titles = [chart.proto.spec for chart in at.get("plotly_chart")]
    assert any("Held-out accuracy" in spec for spec in titles)
    table = next(frame.value for frame in at.dataframe if "F1 of great" in frame.value.columns)
    assert list(table["model"])[:2] == ["LSTM", "GRU"]
