"""The palindromes page in Debian's Chromium: a typed prefix is answered by both models, with the
LSTM's gates as a heatmap."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_typed_prefix_is_answered_by_both_models(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/palindromes")
    first = page.get_by_text("T = 14: a palindrome ends in its first digit, 1")
    expect(first).to_be_visible(timeout=FIRST_LOAD_MS)

    box = page.locator(".st-key-palindromes-last-digit-prefix textarea")
    box.fill("8123456787654321")
    box.press("Control+Enter")  # a text area takes its value on Ctrl+Enter (or on leaving it)

    expected = "T = 17: a palindrome ends in its first digit, 8"
    expect(page.get_by_text(expected)).to_be_visible(timeout=PREDICTION_MS)
    expect(page.get_by_text("Vanilla RNN:", exact=False).first).to_be_visible()
    expect(page.get_by_text("Forget gate f").first).to_be_attached()  # the heatmap's title
