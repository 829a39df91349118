"""The VAE page in Debian's Chromium: dragging a box on the latent map (Streamlit's plotly
selection events) moves the sliders to its centre and decodes it. Waits on what the page shows,
never on the clock. (Drawings are covered with synthetic pads in test_vae.py; the pad itself by
test_browser.py.)"""

from __future__ import annotations

import re

import pytest
from helpers import FIRST_LOAD_MS, PREDICTION_MS

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def drag(page, box, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
    """A mouse drag between two points given as fractions of `box`."""
    x0, y0 = box["x"] + start[0] * box["width"], box["y"] + start[1] * box["height"]
    x1, y1 = box["x"] + end[0] * box["width"], box["y"] + end[1] * box["height"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, steps + 1):
        page.mouse.move(x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps)
    page.mouse.up()


def test_a_box_dragged_on_the_latent_map_is_decoded(streamlit_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(f"{streamlit_url}/vae")
    plot = page.locator(".js-plotly-plot").first
    expect(plot).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.get_by_text("Decoded from z = (0.00, 0.00)")).to_be_visible()

    # Plotly's drag layer takes the mouse; the map is in box-select mode.
    area = plot.locator(".nsewdrag").first
    drag(page, area.bounding_box(), (0.15, 0.15), (0.35, 0.35))
    moved = page.get_by_text(re.compile(r"Decoded from z = \((?!0\.00, 0\.00\))"))
    expect(moved).to_be_visible(timeout=PREDICTION_MS)

    page.close()
