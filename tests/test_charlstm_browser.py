"""The character-level text page in Debian's Chromium: a prompt typed into the page is continued
by the bundled model, greedily, into the sentence it memorised. Waits on what the page shows."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def test_a_typed_prompt_is_continued(streamlit_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(f"{streamlit_url}/charlstm")
    prompt = page.get_by_label("Prompt (empty: the model starts a sentence itself)")
    expect(prompt).to_be_visible(timeout=FIRST_LOAD_MS)
    page.get_by_text("Greedy (always the likeliest character)").click()
    prompt.fill("A recurrent")
    prompt.press("Enter")

    output = page.locator(".st-key-charlstm-try-output")
    expect(output).to_contain_text(
        "A recurrent network reads one character at a time.", timeout=PREDICTION_MS
    )
    expect(output).to_contain_text("memorised")
    page.close()
