"""The inside-cnn page in Debian's Chromium: the bundled cat's top-5 shows with the square the
network saw, and picking the coffee photo turns the answer into espresso."""

from __future__ import annotations

import re

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def test_picking_the_coffee_photo_turns_the_cat_into_espresso(streamlit_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(f"{streamlit_url}/inside-cnn")
    cat = re.compile(r"Top-5 classes: (tiger|Egyptian) cat")
    expect(page.get_by_text(cat).first).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.get_by_text("What the network sees").first).to_be_visible(timeout=PREDICTION_MS)

    page.locator(".st-key-inside-cnn-top-5-photo-bundled input[role='combobox']").click()
    page.get_by_role("option", name="coffee: a cup of coffee", exact=True).click()
    expect(page.get_by_text("Top-5 classes: espresso [967]").first).to_be_visible(timeout=PREDICTION_MS)
    page.close()
