"""The seq2seq page in Debian's Chromium: a typed English sentence comes back translated by both
models, with its unknown word shown as typed (not swallowed as HTML) and the alignment."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_typed_sentence_is_translated_by_both_models(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/seq2seq")
    text = page.get_by_role("tabpanel", name="Translate").get_by_label("English sentence", exact=True)
    expect(text).to_be_visible(timeout=FIRST_LOAD_MS)

    text.fill("the zorblax sleeps in the garden.")
    text.press("Enter")

    panel = page.get_by_role("tabpanel", name="Translate")
    expect(panel.get_by_text("read as <unk>: zorblax")).to_be_visible(timeout=PREDICTION_MS)
    expect(panel.get_by_text("With attention:")).to_be_visible()
    expect(panel.get_by_text("Without attention:")).to_be_visible()
    expect(panel.locator(".js-plotly-plot").first).to_be_visible()
