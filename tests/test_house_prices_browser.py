"""The house prices page in Debian's Chromium: both models price the typical house, and a bigger
house typed into the form costs more."""

from __future__ import annotations

import re

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser

ANSWER = re.compile(r"MSE model: \$([\d,]+) · MAE model: \$([\d,]+)")


def answer(page) -> tuple[int, int]:
    text = page.get_by_text(ANSWER).first.inner_text()
    return tuple(int(p.replace(",", "")) for p in ANSWER.search(text).groups())


def test_a_bigger_house_typed_into_the_form_costs_more(streamlit_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(f"{streamlit_url}/house-prices")
    expect(page.get_by_text(ANSWER).first).to_be_visible(timeout=FIRST_LOAD_MS)
    typical = answer(page)
    assert all(100_000 < p < 250_000 for p in typical)

    box = page.locator(".st-key-house-prices-predict-living_area input")
    box.fill("2800")
    box.press("Enter")
    expect(page.get_by_text(ANSWER).first).not_to_have_text(
        re.compile(re.escape(f"MSE model: ${typical[0]:,}")), timeout=PREDICTION_MS
    )
    bigger = answer(page)
    assert bigger[0] > typical[0] and bigger[1] > typical[1]
    page.close()
