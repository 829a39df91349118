"""The regularisation page in Debian's Chromium: every model answers for the form's passenger,
and a first-class woman picked in the form is given better chances than the default man."""

from __future__ import annotations

import re

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser

ANSWER = re.compile(r"no regularisation: ([\d.]+)% · L1: ([\d.]+)% · L2: ([\d.]+)% · dropout: ([\d.]+)%")


def answer(page) -> tuple[float, ...]:
    text = page.get_by_text(ANSWER).first.inner_text()
    return tuple(float(p) for p in ANSWER.search(text).groups())


def pick(page, key: str, option: str) -> None:
    page.locator(f".st-key-{key} input[role='combobox']").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_a_first_class_woman_picked_in_the_form_has_better_chances(streamlit_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(f"{streamlit_url}/regularisation")
    expect(page.get_by_text(ANSWER).first).to_be_visible(timeout=FIRST_LOAD_MS)
    man = answer(page)
    assert all(p < 30 for p in man)

    pick(page, "regularisation-predict-sex", "female")
    expect(page.get_by_text(ANSWER).first).not_to_have_text(
        re.compile(re.escape(f"no regularisation: {man[0]:.1f}%")), timeout=PREDICTION_MS
    )
    pick(page, "regularisation-predict-pclass", "1st")
    expect(page.get_by_text(re.compile(r"Survival probability of a 1st-class female")).first).to_be_visible(
        timeout=PREDICTION_MS
    )
    woman = answer(page)
    assert all(w > 80 > m for w, m in zip(woman, man, strict=True))
    page.close()
