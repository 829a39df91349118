"""The regularisation page through Streamlit's AppTest: every model's survival probability for
the form's passenger at once, a first-class woman's better than a third-class man's, the gap and
the split are there, bad settings are refused, and a tiny training becomes the page's models."""

from __future__ import annotations

import re

from helpers import model_radio, open_lab, texts, train_on_page

from core.registry import get_lab

LAB = get_lab("regularisation")
PREDICT = "regularisation-predict"
ANSWER = re.compile(r"\*\*no regularisation: ([\d.]+)%\*\* · \*\*L1: ([\d.]+)%\*\*")


def chances(at) -> list[float]:
    """The plain and L1 models' probabilities, from the answer of Describe a passenger."""
    answer = next(m.value for m in at.markdown if ANSWER.search(m.value))
    return [float(p) for p in ANSWER.search(answer).groups()]


def test_the_page_opens_on_the_bundled_models_and_answers_for_a_passenger():
    at = open_lab("regularisation")
    assert at.title[0].value == LAB.spec.heading
    assert model_radio(at, "regularisation").value == "Bundled default"
    assert "held-out log loss" in texts(at.caption) and "logistic regression" in texts(at.caption)
    assert "Titanic passengers (vcdExtra::Titanicp, GPL-2 or later" in texts(at.caption)
    assert "hidden sizes 64" in texts(at.caption)  # the course's recipe beside Train
    man = chances(at)  # the form's default: a 30-year-old third-class man
    assert all(p < 30 for p in man)
    at.selectbox(key=f"{PREDICT}-pclass").set_value("1st")
    at.selectbox(key=f"{PREDICT}-sex").set_value("female").run()
    assert all(w > 80 > m for w, m in zip(chances(at), man, strict=True))
    assert not at.exception and not at.warning


def test_the_gap_and_the_split_are_shown():
    at = open_lab("regularisation")
    tables = [frame.value for frame in at.dataframe]
    gap = next(t for t in tables if "held-out log loss" in t.columns)
    assert list(gap["model"])[:4] == ["no regularisation", "L1", "L2", "dropout"]
    rows = next(t for t in tables if "split" in t.columns)
    assert set(rows["split"]) == {"train", "held-out"} and list(rows["row"])[:3] == [1, 2, 3]
    assert "closes" in texts(at.markdown)
    assert not at.exception


def test_bad_settings_and_inputs_get_a_message():
    at = open_lab("regularisation")
    at.text_input(key="regularisation-hidden_sizes").set_value("huge").run()
    assert "'huge' is not a layer width" in texts(at.error)
    assert at.button(key="regularisation-train").disabled  # nothing to train until it is fixed
    at.selectbox(key="regularisation-data-part").set_value("held-out")
    at.number_input(key="regularisation-data-start").set_value(300).run()
    assert "262 held-out rows; pick a number from 0 to 261" in texts(at.warning)
    assert not at.exception


def test_a_tiny_training_becomes_the_pages_models():
    at, view = train_on_page("regularisation", {"hidden_sizes": "32"}, max_steps=20)
    assert "Training finished (ended by the step limit)" in texts(at.success)
    for name in ("plain", "l1", "l2", "dropout"):
        assert view.history.steps[f"{name}_batch_loss"]
    assert "trained in this session" in texts(at.caption)
    assert len(chances(at)) == 2
