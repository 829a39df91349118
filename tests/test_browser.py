"""The real app in Debian's Chromium: a digit drawn with the mouse is read by the bundled model.

Like streamlit's own e2e tests, it waits on what the page shows (Playwright's `expect`), never
on the clock.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.servers import CHROMIUM, free_port, launch_chromium, stop_server

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
FIRST_LOAD_MS = 120_000  # the first page load imports torch and loads a model on a busy 2-core box
PREDICTION_MS = 60_000


@pytest.fixture(scope="module")
def streamlit_url(tmp_path_factory) -> Iterator[str]:
    """`streamlit run app.py` on a free port, offline, stopped when the module's tests end."""
    port = free_port()
    scratch = tmp_path_factory.mktemp("streamlit")
    env = os.environ | {
        "DLL_OFFLINE": "1",
        "DLL_RUNS_DIR": str(scratch / "runs"),
        "DLL_CACHE_DIR": str(scratch / "cache"),
    }
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.fileWatcherType", "none"]
    command += ["--browser.gatherUsageStats", "false"]
    with open(scratch / "server.log", "w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        # Streamlit prints its URL once it is serving; reading blocks until then, without polling.
        for line in server.stdout:
            if "Local URL" in line:
                break
        else:
            pytest.fail(f"streamlit exited early:\n{(scratch / 'server.log').read_text()}")
        yield f"http://localhost:{port}"
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as driver:
        chromium = launch_chromium(driver)
        yield chromium
        chromium.close()


def draw_seven(page, pad) -> None:
    """A top bar, then a long diagonal down to the left, as one stroke of the mouse."""
    box = pad.bounding_box()
    left, top = box["x"], box["y"]
    page.mouse.move(left + 70, top + 60)
    page.mouse.down()
    for x in range(70, 211, 14):
        page.mouse.move(left + x, top + 60)
    for step in range(1, 13):
        page.mouse.move(left + 210 - 8 * step, top + 60 + 16 * step)
    page.mouse.up()


def test_drawn_digit_is_read_by_the_model(streamlit_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(f"{streamlit_url}/digits")  # straight to the lab, as a shared link would
    pad = page.locator("canvas.upper-canvas")  # fabric.js takes the mouse on its upper canvas
    expect(pad).to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.get_by_text("Draw a digit on the black pad first")).to_be_visible()

    draw_seven(page, pad)

    prediction = page.locator(".st-key-digits-drawing-prediction")
    expect(prediction).to_contain_text("Prediction: 7", timeout=PREDICTION_MS)
    expect(page.get_by_text("What the model sees (28x28)")).to_be_visible()
    page.close()
