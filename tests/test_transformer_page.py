"""The Transformer page through Streamlit's AppTest: the bundled model translates at once with its
attention maps, beam search, layers and heads, held-out sentences with their reference, bad input,
and a tiny training that becomes the page's model."""

from __future__ import annotations

import json

from helpers import model_radio, open_lab, texts, train_on_page

TRANSLATE = "transformer-translate"


def test_the_page_translates_with_the_bundled_model_and_draws_the_attention():
    at = open_lab("transformer")
    assert model_radio(at, "transformer").value == "Bundled tatoeba"
    assert "Tatoeba held-out BLEU" in texts(at.caption)
    assert "The course recipe: d model 256" in texts(at.caption)
    assert "Tom" in texts(at.code)  # the default sentence's name comes through
    assert "short everyday English sentences" in texts(at.markdown)  # the limits, beside the answer
    assert "greedy search" in texts(at.markdown)
    keys = {chart.proto.id.rsplit(f"{TRANSLATE}-output-", 1)[-1] for chart in at.get("plotly_chart")}
    assert {"cross_attention", "encoder_attention", "every_head"} <= keys
    assert not at.error and not at.exception

    at.slider(key=f"{TRANSLATE}-beam").set_value(4).run()
    assert "beam search, width 4" in texts(at.markdown)
    at.slider(key=f"{TRANSLATE}-head").set_value(2).run()
    at.slider(key=f"{TRANSLATE}-layer").set_value(1).run()
    assert not at.exception


def test_bad_text_and_bad_settings_are_said_not_traced():
    at = open_lab("transformer")
    at.slider(key="transformer-heads").set_value(3)
    at.button(key="transformer-train").click().run()
    assert "3 heads do not divide the model width 128" in texts(at.error)
    at.text_input(key=f"{TRANSLATE}-text").set_value("the zorblax sleeps.").run()
    assert "read as `<unk>`: `zorblax`" in texts(at.markdown)
    at.text_input(key=f"{TRANSLATE}-text").set_value("").run()
    assert "the text is empty" in texts(at.warning)
    assert not at.exception


def test_a_heldout_sentence_shows_its_reference():
    at = open_lab("transformer")
    at.slider(key="transformer-heldout-index").set_value(1).run()
    assert "Held-out sentence 1:" in texts(at.markdown)
    assert "Reference (a held-out sentence, never trained on)" in texts(at.markdown)


def test_a_tiny_training_becomes_the_pages_model():
    settings = {"corpus": "generated", "corpus_size": 500, "d_model": 32, "layers": 1}
    at, view = train_on_page("transformer", settings, max_steps=3)
    assert view.history.epochs["heldout_bleu"], "the page did not read the job's BLEU"
    training = [chart for chart in at.get("plotly_chart") if "-transformer-training-chart-" in chart.proto.id]
    assert len(training) == 3  # loss, held-out BLEU, and the held-out translations
    table = json.loads(training[2].proto.spec)
    assert table["layout"]["title"]["text"].startswith("Held-out sentences at epoch")
    assert all("→" in line and "(reference: " in line for line in table["data"][0]["cells"]["values"][0])
