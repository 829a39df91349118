"""The early-stopping page in Debian's Chromium: the bundled model's curve shows the stop point
and the kept epoch, and the Checkpoints tab lists the two epochs it keeps. Waits on what the
page shows, never on the clock."""

from __future__ import annotations

import re

import pytest
from helpers import FIRST_LOAD_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser


def test_the_curve_marks_the_stop_and_the_checkpoints_tab_lists_the_kept_epochs(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/early-stopping", width=1280, height=1600)
    plot = page.locator(".js-plotly-plot").filter(has_text=re.compile(r"stopped: epoch \d+")).first
    expect(plot).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(plot).to_contain_text(re.compile(r"kept: epoch \d+"))
    page.get_by_role("tab", name="Checkpoints").click()
    expect(page.get_by_text(re.compile("This bundled model keeps the checkpoints of epochs"))).to_be_visible(
        timeout=FIRST_LOAD_MS
    )
