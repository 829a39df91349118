"""The MNIST row-by-row page in Debian's Chromium: a digit drawn with the mouse is read by every
bundled recurrent reader, each with its hidden state over the rows. Waits on what the page shows,
never on the clock."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS, draw_seven

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def test_a_drawn_digit_is_read_by_every_model(streamlit_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1800})
    page.goto(f"{streamlit_url}/mnist-rows")
    pad = page.locator("canvas.upper-canvas")
    expect(pad).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.get_by_text("Draw a digit on the black pad first")).to_be_visible()

    draw_seven(page, pad)

    answers = page.locator(".st-key-mnist-rows-answers")
    expect(answers).to_contain_text("Bidirectional LSTM", timeout=PREDICTION_MS)
    expect(answers).to_contain_text("7")
    expect(page.get_by_text("hidden state after each row").first).to_be_visible()
    page.close()
