"""The Transformer page in Debian's Chromium: a typed sentence comes back translated by the
bundled model of the real Tatoeba pairs, with its limits said and its attention heatmaps."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_typed_sentence_is_translated_with_its_attention(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/transformer")
    panel = page.get_by_role("tabpanel", name="Translate")
    limits = panel.get_by_text("This model learnt 66,210 short everyday English sentences")
    expect(limits).to_be_visible(timeout=FIRST_LOAD_MS)  # the honest limits, beside the answer
    box = panel.get_by_label("English sentence", exact=True)
    box.fill("Where is Mary?")
    box.press("Enter")
    # The bundled model learnt the real Tatoeba pairs, whose French calls Mary "Marie".
    expect(panel.get_by_text("Où est Marie")).to_be_visible(timeout=PREDICTION_MS)
    expect(panel.locator(".js-plotly-plot").first).to_be_visible(timeout=PREDICTION_MS)
