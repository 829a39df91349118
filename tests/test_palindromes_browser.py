"""The palindromes page in Debian's Chromium: a typed prefix is answered by both models, with the
LSTM's gates as a heatmap."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def test_a_typed_prefix_is_answered_by_both_models(streamlit_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    page.goto(f"{streamlit_url}/palindromes")
    answers = page.locator(".st-key-palindromes-try-answers")
    expect(answers).to_contain_text("LSTM answers", timeout=FIRST_LOAD_MS)

    box = page.locator(".st-key-palindromes-try-prefix input")
    box.fill("8123456787654321")
    box.press("Enter")

    expected = "T = 17: the answer a palindrome needs is the first digit, 8"
    expect(answers).to_contain_text(expected, timeout=PREDICTION_MS)
    expect(answers).to_contain_text("Vanilla RNN answers")
    page.close()
