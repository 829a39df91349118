"""The Transformer page in Debian's Chromium: a typed sentence comes back translated, with its
attention heatmaps."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_typed_sentence_is_translated_with_its_attention(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/transformer")
    panel = page.get_by_role("tabpanel", name="Translate")
    first = panel.get_by_text("le petit chat ne voit pas la voiture rouge")
    expect(first).to_be_visible(timeout=FIRST_LOAD_MS)

    box = panel.get_by_label("English sentence", exact=True)
    box.fill("my sister does not like the green apples.")
    box.press("Enter")

    expect(panel.get_by_text("ma sœur n'aime pas les pommes vertes")).to_be_visible(timeout=PREDICTION_MS)
    expect(panel.locator(".js-plotly-plot").first).to_be_visible(timeout=PREDICTION_MS)
