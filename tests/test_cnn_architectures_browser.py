"""The cnn-architectures page in Debian's Chromium: the bundled networks' side-by-side table
shows, and the gradients tab draws both deep nets."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def test_the_networks_stand_side_by_side_and_the_gradients_are_drawn(streamlit_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    page.goto(f"{streamlit_url}/cnn-architectures")
    expect(page.get_by_text("of Fashion-MNIST's 60,000 training pictures").first).to_be_visible(
        timeout=FIRST_LOAD_MS
    )
    page.get_by_role("tab", name="Gradients with and without skips").click()
    chart = page.locator(".js-plotly-plot").filter(has_text="Gradient norm per layer").first
    expect(chart).to_be_visible(timeout=PREDICTION_MS)
    expect(chart).to_contain_text("with skips (residual)")
    page.close()
