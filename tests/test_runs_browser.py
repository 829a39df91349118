"""Runs in the Gradio front, in Debian's Chromium: two trainings, then the Runs tab compares
them, and "train again with one change" puts a run's seed back into the Train tab."""

from __future__ import annotations

import re

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_gradio_runs_tab_compares_two_trainings_and_trains_again(app_url, open_tab, monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "3")  # the server runs in this process
    page = open_tab(f"{app_url}denoise", width=1400)
    page.get_by_role("tab", name="Train", exact=True).click()
    train = page.get_by_role("button", name="Train", exact=True)
    expect(train).to_be_visible(timeout=FIRST_LOAD_MS)
    for finished in (1, 2):
        train.click()
        expect(page.get_by_text("Training finished").first).to_be_visible(timeout=PREDICTION_MS)
        page.get_by_role("tab", name="Runs", exact=True).click()
        expect(page.get_by_text(f"run {finished} · seed").first).to_be_visible(timeout=PREDICTION_MS)
        page.get_by_role("tab", name="Train", exact=True).click()
    page.get_by_role("tab", name="Runs", exact=True).click()
    expect(page.get_by_text(re.compile(r"run 2 · seed \d+")).first).to_be_visible(timeout=PREDICTION_MS)
    expect(page.get_by_text("The chosen curve of each run, on shared axes")).to_be_visible()
    expect(page.locator(".js-plotly-plot:visible").first).to_be_visible(timeout=PREDICTION_MS)
    expect(page.get_by_role("grid", name="Settings (what differs comes first)")).to_contain_text("seed")
    page.get_by_role("button", name="Put its settings and seed in the Train tab").click()
    expect(page.get_by_text("the new run starts from the same weights")).to_be_visible(timeout=PREDICTION_MS)
    # The compared runs answer the same input side by side in the Try-it panels.
    page.get_by_role("tab", name="Try it", exact=True).click()
    page.get_by_role("tab", name="A held-out digit", exact=True).click()
    index = page.get_by_label("Held-out digit").first
    index.fill("5")
    index.press("Enter")
    expect(page.get_by_text("The same input through each compared run")).to_be_visible(timeout=PREDICTION_MS)
    expect(page.locator("h4", has_text="run 2")).to_be_visible()
