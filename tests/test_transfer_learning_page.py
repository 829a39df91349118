"""The transfer-learning page through Streamlit's AppTest: the ready-made classes are taught on
the button and a bundled photo answered; "My own classes" draws a name, an uploader and a webcam
switch per class and waits for pictures (AppTest cannot upload: the core and CLI tests cover
the pictures themselves)."""

from __future__ import annotations

from helpers import open_lab, texts

KEY = "transfer-learning-your-classes"


def test_the_ready_made_classes_are_taught_and_own_classes_wait_for_pictures():
    at = open_lab("transfer-learning")
    at.checkbox(key=f"{KEY}-fine_tune").uncheck()  # the frozen head only: seconds, not tens
    at.button(key=f"{KEY}-run").click().run()
    assert not at.exception, at.exception
    assert "Trained on 6 classes from Fashion-MNIST" in texts(at.markdown)

    at.radio(key=f"{KEY}-images-source").set_value("My own classes").run()
    assert at.text_input(key=f"{KEY}-images-name-1").value == "Class 2"
    assert "Add pictures to your classes" in texts(at.info)
    at.number_input(key=f"{KEY}-images-count").set_value(3).run()
    assert at.text_input(key=f"{KEY}-images-name-2").value == "Class 3"
    assert not at.exception
