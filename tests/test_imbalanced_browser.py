"""The imbalanced data page in Debian's Chromium: every model scores the typical customer, a
bigger balance typed into the form raises the plain model's probability, and the threshold
slider, moved with the keyboard, moves the confusion matrix."""

from __future__ import annotations

import re

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser

ANSWER = re.compile(r"plain: ([\d.]+)% · class weights: ([\d.]+)%")
CAUGHT = re.compile(r"catches (\d+) of 67 defaulters")


def number(page, pattern: re.Pattern) -> float:
    return float(pattern.search(page.get_by_text(pattern).first.inner_text()).group(1))


def test_a_bigger_balance_and_a_lower_threshold(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/imbalanced", height=1400)
    expect(page.get_by_text(ANSWER).first).to_be_visible(timeout=FIRST_LOAD_MS)
    typical = number(page, ANSWER)
    assert 0 < typical < 100

    box = page.locator(".st-key-imbalanced-customer-balance input")
    box.fill("2500")
    box.press("Enter")
    expect(page.get_by_text(ANSWER).first).not_to_have_text(
        re.compile(re.escape(f"plain: {typical}%")), timeout=PREDICTION_MS
    )
    assert number(page, ANSWER) > typical

    page.get_by_role("tab", name="Threshold and confusion matrix").click()
    expect(page.get_by_text(CAUGHT).first).to_be_visible(timeout=PREDICTION_MS)
    at_half = number(page, CAUGHT)
    thumb = page.locator(".st-key-imbalanced-threshold-threshold input[type=range]")
    thumb.focus()
    for _ in range(40):  # 0.50 -> 0.10, a step of 0.01 a key
        thumb.press("ArrowLeft")
    expect(page.get_by_text(CAUGHT).first).not_to_have_text(
        re.compile(rf"catches {int(at_half)} of"), timeout=PREDICTION_MS
    )
    assert number(page, CAUGHT) > at_half
