"""The optimisers lab in Debian's Chromium, on both fronts: the paths over the ravine's contours
are drawn, and dragging the step slider to its start moves every optimiser's marker back to the
starting point (the slider restyles the markers; it needs no animation frames, which Gradio's
plotly drops). Waits on what the page shows, never on the clock."""

from __future__ import annotations

import pytest
from helpers import FIRST_LOAD_MS

expect = pytest.importorskip("playwright.sync_api").expect
pytestmark = pytest.mark.browser

TITLE = "Ravine: 500 steps from (-5.5, 2)"
MARKERS = "el => el.data.filter(t => t.mode === 'markers' && t.showlegend === false).map(t => t.x[0])"


@pytest.mark.parametrize("front", ["streamlit", "gradio"])
def test_the_step_slider_moves_every_optimiser_along_its_path(streamlit_url, app_url, open_tab, front):
    url = f"{streamlit_url}/optimisers" if front == "streamlit" else f"{app_url}optimisers"
    page = open_tab(url, width=1280, height=1800)
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
