"""The character-level text page in Debian's Chromium: a prompt typed into the page is continued
by the bundled model, greedily, into the sentence it memorised. Waits on what the page shows."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_a_typed_prompt_is_continued(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/charlstm", height=1400)
    prompt = page.locator(".st-key-charlstm-generate-prompt textarea")
    expect(prompt).to_be_visible(timeout=FIRST_LOAD_MS)
    page.get_by_text("Greedy (always the likeliest character)").click()
    expect(page.get_by_text("Greedy decoding:")).to_be_visible(timeout=PREDICTION_MS)
    prompt.fill("A recurrent")
    prompt.press("Control+Enter")  # a text area takes its value on Ctrl+Enter (or on leaving it)

    written = page.get_by_text("A recurrent network reads one character at a time. (✅ memorised)")
    expect(written).to_be_visible(timeout=PREDICTION_MS)
