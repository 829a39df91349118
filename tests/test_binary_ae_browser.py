"""The binary autoencoder page in Debian's Chromium: a memorised digit's 48 bits are shown as
ticks, and ticking one flips the bit and redraws the decoded digit."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_ticking_a_bit_flips_it_and_changes_the_digit(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/binary-ae", height=1800)
    pictures = page.locator(".st-key-binary-ae-digit-pictures")
    expect(pictures).to_contain_text("With 0 bits flipped", timeout=FIRST_LOAD_MS)
    bits = page.locator("[class*='st-key-binary-ae-digit-bit-']")
    expect(bits).to_have_count(48)

    bits.nth(5).locator("label").click()
    expect(pictures).to_contain_text("With 1 bit flipped", timeout=PREDICTION_MS)
