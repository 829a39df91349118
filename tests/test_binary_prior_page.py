"""The prior page through Streamlit's AppTest: the bundled prior generates digits at once, each
beside the training digit it reproduced, at temperatures from 0 (one code) to 10."""

from __future__ import annotations

from helpers import open_lab, texts


def test_generated_digits_are_shown_beside_the_digits_they_reproduced():
    at = open_lab("binary-prior")
    assert at.radio(key="binary-prior-training-model").value == "Bundled lstm"
    assert "memorisation" in texts(at.caption) and "**lstm prior**, bundled" in texts(at.caption)
    assert "Memorisation: **" in texts(at.markdown)
    rate = at.metric[0]
    assert rate.label == "Memorisation rate" and 0 <= float(rate.value) <= 1
    captions = "\n".join(caption for image in at.get("image") for caption in image.captions)
    assert "= training digit" in captions
    assert "The course recipe: model lstm, digits 128" in texts(at.caption)

    at.slider(key="binary-prior-generate-temperature").set_value(10.0).run()
    assert "Memorisation: **" in texts(at.markdown) and not at.warning
    at.slider(key="binary-prior-generate-temperature").set_value(0.0)
    at.slider(key="binary-prior-generate-n").set_value(3).run()
    captions = [caption for image in at.get("image") for caption in image.captions]
    assert len(captions) == 3 and len(set(captions)) == 1  # T = 0: the likelier bit, one code
    assert not at.error and not at.exception
