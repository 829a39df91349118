"""The look-at-data page in Debian's Chromium: the class counts drawn at once, with no training,
and the map of the set drawn when asked. Waits on what the page shows, never on the clock."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_the_counts_then_the_map(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/look-at-data", width=1280, height=1800)
    counts = page.locator(".js-plotly-plot").filter(has_text="Images per class (train)").first
    expect(counts).to_be_visible(timeout=FIRST_LOAD_MS)
    page.get_by_role("tab", name="Map of the set").click()
    page.get_by_role("button", name="Map of the set").click()
    chart = page.locator(".js-plotly-plot").filter(has_text="PCA map of 2,000").first
    expect(chart).to_be_visible(timeout=PREDICTION_MS)
    expect(chart.locator(".point").first).to_be_attached()
