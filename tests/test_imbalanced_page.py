"""The imbalanced data page through Streamlit's AppTest: every model scores the typical customer
at once, the threshold slider moves the confusion matrix, the trap is in the scores, bad
settings are refused, and a tiny training becomes the page's model."""

from __future__ import annotations

import re

from helpers import open_lab, texts, train_on_page, widget

from core.registry import get_lab

LAB = get_lab("imbalanced")
MODEL_RADIO = "imbalanced-training-model"
ANSWER = re.compile(r"\*\*plain: ([\d.]+)%\*\*")
CAUGHT = re.compile(r"catches \*\*(\d+) of 67 defaulters\*\*")


def plain_probability(at) -> float:
    return float(next(ANSWER.search(m.value).group(1) for m in at.markdown if ANSWER.search(m.value)))


def caught(at) -> int:
    return int(next(CAUGHT.search(m.value).group(1) for m in at.markdown if CAUGHT.search(m.value)))


def test_the_page_opens_on_the_bundled_models_and_scores_a_customer():
    at = open_lab("imbalanced")
    assert at.title[0].value == LAB.spec.heading
    assert at.radio(key=MODEL_RADIO).value == "Bundled default"
    assert "recall / precision at 0.5: plain" in texts(at.caption)
    assert "Credit card defaults (ISLR::Default, GPL-2 (ISLR))" in texts(at.caption)
    assert "hidden sizes 16, 8" in texts(at.caption)  # the course's recipe beside Train
    typical = plain_probability(at)
    widget(at, "imbalanced-customer-balance").set_value(2500).run()
    assert plain_probability(at) > typical
    assert not at.exception and not at.warning


def test_the_threshold_slider_moves_the_confusion_matrix_and_the_scores_show_the_trap():
    at = open_lab("imbalanced")
    at_half = caught(at)
    widget(at, "imbalanced-threshold-threshold").set_value(0.1).run()
    assert caught(at) > at_half
    tables = [frame.value for frame in at.dataframe]
    scores = next(t for t in tables if "PR-AUC" in t.columns)
    assert list(scores["model"])[:2] == ["plain", "class weights"]
    assert "96.7% accuracy" in texts(at.markdown)
    at.radio(key=MODEL_RADIO).set_value("Bundled rarer").run()
    assert "25% of the training defaulters kept" in texts(at.caption)
    assert not at.exception


def test_bad_settings_and_inputs_get_a_message():
    at = open_lab("imbalanced")
    at.text_input(key="imbalanced-hidden_sizes").set_value("lots").run()
    assert "'lots' is not a layer width" in texts(at.error)
    assert at.button(key="imbalanced-train").disabled  # nothing to train until it is fixed
    at.text_input(key="imbalanced-hidden_sizes").set_value("8")
    widget(at, "imbalanced-defaults_kept").set_value(0.02)
    widget(at, "imbalanced-smote_neighbours").set_value(10).run()
    at.button(key="imbalanced-train").click().run()  # checked when the training is asked for
    assert "lower k or keep more defaulters" in texts(at.error)
    widget(at, "imbalanced-heldout-group").set_value("defaulters")
    widget(at, "imbalanced-heldout-index").set_value(80).run()
    assert "there are 67 defaulters; pick a number from 0 to 66" in texts(at.warning)
    assert not at.exception


def test_a_tiny_training_becomes_the_pages_model():
    at, view = train_on_page(
        "imbalanced", {"hidden_sizes": "8", "methods": ["plain", "weights"]}, max_steps=20
    )
    assert view.history.steps["plain_loss"] and view.history.steps["weights_loss"]
    assert "trained in this session" in texts(at.caption)
    assert re.search(r"\*\*plain: [\d.]+%\*\* · \*\*class weights: [\d.]+%\*\*$", texts(at.markdown), re.M)
