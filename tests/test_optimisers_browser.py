"""The optimisers lab in Debian's Chromium, on Gradio's page: the paths over the ravine's contours
are drawn as the page opens (the lab's own Gradio panel), and clicking the step slider's start
moves every optimiser's marker back to the starting point (the slider restyles the markers: it
needs no animation frames, which Gradio's plotly drops; Streamlit draws the same plotly figure,
checked through AppTest). Waits on what the page shows, never on the clock."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

TITLE = "Ravine: 500 steps from (-5.5, 2)"
MARKERS = "el => el.data.filter(t => t.mode === 'markers' && t.showlegend === false).map(t => t.x[0])"


def test_the_step_slider_moves_every_optimiser_along_its_path(app_url, open_tab):
    page = open_tab(f"{app_url}optimisers", width=1280, height=1800)
    plot = page.locator(".js-plotly-plot").filter(has_text=TITLE).first
    expect(plot).to_be_visible(timeout=FIRST_LOAD_MS)
    plot.scroll_into_view_if_needed()
    index = plot.evaluate("el => Array.from(document.querySelectorAll('.js-plotly-plot')).indexOf(el)")
    at_the_end = plot.evaluate(MARKERS)
    assert len(at_the_end) == 6 and any(x != -5.5 for x in at_the_end)

    rail = plot.locator(".slider-rail-touch-rect").first
    box = rail.bounding_box()
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)  # the slider's first stop: step 0
    page.wait_for_function(
        f"() => document.querySelectorAll('.js-plotly-plot')[{index}].layout.sliders[0].active === 0"
    )
    assert plot.evaluate(MARKERS) == [-5.5] * 6
