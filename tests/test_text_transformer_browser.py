"""The text Transformer page in Debian's Chromium: a typed review is scored and the [CLS]
token's attention over it is drawn, with a word never learnt shown as such."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_typed_review_shows_where_cls_looks(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/text-transformer", height=1800)
    box = page.locator(".st-key-text-transformer-classify-review textarea")
    expect(box).to_be_visible(timeout=FIRST_LOAD_MS)

    box.fill("Crunchy and fresh, but the Zxqvl taste lingers.")
    box.press("Control+Enter")

    expect(page.get_by_text("Zxqvl", exact=True).first).to_be_visible(timeout=PREDICTION_MS)
    heatmap = page.locator(".js-plotly-plot").filter(has_text="Where [CLS] looks").first
    heatmap.scroll_into_view_if_needed()
    expect(heatmap).to_be_visible()
    expect(heatmap).to_contain_text("Zxqvl?")
