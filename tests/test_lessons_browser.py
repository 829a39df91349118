"""A lesson link opened in Debian's Chromium on both fronts: the teacher's setup is there, the
locked control cannot be changed, the hidden one is out of sight, and Train waits for the
answer to the lesson's question."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

from core import lessons
from core.registry import get_lab

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

QUESTION = "Predict: will 2 epochs beat 98%?"


def lesson_token() -> str:
    lesson = lessons.make(
        get_lab("digits"),
        {"epochs": 2, "learning_rate": 0.01},
        locked=["epochs"],
        hidden=["dropout"],
        question=QUESTION,
    )
    return lesson.token()


def test_streamlit_opens_a_lesson_link(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/digits?lesson={lesson_token()}")
    expect(page.get_by_text("Fixed by the lesson: Epochs")).to_be_visible(timeout=FIRST_LOAD_MS)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("slider", name="Epochs")).to_be_disabled(timeout=PREDICTION_MS)
    expect(sidebar.get_by_text("Dropout", exact=True)).to_have_count(0)
    train = page.get_by_role("button", name="Train", exact=True)
    expect(train).to_be_disabled()
    answer = page.get_by_role("textbox", name=f"Before you train: {QUESTION}")
    answer.fill("yes")
    answer.press("Enter")
    expect(train).to_be_enabled(timeout=PREDICTION_MS)


def test_gradio_opens_a_lesson_link(app_url, open_tab):
    page = open_tab(f"{app_url}digits?lesson={lesson_token()}")
    expect(page.get_by_text("Fixed by the lesson: Epochs")).to_be_visible(timeout=FIRST_LOAD_MS)
    page.get_by_role("tab", name="Train", exact=True).click()
    expect(page.get_by_label(f"Before you train: {QUESTION}")).to_be_visible(timeout=PREDICTION_MS)
    epochs = page.get_by_role("spinbutton", name="number input for Epochs")
    expect(epochs).to_be_disabled()
    expect(epochs).to_have_value("2")
    expect(page.get_by_text("Dropout", exact=True)).to_have_count(0)
