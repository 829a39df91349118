"""The GAN page in Debian's Chromium: picking two generated samples makes them the ends of the
interpolation. Waits on what the page shows, never on the clock."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def test_two_picked_samples_become_the_interpolation_ends(streamlit_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(f"{streamlit_url}/gan")
    expect(page.get_by_text("Pick two samples to interpolate between")).to_be_visible(timeout=FIRST_LOAD_MS)
    for number in (3, 12):
        page.get_by_role("button", name=f"#{number}", exact=True).click()
    expect(page.get_by_text("Interpolate tab: from 0:3 to 0:12.")).to_be_visible(timeout=PREDICTION_MS)

    page.get_by_role("tab", name="Interpolate").click()
    expect(page.get_by_role("textbox", name="From", exact=True)).to_have_value("0:3", timeout=PREDICTION_MS)
    expect(page.get_by_role("textbox", name="To", exact=True)).to_have_value("0:12")
    expect(page.get_by_text("Linear path, 10 frames")).to_be_visible()
    page.close()
