"""The GAN lab in Debian's Chromium: picking two generated samples makes them the ends of the
interpolation, on the Streamlit page (pills) and in the Gradio tab (a click on the gallery).
Waits on what the page shows, never on the clock."""

from __future__ import annotations

import re

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_two_picked_samples_become_the_interpolation_ends(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/gan", width=1400)
    expect(page.get_by_text("Pick two samples to interpolate between")).to_be_visible(timeout=FIRST_LOAD_MS)
    for number in (3, 12):
        page.get_by_role("button", name=f"#{number}", exact=True).click()
    expect(page.get_by_text("Interpolate tab: from 0:3 to 0:12.")).to_be_visible(timeout=PREDICTION_MS)

    page.get_by_role("tab", name="Interpolate").click()
    expect(page.get_by_role("textbox", name="From", exact=True)).to_have_value("0:3", timeout=PREDICTION_MS)
    expect(page.get_by_role("textbox", name="To", exact=True)).to_have_value("0:12")
    expect(page.get_by_text("Linear path, 10 frames, from 0:3 to 0:12.")).to_be_visible()


def test_two_clicked_gradio_samples_become_the_interpolation_ends(app_url, open_tab):
    page = open_tab(f"{app_url}gan", width=1400)
    seed = page.get_by_label("Seed of the noise").first
    expect(seed).to_be_visible(timeout=FIRST_LOAD_MS)
    seed.fill("4")
    seed.press("Enter")
    thumbnails = page.locator("#gan-samples button.thumbnail-item")
    expect(thumbnails).to_have_count(32, timeout=PREDICTION_MS)
    thumbnails.nth(3).click()
    # The second click sends the ends the page holds then: wait until the first one's answer is
    # in (under load it took seconds, and a quick second click paired 4:12 with the old end).
    first_note = page.get_by_text(re.compile(r"to 4:3: see the Interpolate tab"))
    expect(first_note).to_be_visible(timeout=PREDICTION_MS)
    page.keyboard.press("Escape")  # the gallery opens a preview of the clicked sample
    page.locator("#gan-samples button.thumbnail-item").nth(12).click()
    expect(page.get_by_text("From 4:3 to 4:12: see the Interpolate tab.")).to_be_visible(
        timeout=PREDICTION_MS
    )
    page.get_by_role("tab", name="Interpolate").click()
    expect(page.locator("#gan-start textarea, #gan-start input").first).to_have_value("4:3")
    expect(page.locator("#gan-end textarea, #gan-end input").first).to_have_value("4:12")
