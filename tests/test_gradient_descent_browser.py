"""The gradient descent page in Debian's Chromium: the bundled copies' loss against the three
x-axes is drawn, and asking for the gradient noise of a batch size draws the cloud of mini-batch
gradients. Waits on what the page shows, never on the clock."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_the_three_x_axes_and_the_gradient_noise(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/gradient-descent", width=1280, height=1800)
    for heading in ("Loss against epochs", "Loss against updates", "Loss against seconds"):
        expect(page.locator(".js-plotly-plot").filter(has_text=heading).first).to_be_visible(
            timeout=FIRST_LOAD_MS
        )
    page.get_by_role("tab", name="Gradient noise").click()
    page.get_by_role("button", name="Gradient noise").click()
    cloud = page.locator(".js-plotly-plot").filter(has_text="Mini-batch gradients of 16 digits").first
    expect(cloud).to_be_visible(timeout=PREDICTION_MS)
    expect(page.get_by_text("digits per batch").first).to_be_visible()
