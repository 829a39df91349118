"""The Transformer page in Debian's Chromium: a typed sentence comes back translated, with its
cross-attention heatmap."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def test_a_typed_sentence_is_translated_with_its_attention(streamlit_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    page.goto(f"{streamlit_url}/transformer")
    result = page.locator(".st-key-transformer-result")
    expect(result).to_contain_text("le petit chat ne voit pas la voiture rouge", timeout=FIRST_LOAD_MS)

    box = page.get_by_label("English sentence")
    box.fill("my sister does not like the green apples.")
    box.press("Enter")

    expect(result).to_contain_text("ma sœur n'aime pas les pommes vertes", timeout=PREDICTION_MS)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=PREDICTION_MS)
    expect(page.get_by_role("tab", name="Encoder self-attention")).to_be_visible()
    page.close()
