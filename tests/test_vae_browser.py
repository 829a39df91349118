"""The VAE page in Debian's Chromium: a click on a held-out digit's dot, or a box dragged with the
chart's Box select (Streamlit's plotly selection events), moves the sliders there and decodes
that point. Waits on what the page shows, never on the clock. (Drawings are covered with
synthetic pads in test_vae.py; the pad itself by test_browser.py.)"""

from __future__ import annotations

import re

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

MOVED = re.compile(r"Decoded from z = \((?!0\.00, 0\.00\))")


def open_map(streamlit_url, open_tab):
    page = open_tab(f"{streamlit_url}/vae", width=1400)
    plot = page.locator(".js-plotly-plot").first
    expect(plot).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.get_by_text("Decoded from z = (0.00, 0.00)")).to_be_visible()
    return page, plot


def drag(page, box, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
    """A mouse drag between two points given as fractions of `box`."""
    x0, y0 = box["x"] + start[0] * box["width"], box["y"] + start[1] * box["height"]
    x1, y1 = box["x"] + end[0] * box["width"], box["y"] + end[1] * box["height"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, steps + 1):
        page.mouse.move(x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps)
    page.mouse.up()


def test_a_click_on_a_digits_dot_decodes_that_point(streamlit_url, open_tab):
    page, plot = open_map(streamlit_url, open_tab)
    # A dot far from the centre, so that the decoded point surely moves off (0, 0).
    dot = plot.locator(".scatterlayer .trace path.point").nth(40).bounding_box()
    x, y = dot["x"] + dot["width"] / 2, dot["y"] + dot["height"] / 2
    page.mouse.move(x, y)  # plotly picks the clicked point from the hover
    page.mouse.click(x, y)
    expect(page.get_by_text(MOVED)).to_be_visible(timeout=PREDICTION_MS)
    expect(page.get_by_text("The held-out digit you clicked")).to_be_visible()


def test_a_box_dragged_with_box_select_is_decoded(streamlit_url, open_tab):
    page, plot = open_map(streamlit_url, open_tab)
    plot.hover()
    plot.locator('.modebar-btn[data-title="Box Select"]').click()
    area = plot.locator(".nsewdrag").first
    drag(page, area.bounding_box(), (0.15, 0.15), (0.35, 0.35))
    expect(page.get_by_text(MOVED)).to_be_visible(timeout=PREDICTION_MS)


def test_two_taps_on_a_digits_dot_decode_that_point_on_a_phone(streamlit_url, open_tab):
    """On a touch screen plotly takes a first tap as a hover (it shows the digit's label) and
    the second as the click; the caption says so."""
    page = open_tab(f"{streamlit_url}/vae", width=390, height=844, touch=True)
    plot = page.locator(".js-plotly-plot").first
    expect(plot).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.get_by_text("tap it twice")).to_be_attached()
    plot.scroll_into_view_if_needed()
    dot = plot.locator(".scatterlayer .trace path.point").nth(40).bounding_box()
    x, y = dot["x"] + dot["width"] / 2, dot["y"] + dot["height"] / 2
    page.touchscreen.tap(x, y)
    expect(plot.locator(".hoverlayer .hovertext").first).to_be_attached(timeout=PREDICTION_MS)
    page.touchscreen.tap(x, y)
    expect(page.get_by_text(MOVED)).to_be_visible(timeout=PREDICTION_MS)
