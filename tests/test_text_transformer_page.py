"""The text Transformer page through Streamlit's AppTest: the bundled encoder's scores beside the
LSTM and GRU, a typed review's attention, bad text refused, and a tiny training."""

from __future__ import annotations

from helpers import model_radio, open_lab, texts, train_on_page

CLASSIFY = "text-transformer-classify"


def test_the_page_scores_the_bundled_encoder_and_a_typed_review():
    at = open_lab("text-transformer")
    assert model_radio(at, "text-transformer").value == "Bundled cls"
    assert "TF-IDF baseline" in texts(at.caption) and "MIT licence" in texts(at.caption)
    table = next(frame.value for frame in at.dataframe if "F1 of great" in frame.value.columns)
    assert list(table["model"])[:3] == ["Transformer", "LSTM (sentiment lab)", "GRU (sentiment lab)"]
    at.text_area(key=f"{CLASSIFY}-review").set_value("Stale and bland. Zxqvl.").run()
    assert "| Transformer | **" in texts(at.markdown) and "`Zxqvl`" in texts(at.markdown)
    at.text_area(key=f"{CLASSIFY}-review").set_value("qwzx vbnq").run()
    assert "None of these words" in texts(at.warning)
    assert not at.exception


def test_a_tiny_training_becomes_the_pages_model():
    settings = {"d_model": 16, "heads": 2, "layers": 1, "epochs": 1}
    at, view = train_on_page("text-transformer", settings, max_steps=4)
    assert view.history.epochs["heldout_accuracy"]
    assert "| Transformer | **" in texts(at.markdown)
