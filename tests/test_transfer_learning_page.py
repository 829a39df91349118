"""The transfer-learning page through Streamlit's AppTest: the ready-made classes are taught on
the button and a bundled photo answered; "My own classes" draws a name, an uploader and a webcam
switch per class and waits for pictures; pictures uploaded to a class are counted under it, and
a file that is no picture is named there with its reason on every run while it stays uploaded
(AppTest uploads through `file_uploader(...).upload`; the core and CLI tests cover the pictures
themselves, the browser tests a real upload)."""

from __future__ import annotations

import io

from helpers import open_lab, texts
from PIL import Image

KEY = "transfer-learning-your-classes"
REFUSED = "notes.png refused: The file is not a readable png, jpg or webp image (or it is truncated)"


def red_png(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 48), (shade, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


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

    # Two pictures and a text file named like one: the file is refused, and says so in the
    # class's summary on this run and the next ones (it was once said on this run only).
    uploader = at.file_uploader(key=f"{KEY}-images-upload-0")
    uploader.upload("red1.png", red_png(200), "image/png").upload("red2.png", red_png(230), "image/png")
    uploader.upload("notes.png", b"not a picture", "image/png")
    at.run()
    assert f"2 pictures ({REFUSED})" in texts(at.warning)
    at.text_input(key=f"{KEY}-images-name-0").set_value("red").run()  # a later run
    assert f"2 pictures ({REFUSED})" in texts(at.warning)
    assert [caption.value for caption in at.caption].count("0 pictures") == 2  # the other classes
    # Removed, the file is no longer named.
    at.file_uploader(key=f"{KEY}-images-upload-0").set_value(
        [("red1.png", red_png(200), "image/png"), ("red2.png", red_png(230), "image/png")]
    ).run()
    assert "refused" not in texts(at.warning)
    assert "2 pictures" in [caption.value for caption in at.caption]
    assert not at.exception
