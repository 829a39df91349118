"""The binary autoencoder page through Streamlit's AppTest: the bundled model at once on a digit
it memorised, its 48 bits as ticks, a flipped bit that changes the decoded digit, an uploaded
digit's bits, a typed code, the scores, and a tiny training that becomes the page's model."""

from __future__ import annotations

from helpers import digit_one_png, model_radio, open_lab, texts, train_on_page


def image_captions(at) -> str:
    return "\n".join(caption for image in at.get("image") for caption in image.captions)


def ticks(at, prefix: str) -> list:
    return [box for box in at.checkbox if box.key and box.key.startswith(prefix)]


def test_a_memorised_digit_shows_its_bits_and_a_flip_changes_the_digit():
    at = open_lab("binary-ae")
    assert model_radio(at, "binary-ae").value == "Bundled fast"
    assert "training digits it memorises" in texts(at.caption)
    bits = ticks(at, "binary-ae-digit-bit-")
    assert len(bits) == 48
    code = at.get("code")[0].value
    assert len(code) == 48 and [box.value for box in bits] == [c == "1" for c in code]
    assert "With 0 bits flipped" in image_captions(at)
    assert "Draw a digit on the black pad" in texts(at.info)  # the drawing tab, before a drawing

    bits[5].set_value(not bits[5].value).run()
    assert not at.exception
    assert "With 1 bit flipped" in image_captions(at)
    at.button(key="binary-ae-digit-reset").click().run()
    assert "With 0 bits flipped" in image_captions(at)  # every tick back at the encoded bits
    box = ticks(at, "binary-ae-digit-bit-")[5]
    box.set_value(not box.value).run()
    assert "With 1 bit flipped" in image_captions(at)

    at.number_input(key="binary-ae-digit-index").set_value(7).run()
    assert "With 0 bits flipped" in image_captions(at)  # a new digit starts from its own bits
    at.selectbox(key="binary-ae-digit-split").set_value("held-out").run()
    assert "Held-out digit 7: one it never saw" in texts(at.markdown)
    at.number_input(key="binary-ae-digit-index").set_value(5000).run()
    assert "from 0 to 3,603" in texts(at.warning)
    assert not at.error and not at.exception


def test_an_upload_a_typed_code_and_the_scores():
    at = open_lab("binary-ae")
    at.file_uploader(key="binary-ae-encode-image-upload").upload(
        "one.png", digit_one_png(), "image/png"
    ).run()
    assert not at.exception
    assert len(ticks(at, "binary-ae-encode-bit-")) == 48
    assert "Reconstruction from its 48 bits" in texts(at.markdown)

    at.text_input(key="binary-ae-decode-flips").set_value("0, 47").run()
    assert "with 2 bits flipped in each" in texts(at.markdown)
    at.text_input(key="binary-ae-decode-flips").set_value("48").run()
    assert "numbered 0 to 47" in texts(at.warning)
    assert "Memorised digits, 48-bit codes" in str(at.dataframe[0].value)
    assert not at.error and not at.exception


def test_a_tiny_training_becomes_the_pages_model():
    at, _ = train_on_page("binary-ae", {"epochs": 1, "train_size": 64}, max_steps=4)
    assert "trained in this session" in texts(at.caption)
