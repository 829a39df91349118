"""The real app in Debian's Chromium: a digit drawn with the mouse is read by the bundled model.

Like streamlit's own e2e tests, it waits on what the page shows (Playwright's `expect`), never
on the clock. The server and the browser are the session's (conftest.py).
"""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS, draw_seven

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_drawn_digit_is_read_by_the_model(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/digits", height=1400)  # straight to the lab, as a shared link would
    pad = page.locator("canvas.upper-canvas").first  # fabric.js takes the mouse on its upper canvas
    expect(pad).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.get_by_text("Draw or upload a picture").first).to_be_visible()

    draw_seven(page, pad)

    expect(page.get_by_text("Prediction: 7")).to_be_visible(timeout=PREDICTION_MS)
    expect(page.get_by_text("What the model sees (28x28)")).to_be_visible()
