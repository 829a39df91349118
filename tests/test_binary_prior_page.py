"""The prior page through Streamlit's AppTest: the bundled prior generates digits at once, each
beside the training digit it reproduced, and a clamped temperature is said."""

from __future__ import annotations

from helpers import open_page, texts

import ui_streamlit as ui

PAGE = "app_pages/binary_prior.py"


def test_generated_digits_are_shown_beside_the_digits_they_reproduced():
    at = open_page(PAGE)
    assert at.radio(key="binary-prior-training-model").value == ui.BUNDLED
    assert "memorisation" in texts(at.caption)
    rate = at.metric[0]
    assert rate.label == "Memorisation rate" and rate.value.endswith("%")
    captions = "\n".join(caption for image in at.get("image") for caption in image.captions)
    assert "generated" in captions and "= training digit" in captions

    at.number_input(key="binary-prior-gen-temperature").set_value(1e6).run()
    assert "Temperature 1e+06 clamped to 10" in texts(at.warning)
    assert not at.error and not at.exception
