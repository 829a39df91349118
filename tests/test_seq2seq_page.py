"""The seq2seq page through Streamlit's AppTest: the bundled pair translates at once with an
alignment, unknown words and bad text get messages, held-out sentences show their reference, and
a tiny training of both models becomes the page's pair, drawn side by side."""

from __future__ import annotations

import json

from helpers import model_radio, open_lab, texts, train_on_page


def test_the_bundled_pair_translates_explains_bad_text_and_shows_references():
    at = open_lab("seq2seq")
    assert model_radio(at, "seq2seq").value == "Bundled tatoeba"
    assert "Tatoeba held-out BLEU" in texts(at.caption) and "with attention" in texts(at.caption)
    assert "The course recipe: cell lstm, attention dot" in texts(at.caption)
    shown = texts(at.markdown)
    assert "**With attention:**" in shown and "**Without attention:**" in shown
    assert "short everyday English sentences" in shown  # the limits, beside the answer
    assert any(
        chart.proto.id.endswith("-seq2seq-translate-output-alignment") for chart in at.get("plotly_chart")
    )

    box = at.text_input(key="seq2seq-translate-text")
    box.set_value("the zorblax sleeps.").run()
    assert "read as `<unk>`: `zorblax`" in texts(at.markdown)
    at.text_input(key="seq2seq-translate-text").set_value("zorblax 😀").run()
    assert "None of these words" in texts(at.warning)
    at.text_input(key="seq2seq-translate-text").set_value("").run()
    assert "the text is empty" in texts(at.warning)
    assert not at.exception

    at.slider(key="seq2seq-heldout-index").set_value(1).run()
    assert "Held-out sentence 1:" in texts(at.markdown)
    assert "Reference (a held-out sentence, never trained on)" in texts(at.markdown)
    assert not at.exception


def test_a_tiny_training_becomes_the_pages_pair():
    settings = {"corpus": "generated", "corpus_size": 300, "hidden": 24, "embedding": 16, "epochs": 1}
    at, view = train_on_page("seq2seq", settings, max_steps=4, timeout=180)
    assert view.history.steps["loss_attention"] and view.history.steps["loss_plain"]
    training = [chart for chart in at.get("plotly_chart") if "-seq2seq-training-chart-" in chart.proto.id]
    assert len(training) == 3  # losses, held-out BLEU, BLEU on long sentences
    for chart in training:  # both models on each chart
        names = " / ".join(trace.get("name", "") for trace in json.loads(chart.proto.spec)["data"])
        assert "with attention" in names and "without attention" in names, names
    long = json.loads(training[2].proto.spec)
    assert "longer than 8 words" in long["layout"]["title"]["text"] and long["data"]  # each epoch's end
    assert "trained in this session" in texts(at.caption)
