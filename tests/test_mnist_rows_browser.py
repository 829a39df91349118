"""The MNIST row-by-row page in Debian's Chromium: a digit drawn with the mouse is read by every
bundled recurrent reader, each with its hidden state over the rows. Waits on what the page shows,
never on the clock."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS, draw_seven

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_drawn_digit_is_read_by_every_model(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/mnist-rows", height=1800)
    pad = page.locator("canvas.upper-canvas").first
    expect(pad).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.get_by_text("Draw or upload a picture").first).to_be_visible()

    draw_seven(page, pad)

    panel = page.get_by_role("tabpanel").filter(has=pad).first  # the interaction's, around the Draw tab
    expect(panel).to_contain_text("Bidirectional LSTM", timeout=PREDICTION_MS)
    expect(panel.get_by_role("table").first).to_contain_text("7")
    heatmap = panel.locator(".js-plotly-plot").filter(has_text="hidden state after each row").first
    heatmap.scroll_into_view_if_needed()
    expect(heatmap).to_be_visible()
