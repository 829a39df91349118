"""The seq2seq page in Debian's Chromium: a typed English sentence comes back translated by both
models, with the attention model's alignment."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def test_a_typed_sentence_is_translated_by_both_models(streamlit_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    page.goto(f"{streamlit_url}/seq2seq")
    text = page.get_by_label("English sentence")
    expect(text).to_be_visible(timeout=FIRST_LOAD_MS)

    text.fill("the zorblax sleeps in the garden.")
    text.press("Enter")

    expect(page.get_by_text("read as <unk>: zorblax")).to_be_visible(timeout=PREDICTION_MS)
    translations = page.locator(".st-key-seq2seq-translations")
    expect(translations).to_contain_text("With attention:")
    expect(translations).to_contain_text("Without attention:")
    page.close()
