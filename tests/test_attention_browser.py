"""The attention page in Debian's Chromium: a sentence typed into the query box is read by the
explorer, whose strongest-key line and heatmap follow it."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_typed_query_is_explored(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/attention")
    query = page.get_by_label("Query sentence (its words ask)", exact=True)
    expect(query).to_be_visible(timeout=FIRST_LOAD_MS)
    summary = page.get_by_text("Each query word's strongest key")
    expect(summary).to_contain_text("cats", timeout=PREDICTION_MS)

    query.fill("my hungry dogs")
    query.press("Enter")

    expect(summary).to_contain_text("hungry", timeout=PREDICTION_MS)
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
