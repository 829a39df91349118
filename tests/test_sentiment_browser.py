"""The sentiment page in Debian's Chromium: a review typed into the box is scored by both bundled
readers and the baseline, with a word never learnt shown as such and each word's push drawn.
Waits on what the page shows, never on the clock."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_typed_review_is_scored_word_by_word(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/sentiment", height=1800)
    box = page.locator(".st-key-sentiment-classify-review textarea")
    expect(box).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.get_by_text("TF-IDF + logistic regression").first).to_be_visible(timeout=PREDICTION_MS)

    box.fill("Delicious and fresh, my kids love the Zxqvl flavour!")
    box.press("Control+Enter")

    expect(page.get_by_text("Zxqvl", exact=True).first).to_be_visible(timeout=PREDICTION_MS)
    heatmap = page.locator(".js-plotly-plot").filter(has_text="Zxqvl?").first
    heatmap.scroll_into_view_if_needed()
    expect(heatmap).to_be_visible()
