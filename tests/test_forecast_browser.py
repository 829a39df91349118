"""The forecast page in Debian's Chromium: a heatwave typed into the What if tab's box moves the
bundled forecasters' answer. Waits on what the page shows, never on the clock."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_typed_last_days_move_the_forecasts(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/forecast", height=1800)
    tab = page.get_by_role("tab", name="What if")
    expect(tab).to_be_visible(timeout=FIRST_LOAD_MS)
    tab.click()
    panel = page.get_by_role("tabpanel", name="What if")
    expect(panel).to_contain_text("shifted by +5 °C", timeout=PREDICTION_MS)

    box = page.locator(".st-key-forecast-what_if-values input")
    box.fill("35, 38, 41")
    box.press("Enter")
    expect(panel).to_contain_text("the last 3 values replaced by yours", timeout=PREDICTION_MS)
    expect(panel.locator(".js-plotly-plot").first).to_be_visible()
