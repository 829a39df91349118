"""The binary addition page in Debian's Chromium: two typed numbers are added by the LSTM."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_two_typed_numbers_are_added(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/binary-addition", height=1400)
    expect(page.get_by_text("1011 + 111 = 10010 (18): ✓ right")).to_be_visible(timeout=FIRST_LOAD_MS)

    box = page.locator(".st-key-binary-addition-add-a textarea")
    box.fill("110110")
    box.press("Control+Enter")  # a text area takes its value on Ctrl+Enter (or on leaving it)

    expect(page.get_by_text("110110 + 111 = 0111101 (61): ✓ right")).to_be_visible(timeout=PREDICTION_MS)
