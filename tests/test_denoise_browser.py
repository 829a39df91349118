"""The denoising page in Debian's Chromium: a digit drawn with the mouse comes back clean, noisy
and denoised, with the PSNR of each."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS, draw_seven

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_drawn_digit_is_denoised(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/denoise")
    pad = page.locator("canvas.upper-canvas").first  # the first tab's pad: "Draw or upload a digit"
    expect(pad).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.get_by_text("Draw or upload a picture").first).to_be_visible()

    draw_seven(page, pad)

    panel = page.get_by_role("tabpanel").filter(has=pad).first  # the interaction's, around the Draw tab
    expect(panel).to_contain_text("PSNR of the denoised output (dB)", timeout=PREDICTION_MS)
    expect(panel.get_by_text("Denoised: ")).to_be_visible()
    expect(panel.get_by_text("Noisy: ")).to_be_visible()
